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
)

// Godkänn förslaget on a proposal of delvis bifall (an other need nobody
// has approved: the calculation is reduced) decides delvis bifall at the
// calculated aid, as the proposal showed, and asks the kommunicering
// question of a decision that goes against the applicant in part.
func TestApproveReducedProposalDecidesPartialApproval(t *testing.T) {
	e := newCWEnv(t, 8)
	ctx := context.Background()
	sara := devidp.SaraHandlaggarsson
	c := e.CaseIn(t, demo.OtherNeed, skalig.StateAwaitingCaseworker)
	var calc casecalc.Calculation
	if err := e.Cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil || !calc.Reduced {
		t.Fatalf("calculation %+v, %v; want a reduced one", calc.Output, err)
	}
	base := "/handlaggning/arenden/" + c.ID
	res := e.Get(t, sara, base)
	mustContain(t, res.Body, "Skälig föreslår: bevilja en del (delvis bifall).")
	res = e.Get(t, sara, base+"/godkann")
	wantStatus(t, res, http.StatusOK, "confirmation")
	mustContain(t, res.Body, "Du fattar beslut om delvis bifall", `name="kommunicering_exception"`)
	mustNotContain(t, res.Body, "Du fattar beslut om bifall")
	res = e.Get(t, sara, base+"/beslut")
	mustContain(t, res.Body, "Delvis bifall: bevilja det beräknade beloppet")

	form := url.Values{"version": {itoa(c.Version)}, "bekrafta": {"ja"}}
	res = e.Post(t, sara, base+"/godkann", form)
	wantStatus(t, res, http.StatusUnprocessableEntity, "approve without kommunicering")
	mustContain(t, res.Body, `href="#f-kommunicering_exception"`, "25 § förvaltningslagen")
	if _, err := e.Cases.CaseDecision(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("decided without the kommunicering answer: %v", err)
	}
	form.Set("kommunicering_exception", skalig.ReasonKommuniceringUnnecessary)
	res = e.Post(t, sara, base+"/godkann", form)
	wantStatus(t, res, http.StatusSeeOther, "approve")
	d, err := e.Cases.CaseDecision(ctx, c.ID)
	if err != nil || d.Outcome != skalig.OutcomePartlyApproved || d.Amount != calc.Output.Aid || len(d.Reasons) == 0 {
		t.Fatalf("decision %+v, %v; want delvis bifall at %s with reasons", d, err, calc.Output.Aid)
	}
}
