package casecheck_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"skalig"
	"skalig/internal/workflow/casecheck"
)

func TestAdjustable(t *testing.T) {
	for kind, want := range map[string]bool{
		"income.salary_net":           true,
		"cost.housing":                true,
		"cost.housing.approved":       true,
		"need.other.1":                true,
		"need.other.1.text":           true,
		"need.other.1.reason":         true,
		"need.other.x":                false,
		"need.other.100":              false,
		"beyond.2":                    true,
		"beyond.2.text":               true,
		"beyond.0":                    false,
		"norm.adjustment":             true,
		"norm.adjustment.reason":      true,
		"asset.bank":                  true,
		"asset.vehicle":               false,
		"medical_certificate.from":    true,
		"activity.exemption":          true,
		"residence.lawful":            true,
		"housing.sublet_consent":      true,
		"person.aid_months":           true,
		"household.aid_months":        false,
		"permit.status":               false,
		"signal.violence":             false,
		"cost.housing.reason":         false, // a cost is no discretionary amount: its reason is the adjustment's
		"register.ssbtek.status":      false,
		"income.salary_net.text":      false,
		"person.personal_number":      false,
		"payment.account":             false,
		"message.to_caseworker":       false,
		"work.situation":              false,
		"medical_certificate.comment": false,
	} {
		if got := casecheck.Adjustable(kind); got != want {
			t.Errorf("Adjustable(%q) = %v, want %v", kind, got, want)
		}
	}
}

func TestConditionFacts(t *testing.T) {
	for _, tc := range []struct {
		c     casecheck.Condition
		field string // "" when valid
		kinds []string
	}{
		{casecheck.Condition{What: "certificate", Person: "p1", From: "2026-11-01", To: "2026-11-30"}, "", []string{skalig.KindMedicalCertFrom, skalig.KindMedicalCertTo}},
		{casecheck.Condition{What: "certificate", Person: "p1", From: "2026-11-31", To: "2026-11-30"}, "from", nil},
		{casecheck.Condition{What: "certificate", Person: "p1", From: "2026-11-20", To: "2026-11-01"}, "to", nil},
		{casecheck.Condition{What: "certificate", From: "2026-11-01", To: "2026-11-30"}, "person", nil},
		{casecheck.Condition{What: "activity", Person: "p1", Evidence: "Intyg", Until: "2026-12-31"}, "", []string{skalig.KindActivityEvidence, skalig.KindActivityValidUntil}},
		{casecheck.Condition{What: "activity", Person: "p1", Evidence: "Intyg\x00", Until: "2026-12-31"}, "evidence", nil},
		{casecheck.Condition{What: "activity", Person: "p1", Evidence: "Intyg"}, "until", nil},
		{casecheck.Condition{What: "exemption", Person: "p1", Ground: "illness"}, "", []string{skalig.KindActivityExemption}},
		{casecheck.Condition{What: "exemption", Person: "p1", Ground: "sjuk"}, "ground", nil},
		{casecheck.Condition{What: "residence", Person: "p2", Answer: "no"}, "", []string{skalig.KindLawfulResidence}},
		{casecheck.Condition{What: "residence", Person: "p2", Answer: "ja"}, "answer", nil},
		{casecheck.Condition{What: "sublet_consent", Answer: "yes"}, "", []string{skalig.KindSubletConsent}},
		{casecheck.Condition{What: "sublet_consent", Person: "p1", Answer: "yes"}, "person", nil},
		{casecheck.Condition{What: "aid_months", Person: "p1", Months: "2026-01 2026-02"}, "", []string{skalig.KindPersonAidMonths}},
		{casecheck.Condition{What: "aid_months", Person: "p1", Months: "none"}, "", []string{skalig.KindPersonAidMonths}},
		{casecheck.Condition{What: "aid_months", Person: "p1", Months: "jan"}, "months", nil},
		{casecheck.Condition{What: "aid_months", Person: "p1"}, "months", nil},
		{casecheck.Condition{What: "vaccination"}, "condition", nil},
	} {
		facts, err := tc.c.Facts()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.c, err)
				continue
			}
			var kinds []string
			for _, f := range facts {
				kinds = append(kinds, f.Kind)
				if !casecheck.Adjustable(f.Kind) || !f.Value.IsText {
					t.Errorf("%+v: fact %s %v is not an adjustable text", tc.c, f.Kind, f.Value)
				}
			}
			if !slices.Equal(kinds, tc.kinds) {
				t.Errorf("%+v: kinds %v, want %v", tc.c, kinds, tc.kinds)
			}
			continue
		}
		var se *skalig.Error
		if !errors.As(err, &se) || se.Code != skalig.EINVALID || !slices.ContainsFunc(se.Fields, func(f skalig.FieldError) bool { return f.Field == tc.field }) {
			t.Errorf("%+v: %v, want EINVALID on %s", tc.c, err, tc.field)
		}
	}
	if facts, _ := (casecheck.Condition{What: "aid_months", Person: "p1", Months: " 2026-01,  2026-02 "}).Facts(); len(facts) != 1 || facts[0].Value.Text != "2026-01,2026-02" {
		t.Errorf("months are not normalized: %v", facts)
	}
}

