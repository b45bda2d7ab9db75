package workflow_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/deskdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// The regression tests of the casework policy (policy.go): each reproduces
// an attack that succeeded before the policy moved into the workflow.

func financialAssistant(subject string) skalig.Actor {
	return skalig.PersonActor(subject, []skalig.StaffRole{skalig.StaffFinancialAssistant}, []string{"0821"})
}

// firstCase submits first applications of 0821 and returns one that waits
// for a person, with its calculation.
func firstCase(t *testing.T, e *env) (*skalig.Case, casecalc.Calculation) {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for _, h := range demo.Generate(7, "0821", month, 24) {
		if h.Scenario != demo.First {
			continue
		}
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	e.run(t)
	for _, id := range ids {
		c, err := e.cases.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var calc casecalc.Calculation
		if err := e.cases.LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil {
			t.Fatal(err)
		}
		if c.State == skalig.StateAwaitingCaseworker && calc.Output != nil && calc.Output.Aid > 0 {
			return c, calc
		}
	}
	t.Fatal("no first application waiting for a person")
	return nil, casecalc.Calculation{}
}

// fourEyes stores casework settings of 0821 from month.
func fourEyes(t *testing.T, e *env, override, reject bool) {
	t.Helper()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(municipal.CaseworkSettings{FourEyesOverride: override, FourEyesReject: reject, OverdueDays: 5})
	if err := configdb.NewMunicipalConfig(e.db, mun).AddVersion(context.Background(), &municipal.Change{Municipality: "0821",
		Kind: municipal.KindCasework, Version: "fyra ögon", From: month, Body: body, Author: "admin-1", Reason: "Test"}, month); err != nil {
		t.Fatal(err)
	}
}

// housing40000 is the adjustment of the attack: housing to 40 000 kr.
func housing40000() []skalig.Fact {
	return []skalig.Fact{{Kind: skalig.KindCostPrefix + "housing", Value: skalig.AmountValue(skalig.Kronor(40000))}}
}

// adjust adjusts housing to 40 000 kr as a and runs the recalculation.
func adjust(t *testing.T, e *env, c *skalig.Case, a skalig.Actor) (*skalig.Case, casecalc.Calculation) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, a, housing40000(), "Hyresavi visar 40 000 kr"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, err := e.cases.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var calc casecalc.Calculation
	if err := e.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil {
		t.Fatal(err)
	}
	if c.State != skalig.StateAwaitingCaseworker || calc.Output == nil {
		t.Fatalf("after the adjustment: %s", c.State)
	}
	return c, calc
}

func auditActors(t *testing.T, e *env, caseID, action string) []string {
	t.Helper()
	evs, err := e.cases.AuditEvents(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		if ev.Action == action {
			out = append(out, ev.Actor)
		}
	}
	return out
}

func decidedActor(t *testing.T, e *env, caseID string) string {
	t.Helper()
	evs, err := e.cases.AuditEvents(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		var d struct {
			To string `json:"to"`
		}
		json.Unmarshal(ev.Data, &d)
		if ev.Action == store.ActionTransition && d.To == string(skalig.StateDecided) {
			return ev.Actor
		}
	}
	return ""
}

