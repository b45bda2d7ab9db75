// Package gallringdb keeps the gallring runs (docs/gallring.md) in the
// store's database: it gathers each person's cases for internal/gallring to
// decide on, records a run (proposed by one person, approved by another),
// and removes what the run's plan says in batches.
package gallringdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/gallring"
	"skalig/internal/store"
)

// Gallring (docs/gallring.md): the store gathers each person's cases for
// internal/gallring to decide on, records a run (proposed by one person,
// approved by another), and removes what the run's plan says in batches,
// each batch one transaction that deletes the cases' rows and removes the
// audit payloads of their events, so that a crash leaves every case either
// whole or gone and a rerun continues.

// Audit actions of gallring. Their payloads hold counts only.
const (
	ActionGallringProposed = "gallring.proposed"
	ActionGallringApproved = "gallring.approved"
	ActionGallringChecked  = "gallring.checked"
	ActionGallringDone     = "gallring.done"
)

// GallringRun is the record of one gallring run: no personal data.
type GallringRun struct {
	ID           string
	Municipality string
	On           skalig.Date
	RuleVersion  string
	Rules        gallring.Rules
	State        string // proposed, approved, done
	ProposedBy   string
	ProposedAt   time.Time
	ApprovedBy   string
	ApprovedAt   time.Time
	FinishedAt   time.Time
	// ScheduledYear is the year of a run the yearly job prepared
	// (ProposedBy is GallringScheduler); 0 for a run a person proposed.
	// Such a run needs two persons: CheckedBy approves first, then
	// another approves it to run.
	ScheduledYear int
	CheckedBy     string
	CheckedAt     time.Time

	PlannedPersons, KeptPersons, PlannedCases                     int64
	RemovedCases, SkippedCases, RemovedDecisions, RemovedPayloads int64
	Batches                                                       int64
}

// Store keeps the gallring runs of one database.
type Store struct{ db *store.DB }

// New returns the Store of db.
func New(db *store.DB) *Store { return &Store{db: db} }

