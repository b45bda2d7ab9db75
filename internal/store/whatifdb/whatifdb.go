// Package whatifdb reads the decided receipts a what-if run replays
// (internal/whatif) out of the store's database, and keeps the runs.
package whatifdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/store"
)

// ActionWhatIfRun is the audit event of a what-if run (internal/whatif):
// who ran which candidate on which selection, and what it found.
const ActionWhatIfRun = "whatif.run"

// Selection is the decisions a what-if run reads: those of months
// From to To (inclusive; zero: open), of one municipality ("": all).
type Selection struct {
	From, To     skalig.Month
	Municipality string
	// Decision, when set, is the one decision to read.
	Decision string
}

// DecidedReceipt is one decision with its stored receipt, as a what-if run
// reads it: the receipt is its canonical JSON, unparsed, so that the
// reader can parse it on another goroutine.
type DecidedReceipt struct {
	DecisionID   string
	CaseID       string
	Municipality string
	Kind         skalig.ApplicationKind
	Month        skalig.Month
	Outcome      skalig.Outcome
	Amount       skalig.Money
	DecidedBy    skalig.Decider
	ReceiptHash  string
	Body         []byte
	// Facts are every fact of the case, in stored order, when
	// LoadCaseFacts has read them.
	Facts []skalig.Fact
	// Inputs are the decision's compact inputs (internal/decisioninput)
	// when DecidedInputs read them; nil for a decision stored without.
	Inputs []byte
}

// Store reads the receipts and keeps the runs of one database.
type Store struct{ db *store.DB }

// New returns the Store of db.
func New(db *store.DB) *Store { return &Store{db: db} }

// receiptsMmap is the memory map DecidedReceipts reads through on SQLite:
// SQLite's largest (2 GB); the rest of a larger file is read as before.
const receiptsMmap = 0x7fff0000