// Violation 1: a financial assistant adjusted housing to 40 000 kr and
// approved the recalculated amount alone, with the four-eyes rule on.
func TestPolicyFinancialAssistantAdjustAndApprove(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	fourEyes(t, e, true, true)
	c, calc := firstCase(t, e)
	ulla := financialAssistant("ulla")

	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, ulla, housing40000(), "Hyresavi visar 40 000 kr"); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("financial assistant adjusts: %v, want EFORBIDDEN", err)
	}
	for _, tc := range []struct {
		o      skalig.Outcome
		amount skalig.Money
		code   string
	}{
		{skalig.OutcomeApproved, calc.Output.Aid + skalig.Kronor(32100), skalig.EINVALID},
		{skalig.OutcomePartlyApproved, calc.Output.Aid / 2, skalig.EFORBIDDEN},
		{skalig.OutcomeRejected, 0, skalig.EFORBIDDEN},
	} {
		_, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: ulla, Outcome: tc.o, Amount: tc.amount,
			Reasons: []string{"Test"}})
		if skalig.ErrorCode(err) != tc.code {
			t.Fatalf("financial assistant %s %v: %v, want %s", tc.o, tc.amount, err, tc.code)
		}
	}

	// A caseworker's adjustment makes the case depart from the automated
	// proposal: the financial assistant's approval of the recalculated
	// amount is a proposal, and the adjuster cannot sign it.
	before := calc.Output.Aid
	c, calc = adjust(t, e, c, caseworker("hl-1"))
	if calc.Output.Aid < before+skalig.Kronor(30000) {
		t.Fatalf("recalculated aid %v", calc.Output.Aid)
	}
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: ulla,
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision != nil || res.Proposal == nil {
		t.Fatalf("financial assistant approves an adjusted case alone under four eyes: %+v", res)
	}
	if _, err := e.cases.CaseDecision(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("decided before the second signature: %v", err)
	}
	if _, err := e.wf.SignProposal(ctx, c.ID, ulla); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("financial assistant signs: %v, want EFORBIDDEN", err)
	}
	if _, err := e.wf.SignProposal(ctx, c.ID, caseworker("hl-1")); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("the adjuster signs: %v, want EFORBIDDEN", err)
	}
	d, err := e.wf.SignProposal(ctx, c.ID, caseworker("hl-2"))
	if err != nil {
		t.Fatal(err)
	}
	if d.DecidedBy.Caseworker != "hl-2" || d.Amount != calc.Output.Aid {
		t.Fatalf("signed decision %+v", d)
	}
	if _, err := e.cases.CaseDecision(ctx, c.ID); err != nil {
		t.Fatalf("no decision after the signature: %v", err)
	}
	if got := auditActors(t, e, c.ID, store.ActionApprovalClosed); len(got) != 1 || got[0] != "caseworker:hl-2" {
		t.Fatalf("approval closed by %v", got)
	}
	if got := decidedActor(t, e, c.ID); got != "caseworker:hl-2" {
		t.Fatalf("decided by %q", got)
	}
}

// Violation 1: a caseworker adjusted and approved their own adjustment,
// with the four-eyes rule on.
func TestPolicyCaseworkerAdjustThenSelfApprove(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	fourEyes(t, e, true, false)
	c, _ := firstCase(t, e)
	c, calc := adjust(t, e, c, caseworker("hl-1"))
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
	if err != nil {
		t.Fatal(err)
	}
	if res.Proposal == nil || res.Decision != nil {
		t.Fatalf("adjuster approves alone under four eyes: %+v", res)
	}
	if _, err := e.wf.SignProposal(ctx, c.ID, caseworker("hl-1")); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("sign own: %v, want EFORBIDDEN", err)
	}
	if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("a second proposal: %v, want ECONFLICT", err)
	}
	// Returned, and a second person who also adjusted cannot sign either.
	if err := e.wf.ReturnProposal(ctx, c.ID, caseworker("hl-2"), "Kontrollera hyresavin."); err != nil {
		t.Fatal(err)
	}
	c, calc = adjust(t, e, c, caseworker("hl-2"))
	res, err = e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
	if err != nil || res.Proposal == nil {
		t.Fatalf("propose again: %+v %v", res, err)
	}
	if _, err := e.wf.SignProposal(ctx, c.ID, caseworker("hl-2")); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("an adjuster signs: %v, want EFORBIDDEN", err)
	}
	if d, err := e.wf.SignProposal(ctx, c.ID, caseworker("hl-3")); err != nil || d.DecidedBy.Caseworker != "hl-3" {
		t.Fatalf("third person signs: %+v %v", d, err)
	}
}

// Without the four-eyes rule a caseworker's decision after their own
// adjustment is theirs alone, as before.
func TestPolicyWithoutFourEyes(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, _ := firstCase(t, e)
	c, calc := adjust(t, e, c, caseworker("hl-1"))
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
	if err != nil || res.Decision == nil {
		t.Fatalf("decide: %+v %v", res, err)
	}
	if got := decidedActor(t, e, c.ID); got != "caseworker:hl-1" {
		t.Fatalf("decided by %q", got)
	}
}

