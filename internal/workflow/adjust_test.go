package workflow_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"skalig"
	"skalig/internal/registry/sim"
	"skalig/internal/workflow"
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
		if got := workflow.Adjustable(kind); got != want {
			t.Errorf("Adjustable(%q) = %v, want %v", kind, got, want)
		}
	}
}

func TestConditionFacts(t *testing.T) {
	for _, tc := range []struct {
		c     workflow.Condition
		field string // "" when valid
		kinds []string
	}{
		{workflow.Condition{What: "certificate", Person: "p1", From: "2026-11-01", To: "2026-11-30"}, "", []string{skalig.KindMedicalCertFrom, skalig.KindMedicalCertTo}},
		{workflow.Condition{What: "certificate", Person: "p1", From: "2026-11-31", To: "2026-11-30"}, "from", nil},
		{workflow.Condition{What: "certificate", Person: "p1", From: "2026-11-20", To: "2026-11-01"}, "to", nil},
		{workflow.Condition{What: "certificate", From: "2026-11-01", To: "2026-11-30"}, "person", nil},
		{workflow.Condition{What: "activity", Person: "p1", Evidence: "Intyg", Until: "2026-12-31"}, "", []string{skalig.KindActivityEvidence, skalig.KindActivityValidUntil}},
		{workflow.Condition{What: "activity", Person: "p1", Evidence: "Intyg\x00", Until: "2026-12-31"}, "evidence", nil},
		{workflow.Condition{What: "activity", Person: "p1", Evidence: "Intyg"}, "until", nil},
		{workflow.Condition{What: "exemption", Person: "p1", Ground: "illness"}, "", []string{skalig.KindActivityExemption}},
		{workflow.Condition{What: "exemption", Person: "p1", Ground: "sjuk"}, "ground", nil},
		{workflow.Condition{What: "residence", Person: "p2", Answer: "no"}, "", []string{skalig.KindLawfulResidence}},
		{workflow.Condition{What: "residence", Person: "p2", Answer: "ja"}, "answer", nil},
		{workflow.Condition{What: "sublet_consent", Answer: "yes"}, "", []string{skalig.KindSubletConsent}},
		{workflow.Condition{What: "sublet_consent", Person: "p1", Answer: "yes"}, "person", nil},
		{workflow.Condition{What: "aid_months", Person: "p1", Months: "2026-01 2026-02"}, "", []string{skalig.KindPersonAidMonths}},
		{workflow.Condition{What: "aid_months", Person: "p1", Months: "none"}, "", []string{skalig.KindPersonAidMonths}},
		{workflow.Condition{What: "aid_months", Person: "p1", Months: "jan"}, "months", nil},
		{workflow.Condition{What: "aid_months", Person: "p1"}, "months", nil},
		{workflow.Condition{What: "vaccination"}, "condition", nil},
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
				if !workflow.Adjustable(f.Kind) || !f.Value.IsText {
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
	if facts, _ := (workflow.Condition{What: "aid_months", Person: "p1", Months: " 2026-01,  2026-02 "}).Facts(); len(facts) != 1 || facts[0].Value.Text != "2026-01,2026-02" {
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
		c := workflow.Condition{What: what, Person: person, From: from, To: to, Until: until, Evidence: evidence, Ground: ground, Answer: answer, Months: months}
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
			if !workflow.Adjustable(fct.Kind) {
				t.Fatalf("%+v: %s is not adjustable", c, fct.Kind)
			}
		}
	})
}

