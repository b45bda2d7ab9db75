package whatifdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"skalig"
	"skalig/internal/decisioninput"
	"skalig/internal/store"
)

// DecidedInputs returns, in decision id order, at most limit decisions of
// sel after the decision id after ("" for the first page): one page of the
// stream a what-if run reads, in one statement. Each decision comes with
// its compact inputs (Inputs, internal/decisioninput), written when it was
// decided; a decision stored before that column was filled comes instead
// with its receipt (Body) and its case's facts (Facts), read in two more
// statements for the page. DecidedBy is not read. It only reads.
func (s *Store) DecidedInputs(ctx context.Context, sel Selection, after string, limit int) ([]DecidedReceipt, error) {
	q := `SELECT d.id, d.case_id, c.municipality, c.kind, d.month, d.outcome, d.amount, d.receipt_hash, d.inputs
		FROM decisions d JOIN cases c ON c.id = d.case_id WHERE d.id > $1`
	args := []any{after}
	q, args = sel.where(q, args)
	if sel.Decision != "" {
		args = append(args, sel.Decision)
		q += fmt.Sprintf(` AND d.id = $%d`, len(args))
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY d.id LIMIT $%d`, len(args))
	rows, err := s.db.SQL().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("decided inputs: %w", err)
	}
	defer rows.Close()
	out := make([]DecidedReceipt, 0, limit)
	var missing []int
	for rows.Next() {
		var r DecidedReceipt
		var kind, outcome string
		var month store.MonthValue
		var amount int64
		if err := rows.Scan(&r.DecisionID, &r.CaseID, &r.Municipality, &kind, &month, &outcome, &amount,
			&r.ReceiptHash, &r.Inputs); err != nil {
			return nil, fmt.Errorf("decided inputs: %w", err)
		}
		r.Kind, r.Month, r.Outcome, r.Amount = skalig.ApplicationKind(kind), month.Month(), skalig.Outcome(outcome), skalig.Money(amount)
		if len(r.Inputs) == 0 {
			r.Inputs = nil
			missing = append(missing, len(out))
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("decided inputs: %w", err)
	}
	rows.Close()
	if len(missing) == 0 {
		return out, nil
	}
	// The slow way for decisions without inputs: their receipts, and the
	// facts of their cases.
	old := make([]DecidedReceipt, len(missing))
	for i, k := range missing {
		old[i] = out[k]
	}
	if err := s.receiptBodies(ctx, old); err != nil {
		return nil, err
	}
	if err := s.LoadCaseFacts(ctx, sel, old); err != nil {
		return nil, err
	}
	for i, k := range missing {
		out[k] = old[i]
	}
	return out, nil
}

// receiptBodies sets the Body of each decision of page.
func (s *Store) receiptBodies(ctx context.Context, page []DecidedReceipt) error {
	byHash := make(map[string][]int, len(page))
	args := make([]any, 0, len(page))
	var ph []string
	for i := range page {
		h := page[i].ReceiptHash
		if _, ok := byHash[h]; !ok {
			args = append(args, h)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		byHash[h] = append(byHash[h], i)
	}
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT hash, body FROM receipts WHERE hash IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("receipts of decided cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		var body []byte
		if err := rows.Scan(&h, &body); err != nil {
			return fmt.Errorf("receipts of decided cases: %w", err)
		}
		for _, i := range byHash[h] {
			page[i].Body = body
		}
	}
	return rows.Err()
}

// FillInputs writes the compact inputs (internal/decisioninput) of every
// decision stored without them, from its receipt and its case's facts as
// they are now, batch decisions a transaction, and returns how many it
// wrote. A receipt that cannot be read is left as it is (a run reads it
// the slow way and reports it). skalig migrate runs it after the
// migrations.
func (s *Store) FillInputs(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	written, after := 0, ""
	for {
		var page []DecidedReceipt
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT d.id, d.case_id, r.body FROM decisions d JOIN receipts r ON r.hash = d.receipt_hash
				WHERE d.inputs IS NULL AND d.id > $1 ORDER BY d.id LIMIT $2`, after, batch)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var r DecidedReceipt
				if err := rows.Scan(&r.DecisionID, &r.CaseID, &r.Body); err != nil {
					return err
				}
				page = append(page, r)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			rows.Close()
			for i := range page {
				r := &page[i]
				rc, err := skalig.ParseReceipt(r.Body)
				if err != nil {
					continue
				}
				facts, err := caseFacts(ctx, tx, r.CaseID)
				if err != nil {
					return err
				}
				in, err := decisioninput.FromReceipt(rc, facts)
				if err != nil {
					continue
				}
				if _, err := tx.ExecContext(ctx, `UPDATE decisions SET inputs = $1 WHERE id = $2 AND inputs IS NULL`,
					decisioninput.Encode(nil, in), r.DecisionID); err != nil {
					return err
				}
				written++
			}
			return nil
		})
		if err != nil {
			return written, fmt.Errorf("fill decision inputs: %w", err)
		}
		if len(page) < batch {
			return written, nil
		}
		after = page[len(page)-1].DecisionID
	}
}

func caseFacts(ctx context.Context, tx *sql.Tx, caseID string) ([]skalig.Fact, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+store.FactColumns+` FROM facts WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []skalig.Fact
	for rows.Next() {
		f, err := store.ScanFact(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
