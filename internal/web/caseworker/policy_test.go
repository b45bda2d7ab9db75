package caseworker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/municipal"
)

// Violation 1 through the pages: a financial assistant adjusted housing to
// 40 000 kr and approved alone with the four-eyes rule on; a caseworker
// could approve their own adjustment. The pages go through the workflow's
// casework policy now.
func TestCaseworkerPagesFollowTheCaseworkPolicy(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	sara, tomas, ulla := devidp.SaraHandlaggarsson, devidp.TomasHandlaggarsson, devidp.UllaEkonomsson
	body, _ := json.Marshal(municipal.CaseworkSettings{FourEyesOverride: true, OverdueDays: 5})
	if err := e.MC.AddVersion(ctx, &municipal.Change{Municipality: "0821", Kind: municipal.KindCasework, Version: "fyra ögon",
		From: skalig.MonthOf(2026, 11), Body: body, Author: devidp.WilmaAdminsson, Reason: "Test"}, skalig.MonthOf(2026, 11)); err != nil {
		t.Fatal(err)
	}
	c := e.CaseIn(t, demo.First, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c.ID
	facts, _ := e.Cases.Facts(ctx, c.ID)
	person := ""
	for _, f := range facts {
		if f.Kind == "cost.housing" && f.Period == c.Month {
			person = f.PersonID
		}
	}
	adjust := url.Values{"version": {itoa(c.Version)}, "post": {"cost.housing"}, "person": {person}, "amount": {"40000"},
		"reason": {"Hyresavi visar 40 000 kr"}}
	res := e.Post(t, ulla, base+"/justera", adjust)
	wantStatus(t, res, http.StatusUnprocessableEntity, "financial assistant adjusts")
	mustContain(t, res.Body, "Bara en handläggare kan justera uppgifter och belopp i ärendet.")
	if c2, _ := e.Cases.Case(ctx, c.ID); c2.Version != c.Version {
		t.Fatalf("the financial assistant's adjustment changed the case: %s", c2.State)
	}
	wantStatus(t, e.Post(t, sara, base+"/justera", adjust), http.StatusSeeOther, "caseworker adjusts")
	e.Run(t)
	c, _ = e.Cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("after the adjustment: %s", c.State)
	}
	for _, who := range []string{ulla, sara} {
		res := e.Post(t, who, base+"/godkann", url.Values{"version": {itoa(c.Version)}, "bekrafta": {"ja"}})
		wantStatus(t, res, http.StatusSeeOther, "approve the adjusted amount")
		if loc := res.Header.Get("Location"); !strings.Contains(loc, "klart=forslag") {
			t.Fatalf("%s approves an adjusted case: %s, want a proposal", who, loc)
		}
		if _, err := e.Cases.CaseDecision(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
			t.Fatalf("decided by %s before a second signature: %v", who, err)
		}
		if who == ulla {
			wantStatus(t, e.Post(t, tomas, base+"/signera", url.Values{"beslut": {"tillbaka"}, "note": {"Ny kontroll."}}),
				http.StatusSeeOther, "return")
		}
	}
	wantStatus(t, e.Post(t, sara, base+"/signera", url.Values{"beslut": {"signera"}}), http.StatusForbidden, "the adjuster signs her own")
	wantStatus(t, e.Post(t, tomas, base+"/signera", url.Values{"beslut": {"signera"}}), http.StatusSeeOther, "sign")
	d, err := e.Cases.CaseDecision(ctx, c.ID)
	if err != nil || d.DecidedBy.Caseworker != tomas {
		t.Fatalf("decision %+v, %v", d, err)
	}
}
