package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

// TestCaseworkerGrantsDiscretion: on the page Justera a caseworker raises
// the norm for special reasons and grants an item of aid beyond the
// calculation, typing and using the keyboard; the recalculated proposal
// holds both, and the approved decision's amount includes them.
func TestCaseworkerGrantsDiscretion(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	var c *skalig.Case
	for _, sc := range []demo.Scenario{demo.Family, demo.First} {
		for _, id := range s.byKind[sc] {
			cs := s.reload(t, id)
			if c == nil && cs.State == skalig.StateAwaitingCaseworker && (slices.Contains(cs.RoutingReasons, "outside_delegation") ||
				slices.Equal(cs.RoutingReasons, []string{"first_application"})) {
				c = cs
			}
		}
	}
	if c == nil {
		t.Fatal("no proposal among the households")
	}
	ctx := context.Background()
	var before casecalc.Calculation
	if err := s.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &before); err != nil || before.Output == nil {
		t.Fatalf("no calculation: %v", err)
	}
	tab := newTab(t)
	base := s.URL + "/handlaggning/arenden/" + c.ID
	s.login(t, tab, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	follow(t, tab, chromedp.Click(chromedp.CSS(`main a[href$="/justera"]`)))
	cwCheckA11yLangs(t, tab, base+"/justera")

	// The norm: sent empty first, the fields are named.
	follow(t, tab, chromedp.Click(chromedp.CSS(`a[href$="post=norm.adjustment"]`)))
	cwCheckA11yLangs(t, tab, base+"/justera?post=norm.adjustment")
	follow(t, tab, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	got := cwText(t, tab, ".error-summary")
	for _, want := range []string{"Ska normen höjas eller sänkas: välj", "Belopp per månad som normen ändras med", "Skäl"} {
		if !strings.Contains(got, want) {
			t.Errorf("error summary %q lacks %q", got, want)
		}
	}
	checkA11y(t, tab)
	// The radio chosen with the keyboard: focus it, press space.
	if err := chromedp.Do(tab, chromedp.Focus(chromedp.CSS(`input[name="direction"][value="raise"]`))); err != nil {
		t.Fatal(err)
	}
	pressKey(t, tab, " ")
	cwTypeIn(t, tab, "f-amount", "500")
	cwTypeIn(t, tab, "f-reason", "Särskild kost enligt läkarintyg.")
	follow(t, tab, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwBodyText(t, tab), "Uppgiften är justerad") {
		t.Fatalf("no confirmation after the norm: %s", cwBodyText(t, tab))
	}
	s.settle(t)

	// Aid beyond the calculation: one item, the amount written the Swedish way.
	navigate(t, tab, base+"/justera?post=beyond")
	checkA11y(t, tab)
	cwTypeIn(t, tab, "f-text1", "Begravning")
	cwTypeIn(t, tab, "f-amount1", "2 000")
	cwTypeIn(t, tab, "f-reason1", "Begravningskostnad som dödsboet inte räcker till.")
	follow(t, tab, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwBodyText(t, tab), "Uppgiften är justerad") {
		t.Fatalf("no confirmation after the aid beyond: %s", cwBodyText(t, tab))
	}
	s.settle(t)

	var calc casecalc.Calculation
	if err := s.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
		t.Fatalf("no calculation: %v", err)
	}
	want := before.Output.Aid + skalig.Kronor(2500)
	if calc.Output.NormAdjustment != skalig.Kronor(500) || calc.Output.BeyondCalculation != skalig.Kronor(2000) || calc.Output.Aid != want {
		t.Fatalf("norm %v beyond %v aid %v, want aid %v", calc.Output.NormAdjustment, calc.Output.BeyondCalculation, calc.Output.Aid, want)
	}

	// The case page shows them in the trace, with who and why; approve with
	// the keyboard ("a", Enter) and confirm.
	navigate(t, tab, base)
	checkA11y(t, tab)
	body := cwBodyText(t, tab)
	for _, w := range []string{"Särskild kost enligt läkarintyg", "Begravning"} {
		if !strings.Contains(body, w) {
			t.Errorf("case page lacks %q", w)
		}
	}
	pressKey(t, tab, "a")
	if f := focused(t, tab); f.ID != "approve" || !f.Visible {
		t.Fatalf("after a: focus on %+v, want the approve button, visibly", f)
	}
	follow(t, tab, chromedp.KeyEvent(kb.Enter))
	checkA11y(t, tab)
	follow(t, tab, chromedp.Click(chromedp.ID("approve-confirm")))
	if _, err := s.cases.CaseDecision(ctx, c.ID); err != nil {
		// The delegation asks for a second person: Tomas signs.
		tab2 := newTab(t)
		s.login(t, tab2, devidp.TomasHandlaggarsson, "/handlaggning/arenden/"+c.ID)
		follow(t, tab2, chromedp.Click(chromedp.CSS(`form[action$="/signera"] button[type="submit"]`)))
	}
	d, err := s.cases.CaseDecision(ctx, c.ID)
	if err != nil || d.Outcome != skalig.OutcomeApproved || d.Amount != want {
		t.Fatalf("decision %+v, %v; want bifall %v", d, err, want)
	}
	navigate(t, tab, base)
	if got := cwBodyText(t, tab); !strings.Contains(got, want.Swedish()) && !strings.Contains(got, strings.ReplaceAll(want.Swedish(), " ", "\u00a0")) {
		t.Errorf("the case page does not show the decided amount %s", want.Swedish())
	}
}

// TestCaseworkerSeesWhatAnOtherNeedIs: a case asking for another need
// (glasses) names the need by what the applicant wrote, in the comparison
// on the case page, in the list of items to adjust and on the adjustment
// form: "Annat behov 1" alone does not say what is to be decided.
func TestCaseworkerSeesWhatAnOtherNeedIs(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.caseWhere(t, demo.OtherNeed, func(c *skalig.Case) bool { return c.State == skalig.StateAwaitingCaseworker })
	tab := newTab(t)
	base := s.URL + "/handlaggning/arenden/" + c.ID
	s.login(t, tab, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	const want = "Annat behov 1: Glasögon (synundersökning bifogas)"
	if !strings.Contains(cwBodyText(t, tab), want) {
		t.Errorf("the case page does not name the need %q", want)
	}
	navigate(t, tab, base+"/justera")
	if !strings.Contains(cwText(t, tab, "main"), want) {
		t.Errorf("the items to adjust do not name the need %q", want)
	}
	follow(t, tab, chromedp.Click(chromedp.CSS(`a[href$="post=need.other.1"]`)))
	if !strings.Contains(cwText(t, tab, "main"), want) {
		t.Errorf("the adjustment form does not name the need %q", want)
	}
	checkA11y(t, tab)
	// Approved: the calculation on the case page says who approved it by
	// name, not by the login subject.
	cwClick(t, tab, `input[name="need"][value="approve"]`)
	cwTypeIn(t, tab, "f-reason", "Synundersökning visar behov.")
	follow(t, tab, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	s.settle(t)
	navigate(t, tab, base)
	body := cwBodyText(t, tab)
	if strings.Contains(body, "av "+devidp.SaraHandlaggarsson) || !strings.Contains(body, "av Sara Handläggarsson") {
		t.Errorf("the calculation does not name who approved the glasses: %s", body)
	}
}
