package applicant

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/store"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// Withdrawing an application not yet decided: the case page links to a
// confirmation page; without the confirmation nothing happens, with it the
// case is withdrawn and the page says so.
func TestWithdrawOnMinaSidor(t *testing.T) {
	e := newAppEnv(t)
	elin := devidp.ElinExempelsson
	c := e.apply(elin, single)
	e.run()
	page := e.get(elin, CasePathPrefix+c.ID)
	if !strings.Contains(page, CasePathPrefix+c.ID+"/ta-tillbaka") {
		t.Fatal("the case page has no link to withdraw")
	}
	page = e.get(elin, CasePathPrefix+c.ID+"/ta-tillbaka")
	if !strings.Contains(page, "Inget betalas ut för ansökan") || !strings.Contains(page, `name="confirm"`) {
		t.Fatal("the confirmation page")
	}
	if r := e.do(devidp.AlvaTestsson, "GET", CasePathPrefix+c.ID+"/ta-tillbaka", nil); r.status != http.StatusNotFound {
		t.Fatalf("another person's withdrawal page: %d", r.status)
	}
	r := e.do(elin, "POST", CasePathPrefix+c.ID+"/ta-tillbaka", url.Values{})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "kryssa i rutan för att bekräfta") || !strings.Contains(r.body, `href="#f-confirm"`) {
		t.Fatalf("withdraw without confirming: %d\n%s", r.status, errorsOf(r.body))
	}
	if got := e.post(elin, CasePathPrefix+c.ID+"/ta-tillbaka", url.Values{"confirm": {"yes"}}); !strings.Contains(got, "skickat=aterkallad") {
		t.Fatalf("withdraw: to %s", got)
	}
	if c, _ := e.cases.Case(context.Background(), c.ID); c.State != skalig.StateWithdrawn {
		t.Fatalf("state %s", c.State)
	}
	page = e.get(elin, CasePathPrefix+c.ID+"?skickat=aterkallad")
	if !strings.Contains(page, "Du har tagit tillbaka ansökan") || strings.Contains(page, CasePathPrefix+c.ID+"/ta-tillbaka\"") {
		t.Fatal("the case page after withdrawing")
	}
	r = e.do(elin, "POST", CasePathPrefix+c.ID+"/ta-tillbaka", url.Values{"confirm": {"yes"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "redan återtagen") {
		t.Fatalf("withdraw twice: %d\n%s", r.status, errorsOf(r.body))
	}
}

// Kommunicering and appeal on Mina sidor: the applicant answers the
// information sent for comment; after the decision the page shows the
// last day to appeal, takes the appeal, and follows it to the court.
func TestKommuniceringAndAppealOnMinaSidor(t *testing.T) {
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
	due := skalig.DateOf(time.Now().AddDate(0, 0, 10))
	if err := e.wf.SendForComment(ctx, c.ID, c.Version, hl, "Skatteverket uppger en lön på 3 000 kr i oktober.", due); err != nil {
		t.Fatal(err)
	}
	page := e.get(elin, CasePathPrefix+c.ID)
	if !strings.Contains(page, "Du får yttra dig innan vi beslutar") || !strings.Contains(page, "3 000 kr i oktober") {
		t.Fatal("the case page does not show the kommunicering")
	}
	r := e.do(elin, "POST", CasePathPrefix+c.ID+"/yttrande", url.Values{"comment_text": {" "}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#f-comment_text"`) {
		t.Fatalf("empty comment: %d\n%s", r.status, errorsOf(r.body))
	}
	if got := e.post(elin, CasePathPrefix+c.ID+"/yttrande", url.Values{"comment_text": {"Lönen gällde september."}}); !strings.Contains(got, "skickat=yttrande") {
		t.Fatalf("comment: to %s", got)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker || !strings.Contains(strings.Join(c.RoutingReasons, ","), skalig.ReasonKommuniceringAnswered) {
		t.Fatalf("after the comment: %s %v", c.State, c.RoutingReasons)
	}
	if page := e.get(elin, CasePathPrefix+c.ID+"?skickat=yttrande"); !strings.Contains(page, "Ditt yttrande har skickats") {
		t.Fatal("no notice of the comment")
	}
	var calc casecalc.Calculation
	if err := e.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
		t.Fatalf("calculation: %v", err)
	}
	if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: hl,
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); err != nil {
		t.Fatal(err)
	}
	e.run()
	page = e.get(elin, CasePathPrefix+c.ID)
	if !strings.Contains(page, "Sista dag att överklaga") || !strings.Contains(page, `name="appeal_text"`) {
		t.Fatal("the case page has no appeal form with the last day")
	}
	r = e.do(elin, "POST", CasePathPrefix+c.ID+"/overklagande", url.Values{"appeal_text": {""}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#f-appeal_text"`) {
		t.Fatalf("empty appeal: %d\n%s", r.status, errorsOf(r.body))
	}
	if got := e.post(elin, CasePathPrefix+c.ID+"/overklagande", url.Values{"appeal_text": {"Hyran är högre än beräkningen."}}); !strings.Contains(got, "skickat=overklagande") {
		t.Fatalf("appeal: to %s", got)
	}
	page = e.get(elin, CasePathPrefix+c.ID+"?skickat=overklagande")
	for _, want := range []string{"Ditt överklagande har kommit in", "Överklagande (", "prövas", "Du överklagade beslutet."} {
		if !strings.Contains(page, want) {
			t.Errorf("after the appeal the page lacks %q", want)
		}
	}
	if strings.Contains(page, `name="appeal_text"`) {
		t.Error("the appeal form is still offered while the appeal is open")
	}
	rs, _ := e.cases.CaseReviewRequests(ctx, c.ID)
	if _, err := e.wf.ForwardAppeal(ctx, rs[0].ID, hl, ""); err != nil {
		t.Fatal(err)
	}
	page = e.get(elin, CasePathPrefix+c.ID)
	for _, want := range []string{"skickat till förvaltningsrätten", "Överklagandet skickades till förvaltningsrätten."} {
		if !strings.Contains(page, want) {
			t.Errorf("after forwarding the page lacks %q", want)
		}
	}
}

// The e-service offers at most the month in force and the next one: with
// both applied for, Mina sidor offers nothing more and a new application
// cannot be started.
func TestEServiceOffersAtMostNextMonth(t *testing.T) {
	e := newAppEnv(t)
	elin := devidp.ElinExempelsson
	pn := mustPN(t, elin)
	cur := e.srv.MonthInForce()
	for i, mo := range []skalig.Month{cur, cur + 1} {
		app := &skalig.Application{Municipality: "0821", Kind: skalig.MonthlyApplication, Month: mo, IdempotencyKey: "next-" + mo.String(),
			Members: []skalig.Member{{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant}},
			Facts:   []skalig.Fact{{Kind: "cost.housing", Period: mo, Value: skalig.AmountValue(skalig.Kronor(4100 + int64(i))), Source: skalig.SourceApplicant}}}
		if _, _, err := e.wf.Submit(context.Background(), app); err != nil {
			t.Fatal(err)
		}
	}
	page := e.get(elin, MinaSidorPath)
	if !strings.Contains(page, "Du har ansökt för månaden i kraft och nästa månad") || strings.Contains(page, `action="/ansokan"`) {
		t.Fatalf("Mina sidor offers an application beyond the next month:\n%s", page)
	}
	if got := e.post(elin, "/ansokan", url.Values{}); got != MinaSidorPath {
		t.Fatalf("starting an application: to %s", got)
	}
}
