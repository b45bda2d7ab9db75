package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/jobs"
)

// Audit actions of the workflow's changes and of reads.
const (
	ActionFactsAdded = "facts.added"
	ActionRecorded   = "case.recorded"
	ActionDecision   = "decision.recorded"
	ActionRead       = "case.read"
)

// InTx runs fn in one transaction of the store's database, committing if it
// returns nil: for the SQL of another package that must take part in the
// store's group commit on SQLite (the session store, auth.SessionStore.InTx).
// On SQLite the process's write transactions are committed in groups, one
// after the other (see DB.groupTx), so fn must not begin another
// transaction itself. The store's own use cases never hand out a
// transaction: they take a function of Moves (CaseStore.Change).
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error { return db.inTx(ctx, fn) }

// Queue returns the durable job queue on the store's database, its
// transactions taking part in the store's group commit on SQLite: cfg with
// the dialect and the transactions set.
func (db *DB) Queue(cfg jobs.Config) *jobs.Queue {
	cfg.Dialect = jobs.Dialect(db.dialect)
	cfg.InTx = db.inTx
	return jobs.NewQueue(db.db, cfg)
}

// Clock returns the store's clock, to the microsecond both databases keep.
func (db *DB) Clock() time.Time { return db.now() }

// DB returns the store's database.
func (s *CaseStore) DB() *DB { return s.db }

// Querier is a *sql.DB or *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// factsAdded checks facts and appends the audit event of adding them.
func (s *CaseStore) factsAdded(ctx context.Context, tx *sql.Tx, caseID, actor string, facts []skalig.Fact) error {
	var fe []skalig.FieldError
	kinds := make([]string, 0, len(facts))
	for i := range facts {
		if err := facts[i].Validate(); err != nil {
			var e *skalig.Error
			if errors.As(err, &e) {
				for _, f := range e.Fields {
					fe = append(fe, skalig.FieldError{Field: fmt.Sprintf("facts[%d].%s", i, f.Field), Message: f.Message})
				}
			}
			continue
		}
		kinds = append(kinds, string(facts[i].Source)+" "+facts[i].Kind)
	}
	if len(fe) > 0 {
		return &skalig.Error{Code: skalig.EINVALID, Message: "Uppgifterna är inte giltiga.", Fields: fe}
	}
	data, _ := json.Marshal(map[string]any{"facts": kinds})
	_, err := audit.Append(ctx, tx, audit.Event{At: s.db.now(), Actor: actor, Action: ActionFactsAdded, CaseID: caseID, Data: data})
	return err
}

// Facts returns every fact of the case, declared and added, in the order
// they were stored.
func (s *CaseStore) Facts(ctx context.Context, caseID string) ([]skalig.Fact, error) {
	return s.factsIn(ctx, nil, caseID)
}

