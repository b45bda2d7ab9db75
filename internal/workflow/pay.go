package workflow

import (
	"context"
	"fmt"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/store"
	"skalig/internal/workflow/step"
)

// ReasonNoAccount parks a payment that has no account to pay to.
const ReasonNoAccount = "Kontonummer för utbetalningen saknas."

// pay orders the payment of a decision made without a known account (a
// person's decision), once: a decision has one live payment order, and the
// order commits with the job. The payment control (Config.Payments) holds
// a payment to a recently changed account or above the limit for a second
// person (step.PaymentOrder); the case stays notified until the bank reports the
// payment executed (internal/payments).
func (w *Workflow) pay(ctx context.Context, j *jobs.Job) error {
	c, err := w.cases.Case(ctx, j.CaseID)
	if err != nil {
		return jobs.Permanent(err)
	}
	if c.State != skalig.StateNotified {
		return nil
	}
	d, err := w.cases.CaseDecision(ctx, c.ID)
	if err != nil {
		return err
	}
	f, ok, err := w.cases.LatestFact(ctx, c.ID, skalig.KindPaymentAccount) // the latest counts
	if err != nil {
		return err
	}
	account := ""
	if ok && f.Value.IsText {
		account = f.Value.Text
	}
	if account == "" {
		return jobs.Permanent(fmt.Errorf("%s", ReasonNoAccount))
	}
	var h *store.AccountHistory
	if w.cfg.Payments.NeedsHistory() {
		hist, err := w.cases.PaymentAccountHistory(ctx, c.ID, account)
		if err != nil {
			return err
		}
		h = &hist
	}
	p := step.PaymentOrder(w.cfg.Payments, c.ID, d, account, h, w.db.Clock())
	_, err = w.cases.Complete(ctx, j, c, func(m *store.Moves) error { return m.CreatePayment(ctx, p, "worker:pay") })
	return err
}
