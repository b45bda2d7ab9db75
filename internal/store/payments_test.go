package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
)

// TestPaymentsMigration upgrades a database with a payment ordered the old
// way (its case paid at once) to payment runs (00015): the payment is
// executed, in no run, and never goes to the bank again.
func TestPaymentsMigration(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, dbtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	s := store.NewCaseStore(db)
	ts := func(t time.Time) any {
		if db.Dialect() == store.SQLite {
			return t.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
		return t
	}
	now := time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
	hash := strings.Repeat("ab", 32)
	// The case as the schema of 00014 had it (today's SubmitApplication
	// writes columns of later migrations).
	c := &skalig.Case{ID: "01KCASE0000000000000000001"}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO applications (id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at)
			VALUES ('a1', '0821', 'k1', 'h', 'first', '2026-04', '[]', $1)`, []any{ts(now)}},
		{`INSERT INTO cases (id, application_id, municipality, month, kind, state, routing_reasons, version, created_at, updated_at)
			VALUES ($1, 'a1', '0821', '2026-04', 'first', 'submitted', '[]', 1, $2, $2)`, []any{c.ID, ts(now)}},
		{`INSERT INTO receipts (hash, case_id, body, created_at) VALUES ($1, $2, '{}', $3)`, []any{hash, c.ID, ts(now)}},
		{`INSERT INTO decisions (id, case_id, outcome, month, amount, reasons, decided_by_delegation, decided_at, receipt_hash)
			VALUES ('d1', $1, 'approved', '2026-04', 668000, '[]', 'AMN § 4', $2, $3)`, []any{c.ID, ts(now), hash}},
		{`INSERT INTO payments (id, decision_id, case_id, amount, account, pay_on, created_at) VALUES ('p1', 'd1', $1, 668000, '8327-9 1', '2026-04-01', $2)`,
			[]any{c.ID, ts(now)}},
	} {
		if _, err := db.SQL().ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := s.CasePayment(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 00025 numbered the case received before it.
	if got, err := s.Case(ctx, c.ID); err != nil || got.Number != "2026-0821-000001" {
		t.Errorf("case number after the upgrade %q, %v, want 2026-0821-000001", got.Number, err)
	}
	if p.ID != "p1" || p.Status != store.PaymentExecuted || p.RunID != "" || p.Amount != skalig.Kronor(6680) {
		t.Errorf("payment after the upgrade %+v, want p1 executed in no run", p)
	}
	if _, err := paymentdb.New(s).CreatePaymentRun(ctx, paymentdb.RunSpec{Due: skalig.DateOf(now.AddDate(1, 0, 0)), Actor: "test",
		Build: func(*paymentdb.PaymentRun, []*store.Payment) ([]byte, error) { return []byte("x"), nil }}); err != paymentdb.ErrNothingDue {
		t.Errorf("a run after the upgrade: %v, want nothing due", err)
	}
	// One live payment per decision still holds.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO payments (id, decision_id, case_id, amount, account, pay_on, created_at)
		VALUES ('p2', 'd1', $1, 668000, '8327-9 1', '2026-04-01', $2)`, c.ID, ts(now)); err == nil {
		t.Errorf("a second live payment for the decision was stored")
	}
}
