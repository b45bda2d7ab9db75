package workflow_test

import (
	"context"
	"testing"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// A person can record the lawful outcome of a calculation that granted
// less than was applied for (an other need refused by a caseworker:
// Calculation.Reduced): delvis bifall at the calculated aid, as routing
// proposes and the robot would record. Before, only bifall (which misstates the outcome) or
// less than the calculated aid was accepted. A partial approval above the
// aid, or at the aid of a calculation that reduced nothing, is refused.
func TestPartialApprovalAtTheCalculatedAidWhenReduced(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	var reducedID, fullID string
	for _, h := range append(demo.GenerateScenario(1, "0821", month, demo.OtherNeed, 2), demo.GenerateScenario(2, "0821", month, demo.First, 2)...) {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		c, _ = e.cases.Case(ctx, c.ID)
		if h.Scenario == demo.OtherNeed && c.State == skalig.StateAwaitingCaseworker {
			refuse := skalig.Fact{Kind: skalig.KindOtherNeedPrefix + "1", Value: skalig.AmountValue(0)}
			if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-7"), []skalig.Fact{refuse}, "Behovet kan tillgodoses på annat sätt"); err != nil {
				t.Fatal(err)
			}
			e.run(t)
			c, _ = e.cases.Case(ctx, c.ID)
		}
		var calc casecalc.Calculation
		if err := e.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil || calc.Output.Aid == 0 {
			continue
		}
		if c.State != skalig.StateAwaitingCaseworker {
			continue
		}
		if calc.Reduced && reducedID == "" {
			reducedID = c.ID
		}
		if !calc.Reduced && fullID == "" {
			fullID = c.ID
		}
	}
	if reducedID == "" || fullID == "" {
		t.Fatalf("want a reduced and an unreduced case with a person: %q %q", reducedID, fullID)
	}
	decide := func(id string, o skalig.Outcome, delta skalig.Money) (*workflow.DecisionResult, error) {
		c, _ := e.cases.Case(ctx, id)
		var calc casecalc.Calculation
		if err := e.cases.LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil {
			t.Fatal(err)
		}
		return e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: id, Version: c.Version, Actor: caseworker("hl-1"),
			Outcome: o, Amount: calc.Output.Aid + delta, Reasons: []string{"Hyran godtas upp till riktlinjen."},
			KommuniceringException: skalig.ReasonKommuniceringUnnecessary})
	}
	if _, err := decide(reducedID, skalig.OutcomePartlyApproved, skalig.Kronor(1)); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("partly approved above the aid: %v, want EINVALID", err)
	}
	if _, err := decide(fullID, skalig.OutcomePartlyApproved, 0); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("partly approved at the aid of an unreduced calculation: %v, want EINVALID", err)
	}
	res, err := decide(reducedID, skalig.OutcomePartlyApproved, 0)
	if err != nil || res.Decision == nil {
		t.Fatalf("partly approved at the aid of a reduced calculation: %+v %v", res, err)
	}
	d, err := e.cases.CaseDecision(ctx, reducedID)
	if err != nil || d.Outcome != skalig.OutcomePartlyApproved || d.Amount != res.Decision.Amount || d.Amount == 0 {
		t.Fatalf("decision: %+v %v", d, err)
	}
}
