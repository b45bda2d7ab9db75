package workflow

import (
	"context"
	"fmt"
	"strings"

	"skalig"
	"skalig/internal/store"
)

// automatedDecision is the decision the robot makes on calc under the
// delegation routing named in rr, or nil when there is none (routing would
// not have let the robot decide; it does not decide on doubt).
func automatedDecision(c *skalig.Case, rr RoutingRecord, calc *Calculation) *skalig.Decision {
	if rr.Outcome.Delegation == "" || calc.Output == nil {
		return nil
	}
	d := &skalig.Decision{
		CaseID: c.ID, Outcome: rr.Outcome.Outcome, Month: c.Month, Amount: calc.Output.Aid,
		DecidedBy: skalig.Automated(rr.Outcome.Delegation),
	}
	if d.Outcome != skalig.OutcomeApproved {
		d.Reasons = decisionReasons(d.Outcome, calc)
	}
	return d
}

// decisionReasons is the statement of reasons of a decision the robot may
// make other than approval in full (only when explicitly delegated).
func decisionReasons(o skalig.Outcome, calc *Calculation) []string {
	switch o {
	case skalig.OutcomeRejected:
		return []string{fmt.Sprintf("Hushållets inkomster (%s) är högre än behovet (%s) enligt beräkningen.",
			calc.Output.IncomeCounted.Swedish(), (calc.Output.Norm + calc.Output.ReasonableCosts + calc.Output.OtherCosts).Swedish())}
	case skalig.OutcomePartlyApproved:
		// The ground, named: each cost the guidelines cut, in the
		// engine's words ("Hushållsel över kommunens belopp …").
		var out []string
		for _, l := range calc.Output.Trace {
			if strings.HasSuffix(l.Item, "_guideline") && l.Amount < 0 && l.Text != "" {
				out = append(out, strings.TrimSuffix(l.Text, ".")+".")
			}
		}
		if len(out) > 0 {
			return out
		}
		return []string{"Alla kostnader du sökte för har inte godtagits i sin helhet; se beräkningen."}
	}
	return nil
}

// recordDecision seals the receipt of a person's decision d on calc,
// stores both, moves the case to decided and notifies the applicant
// (notifyTx), in the change m. The move to decided is audited as actor, who
// really acted (skalig.Actor.String). (The robot's decisions are part of
// its step: Assess.)
func (w *Workflow) recordDecision(ctx context.Context, m *store.Moves, members []skalig.Member, calc *Calculation, d *skalig.Decision, actor string) error {
	r, err := receiptOf(m.Case(), members, calc, d)
	if err != nil {
		return err
	}
	if err := m.RecordDecision(ctx, d, r); err != nil {
		return err
	}
	if err := w.move(ctx, m, skalig.StateDecided, actor); err != nil {
		return err
	}
	w.metrics.decided.WithLabelValues(string(d.Outcome), fmt.Sprint(d.DecidedBy.IsAutomated())).Inc()
	return w.notifyTx(ctx, m, d)
}

// receiptOf builds and seals the receipt of decision d made on calc.
func receiptOf(c *skalig.Case, members []skalig.Member, calc *Calculation, d *skalig.Decision) (*skalig.Receipt, error) {
	if calc.Output == nil {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet har ingen beräkning att fatta beslut på.")
	}
	result, trace, err := outputJSON(calc.Output)
	if err != nil {
		return nil, err
	}
	on, ok := skalig.ParseDate(calc.CalculatedOn)
	if !ok {
		return nil, fmt.Errorf("calculation date %q", calc.CalculatedOn)
	}
	r := &skalig.Receipt{
		CaseID: c.ID, Month: c.Month, CalculatedOn: on, Members: members, Facts: calc.Facts,
		ParamSet: calc.ParamSet, ParamStatus: calc.ParamStatus, EngineVersion: calc.EngineVersion,
		GuidelineVersion: calc.GuidelineVersion, Result: result, Trace: trace,
		Outcome: d.Outcome, Amount: d.Amount, DecidedBy: d.DecidedBy,
	}
	if err := r.Seal(); err != nil {
		return nil, err
	}
	return r, nil
}

// notifyTx tells the applicant about a person's decision d of the case of
// m (decided): a Mina sidor event. The case moves to notified and on to the
// payment (the pay job) or, with nothing to pay, to closed.
func (w *Workflow) notifyTx(ctx context.Context, m *store.Moves, d *skalig.Decision) error {
	if err := m.AddRecord(ctx, "worker:notify", store.RecordNotification, map[string]any{
		"kind": store.NoticeDecision, "decision_id": d.ID, "text": decisionNotice(m.Case(), d), "channel": "mina_sidor",
	}); err != nil {
		return err
	}
	if err := w.move(ctx, m, skalig.StateNotified, "worker:notify"); err != nil {
		return err
	}
	if d.Amount > 0 {
		return m.Then(ctx, JobPay)
	}
	return w.move(ctx, m, skalig.StateClosed, "worker:notify")
}

// decisionNotice is the text of the notification of decision d of case c.
func decisionNotice(c *skalig.Case, d *skalig.Decision) string {
	text := fmt.Sprintf("Beslut om försörjningsstöd för %s: %s, %s.", c.Month.String(), d.Outcome.Swedish(), d.Amount.Swedish())
	if d.DecidedBy.IsAutomated() {
		text += " Beslutet är fattat automatiskt. Du kan be att en handläggare prövar ditt ärende."
	}
	return text
}