// FuzzConditionFacts: any condition gives facts a caseworker may adjust, or
// EINVALID naming fields of the condition; never a panic.
func FuzzConditionFacts(f *testing.F) {
	f.Add("certificate", "p1", "2026-11-01", "2026-11-30", "", "", "", "", "")
	f.Add("activity", "p1", "", "", "2026-12-31", "Intyg", "", "", "")
	f.Add("aid_months", "p1", "", "", "", "", "", "", "2026-01..2026-03")
	f.Add("residence", "", "", "", "", "", "", "kanske", "")
	fields := []string{"condition", "person", "from", "to", "until", "evidence", "ground", "answer", "months"}
	f.Fuzz(func(t *testing.T, what, person, from, to, until, evidence, ground, answer, months string) {
		c := casecheck.Condition{What: what, Person: person, From: from, To: to, Until: until, Evidence: evidence, Ground: ground, Answer: answer, Months: months}
		facts, err := c.Facts()
		if err != nil {
			var se *skalig.Error
			if !errors.As(err, &se) || se.Code != skalig.EINVALID || len(se.Fields) == 0 {
				t.Fatalf("%+v: %v, want EINVALID with fields", c, err)
			}
			for _, fe := range se.Fields {
				if !slices.Contains(fields, fe.Field) || fe.Message == "" {
					t.Fatalf("%+v: field error %+v", c, fe)
				}
			}
			return
		}
		if len(facts) == 0 {
			t.Fatalf("%+v: no facts and no error", c)
		}
		for _, fct := range facts {
			if !casecheck.Adjustable(fct.Kind) {
				t.Fatalf("%+v: %s is not adjustable", c, fct.Kind)
			}
		}
	})
}

// An adjustment needs a reason and a fact; its facts become the
// caseworker's, of the case's month unless they name one, and a bad fact
// among those given is named by its index.
func TestAdjustmentReasonAndStamp(t *testing.T) {
	if r, err := casecheck.AdjustmentReason([]skalig.Fact{{Kind: "cost.housing"}}, " Ny hyresavi "); err != nil || r != "Ny hyresavi" {
		t.Errorf("AdjustmentReason=%q %v, want the reason trimmed", r, err)
	}
	for _, tc := range []struct {
		facts  []skalig.Fact
		reason string
	}{{[]skalig.Fact{{Kind: "cost.housing"}}, " "}, {[]skalig.Fact{{Kind: "cost.housing"}}, "a\x00"}, {nil, "Skäl"}} {
		if _, err := casecheck.AdjustmentReason(tc.facts, tc.reason); skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("AdjustmentReason(%d facts, %q)=%v, want EINVALID", len(tc.facts), tc.reason, err)
		}
	}
	month, now := skalig.MonthOf(2026, 11), time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)
	facts := []skalig.Fact{
		{Kind: "cost.housing", Value: skalig.AmountValue(skalig.Kronor(6500))},
		{Kind: "cost.housing.reason", Period: skalig.MonthOf(2026, 10), Value: skalig.TextValue("Avi"), Evidence: "upload:1"},
	}
	if err := casecheck.StampAdjustment(facts, 1, "hl-1", month, now); err != nil {
		t.Fatal(err)
	}
	if f := facts[0]; f.Source != skalig.SourceCaseworker || f.RecordedBy != "hl-1" || !f.At.Equal(now) || f.Period != month || f.Evidence != "adjustment" {
		t.Errorf("stamped %+v", f)
	}
	if f := facts[1]; f.Period != skalig.MonthOf(2026, 10) || f.Evidence != "upload:1" {
		t.Errorf("a named period or evidence changed: %+v", f)
	}
	bad := []skalig.Fact{{Kind: "cost.housing", Value: skalig.AmountValue(skalig.Kronor(1))}, {Kind: ""}}
	var se *skalig.Error
	if err := casecheck.StampAdjustment(bad, 2, "hl-1", month, now); !errors.As(err, &se) || len(se.Fields) == 0 || !strings.HasPrefix(se.Fields[0].Field, "facts[1].") {
		t.Errorf("StampAdjustment(bad)=%v, want EINVALID on facts[1]", err)
	}
}

// Each discretionary amount without a reason of its own gets the
// adjustment's reason, cut to a fact's 1 000 bytes on a rune boundary;
// a reason given, a text and a non-discretionary amount get none.
func TestWithReasons(t *testing.T) {
	reason := strings.Repeat("å", 600) // 1 200 bytes
	facts := []skalig.Fact{
		{Kind: skalig.KindNormAdjustment, Value: skalig.AmountValue(skalig.Kronor(-300))},
		{Kind: "need.other.1", Value: skalig.AmountValue(skalig.Kronor(500))},
		{Kind: "need.other.1" + skalig.KindReasonSuffix, Value: skalig.TextValue("Glasögon enligt kvitto")},
		{Kind: "need.other.1.text", Value: skalig.TextValue("Glasögon")},
		{Kind: "income.salary_net", Value: skalig.AmountValue(skalig.Kronor(1000))},
	}
	out := casecheck.WithReasons(facts, reason)
	if len(out) != len(facts)+1 {
		t.Fatalf("%d facts, want one reason added: %+v", len(out), out)
	}
	added := out[len(facts)]
	if added.Kind != skalig.KindNormAdjustment+skalig.KindReasonSuffix || len(added.Value.Text) != 1000 || !utf8.ValidString(added.Value.Text) {
		t.Errorf("added %s with %d bytes, want the norm's reason cut to 1000", added.Kind, len(added.Value.Text))
	}
}
