package workflow

import (
	"context"
	"fmt"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/step"
)

// recordDecision seals the receipt of a person's decision d on calc,
// stores both, moves the case to decided and notifies the applicant
// (notifyTx), in the change m. The move to decided is audited as actor, who
// really acted (skalig.Actor.String). (The robot's decisions are part of
// its step: step.Assess.)
func (w *Workflow) recordDecision(ctx context.Context, m *store.Moves, members []skalig.Member, calc *casecalc.Calculation, d *skalig.Decision, actor string) error {
	r, err := casecalc.Receipt(m.Case(), members, calc, d)
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

// notifyTx tells the applicant about a person's decision d of the case of
// m (decided): a Mina sidor event. The case moves to notified and on to the
// payment (the pay job) or, with nothing to pay, to closed.
func (w *Workflow) notifyTx(ctx context.Context, m *store.Moves, d *skalig.Decision) error {
	if err := m.AddRecord(ctx, "worker:notify", store.RecordNotification, map[string]any{
		"kind": store.NoticeDecision, "decision_id": d.ID, "text": step.DecisionNotice(m.Case(), d), "channel": "mina_sidor",
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
