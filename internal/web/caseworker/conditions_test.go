package caseworker_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/web"
)

// A caseworker records what a document shows about a condition (here a
// läkarintyg's period and a person's months of aid before Skälig): bad
// input gets a message naming the field; the recorded facts are the
// caseworker's and the case is calculated again.
func TestCaseworkerRecordsConditions(t *testing.T) {
	e := newCWEnv(t, 16)
	sara := devidp.SaraHandlaggarsson
	c := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c.ID
	for _, l := range web.Languages {
		res := e.Get(t, sara, base+"/villkor?lang="+l.Code)
		wantStatus(t, res, 200, "conditions "+l.Code)
		mustNotContain(t, res.Body, "[cw.", "[form.")
	}
	res := e.Get(t, sara, base)
	mustContain(t, res.Body, base+"/villkor")

	form := url.Values{"version": {itoa(c.Version)}, "condition": {"certificate"}, "person": {"p1"},
		"from": {"1 november"}, "to": {"2026-11-30"}, "reason": {"Läkarintyget har kommit in."}}
	res = e.Post(t, sara, base+"/villkor", form)
	wantStatus(t, res, 422, "a date that is no date")
	mustContain(t, res.Body, "Läkarintyget gäller från: skriv datumet som ÅÅÅÅ-MM-DD.")
	form.Set("from", "2026-12-01")
	res = e.Post(t, sara, base+"/villkor", form)
	wantStatus(t, res, 422, "ends before it starts")
	mustContain(t, res.Body, "Läkarintyget gäller till och med: datumet kan inte vara före")
	form.Set("from", c.Month.First().String())
	form.Set("person", "nobody")
	res = e.Post(t, sara, base+"/villkor", form)
	wantStatus(t, res, 422, "an unknown person")
	form.Set("person", "p1")
	form.Del("reason")
	res = e.Post(t, sara, base+"/villkor", form)
	wantStatus(t, res, 422, "no reason")
	mustContain(t, res.Body, "Varför justerar du uppgiften")
	form.Set("reason", "Läkarintyget har kommit in.")
	res = e.Post(t, sara, base+"/villkor", form)
	wantStatus(t, res, http.StatusSeeOther, "certificate")
	e.Run(t)

	c, _ = e.Cases.Case(context.Background(), c.ID)
	months := url.Values{"version": {itoa(c.Version)}, "condition": {"aid_months"}, "person": {"p1"},
		"months": {"2026-0x"}, "reason": {"Enligt det tidigare verksamhetssystemet."}}
	res = e.Post(t, sara, base+"/villkor", months)
	wantStatus(t, res, 422, "months that are no months")
	mustContain(t, res.Body, "ÅÅÅÅ-MM")
	months.Set("months", "2026-05, 2026-06 2026-07")
	res = e.Post(t, sara, base+"/villkor", months)
	wantStatus(t, res, http.StatusSeeOther, "aid months")
	e.Run(t)

	facts, _ := e.Cases.Facts(context.Background(), c.ID)
	got := map[string]string{}
	for _, f := range facts {
		if f.Source == skalig.SourceCaseworker && f.PersonID == "p1" {
			got[f.Kind] = f.Value.Text
		}
	}
	if got[skalig.KindMedicalCertFrom] != c.Month.First().String() || got[skalig.KindMedicalCertTo] != "2026-11-30" ||
		got[skalig.KindPersonAidMonths] != "2026-05,2026-06,2026-07" {
		t.Errorf("caseworker facts %v", got)
	}
	res = e.Get(t, sara, base+"?klart=villkor")
	mustContain(t, res.Body, "Villkoret är registrerat")
}
