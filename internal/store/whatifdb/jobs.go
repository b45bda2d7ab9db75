package whatifdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/jobs"
	"skalig/internal/store"
)

// ActionWhatIfStarted is the audit event of a what-if run or shadow run
// being started: who started which candidate on which selection or period.
// ActionWhatIfRun follows when it is done.
const ActionWhatIfStarted = "whatif.started"

// ActionWhatIfShadowStopped is the audit event of a shadow run being
// ended before its period was over: who ended it, and when its period
// now ends.
const ActionWhatIfShadowStopped = "whatif.shadow_stopped"

// StopShadow ends the period of the shadow run id now, for actor, with the
// audit event in the same transaction: decisions made from now on are not
// compared, and its job finishes the run at its next look. It returns the
// end of the period before.
//
// Errors: ENOTFOUND (no such run), EINVALID (not a shadow run, or already
// done or failed, or its period already over).
func (s *Store) StopShadow(ctx context.Context, id, actor string) (time.Time, error) {
	now := s.db.Clock().UTC().Truncate(time.Microsecond)
	run, err := s.RunByID(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	switch {
	case run.Mode != ModeShadow:
		return time.Time{}, skalig.Errorf(skalig.EINVALID, "Provkörningen är ingen skuggkörning.")
	case run.Status == StatusDone || run.Status == StatusFailed || !run.ShadowUntil.After(now):
		return time.Time{}, skalig.Errorf(skalig.EINVALID, "Skuggkörningen är redan avslutad.")
	}
	before := run.ShadowUntil
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		// The run as read, still going: a job that finished it, or another
		// stop, in between changes nothing.
		res, err := tx.ExecContext(ctx, `UPDATE whatif_runs SET shadow_until = $1 WHERE id = $2 AND mode = 'shadow'
			AND status IN ('queued', 'running') AND shadow_until = $3`, s.db.TimeArg(now), id, s.db.TimeArg(before))
		if err != nil {
			return fmt.Errorf("stop shadow run: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return skalig.Errorf(skalig.EINVALID, "Skuggkörningen är redan avslutad.")
		}
		data, _ := json.Marshal(map[string]any{"run_id": id, "shadow_until": now, "shadow_until_before": before.UTC()})
		_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionWhatIfShadowStopped, Data: data})
		return err
	})
	if err != nil {
		return time.Time{}, store.Wrap("stop shadow run", err)
	}
	return before, nil
}

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.db.Clock() }

// JobCase is the jobs.Job CaseID of the job of run id: a run has at most
// one live job of a kind.
func JobCase(id string) string { return "whatif:" + id }

// RunOfJob is the run id of a what-if job's CaseID.
func RunOfJob(caseID string) string {
	if len(caseID) > 7 && caseID[:7] == "whatif:" {
		return caseID[7:]
	}
	return caseID
}

