package rules_test

import (
	"strings"
	"testing"

	"skalig"
	"skalig/internal/rules"
)

// TestNormAdjustment2027RoutesToPerson: from 2027-01-01 the reformed rules
// (prop. 2025/26:201) limit aid beyond the riksnorm; Skälig has not encoded
// them, so a person's norm adjustment for such a month is not applied and
// the case goes to a person with a named reason instead of a guess. The
// parameters are the 2026 values relabelled as 2027 (there is no 2027
// table in the data): only the rule is under test.
func TestNormAdjustment2027RoutesToPerson(t *testing.T) {
	ps := *mustSet(t, defaultParams(t), skalig.MonthOf(2026, 12))
	ps.Month = skalig.MonthOf(2027, 1)
	in := &rules.Input{
		Month:          ps.Month,
		People:         []rules.Person{adult(t, "p1", rules.Applicant, "1985-05-15")},
		NormAdjustment: &rules.NormAdjustment{Amount: skalig.Kronor(500), Reason: "Särskild kost"},
	}
	var tr rules.Trace
	res, err := rules.Calculate(in, &ps, nil, &tr)
	if err != nil {
		t.Fatal(err)
	}
	if res.NormAdjustment != 0 || res.Aid != res.Norm {
		t.Errorf("2027 adjustment applied: adjustment %v, aid %v, norm %v", res.NormAdjustment, res.Aid, res.Norm)
	}
	if res.Status != rules.NeedsReview || !res.Reasons.Has(rules.NormAdjustmentNotEncoded) {
		t.Errorf("status %v reasons %v, want needs_review with norm_adjustment_2027", res.Status, res.Reasons)
	}
	l := mustLine(t, &tr, "norm_adjustment", "")
	if l.Amount != 0 || l.Source != rules.SourceCaseworker || !strings.Contains(l.Text, "2025/26:201") {
		t.Errorf("norm_adjustment line %+v", l)
	}
	// The same adjustment in December 2026 is applied.
	in.Month = skalig.MonthOf(2026, 12)
	res, err = rules.Calculate(in, mustSet(t, defaultParams(t), in.Month), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.NormAdjustment != skalig.Kronor(500) || res.Status != rules.Complete || res.Aid != res.Norm+skalig.Kronor(500) {
		t.Errorf("2026-12: %+v", res)
	}
}

// TestApprovalValidate: an input built in Go (the workflow's path) gets the
// same field messages as the calculation format for aid beyond without an
// approval and for a negative approval.
func TestApprovalValidate(t *testing.T) {
	in := &rules.Input{
		Month:  skalig.MonthOf(2026, 5),
		People: []rules.Person{adult(t, "p1", rules.Applicant, "1985-05-15")},
		Costs: []rules.Cost{
			{Kind: rules.BeyondCost, Text: "resa", Amount: skalig.Kronor(100)},
			{Kind: rules.OtherCost, Text: "x", Amount: skalig.Kronor(100), Approval: &rules.Approval{Amount: -1}},
		},
	}
	var fields []string
	for _, fe := range in.Validate() {
		fields = append(fields, fe.Field)
	}
	if strings.Join(fields, ",") != "costs[0].approved,costs[1].approved" {
		t.Errorf("fields %v", fields)
	}
}

// A cost above the municipality's guideline that a person approved is not
// capped or sent to review again: the person has weighed it.
func TestApprovedCostAboveGuideline(t *testing.T) {
	m := skalig.MonthOf(2026, 5)
	ps := mustSet(t, defaultParams(t), m)
	in := &rules.Input{
		Month:  m,
		People: []rules.Person{adult(t, "p1", rules.Applicant, "1985-05-15")},
		Costs: []rules.Cost{
			{Kind: rules.Housing, Amount: kr(7000), Source: rules.SourceApplicant},
			{Kind: rules.Electricity, Amount: kr(450), Source: rules.SourceApplicant},
		},
	}
	res, err := rules.Calculate(in, ps, testGuidelines(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Reasons.Has(rules.HousingAboveGuideline) || !res.Reasons.Has(rules.CostAboveGuideline) || res.ReasonableCosts != kr(7300) {
		t.Fatalf("without approval: reasons %v costs %v", res.Reasons, res.ReasonableCosts)
	}
	in.Costs[0].Approval = &rules.Approval{Amount: kr(7000), By: "hl-1", Reason: "Övergångstid, tre månader"}
	in.Costs[1].Approval = &rules.Approval{Amount: kr(420), By: "hl-1", Reason: "Elvärme"}
	var tr rules.Trace
	res, err = rules.Calculate(in, ps, testGuidelines(), &tr)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reasons != 0 || res.Status != rules.Complete || res.ReasonableCosts != kr(7420) {
		t.Fatalf("approved: reasons %v costs %v", res.Reasons, res.ReasonableCosts)
	}
	if l := mustLine(t, &tr, "electricity", ""); l.Source != rules.SourceCaseworker || l.Amount != kr(420) || !strings.Contains(l.Text, "Elvärme") {
		t.Errorf("electricity line %+v", l)
	}
}
