package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/decisioninput"
	"skalig/internal/jobs"
)

// Moves is one change of one case, made in one transaction that the store
// owns: transitions, facts, records, the decision with its receipt, the
// payment order, messages, document and review requests, approvals and
// the case's next jobs. The caller (the workflow) says what changes; the
// store decides how it is written. Each part is checked and audited when it
// is made, in the order made, and the case's row is written once, with the
// end state, when the change commits.
//
// The robot's steps that commit together (fetch, calculate, route, decide,
// notify, pay) take a case through five states in one change; writing the
// row once instead of five times, and the facts and records in one
// statement each (on PostgreSQL all of them in one WITH statement), is most
// of what those steps cost the database. No one sees the states in
// between: they exist in the audit trail, which records every transition.
//
// A Moves exists only inside Change, Update, Complete or Park, which run
// the function given them with it and commit what it made; the reads it
// offers (Decision, Records, …) see that transaction.
type Moves struct {
	s       *CaseStore
	tx      *sql.Tx
	job     *jobs.Job    // the job whose completion commits the change, or nil
	c       *skalig.Case // the case as the moves so far leave it
	version int          // the version as read
	facts   []skalig.Fact
	records []record
	stmts   []stmt // other inserts of the case: evidence, receipt, decision, payment
}

// Change runs fn with the moves of case c, as the caller read it, in one
// transaction, and writes what fn made if fn returns nil. The case's row
// is written only if it moved, and only if its version is still c's:
// otherwise nothing is written and the error is ECONFLICT (read the case
// again). It returns the case as written. c is not changed.
//
// Errors: those of fn and of the parts it made; ECONFLICT (the case moved
// on since it was read).
func (s *CaseStore) Change(ctx context.Context, c *skalig.Case, fn func(m *Moves) error) (*skalig.Case, error) {
	var out *skalig.Case
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.change(ctx, tx, nil, c, fn)
		return err
	})
	if err != nil {
		return nil, wrap("change case", err)
	}
	return out, nil
}

// Update is Change on the case with id as read in the transaction itself,
// for a change that depends on the case's state at the moment it commits.
//
// Errors: ENOTFOUND; as Change.
func (s *CaseStore) Update(ctx context.Context, id string, fn func(m *Moves) error) (*skalig.Case, error) {
	var out *skalig.Case
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := findCase(ctx, tx, id)
		if err != nil {
			return err
		}
		out, err = s.change(ctx, tx, nil, c, fn)
		return err
	})
	if err != nil {
		return nil, wrap("update case", err)
	}
	return out, nil
}

