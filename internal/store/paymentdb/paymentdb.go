// Package paymentdb keeps the payments' own use cases on the store's
// database: payment runs (the pain.001 file claimed and stored in one
// transaction), the bank's answers applied to payments and their cases,
// held payments released and rejected ones ordered again, and the reads
// of payments and runs that internal/payments and the command line need.
//
// The payment order itself is part of a case's change (store.Moves
// CreatePayment, the robot's step store.CaseStore.ApplyStep) and stays
// in the store, as does the case file's CasePayment. Where a use case
// here moves cases (a bank answer, a payment ordered again) it runs the
// case's change through store.CaseStore.UpdateIn in its own transaction.
package paymentdb

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
	"skalig/internal/store"
)

// Store is the payments' use cases on one database.
type Store struct {
	db    *store.DB
	cases *store.CaseStore
}

// New returns the payments' store over the case store cases (its
// database, and the cases a bank answer moves).
func New(cases *store.CaseStore) *Store { return &Store{db: cases.DB(), cases: cases} }

// auditAt appends one audit event at at, with data as JSON, in tx.
func auditAt(ctx context.Context, tx *sql.Tx, at time.Time, actor, action, caseID string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = audit.Append(ctx, tx, audit.Event{At: at, Actor: actor, Action: action, CaseID: caseID, Data: b})
	return err
}

// Payment returns the payment with id.
//
// Errors: ENOTFOUND.
func (s *Store) Payment(ctx context.Context, id string) (*skalig.Payment, error) {
	ps, err := store.QueryPayments(ctx, s.db.SQL(), `id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, store.NotFound("Utbetalningen")
	}
	return ps[0], nil
}

// PaymentsByStatus returns the payments in status, oldest first, at most
// limit.
func (s *Store) PaymentsByStatus(ctx context.Context, status skalig.PaymentStatus, limit int) ([]*skalig.Payment, error) {
	return store.QueryPayments(ctx, s.db.SQL(), `status = $1 ORDER BY id LIMIT $2`, string(status), limit)
}

// RunPayments returns the payments of run id in the order of its file.
func (s *Store) RunPayments(ctx context.Context, runID string) ([]*skalig.Payment, error) {
	return store.QueryPayments(ctx, s.db.SQL(), `run_id = $1 ORDER BY id`, runID)
}

// ReleasePayment releases the held payment id: it becomes ordered, due
// for the next run, released by the person by. The caller checks that by
// may release it (internal/payments: four eyes).
//
// Errors: ENOTFOUND; ECONFLICT (not held).
func (s *Store) ReleasePayment(ctx context.Context, id, by string) (*skalig.Payment, error) {
	var p *skalig.Payment
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Clock()
		ps, err := store.QueryPayments(ctx, tx, `id = $1`, id)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return store.NotFound("Utbetalningen")
		}
		p = ps[0]
		res, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'ordered', released_by = $2, released_at = $3
			WHERE id = $1 AND status = 'held'`, id, by, s.db.TimeArg(now))
		if err != nil {
			return fmt.Errorf("release payment %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return skalig.Errorf(skalig.ECONFLICT, "Utbetalningen %s väntar inte på attest (den är %s).", id, p.Status)
		}
		p.Status, p.ReleasedBy, p.ReleasedAt = skalig.PaymentOrdered, by, now
		return auditAt(ctx, tx, now, "user:"+by, store.ActionPaymentReleased, p.CaseID,
			map[string]any{"payment_id": id, "hold_reason": p.HoldReason})
	})
	if err != nil {
		return nil, store.Wrap("release payment", err)
	}
	return p, nil
}

