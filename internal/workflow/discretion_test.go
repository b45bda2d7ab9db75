package workflow_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/demo"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/rules"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

func latest(t *testing.T, e *env, caseID string) (*skalig.Case, casecalc.Calculation, casecalc.RoutingRecord) {
	t.Helper()
	ctx := context.Background()
	c, err := e.cases.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var calc casecalc.Calculation
	if err := e.cases.LatestRecord(ctx, caseID, store.RecordCalculation, &calc); err != nil {
		t.Fatal(err)
	}
	var rec casecalc.RoutingRecord
	if err := e.cases.LatestRecord(ctx, caseID, store.RecordRouting, &rec); err != nil {
		t.Fatal(err)
	}
	return c, calc, rec
}

func traceLine(calc casecalc.Calculation, item, person string) *calcformat.Line {
	for i, l := range calc.Output.Trace {
		if l.Item == item && (person == "" || l.Person == person) {
			return &calc.Output.Trace[i]
		}
	}
	return nil
}

// The problem of issue 13: a caseworker approves glasses 1 450 kr through
// Justera; the recalculation must include them, cite the caseworker and
// the reason, and the proposal must be bifall (everything applied for is
// granted). A refusal (0 kr) makes it delvis bifall.
func TestAdjustApprovedOtherNeedEntersTheAmount(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	var ids []string
	for _, h := range demo.GenerateScenario(3, "0821", month, demo.OtherNeed, 6) {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	e.run(t)
	var c *skalig.Case
	var before casecalc.Calculation
	for _, id := range ids {
		cc, calc, rec := latest(t, e, id)
		if cc.State == skalig.StateAwaitingCaseworker && calc.Output != nil && calc.Output.Aid > 0 {
			if rec.Outcome.Outcome != skalig.OutcomePartlyApproved || !calc.Reduced {
				t.Fatalf("before the approval: outcome %s reduced %v", rec.Outcome.Outcome, calc.Reduced)
			}
			c, before = cc, calc
			break
		}
	}
	if c == nil {
		t.Fatal("no other-need case with aid waits for a person")
	}
	if before.Output.OtherCosts != 0 || !slices.Contains(before.Output.ReviewReasons, "other_cost_claimed") {
		t.Fatalf("before: other_costs %v reasons %v", before.Output.OtherCosts, before.Output.ReviewReasons)
	}
	glasses := skalig.Fact{Kind: skalig.KindOtherNeedPrefix + "1", Value: skalig.AmountValue(skalig.Kronor(1450))}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-7"), []skalig.Fact{glasses}, "Glasögon behövs enligt synundersökningen"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, calc, rec := latest(t, e, c.ID)
	o := calc.Output
	if o.OtherCosts != skalig.Kronor(1450) || o.Aid != before.Output.Aid+skalig.Kronor(1450) {
		t.Fatalf("after the approval: other_costs %v aid %v (before %v)", o.OtherCosts, o.Aid, before.Output.Aid)
	}
	if slices.Contains(o.ReviewReasons, "other_cost_claimed") {
		t.Errorf("the approved need still makes the calculation needs_review: %v", o.ReviewReasons)
	}
	l := traceLine(calc, "other_cost", "")
	if l == nil || l.Source != "caseworker" || l.Amount != skalig.Kronor(1450) || !strings.Contains(l.Text, "hl-7") ||
		!strings.Contains(l.Text, "synundersökningen") || !strings.Contains(l.Law, "12 kap. 1 §") {
		t.Fatalf("other_cost line %+v", l)
	}
	if calc.Reduced || rec.Outcome.Outcome != skalig.OutcomeApproved || rec.Aid != o.Aid {
		t.Fatalf("outcome %s reduced %v aid %v, want bifall", rec.Outcome.Outcome, calc.Reduced, rec.Aid)
	}
	if c.State != skalig.StateAwaitingCaseworker || slices.Contains(c.RoutingReasons, "other_cost_claimed") {
		t.Errorf("state %s reasons %v", c.State, c.RoutingReasons)
	}
	// The receipt's facts hold what was applied for, the approval and why,
	// and give the same calculation again.
	var applied, approved, why bool
	for _, f := range calc.Facts {
		switch {
		case f.Kind == glasses.Kind && f.Source == skalig.SourceApplicant:
			applied = true
		case f.Kind == glasses.Kind && f.Source == skalig.SourceCaseworker && f.RecordedBy != "":
			approved = true
		case f.Kind == glasses.Kind+skalig.KindReasonSuffix:
			why = true
		}
	}
	if !applied || !approved || !why {
		t.Fatalf("receipt facts: applied %v approved %v reason %v", applied, approved, why)
	}
	app, err := e.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	recalc(t, app.Members, calc)

	// Refused: 0 kr approved of 1 450 applied for is delvis bifall.
	refuse := skalig.Fact{Kind: glasses.Kind, Value: skalig.AmountValue(0)}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-7"), []skalig.Fact{refuse}, "Behovet kan tillgodoses på annat sätt"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	_, calc, rec = latest(t, e, c.ID)
	if calc.Output.OtherCosts != 0 || !calc.Reduced || rec.Outcome.Outcome != skalig.OutcomePartlyApproved {
		t.Fatalf("after the refusal: other_costs %v reduced %v outcome %s", calc.Output.OtherCosts, calc.Reduced, rec.Outcome.Outcome)
	}
}

// recalc runs BuildInput and the engine on the calculation's facts alone,
// as replay does, and compares the figures.
func recalc(t *testing.T, members []skalig.Member, calc casecalc.Calculation) {
	t.Helper()
	m, _ := skalig.ParseMonth(calc.Month)
	in, _, err := casecalc.BuildInput(m, members, calc.Facts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := p.At(m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rules.Calculate(in, ps, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.OtherCosts != calc.Output.OtherCosts || res.NormAdjustment != calc.Output.NormAdjustment || res.Beyond != calc.Output.BeyondCalculation {
		t.Errorf("the receipt's facts give other %v norm %v beyond %v, the calculation %v %v %v",
			res.OtherCosts, res.NormAdjustment, res.Beyond, calc.Output.OtherCosts, calc.Output.NormAdjustment, calc.Output.BeyondCalculation)
	}
}

// A higher norm and aid beyond the calculation set through Justera enter
// the amount with their own legal basis, who and why.
func TestAdjustNormAndAidBeyond(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, before := firstCase(t, e)
	facts := []skalig.Fact{
		{Kind: skalig.KindNormAdjustment, Value: skalig.AmountValue(skalig.Kronor(500))},
		{Kind: skalig.KindBeyondPrefix + "1", Value: skalig.AmountValue(skalig.Kronor(2000))},
		{Kind: skalig.KindBeyondPrefix + "1.text", Value: skalig.TextValue("Begravning")},
	}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-3"), facts, "Särskild kost enligt läkarintyg; begravningskostnad"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	_, calc, rec := latest(t, e, c.ID)
	o := calc.Output
	if o.NormAdjustment != skalig.Kronor(500) || o.BeyondCalculation != skalig.Kronor(2000) || o.Aid != before.Output.Aid+skalig.Kronor(2500) {
		t.Fatalf("norm_adjustment %v beyond %v aid %v (before %v)", o.NormAdjustment, o.BeyondCalculation, o.Aid, before.Output.Aid)
	}
	n, b := traceLine(calc, "norm_adjustment", ""), traceLine(calc, "beyond_calculation", "")
	if n == nil || n.Source != "caseworker" || !strings.Contains(n.Law, "12 kap. 7 § tredje stycket") || !strings.Contains(n.Text, "hl-3") || !strings.Contains(n.Text, "Särskild kost") {
		t.Errorf("norm_adjustment line %+v", n)
	}
	if b == nil || b.Source != "caseworker" || !strings.Contains(b.Law, "12 kap. 2 §") || !strings.Contains(b.Text, "Begravning") {
		t.Errorf("beyond_calculation line %+v", b)
	}
	if rec.Outcome.Outcome != skalig.OutcomeApproved || rec.Aid != o.Aid {
		t.Errorf("outcome %s aid %v", rec.Outcome.Outcome, rec.Aid)
	}
	app, err := e.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	recalc(t, app.Members, calc)
	// An applicant cannot set the norm or grant aid beyond: such declared
	// facts do not count.
	in, _, err := casecalc.BuildInput(month, app.Members, []skalig.Fact{
		{Kind: skalig.KindNormAdjustment, Period: month, Value: skalig.AmountValue(skalig.Kronor(9000)), Source: skalig.SourceApplicant},
		{Kind: skalig.KindBeyondPrefix + "1", Period: month, Value: skalig.AmountValue(skalig.Kronor(9000)), Source: skalig.SourceApplicant},
		{Kind: skalig.KindCostPrefix + "housing" + skalig.KindApprovedSuffix, Period: month, Value: skalig.AmountValue(skalig.Kronor(9000)), Source: skalig.SourceApplicant},
	})
	if err != nil || in.NormAdjustment != nil || len(in.Costs) != 0 {
		t.Fatalf("applicant's discretion facts count: %v %+v %+v", err, in.NormAdjustment, in.Costs)
	}
}
