package caseworker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/municipal"
	"skalig/internal/payments"
	"skalig/internal/store/paymentdb"
)

// paidCase returns a decided case of Högsby granting more than 1 000 kr
// that the bank has paid.
func paidCase(t *testing.T, e *cwEnv) (*skalig.Case, *skalig.Decision) {
	t.Helper()
	ctx := context.Background()
	debtor := payments.Debtor{Name: "Testkommunen", IBAN: "SE4550000000058398257466"}
	svc := payments.New(payments.Config{Cases: e.Cases, Debtor: debtor})
	_, run, err := svc.Run(ctx, t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := paymentdb.New(e.Cases).RunPayments(ctx, run.ID)
	answer, err := payments.SimulatedNotification(run, ps, debtor, e.DB.Clock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, answer, "test"); err != nil {
		t.Fatal(err)
	}
	for _, ids := range e.ByKind {
		for _, id := range ids {
			c, _ := e.Cases.Case(ctx, id)
			if d, err := e.Cases.CaseDecision(ctx, id); err == nil && c.State == skalig.StatePaid && c.Municipality == "0821" && d.Amount > skalig.Kronor(1000) {
				return c, d
			}
		}
	}
	t.Fatal("no paid case")
	return nil, nil
}

// A decision changed on the caseworker's own initiative to the
// applicant's disadvantage under the four-eyes rule: the form names a
// missing note; the change is a proposal; the proposer cannot sign it; a
// second caseworker confirms and signs, and the decision is changed.
func TestCaseworkerOwnChangeFourEyes(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	sara, tomas := devidp.SaraHandlaggarsson, devidp.TomasHandlaggarsson
	c, d := paidCase(t, e)
	body, _ := json.Marshal(municipal.CaseworkSettings{FourEyesOverride: true, OverdueDays: 5})
	if err := e.MC.AddVersion(ctx, &municipal.Change{Municipality: "0821", Kind: municipal.KindCasework, Version: "fyra ögon",
		From: c.Month, Body: body, Author: "admin-1", Reason: "Test"}, c.Month); err != nil {
		t.Fatal(err)
	}
	base := "/handlaggning/arenden/" + c.ID
	res := e.Get(t, sara, base)
	wantStatus(t, res, 200, "case page")
	mustContain(t, res.Body, base+"/andra")
	res = e.Get(t, sara, base+"/andra")
	wantStatus(t, res, 200, "change form")
	mustContain(t, res.Body, "Ändra beslutet på eget initiativ", `name="ground"`, `name="kommunicering_exception"`)
	wantStatus(t, e.Get(t, devidp.UllaEkonomsson, base+"/andra"), 403, "change form, financial assistant")
	lower := d.Amount - skalig.Kronor(500)
	v := url.Values{"version": {itoa(c.Version)}, "outcome": {"partly_approved"}, "amount": {lower.String()}, "note": {""}}
	res = e.Post(t, sara, base+"/andra", v)
	wantStatus(t, res, 422, "change without a note")
	mustContain(t, res.Body, `href="#f-note"`)
	v.Set("note", "Du hade en inkomst som du inte uppgav.")
	res = e.Post(t, sara, base+"/andra", v)
	wantStatus(t, res, 422, "change to the applicant's disadvantage without a ground")
	mustContain(t, res.Body, `href="#f-ground"`)
	v.Set("ground", skalig.ReasonChangeWrongInformation)
	v.Set("kommunicering_exception", skalig.ReasonKommuniceringUnnecessary)
	res = e.Post(t, sara, base+"/andra", v)
	wantStatus(t, res, http.StatusSeeOther, "proposed")
	res = e.Get(t, sara, base+"?klart=andring_foreslagen")
	mustContain(t, res.Body, "Ändringen väntar nu på en andra handläggares underskrift", base+"/andring")
	res = e.Get(t, sara, base+"/andring")
	wantStatus(t, res, 200, "own proposal")
	mustContain(t, res.Body, "Du har föreslagit ändringen")
	wantStatus(t, e.Post(t, sara, base+"/andring", url.Values{"beslut": {"signera"}, "bekrafta": {"ja"}}), 422, "the proposer signs")
	res = e.Get(t, tomas, "/handlaggning/omprovning")
	mustContain(t, res.Body, "Ändringar av beslut som väntar på en andra underskrift", base+"/andring")
	res = e.Get(t, tomas, base+"/andring")
	wantStatus(t, res, 200, "proposal for the second person")
	mustContain(t, res.Body, "Signera: ändra beslutet", "Felaktiga uppgifter från den sökande")
	wantStatus(t, e.Post(t, tomas, base+"/andring", url.Values{"beslut": {"signera"}}), 422, "sign without confirming")
	wantStatus(t, e.Post(t, tomas, base+"/andring", url.Values{"beslut": {"tillbaka"}}), 422, "return without a note")
	res = e.Post(t, tomas, base+"/andring", url.Values{"beslut": {"signera"}, "bekrafta": {"ja"}})
	wantStatus(t, res, http.StatusSeeOther, "signed")
	if cur, err := e.Cases.CaseDecision(ctx, c.ID); err != nil || cur.Amount != lower || cur.DecidedBy.Caseworker != tomas {
		t.Fatalf("decision in force %+v %v", cur, err)
	}
	wantStatus(t, e.Get(t, tomas, base+"/andring"), 404, "nothing waits any more")
}
