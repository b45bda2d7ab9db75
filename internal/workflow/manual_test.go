package workflow_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/paramdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/manualcalc"
)

// paramsEnv is an env whose parameters are the embedded tables with the
// versions approved in its database (no 2027 yet).
func paramsEnv(t *testing.T) (*env, *paramdb.Store) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	ps := paramdb.New(db)
	src, err := ps.Source(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Config{Seed: 1})
	wf, err := workflow.New(workflow.Config{Cases: cases, ParamSource: src, Municipal: mun, Registers: s,
		RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, cases: cases, wf: wf, sim: s}, ps
}

// january2027 submits a plain January 2027 application (no 2027
// parameters) and returns its case, waiting with parameters_missing.
func january2027(t *testing.T, e *env, seed uint64) *skalig.Case {
	t.Helper()
	ctx := context.Background()
	h := demo.GenerateScenario(seed, "0821", skalig.MonthOf(2027, 1), demo.Plain, 1)[0]
	c, _, err := e.wf.Submit(ctx, h.App)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, err = e.cases.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonParametersMissing) {
		t.Fatalf("2027-01 without parameters: %s %v", c.State, c.RoutingReasons)
	}
	return c
}

func manualLines() []manualcalc.Line {
	return []manualcalc.Line{
		{Kind: manualcalc.Norm, Item: "Riksnorm, ensamstående vuxen", Amount: skalig.Kronor(4200), Basis: "SoL 12 kap. 3 §; riksnorm 2027 enligt SFS 2026:1100 (ännu inte i Skälig)"},
		{Kind: manualcalc.Cost, Item: "Hyra", Amount: skalig.Kronor(6500), Basis: "Hyresavi januari 2027"},
		{Kind: manualcalc.Income, Item: "Bostadsbidrag", Amount: skalig.Kronor(1800), Basis: "Försäkringskassan, beslut 2026-12-10"},
	}
}

// A month without parameters goes to a person with the named reason, and
// the person calculates it by hand, line by line with the basis of each,
// and decides on it: the lines are in the calculation's trace and the
// receipt, and replay reproduces the decision from the receipt alone.
func TestManualCalculationOfAMonthWithoutParameters(t *testing.T) {
	ctx := context.Background()
	e, _ := paramsEnv(t)
	c := january2027(t, e, 3)
	hl := caseworker("hl-1")
	if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: hl,
		Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(100)}); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("decision without a calculation: %v", err)
	}

	// Bad input names the field, in Swedish.
	bad := []struct {
		name  string
		lines []manualcalc.Line
		why   string
		field string
	}{
		{"no reason", manualLines(), "", "reason"},
		{"no lines", nil, "Norm saknas", "lines"},
		{"bad kind", []manualcalc.Line{{Kind: "gift", Item: "x", Amount: 1, Basis: "y"}}, "Norm saknas", "lines[0].kind"},
		{"no basis", []manualcalc.Line{{Kind: manualcalc.Norm, Item: "Riksnorm", Amount: skalig.Kronor(4200)}}, "Norm saknas", "lines[0].basis"},
		{"negative", []manualcalc.Line{{Kind: manualcalc.Norm, Item: "Riksnorm", Amount: skalig.Kronor(-1), Basis: "SoL"}}, "Norm saknas", "lines[0].amount"},
		{"no norm", []manualcalc.Line{{Kind: manualcalc.Cost, Item: "Hyra", Amount: skalig.Kronor(1), Basis: "Avi"}}, "Norm saknas", "lines"},
		{"unknown person", []manualcalc.Line{{Kind: manualcalc.Norm, Item: "Riksnorm", Person: "p9", Amount: 1, Basis: "SoL"}}, "Norm saknas", "lines[0].person"},
	}
	for _, tc := range bad {
		_, err := e.wf.CalculateManually(ctx, workflow.ManualCalculationRequest{CaseID: c.ID, Version: c.Version, Actor: hl, Lines: tc.lines, Reason: tc.why})
		if skalig.ErrorCode(err) != skalig.EINVALID || fieldOf(err) != tc.field {
			t.Errorf("%s: %v (field %q), want EINVALID on %s", tc.name, err, fieldOf(err), tc.field)
		}
	}
	if _, err := e.wf.CalculateManually(ctx, workflow.ManualCalculationRequest{CaseID: c.ID, Version: c.Version, Actor: financialAssistant("ek-1"),
		Lines: manualLines(), Reason: "Riksnormen för 2027 saknas"}); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("a financial assistant calculates by hand: %v", err)
	}

	calc, err := e.wf.CalculateManually(ctx, workflow.ManualCalculationRequest{CaseID: c.ID, Version: c.Version, Actor: hl,
		Lines: manualLines(), Reason: "Riksnormen för 2027 finns ännu inte i Skälig; beräknad enligt den kungjorda normen."})
	if err != nil {
		t.Fatal(err)
	}
	want := skalig.Kronor(4200 + 6500 - 1800)
	if calc.Output.Aid != want || calc.Output.Norm != skalig.Kronor(4200) || calc.Output.IncomeCounted != skalig.Kronor(1800) {
		t.Fatalf("manual calculation: aid %s norm %s income %s, want aid %s", calc.Output.Aid, calc.Output.Norm, calc.Output.IncomeCounted, want)
	}
	for _, l := range calc.Output.Trace {
		if l.Source != "caseworker" || l.Law == "" {
			t.Fatalf("trace line without caseworker source or basis: %+v", l)
		}
	}
	if got := traceLine(*calc, "manual_cost", ""); got == nil || got.Law != "Hyresavi januari 2027" {
		t.Fatalf("the cost line's basis: %+v", got)
	}
	// A case calculated by the engine on parameters in force is not
	// calculated by hand.
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: hl,
		Outcome: skalig.OutcomeApproved, Amount: want, Reasons: []string{"Beviljas enligt beräkning för hand."}})
	if err != nil || res.Decision == nil {
		t.Fatalf("decision on the manual calculation: %+v %v", res, err)
	}
	r, err := e.cases.Receipt(ctx, res.Decision.ReceiptHash)
	if err != nil {
		t.Fatal(err)
	}
	if r.ParamSet != manualcalc.ParamSet || r.Amount != want {
		t.Fatalf("receipt: param set %q amount %s", r.ParamSet, r.Amount)
	}
	lines, by, ok := manualcalc.LinesOf(r.Facts)
	if !ok || by != "hl-1" || !slices.Equal(lines, manualLines()) {
		t.Fatalf("receipt lines %+v by %q", lines, by)
	}
	rep, err := e.wf.Replay(ctx, res.Decision.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Identical || !rep.HashValid {
		t.Fatalf("replay of a manual calculation: %+v", rep)
	}
}

