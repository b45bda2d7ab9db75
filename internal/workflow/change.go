package workflow

// Changing a decision on omprövning or appeal (FL 38-39 §§). The rules:
//
//   - The decider (a caseworker of the municipality) changes the decision
//     in force while a review request or appeal of it is open. The new
//     decision has its own receipt, on the case's latest calculation or on
//     a new calculation by hand (manual.go) entered with the change, and
//     supersedes the old one (store.CaseStore.ChangeDecisionTx): the case
//     has one decision in force, and a decision is changed at most once.
//   - Money once: the change is made only when no payment of the case is on
//     its way (held, ordered, in a run: wait for the bank's answer). When
//     the new decision grants more than was paid out, the difference is
//     ordered as one payment that names the change; when it grants less,
//     nothing is paid and the overpaid amount is recorded (a claim for
//     repayment is a decision of its own, not made here).
//   - A review request is resolved as changed. An appeal is resolved as
//     changed when the change is what the applicant asked for; otherwise it
//     stays open and is forwarded to förvaltningsrätten with the new
//     decision (FL 46 §: the appeal covers the new decision).
//   - The applicant is notified of the new decision (a decision
//     notification: the appeal period of the new decision runs from it).

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"skalig"
	"skalig/internal/store"
)

// Record kinds of a changed decision.
const (
	RecordDecisionChanged = "decision_changed"
)

// ChangeRequest is the decider's change of the decision in force on an
// open review request or appeal.
type ChangeRequest struct {
	RequestID string // the open review request or appeal
	Actor     skalig.Actor
	Outcome   skalig.Outcome
	// Amount is the aid the new decision grants, within the bounds of
	// Decide on the calculation it rests on.
	Amount  skalig.Money
	Reasons []string
	// Note says why the decision is changed; the applicant reads it.
	Note string
	// Lines, when given, are a new calculation by hand (with
	// ManualReason) on which the change rests; else it rests on the
	// case's latest calculation.
	Lines        []ManualLine
	ManualReason string
	// AsRequested says that the change is what the applicant asked for:
	// an appeal is then resolved; otherwise it stays open to be forwarded
	// (FL 46 §). A review request is resolved either way.
	AsRequested bool
}

// ChangeResult is what a change made: the new decision, the payment of
// the difference (nil when none), and what was paid out beyond the new
// decision (0 when nothing).
type ChangeResult struct {
	Decision   *skalig.Decision
	Supersedes string
	Payment    *store.Payment
	Overpaid   skalig.Money
}

