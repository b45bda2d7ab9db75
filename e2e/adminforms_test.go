package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skalig"
	"skalig/internal/auth/devidp"
)

// TestDelegationForm: an administrator lowers a case group's limit in the
// delegation form with the keyboard, previews what the change would route
// differently on the recent decided cases (the robot's decisions go to a
// caseworker), mistypes the amount and is told in Swedish which field,
// then saves the version. The form, its errors and the preview have no
// accessibility violation, in Swedish and Arabic and English.
func TestDelegationForm(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	var robot int
	if err := s.db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.municipality = '0821' AND d.decided_by_delegation <> ''`).Scan(&robot); err != nil {
		t.Fatal(err)
	}
	if robot == 0 {
		t.Fatal("the demo's robot decided nothing")
	}
	ctx := newTab(t)
	s.login(t, ctx, devidp.WilmaAdminsson, "/handlaggning/admin/routing")
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/admin/routing")

	// Press a button by moving to it with Tab and pressing Enter.
	press := func(value string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("f-d1_max_amount"))); err != nil {
			t.Fatal(err)
		}
		sel := `document.activeElement.type === "submit" && document.activeElement.value === "` + value + `"`
		for i := 0; i < 80 && !eval[bool](t, ctx, sel); i++ {
			pressKey(t, ctx, kb.Tab)
		}
		if !eval[bool](t, ctx, sel) {
			t.Fatalf("the %s button is not reached with Tab", value)
		}
		follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	}

	// A mistyped limit: the error names the case group and the field.
	cwTypeIn(t, ctx, "f-d1_max_amount", "tolv")
	press("preview")
	if got := cwText(t, ctx, ".error-summary"); !strings.Contains(got, "Ärendegrupp 2, högsta belopp") {
		t.Fatalf("error summary %q", got)
	}
	checkA11y(t, ctx)

	// Limits of 1 kr: the preview shows the robot's decisions going to a caseworker.
	cwTypeIn(t, ctx, "f-d0_max_amount", "1")
	cwTypeIn(t, ctx, "f-d1_max_amount", "1")
	press("preview")
	if got := cwText(t, ctx, "#preview-heading"); !strings.Contains(got, "Förhandsgranskning") {
		t.Fatalf("no preview: %s", cwBodyText(t, ctx))
	}
	if got := cwText(t, ctx, "#preview"); !strings.Contains(got, "Skälig beslutar → förslag till handläggare") {
		t.Errorf("the preview does not show the robot's cases going to a caseworker: %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#preview-caption ~ tbody tr').length`); n == 0 || n > robot {
		t.Errorf("%d cases in the preview's table, %d decided by the robot", n, robot)
	}
	checkA11y(t, ctx)

	// Without JavaScript: another case group is added, and the preview runs.
	nojs := newTabWithoutJS(t)
	s.login(t, nojs, devidp.WilmaAdminsson, "/handlaggning/admin/routing")
	follow(t, nojs, chromedp.Click(chromedp.CSS(`button[value="add_group"]`)))
	if n := eval[int](t, nojs, `document.querySelectorAll('input[name$="_max_amount"]').length`); n != 4 {
		t.Errorf("%d case groups after adding one without JavaScript, want 4", n)
	}
	cwTypeIn(t, nojs, "f-d1_max_amount", "1")
	follow(t, nojs, chromedp.Click(chromedp.CSS(`button[value="preview"]`)))
	if got := cwText(t, nojs, "#preview"); !strings.Contains(got, "förslag till handläggare") {
		t.Errorf("no preview without JavaScript: %q", got)
	}

	// Save: name, month and reason: a proposal, in force next month once a
	// second person has put it in force with a what-if run of it (the
	// path itself: TestCaseworkerAdministration).
	cwTypeIn(t, ctx, "f-version", "gräns 1 kr")
	cwTypeIn(t, ctx, "f-reason", "Nämnden drog tillbaka delegationen 2026-11-20 § 9.")
	press("save")
	if !strings.Contains(cwBodyText(t, ctx), "Förslaget är sparat.") {
		t.Fatalf("not proposed: %s", cwBodyText(t, ctx))
	}
	s.putInForce(t, strings.TrimPrefix(eval[string](t, ctx, `location.pathname`), "/handlaggning/admin/forslag/"))
	next := skalig.DateOf(time.Now()).Month() + 1
	rc, err := s.mc.Routing(context.Background(), "0821", next)
	if err != nil || rc.Version() != "gräns 1 kr" {
		t.Fatalf("next month's routing: %v, %v", rc.Version(), err)
	}
	if d := rc.Spec().Delegations; len(d) != 2 || d[0].MaxAmount != 1 || d[1].MaxAmount != 1 || !d[0].UnchangedOnly {
		t.Errorf("saved delegations %+v", d)
	}
}

// TestGuidelinesAndRuleTester: the guidelines as tables of amounts, a
// preview of a lower housing limit; the rule tester run on a case typed
// by its number, showing the values the rule read; a rule that does not
// compile named in Swedish. No accessibility violation.
func TestGuidelinesAndRuleTester(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	var number string
	if err := s.db.SQL().QueryRow(`SELECT c.number FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.municipality = '0821' ORDER BY c.id LIMIT 1`).Scan(&number); err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	s.login(t, ctx, devidp.WilmaAdminsson, "/handlaggning/admin/riktlinjer")
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/admin/riktlinjer")
	for i := range 6 {
		cwTypeIn(t, ctx, "f-h1_"+string(rune('0'+i)), "3000")
	}
	cwTypeIn(t, ctx, "f-h2_0", "3000")
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`button[value="preview"]`))); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	if got := cwText(t, ctx, "#preview"); !strings.Contains(got, "Förhandsgranskning") {
		t.Fatalf("no preview: %s", cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)

	navigate(t, ctx, s.URL+"/handlaggning/admin/regeltest")
	cwTypeIn(t, ctx, "f-arende", number)
	cwTypeIn(t, ctx, "f-expression", "household.persons > 2")
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("f-arende"))); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	if got := cwText(t, ctx, ".error-summary"); !strings.Contains(got, "fältet household.persons finns inte") {
		t.Fatalf("error summary %q", got)
	}
	checkA11y(t, ctx)
	cwTypeIn(t, ctx, "f-expression", "household.size >= 1")
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("f-arende"))); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	if got := cwText(t, ctx, ".cw-ruletest-result"); !strings.Contains(got, "Regeln gäller") || !strings.Contains(got, "household.size") {
		t.Fatalf("result %q", got)
	}
	checkA11y(t, ctx)
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/admin/regeltest")
}
