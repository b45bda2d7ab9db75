package whatif

import (
	"context"
	"encoding/json"

	"skalig/internal/store/whatifdb"
)

// The synchronous run, which only the tests use: a run is a job
// (Runner.Start, HandleRun), and the tests compare the job's result with
// this one's, which must be the same.

// Run evaluates cand over sel and keeps the result, with an audit event
// naming actor, in the same transaction. It sets res.ID and res.Actor.
func (r *Runner) Run(ctx context.Context, actor string, cand *Candidate, sel Selection, progress func(int)) (*Result, error) {
	res, err := r.Evaluate(ctx, cand, sel, progress)
	if err != nil {
		return nil, err
	}
	res.Actor = actor
	if err := r.Save(ctx, res); err != nil {
		return nil, err
	}
	res.Mode = whatifdb.ModeReplay
	res.Progress = Progress{Status: whatifdb.StatusDone, Done: res.Totals.Cases, Total: res.Totals.Cases, Percent: 100}
	return res, nil
}

// Save keeps res in whatif_runs with its audit event; it sets res.ID.
func (r *Runner) Save(ctx context.Context, res *Result) error {
	sel, _ := json.Marshal(res.Selection)
	tot, _ := json.Marshal(struct {
		Totals      Totals  `json:"totals"`
		ByHousehold []Group `json:"by_household"`
		Truncated   bool    `json:"truncated,omitempty"`
	}{res.Totals, res.ByHousehold, res.Truncated})
	changes, err := json.Marshal(res.Changes)
	if err != nil {
		return err
	}
	run := &whatifdb.Run{
		Actor: res.Actor, Municipality: res.Selection.Municipality,
		CandidateKind: string(res.Candidate.Kind), CandidateName: res.Candidate.Name, CandidateDigest: res.Candidate.Digest,
		EngineVersion: res.EngineVersion, Selection: sel, Totals: tot,
		Cases: res.Totals.Cases, Changed: res.Totals.Changed, Changes: changes,
		StartedAt: res.StartedAt, EndAt: res.Finished, Candidate: res.candidate,
	}
	if err := r.Cases.SaveRun(ctx, run); err != nil {
		return err
	}
	res.ID = run.ID
	return nil
}

// ReplayWorker is one of ReplayAll's workers: it replays one decision
// read by DecidedReceipts at a time, with the worker's scratch space (for
// BenchmarkReplayDecision).
func (r *Replayer) ReplayWorker() func(d *whatifdb.DecidedReceipt) bool {
	var sc scratch
	return func(d *whatifdb.DecidedReceipt) bool { return r.replay(d, &sc).Identical }
}
