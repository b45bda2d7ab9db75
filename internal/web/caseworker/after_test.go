package caseworker_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/manualcalc"
)

// A month without parameters: the case page offers a calculation by hand;
// the form names every bad field in Swedish; the saved calculation is the
// case's, and the caseworker approves it.
func TestCaseworkerManualCalculation(t *testing.T) {
	e := newCWEnv(t, 2)
	ctx := context.Background()
	sara, ulla := devidp.SaraHandlaggarsson, devidp.UllaEkonomsson
	h := demo.GenerateScenario(4, "0821", skalig.MonthOf(2027, 1), demo.Plain, 1)[0]
	c, _, err := e.WF.Submit(ctx, h.App)
	if err != nil {
		t.Fatal(err)
	}
	e.Run(t)
	c, _ = e.Cases.Case(ctx, c.ID)
	base := "/handlaggning/arenden/" + c.ID
	res := e.Get(t, sara, base)
	mustContain(t, res.Body, base+"/berakna")
	res = e.Get(t, sara, base+"/berakna")
	wantStatus(t, res, 200, "manual form")
	mustContain(t, res.Body, "Beräkna ärendet för hand", `name="lines[0].kind"`, "Parametrar saknas för månaden")
	wantStatus(t, e.Get(t, ulla, base+"/berakna"), 403, "manual form, financial assistant")

	v := url.Values{"version": {itoa(c.Version)}, "reason": {""},
		"lines[0].kind": {"norm"}, "lines[0].item": {"Riksnorm"}, "lines[0].amount": {"4 200"}, "lines[0].basis": {""},
		"lines[2].kind": {"cost"}, "lines[2].item": {"Hyra"}, "lines[2].amount": {"6x00"}, "lines[2].basis": {"Hyresavi"}}
	res = e.Post(t, sara, base+"/berakna", v)
	wantStatus(t, res, 422, "manual, errors")
	mustContain(t, res.Body, `href="#f-reason"`, `href="#f-lines-2--amount"`, "Belopp, rad 3")
	v.Set("reason", "Riksnormen för 2027 finns ännu inte i Skälig.")
	v.Set("lines[2].amount", "6 000")
	res = e.Post(t, sara, base+"/berakna", v)
	wantStatus(t, res, 422, "manual, no basis")
	mustContain(t, res.Body, `href="#f-lines-0--basis"`, "Ange grunden för raden")
	v.Set("lines[0].basis", "SoL 12 kap. 3 §; riksnorm 2027 enligt SFS")
	res = e.Post(t, sara, base+"/berakna", v)
	wantStatus(t, res, http.StatusSeeOther, "manual")
	var calc casecalc.Calculation
	if err := e.Cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil ||
		calc.Output.Aid != skalig.Kronor(10200) || calc.ParamSet != manualcalc.ParamSet {
		t.Fatalf("manual calculation %+v %v", calc, err)
	}
	res = e.Get(t, sara, base+"?klart=beraknad")
	mustContain(t, res.Body, "Beräkningen för hand är sparad")
	c, _ = e.Cases.Case(ctx, c.ID)
	res = e.Post(t, sara, base+"/godkann", url.Values{"version": {itoa(c.Version)}, "bekrafta": {"ja"}})
	wantStatus(t, res, http.StatusSeeOther, "approve the manual calculation")
	if d, err := e.Cases.CaseDecision(ctx, c.ID); err != nil || d.Amount != skalig.Kronor(10200) {
		t.Fatalf("decision %+v %v", d, err)
	}
}

// The decider's queue of review requests and appeals: a review request is
// answered that the decision stands (the note is required), an appeal is
// forwarded; a change waits while the payment is on its way.
func TestCaseworkerReviewQueue(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	sara := devidp.SaraHandlaggarsson
	var decided []*skalig.Case
	for _, ids := range e.ByKind {
		for _, id := range ids {
			if c, _ := e.Cases.Case(ctx, id); !c.DecidedAt.IsZero() && len(decided) < 2 {
				decided = append(decided, c)
			}
		}
	}
	if len(decided) < 2 {
		t.Fatal("fewer than two decided cases")
	}
	pn := func(c *skalig.Case) skalig.PersonalNumber {
		app, _ := e.Cases.CaseApplication(ctx, c.ID)
		return app.Members[0].PersonalNumber
	}
	res := e.Get(t, sara, "/handlaggning/omprovning")
	wantStatus(t, res, 200, "empty queue")
	mustContain(t, res.Body, "Inget väntar på omprövning")
	if err := e.WF.RequestReview(ctx, decided[0].ID, pn(decided[0]), "Hyran är fel."); err != nil {
		t.Fatal(err)
	}
	ap, err := e.WF.Appeal(ctx, decided[1].ID, pn(decided[1]), "Jag överklagar beslutet.")
	if err != nil {
		t.Fatal(err)
	}
	res = e.Get(t, sara, "/handlaggning/omprovning")
	mustContain(t, res.Body, "Begäran om omprövning", "Överklagande", "Hyran är fel.", "/handlaggning/arenden/"+decided[0].ID+"/omprovning")
	wantStatus(t, e.Get(t, devidp.YusufKalmarsson, "/handlaggning/arenden/"+decided[0].ID+"/omprovning"), 404, "another municipality's request")

	page := "/handlaggning/arenden/" + decided[0].ID + "/omprovning"
	res = e.Get(t, sara, page)
	wantStatus(t, res, 200, "review request")
	mustContain(t, res.Body, "Beslutet står fast", "Ändra beslutet")
	res = e.Post(t, sara, page, url.Values{"action": {"keep"}, "note": {""}})
	wantStatus(t, res, 422, "keep without a note")
	mustContain(t, res.Body, `href="#f-note"`, "Skriv varför beslutet står fast")
	res = e.Post(t, sara, page, url.Values{"action": {"change"}, "outcome": {"rejected"}, "note": {"Inkomsten räcker."}})
	wantStatus(t, res, 422, "change while the payment is on its way")
	res = e.Post(t, sara, page, url.Values{"action": {"keep"}, "note": {"Hyran i beslutet är den i hyresavtalet."}})
	wantStatus(t, res, http.StatusSeeOther, "keep")
	res = e.Get(t, sara, "/handlaggning/omprovning?klart=provad")
	mustContain(t, res.Body, "Begäran är prövad")

	res = e.Post(t, sara, "/handlaggning/arenden/"+decided[1].ID+"/omprovning", url.Values{"action": {"forward"}})
	wantStatus(t, res, http.StatusSeeOther, "forward")
	if b, err := e.WF.AppealBundleOf(ctx, ap.ID); err != nil || len(b) == 0 {
		t.Fatalf("bundle %v", err)
	}
	res = e.Get(t, sara, "/handlaggning/arenden/"+decided[1].ID+"/omprovning")
	mustContain(t, res.Body, "skickat till förvaltningsrätten")
	// A case without a request: nothing to decide.
	other := e.CaseIn(t, demo.Message, skalig.StateAwaitingCaseworker)
	res = e.Get(t, sara, "/handlaggning/arenden/"+other.ID+"/omprovning")
	mustContain(t, res.Body, "ingen begäran om omprövning")
	wantStatus(t, e.Post(t, sara, "/handlaggning/arenden/"+other.ID+"/omprovning", url.Values{"action": {"keep"}}), 422, "no request")
}
