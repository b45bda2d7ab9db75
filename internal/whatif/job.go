package whatif

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/rules"
	"skalig/internal/store/whatifdb"
)

// Job kinds of what-if runs (internal/jobs). A run's job evaluates one
// month of its selection per step and keeps the totals so far with the
// next month in the step's transaction (whatifdb.Store.Checkpoint), so a
// run killed at any point goes on from the last month it kept; a shadow
// run's job compares the decisions made since its last step, each once.
const (
	JobRun    = "whatif_run"
	JobShadow = "whatif_shadow"
)

// DefaultShadowInterval is how often a shadow run looks for new decisions.
const DefaultShadowInterval = time.Minute

// Progress is how far a run has come.
type Progress struct {
	// Status is queued, running, done or failed.
	Status string `json:"status"`
	// Done of Total decisions of the selection are read (a shadow run:
	// Done decisions compared so far, Total the same).
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Percent int    `json:"percent"`
	Error   string `json:"error,omitempty"`
}

// Finished reports whether the run is done or failed.
func (p Progress) Finished() bool {
	return p.Status == whatifdb.StatusDone || p.Status == whatifdb.StatusFailed
}

func progressOf(run *whatifdb.Run) Progress {
	p := Progress{Status: run.Status, Done: run.Done, Total: run.Total, Error: run.Error}
	switch {
	case p.Status == whatifdb.StatusDone:
		p.Percent = 100
	case p.Total > 0:
		p.Percent = min(99, p.Done*100/p.Total)
	}
	return p
}

// Start validates cand and sel and keeps a queued run of them, started by
// actor, with its job (JobRun) in the same transaction; the workers of any
// process evaluate it. It returns the run's id. maxChanges bounds the
// changed cases kept in detail (0: Runner.MaxChanges's default).
//
// Errors: EINVALID (the selection, naming the field).
func (r *Runner) Start(ctx context.Context, actor string, cand *Candidate, sel Selection, maxChanges int) (string, error) {
	if err := sel.Validate(); err != nil {
		return "", err
	}
	if cand == nil {
		cand = EngineCandidate()
	}
	if maxChanges <= 0 {
		_, _, maxChanges = r.defaults()
	}
	b, _ := json.Marshal(sel)
	run := &whatifdb.Run{Actor: actor, Municipality: sel.Municipality, CandidateKind: string(cand.Kind), CandidateName: cand.Name,
		CandidateDigest: cand.Digest, EngineVersion: rules.EngineVersion, Selection: b, Candidate: cand.data, MaxChanges: maxChanges}
	if err := r.Cases.StartRun(ctx, run, jobs.New{Kind: JobRun}); err != nil {
		return "", err
	}
	if r.Notify != nil {
		r.Notify()
	}
	return run.ID, nil
}

