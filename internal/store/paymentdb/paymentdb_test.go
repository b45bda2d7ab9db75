package paymentdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
)

// notified submits a demo household's application and takes its case, in
// one change, to notified with an approved decision and an ordered
// payment, as the robot's step leaves it.
func notified(t *testing.T, cases *store.CaseStore, key string) (*skalig.Case, *skalig.Payment) {
	t.Helper()
	ctx := context.Background()
	app := demo.Generate(1, "0821", skalig.MonthOf(2026, 4), 1)[0].App
	app.IdempotencyKey = key
	c, _, err := cases.SubmitApplication(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	today := skalig.DateOf(cases.DB().Clock())
	r := &skalig.Receipt{
		CaseID: c.ID, Month: c.Month, CalculatedOn: today, Members: app.Members,
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/test",
		Result: json.RawMessage(`{"aid": 4200}`), Trace: json.RawMessage(`[]`),
		Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(4200), DecidedBy: skalig.Automated("punkt 3.2"),
	}
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	d := &skalig.Decision{CaseID: c.ID, Outcome: r.Outcome, Month: c.Month, Amount: r.Amount, DecidedBy: r.DecidedBy}
	p := &skalig.Payment{CaseID: c.ID, Amount: d.Amount, Account: "8327-9 123456789", PayOn: today}
	c, err = cases.Update(ctx, c.ID, func(m *store.Moves) error {
		for _, to := range []skalig.CaseState{skalig.StateFetching, skalig.StateCalculated, skalig.StateAutoDecided} {
			if err := m.To(ctx, skalig.CaseTransition{CaseID: c.ID, To: to, Actor: "worker:test"}); err != nil {
				return err
			}
		}
		if err := m.RecordDecision(ctx, d, r); err != nil {
			return err
		}
		for _, to := range []skalig.CaseState{skalig.StateDecided, skalig.StateNotified} {
			if err := m.To(ctx, skalig.CaseTransition{CaseID: c.ID, To: to, Actor: "worker:test"}); err != nil {
				return err
			}
		}
		p.DecisionID = d.ID
		return m.CreatePayment(ctx, p, "worker:pay")
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

func build(*paymentdb.PaymentRun, []*skalig.Payment) ([]byte, error) {
	return []byte("<Document/>"), nil
}

// TestRunAndBankAnswer takes a payment through a run, a rejected bank
// answer and a new order: each step one transaction, a wrong answer
// applying nothing.
func TestRunAndBankAnswer(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	pay := paymentdb.New(cases)
	c, p := notified(t, cases, "pay-1")
	today := skalig.DateOf(db.Clock())

	r, err := pay.CreatePaymentRun(ctx, paymentdb.RunSpec{Due: today, Actor: "test", Build: build})
	if err != nil || r.Count != 1 || r.Total != p.Amount || string(r.Document) != "<Document/>" {
		t.Fatalf("CreatePaymentRun = %+v, %v; want the one payment", r, err)
	}
	if _, err := pay.CreatePaymentRun(ctx, paymentdb.RunSpec{Due: today, Actor: "test", Build: build}); !errors.Is(err, paymentdb.ErrNothingDue) {
		t.Fatalf("second run: %v, want ErrNothingDue", err)
	}
	if ps, err := pay.RunPayments(ctx, r.ID); err != nil || len(ps) != 1 || ps[0].ID != p.ID || ps[0].Status != skalig.PaymentInRun {
		t.Fatalf("RunPayments = %+v, %v", ps, err)
	}
	for range 2 { // the second time changes nothing
		if err := pay.MarkRunExported(ctx, r.ID, "test", "/tmp/x.xml"); err != nil {
			t.Fatal(err)
		}
	}
	if runs, err := pay.PaymentRuns(ctx, true, 10); err != nil || len(runs) != 0 {
		t.Errorf("unexported runs %d, %v; want none", len(runs), err)
	}
	if got, err := pay.PaymentRun(ctx, r.MessageID); err != nil || got.ID != r.ID || got.ExportedAt.IsZero() {
		t.Errorf("PaymentRun(message id) = %+v, %v", got, err)
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := pay.ApplyBankAnswer(ctx, paymentdb.BankAnswer{MessageID: "BANK-BAD", Format: "camt.054.001.02", SHA256: "bad", Actor: "test",
			Results: []paymentdb.BankResult{{EndToEndID: p.ID, Executed: true}, {EndToEndID: "no-such-payment", Executed: true}}})
		if skalig.ErrorCode(err) != skalig.EINVALID {
			t.Fatalf("ApplyBankAnswer with an unknown payment: %v, want EINVALID", err)
		}
		if got, _ := pay.Payment(ctx, p.ID); got.Status != skalig.PaymentInRun {
			t.Errorf("payment %s after a refused file, want in_run", got.Status)
		}
	})

	answer := paymentdb.BankAnswer{MessageID: "BANK-1", Format: "pain.002.001.03", SHA256: "one", Actor: "test", RunID: r.ID,
		Results:    []paymentdb.BankResult{{EndToEndID: p.ID, Code: "AC04", Text: "Kontot avslutat"}},
		RejectCase: func(res paymentdb.BankResult) []string { return []string{"bank:" + res.Code} }}
	imp, err := pay.ApplyBankAnswer(ctx, answer)
	if err != nil || imp.Rejected != 1 || imp.Executed != 0 {
		t.Fatalf("ApplyBankAnswer = %+v, %v; want one rejected", imp, err)
	}
	if got, _ := cases.Case(ctx, c.ID); got.State != skalig.StateAwaitingCaseworker || got.RoutingReasons[0] != "bank:AC04" {
		t.Errorf("case %s %v after the rejection, want awaiting_caseworker for bank:AC04", got.State, got.RoutingReasons)
	}
	if _, err := pay.ApplyBankAnswer(ctx, answer); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("the same file again: %v, want ECONFLICT", err)
	}

	again := &skalig.Payment{Amount: p.Amount, Account: "8327-9 987654321", PayOn: today}
	if err := pay.ReorderPayment(ctx, p.ID, again, "ekonom-1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := cases.Case(ctx, c.ID); got.State != skalig.StateNotified {
		t.Errorf("case %s after the new order, want notified", got.State)
	}
	if got, err := cases.CasePayment(ctx, c.ID); err != nil || got.ID != again.ID || got.Status != skalig.PaymentOrdered {
		t.Errorf("CasePayment = %+v, %v; want the new order", got, err)
	}
	if err := pay.ReorderPayment(ctx, p.ID, &skalig.Payment{Amount: p.Amount, Account: "x", PayOn: today}, "ekonom-1"); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("a second new order: %v, want ECONFLICT", err)
	}
	if n, err := audittest.Verify(ctx, db.SQL()); err != nil || n != 0 {
		t.Fatalf("audit.Verify=%d, %v", n, err)
	}
}

// TestReleasePayment: a held payment is released once; an ordered one
// cannot be.
func TestReleasePayment(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	pay := paymentdb.New(cases)
	_, p := notified(t, cases, "pay-2")
	if _, err := pay.ReleasePayment(ctx, p.ID, "ekonom-1"); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("releasing an ordered payment: %v, want ECONFLICT", err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE payments SET status = 'held', hold_reason = 'account_changed' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	got, err := pay.ReleasePayment(ctx, p.ID, "ekonom-1")
	if err != nil || got.Status != skalig.PaymentOrdered || got.ReleasedBy != "ekonom-1" || got.ReleasedAt.IsZero() {
		t.Fatalf("ReleasePayment = %+v, %v", got, err)
	}
	if held, _ := pay.PaymentsByStatus(ctx, skalig.PaymentHeld, 10); len(held) != 0 {
		t.Errorf("%d held after the release, want none", len(held))
	}
	if _, err := pay.ReleasePayment(ctx, "no-such", "ekonom-1"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("releasing no payment: %v, want ENOTFOUND", err)
	}
}
