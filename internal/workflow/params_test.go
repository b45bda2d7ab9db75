package workflow_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/paramdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// testYear2027 is the TEST DATA table of internal/params/testdata (not the
// official 2027 table), with every status set to status.
func testYear2027(t *testing.T, status string) []byte {
	t.Helper()
	b, err := os.ReadFile("../params/testdata/year-2027-testdata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "\tofficial\t", "\t"+status+"\t"))
}

// A January 2027 application waits with a person, with the named reason
// parameters_missing, until a table for 2027 is loaded and approved; then
// it is calculated and routed again without anyone touching it. A
// provisional table never lets the robot decide.
func TestMissingParametersWaitAndRecalculate(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	ps := paramdb.New(db)
	src, err := ps.Source(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Config{Seed: 1})
	wf, err := workflow.New(workflow.Config{Cases: cases, ParamSource: src, Municipal: mun, Registers: s,
		RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, cases: cases, wf: wf, sim: s}
	jan := skalig.MonthOf(2027, 1)
	submit := func(seed uint64) string {
		t.Helper()
		h := demo.GenerateScenario(seed, "0821", jan, demo.Plain, 1)[0]
		c, _, err := wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	lastCalc := func(id string) casecalc.Calculation {
		t.Helper()
		var calc casecalc.Calculation
		if err := cases.LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil {
			t.Fatal(err)
		}
		return calc
	}

	// 1. No 2027 table: the cases wait with a person, with the named reason.
	var waiting []string
	for _, h := range demo.GenerateScenario(11, "0821", jan, demo.Plain, 6) {
		c, _, err := wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		waiting = append(waiting, c.ID)
	}
	a := waiting[0]
	e.run(t)
	for _, id := range waiting {
		if c, _ := cases.Case(ctx, id); c.State != skalig.StateAwaitingCaseworker || !slices.Equal(c.RoutingReasons, []string{skalig.ReasonParametersMissing}) {
			t.Fatalf("2027-01 without parameters: state %s reasons %v", c.State, c.RoutingReasons)
		}
	}
	c, err := cases.Case(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != skalig.StateAwaitingCaseworker || !slices.Equal(c.RoutingReasons, []string{skalig.ReasonParametersMissing}) {
		t.Fatalf("2027-01 without parameters: state %s reasons %v, want awaiting_caseworker with parameters_missing only", c.State, c.RoutingReasons)
	}
	calc := lastCalc(a)
	if calc.Output != nil || len(calc.ParamsMissing) != 2 || !strings.Contains(calc.ParamsMissing[0], "riksnorm 2027") || !strings.Contains(calc.ParamsMissing[1], "prisbasbelopp 2027") {
		t.Fatalf("calculation: %+v", calc)
	}
	var rr casecalc.RoutingRecord
	if err := cases.LatestRecord(ctx, a, store.RecordRouting, &rr); err != nil {
		t.Fatal(err)
	}
	if r := rr.Outcome.Reasons; len(r) != 1 || !strings.Contains(r[0].Text, "beräknas om") || !strings.Contains(r[0].Detail, "riksnorm 2027") {
		t.Fatalf("routing reason: %+v", rr.Outcome.Reasons)
	}

	// 2. The table for 2027 (status official, TEST DATA amounts), loaded
	// and approved by a second person: the waiting case is calculated again
	// on it and decided or routed by the usual rules, not held for
	// parameters.
	v, err := ps.Import(ctx, "riksnorm-2027.tsv", testYear2027(t, "official"), "admin-a")
	if err != nil {
		t.Fatal(err)
	}
	e.run(t) // pending: nothing happens
	if c, _ := cases.Case(ctx, a); c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonParametersMissing) {
		t.Fatalf("pending version changed the case: %s %v", c.State, c.RoutingReasons)
	}
	if _, err := ps.Approve(ctx, v.ID, "admin-b"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = cases.Case(ctx, a)
	if slices.Contains(c.RoutingReasons, skalig.ReasonParametersMissing) || slices.Contains(c.RoutingReasons, skalig.ReasonProvisionalParameter) ||
		c.State == skalig.StateFetching || c.State == skalig.StateSubmitted {
		t.Fatalf("after the approval: state %s reasons %v, want decided or routed on the 2027 table", c.State, c.RoutingReasons)
	}
	if calc := lastCalc(a); calc.Output == nil || calc.ParamSet != "riksnorm-2027-v1" || calc.ParamStatus != "official" {
		t.Fatalf("calculation on the approved table: %+v", calc)
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM case_records WHERE case_id = $1 AND kind = $2`, a, workflow.RecordParamsApproved).Scan(&n); err != nil || n != 1 {
		t.Fatalf("params_approved records: %d %v", n, err)
	}
	// (The simulator's Arbetsförmedlingen answers leave these 2027
	// households with the activity requirement unmet, so they are routed to
	// a person on their own reasons; what matters here is that they are
	// calculated and routed again, and no longer wait for parameters.)
	for _, id := range waiting {
		c, _ := cases.Case(ctx, id)
		if slices.Contains(c.RoutingReasons, skalig.ReasonParametersMissing) || c.State == skalig.StateFetching {
			t.Errorf("case %s not calculated again: %s %v", id, c.State, c.RoutingReasons)
		}
		if c.State == skalig.StateAwaitingCaseworker && len(c.RoutingReasons) == 0 {
			t.Errorf("case %s with a person without a reason", id)
		}
		if calc := lastCalc(id); calc.Output == nil || calc.ParamSet != "riksnorm-2027-v1" {
			t.Errorf("case %s not calculated on the 2027 table: %+v", id, calc)
		}
		t.Logf("recalculated 2027-01 case: %s %v", c.State, c.RoutingReasons)
	}

	// 3. A later approved version of the year replaces it; its values are
	// provisional, so a new case goes to a person (provisional_parameter),
	// never decided by the robot.
	v2, err := ps.Import(ctx, "riksnorm-2027-prel.tsv", testYear2027(t, "provisional"), "admin-b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Approve(ctx, v2.ID, "admin-a"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	b := submit(12)
	e.run(t)
	c, _ = cases.Case(ctx, b)
	if c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonProvisionalParameter) {
		t.Fatalf("new case on the provisional table: state %s reasons %v, want awaiting_caseworker with provisional_parameter", c.State, c.RoutingReasons)
	}
	if calc := lastCalc(b); calc.Output == nil || calc.ParamSet != "riksnorm-2027-v2" || calc.ParamStatus != "provisional" {
		t.Fatalf("calculation on the provisional table: %+v", calc)
	}
}