// StartShadow keeps a shadow run of cand beside the live configuration of
// municipality mun on the decisions made from from until until, started
// by actor, with its job (JobShadow, first due one ShadowInterval after
// from). It decides nothing: its job reads each decision once it is
// committed and keeps the comparison.
//
// Errors: EINVALID (naming the field: "municipality", "until").
func (r *Runner) StartShadow(ctx context.Context, actor string, cand *Candidate, mun string, from, until time.Time, maxChanges int) (string, error) {
	if err := (Selection{Municipality: mun}).Validate(); err != nil || mun == "" {
		return "", &skalig.Error{Code: skalig.EINVALID, Message: "Ange kommunen.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "Ange kommunkoden med fyra siffror, till exempel 0821."}}}
	}
	now := r.Cases.Now()
	if from.IsZero() || from.Before(now) {
		from = now
	}
	if !until.After(from) || until.Sub(from) > 366*24*time.Hour {
		return "", &skalig.Error{Code: skalig.EINVALID, Message: "Perioden är inte giltig.",
			Fields: []skalig.FieldError{{Field: "until", Message: "Ange ett slutdatum efter i dag och högst ett år fram."}}}
	}
	if cand == nil {
		cand = EngineCandidate()
	}
	if cand.Kind == KindMunicipal && cand.Municipality() != mun {
		return "", &skalig.Error{Code: skalig.EINVALID, Message: "Kandidaten gäller en annan kommun.",
			Fields: []skalig.FieldError{{Field: "candidate", Message: "Kommunfilen gäller kommun " + cand.Municipality() + ", inte " + mun + "."}}}
	}
	if maxChanges <= 0 {
		_, _, maxChanges = r.defaults()
	}
	b, _ := json.Marshal(Selection{Municipality: mun})
	run := &whatifdb.Run{Actor: actor, Municipality: mun, CandidateKind: string(cand.Kind), CandidateName: cand.Name,
		CandidateDigest: cand.Digest, EngineVersion: rules.EngineVersion, Selection: b, Candidate: cand.data, MaxChanges: maxChanges,
		Mode: whatifdb.ModeShadow, ShadowFrom: from, ShadowUntil: until}
	if err := r.Cases.StartRun(ctx, run, jobs.New{Kind: JobShadow, RunAt: from.Add(r.shadowInterval())}); err != nil {
		return "", err
	}
	if r.Notify != nil {
		r.Notify()
	}
	return run.ID, nil
}

// StopShadow ends the shadow run id before its period is over, for actor
// (an administrator: the callers check the role): its period ends now,
// decisions made later are not compared, and its job finishes it at its
// next look (within ShadowInterval); the audit event
// (whatifdb.ActionWhatIfShadowStopped) names who ended it.
//
// Errors: ENOTFOUND, EINVALID (not a shadow run, or already over).
func (r *Runner) StopShadow(ctx context.Context, actor, id string) error {
	_, err := r.Cases.StopShadow(ctx, id, actor)
	return err
}

// Progress returns how far the run id has come.
//
// Errors: ENOTFOUND.
func (r *Runner) Progress(ctx context.Context, id string) (Progress, error) {
	run, err := r.Cases.RunByID(ctx, id)
	if err != nil {
		return Progress{}, err
	}
	return progressOf(run), nil
}

// partial is a run's totals so far, as kept in whatif_runs.totals.
type partial struct {
	Totals      Totals  `json:"totals"`
	ByHousehold []Group `json:"by_household"`
	Truncated   bool    `json:"truncated,omitempty"`
	// Seconds is the time spent evaluating, for DecisionsPerSecond.
	Seconds float64 `json:"seconds,omitempty"`
}

// state reads the kept totals and changes of run.
func state(run *whatifdb.Run) (*partial, []Change, error) {
	p := &partial{}
	if len(run.Totals) > 0 && string(run.Totals) != "null" {
		if err := json.Unmarshal(run.Totals, p); err != nil {
			return nil, nil, fmt.Errorf("what-if run %s totals: %w", run.ID, err)
		}
	}
	var changes []Change
	if len(run.Changes) > 0 {
		if err := json.Unmarshal(run.Changes, &changes); err != nil {
			return nil, nil, fmt.Errorf("what-if run %s changes: %w", run.ID, err)
		}
	}
	return p, changes, nil
}

// add merges the totals, groups and changes of one step into p and
// changes, keeping at most max changes (those of the lowest case ids).
func (p *partial) add(changes []Change, t *Totals, groups []Group, more []Change, truncated bool, max int) []Change {
	p.Totals.merge(t)
	for _, g := range groups {
		found := false
		for i := range p.ByHousehold {
			if p.ByHousehold[i].Type == g.Type {
				p.ByHousehold[i].Totals.merge(&g.Totals)
				found = true
			}
		}
		if !found {
			p.ByHousehold = append(p.ByHousehold, g)
		}
	}
	p.Truncated = p.Truncated || truncated
	changes = append(changes, more...)
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].CaseID < changes[j].CaseID })
	if max > 0 && len(changes) > max {
		changes, p.Truncated = changes[:max], true
	}
	return changes
}

func (p *partial) checkpoint(changes []Change) whatifdb.Checkpoint {
	if changes == nil {
		changes = []Change{}
	}
	if len(p.ByHousehold) == 0 {
		p.ByHousehold = newAggregate().groups()
	}
	t, _ := json.Marshal(p)
	c, _ := json.Marshal(changes)
	return whatifdb.Checkpoint{Totals: t, Changes: c, Cases: p.Totals.Cases, Changed: p.Totals.Changed}
}

// HandleRun is the handler of JobRun: it evaluates the next month of the
// run's selection and keeps the totals so far, the progress and the month
// after in the job's transaction, enqueuing the next step; after the last
// month the run is done, with its audit event. A step run twice (a crash
// before its commit) starts the month again from the totals kept before
// it: nothing is counted twice. A run whose candidate no longer reads, or
// whose step failed MaxAttempts times, is kept as failed.
func (r *Runner) HandleRun(ctx context.Context, j *jobs.Job) error {
	id := whatifdb.RunOfJob(j.CaseID)
	run, err := r.Cases.RunByID(ctx, id)
	if skalig.ErrorCode(err) == skalig.ENOTFOUND {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if run.Status == whatifdb.StatusDone || run.Status == whatifdb.StatusFailed {
		return nil
	}
	p, changes, err := state(run)
	if err != nil {
		return r.fail(ctx, j, run, nil, nil, err.Error())
	}
	var sel Selection
	if err := json.Unmarshal(run.Selection, &sel); err != nil {
		return r.fail(ctx, j, run, p, changes, "urvalet kan inte läsas")
	}
	cand, err := NewCandidate(Kind(run.CandidateKind), run.CandidateName, run.Candidate)
	if err != nil {
		return r.fail(ctx, j, run, p, changes, "kandidaten kan inte läsas: "+skalig.ErrorMessage(err))
	}
	from, to, _ := sel.months()
	ssel := whatifdb.Selection{From: from, To: to, Municipality: sel.Municipality}
	first, last, total, err := r.Cases.MonthSpan(ctx, ssel)
	if err != nil {
		return err
	}
	month := run.NextMonth
	if month == 0 {
		month = first
	}
	if total == 0 || month > last {
		c := p.checkpoint(changes)
		c.Done, c.Total = total, total
		return r.Cases.Checkpoint(ctx, j, id, c)
	}
	before := ssel
	before.To = month - 1
	done := 0
	if month > first {
		if _, _, done, err = r.Cases.MonthSpan(ctx, before); err != nil {
			return err
		}
	}
	var lastWrite time.Time
	progress := func(read int) {
		if time.Since(lastWrite) < 500*time.Millisecond {
			return
		}
		lastWrite = time.Now()
		r.Cases.SetProgress(ctx, id, done+read, total)
	}
	msel := sel
	msel.From, msel.To = month.String(), month.String()
	step := *r
	step.MaxChanges = run.MaxChanges
	res, err := step.Evaluate(ctx, cand, msel, progress)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.EINVALID || j.Attempt >= j.MaxAttempts {
			return r.fail(ctx, j, run, p, changes, skalig.ErrorMessage(err))
		}
		return err
	}
	changes = p.add(changes, &res.Totals, res.ByHousehold, res.Changes, res.Truncated, run.MaxChanges)
	p.Seconds += res.Finished.Sub(res.StartedAt).Seconds()
	c := p.checkpoint(changes)
	ssel.To = month
	if _, _, c.Done, err = r.Cases.MonthSpan(ctx, ssel); err != nil {
		return err
	}
	c.Total = total
	if month < last {
		c.NextMonth = month + 1
	}
	return r.Cases.Checkpoint(ctx, j, id, c)
}

