package workflow_test

import (
	"slices"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/workflow"
)

// TestGroundedReasons checks the one check of a decision's grounds that
// the caseworker's page and the API share: the statement of reasons is
// the grounds' Swedish texts, then the person's own; an unknown code is
// refused naming its place; a decision that does not approve in full
// needs a ground or a reason.
func TestGroundedReasons(t *testing.T) {
	gi, _ := skalig.LookupGround(skalig.GroundIncome)
	gc, _ := skalig.LookupGround(skalig.GroundCost)
	income, cost := gi.Text(), gc.Text()
	got, err := workflow.GroundedReasons(skalig.OutcomeRejected, []string{skalig.GroundIncome, skalig.GroundCost, skalig.GroundIncome},
		[]string{"Glasögon ingår i riksnormen."})
	if err != nil || !slices.Equal(got, []string{income, cost, "Glasögon ingår i riksnormen."}) {
		t.Fatalf("GroundedReasons=%q, %v", got, err)
	}
	if got, err := workflow.GroundedReasons(skalig.OutcomeApproved, nil, nil); err != nil || len(got) != 0 {
		t.Fatalf("approval in full without grounds: %q, %v", got, err)
	}
	for _, tc := range []struct {
		o       skalig.Outcome
		grounds []string
		field   string
		text    string
	}{
		{skalig.OutcomeRejected, nil, "grounds", "välj minst ett skäl"},
		{skalig.OutcomePartlyApproved, nil, "grounds", "välj minst ett skäl"},
		{skalig.OutcomeRejected, []string{skalig.GroundCost, skalig.ReasonSocialRisk}, "grounds[1]", skalig.GroundPermit},
		{skalig.OutcomeApproved, []string{"Inkomsterna räcker"}, "grounds[0]", "finns inte"},
	} {
		_, err := workflow.GroundedReasons(tc.o, tc.grounds, nil)
		var fe []skalig.FieldError
		if e, ok := err.(*skalig.Error); ok {
			fe = e.Fields
		}
		if skalig.ErrorCode(err) != skalig.EINVALID || len(fe) != 1 || fe[0].Field != tc.field || !strings.Contains(fe[0].Message, tc.text) {
			t.Errorf("%s %q: %v, want EINVALID on %s saying %q", tc.o, tc.grounds, err, tc.field, tc.text)
		}
	}
}