// Under four eyes the person who calculated by hand does not sign the
// decision on it; a proposal on the old calculation is returned when the
// case is calculated by hand.
func TestManualCalculationFourEyes(t *testing.T) {
	ctx := context.Background()
	e, _ := paramsEnv(t)
	fourEyes(t, e, true, true)
	c := january2027(t, e, 5)
	if _, err := e.wf.CalculateManually(ctx, workflow.ManualCalculationRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Lines: manualLines(), Reason: "Riksnormen för 2027 saknas"}); err != nil {
		t.Fatal(err)
	}
	want := skalig.Kronor(4200 + 6500 - 1800)
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-2"),
		Outcome: skalig.OutcomeApproved, Amount: want})
	if err != nil || res.Proposal == nil {
		t.Fatalf("decision on a manual calculation under four eyes: %+v %v", res, err)
	}
	if _, err := e.wf.SignProposal(ctx, c.ID, caseworker("hl-1")); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("the manual calculator signs: %v", err)
	}
	// A new manual calculation returns the proposal.
	lines := manualLines()
	lines[1].Amount = skalig.Kronor(6000)
	if _, err := e.wf.CalculateManually(ctx, workflow.ManualCalculationRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Lines: lines, Reason: "Ny hyresavi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := deskdb.New(e.db).PendingApproval(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("the proposal on the old calculation is still pending: %v", err)
	}
	d, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-2"),
		Outcome: skalig.OutcomeApproved, Amount: want - skalig.Kronor(500)})
	if err != nil || d.Proposal == nil {
		t.Fatalf("%+v %v", d, err)
	}
	dec, err := e.wf.SignProposal(ctx, c.ID, caseworker("hl-3"))
	if err != nil || dec.Amount != want-skalig.Kronor(500) {
		t.Fatalf("signature by a third caseworker: %+v %v", dec, err)
	}
}

// A case calculated by the engine on the parameters in force is not
// calculated by hand: a person adjusts its items instead.
func TestManualCalculationRefusedOnAFullCalculation(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	cs, _ := waitingCases(t, e, 1)
	_, err := e.wf.CalculateManually(context.Background(), workflow.ManualCalculationRequest{CaseID: cs[0].ID, Version: cs[0].Version,
		Actor: caseworker("hl-1"), Lines: manualLines(), Reason: "Prov"})
	if skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("manual calculation of a calculated case: %v", err)
	}
}

// An application for a month after the next is refused, naming the field:
// nothing about that month can be known yet.
func TestApplicationAtMostNextMonth(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	now := time.Now()
	last := workflow.LatestApplicationMonth(skalig.DateOf(now))
	h := demo.GenerateScenario(3, "0821", last+1, demo.Plain, 1)[0]
	if _, _, err := e.wf.Submit(context.Background(), h.App); skalig.ErrorCode(err) != skalig.EINVALID || fieldOf(err) != "month" {
		t.Fatalf("an application for %s: %v, want EINVALID on month", last+1, err)
	}
	h = demo.GenerateScenario(3, "0821", last, demo.Plain, 1)[0]
	if _, _, err := e.wf.Submit(context.Background(), h.App); err != nil {
		t.Fatalf("an application for next month %s: %v", last, err)
	}
}