// StartRun keeps r as a queued run (r.Status StatusQueued; Mode
// ModeReplay unless set) and enqueues its job j (its CaseID is set here),
// with the audit event of starting it, in one transaction: a started run
// is never without its job. It sets ID, StartedAt and EndAt.
func (s *Store) StartRun(ctx context.Context, r *Run, j jobs.New) error {
	now := s.db.Clock()
	r.ID = store.NewID(now)
	r.StartedAt, r.EndAt, r.Status = now, now, StatusQueued
	if r.Mode == "" {
		r.Mode = ModeReplay
	}
	raw := func(b json.RawMessage, empty string) string {
		if len(b) == 0 {
			return empty
		}
		return string(b)
	}
	var sfrom, suntil any
	if r.Mode == ModeShadow {
		sfrom, suntil = s.db.TimeArg(r.ShadowFrom.UTC().Truncate(time.Microsecond)), s.db.TimeArg(r.ShadowUntil.UTC().Truncate(time.Microsecond))
	}
	return store.Wrap("start what-if run", s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO whatif_runs (id, actor, municipality, candidate_kind, candidate_name,
			candidate_digest, engine_version, selection, totals, cases, changed, changes, started_at, finished_at, candidate,
			status, max_changes, mode, shadow_from, shadow_until)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'null', 0, 0, '[]', $9, $9, $10, 'queued', $11, $12, $13, $14)`,
			r.ID, r.Actor, r.Municipality, r.CandidateKind, r.CandidateName, r.CandidateDigest, r.EngineVersion,
			raw(r.Selection, "{}"), s.db.TimeArg(now), candidateArg(r.Candidate), r.MaxChanges, r.Mode, sfrom, suntil); err != nil {
			return fmt.Errorf("insert what-if run: %w", err)
		}
		j.CaseID = JobCase(r.ID)
		if _, err := jobs.Enqueue(ctx, tx, now, j); err != nil {
			return err
		}
		d := map[string]any{
			"run_id": r.ID, "mode": r.Mode, "municipality": r.Municipality, "candidate_kind": r.CandidateKind,
			"candidate_name": r.CandidateName, "candidate_digest": r.CandidateDigest,
			"selection": json.RawMessage(raw(r.Selection, "{}")),
		}
		if r.Mode == ModeShadow {
			d["shadow_from"], d["shadow_until"] = r.ShadowFrom.UTC(), r.ShadowUntil.UTC()
		}
		data, _ := json.Marshal(d)
		_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: r.Actor, Action: ActionWhatIfStarted, Data: data})
		return err
	}))
}

// SetProgress records that the run id has read done of total decisions,
// while it is queued or running. It is the progress within a step of the
// run's job, written outside the job's transaction: after a crash the job
// starts the step again and writes it again.
func (s *Store) SetProgress(ctx context.Context, id string, done, total int) error {
	_, err := s.db.SQL().ExecContext(ctx, `UPDATE whatif_runs SET status = 'running', progress_done = $1, progress_total = $2
		WHERE id = $3 AND status IN ('queued', 'running')`, done, total, id)
	if err != nil {
		return fmt.Errorf("what-if run %s progress: %w", id, err)
	}
	return nil
}

// MonthSpan returns the first and last month of the decisions of sel and
// how many there are (0, 0, 0 without any). It only reads.
func (s *Store) MonthSpan(ctx context.Context, sel Selection) (first, last skalig.Month, n int, err error) {
	q := `SELECT MIN(d.month), MAX(d.month), COUNT(*) FROM decisions d JOIN cases c ON c.id = d.case_id WHERE 1 = 1`
	var args []any
	q, args = sel.where(q, args)
	var lo, hi sql.NullString
	if err := s.db.SQL().QueryRowContext(ctx, q, args...).Scan(&lo, &hi, &n); err != nil {
		return 0, 0, 0, fmt.Errorf("month span of decisions: %w", err)
	}
	if n == 0 {
		return 0, 0, 0, nil
	}
	first, _ = skalig.ParseMonth(lo.String)
	last, _ = skalig.ParseMonth(hi.String)
	return first, last, n, nil
}

// Checkpoint is what a step of a run's job keeps: the totals and changes
// so far, the progress and the next month (0: the run is done, or failed
// when Error is set).
type Checkpoint struct {
	Totals         json.RawMessage
	Changes        json.RawMessage
	Cases, Changed int
	Done, Total    int
	NextMonth      skalig.Month
	Error          string
	// Shadow are the decisions a shadow run's step compared, kept once
	// each; Again, for a shadow run, enqueues the next step at once.
	Shadow []ShadowCase
	Again  bool
}

// ShadowCase is one decision a shadow run compared: Change is its
// comparison as internal/whatif writes it.
type ShadowCase struct {
	DecisionID, CaseID string
	Changed            bool
	Change             json.RawMessage
}

// Checkpoint completes j, the job of run id, with c in the same
// transaction: the run's totals, changes and progress, and either the job
// of the next step (c.NextMonth set, or c.Again), or the run done (or
// failed, c.Error) with its audit event. When j's lease was lost nothing
// is kept (jobs.ErrLeaseLost): the worker that took it over goes on.
func (s *Store) Checkpoint(ctx context.Context, j *jobs.Job, id string, c Checkpoint) error {
	return j.Complete(ctx, func(tx *sql.Tx) error {
		now := s.db.Clock()
		status := StatusRunning
		switch {
		case c.Error != "":
			status = StatusFailed
		case c.NextMonth == 0 && !c.Again:
			status = StatusDone
		}
		next := ""
		if c.NextMonth != 0 {
			next = c.NextMonth.String()
		}
		for _, sc := range c.Shadow {
			changed := 0
			if sc.Changed {
				changed = 1
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO whatif_shadow_cases (run_id, decision_id, case_id, changed, change)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, decision_id) DO NOTHING`,
				id, sc.DecisionID, sc.CaseID, changed, string(sc.Change)); err != nil {
				return fmt.Errorf("keep shadow case: %w", err)
			}
		}
		totals, changes := string(c.Totals), string(c.Changes)
		if totals == "" {
			totals = "null"
		}
		if changes == "" {
			changes = "[]"
		}
		res, err := tx.ExecContext(ctx, `UPDATE whatif_runs SET totals = $1, changes = $2, cases = $3, changed = $4,
			progress_done = $5, progress_total = $6, next_month = $7, status = $8, error = $9, finished_at = $10
			WHERE id = $11 AND status IN ('queued', 'running')`,
			totals, changes, c.Cases, c.Changed, c.Done, c.Total, next, status, c.Error, s.db.TimeArg(now), id)
		if err != nil {
			return fmt.Errorf("checkpoint what-if run %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil // done or stopped already: nothing more to do
		}
		if status == StatusRunning {
			return j.Then(ctx, tx, now, jobs.New{Kind: j.Kind, CaseID: j.CaseID})
		}
		var r struct {
			actor, mun, kind, name, digest, mode string
			sel                                  string
		}
		if err := tx.QueryRowContext(ctx, `SELECT actor, municipality, candidate_kind, candidate_name, candidate_digest, mode, selection
			FROM whatif_runs WHERE id = $1`, id).Scan(&r.actor, &r.mun, &r.kind, &r.name, &r.digest, &r.mode, &r.sel); err != nil {
			return fmt.Errorf("what-if run %s: %w", id, err)
		}
		data, _ := json.Marshal(map[string]any{
			"run_id": id, "mode": r.mode, "status": status, "error": c.Error, "municipality": r.mun, "candidate_kind": r.kind,
			"candidate_name": r.name, "candidate_digest": r.digest, "selection": json.RawMessage(r.sel),
			"cases": c.Cases, "changed": c.Changed,
		})
		_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: r.actor, Action: ActionWhatIfRun, Data: data})
		return err
	})
}