// ReorderPayment orders the payment of a case again after the bank
// rejected it: rejected is the rejected payment, p the new order (to the
// case's account now; held or ordered as the hold rule says). The case goes
// from awaiting_caseworker back to notified, where it waits for the bank,
// in the same transaction.
//
// Errors: ENOTFOUND; ECONFLICT (the payment is not the case's rejected
// one, or the case is not waiting for a person).
func (s *Store) ReorderPayment(ctx context.Context, rejectedID string, p *skalig.Payment, by string) error {
	return store.Wrap("reorder payment", s.db.InTx(ctx, func(tx *sql.Tx) error {
		ps, err := store.QueryPayments(ctx, tx, `id = $1`, rejectedID)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return store.NotFound("Utbetalningen")
		}
		old := ps[0]
		if old.Status != skalig.PaymentRejected {
			return skalig.Errorf(skalig.ECONFLICT, "Utbetalningen %s är inte avvisad av banken (den är %s).", old.ID, old.Status)
		}
		p.DecisionID, p.CaseID, p.ChangeID = old.DecisionID, old.CaseID, old.ChangeID
		_, err = s.cases.UpdateIn(ctx, tx, old.CaseID, func(m *store.Moves) error {
			c := m.Case()
			// The difference payment of a changed decision (ChangeID)
			// belongs to a case that was paid or closed already: it is
			// ordered again without moving the case.
			diff := old.ChangeID != "" && (c.State == skalig.StatePaid || c.State == skalig.StateClosed)
			if c.State != skalig.StateAwaitingCaseworker && !diff {
				return skalig.Errorf(skalig.ECONFLICT, "Ärendet väntar inte på en handläggare (%s).", c.State.Swedish())
			}
			if live, err := store.QueryPayments(ctx, tx, `case_id = $1 AND status <> 'rejected' AND status <> 'executed'`, c.ID); err != nil {
				return err
			} else if len(live) > 0 {
				return skalig.Errorf(skalig.ECONFLICT, "Ärendet har redan en utbetalning på väg (%s).", live[0].Status.Swedish())
			}
			if err := m.CreatePayment(ctx, p, "user:"+by); err != nil {
				return err
			}
			if diff {
				return nil
			}
			return m.To(ctx, skalig.CaseTransition{CaseID: c.ID, To: skalig.StateNotified, Actor: "user:" + by,
				Reason: "payment_reordered"})
		})
		return err
	}))
}

// PaymentRun is one payment file: the payments claimed by one run and the
// pain.001 document made of them, kept as sent.
type PaymentRun struct {
	ID        string
	MessageID string // the file's GrpHdr/MsgId
	CreatedAt time.Time
	CreatedBy string
	// ExecutionDate is the date the bank is asked to pay on.
	ExecutionDate skalig.Date
	Count         int
	Total         skalig.Money
	Document      []byte
	ExportedAt    time.Time // zero until the file was written out
}

// RunSpec is what CreatePaymentRun needs.
type RunSpec struct {
	// Due: payments ordered to be paid on or before it are taken.
	Due   skalig.Date
	Actor string
	// Build makes the run's document from the run (its ID, MessageID,
	// CreatedAt and ExecutionDate set) and its payments in file order. It
	// runs inside the transaction and must not touch the database.
	Build func(r *PaymentRun, ps []*skalig.Payment) ([]byte, error)
}

// ErrNothingDue is the ENOTFOUND of a payment run with no payment due.
var ErrNothingDue = skalig.Errorf(skalig.ENOTFOUND, "Det finns inga beställda utbetalningar att betala ut.")