// Complete is Change in the transaction that completes job j
// (jobs.Job.Complete): the job's effect and its completion commit
// together. With c nil the case j.CaseID is read in the transaction (as
// Update). Moves.Then enqueues the case's next step for j's worker.
//
// Errors: jobs.ErrLeaseLost; as Change and Update.
func (s *CaseStore) Complete(ctx context.Context, j *jobs.Job, c *skalig.Case, fn func(m *Moves) error) (*skalig.Case, error) {
	var out *skalig.Case
	err := j.Complete(ctx, func(tx *sql.Tx) error {
		cur := c
		if cur == nil {
			var err error
			if cur, err = findCase(ctx, tx, j.CaseID); err != nil {
				return err
			}
		}
		var err error
		out, err = s.change(ctx, tx, j, cur, fn)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Park returns the jobs.Config.OnPark hook that runs fn with the moves of
// the parked job's case, in the transaction that parks the job; a job
// whose case is gone parks with no change.
func (s *CaseStore) Park(fn func(ctx context.Context, m *Moves, j *jobs.Job, cause error) error) func(ctx context.Context, tx *sql.Tx, j *jobs.Job, cause error) error {
	return func(ctx context.Context, tx *sql.Tx, j *jobs.Job, cause error) error {
		c, err := findCase(ctx, tx, j.CaseID)
		if err != nil {
			return nil // nothing to park
		}
		_, err = s.change(ctx, tx, nil, c, func(m *Moves) error { return fn(ctx, m, j, cause) })
		return err
	}
}

// UpdateIn is Update in the caller's transaction tx (from DB.InTx), for
// the store's sub-packages whose one use case changes cases among other
// rows: store/paymentdb's bank answer and payment ordered again. The
// caller owns the transaction and commits it.
//
// Errors: ENOTFOUND; as Change.
func (s *CaseStore) UpdateIn(ctx context.Context, tx *sql.Tx, id string, fn func(m *Moves) error) (*skalig.Case, error) {
	c, err := findCase(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, tx, nil, c, fn)
}

// change runs fn with the moves of c in tx and writes them.
func (s *CaseStore) change(ctx context.Context, tx *sql.Tx, j *jobs.Job, c *skalig.Case, fn func(m *Moves) error) (*skalig.Case, error) {
	cp := *c
	cp.RoutingReasons = slices.Clone(c.RoutingReasons)
	m := &Moves{s: s, tx: tx, job: j, c: &cp, version: c.Version}
	if err := fn(m); err != nil {
		return nil, err
	}
	return m.write(ctx)
}

// Case returns the case as the moves so far leave it (do not change it).
func (m *Moves) Case() *skalig.Case { return m.c }

// Moved reports whether a transition was made.
func (m *Moves) Moved() bool { return m.c.Version != m.version }

// Now is the store's clock.
func (m *Moves) Now() time.Time { return m.s.db.now() }

// To moves the case to t.To (t.CaseID must be the case's or empty;
// t.Version is ignored) and appends the transition's audit event.
// t.Reasons adds further reason codes to the case's routing reasons.
//
// Errors: ECONFLICT (the transition is not allowed from the state the
// moves leave); EINVALID (no actor, a stop state without a reason).
func (m *Moves) To(ctx context.Context, t skalig.CaseTransition) error {
	c := m.c
	if t.CaseID == "" {
		t.CaseID = c.ID
	}
	if err := checkActor(t); err != nil {
		return err
	}
	if t.CaseID != c.ID {
		return fmt.Errorf("transition: the case moved is %s, not %s", c.ID, t.CaseID)
	}
	now := m.s.db.now()
	from := c.State
	if err := c.Transition(t.To, now, t.Reason); err != nil {
		return err
	}
	for _, r := range t.Reasons {
		if r != "" && !slices.Contains(c.RoutingReasons, r) {
			c.RoutingReasons = append(c.RoutingReasons, r)
		}
	}
	c.Version++
	ev := map[string]any{"from": from, "to": c.State, "reason": t.Reason, "version": c.Version}
	if len(t.Reasons) > 0 {
		ev["reasons"] = t.Reasons
	}
	data, _ := json.Marshal(ev)
	_, err := audit.Append(ctx, m.tx, audit.Event{At: now, Actor: t.Actor, Action: ActionTransition, CaseID: c.ID, Data: data})
	return err
}

// PutEvidence keeps a raw answer under ref ("sha256:<hex>").
func (m *Moves) PutEvidence(ref, mediaType string, body []byte) {
	m.stmts = append(m.stmts, m.s.evidenceStmt(m.c.ID, ref, mediaType, body))
}

// RecordDecision records decision d of the case with its sealed receipt r.
// It does not move the case; the caller moves it to decided in the same
// change.
//
// Errors: ECONFLICT (the case has a decision already, whoever made it);
// EINVALID (d is not valid).
func (m *Moves) RecordDecision(ctx context.Context, d *skalig.Decision, r *skalig.Receipt) error {
	if d.CaseID != m.c.ID {
		return fmt.Errorf("record decision: the decision is of case %s, not %s", d.CaseID, m.c.ID)
	}
	sts, err := m.s.decisionStmts(ctx, m.tx, d, r)
	if err != nil {
		return err
	}
	m.stmts = append(m.stmts, sts...)
	return nil
}

// CreatePayment orders payment p of the case (status ordered, or held when
// p.Status is PaymentHeld), audited by actor.
//
// Errors: ECONFLICT (the decision has a live payment order already).
func (m *Moves) CreatePayment(ctx context.Context, p *Payment, actor string) error {
	if p.CaseID != m.c.ID {
		return fmt.Errorf("create payment: the payment is of case %s, not %s", p.CaseID, m.c.ID)
	}
	st, err := m.s.paymentStmt(ctx, m.tx, p, actor)
	if err != nil {
		return err
	}
	m.stmts = append(m.stmts, st)
	return nil
}

// PaymentAccountHistory is CaseStore.PaymentAccountHistory read in the
// change's transaction.
func (m *Moves) PaymentAccountHistory(ctx context.Context, account string) (AccountHistory, error) {
	return m.s.paymentAccountHistoryIn(ctx, m.tx, m.c.ID, account)
}

// AddFacts adds facts to the case, with one audit event naming their kinds
// and sources (not their values: the trail holds no amounts).
//
// Errors: EINVALID (a fact is not valid; Fields name it).
func (m *Moves) AddFacts(ctx context.Context, actor string, facts []skalig.Fact) error {
	if len(facts) == 0 {
		return nil
	}
	if err := m.s.factsAdded(ctx, m.tx, m.c.ID, actor, facts); err != nil {
		return err
	}
	m.facts = append(m.facts, facts...)
	return nil
}

// AddRecord adds a record of kind to the case, audited by kind only.
func (m *Moves) AddRecord(ctx context.Context, actor, kind string, body any) error {
	r, err := m.s.recorded(ctx, m.tx, m.c.ID, actor, kind, body)
	if err != nil {
		return err
	}
	m.records = append(m.records, r)
	return nil
}

// Then enqueues the case's next step: for the worker of the job the change
// completes to run at once (jobs.Job.Then), or, in a change without a job
// (a person's action), as any job.
func (m *Moves) Then(ctx context.Context, kind string) error {
	if m.job == nil {
		return m.Enqueue(ctx, kind, time.Time{})
	}
	return m.job.Then(ctx, m.tx, m.s.db.now(), jobs.New{Kind: kind, CaseID: m.c.ID})
}

// Enqueue adds a job of kind for the case, to run at at (zero: now).
func (m *Moves) Enqueue(ctx context.Context, kind string, at time.Time) error {
	_, err := jobs.Enqueue(ctx, m.tx, m.s.db.now(), jobs.New{Kind: kind, CaseID: m.c.ID, RunAt: at})
	return err
}

// CancelJobs deletes the case's jobs that no worker is running, and audits
// how many: a withdrawn case has nothing left to do. A running job finds
// the case in a state it does not act on and completes with no effect.
func (m *Moves) CancelJobs(ctx context.Context, actor string) (int, error) {
	res, err := m.tx.ExecContext(ctx, `DELETE FROM jobs WHERE case_id = $1 AND state <> 'running'`, m.c.ID)
	if err != nil {
		return 0, fmt.Errorf("cancel jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	return int(n), m.s.appendAudit(ctx, m.tx, actor, ActionJobsCancelled, m.c.ID, map[string]any{"jobs": n})
}

// DropJob deletes the job id of the case: a parked job whose case went to
// a person, so that the step can be enqueued again when the case moves on.
func (m *Moves) DropJob(ctx context.Context, id int64) error {
	_, err := m.tx.ExecContext(ctx, `DELETE FROM jobs WHERE id = $1 AND case_id = $2`, id, m.c.ID)
	return err
}

// decisionInputs completes the decision inserts of the change with the
// decision's compact inputs (internal/decisioninput): the receipt's, and
// every fact the case has with this change's.
func (m *Moves) decisionInputs(ctx context.Context) error {
	for i := range m.stmts {
		st := &m.stmts[i]
		if st.receipt == nil {
			continue
		}
		facts, err := m.s.factsIn(ctx, m.tx, m.c.ID)
		if err != nil {
			return err
		}
		in, err := decisioninput.FromReceipt(st.receipt, append(facts, m.facts...))
		if err != nil {
			return fmt.Errorf("decision inputs: %w", err)
		}
		st.args[len(st.args)-1] = decisioninput.Encode(nil, in)
		st.receipt = nil
	}
	return nil
}

// write writes the facts and records added, and the case as the moves
// leave it if its version is still the one read (else ECONFLICT), and
// returns the case. Without moves it writes no case.
func (m *Moves) write(ctx context.Context) (*skalig.Case, error) {
	tx := m.tx
	c := m.c
	if err := m.decisionInputs(ctx); err != nil {
		return nil, err
	}
	if m.s.db.dialect == Postgres && m.Moved() && len(m.facts) <= 400 {
		// One statement, one round trip, on PostgreSQL: the inserts and
		// the update as parts of one WITH (they touch different tables,
		// so the snapshot they share changes nothing).
		var q strings.Builder
		var args []any
		q.WriteString("WITH ")
		for i, st := range m.stmts {
			fmt.Fprintf(&q, "s%d AS (%s), ", i, renumber(st.query, len(args)))
			args = append(args, st.args...)
		}
		if len(m.facts) > 0 {
			q.WriteString("f AS (")
			m.s.factsInsert(&q, &args, c.ID, "", m.facts)
			q.WriteString("), ")
		}
		if len(m.records) > 0 {
			q.WriteString("r AS (")
			m.s.recordsInsert(&q, &args, c.ID, m.records)
			q.WriteString("), ")
		}
		q.WriteString("u AS (")
		if err := m.caseUpdate(&q, &args); err != nil {
			return nil, err
		}
		q.WriteString(" RETURNING 1) SELECT COUNT(*) FROM u")
		var n int
		if err := tx.QueryRowContext(ctx, q.String(), args...).Scan(&n); err != nil {
			for _, st := range m.stmts {
				if st.conflict != nil && isUniqueViolation(err) && strings.Contains(err.Error(), `"`+st.table+`_`) {
					return nil, st.conflict
				}
			}
			return nil, fmt.Errorf("write case %s: %w", c.ID, err)
		}
		if n != 1 {
			return nil, errStale()
		}
		m.facts, m.records, m.stmts = nil, nil, nil
		return m.written(), nil
	}
	for _, st := range m.stmts {
		if err := st.exec(ctx, tx); err != nil {
			return nil, err
		}
	}
	m.stmts = nil
	if err := m.s.insertFacts(ctx, tx, c.ID, "", m.facts); err != nil {
		return nil, err
	}
	if err := m.s.insertRecords(ctx, tx, c.ID, m.records); err != nil {
		return nil, err
	}
	m.facts, m.records = nil, nil
	if !m.Moved() {
		return m.written(), nil
	}
	var q strings.Builder
	var args []any
	if err := m.caseUpdate(&q, &args); err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("update case: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("update case: %w", err)
	} else if n != 1 {
		return nil, errStale()
	}
	return m.written(), nil
}

// caseUpdate writes to q the update of the case as the moves leave it,
// its parameters numbered after those in args. The version in WHERE is
// what makes it safe on PostgreSQL, where the read of the case took no
// lock: of two racing transitions the second waits for the first's row
// lock and then matches no row.
func (m *Moves) caseUpdate(q *strings.Builder, args *[]any) error {
	c := m.c
	reasons := c.RoutingReasons
	if reasons == nil {
		reasons = []string{}
	}
	rj, err := json.Marshal(reasons)
	if err != nil {
		return err
	}
	n := len(*args)
	fmt.Fprintf(q, `UPDATE cases SET state = $%d, routing_reasons = $%d, version = $%d,
			updated_at = $%d, decided_at = $%d, closed_at = $%d
		WHERE id = $%d AND version = $%d`, n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8)
	*args = append(*args, string(c.State), string(rj), c.Version, m.s.db.timeArg(c.UpdatedAt), m.s.db.timeArg(c.DecidedAt),
		m.s.db.timeArg(c.ClosedAt), c.ID, m.version)
	return nil
}

// written returns a copy of the case as written.
func (m *Moves) written() *skalig.Case {
	c := m.c
	cp := *c
	cp.RoutingReasons = slices.Clone(c.RoutingReasons)
	return &cp
}
