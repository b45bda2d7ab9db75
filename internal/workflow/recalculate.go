package workflow

import (
	"context"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/rules"
	"skalig/internal/store"
	"skalig/internal/store/paramdb"
)

// RecordParamsApproved is the record kind that says why a case waiting for
// parameters was calculated again: which version of which year.
const RecordParamsApproved = "params_approved"

// recalculate is the job an approved parameter version enqueues
// (paramdb.Store.Approve): this process's parameters are read again at
// once, and every case of the version's year that waits with a person
// because its parameters were missing (parameters_missing; the engine's
// parameter_missing of a value such as "utan lunch" that the year's table
// lacked; calculation_failed of a case routed before parameters_missing
// existed) goes
// back to be calculated and routed again by the calculate job, each in its
// own transaction. A case a person has moved on meanwhile is left alone; a
// crash halfway leaves the job to run again, and the cases already moved
// are no longer waiting.
func (w *Workflow) recalculate(ctx context.Context, j *jobs.Job) error {
	year, version, ok := paramdb.ParseParamsJob(j.CaseID)
	if !ok {
		return jobs.Permanent(fmt.Errorf("recalculate: bad job %q", j.CaseID))
	}
	if r, ok := w.params.(interface{ Reload(context.Context) error }); ok {
		if err := r.Reload(ctx); err != nil {
			return err
		}
	}
	ids, err := paramdb.New(w.db).WaitingForParams(ctx, year,
		skalig.ReasonParametersMissing, skalig.ReasonCalculationFailed, rules.ParameterMissing.Code())
	if err != nil {
		return err
	}
	actor := fmt.Sprintf("worker:params:%d", version)
	moved := 0
	for _, id := range ids {
		_, err := w.cases.Update(ctx, id, func(m *store.Moves) error {
			if m.Case().State != skalig.StateAwaitingCaseworker {
				return nil
			}
			if err := m.AddRecord(ctx, actor, RecordParamsApproved, map[string]any{
				"version": version, "year": year,
				"text": fmt.Sprintf("Parametrarna för %d har godkänts (version %d). Ärendet beräknas om och fördelas på nytt.", year, version)}); err != nil {
				return err
			}
			if err := w.move(ctx, m, skalig.StateFetching, actor); err != nil {
				return err
			}
			moved++
			return m.Enqueue(ctx, JobCalculate, time.Time{})
		})
		if err != nil {
			return err
		}
	}
	if moved > 0 {
		w.log.Info("parameters approved: cases calculated again", "year", year, "version", version, "cases", moved)
		w.queue.Notify()
	}
	return j.Complete(ctx, nil)
}
