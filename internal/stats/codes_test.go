package stats_test

import (
	"testing"

	"skalig/internal/routing"
	"skalig/internal/stats"
	"skalig/internal/workflow"
)

// TestReasonCodes keeps the route classification in step with the codes
// routing and the workflow record: casework and proposal codes make a
// person's decision a proposal, every stop code makes it the person's own.
func TestReasonCodes(t *testing.T) {
	route := func(code string) stats.Route {
		return (&stats.Row{Count: 1, Decided: true, Reasons: []string{code}}).Route()
	}
	for _, code := range []string{routing.CodeNoDelegation, routing.CodeOutsideDelegation, workflow.ReasonAdjusted,
		workflow.ReasonDocumentsRequested, workflow.ReasonDocumentsReceived, workflow.ReasonDocumentsOverdue, workflow.ReasonReviewRequested, "proposal"} {
		if got := route(code); got != stats.RouteProposal {
			t.Errorf("route of a person's decision with reason %s=%s, want proposal", code, got)
		}
	}
	for _, code := range append(routing.Codes(), workflow.ReasonCalculationFailed, routing.CodeParametersMissing) {
		if code == routing.CodeNoDelegation || code == routing.CodeOutsideDelegation {
			continue
		}
		if got := route(code); got != stats.RoutePerson {
			t.Errorf("route of a person's decision with reason %s=%s, want person", code, got)
		}
	}
}