// GallringPersons returns the personakter of municipality: every person
// in a case there, with the cases and the last entry in each.
func (g *Store) GallringPersons(ctx context.Context, municipality string) ([]gallring.Person, error) {
	rows, err := g.db.SQL().QueryContext(ctx, `SELECT c.id, c.state, c.updated_at, c.decided_at, c.closed_at,
		(SELECT MAX(created_at) FROM messages m WHERE m.case_id = c.id),
		(SELECT MAX(created_at) FROM documents d WHERE d.case_id = c.id),
		(SELECT MAX(created_at) FROM case_records r WHERE r.case_id = c.id),
		(SELECT MAX(created_at) FROM document_requests q WHERE q.case_id = c.id)
		FROM cases c WHERE c.municipality = $1 ORDER BY c.id`, municipality)
	if err != nil {
		return nil, fmt.Errorf("gallring persons: %w", err)
	}
	cases := map[string]*gallring.Case{}
	var order []string
	for rows.Next() {
		var c gallring.Case
		var state string
		ts := make([]store.TimeValue, 7)
		if err := rows.Scan(&c.ID, &state, &ts[0], &ts[1], &ts[2], &ts[3], &ts[4], &ts[5], &ts[6]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("gallring persons: %w", err)
		}
		c.State = skalig.CaseState(state)
		for _, t := range ts {
			if t.Time().After(c.LastEntry) {
				c.LastEntry = t.Time()
			}
		}
		cases[c.ID] = &c
		order = append(order, c.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("gallring persons: %w", err)
	}
	// Under review or appeal: an open review request or appeal, or an
	// appeal forwarded to the court (whose judgement Skälig does not
	// record: docs/gallring.md).
	appealed, err := g.queryStringsDB(ctx, `SELECT DISTINCT r.case_id FROM review_requests r JOIN cases c ON c.id = r.case_id
		WHERE c.municipality = $1 AND r.resolution IN ('', 'forwarded')`, municipality)
	if err != nil {
		return nil, fmt.Errorf("gallring persons: appeals: %w", err)
	}
	for _, id := range appealed {
		if c := cases[id]; c != nil {
			c.Appealed = true
		}
	}
	claimed, err := g.queryStringsDB(ctx, `SELECT DISTINCT personal_number FROM claims WHERE municipality = $1 AND closed_by = ''`, municipality)
	if err != nil {
		return nil, fmt.Errorf("gallring persons: claims: %w", err)
	}
	rows, err = g.db.SQL().QueryContext(ctx, `SELECT p.case_id, p.personal_number FROM case_persons p
		JOIN cases c ON c.id = p.case_id WHERE c.municipality = $1 ORDER BY p.case_id, p.personal_number`, municipality)
	if err != nil {
		return nil, fmt.Errorf("gallring persons: %w", err)
	}
	defer rows.Close()
	byPN := map[skalig.PersonalNumber][]string{}
	for rows.Next() {
		var id, pn string
		if err := rows.Scan(&id, &pn); err != nil {
			return nil, fmt.Errorf("gallring persons: %w", err)
		}
		if c := cases[id]; c != nil {
			c.Persons = append(c.Persons, skalig.PersonalNumber(pn))
			byPN[skalig.PersonalNumber(pn)] = append(byPN[skalig.PersonalNumber(pn)], id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("gallring persons: %w", err)
	}
	out := make([]gallring.Person, 0, len(byPN))
	for pn, ids := range byPN {
		p := gallring.Person{PN: pn, OpenClaim: slices.Contains(claimed, string(pn))}
		for _, id := range ids {
			p.Cases = append(p.Cases, *cases[id])
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PN < out[j].PN })
	return out, nil
}

// GallringPlan decides the personakter of r.Municipality on the day on.
func (g *Store) GallringPlan(ctx context.Context, r gallring.Rules, on skalig.Date) (gallring.Plan, error) {
	if err := r.Validate(); err != nil {
		return gallring.Plan{}, err
	}
	persons, err := g.GallringPersons(ctx, r.Municipality)
	if err != nil {
		return gallring.Plan{}, err
	}
	return gallring.MakePlan(r, persons, on), nil
}

// ProposeGallring records a run of plan, proposed by by: its frozen list
// of cases and its counts. Nothing is removed until another person
// approves it (ApproveGallring) and it is run (RunGallring).
func (g *Store) ProposeGallring(ctx context.Context, plan gallring.Plan, by string) (*GallringRun, error) {
	if strings.TrimSpace(by) == "" {
		return nil, skalig.Errorf(skalig.EINVALID, "Ange vem som föreslår gallringen (--by).")
	}
	if by == GallringScheduler {
		return nil, skalig.Errorf(skalig.EINVALID, "%q är den årliga schemalagda gallringens namn; ange ditt eget (--by).", by)
	}
	run, _, err := g.proposeGallring(ctx, plan, by, 0)
	return run, err
}

// GallringScheduler is the proposer of the runs the yearly job prepares.
const GallringScheduler = "schedule"

// ScheduleGallring is the yearly gallring job (docs/gallring.md): on the
// day on, it prepares the run of year on.Y for rules.Municipality, judged
// on that day, unless one exists; the run waits for two persons to approve
// it (ApproveGallring), and removes nothing before. It is idempotent: the
// year's run is one row (a unique index), so that any number of processes
// calling it at once make one run, and a crash leaves either the whole run
// or none. It reports whether it made the run.
func (g *Store) ScheduleGallring(ctx context.Context, rules gallring.Rules, on skalig.Date) (*GallringRun, bool, error) {
	if r, err := g.scheduledGallring(ctx, rules.Municipality, int(on.Y)); err == nil || skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return r, false, err
	}
	plan, err := g.GallringPlan(ctx, rules, on)
	if err != nil {
		return nil, false, err
	}
	run, made, err := g.proposeGallring(ctx, plan, GallringScheduler, int(on.Y))
	if err != nil || made {
		return run, made, err
	}
	r, err := g.scheduledGallring(ctx, rules.Municipality, int(on.Y))
	return r, false, err
}

func (g *Store) scheduledGallring(ctx context.Context, municipality string, year int) (*GallringRun, error) {
	r, err := scanGallringRun(g.db.SQL().QueryRowContext(ctx, `SELECT `+gallringRunColumns+` FROM gallring_runs
		WHERE municipality = $1 AND scheduled_year = $2`, municipality, year).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "Ingen schemalagd gallring %d.", year)
	}
	return r, err
}

// proposeGallring records the run; year is the scheduled year or 0. A
// scheduled run that another process made first is not made again:
// made is false and run nil.
func (g *Store) proposeGallring(ctx context.Context, plan gallring.Plan, by string, year int) (*GallringRun, bool, error) {
	now := g.db.Clock()
	run := &GallringRun{ID: store.NewID(now), Municipality: plan.Rules.Municipality, On: plan.On, RuleVersion: gallring.RuleVersion,
		Rules: plan.Rules, State: "proposed", ProposedBy: by, ProposedAt: now, ScheduledYear: year,
		PlannedPersons: int64(plan.Gallrade()), KeptPersons: int64(len(plan.Verdicts) - plan.Gallrade()), PlannedCases: int64(len(plan.Cases))}
	var yearArg any
	if year != 0 {
		yearArg = year
	}
	made := true
	err := g.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO gallring_runs (id, municipality, on_date, rule_version, rules, state,
			proposed_by, proposed_at, planned_persons, kept_persons, planned_cases, scheduled_year)
			VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7, $8, $9, $10, $11)
			ON CONFLICT (municipality, scheduled_year) WHERE scheduled_year IS NOT NULL DO NOTHING`,
			run.ID, run.Municipality, run.On.String(), run.RuleVersion, string(plan.Rules.JSON()), by, g.db.TimeArg(now),
			run.PlannedPersons, run.KeptPersons, run.PlannedCases, yearArg)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			made = false
			return nil
		}
		for ids := plan.Cases; len(ids) > 0; {
			chunk := ids[:min(len(ids), 200)]
			ids = ids[len(chunk):]
			var q strings.Builder
			q.WriteString(`INSERT INTO gallring_items (run_id, case_id) VALUES `)
			args := []any{run.ID}
			for i, id := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "($1, $%d)", i+2)
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return gallringEvent(ctx, tx, now, by, ActionGallringProposed, run)
	})
	if err != nil {
		return nil, false, fmt.Errorf("gallring propose: %w", err)
	}
	if !made {
		return nil, false, nil
	}
	return run, true, nil
}

// gallringEvent appends an audit event about run: its counts, no
// personal data.
func gallringEvent(ctx context.Context, tx *sql.Tx, now time.Time, actor, action string, run *GallringRun) error {
	data, err := json.Marshal(map[string]any{
		"run": run.ID, "municipality": run.Municipality, "on": run.On.String(), "rule_version": run.RuleVersion,
		"proposed_by": run.ProposedBy, "approved_by": run.ApprovedBy, "checked_by": run.CheckedBy, "scheduled_year": run.ScheduledYear,
		"planned_persons": run.PlannedPersons, "kept_persons": run.KeptPersons, "planned_cases": run.PlannedCases,
		"removed_cases": run.RemovedCases, "skipped_cases": run.SkippedCases, "removed_decisions": run.RemovedDecisions,
		"removed_payloads": run.RemovedPayloads, "batches": run.Batches,
	})
	if err != nil {
		return err
	}
	_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: action, Data: data})
	return err
}

const gallringRunColumns = `id, municipality, on_date, rule_version, rules, state, proposed_by, proposed_at, approved_by,
	approved_at, finished_at, planned_persons, kept_persons, planned_cases, removed_cases, skipped_cases, removed_decisions,
	removed_payloads, batches, COALESCE(scheduled_year, 0), checked_by, checked_at`

func scanGallringRun(scan func(...any) error) (*GallringRun, error) {
	var r GallringRun
	var on, rules string
	var pa, aa, fa, ca store.TimeValue
	var year int64
	if err := scan(&r.ID, &r.Municipality, &on, &r.RuleVersion, &rules, &r.State, &r.ProposedBy, &pa, &r.ApprovedBy, &aa, &fa,
		&r.PlannedPersons, &r.KeptPersons, &r.PlannedCases, &r.RemovedCases, &r.SkippedCases, &r.RemovedDecisions,
		&r.RemovedPayloads, &r.Batches, &year, &r.CheckedBy, &ca); err != nil {
		return nil, err
	}
	r.ProposedAt, r.ApprovedAt, r.FinishedAt, r.CheckedAt = pa.Time(), aa.Time(), fa.Time(), ca.Time()
	r.ScheduledYear = int(year)
	r.On, _ = skalig.ParseDate(on)
	if err := json.Unmarshal([]byte(rules), &r.Rules); err != nil {
		return nil, fmt.Errorf("gallring run %s: rules: %w", r.ID, err)
	}
	return &r, nil
}

// GallringRun returns the run with id.
func (g *Store) GallringRun(ctx context.Context, id string) (*GallringRun, error) {
	return gallringRun(ctx, g.db.SQL(), id)
}

func gallringRun(ctx context.Context, q store.Querier, id string) (*GallringRun, error) {
	r, err := scanGallringRun(q.QueryRowContext(ctx, `SELECT `+gallringRunColumns+` FROM gallring_runs WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "Det finns ingen gallringskörning %s.", id)
	}
	return r, err
}

