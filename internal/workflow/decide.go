package workflow

import (
	"context"
	"fmt"
	"strings"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/store"
)

// decide makes the automated decision of a case that routing let the robot
// decide, under the delegation routing named, with its receipt: the job of a
// case routed by an older version, in a transaction of its own.
func (w *Workflow) decide(ctx context.Context, j *jobs.Job) error {
	c, err := w.cases.Case(ctx, j.CaseID)
	if err != nil {
		return jobs.Permanent(err)
	}
	if c.State != skalig.StateAutoDecided {
		return nil
	}
	var rr RoutingRecord
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordRouting, &rr); err != nil {
		return err
	}
	var calc Calculation
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil {
		return err
	}
	app, err := w.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		return err
	}
	d := automatedDecision(c, rr, &calc)
	_, err = w.cases.Complete(ctx, j, c, func(m *store.Moves) error {
		return w.decideTx(ctx, m, app.Members, &calc, d, "")
	})
	return err
}

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

// decideTx records the automated decision d of the case of m
// (auto_decided) in tx, the transaction of job j, and notifies the
// applicant; without a decision the case goes to a person.
func (w *Workflow) decideTx(ctx context.Context, m *store.Moves, members []skalig.Member, calc *Calculation, d *skalig.Decision, account string) error {
	if d == nil {
		return w.move(ctx, m, skalig.StateAwaitingCaseworker, "worker:decide", skalig.ReasonNoDelegation)
	}
	return w.recordDecision(ctx, m, members, calc, d, account, "worker:decide")
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

// recordDecision seals the receipt of d on calc, stores both, moves the
// case to decided and notifies the applicant (notifyTx), in tx: the
// transaction of job j, or of a person's decision (j nil). The move to
// decided is audited as actor, who really acted (skalig.Actor.String).
func (w *Workflow) recordDecision(ctx context.Context, m *store.Moves, members []skalig.Member, calc *Calculation, d *skalig.Decision, account, actor string) error {
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
	return w.notifyTx(ctx, m, d, account)
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

// notify tells the applicant about the decision of a decided case: the job
// of a case decided by an older version, which notified in a transaction of
// its own.
func (w *Workflow) notify(ctx context.Context, j *jobs.Job) error {
	c, err := w.cases.Case(ctx, j.CaseID)
	if err != nil {
		return jobs.Permanent(err)
	}
	if c.State != skalig.StateDecided {
		return nil
	}
	d, err := w.cases.CaseDecision(ctx, c.ID)
	if err != nil {
		return err
	}
	_, err = w.cases.Complete(ctx, j, c, func(m *store.Moves) error { return w.notifyTx(ctx, m, d, "") })
	return err
}

// notifyTx tells the applicant about decision d of the case of m
// (decided), in tx: a Mina sidor event. The case moves to notified and on
// to the payment or, with nothing to pay, to closed. With the account to
// pay to known (account), the payment is ordered in the same transaction
// (payTx); else the pay job (for j's worker) looks it up.
func (w *Workflow) notifyTx(ctx context.Context, m *store.Moves, d *skalig.Decision, account string) error {
	c := m.Case()
	text := fmt.Sprintf("Beslut om försörjningsstöd för %s: %s, %s.", c.Month.String(), d.Outcome.Swedish(), d.Amount.Swedish())
	if d.DecidedBy.IsAutomated() {
		text += " Beslutet är fattat automatiskt. Du kan be att en handläggare prövar ditt ärende."
	}
	if err := m.AddRecord(ctx, "worker:notify", store.RecordNotification, map[string]any{
		"kind": "decision", "decision_id": d.ID, "text": text, "channel": "mina_sidor",
	}); err != nil {
		return err
	}
	if err := w.move(ctx, m, skalig.StateNotified, "worker:notify"); err != nil {
		return err
	}
	switch {
	case d.Amount > 0 && account != "":
		return w.payTx(ctx, m, d, account)
	case d.Amount > 0:
		return m.Then(ctx, JobPay)
	}
	return w.move(ctx, m, skalig.StateClosed, "worker:notify")
}