// ChangeDecision changes the decision in force of the case of the open
// review request or appeal req.RequestID (see the rules above).
//
// Errors: ENOTFOUND; EFORBIDDEN (not a caseworker of the municipality);
// ECONFLICT (resolved already, a payment on its way, no calculation, no
// account for the difference, changed meanwhile); EINVALID (outcome,
// amount, note, lines, by field).
func (w *Workflow) ChangeDecision(ctx context.Context, req ChangeRequest) (*ChangeResult, error) {
	if !req.Outcome.Valid() {
		return nil, invalidField("outcome", "Ange bifall, delvis bifall eller avslag.")
	}
	note := strings.TrimSpace(req.Note)
	switch {
	case note == "":
		return nil, invalidField("note", "Skriv varför beslutet ändras. Motiveringen skickas till den sökande.")
	case utf8.RuneCountInString(note) > 5000:
		return nil, invalidField("note", "Skriv högst 5 000 tecken.")
	case skalig.ContainsControl(note):
		return nil, invalidField("note", skalig.ControlCharMessage)
	}
	for _, r := range req.Reasons {
		if skalig.ContainsControl(r) {
			return nil, invalidField("reasons", skalig.ControlCharMessage)
		}
	}
	r, err := w.openRequest(ctx, req.RequestID)
	if err != nil {
		return nil, err
	}
	p, c, err := w.decider(ctx, req.Actor, r.CaseID)
	if err != nil {
		return nil, err
	}
	switch c.State {
	case skalig.StatePaid, skalig.StateClosed:
	case skalig.StateNotified:
		return nil, skalig.Errorf(skalig.ECONFLICT, "Utbetalningen enligt beslutet pågår. Ändra beslutet när banken har svarat.")
	default:
		return nil, skalig.Errorf(skalig.ECONFLICT, "Beslutet kan inte ändras nu (%s). Beställ först en utbetalning som banken har avvisat.", c.State.Swedish())
	}
	old, err := w.cases.CaseDecision(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	app, err := w.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var calc *Calculation
	var manualReason string
	var lines []ManualLine
	if len(req.Lines) > 0 {
		if lines, manualReason, err = checkManual(req.Lines, req.ManualReason, app.Members); err != nil {
			return nil, err
		}
		calc = manualCalculation(c, lines, p.Subject(), w.db.Clock())
	} else {
		calc = &Calculation{}
		if err := w.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, calc); err != nil {
			return nil, err
		}
		if calc.Output == nil {
			return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet har ingen beräkning att ändra beslutet på. Ange en beräkning för hand.")
		}
	}
	if err := amountBounds(req.Outcome, req.Amount, calc.Output.Aid, calc.Reduced); err != nil {
		return nil, err
	}
	req.Outcome, req.Reasons = settleOutcome(req.Outcome, req.Amount, calc, req.Reasons)
	d := &skalig.Decision{CaseID: c.ID, Outcome: req.Outcome, Month: c.Month, Amount: req.Amount,
		Reasons: req.Reasons, DecidedBy: skalig.Caseworker(p.Subject())}
	rc, err := receiptOf(c, app.Members, calc, d)
	if err != nil {
		return nil, err
	}
	account := ""
	if f, ok, err := w.cases.LatestFact(ctx, c.ID, skalig.KindPaymentAccount); err != nil {
		return nil, err
	} else if ok && f.Value.IsText {
		account = f.Value.Text
	}
	hist, err := w.cases.DecisionHistory(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	by := p.String()
	res := &ChangeResult{Decision: d, Supersedes: old.ID}
	_, err = w.cases.Update(ctx, c.ID, func(m *store.Moves) error {
		if m.Case().Version != c.Version {
			return errStale
		}
		paid, pending, err := m.PaidOut(ctx)
		if err != nil {
			return err
		}
		if pending {
			return skalig.Errorf(skalig.ECONFLICT, "En utbetalning i ärendet är på väg. Ändra beslutet när banken har svarat.")
		}
		if err := m.ChangeDecision(ctx, old, d, rc, r.ID); err != nil {
			return err
		}
		if lines != nil {
			if err := m.AddRecord(ctx, by, RecordManualCalculation, map[string]any{
				"caseworker": p.Subject(), "reason": manualReason, "lines": lines, "aid": calc.Output.Aid, "decision_id": d.ID}); err != nil {
				return err
			}
			if err := m.AddRecord(ctx, by, store.RecordCalculation, calc); err != nil {
				return err
			}
		}
		resolve := r.Kind != store.ReviewKindAppeal || req.AsRequested
		if resolve {
			if err := m.ResolveReviewRequest(ctx, r.ID, store.ResolutionChanged, by, note); err != nil {
				return err
			}
		}
		diff := d.Amount - paid
		var pay *store.Payment
		if diff > 0 {
			if account == "" {
				return skalig.Errorf(skalig.ECONFLICT, "Ärendet saknar kontonummer för utbetalningen av mellanskillnaden.")
			}
			now := w.db.Clock()
			pay = &store.Payment{DecisionID: hist[0].ID, ChangeID: d.ID, CaseID: c.ID, Amount: diff, Account: account, PayOn: skalig.DateOf(now)}
			var h store.AccountHistory
			if w.cfg.Payments.NeedsHistory() {
				if h, err = m.PaymentAccountHistory(ctx, account); err != nil {
					return err
				}
			}
			if reason := w.cfg.Payments.Hold(pay.Amount, account, h, now); reason != "" {
				pay.Status, pay.HoldReason = store.PaymentHeld, reason
			}
			if err := m.CreatePayment(ctx, pay, by); err != nil {
				return err
			}
			res.Payment = pay
		} else if diff < 0 {
			res.Overpaid = -diff
		}
		if err := m.AddRecord(ctx, by, RecordDecisionChanged, map[string]any{
			"decision_id": d.ID, "supersedes": old.ID, "request_id": r.ID, "kind": r.Kind, "outcome": d.Outcome,
			"amount": d.Amount, "paid_before": paid, "difference_paid": max(diff, 0), "overpaid": res.Overpaid,
			"note": note, "resolved": resolve, "receipt": rc.Hash}); err != nil {
			return err
		}
		text := fmt.Sprintf("Beslutet om försörjningsstöd för %s har ändrats efter %s: %s, %s. %s",
			c.Month.String(), requestNoun(r.Kind), d.Outcome.Swedish(), d.Amount.Swedish(), note)
		switch {
		case diff > 0:
			text += fmt.Sprintf(" Mellanskillnaden, %s, betalas ut.", diff.Swedish())
		case diff < 0:
			text += fmt.Sprintf(" Du har fått %s mer än det nya beslutet. Om beloppet ska betalas tillbaka prövar kommunen i ett eget beslut.", (-diff).Swedish())
		}
		if r.Kind == store.ReviewKindAppeal && !resolve {
			text += " Ditt överklagande gäller nu det nya beslutet och skickas till förvaltningsrätten."
		} else {
			text += " Du kan överklaga det nya beslutet till förvaltningsrätten inom tre veckor från att du fick det."
		}
		return m.AddRecord(ctx, by, store.RecordNotification, map[string]any{
			"kind": "decision", "decision_id": d.ID, "supersedes": old.ID, "request_id": r.ID, "channel": "mina_sidor", "text": text})
	})
	if err != nil {
		return nil, err
	}
	w.metrics.decided.WithLabelValues(string(d.Outcome), "false").Inc()
	return res, nil
}

func requestNoun(kind string) string {
	if kind == store.ReviewKindAppeal {
		return "ditt överklagande"
	}
	return "din begäran om omprövning"
}
