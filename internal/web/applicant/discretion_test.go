package applicant

import (
	"context"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/store"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// A norm adjustment and aid beyond the calculation that a caseworker
// granted are in the applicant's explanation as a person's change, each
// with its own reason.
func TestExplanationShowsDiscretion(t *testing.T) {
	e := newAppEnv(t)
	ctx := context.Background()
	elin := devidp.ElinExempelsson
	c := e.apply(elin, single)
	e.run()
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("first application %s", c.State)
	}
	hl := skalig.PersonActor("hl-1", []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"})
	facts := []skalig.Fact{
		{Kind: skalig.KindNormAdjustment, Value: skalig.AmountValue(skalig.Kronor(500))},
		{Kind: skalig.KindNormAdjustment + skalig.KindReasonSuffix, Value: skalig.TextValue("Särskild kost enligt läkarintyg")},
		{Kind: skalig.KindBeyondPrefix + "1", Value: skalig.AmountValue(skalig.Kronor(2000))},
		{Kind: skalig.KindBeyondPrefix + "1.text", Value: skalig.TextValue("Begravning")},
		{Kind: skalig.KindBeyondPrefix + "1" + skalig.KindReasonSuffix, Value: skalig.TextValue("Dödsboet räcker inte")},
		{Kind: skalig.KindBeyondPrefix + "2", Value: skalig.AmountValue(skalig.Kronor(1500))},
		{Kind: skalig.KindBeyondPrefix + "2.text", Value: skalig.TextValue("Spis")},
		{Kind: skalig.KindBeyondPrefix + "2" + skalig.KindReasonSuffix, Value: skalig.TextValue("Spisen gick sönder")},
	}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, hl, facts, "Särskild kost; begravning; spis"); err != nil {
		t.Fatal(err)
	}
	e.run()
	c, _ = e.cases.Case(ctx, c.ID)
	var calc casecalc.Calculation
	if err := e.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
		t.Fatalf("calculation: %v", err)
	}
	if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: hl,
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); err != nil {
		t.Fatal(err)
	}
	e.run()
	page := e.get(elin, CasePathPrefix+c.ID+"/berakning")
	for _, want := range []string{"En handläggare har höjt normen av särskilda skäl med 500", "Särskild kost enligt läkarintyg",
		"Bistånd utöver beräkningen för Begravning: 2", "Dödsboet räcker inte", "Bistånd utöver beräkningen för Spis: 1", "Spisen gick sönder",
		"Ändrat av en person"} {
		if !strings.Contains(page, want) {
			t.Errorf("the explanation lacks %q", want)
		}
	}
	// Each line has its own reason, not the others'.
	if i := strings.Index(page, "Bistånd utöver beräkningen för Spis"); i < 0 || strings.Contains(page[i:min(len(page), i+1500)], "Dödsboet räcker inte") {
		t.Error("the line of the stove has the funeral's reason")
	}
	for _, l := range []string{"en", "ar"} {
		if p := e.get(elin, CasePathPrefix+c.ID+"/berakning?lang="+l); strings.Contains(p, "[explain.") {
			t.Errorf("%s: a message key is missing", l)
		}
	}
}