// factsIn is Facts read through q (nil: the pool).
func (s *CaseStore) factsIn(ctx context.Context, q Querier, caseID string) ([]skalig.Fact, error) {
	if q == nil {
		q = s.db.db
	}
	rows, err := q.QueryContext(ctx, `SELECT `+factColumns+` FROM facts WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("facts of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []skalig.Fact
	for rows.Next() {
		f, err := scanFact(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("facts of case %s: %w", caseID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// caseColumnsC are the case columns of alias c.
var caseColumnsC = caseColumnsOf("c")

// CaseFacts returns the case with id, its application (with the declared
// facts) and every fact of the case in the order stored, in two reads:
// what a workflow step needs, read once.
//
// Errors: ENOTFOUND.
func (s *CaseStore) CaseFacts(ctx context.Context, id string) (*skalig.Case, *skalig.Application, []skalig.Fact, error) {
	var a skalig.Application
	var kind string
	var month monthValue
	var members jsonValue
	var submitted timeValue
	row := s.db.db.QueryRowContext(ctx, `SELECT `+caseColumnsC+`,
		a.id, a.municipality, a.idempotency_key, a.kind, a.month, a.members, a.submitted_at
		FROM cases c JOIN applications a ON a.id = c.application_id WHERE c.id = $1`, id)
	c, err := scanCase(func(caseDest ...any) error {
		return row.Scan(append(caseDest, &a.ID, &a.Municipality, &a.IdempotencyKey, &kind, &month, &members, &submitted)...)
	})
	if isNoRows(err) {
		return nil, nil, nil, notFound("Ärendet")
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("case %s: %w", id, err)
	}
	a.Kind, a.Month, a.SubmittedAt = skalig.ApplicationKind(kind), month.m, submitted.t
	if err := json.Unmarshal(members.b, &a.Members); err != nil {
		return nil, nil, nil, fmt.Errorf("application %s members: %w", a.ID, err)
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT COALESCE(application_id, ''), `+factColumns+` FROM facts WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("facts of case %s: %w", id, err)
	}
	defer rows.Close()
	var facts []skalig.Fact
	for rows.Next() {
		var app string
		f, err := scanFact(func(dest ...any) error { return rows.Scan(append([]any{&app}, dest...)...) })
		if err != nil {
			return nil, nil, nil, fmt.Errorf("facts of case %s: %w", id, err)
		}
		facts = append(facts, f)
		if app == a.ID {
			a.Facts = append(a.Facts, f)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("facts of case %s: %w", id, err)
	}
	return c, &a, facts, nil
}

// LatestFact returns the newest fact of kind of the case (the one stored
// last), and false when it has none.
func (s *CaseStore) LatestFact(ctx context.Context, caseID, kind string) (skalig.Fact, bool, error) {
	return s.latestFactIn(ctx, nil, caseID, kind)
}

// latestFactIn is LatestFact read through q (nil: the pool).
func (s *CaseStore) latestFactIn(ctx context.Context, q Querier, caseID, kind string) (skalig.Fact, bool, error) {
	if q == nil {
		q = s.db.db
	}
	f, err := scanFact(q.QueryRowContext(ctx,
		`SELECT `+factColumns+` FROM facts WHERE case_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, caseID, kind).Scan)
	if isNoRows(err) {
		return skalig.Fact{}, false, nil
	}
	if err != nil {
		return skalig.Fact{}, false, fmt.Errorf("fact %s of case %s: %w", kind, caseID, err)
	}
	return f, true, nil
}

func (s *CaseStore) evidenceStmt(caseID, ref, mediaType string, body []byte) stmt {
	return stmt{table: "evidence", what: "put evidence", query: `
		INSERT INTO evidence (ref, case_id, media_type, body, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (ref) DO NOTHING`, args: []any{ref, caseID, mediaType, body, s.db.timeArg(s.db.now())}}
}

// stmt is an insert to run: its SQL with $1, $2 …, its arguments, what a
// failure is reported as, and, for a table with a unique key that means
// "done already", the conflict to report when it is violated.
type stmt struct {
	table, what, query string
	args               []any
	conflict           error
	// receipt, when set, is the receipt of a decision insert whose last
	// argument is the decision's compact inputs (internal/decisioninput),
	// made by Moves.write when every fact of the change is known.
	receipt *skalig.Receipt
}

// exec runs st in tx.
func (st stmt) exec(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
		return st.failed(err)
	}
	return nil
}

// failed names the failure err of st.
func (st stmt) failed(err error) error {
	if st.conflict != nil && isUniqueViolation(err) {
		return st.conflict
	}
	return fmt.Errorf("%s: %w", st.what, err)
}

// Evidence returns the raw evidence ref and its media type.
func (s *CaseStore) Evidence(ctx context.Context, ref string) (body []byte, mediaType string, err error) {
	err = s.db.db.QueryRowContext(ctx, `SELECT body, media_type FROM evidence WHERE ref = $1`, ref).Scan(&body, &mediaType)
	if isNoRows(err) {
		return nil, "", notFound("Underlaget")
	}
	return body, mediaType, err
}

type Record = skalig.Record

const (
	RecordCalculation  = skalig.RecordCalculation
	RecordRouting      = skalig.RecordRouting
	RecordNotification = skalig.RecordNotification
	RecordError        = skalig.RecordError
)

// record is a case record to insert.
type record struct {
	kind, body string
	at         time.Time
}