// CreatePaymentRun makes a payment run in one transaction: it claims every
// ordered payment due (status ordered, no run) by setting its run with a
// conditional update, builds the run's document from them and stores it,
// with an audit event per payment. Of two runs at the same time, in this
// process or another, each payment goes to exactly one: on PostgreSQL the
// second update waits for the first's row locks and then no longer
// matches the rows the first took; SQLite has one writer. A process that
// dies before the commit leaves nothing; after it, the run is stored and
// its file can be written (again) from it (PaymentRun, MarkRunExported).
//
// Errors: ErrNothingDue (ENOTFOUND) when no payment is due.
func (s *Store) CreatePaymentRun(ctx context.Context, spec RunSpec) (*PaymentRun, error) {
	var r *PaymentRun
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Clock()
		id := store.NewID(now)
		r = &PaymentRun{ID: id, MessageID: "SKALIG-" + id, CreatedAt: now, CreatedBy: spec.Actor, ExecutionDate: spec.Due}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payment_runs (id, message_id, created_at, created_by, execution_date, count, total, document)
			VALUES ($1, $2, $3, $4, $5, 0, 0, $6)`, r.ID, r.MessageID, s.db.TimeArg(now), r.CreatedBy, r.ExecutionDate.String(), []byte{}); err != nil {
			return fmt.Errorf("insert payment run: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `UPDATE payments SET status = 'in_run', run_id = $1
			WHERE status = 'ordered' AND run_id IS NULL AND pay_on <= $2 RETURNING id`, r.ID, spec.Due.String())
		if err != nil {
			return fmt.Errorf("claim payments: %w", err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim payments: %w", err)
		}
		if n == 0 {
			return ErrNothingDue
		}
		ps, err := store.QueryPayments(ctx, tx, `run_id = $1 ORDER BY id`, r.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			r.Count++
			r.Total += p.Amount
			if err := auditAt(ctx, tx, now, spec.Actor, store.ActionPaymentInRun, p.CaseID,
				map[string]any{"payment_id": p.ID, "run_id": r.ID, "message_id": r.MessageID}); err != nil {
				return err
			}
		}
		if r.Document, err = spec.Build(r, ps); err != nil {
			return fmt.Errorf("build payment file: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payment_runs SET count = $2, total = $3, document = $4 WHERE id = $1`,
			r.ID, r.Count, int64(r.Total), r.Document); err != nil {
			return fmt.Errorf("store payment file: %w", err)
		}
		return auditAt(ctx, tx, now, spec.Actor, store.ActionPaymentRun, "",
			map[string]any{"run_id": r.ID, "message_id": r.MessageID, "count": r.Count, "execution_date": r.ExecutionDate.String()})
	})
	if err != nil {
		if errors.Is(err, ErrNothingDue) {
			return nil, ErrNothingDue
		}
		return nil, store.Wrap("payment run", err)
	}
	return r, nil
}

const runColumns = `id, message_id, created_at, created_by, execution_date, count, total, document, exported_at`

func scanRun(scan func(...any) error) (*PaymentRun, error) {
	var r PaymentRun
	var created, exported store.TimeValue
	var exec string
	var total int64
	if err := scan(&r.ID, &r.MessageID, &created, &r.CreatedBy, &exec, &r.Count, &total, &r.Document, &exported); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ExportedAt, r.Total = created.Time(), exported.Time(), skalig.Money(total)
	r.ExecutionDate, _ = skalig.ParseDate(exec)
	return &r, nil
}

