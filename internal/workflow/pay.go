package workflow

import (
	"context"
	"fmt"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/store"
)

// ReasonNoAccount parks a payment that has no account to pay to.
const ReasonNoAccount = "Kontonummer för utbetalningen saknas."

// pay orders the payment of the decision, once: a decision has one live
// payment order, and the order commits with the job.
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
	_, err = w.cases.Complete(ctx, j, c, func(m *store.Moves) error { return w.payTx(ctx, m, d, account) })
	return err
}

// payTx orders the payment of decision d to account, in tx; the case of m
// stays notified until the bank reports the payment executed
// (internal/payments: a payment run sends it, the bank's answer moves the
// case to paid). The payment control (Config.Payments) holds a payment to
// a recently changed account or above the limit for a second person. The
// payments table allows one live order per decision.
func (w *Workflow) payTx(ctx context.Context, m *store.Moves, d *skalig.Decision, account string) error {
	now := w.db.Clock()
	p := &store.Payment{DecisionID: d.ID, CaseID: m.Case().ID, Amount: d.Amount, Account: account, PayOn: skalig.DateOf(now)}
	var h store.AccountHistory
	if w.cfg.Payments.NeedsHistory() {
		var err error
		if h, err = m.PaymentAccountHistory(ctx, account); err != nil {
			return err
		}
	}
	if reason := w.cfg.Payments.Hold(p.Amount, account, h, now); reason != "" {
		p.Status, p.HoldReason = store.PaymentHeld, reason
	}
	return m.CreatePayment(ctx, p, "worker:pay")
}