// recorded encodes a record of the case and appends its audit event.
func (s *CaseStore) recorded(ctx context.Context, tx *sql.Tx, caseID, actor, kind string, body any) (record, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return record{}, fmt.Errorf("record %s: %w", kind, err)
	}
	r := record{kind: kind, body: string(b), at: s.db.now()}
	data, _ := json.Marshal(map[string]string{"kind": kind})
	_, err = audit.Append(ctx, tx, audit.Event{At: r.at, Actor: actor, Action: ActionRecorded, CaseID: caseID, Data: data})
	return r, err
}

// insertRecords writes records of the case in one statement.
func (s *CaseStore) insertRecords(ctx context.Context, tx *sql.Tx, caseID string, rs []record) error {
	if len(rs) == 0 {
		return nil
	}
	var q strings.Builder
	var args []any
	s.recordsInsert(&q, &args, caseID, rs)
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("record %s: %w", rs[0].kind, err)
	}
	return nil
}

// recordsInsert writes to q the insert of records, its parameters numbered
// after those already in args, and appends their values to args.
func (s *CaseStore) recordsInsert(q *strings.Builder, args *[]any, caseID string, rs []record) {
	q.WriteString(`INSERT INTO case_records (case_id, kind, body, created_at) VALUES `)
	for i, r := range rs {
		if i > 0 {
			q.WriteString(", ")
		}
		placeholders(q, len(*args), 4)
		*args = append(*args, caseID, r.kind, r.body, s.db.timeArg(r.at))
	}
}

// Records returns the case's records of kind ("" for all), oldest first.
func (s *CaseStore) Records(ctx context.Context, caseID, kind string) ([]Record, error) {
	return s.recordsIn(ctx, nil, caseID, kind)
}

// recordsIn is Records read through q (nil: the pool).
func (s *CaseStore) recordsIn(ctx context.Context, q Querier, caseID, kind string) ([]Record, error) {
	if q == nil {
		q = s.db.db
	}
	query := `SELECT id, case_id, kind, body, created_at FROM case_records WHERE case_id = $1`
	args := []any{caseID}
	if kind != "" {
		query += ` AND kind = $2`
		args = append(args, kind)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("records of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var body string
		var at timeValue
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Kind, &body, &at); err != nil {
			return nil, err
		}
		r.Body, r.At = json.RawMessage(body), at.t
		out = append(out, r)
	}
	return out, rows.Err()
}

// LatestRecord returns the newest record of kind for the case, into v.
//
// Errors: ENOTFOUND.
func (s *CaseStore) LatestRecord(ctx context.Context, caseID, kind string, v any) error {
	return s.latestRecordIn(ctx, nil, caseID, kind, v)
}

// latestRecordIn is LatestRecord read through q (nil: the pool).
func (s *CaseStore) latestRecordIn(ctx context.Context, q Querier, caseID, kind string, v any) error {
	if q == nil {
		q = s.db.db
	}
	var body string
	err := q.QueryRowContext(ctx, `SELECT body FROM case_records WHERE case_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`,
		caseID, kind).Scan(&body)
	if isNoRows(err) {
		return notFound("Uppgiften")
	}
	if err != nil {
		return fmt.Errorf("latest %s of case %s: %w", kind, caseID, err)
	}
	return json.Unmarshal([]byte(body), v)
}

