package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/audit"
)

// ActionDecisionChanged is the audit action of a decision changed on
// omprövning or appeal.
const ActionDecisionChanged = "decision.changed"

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const changeColumns = `id, case_id, outcome, month, amount, reasons, decided_by_caseworker, '', decided_at, receipt_hash`

// ChangeDecision stores d, a person's new decision of the case on the
// review request or appeal requestID (FL 38-39 §§), with its sealed
// receipt r, in the change's transaction, with an audit event: d
// supersedes old, which must be the case's decision in force. It sets
// d.ID, d.DecidedAt and d.ReceiptHash. It moves nothing: the case stays
// where it is.
//
// Errors: ECONFLICT (old is not the case's decision in force: it was
// changed already); EINVALID (d).
func (m *Moves) ChangeDecision(ctx context.Context, old, d *skalig.Decision, r *skalig.Receipt, requestID string) error {
	s, tx := m.s, m.tx
	if d.CaseID != m.c.ID || old.CaseID != m.c.ID || d.DecidedBy.Caseworker == "" {
		return fmt.Errorf("change decision: a person's decision of case %s", m.c.ID)
	}
	cur, err := s.caseDecisionIn(ctx, tx, old.CaseID)
	if err != nil {
		return err
	}
	if cur.ID != old.ID {
		return skalig.Errorf(skalig.ECONFLICT, "Beslutet har redan ändrats. Läs in ärendet igen.")
	}
	original := old.ID
	if err := tx.QueryRowContext(ctx, `SELECT original_id FROM decision_changes WHERE id = $1`, old.ID).Scan(&original); err != nil && !isNoRows(err) {
		return fmt.Errorf("change decision: %w", err)
	}
	body, err := r.SealedJSON()
	if err != nil {
		return fmt.Errorf("change decision: %w", err)
	}
	now := s.db.now()
	d.ID, d.DecidedAt, d.ReceiptHash = newID(now), now.UTC().Truncate(time.Microsecond), r.Hash
	if err := d.Validate(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO receipts (hash, case_id, body, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (hash) DO NOTHING`, r.Hash, d.CaseID, string(body), s.db.timeArg(now)); err != nil {
		return fmt.Errorf("insert receipt: %w", err)
	}
	reasons, _ := json.Marshal(nonNil(d.Reasons))
	if _, err := tx.ExecContext(ctx, `INSERT INTO decision_changes (id, case_id, original_id, supersedes, request_id, outcome, month,
		amount, reasons, decided_by_caseworker, decided_at, receipt_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		d.ID, d.CaseID, original, old.ID, requestID, string(d.Outcome), d.Month.String(), int64(d.Amount), string(reasons),
		d.DecidedBy.Caseworker, s.db.timeArg(d.DecidedAt), r.Hash); err != nil {
		if isUniqueViolation(err) {
			return skalig.Errorf(skalig.ECONFLICT, "Beslutet har redan ändrats. Läs in ärendet igen.")
		}
		return fmt.Errorf("insert decision change: %w", err)
	}
	data, _ := json.Marshal(map[string]any{"decision_id": d.ID, "supersedes": old.ID, "request_id": requestID,
		"outcome": d.Outcome, "amount": d.Amount.String(), "decided_by": d.DecidedBy.String(), "receipt": r.Hash})
	_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: "caseworker:" + d.DecidedBy.Caseworker,
		Action: ActionDecisionChanged, CaseID: d.CaseID, Data: data})
	return err
}

// OriginalDecision is the case's first decision, read in the change's
// transaction.
func (m *Moves) OriginalDecision(ctx context.Context) (*skalig.Decision, error) {
	return m.s.originalDecision(ctx, m.tx, m.c.ID)
}

// DecisionHistory returns every decision of the case, oldest first: the
// original decision and the changes that superseded it in turn. The last
// is the one in force (CaseDecision). The order is the chain of
// supersedes, not the ids' order: ids made in one millisecond sort at
// random.
//
// Errors: ENOTFOUND (not decided).
func (s *CaseStore) DecisionHistory(ctx context.Context, caseID string) ([]*skalig.Decision, error) {
	d, err := s.originalDecision(ctx, s.db.db, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT supersedes, `+changeColumns+` FROM decision_changes WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("decision history: %w", err)
	}
	defer rows.Close()
	next := map[string]*skalig.Decision{} // superseded id -> the change
	for rows.Next() {
		var sup string
		c, err := scanDecision(func(dest ...any) error { return rows.Scan(append([]any{&sup}, dest...)...) })
		if err != nil {
			return nil, err
		}
		next[sup] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []*skalig.Decision{d}
	for c := next[d.ID]; c != nil; c = next[c.ID] {
		out = append(out, c)
	}
	if len(out) != len(next)+1 {
		return nil, fmt.Errorf("decision history of case %s: %d changes, %d in the chain", caseID, len(next), len(out)-1)
	}
	return out, nil
}

// PaidOut returns the sum of the case's executed payments and whether a
// payment of the case is on its way (held, ordered or in a run).
func (s *CaseStore) PaidOut(ctx context.Context, caseID string) (paid skalig.Money, pending bool, err error) {
	return s.paidOutIn(ctx, s.db.db, caseID)
}

// PaidOut is CaseStore.PaidOut read in the change's transaction.
func (m *Moves) PaidOut(ctx context.Context) (paid skalig.Money, pending bool, err error) {
	return m.s.paidOutIn(ctx, m.tx, m.c.ID)
}

func (s *CaseStore) paidOutIn(ctx context.Context, q Querier, caseID string) (paid skalig.Money, pending bool, err error) {
	var sum, n int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN status = 'executed' THEN amount ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status IN ('held', 'ordered', 'in_run') THEN 1 ELSE 0 END), 0)
		FROM payments WHERE case_id = $1`, caseID).Scan(&sum, &n); err != nil {
		return 0, false, fmt.Errorf("paid out: %w", err)
	}
	return skalig.Money(sum), n > 0, nil
}