// DecidedReceipts returns, in decision id order, at most limit decisions
// of sel after the decision id after ("" for the first page), each with
// its receipt and its compact inputs when it has them (LoadCaseFacts adds
// the facts of their cases): one page of a stream with bounded memory. It
// only reads.
func (s *Store) DecidedReceipts(ctx context.Context, sel Selection, after string, limit int) ([]DecidedReceipt, error) {
	// The receipt's body is the page's bulk (about 5 kB a decision). On
	// SQLite it is read as a blob into sql.RawBytes and kept: the driver
	// (modernc.org/sqlite, rows.Next) copies each blob of each row out of
	// SQLite into a slice of its own and never reuses it, so the bytes
	// stay the row's after the next; a text read into []byte copies them
	// twice more (to a string, then to the slice).
	// TestDecidedReceiptsAndWhatIfRuns checks that every body read still
	// hashes to its receipt after the following pages are read.
	body := "r.body"
	sqlite := s.db.Dialect() == store.SQLite
	if sqlite {
		body = "CAST(r.body AS BLOB)"
	}
	q := `SELECT d.id, d.case_id, c.municipality, c.kind, d.month, d.outcome, d.amount,
		d.decided_by_caseworker, d.decided_by_delegation, d.receipt_hash, ` + body + `, d.inputs
		FROM decisions d JOIN cases c ON c.id = d.case_id JOIN receipts r ON r.hash = d.receipt_hash
		WHERE d.id > $1`
	args := []any{after}
	q, args = sel.where(q, args)
	if sel.Decision != "" {
		args = append(args, sel.Decision)
		q += fmt.Sprintf(` AND d.id = $%d`, len(args))
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY d.id LIMIT $%d`, len(args))
	var rows *sql.Rows
	var err error
	if sqlite {
		// The bodies are read through SQLite's memory map of the file
		// (mmap_size) rather than a read system call and a copy for each
		// page of the file: a fifth less CPU for reading the receipts
		// (docs/whatif.md). It is set on the connection that reads, which
		// keeps it (the next page's read usually gets the same one back);
		// it changes only how that connection reads the file. Setting it
		// for one page and back again maps and unmaps each time and saves
		// nothing.
		conn, cerr := s.db.SQL().Conn(ctx)
		if cerr != nil {
			return nil, fmt.Errorf("decided receipts: %w", cerr)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `PRAGMA mmap_size = `+strconv.Itoa(receiptsMmap)); err != nil {
			return nil, fmt.Errorf("decided receipts: %w", err)
		}
		rows, err = conn.QueryContext(ctx, q, args...)
	} else {
		rows, err = s.db.SQL().QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("decided receipts: %w", err)
	}
	defer rows.Close()
	out := make([]DecidedReceipt, 0, limit)
	for rows.Next() {
		var r DecidedReceipt
		var kind, outcome string
		var month store.MonthValue
		var amount int64
		var bodyDest, inputsDest any = &r.Body, &r.Inputs
		var rawBody, rawInputs sql.RawBytes
		if sqlite {
			bodyDest, inputsDest = &rawBody, &rawInputs
		}
		if err := rows.Scan(&r.DecisionID, &r.CaseID, &r.Municipality, &kind, &month, &outcome, &amount,
			&r.DecidedBy.Caseworker, &r.DecidedBy.Delegation, &r.ReceiptHash, bodyDest, inputsDest); err != nil {
			return nil, fmt.Errorf("decided receipts: %w", err)
		}
		if sqlite {
			r.Body, r.Inputs = []byte(rawBody), []byte(rawInputs)
		}
		r.Kind, r.Month, r.Outcome, r.Amount = skalig.ApplicationKind(kind), month.Month(), skalig.Outcome(outcome), skalig.Money(amount)
		if len(r.Inputs) == 0 {
			r.Inputs = nil
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LoadCaseFacts sets the Facts of each decision of page (a page of
// DecidedReceipts with the same sel) to every fact of its case, in stored
// order, in one read: what routing reads (the receipt keeps only what the
// calculation used). The statement has one parameter (PostgreSQL: an
// array of the case ids) or a few (store.SQLite: the decisions of sel between
// the page's first and last id), not one per case. It only reads.
func (s *Store) LoadCaseFacts(ctx context.Context, sel Selection, page []DecidedReceipt) error {
	if len(page) == 0 {
		return nil
	}
	byCase := make(map[string]int, len(page))
	for i := range page {
		byCase[page[i].CaseID] = i
		page[i].Facts = page[i].Facts[:0]
	}
	var q string
	var args []any
	if s.db.Dialect() == store.Postgres {
		// One array parameter: the facts_case index, one lookup per case.
		ids := make([]string, len(page))
		for i := range page {
			ids[i] = page[i].CaseID
		}
		q, args = `SELECT f.case_id, `+factColumnsF+` FROM facts f WHERE f.case_id = ANY($1) ORDER BY f.case_id, f.id`, []any{ids}
	} else {
		// store.SQLite has no arrays, and looks $N parameters up in a list (a
		// thousand of them cost): the facts of sel's decisions between
		// the page's first and last, by the facts_case index.
		q = `SELECT f.case_id, ` + factColumnsF + ` FROM decisions d JOIN facts f ON f.case_id = d.case_id
		WHERE d.id >= $1 AND d.id <= $2`
		args = []any{page[0].DecisionID, page[len(page)-1].DecisionID}
		if sel.Municipality != "" {
			args = append(args, sel.Municipality)
			q = `SELECT f.case_id, ` + factColumnsF + ` FROM decisions d JOIN cases c ON c.id = d.case_id JOIN facts f ON f.case_id = d.case_id
		WHERE d.id >= $1 AND d.id <= $2 AND c.municipality = $3`
		}
		if sel.From != 0 {
			args = append(args, sel.From.String())
			q += fmt.Sprintf(` AND d.month >= $%d`, len(args))
		}
		if sel.To != 0 {
			args = append(args, sel.To.String())
			q += fmt.Sprintf(` AND d.month <= $%d`, len(args))
		}
		q += ` ORDER BY d.id, f.id` // the order of the two indexes: no sort
	}
	rows, err := s.db.SQL().QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("facts of decided cases: %w", err)
	}
	defer rows.Close()
	var caseID string
	scan := func(dest ...any) error { return rows.Scan(append([]any{&caseID}, dest...)...) }
	for rows.Next() {
		f, err := store.ScanFact(scan)
		if err != nil {
			return fmt.Errorf("facts of decided cases: %w", err)
		}
		if i, ok := byCase[caseID]; ok {
			page[i].Facts = append(page[i].Facts, f)
		}
	}
	return rows.Err()
}

// factColumnsF are the fact columns of alias f.
var factColumnsF = "f." + strings.ReplaceAll(store.FactColumns, ", ", ", f.")

// Run is a what-if run as kept: the store does not read its JSON
// (internal/whatif writes and reads it).
type Run struct {
	ID               string
	Actor            string // "staff:<id>", "cli:<user>", "api:<token>"
	Municipality     string // "" for all
	CandidateKind    string // "params", "municipal", "routing", "engine"
	CandidateName    string // the file or version the candidate came from
	CandidateDigest  string // hex SHA-256 of the candidate as given
	EngineVersion    string
	Selection        json.RawMessage
	Totals           json.RawMessage
	Cases, Changed   int
	Changes          json.RawMessage // the changed cases
	StartedAt, EndAt time.Time
	// Candidate is the candidate's file as given (nil for the engine and
	// for runs kept before it was kept).
	Candidate []byte

	// Status is StatusQueued, StatusRunning, StatusDone or StatusFailed
	// (runs kept before runs were jobs are done). Done and Total are the
	// progress: decisions read of those of the selection. NextMonth is the
	// month the run's job evaluates next (0: none yet or none left);
	// Error says why a failed run failed.
	Status      string
	Done, Total int
	NextMonth   skalig.Month
	Error       string
	MaxChanges  int
	// Mode is ModeReplay or ModeShadow; a shadow run compares the
	// decisions made from ShadowFrom until ShadowUntil.
	Mode                    string
	ShadowFrom, ShadowUntil time.Time
}

// Statuses of a run.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Modes of a run: a replay of past decisions, or a shadow beside the live
// configuration on the decisions of a period.
const (
	ModeReplay = "replay"
	ModeShadow = "shadow"
)

// SaveRun stores the run r, evaluated already (done), with its audit
// event in the same transaction; it sets ID when empty. (StartRun keeps a
// run for the workers to evaluate.)
func (s *Store) SaveRun(ctx context.Context, r *Run) error {
	now := s.db.Clock()
	if r.ID == "" {
		r.ID = store.NewID(now)
	}
	if r.EndAt.IsZero() {
		r.EndAt = now
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = r.EndAt
	}
	r.StartedAt, r.EndAt = r.StartedAt.UTC().Truncate(time.Microsecond), r.EndAt.UTC().Truncate(time.Microsecond)
	r.Status, r.Mode = StatusDone, ModeReplay
	r.Done, r.Total = r.Cases, r.Cases
	raw := func(b json.RawMessage) string {
		if len(b) == 0 {
			return "null"
		}
		return string(b)
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO whatif_runs (id, actor, municipality, candidate_kind, candidate_name,
			candidate_digest, engine_version, selection, totals, cases, changed, changes, started_at, finished_at, candidate,
			progress_done, progress_total)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $10, $10)`,
			r.ID, r.Actor, r.Municipality, r.CandidateKind, r.CandidateName, r.CandidateDigest, r.EngineVersion,
			raw(r.Selection), raw(r.Totals), r.Cases, r.Changed, raw(r.Changes),
			s.db.TimeArg(r.StartedAt), s.db.TimeArg(r.EndAt), candidateArg(r.Candidate)); err != nil {
			return fmt.Errorf("save what-if run: %w", err)
		}
		data, _ := json.Marshal(map[string]any{
			"run_id": r.ID, "municipality": r.Municipality, "candidate_kind": r.CandidateKind,
			"candidate_name": r.CandidateName, "candidate_digest": r.CandidateDigest,
			"selection": json.RawMessage(raw(r.Selection)), "cases": r.Cases, "changed": r.Changed,
		})
		_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: r.Actor, Action: ActionWhatIfRun, Data: data})
		return err
	})
	return err
}

