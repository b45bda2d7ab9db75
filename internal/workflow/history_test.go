package workflow_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

func asSkaligError(err error, target **skalig.Error) bool {
	e, ok := err.(*skalig.Error)
	*target = e
	return ok
}

// Jobbstimulans per person at go-live: the applicant's six months with aid
// in the earlier system are imported, the partner's are not. The
// applicant's salary gets jobbstimulans, the partner's does not, and since
// the partner works and has no known history the case stops with
// aid_history_unknown; once a caseworker enters the partner's months
// ("none"), the stop goes.
func TestImportedHistoryJobbstimulansPerPerson(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	h := demo.GenerateScenario(5, "0821", month, demo.Family, 1)[0]
	app := h.App
	for _, m := range []struct {
		id     string
		salary int64
	}{{"p1", 8000}, {"p2", 4000}} {
		app.Facts = append(app.Facts, skalig.Fact{Kind: skalig.KindIncomePrefix + "salary_net", PersonID: m.id, Period: month,
			Value: skalig.AmountValue(skalig.Kronor(m.salary)), Source: skalig.SourceApplicant})
	}
	applicant := app.Members[0].PersonalNumber
	csv := "personnummer,månader\n" + applicant.Canonical() + ",2026-05..2026-10\n"
	if n, err := e.wf.ImportAidHistory(ctx, "cli:admin-1", "0821", []byte(csv)); err != nil || n != 1 {
		t.Fatalf("import: %d %v", n, err)
	}
	c, _, err := e.wf.Submit(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, calc, _ := latest(t, e, c.ID)
	if calc.Output == nil {
		t.Fatalf("not calculated: %s", calc.Error)
	}
	facts, err := e.cases.Facts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	months := map[string]skalig.Fact{}
	for _, f := range facts {
		if f.Kind == skalig.KindPersonAidMonths {
			months[f.PersonID] = f
		}
		if f.Kind == casecalc.KindAidMonths {
			t.Errorf("a household aid fact is still written: %+v", f)
		}
	}
	if f := months["p1"]; f.Value.Text != "2026-05,2026-06,2026-07,2026-08,2026-09,2026-10" || !strings.Contains(f.Evidence, "aid_history") || f.Source != skalig.SourceSystem {
		t.Errorf("p1 months %+v", f)
	}
	if f := months["p2"]; f.Value.Text != skalig.AidMonthsUnknown {
		t.Errorf("p2 months %+v", f)
	}
	if _, ok := months["c1"]; ok {
		t.Error("a child got an aid months fact")
	}
	if traceLine(calc, "jobbstimulans", "p2") != nil {
		t.Error("jobbstimulans on the partner, who has no six months")
	}
	if s := traceLine(calc, "salary_net", "p1"); s != nil && s.Amount > 0 {
		j := traceLine(calc, "jobbstimulans", "p1")
		if j == nil || j.Amount != -s.Amount.MulDivRound(25, 100) || !strings.Contains(j.Text, "Personen") {
			t.Errorf("jobbstimulans on the applicant: %+v (salary %v)", j, s.Amount)
		}
	} else {
		t.Errorf("no salary of the applicant in the calculation")
	}
	if c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonAidHistoryUnknown) {
		t.Fatalf("state %s reasons %v, want aid_history_unknown", c.State, c.RoutingReasons)
	}
	var rec casecalc.RoutingRecord
	if err := e.cases.LatestRecord(ctx, c.ID, store.RecordRouting, &rec); err != nil {
		t.Fatal(err)
	}
	for _, r := range rec.Outcome.Reasons {
		if r.Code == skalig.ReasonAidHistoryUnknown && (r.Text == "" || !strings.Contains(r.Detail, "p2") && !strings.Contains(r.Detail, "medsökande")) {
			t.Errorf("reason %+v", r)
		}
	}
	// The caseworker enters the partner's months (none before Skälig).
	entered := skalig.Fact{Kind: skalig.KindPersonAidMonths, PersonID: "p2", Value: skalig.TextValue("none")}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-2"), []skalig.Fact{entered}, "Enligt akten i det tidigare systemet: inget bistånd"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _, _ = latest(t, e, c.ID)
	if slices.Contains(c.RoutingReasons, skalig.ReasonAidHistoryUnknown) {
		t.Errorf("after the caseworker's entry: %v", c.RoutingReasons)
	}
	// The import is in the audit trail, without personal data.
	var n int
	var data string
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*), MAX(data) FROM audit_trail WHERE action = $1`, store.ActionHistoryImported).Scan(&n, &data); err != nil {
		t.Fatal(err)
	}
	if n != 1 || strings.Contains(data, applicant.Canonical()) || !strings.Contains(data, "sha256:") {
		t.Errorf("audit: %d %s", n, data)
	}
}

// Bad discretionary input to AdjustFacts gets a Swedish message naming the
// field, and nothing is stored.
func TestAdjustDiscretionRefusesBadValues(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, _ := firstCase(t, e)
	for _, f := range []skalig.Fact{
		{Kind: skalig.KindPersonAidMonths, PersonID: "p1", Value: skalig.TextValue("2026-13")},
		{Kind: skalig.KindPersonAidMonths, PersonID: "p1", Value: skalig.TextValue(month.String())},
		{Kind: skalig.KindPersonAidMonths, Value: skalig.TextValue("none")},
		{Kind: skalig.KindBeyondPrefix + "1", Value: skalig.AmountValue(-skalig.Kronor(100))},
		{Kind: skalig.KindOtherNeedPrefix + "1", Value: skalig.AmountValue(-skalig.Kronor(1))},
		{Kind: skalig.KindNormAdjustment, Value: skalig.TextValue("500")},
	} {
		_, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-1"), []skalig.Fact{f}, "Test")
		var se *skalig.Error
		if !asSkaligError(err, &se) || se == nil || se.Code != skalig.EINVALID || len(se.Fields) != 1 || se.Fields[0].Field != "facts[0].value" {
			t.Errorf("%s %q: %v", f.Kind, f.Value.String(), err)
		}
	}
	// A lower norm is a negative amount, and allowed.
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-1"), []skalig.Fact{{Kind: skalig.KindNormAdjustment, Value: skalig.AmountValue(-skalig.Kronor(200))}}, "Lägre kostnader"); err != nil {
		t.Fatal(err)
	}
}
