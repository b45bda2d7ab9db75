package workflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"skalig"
	"skalig/internal/registry/sim"
	"skalig/internal/workflow/casecheck"
)

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
	_, err := e.wf.RecordCondition(ctx, c.ID, c.Version, cw, casecheck.Condition{What: "residence", Person: "p9", Answer: "yes"}, "Test")
	var se *skalig.Error
	if !errors.As(err, &se) || se.Code != skalig.EINVALID || se.Fields[0].Field != "person" {
		t.Errorf("a condition for someone not in the household: %v, want EINVALID on person", err)
	}
	if got, _ := e.cases.Case(ctx, c.ID); got.Version != c.Version {
		t.Fatalf("a refused adjustment changed the case: version %d -> %d", c.Version, got.Version)
	}
	c, err = e.wf.RecordCondition(ctx, c.ID, c.Version, cw, casecheck.Condition{What: "residence", Person: "p1", Answer: "yes"}, "Migrationsverket bekräftar uppehållstillstånd.")
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
		if _, err := e.wf.ImportAidHistoryAs(ctx, a, "", csv); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
			t.Errorf("%s: %v, want EFORBIDDEN", name, err)
		}
	}
	admin := skalig.PersonActor("adm-1", []skalig.StaffRole{skalig.StaffAdministrator}, []string{"0821"})
	for _, a := range []skalig.Actor{caseworker("hl-1"), admin} {
		if n, err := e.wf.ImportAidHistoryAs(ctx, a, "", csv); err != nil || n != 1 {
			t.Errorf("%s: %d, %v", a, n, err)
		}
	}
	other := skalig.PersonActor("hl-9", []skalig.StaffRole{skalig.StaffCaseworker}, nil)
	if _, err := e.wf.ImportAidHistoryAs(ctx, other, "", csv); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Errorf("a caseworker of no municipality: %v, want EFORBIDDEN", err)
	}
	// The history is a municipality's: the actor's own, named when the
	// actor works for several.
	if _, err := e.wf.ImportAidHistoryAs(ctx, caseworker("hl-1"), "0180", csv); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Errorf("another municipality's history: %v, want EFORBIDDEN", err)
	}
	two := skalig.PersonActor("hl-2", []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821", "0180"})
	var se *skalig.Error
	if _, err := e.wf.ImportAidHistoryAs(ctx, two, "", csv); !errors.As(err, &se) || se.Code != skalig.EINVALID || se.Fields[0].Field != "municipality" {
		t.Errorf("a caseworker of two municipalities without one named: %v, want EINVALID municipality", err)
	}
	if n, err := e.wf.ImportAidHistoryAs(ctx, two, "0180", csv); err != nil || n != 1 {
		t.Errorf("a caseworker of two municipalities naming one: %d %v", n, err)
	}
	if _, err := e.wf.ImportAidHistoryAs(ctx, two, "18", csv); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Errorf("a bad kommunkod: %v, want EINVALID", err)
	}
}