// GallringRuns returns every run, newest first.
func (g *Store) GallringRuns(ctx context.Context) ([]*GallringRun, error) {
	rows, err := g.db.SQL().QueryContext(ctx, `SELECT `+gallringRunColumns+` FROM gallring_runs ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*GallringRun
	for rows.Next() {
		r, err := scanGallringRun(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// GallradeDecisions returns how many decisions gallring runs have removed:
// decision replay says so.
func (g *Store) GallradeDecisions(ctx context.Context) (int64, error) {
	var n int64
	err := g.db.SQL().QueryRowContext(ctx, `SELECT COALESCE(SUM(removed_decisions), 0) FROM gallring_runs`).Scan(&n)
	return n, err
}

// ApproveGallring records that by approves run id: a second person, not
// the one who proposed it (four eyes). A run the yearly job prepared needs
// two persons: the first approval records by as its checker and leaves the
// run proposed (State "proposed", CheckedBy by); the second, by another
// person, approves it.
func (g *Store) ApproveGallring(ctx context.Context, id, by string) (*GallringRun, error) {
	if strings.TrimSpace(by) == "" {
		return nil, skalig.Errorf(skalig.EINVALID, "Ange vem som godkänner gallringen (--by).")
	}
	var run *GallringRun
	err := g.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if run, err = gallringRun(ctx, tx, id); err != nil {
			return err
		}
		if run.State != "proposed" {
			return skalig.Errorf(skalig.ECONFLICT, "Gallringskörning %s är redan godkänd.", id)
		}
		if run.ProposedBy == by {
			return skalig.Errorf(skalig.EFORBIDDEN, "Gallringskörning %s föreslogs av %s och måste godkännas av en annan person (fyraögonsprincipen).", id, by)
		}
		if by == GallringScheduler {
			return skalig.Errorf(skalig.EINVALID, "%q är den årliga schemalagda gallringens namn; ange ditt eget (--by).", by)
		}
		now := g.db.Clock()
		if run.ProposedBy == GallringScheduler && run.CheckedBy == "" {
			// The first of the two persons a scheduled run needs.
			res, err := tx.ExecContext(ctx, `UPDATE gallring_runs SET checked_by = $1, checked_at = $2
				WHERE id = $3 AND state = 'proposed' AND checked_by = ''`, by, g.db.TimeArg(now), id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return skalig.Errorf(skalig.ECONFLICT, "Gallringskörning %s godkändes av någon annan samtidigt; försök igen.", id)
			}
			run.CheckedBy, run.CheckedAt = by, now
			return gallringEvent(ctx, tx, now, by, ActionGallringChecked, run)
		}
		if run.CheckedBy == by {
			return skalig.Errorf(skalig.EFORBIDDEN, "Gallringskörning %s är redan godkänd en gång av %s och måste godkännas av en annan person (fyraögonsprincipen).", id, by)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE gallring_runs SET state = 'approved', approved_by = $1, approved_at = $2
			WHERE id = $3 AND state = 'proposed'`, by, g.db.TimeArg(now), id); err != nil {
			return err
		}
		run.State, run.ApprovedBy, run.ApprovedAt = "approved", by, now
		return gallringEvent(ctx, tx, now, by, ActionGallringApproved, run)
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}