// RunByID returns the run with id.
//
// Errors: ENOTFOUND.
func (s *Store) RunByID(ctx context.Context, id string) (*Run, error) {
	var r Run
	var sel, tot, ch string
	var cand sql.NullString
	var started, ended store.TimeValue
	var next string
	var sfrom, suntil store.TimeValue
	err := s.db.SQL().QueryRowContext(ctx, `SELECT id, actor, municipality, candidate_kind, candidate_name, candidate_digest,
		engine_version, selection, totals, cases, changed, changes, started_at, finished_at, candidate,
		status, progress_done, progress_total, next_month, error, max_changes, mode, shadow_from, shadow_until
		FROM whatif_runs WHERE id = $1`, id).
		Scan(&r.ID, &r.Actor, &r.Municipality, &r.CandidateKind, &r.CandidateName, &r.CandidateDigest, &r.EngineVersion,
			&sel, &tot, &r.Cases, &r.Changed, &ch, &started, &ended, &cand,
			&r.Status, &r.Done, &r.Total, &next, &r.Error, &r.MaxChanges, &r.Mode, &sfrom, &suntil)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound("Provkörningen")
	}
	if err != nil {
		return nil, fmt.Errorf("what-if run %s: %w", id, err)
	}
	r.Selection, r.Totals, r.Changes = json.RawMessage(sel), json.RawMessage(tot), json.RawMessage(ch)
	r.StartedAt, r.EndAt = started.Time(), ended.Time()
	r.ShadowFrom, r.ShadowUntil = sfrom.Time(), suntil.Time()
	if next != "" {
		r.NextMonth, _ = skalig.ParseMonth(next)
	}
	if cand.Valid {
		r.Candidate = []byte(cand.String)
	}
	return &r, nil
}

