package workflow_test

import (
	"context"
	"testing"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

// TestRoutingInput: a calculated case as routing saw it: its members,
// facts and the figures of its latest calculation; routing it again gives
// the route it was given. A case not yet calculated is EINVALID.
func TestRoutingInput(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	var ids []string
	for _, h := range demo.Generate(1, "0821", month, 6) {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	first, err := e.cases.Case(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wf.RoutingInput(ctx, first); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Errorf("before calculation: err=%v, want EINVALID", err)
	}
	e.run(t)
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, id := range ids {
		c, err := e.cases.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var calc casecalc.Calculation
		if err := e.cases.LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
			continue
		}
		tried++
		in, err := e.wf.RoutingInput(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if in.CaseID != id || in.Calc.Aid != calc.Output.Aid || len(in.Members) == 0 || len(in.Facts) == 0 {
			t.Errorf("%s: input %+v, calculated aid %v", id, in.Calc, calc.Output.Aid)
		}
		var rec casecalc.RoutingRecord
		if err := e.cases.LatestRecord(ctx, id, store.RecordRouting, &rec); err != nil {
			t.Fatal(err)
		}
		rc, err := mun.Routing(c.Municipality, c.Month)
		if err != nil {
			t.Fatal(err)
		}
		if got := rc.Route(in); got.Route != rec.Outcome.Route {
			t.Errorf("%s: routed again %s, was %s", id, got.Route, rec.Outcome.Route)
		}
	}
	if tried == 0 {
		t.Fatal("no case was calculated")
	}
}
