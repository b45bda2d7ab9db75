package workflow

import (
	"context"

	"skalig"
	"skalig/internal/routing"
	"skalig/internal/store"
)

// An assessment is what the robot makes of a case whose register answers
// are in: the calculation, where routing sends the case and, when the
// municipality's delegation lets the robot decide, the decision. It is
// worked out from facts read before the transaction that writes it
// (writeAssessment), so that the steps calculate → route → decide → notify
// commit together, in one transaction, right after the fetch that brought
// the last answer in. Each step keeps its own record and state transition
// and its own audit events; only the number of transactions and reads
// changes. A case whose fetch commits without its assessment (an older
// version's job, a crash between the two) continues with the calculate job,
// which makes the same assessment.
type assessment struct {
	aidFact  []skalig.Fact // each adult's earlier months of aid, when not yet facts
	calc     *Calculation
	rec      RoutingRecord
	decision *skalig.Decision // the automated decision, or nil
	account  string           // the account to pay to, "" if not known
}

// assess calculates c on facts (every fact of the case, in stored order),
// routes it and, when routing lets the robot decide under a delegation,
// makes the decision. It reads the household's earlier decisions; nothing
// else.
func (w *Workflow) assess(ctx context.Context, c *skalig.Case, app *skalig.Application, facts []skalig.Fact) (*assessment, error) {
	granted, err := w.cases.GrantedMonths(ctx, adults(app.Members), c.Month)
	if err != nil {
		return nil, err
	}
	now := w.db.Clock()
	a := &assessment{}
	if a.aidFact, err = w.aidMonthFacts(ctx, c, app.Members, facts, now); err != nil {
		return nil, err
	}
	facts = append(facts[:len(facts):len(facts)], a.aidFact...)
	a.calc = w.Calculate(c, app.Members, facts, skalig.DateOf(now))
	if a.rec, a.decision, err = w.routeOn(ctx, c, app.Members, facts, a.calc, granted); err != nil {
		return nil, err
	}
	a.account = paymentAccount(facts)
	return a, nil
}

// routeOn routes case c on its calculation calc and facts (the aid fact
// included), with the household's granted months before, and makes the
// automated decision when routing lets the robot decide.
func (w *Workflow) routeOn(ctx context.Context, c *skalig.Case, members []skalig.Member, facts []skalig.Fact, calc *Calculation, granted []store.Granted) (RoutingRecord, *skalig.Decision, error) {
	var prev *routing.Previous
	if len(granted) > 0 {
		var err error
		if prev, err = w.previous(ctx, granted[len(granted)-1]); err != nil {
			return RoutingRecord{}, nil, err
		}
	}
	rec := w.routeCalculation(c, members, facts, calc, prev)
	var d *skalig.Decision
	if rec.Outcome.Route == routing.RouteDecide {
		d = automatedDecision(c, rec, calc)
	}
	return rec, d, nil
}

// writeAssessment writes a for the case of m (fetching), in the change
// that completes its job: the aid fact and the calculation, then the routing
// (see routeTx).
func (w *Workflow) writeAssessment(ctx context.Context, m *store.Moves, members []skalig.Member, a *assessment) error {
	if err := w.paramsStill(ctx, m, a.calc); err != nil {
		return err
	}
	if err := m.AddFacts(ctx, "worker:calculate", a.aidFact); err != nil {
		return err
	}
	if err := m.AddRecord(ctx, "worker:calculate", store.RecordCalculation, a.calc); err != nil {
		return err
	}
	return w.routeTx(ctx, m, members, a.calc, a.rec, a.decision, a.account)
}