// decisionStmts checks d and its sealed receipt r, appends the decision's
// audit event in tx and returns the inserts of the receipt and the
// decision.
func (s *CaseStore) decisionStmts(ctx context.Context, tx *sql.Tx, d *skalig.Decision, r *skalig.Receipt) ([]stmt, error) {
	body, err := r.SealedJSON()
	if err != nil {
		return nil, fmt.Errorf("record decision: %w", err)
	}
	now := s.db.now()
	if d.ID == "" {
		d.ID = newID(now)
	}
	if d.DecidedAt.IsZero() {
		d.DecidedAt = now
	}
	d.DecidedAt = d.DecidedAt.UTC().Truncate(time.Microsecond)
	d.ReceiptHash = r.Hash
	if err := d.Validate(); err != nil {
		return nil, err
	}
	reasons, _ := json.Marshal(nonNil(d.Reasons))
	sts := []stmt{{table: "receipts", what: "insert receipt", query: `
		INSERT INTO receipts (hash, case_id, body, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (hash) DO NOTHING`, args: []any{r.Hash, d.CaseID, string(body), s.db.timeArg(now)}},
		{table: "decisions", what: "insert decision", query: `
		INSERT INTO decisions (id, case_id, outcome, month, amount, reasons, decided_by_caseworker, decided_by_delegation, decided_at, receipt_hash, inputs)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			args: []any{d.ID, d.CaseID, string(d.Outcome), d.Month.String(), int64(d.Amount), string(reasons),
				d.DecidedBy.Caseworker, d.DecidedBy.Delegation, s.db.timeArg(d.DecidedAt), r.Hash, nil},
			conflict: skalig.Errorf(skalig.ECONFLICT, "Ärendet är redan beslutat."), receipt: r},
	}
	data, _ := json.Marshal(map[string]any{
		"decision_id": d.ID, "outcome": d.Outcome, "decided_by": d.DecidedBy.String(), "receipt": r.Hash,
	})
	actor := "system:automated"
	if !d.DecidedBy.IsAutomated() {
		actor = "caseworker:" + d.DecidedBy.Caseworker
	}
	if _, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionDecision, CaseID: d.CaseID, Data: data}); err != nil {
		return nil, err
	}
	if err := s.returnPendingOnDecision(ctx, tx, d.CaseID, actor, now); err != nil {
		return nil, err
	}
	return sts, nil
}

// returnPendingOnDecision returns, in tx, a decision of the case that
// still waits for a second signature when the case is decided otherwise
// (the robot after a recalculation, a person directly, a changed decision):
// once the case is decided the proposal can never be signed, so every
// decision write closes it, whatever path made the decision. A signed
// proposal was closed before its decision is written and is not touched.
func (s *CaseStore) returnPendingOnDecision(ctx context.Context, tx *sql.Tx, caseID, actor string, now time.Time) error {
	var id string
	err := tx.QueryRowContext(ctx, `UPDATE case_approvals SET status = 'returned', decided_by = $1, decided_at = $2, note = $3
		WHERE case_id = $4 AND status = 'pending' RETURNING id`,
		actor, s.db.timeArg(now), "Ärendet beslutades utan förslaget.", caseID).Scan(&id)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("return pending approval of case %s: %w", caseID, err)
	}
	data, _ := json.Marshal(map[string]string{"approval_id": id, "status": ApprovalReturned})
	_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionApprovalClosed, CaseID: caseID, Data: data})
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// isUniqueViolation reports whether err is a unique-constraint violation on
// either database.
func isUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") ||
		strings.Contains(msg, "duplicate key value")
}

const decisionColumns = `id, case_id, outcome, month, amount, reasons, decided_by_caseworker, decided_by_delegation, decided_at, receipt_hash`

func scanDecision(scan func(...any) error) (*skalig.Decision, error) {
	var d skalig.Decision
	var outcome string
	var month monthValue
	var amount int64
	var reasons jsonValue
	var at timeValue
	if err := scan(&d.ID, &d.CaseID, &outcome, &month, &amount, &reasons, &d.DecidedBy.Caseworker, &d.DecidedBy.Delegation, &at, &d.ReceiptHash); err != nil {
		return nil, err
	}
	d.Outcome, d.Month, d.Amount, d.DecidedAt = skalig.Outcome(outcome), month.m, skalig.Money(amount), at.t
	if err := json.Unmarshal(reasons.b, &d.Reasons); err != nil {
		return nil, err
	}
	if len(d.Reasons) == 0 {
		d.Reasons = nil
	}
	return &d, nil
}

// CaseDecision returns the decision of the case.
//
// Errors: ENOTFOUND (not decided).
func (s *CaseStore) CaseDecision(ctx context.Context, caseID string) (*skalig.Decision, error) {
	return s.caseDecisionIn(ctx, nil, caseID)
}

// caseDecisionIn is CaseDecision read through q (nil: the pool).
//
// The decision in force: the change that no other change supersedes
// (Moves.ChangeDecision; by the chain, not by id: two changes in one
// millisecond have ids in no order), or the original decision.
func (s *CaseStore) caseDecisionIn(ctx context.Context, q Querier, caseID string) (*skalig.Decision, error) {
	if q == nil {
		q = s.db.db
	}
	d, err := scanDecision(q.QueryRowContext(ctx, `SELECT `+changeColumns+` FROM decision_changes x WHERE case_id = $1
		AND NOT EXISTS (SELECT 1 FROM decision_changes z WHERE z.supersedes = x.id)`, caseID).Scan)
	if err == nil || !isNoRows(err) {
		return d, err
	}
	return s.originalDecision(ctx, q, caseID)
}

// originalDecision returns the case's first decision.
func (s *CaseStore) originalDecision(ctx context.Context, q Querier, caseID string) (*skalig.Decision, error) {
	d, err := scanDecision(q.QueryRowContext(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE case_id = $1`, caseID).Scan)
	if isNoRows(err) {
		return nil, notFound("Beslutet")
	}
	return d, err
}

