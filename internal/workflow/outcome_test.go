package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/letters"
	"skalig/internal/municipal"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// A case with a person and its calculation and proposal.
func personCase(t *testing.T, e *env, id string) (*skalig.Case, casecalc.Calculation, casecalc.RoutingRecord) {
	t.Helper()
	ctx := context.Background()
	c, err := e.cases.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var calc casecalc.Calculation
	var rr casecalc.RoutingRecord
	if err := e.cases.LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil || calc.Output == nil || calc.Output.Aid <= 0 {
		t.Fatalf("calculation %+v, %v", calc, err)
	}
	if err := e.cases.LatestRecord(ctx, id, store.RecordRouting, &rr); err != nil {
		t.Fatal(err)
	}
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("state %s, want a person", c.State)
	}
	return c, calc, rr
}

// cappedCase submits an application for glasses and has a caseworker
// grant less than applied for: a need granted lower, so the calculation is
// reduced (Calculation.Reduced).
func cappedCase(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	for _, h := range demo.GenerateScenario(1, "0821", month, demo.OtherNeed, 4) {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		if c, _ = e.cases.Case(ctx, c.ID); c.State != skalig.StateAwaitingCaseworker {
			continue
		}
		lower := skalig.Fact{Kind: skalig.KindOtherNeedPrefix + "1", Value: skalig.AmountValue(skalig.Kronor(900))}
		if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-7"), []skalig.Fact{lower}, "Glasögon godtas till en enklare modell"); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		return c.ID
	}
	t.Fatal("no glasses case waits for a person")
	return ""
}

// Approving a proposal decides what the proposal showed (issue 16 item 12,
// the rule of issue 13 item 1: skalig.OutcomeFor). A need granted lower
// than applied for: the proposal is delvis bifall, and a person who
// approves the calculated aid decides delvis bifall, whose letter names the
// reduced item. Nothing reduced (a first application whose costs are
// granted in full): bifall in both.
func TestApprovingTheProposalDecidesItsOutcome(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	first := demo.GenerateScenario(3, "0821", month, demo.First, 1)[0]
	full, _, err := e.wf.Submit(ctx, first.App)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	for _, tc := range []struct {
		name    string
		id      string
		reduced bool
		want    skalig.Outcome
	}{
		{"Reduced", cappedCase(t, e), true, skalig.OutcomePartlyApproved},
		{"NotReduced", full.ID, false, skalig.OutcomeApproved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, calc, rr := personCase(t, e, tc.id)
			if calc.Reduced != tc.reduced || rr.Outcome.Outcome != tc.want {
				t.Fatalf("calculation reduced %v, proposal %s; want reduced %v, proposal %s", calc.Reduced, rr.Outcome.Outcome, tc.reduced, tc.want)
			}
			// The caseworker approves the proposal: the calculated aid.
			res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
				Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid, KommuniceringException: skalig.ReasonKommuniceringUnnecessary})
			if err != nil || res.Decision == nil {
				t.Fatalf("Decide = %+v, %v (a proposal for a second person would be a departure)", res, err)
			}
			d, err := e.cases.CaseDecision(ctx, c.ID)
			if err != nil || d.Outcome != tc.want || d.Amount != calc.Output.Aid {
				t.Fatalf("decision %+v, %v; want %s at %s, as proposed", d, err, tc.want, calc.Output.Aid)
			}
			if tc.reduced != (len(d.Reasons) > 0) {
				t.Errorf("reasons %q of a %s", d.Reasons, d.Outcome)
			}
			in, err := letters.Load(ctx, e.wf, mun, c.ID, workflow.Reader{Actor: "caseworker:hl-1", Via: "cli"})
			if err != nil {
				t.Fatal(err)
			}
			l, err := letters.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			html, err := l.HTML()
			if err != nil {
				t.Fatal(err)
			}
			text := string(html)
			if !strings.Contains(text, "Beslut: "+tc.want.Swedish()+".") {
				t.Errorf("the letter does not say %s", tc.want.Swedish())
			}
			if tc.reduced && !strings.Contains(text, "Glasögon godtas till en enklare modell") {
				t.Error("the letter does not name the reduced item with its ground")
			}
		})
	}
}

// Approving the calculated aid of a reduced calculation is a partial
// approval, so the kommunicering rule of a negative decision holds for it.
func TestApprovingAReducedCalculationNeedsKommunicering(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, calc, _ := personCase(t, e, cappedCase(t, e))
	_, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
	var fe *skalig.Error
	if !errors.As(err, &fe) || fe.Code != skalig.EINVALID || len(fe.Fields) == 0 || fe.Fields[0].Field != "kommunicering_exception" {
		t.Fatalf("approving a reduced calculation without kommunicering: %v, want EINVALID on kommunicering_exception", err)
	}
}