// Violation 2: an API client decided in a named caseworker's name,
// skipping four eyes, and the audit showed only the person.
func TestPolicyClientActingForAPerson(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	fourEyes(t, e, false, true)
	c, calc := firstCase(t, e)
	reject := func(a skalig.Actor) (*workflow.DecisionResult, error) {
		return e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: a,
			Outcome: skalig.OutcomeRejected, Reasons: []string{"Inkomsterna räcker."},
			KommuniceringException: skalig.ReasonKommuniceringUnnecessary})
	}
	all := []skalig.ClientAction{skalig.ClientSubmit, skalig.ClientRead, skalig.ClientDecide, skalig.ClientActForPerson}
	for _, tc := range []struct {
		name string
		a    skalig.Actor
		code string
	}{
		{"default scope", skalig.ClientActor("sys", []string{"0821"}, skalig.DefaultClientActions).For("hl-1"), skalig.EFORBIDDEN},
		{"on its own", skalig.ClientActor("sys", []string{"0821"}, all), skalig.EFORBIDDEN},
		{"not for persons", skalig.ClientActor("sys", []string{"0821"}, all[:3]).For("hl-1"), skalig.EFORBIDDEN},
		{"unknown person", skalig.ClientActor("sys", []string{"0821"}, all).For("hl-1"), skalig.EFORBIDDEN},
		{"other municipality", skalig.ClientActor("sys", []string{"0880"}, all).For("hl-1"), skalig.ENOTFOUND},
	} {
		if _, err := reject(tc.a); skalig.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	desk := deskdb.New(e.db)
	for _, m := range []store.StaffMember{
		{Subject: "hl-1", Name: "Handläggare Ett", Roles: []string{"caseworker"}, Municipalities: []string{"0821"}},
		{Subject: "ea-1", Name: "Ekonomiassistent Ett", Roles: []string{"financial_assistant"}, Municipalities: []string{"0821"}},
		{Subject: "hl-0880", Name: "Handläggare Kalmar", Roles: []string{"caseworker"}, Municipalities: []string{"0880"}},
	} {
		if err := desk.SeeStaff(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	sys := skalig.ClientActor("sys", []string{"*"}, all)
	if _, err := reject(sys.For("ea-1")); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("for a financial assistant: %v, want EFORBIDDEN", err)
	}
	if _, err := reject(sys.For("hl-0880")); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("for another municipality's caseworker: %v, want ENOTFOUND", err)
	}
	res, err := reject(sys.For("hl-1"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Proposal == nil || res.Decision != nil {
		t.Fatalf("a rejection through a client skips four eyes: %+v", res)
	}
	if got := auditActors(t, e, c.ID, store.ActionDecisionProposed); len(got) != 1 || got[0] != "api:sys for caseworker:hl-1" {
		t.Fatalf("proposal audited as %v", got)
	}
	if err := e.wf.ReturnProposal(ctx, c.ID, caseworker("hl-2"), "Nej."); err != nil {
		t.Fatal(err)
	}
	// Approval as calculated is no departure: decided at once, audited as
	// the client acting for the person.
	res, err = e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: sys.For("hl-1"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
	if err != nil || res.Decision == nil || res.Decision.DecidedBy.Caseworker != "hl-1" {
		t.Fatalf("approve: %+v %v", res, err)
	}
	if got := decidedActor(t, e, c.ID); got != "api:sys for caseworker:hl-1" {
		t.Fatalf("decided by %q", got)
	}
}

// Submissions through a client are audited as the client.
func TestPolicySubmitAsClient(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	hs := demo.Generate(3, "0821", month, 2)
	if _, _, err := e.wf.SubmitAs(ctx, hs[0].App, skalig.ClientActor("sys", []string{"0880"}, skalig.DefaultClientActions)); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("other municipality: %v, want EFORBIDDEN", err)
	}
	if _, _, err := e.wf.SubmitAs(ctx, hs[0].App, skalig.ClientActor("sys", []string{"0821"}, []skalig.ClientAction{skalig.ClientRead})); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("without submit: %v, want EFORBIDDEN", err)
	}
	c, _, err := e.wf.SubmitAs(ctx, hs[0].App, skalig.ClientActor("sys", []string{"0821"}, skalig.DefaultClientActions))
	if err != nil {
		t.Fatal(err)
	}
	if got := auditActors(t, e, c.ID, store.ActionSubmitted); len(got) != 1 || got[0] != "api:sys" {
		t.Fatalf("submission audited as %v", got)
	}
	c2, _, err := e.wf.Submit(ctx, hs[1].App)
	if err != nil {
		t.Fatal(err)
	}
	if got := auditActors(t, e, c2.ID, store.ActionSubmitted); len(got) != 1 || got[0] != "applicant" {
		t.Fatalf("applicant's submission audited as %v", got)
	}
}