// ShadowDecisions returns, in decision id order, at most limit decisions
// of municipality mun decided at or after from and before until that the
// shadow run id has not compared yet, each with its receipt and the facts
// of its case: the next page of a shadow run's work. Decisions committed
// late (a smaller id after a larger one) are found by a later call. It
// only reads.
func (s *Store) ShadowDecisions(ctx context.Context, id, mun string, from, until time.Time, limit int) ([]DecidedReceipt, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT d.id, d.case_id, c.municipality, c.kind, d.month, d.outcome, d.amount,
		d.decided_by_caseworker, d.decided_by_delegation, d.receipt_hash, r.body
		FROM decisions d JOIN cases c ON c.id = d.case_id JOIN receipts r ON r.hash = d.receipt_hash
		WHERE c.municipality = $1 AND d.decided_at >= $2 AND d.decided_at < $3
		  AND NOT EXISTS (SELECT 1 FROM whatif_shadow_cases w WHERE w.run_id = $4 AND w.decision_id = d.id)
		ORDER BY d.id LIMIT $5`, mun, s.db.TimeArg(from.UTC()), s.db.TimeArg(until.UTC()), id, limit)
	if err != nil {
		return nil, fmt.Errorf("shadow decisions: %w", err)
	}
	defer rows.Close()
	var out []DecidedReceipt
	for rows.Next() {
		var r DecidedReceipt
		var kind, outcome string
		var month store.MonthValue
		var amount int64
		if err := rows.Scan(&r.DecisionID, &r.CaseID, &r.Municipality, &kind, &month, &outcome, &amount,
			&r.DecidedBy.Caseworker, &r.DecidedBy.Delegation, &r.ReceiptHash, &r.Body); err != nil {
			return nil, fmt.Errorf("shadow decisions: %w", err)
		}
		r.Kind, r.Month, r.Outcome, r.Amount = skalig.ApplicationKind(kind), month.Month(), skalig.Outcome(outcome), skalig.Money(amount)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		facts, err := s.caseFacts(ctx, out[i].CaseID)
		if err != nil {
			return nil, err
		}
		out[i].Facts = facts
	}
	return out, nil
}

// caseFacts reads every fact of a case in stored order.
func (s *Store) caseFacts(ctx context.Context, caseID string) ([]skalig.Fact, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT `+factColumnsF+` FROM facts f WHERE f.case_id = $1 ORDER BY f.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("facts of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []skalig.Fact
	for rows.Next() {
		f, err := store.ScanFact(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("facts of case %s: %w", caseID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ShadowCases returns the comparisons a shadow run has kept, changed ones
// only when changedOnly, in decision id order.
func (s *Store) ShadowCases(ctx context.Context, id string, changedOnly bool) ([]ShadowCase, error) {
	q := `SELECT decision_id, case_id, changed, change FROM whatif_shadow_cases WHERE run_id = $1`
	if changedOnly {
		q += ` AND changed = 1`
	}
	rows, err := s.db.SQL().QueryContext(ctx, q+` ORDER BY decision_id`, id)
	if err != nil {
		return nil, fmt.Errorf("shadow cases of %s: %w", id, err)
	}
	defer rows.Close()
	var out []ShadowCase
	for rows.Next() {
		var sc ShadowCase
		var changed int
		var ch string
		if err := rows.Scan(&sc.DecisionID, &sc.CaseID, &changed, &ch); err != nil {
			return nil, fmt.Errorf("shadow cases of %s: %w", id, err)
		}
		sc.Changed, sc.Change = changed == 1, json.RawMessage(ch)
		out = append(out, sc)
	}
	return out, rows.Err()
}