func candidateArg(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// Runs returns the kept runs of municipality mun ("": of every
// municipality), the latest first, at most limit of them, without their
// selection, totals and changes (Cases and Changed count them).
func (s *Store) Runs(ctx context.Context, mun string, limit int) ([]Run, error) {
	q := `SELECT id, actor, municipality, candidate_kind, candidate_name, candidate_digest, engine_version,
		cases, changed, started_at, finished_at, status, progress_done, progress_total, mode FROM whatif_runs`
	args := []any{}
	if mun != "" {
		args = append(args, mun)
		q += ` WHERE municipality = $1`
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY started_at DESC, id DESC LIMIT $%d`, len(args))
	rows, err := s.db.SQL().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("what-if runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started, ended store.TimeValue
		if err := rows.Scan(&r.ID, &r.Actor, &r.Municipality, &r.CandidateKind, &r.CandidateName, &r.CandidateDigest,
			&r.EngineVersion, &r.Cases, &r.Changed, &started, &ended, &r.Status, &r.Done, &r.Total, &r.Mode); err != nil {
			return nil, fmt.Errorf("what-if runs: %w", err)
		}
		r.StartedAt, r.EndAt = started.Time(), ended.Time()
		out = append(out, r)
	}
	return out, rows.Err()
}

// where adds sel's months and municipality to q, a query over decisions d
// joined with cases c, with their arguments after args.
func (sel Selection) where(q string, args []any) (string, []any) {
	if sel.From != 0 {
		args = append(args, sel.From.String())
		q += fmt.Sprintf(` AND d.month >= $%d`, len(args))
	}
	if sel.To != 0 {
		args = append(args, sel.To.String())
		q += fmt.Sprintf(` AND d.month <= $%d`, len(args))
	}
	if sel.Municipality != "" {
		args = append(args, sel.Municipality)
		q += fmt.Sprintf(` AND c.municipality = $%d`, len(args))
	}
	return q, args
}
