package stats_test

import (
	"skalig"
	"testing"

	"skalig/internal/stats"
)

// TestReasonCodes keeps the route classification in step with the codes
// routing and the workflow record: casework and proposal codes make a
// person's decision a proposal, every stop code makes it the person's own.
func TestReasonCodes(t *testing.T) {
	route := func(code string) stats.Route {
		return (&stats.Row{Count: 1, Decided: true, Reasons: []string{code}}).Route()
	}
	for _, code := range []string{skalig.ReasonNoDelegation, skalig.ReasonOutsideDelegation, skalig.ReasonAdjusted,
		skalig.ReasonDocumentsRequested, skalig.ReasonDocumentsReceived, skalig.ReasonDocumentsOverdue, skalig.ReasonReviewRequested, "proposal"} {
		if got := route(code); got != stats.RouteProposal {
			t.Errorf("route of a person's decision with reason %s=%s, want proposal", code, got)
		}
	}
	for _, r := range skalig.Reasons() {
		code := r.Code
		switch r.Kind {
		case skalig.ReasonKindProposal, skalig.ReasonKindCasework, skalig.ReasonKindKommunicering, skalig.ReasonKindRequest:
			continue
		}
		if got := route(code); got != stats.RoutePerson {
			t.Errorf("route of a person's decision with reason %s=%s, want person", code, got)
		}
	}
}