// fail keeps run as failed with msg (and the totals so far).
func (r *Runner) fail(ctx context.Context, j *jobs.Job, run *whatifdb.Run, p *partial, changes []Change, msg string) error {
	if p == nil {
		p = &partial{}
	}
	c := p.checkpoint(changes)
	c.Done, c.Total, c.Error = run.Done, run.Total, msg
	return r.Cases.Checkpoint(ctx, j, run.ID, c)
}

// HandleShadow is the handler of JobShadow: it compares the decisions of
// the shadow run's municipality made in its period that it has not
// compared yet (a page at a time), keeps each comparison and the totals
// in the job's transaction, and looks again after ShadowInterval until
// the period is over. It only reads the live cases: a live decision is
// committed before the shadow run sees it, and nothing it keeps is read
// by the workflow.
func (r *Runner) HandleShadow(ctx context.Context, j *jobs.Job) error {
	id := whatifdb.RunOfJob(j.CaseID)
	run, err := r.Cases.RunByID(ctx, id)
	if skalig.ErrorCode(err) == skalig.ENOTFOUND {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if run.Status == whatifdb.StatusDone || run.Status == whatifdb.StatusFailed {
		return nil
	}
	p, changes, err := state(run)
	if err != nil {
		return r.fail(ctx, j, run, nil, nil, err.Error())
	}
	cand, err := NewCandidate(Kind(run.CandidateKind), run.CandidateName, run.Candidate)
	if err != nil {
		return r.fail(ctx, j, run, p, changes, "kandidaten kan inte läsas: "+skalig.ErrorMessage(err))
	}
	now := r.Cases.Now()
	page, err := r.Cases.ShadowDecisions(ctx, id, run.Municipality, run.ShadowFrom, run.ShadowUntil, 200)
	if err != nil {
		return err
	}
	if len(page) == 0 {
		if now.Before(run.ShadowUntil.Add(r.shadowInterval())) {
			return jobs.Snooze(r.shadowInterval(), "väntar på nya beslut")
		}
		c := p.checkpoint(changes)
		c.Done, c.Total = run.Done, run.Done
		return r.Cases.Checkpoint(ctx, j, id, c)
	}
	started := time.Now()
	live := Live{Params: r.Live.Params, Municipal: newMemo(r.Live.Municipal)}
	candLive, recalc := cand.apply(live)
	ev := newEvaluator(live, candLive, cand.Kind, recalc)
	a := newAggregate()
	var kept []whatifdb.ShadowCase
	all := Selection{}
	var sc scratch
	for i := range page {
		ch, _ := ev.evaluate(&page[i], &all, &sc)
		a.add(&ch)
		b, _ := json.Marshal(ch)
		kept = append(kept, whatifdb.ShadowCase{DecisionID: ch.DecisionID, CaseID: ch.CaseID, Changed: ch.changed(), Change: b})
	}
	changes = p.add(changes, &a.total, a.groups(), a.changes, false, run.MaxChanges)
	p.Seconds += time.Since(started).Seconds()
	c := p.checkpoint(changes)
	c.Done, c.Total = run.Done+len(page), run.Done+len(page)
	c.Shadow, c.Again = kept, true
	return r.Cases.Checkpoint(ctx, j, id, c)
}

func (r *Runner) shadowInterval() time.Duration {
	if r.ShadowInterval > 0 {
		return r.ShadowInterval
	}
	return DefaultShadowInterval
}

// Handle registers the handlers of the what-if jobs on q.
func (r *Runner) Handle(q *jobs.Queue) {
	q.Handle(JobRun, r.HandleRun)
	q.Handle(JobShadow, r.HandleShadow)
}
