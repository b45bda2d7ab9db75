package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/municipal"
	"skalig/internal/payments"
	"skalig/internal/store/paymentdb"
)

// paidCase has the bank pay every ordered payment and returns a paid case
// of Högsby granting more than 1 000 kr, with its decision.
func (s *cwServer) paidCase(t *testing.T) (*skalig.Case, *skalig.Decision) {
	t.Helper()
	ctx := context.Background()
	debtor := payments.Debtor{Name: "Testkommunen", IBAN: "SE4550000000058398257466"}
	svc := payments.New(payments.Config{Cases: s.cases, Debtor: debtor})
	_, run, err := svc.Run(ctx, t.TempDir(), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := paymentdb.New(s.cases).RunPayments(ctx, run.ID)
	answer, err := payments.SimulatedNotification(run, ps, debtor, s.db.Clock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, answer, "e2e"); err != nil {
		t.Fatal(err)
	}
	for _, ids := range s.byKind {
		for _, id := range ids {
			c := s.reload(t, id)
			if d, err := s.cases.CaseDecision(ctx, id); err == nil && c.State == skalig.StatePaid && d.Amount > skalig.Kronor(1000) {
				return c, d
			}
		}
	}
	t.Fatal("no paid case")
	return nil, nil
}

// pressEnterOn moves the focus to the element id and presses Enter.
func pressEnterOn(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	eval[bool](t, ctx, `(() => { document.getElementById(`+cwJsString(id)+`).focus(); return true; })()`)
	if f := focused(t, ctx); f.ID != id || !f.Visible {
		t.Fatalf("focus on %+v, want #%s, visibly", f, id)
	}
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
}

// TestCaseworkerChangesDecisionOwnInitiativeFourEyes: under the four-eyes
// rule, Sara changes a paid decision on her own initiative to the
// applicant's disadvantage (the form asks for the FL 37 § ground), which
// becomes a proposal; Tomas opens it from the case page and signs it with
// the keyboard; the decision in force is his. Every page has no axe
// violation, in every language.
func TestCaseworkerChangesDecisionOwnInitiativeFourEyes(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	ctx0 := context.Background()
	c, d := s.paidCase(t)
	body, _ := json.Marshal(municipal.CaseworkSettings{FourEyesOverride: true, OverdueDays: 5})
	if err := s.mc.AddVersion(ctx0, &municipal.Change{Municipality: "0821", Kind: municipal.KindCasework, Version: "fyra ögon",
		From: c.Month, Body: body, Author: "admin-1", Reason: "e2e"}, c.Month); err != nil {
		t.Fatal(err)
	}
	base := s.URL + "/handlaggning/arenden/" + c.ID
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	pressEnterOn(t, ctx, "change-own")
	cwCheckA11yLangs(t, ctx, base+"/andra")
	lower := d.Amount - skalig.Kronor(500)
	cwClick(t, ctx, `input[name="outcome"][value="partly_approved"]`)
	cwTypeIn(t, ctx, "f-amount", lower.String())
	cwTypeIn(t, ctx, "f-note", "Du hade en inkomst som du inte uppgav.")
	pressEnterOn(t, ctx, "change-submit")
	if !strings.Contains(cwText(t, ctx, ".error-summary"), "37 § andra stycket") {
		t.Fatalf("no ground asked for: %s", cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)
	cwClick(t, ctx, `input[name="ground"][value="`+skalig.ReasonChangeWrongInformation+`"]`)
	cwClick(t, ctx, `input[name="kommunicering_exception"][value="`+skalig.ReasonKommuniceringUnnecessary+`"]`)
	cwTypeIn(t, ctx, "f-note_to_signer", "Lönebeskedet finns i akten.")
	pressEnterOn(t, ctx, "change-submit")
	if !strings.Contains(cwBodyText(t, ctx), "Ändringen väntar nu på en andra handläggares underskrift") {
		t.Fatalf("not proposed: %s", cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)
	if cur, _ := s.cases.CaseDecision(ctx0, c.ID); cur.ID != d.ID {
		t.Fatal("the decision changed before the second signature")
	}

	ctx2 := newTab(t)
	s.login(t, ctx2, devidp.TomasHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	pressEnterOn(t, ctx2, "pending-change-link")
	cwCheckA11yLangs(t, ctx2, base+"/andring")
	if txt := cwBodyText(t, ctx2); !strings.Contains(txt, "Lönebeskedet finns i akten.") || !strings.Contains(txt, "Felaktiga uppgifter från den sökande") {
		t.Fatalf("the proposal is not shown: %s", txt)
	}
	pressEnterOn(t, ctx2, "change-sign")
	if !strings.Contains(cwBodyText(t, ctx2), "Beslutet är ändrat") {
		t.Fatalf("not signed: %s", cwBodyText(t, ctx2))
	}
	checkA11y(t, ctx2)
	cur, err := s.cases.CaseDecision(ctx0, c.ID)
	if err != nil || cur.Amount != lower || cur.DecidedBy.Caseworker != devidp.TomasHandlaggarsson {
		t.Fatalf("decision in force %+v %v", cur, err)
	}
}

// TestCaseworkerGrantsMoreOnReviewByHand: the applicant asks for
// omprövning because the rent rose after the decision; the decider grants
// more than the case's calculation on a new calculation by hand, from the
// review page (the form offered only the calculated amount or less); the
// difference is paid once.
func TestCaseworkerGrantsMoreOnReviewByHand(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	ctx0 := context.Background()
	c, d := s.paidCase(t)
	app, err := s.cases.CaseApplication(ctx0, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.wf.RequestReview(ctx0, c.ID, app.Members[0].PersonalNumber, "Hyran höjdes med 1 000 kr i månaden."); err != nil {
		t.Fatal(err)
	}
	base := s.URL + "/handlaggning/arenden/" + c.ID + "/omprovning"
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID+"/omprovning")
	cwCheckA11yLangs(t, ctx, base)
	cwClick(t, ctx, `input[name="action"][value="change"]`)
	cwTypeIn(t, ctx, "f-note", "Hyran är högre från och med månaden.")
	cwClick(t, ctx, `input[name="outcome"][value="approved"]`)
	cwClick(t, ctx, `#change-manual summary`)
	// A line without the reason: the error names the field in the form.
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#f-lines-0--kind`), "norm")); err != nil {
		t.Fatal(err)
	}
	cwTypeIn(t, ctx, "f-lines-0--item", "Norm och kostnader enligt beslutet")
	cwTypeIn(t, ctx, "f-lines-0--amount", d.Amount.String())
	cwTypeIn(t, ctx, "f-lines-0--basis", "Beslut "+d.ID)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwText(t, ctx, ".error-summary"), "Skriv varför ärendet beräknas för hand") {
		t.Fatalf("no error for the missing reason: %s", cwText(t, ctx, ".error-summary"))
	}
	if open := eval[bool](t, ctx, `document.getElementById('change-manual').open`); !open {
		t.Error("the manual calculation is folded after an error in it")
	}
	checkA11y(t, ctx)
	cwTypeIn(t, ctx, "f-manual_reason", "Ny hyra efter beslutet.")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#f-lines-1--kind`), "cost")); err != nil {
		t.Fatal(err)
	}
	cwTypeIn(t, ctx, "f-lines-1--item", "Höjd hyra")
	cwTypeIn(t, ctx, "f-lines-1--amount", "1000")
	cwTypeIn(t, ctx, "f-lines-1--basis", "Ny hyresavi")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if es := cwText(t, ctx, ".error-summary"); es != "" {
		t.Fatalf("errors: %s", es)
	}
	checkA11y(t, ctx)
	cur, err := s.cases.CaseDecision(ctx0, c.ID)
	if err != nil || cur.Amount != d.Amount+skalig.Kronor(1000) || cur.Outcome != skalig.OutcomeApproved {
		t.Fatalf("decision in force %+v %v, want bifall %s", cur, err, d.Amount+skalig.Kronor(1000))
	}
}
