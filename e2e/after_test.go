package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// TestApplicantCommentsAppealsAndWithdraws: on Mina sidor the applicant
// answers a kommunicering, appeals the decision (the last day shown) and
// follows the appeal; another applicant withdraws an application after
// confirming it. Every page has no axe violation.
func TestApplicantCommentsAppealsAndWithdraws(t *testing.T) {
	s := startSite(t)
	ctx0 := context.Background()
	c := s.submitMonthly(t, devidp.AlvaTestsson, skalig.FirstApplication)
	s.runJobs(t)
	c, _ = s.Cases.Case(ctx0, c.ID)
	hl := skalig.PersonActor("hl-1", []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"})
	if err := s.WF.SendForComment(ctx0, c.ID, c.Version, hl, "Skatteverket uppger en lön på 3 000 kr i oktober.", skalig.DateOf(time.Now().AddDate(0, 0, 7))); err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.case-item a`)))
	wantText(t, ctx, "Du får yttra dig innan vi beslutar", "3 000 kr i oktober")
	// The state says what is asked: a comment, not documents.
	if txt := eval[string](t, ctx, `document.getElementById('status-text').textContent`); strings.Contains(txt, "behöver fler uppgifter") || !strings.Contains(txt, "yttra dig") {
		t.Errorf("state text %q while only a comment is asked for", txt)
	}
	checkA11yLangs(t, ctx)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action$="/yttrande"] button`)))
	wantText(t, ctx, "Ditt yttrande")
	checkA11y(t, ctx)
	typeInto(t, ctx, "f-comment_text", "Lönen gällde september.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action$="/yttrande"] button`)))
	wantText(t, ctx, "Ditt yttrande har skickats")
	checkA11y(t, ctx)

	// The decision; then the appeal.
	c, _ = s.Cases.Case(ctx0, c.ID)
	var calc casecalc.Calculation
	if err := s.Cases.LatestRecord(ctx0, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
		t.Fatalf("calculation: %v", err)
	}
	if _, err := s.WF.Decide(ctx0, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: hl,
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	navigate(t, ctx, s.URL+"/mina-sidor/arenden/"+c.ID)
	wantText(t, ctx, "Överklaga beslutet här", "Sista dag att överklaga")
	checkA11yLangs(t, ctx)
	typeInto(t, ctx, "f-appeal_text", "Hyran är högre än i beräkningen.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action$="/overklagande"] button`)))
	wantText(t, ctx, "Ditt överklagande har kommit in", "prövas", "Du överklagade beslutet.")
	checkA11y(t, ctx)

	// Bo withdraws his application.
	b := s.submitMonthly(t, devidp.BoProvsson, skalig.FirstApplication)
	s.runJobs(t)
	ctx2 := newTab(t)
	login(t, ctx2, s, devidp.BoProvsson)
	navigate(t, ctx2, s.URL+"/mina-sidor/arenden/"+b.ID)
	follow(t, ctx2, chromedp.Click(chromedp.CSS(`a[href$="/ta-tillbaka"]`)))
	wantText(t, ctx2, "Inget betalas ut för ansökan")
	checkA11yLangs(t, ctx2)
	follow(t, ctx2, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	wantText(t, ctx2, "kryssa i rutan för att bekräfta")
	checkA11y(t, ctx2)
	click(t, ctx2, "f-confirm")
	follow(t, ctx2, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	wantText(t, ctx2, "Du har tagit tillbaka ansökan")
	checkA11y(t, ctx2)
	if b, _ = s.Cases.Case(ctx0, b.ID); b.State != skalig.StateWithdrawn {
		t.Fatalf("Bo's case is %s", b.State)
	}
}

// TestCaseworkerManualCalculationReviewAndParameters: a caseworker
// calculates a month without parameters by hand, sends a case for
// comment, answers a review request from the queue; an administrator
// loads a parameter file. Every page has no axe violation.
func TestCaseworkerManualCalculationReviewAndParameters(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	ctx0 := context.Background()
	h := demo.GenerateScenario(4, "0821", skalig.MonthOf(2027, 1), demo.Plain, 1)[0]
	jan, _, err := s.wf.Submit(ctx0, h.App)
	if err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+jan.ID)
	// The case page points to the way forward (by hand, or wait for the
	// parameters), not to adjusting items that cannot help; it proposes no
	// "avslag" for a case it could not calculate; and the internal id is
	// not called the case number.
	if todo := cwText(t, ctx, "#glance-todo"); !strings.Contains(todo, "Beräkna ärendet för hand") || strings.Contains(todo, "justera") {
		t.Errorf("summary to do %q, want the manual calculation", todo)
	}
	if txt := cwText(t, ctx, "#no-calc"); !strings.Contains(txt, "för hand") {
		t.Errorf("actions say %q, want the manual calculation", txt)
	}
	if txt := cwText(t, ctx, "#reasons-heading + p"); strings.Contains(txt, "avslag") || strings.Contains(txt, "leder till") {
		t.Errorf("routing line %q: an outcome for a case without a calculation", txt)
	}
	if txt := cwText(t, ctx, "main .cw-summary"); strings.Contains(txt, "Ärendenummer") && strings.Contains(txt, jan.ID) {
		t.Errorf("the internal id is labelled as the case number: %q", txt)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/berakna"]`)))
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+jan.ID+"/berakna")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwText(t, ctx, ".error-summary"), "Varför beräknas ärendet för hand") {
		t.Fatalf("no errors: %s", cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)
	cwTypeIn(t, ctx, "f-reason", "Riksnormen för 2027 finns ännu inte i Skälig.")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#f-lines-0--kind`), "norm")); err != nil {
		t.Fatal(err)
	}
	cwTypeIn(t, ctx, "f-lines-0--item", "Riksnorm, ensamstående")
	cwTypeIn(t, ctx, "f-lines-0--amount", "4 200")
	cwTypeIn(t, ctx, "f-lines-0--basis", "SoL 12 kap. 3 §; riksnorm 2027")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwBodyText(t, ctx), "Beräkningen för hand är sparad") {
		t.Fatalf("not saved: %s", cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)

	// Kommunicering of a case with a person.
	c := s.caseWhere(t, demo.Message, func(c *skalig.Case) bool { return c.State == skalig.StateAwaitingCaseworker })
	navigate(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID+"/kommunicera")
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID+"/kommunicera")
	cwTypeIn(t, ctx, "f-text", "Skatteverket uppger en lön på 3 000 kr i oktober.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwBodyText(t, ctx), "Uppgifterna är skickade för yttrande") {
		t.Fatalf("not sent: %s", cwBodyText(t, ctx))
	}
	if c = s.reload(t, c.ID); c.State != skalig.StateAwaitingApplicant {
		t.Fatalf("after kommunicering: %s", c.State)
	}

	// A review request in the queue.
	var decided *skalig.Case
	for _, ids := range s.byKind {
		for _, id := range ids {
			if x := s.reload(t, id); !x.DecidedAt.IsZero() && decided == nil {
				decided = x
			}
		}
	}
	if decided == nil {
		t.Fatal("no decided case")
	}
	app, _ := s.cases.CaseApplication(ctx0, decided.ID)
	if err := s.wf.RequestReview(ctx0, decided.ID, app.Members[0].PersonalNumber, "Hyran är fel."); err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, s.URL+"/handlaggning/omprovning")
	// The queue says whose request it is: the applicant's name and the
	// case number, not only the kind and the text.
	if row := cwText(t, ctx, "main table tbody tr"); !strings.Contains(row, app.Members[0].Name) || !strings.Contains(row, decided.Number) {
		t.Errorf("review queue row %q, want %s and %s", row, app.Members[0].Name, decided.Number)
	}
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/omprovning")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/omprovning"][href*="/arenden/"]`)))
	checkA11y(t, ctx)
	cwClick(t, ctx, `input[name="action"][value="keep"]`)
	cwTypeIn(t, ctx, "f-note", "Hyran i beslutet är den i hyresavtalet.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwBodyText(t, ctx), "Begäran är prövad") {
		t.Fatalf("not resolved: %s", cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)

	// An administrator loads a bad parameter file: the line and the field.
	dir := t.TempDir()
	good, err := os.ReadFile("../internal/params/testdata/year-2027-testdata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "riksnorm-2027.tsv")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(good), "\tofficial\t", "\tofficiell\t", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctxA := newTab(t)
	s.login(t, ctxA, devidp.WilmaAdminsson, "/handlaggning/parametrar")
	if err := chromedp.Do(ctxA, chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{bad})); err != nil {
		t.Fatal(err)
	}
	follow(t, ctxA, chromedp.Click(chromedp.CSS(`form[action$="/parametrar/import"] button`)))
	if !strings.Contains(cwText(t, ctxA, ".error-summary"), "riksnorm-2027.tsv rad") {
		t.Fatalf("the bad file was not refused: %s", cwBodyText(t, ctxA))
	}
	checkA11y(t, ctxA)
}