// Decision returns the decision with id.
//
// Errors: ENOTFOUND.
func (s *CaseStore) Decision(ctx context.Context, id string) (*skalig.Decision, error) {
	d, err := scanDecision(s.db.db.QueryRowContext(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE id = $1`, id).Scan)
	if isNoRows(err) {
		d, err = scanDecision(s.db.db.QueryRowContext(ctx, `SELECT `+changeColumns+` FROM decision_changes WHERE id = $1`, id).Scan)
	}
	if isNoRows(err) {
		return nil, notFound("Beslutet")
	}
	return d, err
}

// DecisionIDs returns the ids of decisions after id after, in id order, at
// most limit.
func (s *CaseStore) DecisionIDs(ctx context.Context, after string, limit int) ([]string, error) {
	return QueryStrings(ctx, s.db.db, `SELECT id FROM decisions WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
}

// Receipt returns the receipt with hash, parsed and verified.
//
// Errors: ENOTFOUND.
func (s *CaseStore) Receipt(ctx context.Context, hash string) (*skalig.Receipt, error) {
	var body string
	err := s.db.db.QueryRowContext(ctx, `SELECT body FROM receipts WHERE hash = $1`, hash).Scan(&body)
	if isNoRows(err) {
		return nil, notFound("Beslutsunderlaget")
	}
	if err != nil {
		return nil, err
	}
	r, err := skalig.ParseReceipt([]byte(body))
	if err != nil {
		return nil, err
	}
	r.Hash = hash
	return r, nil
}

// ReceiptBody returns the stored canonical JSON of the receipt with hash.
func (s *CaseStore) ReceiptBody(ctx context.Context, hash string) ([]byte, error) {
	var body string
	err := s.db.db.QueryRowContext(ctx, `SELECT body FROM receipts WHERE hash = $1`, hash).Scan(&body)
	if isNoRows(err) {
		return nil, notFound("Beslutsunderlaget")
	}
	return []byte(body), err
}

// CasesOfPerson returns the cases where pn is applicant or partner, in any
// municipality, newest first: for the person themself (their own cases).
// Staff read CasesOfPersonIn, which keeps to one municipality.
func (s *CaseStore) CasesOfPerson(ctx context.Context, pn skalig.PersonalNumber) ([]*skalig.Case, error) {
	return s.casesOfPerson(ctx, `
		SELECT `+prefixed("c.", caseColumns)+` FROM cases c JOIN case_persons p ON p.case_id = c.id
		WHERE p.personal_number = $1 ORDER BY c.id DESC`, pn.Canonical())
}

// CasesOfPersonIn returns the cases of municipality where pn is applicant
// or partner, newest first. A municipality's staff see only its own cases
// (secrecy between municipalities, OSL 26 kap. 1 §): the household history
// on a case page is read through this, never through CasesOfPerson.
func (s *CaseStore) CasesOfPersonIn(ctx context.Context, municipality string, pn skalig.PersonalNumber) ([]*skalig.Case, error) {
	return s.casesOfPerson(ctx, `
		SELECT `+prefixed("c.", caseColumns)+` FROM cases c JOIN case_persons p ON p.case_id = c.id
		WHERE p.personal_number = $1 AND c.municipality = $2 ORDER BY c.id DESC`, pn.Canonical(), municipality)
}

func (s *CaseStore) casesOfPerson(ctx context.Context, query string, args ...any) ([]*skalig.Case, error) {
	rows, err := s.db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cases of person: %w", err)
	}
	defer rows.Close()
	var out []*skalig.Case
	for rows.Next() {
		c, err := scanCase(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// IsCasePerson reports whether pn is applicant or partner in the case.
func (s *CaseStore) IsCasePerson(ctx context.Context, caseID string, pn skalig.PersonalNumber) (bool, error) {
	var n int
	err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_persons WHERE case_id = $1 AND personal_number = $2`,
		caseID, pn.Canonical()).Scan(&n)
	return n > 0, err
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

type Granted = skalig.Granted

// GrantedMonths returns, for the persons pns (applicant and partner), the
// months before month in which a case of theirs was decided with aid, oldest
// first: the household's history for jobbstimulans and for "monthly
// re-application without changes".
func (s *CaseStore) GrantedMonths(ctx context.Context, pns []skalig.PersonalNumber, before skalig.Month) ([]Granted, error) {
	return s.grantedMonthsIn(ctx, nil, pns, before)
}

// grantedMonthsIn is GrantedMonths read through q (nil: the pool).
func (s *CaseStore) grantedMonthsIn(ctx context.Context, q Querier, pns []skalig.PersonalNumber, before skalig.Month) ([]Granted, error) {
	if q == nil {
		q = s.db.db
	}
	if len(pns) == 0 {
		return nil, nil
	}
	args := []any{before.String()}
	ph := make([]string, len(pns))
	for i, pn := range pns {
		args = append(args, pn.Canonical())
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	query := `
		SELECT DISTINCT d.case_id, d.month, d.amount FROM decisions d
		JOIN case_persons p ON p.case_id = d.case_id
		WHERE d.month < $1 AND d.amount > 0 AND p.personal_number IN (` + strings.Join(ph, ", ") + `)
		ORDER BY d.month, d.case_id`
	if s.db.dialect == Postgres {
		// The same, written so that PostgreSQL can only look each of the
		// persons' cases up in decisions by its key. A plan made while
		// decisions was small (a new database, before autovacuum has
		// analysed it) otherwise scans all of decisions on every call, and
		// the prepared statement keeps that plan.
		query = `
		SELECT DISTINCT d.case_id, d.month, d.amount FROM case_persons p
		CROSS JOIN LATERAL (SELECT case_id, month, amount FROM decisions WHERE case_id = p.case_id LIMIT 1) d
		WHERE d.month < $1 AND d.amount > 0 AND p.personal_number IN (` + strings.Join(ph, ", ") + `)
		ORDER BY d.month, d.case_id`
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("granted months: %w", err)
	}
	defer rows.Close()
	var out []Granted
	for rows.Next() {
		var g Granted
		var m monthValue
		var amount int64
		if err := rows.Scan(&g.CaseID, &m, &amount); err != nil {
			return nil, err
		}
		g.Month, g.Amount = m.m, skalig.Money(amount)
		out = append(out, g)
	}
	return out, rows.Err()
}

// LogRead writes the audit event of a read of the case: who read it, through
// which interface ("api", "web", "cli") and what ("case", "receipt").
// Every read of a case through any interface is logged this way.
func (s *CaseStore) LogRead(ctx context.Context, actor, caseID, via, what string) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		data, _ := json.Marshal(map[string]string{"via": via, "what": what})
		_, err := audit.Append(ctx, tx, audit.Event{At: s.db.now(), Actor: actor, Action: ActionRead, CaseID: caseID, Data: data})
		return err
	})
}

// AuditEvents returns the audit events of the case, oldest first: its
// history, including who read it.
func (s *CaseStore) AuditEvents(ctx context.Context, caseID string) ([]audit.Event, error) {
	return s.auditEvents(ctx, caseID, "")
}

func (s *CaseStore) auditEvents(ctx context.Context, caseID, except string) ([]audit.Event, error) {
	evs, err := audit.Trail(ctx, s.db.db, `case_id = $1 AND action <> $2`, false, caseID, except)
	if err != nil {
		return nil, fmt.Errorf("audit events of case %s: %w", caseID, err)
	}
	return evs, nil
}