// PaymentRun returns the run with id (or message id), its document as
// stored.
//
// Errors: ENOTFOUND.
func (s *Store) PaymentRun(ctx context.Context, id string) (*PaymentRun, error) {
	r, err := scanRun(s.db.SQL().QueryRowContext(ctx, `SELECT `+runColumns+` FROM payment_runs WHERE id = $1 OR message_id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound("Betalningsfilen")
	}
	if err != nil {
		return nil, fmt.Errorf("payment run %s: %w", id, err)
	}
	return r, nil
}

// PaymentRuns returns the runs, newest first, at most limit; with
// unexported only those whose file was never written out.
func (s *Store) PaymentRuns(ctx context.Context, unexported bool, limit int) ([]*PaymentRun, error) {
	where := ``
	if unexported {
		where = ` WHERE exported_at IS NULL`
	}
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT `+runColumns+` FROM payment_runs`+where+` ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("payment runs: %w", err)
	}
	defer rows.Close()
	var out []*PaymentRun
	for rows.Next() {
		r, err := scanRun(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("payment runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkRunExported records that the run's file was written to path (only
// the first time: writing it again changes nothing).
func (s *Store) MarkRunExported(ctx context.Context, id, actor, path string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Clock()
		res, err := tx.ExecContext(ctx, `UPDATE payment_runs SET exported_at = $2 WHERE id = $1 AND exported_at IS NULL`, id, s.db.TimeArg(now))
		if err != nil {
			return fmt.Errorf("mark run %s exported: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return auditAt(ctx, tx, now, actor, store.ActionPaymentExported, "", map[string]any{"run_id": id, "file": path})
	})
}

// BankResult is the bank's answer on one payment.
type BankResult struct {
	// EndToEndID is the payment's id, as sent in the file.
	EndToEndID string
	Executed   bool
	// Code and Text are the bank's reason for a rejection.
	Code, Text string
	// Amount is the amount the bank names; zero when it names none.
	Amount skalig.Money
}

// BankAnswer is one file from the bank, parsed.
type BankAnswer struct {
	MessageID string // the file's own message id
	Format    string // pain.002.001.03 or camt.054.001.02
	SHA256    string // of the file's bytes
	Actor     string
	// RunID, when set, is the payment run the answer is about (a
	// pain.002 names it): every payment answered must be in it.
	RunID   string
	Results []BankResult
	// RejectCase names the routing reasons of a case whose payment was
	// rejected: called with the result; the first is the stop reason.
	RejectCase func(BankResult) []string
}

// BankImport is a bank file as imported.
type BankImport struct {
	ID, MessageID, Format string
	ImportedAt            time.Time
	Executed, Rejected    int
	// Unchanged counts answers on payments that had that answer already
	// (an execution reported in pain.002 and again in camt.054).
	Unchanged int
}

// ApplyBankAnswer applies the bank's answer a in one transaction: each
// executed payment (in a run) becomes executed and its case (notified)
// paid; each rejected one becomes rejected and its case goes to a person
// (awaiting_caseworker) with the reasons a.RejectCase names and a record
// with the bank's code and text. Anything wrong with any answer fails the
// whole file, and nothing of it is applied.
//
// Errors: ECONFLICT (the file was imported before; an answer contradicts an
// earlier one); EINVALID (an end-to-end id that is no payment of Skälig, a
// payment never sent, an amount that differs from the payment's).
func (s *Store) ApplyBankAnswer(ctx context.Context, a BankAnswer) (*BankImport, error) {
	var imp *BankImport
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Clock()
		imp = &BankImport{ID: store.NewID(now), MessageID: a.MessageID, Format: a.Format, ImportedAt: now}
		var prevAt store.TimeValue
		var prevID string
		err := tx.QueryRowContext(ctx, `SELECT id, imported_at FROM bank_imports WHERE message_id = $1 OR sha256 = $2`,
			a.MessageID, a.SHA256).Scan(&prevID, &prevAt)
		if err == nil {
			return skalig.Errorf(skalig.ECONFLICT, "Filen är redan inläst: meddelandet %s lästes in %s. Ingenting har ändrats.",
				a.MessageID, prevAt.Time().In(time.Local).Format("2006-01-02 15:04"))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find earlier import: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bank_imports (id, message_id, format, sha256, imported_at, imported_by, executed, rejected)
			VALUES ($1, $2, $3, $4, $5, $6, 0, 0)`, imp.ID, a.MessageID, a.Format, a.SHA256, s.db.TimeArg(now), a.Actor); err != nil {
			if store.IsUniqueViolation(err) {
				return skalig.Errorf(skalig.ECONFLICT, "Filen är redan inläst (meddelandet %s). Ingenting har ändrats.", a.MessageID)
			}
			return fmt.Errorf("insert bank import: %w", err)
		}
		var problems []string
		seen := map[string]bool{}
		for _, r := range a.Results {
			if seen[r.EndToEndID] {
				problems = append(problems, fmt.Sprintf("end-to-end-id %s förekommer två gånger i filen", r.EndToEndID))
				continue
			}
			seen[r.EndToEndID] = true
			ps, err := store.QueryPayments(ctx, tx, `id = $1`, r.EndToEndID)
			if err != nil {
				return err
			}
			if len(ps) == 0 {
				problems = append(problems, fmt.Sprintf("end-to-end-id %s är ingen utbetalning i Skälig", r.EndToEndID))
				continue
			}
			p := ps[0]
			switch {
			case a.RunID != "" && p.RunID != a.RunID:
				problems = append(problems, fmt.Sprintf("utbetalningen %s finns inte i den betalningsfil som rapporten svarar på", p.ID))
				continue
			case r.Amount != 0 && r.Amount != p.Amount:
				problems = append(problems, fmt.Sprintf("utbetalningen %s är på %s men banken anger %s", p.ID, p.Amount.Swedish(), r.Amount.Swedish()))
				continue
			case p.Status == skalig.PaymentExecuted && r.Executed, p.Status == skalig.PaymentRejected && !r.Executed:
				imp.Unchanged++
				continue
			case p.Status == skalig.PaymentExecuted || p.Status == skalig.PaymentRejected:
				problems = append(problems, fmt.Sprintf("utbetalningen %s är redan rapporterad som %s av banken", p.ID, p.Status.Swedish()))
				continue
			case p.Status != skalig.PaymentInRun:
				problems = append(problems, fmt.Sprintf("utbetalningen %s har inte skickats till banken (den är %s)", p.ID, p.Status.Swedish()))
				continue
			}
			if err := s.applyResult(ctx, tx, now, imp, a, p, r); err != nil {
				var se *skalig.Error
				if errors.As(err, &se) {
					problems = append(problems, fmt.Sprintf("utbetalningen %s: %s", p.ID, se.Message))
					continue
				}
				return err
			}
		}
		if len(problems) > 0 {
			if n := len(problems); n > 10 {
				problems = append(problems[:10], fmt.Sprintf("och %d fel till", n-10))
			}
			return &skalig.Error{Code: skalig.EINVALID, Message: "Filen från banken har inte lästs in, ingenting har ändrats: " + strings.Join(problems, "; ") + "."}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bank_imports SET executed = $2, rejected = $3 WHERE id = $1`, imp.ID, imp.Executed, imp.Rejected); err != nil {
			return fmt.Errorf("update bank import: %w", err)
		}
		return auditAt(ctx, tx, now, a.Actor, store.ActionBankImport, "", map[string]any{
			"import_id": imp.ID, "message_id": a.MessageID, "format": a.Format, "executed": imp.Executed,
			"rejected": imp.Rejected, "unchanged": imp.Unchanged})
	})
	if err != nil {
		return nil, store.Wrap("import bank answer", err)
	}
	return imp, nil
}

// applyResult applies the bank's result r on payment p (in a run) and its
// case, in tx.
func (s *Store) applyResult(ctx context.Context, tx *sql.Tx, now time.Time, imp *BankImport, a BankAnswer, p *skalig.Payment, r BankResult) error {
	_, err := s.cases.UpdateIn(ctx, tx, p.CaseID, func(m *store.Moves) error { return s.settle(ctx, tx, m, now, imp, a, p, r) })
	return err
}

// settle is applyResult's change of the case of m, in m's transaction tx.
func (s *Store) settle(ctx context.Context, tx *sql.Tx, m *store.Moves, now time.Time, imp *BankImport, a BankAnswer, p *skalig.Payment, r BankResult) error {
	c := m.Case()
	status, action := skalig.PaymentExecuted, store.ActionPaymentExecuted
	if !r.Executed {
		status, action = skalig.PaymentRejected, store.ActionPaymentRejected
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = $2, import_id = $3, bank_code = $4, bank_text = $5, settled_at = $6
		WHERE id = $1 AND status = 'in_run'`, p.ID, string(status), imp.ID, r.Code, r.Text, s.db.TimeArg(now)); err != nil {
		return fmt.Errorf("update payment %s: %w", p.ID, err)
	}
	ev := map[string]any{"payment_id": p.ID, "import_id": imp.ID, "message_id": a.MessageID}
	if !r.Executed {
		ev["code"] = r.Code
	}
	if err := auditAt(ctx, tx, now, a.Actor, action, c.ID, ev); err != nil {
		return err
	}
	// The difference payment of a changed decision belongs to a case paid
	// or closed already: the bank's answer does not move it.
	moves := c.State == skalig.StateNotified
	if r.Executed {
		imp.Executed++
		if !moves {
			return nil
		}
		if err := m.To(ctx, skalig.CaseTransition{CaseID: c.ID, To: skalig.StatePaid, Actor: a.Actor}); err != nil {
			return err
		}
	} else {
		imp.Rejected++
		reasons := []string{skalig.ReasonPaymentRejected}
		if a.RejectCase != nil {
			reasons = a.RejectCase(r)
		}
		if err := m.AddRecord(ctx, a.Actor, store.RecordPaymentRejected, map[string]any{
			"payment_id": p.ID, "code": r.Code, "text": r.Text,
		}); err != nil {
			return err
		}
		if !moves {
			return nil
		}
		return m.To(ctx, skalig.CaseTransition{CaseID: c.ID, To: skalig.StateAwaitingCaseworker, Actor: a.Actor,
			Reason: reasons[0], Reasons: reasons[1:]})
	}
	return nil
}
