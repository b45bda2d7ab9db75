package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/audit"
)

// Audit actions of payments. Every change of a payment is audited in the
// transaction that makes it, on the payment's case.
const (
	ActionPayment         = "payment.ordered"
	ActionPaymentHeld     = "payment.held"
	ActionPaymentReleased = "payment.released"
	ActionPaymentInRun    = "payment.in_run"
	ActionPaymentExecuted = "payment.executed"
	ActionPaymentRejected = "payment.rejected"
	ActionPaymentRun      = "payment_run.created"
	ActionPaymentExported = "payment_run.exported"
	ActionBankImport      = "bank_answer.imported"
)

type PaymentStatus = skalig.PaymentStatus

const (
	PaymentHeld     = skalig.PaymentHeld
	PaymentOrdered  = skalig.PaymentOrdered
	PaymentInRun    = skalig.PaymentInRun
	PaymentExecuted = skalig.PaymentExecuted
	PaymentRejected = skalig.PaymentRejected
)

type Payment = skalig.Payment

// paymentStmt sets p's id, appends the payment's audit event in tx and
// returns the insert of p.
func (s *CaseStore) paymentStmt(ctx context.Context, tx *sql.Tx, p *Payment, actor string) (stmt, error) {
	now := s.db.now()
	p.ID, p.CreatedAt = newID(now), now
	if p.Status == "" {
		p.Status = PaymentOrdered
	}
	if p.Status != PaymentOrdered && p.Status != PaymentHeld {
		return stmt{}, fmt.Errorf("create payment: status %q", p.Status)
	}
	if p.Status == PaymentHeld && p.HoldReason == "" {
		return stmt{}, fmt.Errorf("create payment: a held payment needs a reason")
	}
	if actor == "" {
		actor = "worker:pay"
	}
	st := stmt{table: "payments", what: "insert payment", query: `
		INSERT INTO payments (id, decision_id, case_id, amount, account, pay_on, created_at, status, hold_reason, change_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		args: []any{p.ID, p.DecisionID, p.CaseID, int64(p.Amount), p.Account, p.PayOn.String(), s.db.timeArg(now),
			string(p.Status), p.HoldReason, nullString(p.ChangeID)},
		conflict: skalig.Errorf(skalig.ECONFLICT, "Beslutet har redan en utbetalning.")}
	ev := map[string]any{"payment_id": p.ID, "decision_id": p.DecisionID, "pay_on": p.PayOn.String()}
	if p.ChangeID != "" {
		ev["change_id"] = p.ChangeID
	}
	if err := s.auditAt(ctx, tx, now, actor, ActionPayment, p.CaseID, ev); err != nil {
		return stmt{}, err
	}
	if p.Status == PaymentHeld {
		if err := s.auditAt(ctx, tx, now, actor, ActionPaymentHeld, p.CaseID,
			map[string]any{"payment_id": p.ID, "reason": p.HoldReason}); err != nil {
			return stmt{}, err
		}
	}
	return st, nil
}

// auditAt appends one audit event at at, with data as JSON, in tx.
func (s *CaseStore) auditAt(ctx context.Context, tx *sql.Tx, at time.Time, actor, action, caseID string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = audit.Append(ctx, tx, audit.Event{At: at, Actor: actor, Action: action, CaseID: caseID, Data: b})
	return err
}

const paymentColumns = `id, decision_id, case_id, amount, account, pay_on, created_at, status, hold_reason,
	released_by, released_at, COALESCE(run_id, ''), bank_code, bank_text, settled_at, COALESCE(change_id, '')`

func scanPayment(scan func(...any) error) (*Payment, error) {
	var p Payment
	var amount int64
	var payOn, status string
	var created, released, settled timeValue
	if err := scan(&p.ID, &p.DecisionID, &p.CaseID, &amount, &p.Account, &payOn, &created, &status, &p.HoldReason,
		&p.ReleasedBy, &released, &p.RunID, &p.BankCode, &p.BankText, &settled, &p.ChangeID); err != nil {
		return nil, err
	}
	p.Amount, p.CreatedAt, p.Status = skalig.Money(amount), created.t, PaymentStatus(status)
	p.ReleasedAt, p.SettledAt = released.t, settled.t
	p.PayOn, _ = skalig.ParseDate(payOn)
	return &p, nil
}

func queryPayments(ctx context.Context, q Querier, where string, args ...any) ([]*Payment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	defer rows.Close()
	var out []*Payment
	for rows.Next() {
		p, err := scanPayment(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("payments: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CasePayment returns the newest payment of the case: the live one, or the
// last rejected one.
//
// Errors: ENOTFOUND.
func (s *CaseStore) CasePayment(ctx context.Context, caseID string) (*Payment, error) {
	ps, err := queryPayments(ctx, s.db.db, `case_id = $1 ORDER BY id DESC LIMIT 1`, caseID)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, notFound("Utbetalningen")
	}
	return ps[0], nil
}

// AccountHistory is what the hold rule needs to know of the account a
// payment of a case goes to.
type AccountHistory struct {
	// Previous is the account of the newest earlier payment of the
	// household (any case of the case's adults, this case's rejected
	// payments included, payments still held for a second person not);
	// empty when the household was never paid.
	Previous string
	// FirstStated is when account was first stated in any case of the
	// household (the first payment.account fact with it); zero when it
	// is stated only now (the fact is being written).
	FirstStated time.Time
}

// PaymentAccountHistory returns the account history of account for the
// case, read in q (nil: the pool).
func (s *CaseStore) PaymentAccountHistory(ctx context.Context, caseID, account string) (AccountHistory, error) {
	return s.paymentAccountHistoryIn(ctx, nil, caseID, account)
}

// paymentAccountHistoryIn is PaymentAccountHistory read through q (nil: the pool).
func (s *CaseStore) paymentAccountHistoryIn(ctx context.Context, q Querier, caseID, account string) (AccountHistory, error) {
	if q == nil {
		q = s.db.db
	}
	var h AccountHistory
	// On PostgreSQL each lookup is a LATERAL subquery with a LIMIT (which
	// or OFFSET 0, keeps the planner from flattening it), so it always starts from the
	// case's persons and reads their cases through the per-case indexes.
	// The IN form was planned as a scan of every payment.account fact, or
	// of all payments newest first, inside the robot's write transaction:
	// at 300 applications a second bench/load fell to 67 decisions/s.
	prevQ, firstQ := `
		SELECT p.account FROM payments p
		WHERE p.case_id IN (SELECT cp.case_id FROM case_persons cp WHERE cp.personal_number IN
			(SELECT personal_number FROM case_persons WHERE case_id = $1)) AND p.status <> 'held'
		ORDER BY p.id DESC LIMIT 1`, `
		SELECT MIN(f.at) FROM facts f
		WHERE f.kind = $2 AND f.text = $3 AND f.case_id IN (SELECT cp.case_id FROM case_persons cp WHERE cp.personal_number IN
			(SELECT personal_number FROM case_persons WHERE case_id = $1))`
	if s.db.dialect == Postgres {
		prevQ, firstQ = `
		SELECT x.account FROM case_persons me
		CROSS JOIN LATERAL (SELECT c.case_id FROM case_persons c
			WHERE c.personal_number = me.personal_number OFFSET 0) cp
		CROSS JOIN LATERAL (SELECT p.id, p.account FROM payments p
			WHERE p.case_id = cp.case_id AND p.status <> 'held' ORDER BY p.id DESC LIMIT 1) x
		WHERE me.case_id = $1
		ORDER BY x.id DESC LIMIT 1`, `
		SELECT MIN(x.at) FROM case_persons me
		CROSS JOIN LATERAL (SELECT c.case_id FROM case_persons c
			WHERE c.personal_number = me.personal_number OFFSET 0) cp
		CROSS JOIN LATERAL (SELECT f.at FROM facts f
			WHERE f.case_id = cp.case_id AND f.kind = $2 AND f.text = $3 ORDER BY f.at LIMIT 1) x
		WHERE me.case_id = $1`
	}
	err := q.QueryRowContext(ctx, prevQ, caseID).Scan(&h.Previous)
	if err != nil && !isNoRows(err) {
		return h, fmt.Errorf("previous payment of case %s: %w", caseID, err)
	}
	var first timeValue
	err = q.QueryRowContext(ctx, firstQ, caseID, skalig.KindPaymentAccount, account).Scan(&first)
	if err != nil && !isNoRows(err) {
		return h, fmt.Errorf("account history of case %s: %w", caseID, err)
	}
	h.FirstStated = first.t
	return h, nil
}

// RecordPaymentRejected is the record of the bank's rejection of a payment
// of the case: the payment, the bank's reason code and its text.
const RecordPaymentRejected = "payment_rejected"
