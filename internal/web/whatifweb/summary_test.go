package whatifweb

import (
	"testing"

	"skalig"
	"skalig/internal/routing"
	"skalig/internal/web"
	"skalig/internal/whatif"
)

// TestSummary: a changed case is summed up in the page's language, with
// reasons by their labels; the Swedish one is the record's (Change.Reason).
func TestSummary(t *testing.T) {
	c := &whatif.Change{Difference: skalig.Kronor(-500), DecidedAid: skalig.Kronor(7000), CandidateAid: skalig.Kronor(6500),
		Outcome: skalig.OutcomeApproved, CandidateOutcome: skalig.OutcomePartlyApproved,
		Route: routing.RouteDecide, CandidateRoute: routing.RouteException,
		NewReasons: []string{skalig.ReasonHousingAboveGuideline, "municipal:hyra"}}
	for l, want := range map[*web.Lang]string{
		web.English: "amount −500\u00a0kr (7\u00a0000\u00a0kr → 6\u00a0500\u00a0kr); outcome: approval → partial approval; " +
			"route: automated decision → exception for a caseworker; new reasons: " + web.English.T("reason."+skalig.ReasonHousingAboveGuideline) + ", hyra",
		web.Swedish: "belopp −500\u00a0kr (7\u00a0000\u00a0kr → 6\u00a0500\u00a0kr); utfall: bifall → delvis bifall; " +
			"väg: automatiserat beslut → undantag till handläggare; nya skäl: " + web.Swedish.T("reason."+skalig.ReasonHousingAboveGuideline) + ", hyra",
	} {
		if got := summary(l, c); got != want {
			t.Errorf("%s:\n got %q\nwant %q", l.Code, got, want)
		}
	}
	if got := summary(web.English, &whatif.Change{}); got != "unchanged" {
		t.Errorf("unchanged: %q", got)
	}
}