// RunGallring removes what approved run id planned, in batches of its
// rules' BatchSize cases, each in one transaction; progress (when not nil)
// is called after each batch has committed. A case the plan named that no
// longer qualifies on the run's day (a new entry since) is skipped. A run
// that stopped (a crash, a kill) is continued by calling RunGallring again.
// When done it writes the run's record and audit event, and on store.SQLite
// vacuums the file so that the removed data's bytes are gone from it.
func (g *Store) RunGallring(ctx context.Context, id string, progress func(done, total int64)) (*GallringRun, error) {
	run, err := g.GallringRun(ctx, id)
	if err != nil {
		return nil, err
	}
	switch run.State {
	case "proposed":
		return nil, skalig.Errorf(skalig.ECONFLICT, "Gallringskörning %s är inte godkänd: en annan person än %s måste godkänna den först (skalig gallring approve %s --by ANVÄNDARE).", id, run.ProposedBy, id)
	case "done":
		return run, nil
	}
	if _, err := g.db.SealAudit(ctx); err != nil {
		return nil, err
	}
	if err := g.db.CoverAuditV1(ctx); err != nil {
		return nil, err
	}
	// What still qualifies on the run's day; a case of one of its persons
	// created after this is seen by each batch (gallringBatch).
	started := g.db.Clock()
	plan, err := g.GallringPlan(ctx, run.Rules, run.On)
	if err != nil {
		return nil, err
	}
	still := map[string]bool{}
	for _, c := range plan.Cases {
		still[c] = true
	}
	extra, err := g.gallringExtraTables(ctx)
	if err != nil {
		return nil, err
	}
	for {
		todo, err := g.gallringTodo(ctx, id, run.Rules.BatchSize)
		if err != nil {
			return nil, err
		}
		if len(todo) == 0 {
			break
		}
		var remove, skip []string
		for _, c := range todo {
			if still[c] {
				remove = append(remove, c)
			} else {
				skip = append(skip, c)
			}
		}
		err = g.db.InTx(ctx, func(tx *sql.Tx) error { return g.gallringBatch(ctx, tx, run, started, remove, skip, extra) })
		if err != nil {
			return nil, fmt.Errorf("gallring run %s: %w", id, err)
		}
		if progress != nil {
			r, err := g.GallringRun(ctx, id)
			if err != nil {
				return nil, err
			}
			progress(r.RemovedCases+r.SkippedCases, r.PlannedCases)
		}
	}
	err = g.db.InTx(ctx, func(tx *sql.Tx) error {
		now := g.db.Clock()
		// Only one process finishes the run (and writes its event).
		res, err := tx.ExecContext(ctx, `UPDATE gallring_runs SET state = 'done', finished_at = $1 WHERE id = $2 AND state <> 'done'`,
			g.db.TimeArg(now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM gallring_items WHERE run_id = $1`, id); err != nil {
			return err
		}
		r, err := gallringRun(ctx, tx, id)
		if err != nil {
			return err
		}
		return gallringEvent(ctx, tx, now, "system", ActionGallringDone, r)
	})
	if err != nil {
		return nil, fmt.Errorf("gallring run %s: %w", id, err)
	}
	if err := g.db.Scrub(ctx); err != nil {
		return nil, err
	}
	return g.GallringRun(ctx, id)
}

func (g *Store) gallringTodo(ctx context.Context, id string, n int) ([]string, error) {
	rows, err := g.db.SQL().QueryContext(ctx, `SELECT case_id FROM gallring_items WHERE run_id = $1 AND done = 0 ORDER BY case_id LIMIT $2`, id, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// gallringKnown are the tables gallring deletes a case's rows from, in an
// order the foreign keys allow (cases and applications last).
var gallringKnown = []string{"payments", "decisions", "receipts", "sample_results", "case_assignments", "case_approvals",
	"documents", "document_requests", "messages", "evidence", "case_records", "facts", "jobs", "case_person_words", "case_persons"}

// gallringExtra are the tables of other parts of the system with a case_id
// or personal_number column that gallringKnown does not name: gallring
// deletes their rows of the batch's cases and persons first.
type gallringExtra struct{ byCase, byPerson []string }

func (g *Store) gallringExtraTables(ctx context.Context) (gallringExtra, error) {
	q := `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name IN ('case_id', 'personal_number')
		AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')`
	if g.db.Dialect() == store.SQLite {
		q = `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND p.name IN ('case_id', 'personal_number')`
	}
	rows, err := g.db.SQL().QueryContext(ctx, q)
	if err != nil {
		return gallringExtra{}, fmt.Errorf("gallring tables: %w", err)
	}
	defer rows.Close()
	skip := map[string]bool{"audit_events": true, "audit_pending": true, "gallring_items": true, "drafts": true,
		"draft_signatures": true, "cases": true, "applications": true}
	for _, t := range gallringKnown {
		skip[t] = true
	}
	var e gallringExtra
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return gallringExtra{}, err
		}
		if skip[t] {
			continue
		}
		if c == "case_id" {
			e.byCase = append(e.byCase, t)
		} else {
			e.byPerson = append(e.byPerson, t)
		}
	}
	sort.Strings(e.byCase)
	sort.Strings(e.byPerson)
	return e, rows.Err()
}

// gallringBatch removes the cases remove and marks them and skip done, in
// tx: every row of the cases, the drafts and sessions of the persons left
// without a case, and the audit payloads of their events.
func (g *Store) gallringBatch(ctx context.Context, tx *sql.Tx, run *GallringRun, started time.Time, remove, skip []string, extra gallringExtra) error {
	if g.db.Dialect() == store.SQLite {
		// Deleted content is overwritten at once, not left in free pages.
		if _, err := tx.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return err
		}
	}
	// A person of a case who applied again since the run started has a
	// new entry in the akt: the case is kept (skipped).
	if len(remove) > 0 {
		in, args := store.StringList(remove, 2)
		fresh, err := queryStrings(ctx, tx, `SELECT DISTINCT p.case_id FROM case_persons p WHERE p.case_id IN (`+in+`)
			AND EXISTS (SELECT 1 FROM case_persons q JOIN cases c ON c.id = q.case_id
				WHERE q.personal_number = p.personal_number AND c.created_at > $1)`, append([]any{g.db.TimeArg(started)}, args...)...)
		if err != nil {
			return err
		}
		for _, c := range fresh {
			remove = slices.DeleteFunc(remove, func(x string) bool { return x == c })
			skip = append(skip, c)
		}
	}
	// Claim the items: another process running the same run at the same
	// time finds them taken and stops, so that nothing is counted twice.
	all := append(slices.Clone(remove), skip...)
	if len(all) > 0 {
		in, args := store.StringList(all, 2)
		res, err := tx.ExecContext(ctx, `UPDATE gallring_items SET done = 1 WHERE run_id = $1 AND done = 0 AND case_id IN (`+in+`)`,
			append([]any{run.ID}, args...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(all)) {
			return skalig.Errorf(skalig.ECONFLICT, "Gallringskörning %s körs redan av en annan process.", run.ID)
		}
	}
	var decisions, payloads int64
	if len(remove) > 0 {
		in, args := store.StringList(remove, 1)
		pns, err := queryStrings(ctx, tx, `SELECT DISTINCT personal_number FROM case_persons WHERE case_id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		apps, err := queryStrings(ctx, tx, `SELECT application_id FROM cases WHERE id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		seqs, err := queryInts(ctx, tx, `SELECT seq FROM audit_events WHERE case_id IN (`+in+`) AND data IS NOT NULL`, args...)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM decisions WHERE case_id IN (`+in+`)`, args...).Scan(&decisions); err != nil {
			return err
		}
		tables := append(slices.Clone(extra.byCase), gallringKnown...)
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE case_id IN (`+in+`)`, args...); err != nil {
				return fmt.Errorf("delete %s: %w", t, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM draft_signatures WHERE draft_id IN (SELECT id FROM drafts WHERE case_id IN (`+in+`))`, args...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE case_id IN (`+in+`)`, args...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE id IN (`+in+`)`, args...); err != nil {
			return err
		}
		ain, aargs := store.StringList(apps, 1)
		if len(apps) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE id IN (`+ain+`)`, aargs...); err != nil {
				return err
			}
		}
		// The persons who have no case left: their drafts, signatures,
		// sessions, rows elsewhere, and events without a case naming them.
		for _, pn := range pns {
			var left int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_persons WHERE personal_number = $1`, pn).Scan(&left); err != nil {
				return err
			}
			if left > 0 {
				continue
			}
			for _, q := range []string{
				`DELETE FROM draft_signatures WHERE personal_number = $1 OR draft_id IN (SELECT id FROM drafts WHERE applicant = $1 OR partner = $1)`,
				`DELETE FROM drafts WHERE applicant = $1 OR partner = $1`,
			} {
				if _, err := tx.ExecContext(ctx, q, pn); err != nil {
					return err
				}
			}
			sessions := `DELETE FROM sessions WHERE position(convert_to($1, 'UTF8') in data) > 0`
			if g.db.Dialect() == store.SQLite {
				sessions = `DELETE FROM sessions WHERE instr(data, CAST($1 AS BLOB)) > 0`
			}
			if _, err := tx.ExecContext(ctx, sessions, pn); err != nil {
				return fmt.Errorf("delete sessions: %w", err)
			}
			for _, t := range extra.byPerson {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE personal_number = $1`, pn); err != nil {
					return fmt.Errorf("delete %s: %w", t, err)
				}
			}
			more, err := queryInts(ctx, tx, `SELECT seq FROM audit_events WHERE case_id IS NULL AND data IS NOT NULL
				AND action <> $1 AND data LIKE $2`, audit.ActionV1Manifest, "%"+pn+"%")
			if err != nil {
				return err
			}
			seqs = append(seqs, more...)
		}
		if payloads, err = audit.RemovePayloads(ctx, tx, seqs); err != nil {
			return err
		}
	}
	if len(skip) > 0 {
		in, args := store.StringList(skip, 2)
		if _, err := tx.ExecContext(ctx, `UPDATE gallring_items SET done = 2 WHERE run_id = $1 AND case_id IN (`+in+`)`,
			append([]any{run.ID}, args...)...); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE gallring_runs SET removed_cases = removed_cases + $1, skipped_cases = skipped_cases + $2,
		removed_decisions = removed_decisions + $3, removed_payloads = removed_payloads + $4, batches = batches + 1 WHERE id = $5`,
		len(remove), len(skip), decisions, payloads, run.ID)
	return err
}

func (g *Store) queryStringsDB(ctx context.Context, q string, args ...any) ([]string, error) {
	return queryStrings(ctx, g.db.SQL(), q, args...)
}

func queryStrings(ctx context.Context, tx interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func queryInts(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