// AdjustFacts refuses, naming the field, a kind a caseworker may not
// adjust, a person not in the household, a condition about the household
// given for a person, and an amount where a text belongs; RecordCondition
// names the condition's fields.
func TestAdjustFactsRefusesOutsideTheRules(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, _ := firstCase(t, e)
	cw := caseworker("hl-1")
	for _, tc := range []struct {
		f     skalig.Fact
		field string
	}{
		{skalig.Fact{Kind: skalig.KindPermitStatus, PersonID: "p1", Value: skalig.TextValue("valid")}, "facts[0].kind"},
		{skalig.Fact{Kind: "signal.violence", Value: skalig.TextValue("no")}, "facts[0].kind"},
		{skalig.Fact{Kind: skalig.KindCostPrefix + "housing", PersonID: "p9", Value: skalig.AmountValue(skalig.Kronor(100))}, "facts[0].person"},
		{skalig.Fact{Kind: skalig.KindCostPrefix + "housing", Value: skalig.AmountValue(-skalig.Kronor(100))}, "facts[0].value"},
		{skalig.Fact{Kind: skalig.KindIncomePrefix + "salary_net", PersonID: "p1", Value: skalig.TextValue("8000")}, "facts[0].value"},
		{skalig.Fact{Kind: skalig.KindSubletConsent, PersonID: "p1", Value: skalig.TextValue("yes")}, "facts[0].person"},
		{skalig.Fact{Kind: skalig.KindLawfulResidence, Value: skalig.TextValue("yes")}, "facts[0].person"},
		{skalig.Fact{Kind: skalig.KindActivityExemption, PersonID: "p1", Value: skalig.TextValue("lazy")}, "facts[0].value"},
		{skalig.Fact{Kind: skalig.KindBeyondPrefix + "1.text", Value: skalig.AmountValue(skalig.Kronor(5))}, "facts[0].value"},
		{skalig.Fact{Kind: skalig.KindBeyondPrefix + "1.text", Value: skalig.TextValue("a\x07b")}, "facts[0].value"},
	} {
		_, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, cw, []skalig.Fact{tc.f}, "Test")
		var se *skalig.Error
		if !errors.As(err, &se) || se.Code != skalig.EINVALID || len(se.Fields) == 0 || se.Fields[0].Field != tc.field {
			t.Errorf("%s %q: %v, want EINVALID on %s", tc.f.Kind, tc.f.Value.String(), err, tc.field)
		}
	}
	_, err := e.wf.RecordCondition(ctx, c.ID, c.Version, cw, workflow.Condition{What: "residence", Person: "p9", Answer: "yes"}, "Test")
	var se *skalig.Error
	if !errors.As(err, &se) || se.Code != skalig.EINVALID || se.Fields[0].Field != "person" {
		t.Errorf("a condition for someone not in the household: %v, want EINVALID on person", err)
	}
	if got, _ := e.cases.Case(ctx, c.ID); got.Version != c.Version {
		t.Fatalf("a refused adjustment changed the case: version %d -> %d", c.Version, got.Version)
	}
	c, err = e.wf.RecordCondition(ctx, c.ID, c.Version, cw, workflow.Condition{What: "residence", Person: "p1", Answer: "yes"}, "Migrationsverket bekräftar uppehållstillstånd.")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != skalig.StateFetching {
		t.Errorf("after a condition: %s, want fetching", c.State)
	}
}

// Only a caseworker or an administrator imports months with aid; a client
// must act for one, with the decide and act_for_person actions.
func TestImportAidHistoryAsPolicy(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	csv := []byte("personnummer,månader\n19750305-9805,2026-01..2026-06\n")
	assistant := skalig.PersonActor("ek-1", []skalig.StaffRole{skalig.StaffFinancialAssistant}, []string{"0821"})
	client := skalig.ClientActor("system", []string{"0821"}, []skalig.ClientAction{skalig.ClientDecide})
	for name, a := range map[string]skalig.Actor{"financial assistant": assistant, "client alone": client,
		"client without act_for_person": client.For("hl-1")} {
		if _, err := e.wf.ImportAidHistoryAs(ctx, a, csv); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
			t.Errorf("%s: %v, want EFORBIDDEN", name, err)
		}
	}
	admin := skalig.PersonActor("adm-1", []skalig.StaffRole{skalig.StaffAdministrator}, []string{"0821"})
	for _, a := range []skalig.Actor{caseworker("hl-1"), admin} {
		if n, err := e.wf.ImportAidHistoryAs(ctx, a, csv); err != nil || n != 1 {
			t.Errorf("%s: %d, %v", a, n, err)
		}
	}
	other := skalig.PersonActor("hl-9", []skalig.StaffRole{skalig.StaffCaseworker}, nil)
	if _, err := e.wf.ImportAidHistoryAs(ctx, other, csv); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Errorf("a caseworker of no municipality: %v, want EFORBIDDEN", err)
	}
}
