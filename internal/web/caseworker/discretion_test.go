package caseworker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

// The page Justera grants a norm adjustment, aid beyond the calculation and
// an amount above a guideline through workflow.AdjustFacts: bad input gives
// a Swedish message naming the field, the granted amounts enter the
// proposal, with the caseworker and the reason in the trace.
func TestCaseworkerDiscretion(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	sara := devidp.SaraHandlaggarsson
	c := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c.ID
	var before casecalc.Calculation
	if err := e.Cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &before); err != nil || before.Output == nil {
		t.Fatalf("no calculation: %v", err)
	}

	res := e.Get(t, sara, base+"/justera")
	wantStatus(t, res, 200, "adjust list")
	mustContain(t, res.Body, "Höj eller sänk normen av särskilda skäl", "Bevilja bistånd utöver beräkningen", "Godkänn ett högre belopp för")
	for _, l := range []string{"en", "ar"} {
		for _, post := range []string{"norm.adjustment", "beyond"} {
			res := e.Get(t, sara, base+"/justera?post="+post+"&lang="+l)
			wantStatus(t, res, 200, post+" "+l)
			mustNotContain(t, res.Body, "[cw.", "[form.")
		}
	}

	// Bad input: a Swedish message naming the field, never a 500.
	v := itoa(c.Version)
	for _, tc := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"norm without reason", url.Values{"post": {"norm.adjustment"}, "direction": {"raise"}, "amount": {"500"}},
			[]string{"Skäl", "Skäl: "}},
		{"norm without direction", url.Values{"post": {"norm.adjustment"}, "amount": {"500"}, "reason": {"Särskild kost"}},
			[]string{"Ska normen höjas eller sänkas: välj"}},
		{"norm bad amount", url.Values{"post": {"norm.adjustment"}, "direction": {"lower"}, "amount": {"femhundra"}, "reason": {"x"}},
			[]string{"Belopp per månad som normen ändras med"}},
		{"beyond empty", url.Values{"post": {"beyond"}}, []string{"Vad biståndet gäller, post 1"}},
		{"beyond without reason", url.Values{"post": {"beyond"}, "text2": {"Begravning"}, "amount2": {"2000"}},
			[]string{"Skäl, post 2"}},
		{"beyond negative", url.Values{"post": {"beyond"}, "text1": {"Begravning"}, "amount1": {"-2000"}, "reason1": {"x"}},
			[]string{"Belopp, post 1"}},
		{"approved without amount", url.Values{"post": {"cost.housing.approved"}, "reason": {"Ingen billigare bostad"}},
			[]string{"Godkänt belopp per månad"}},
		{"control character", url.Values{"post": {"norm.adjustment"}, "direction": {"raise"}, "amount": {"5"}, "reason": {"a\x00b"}},
			[]string{"Skäl"}},
	} {
		tc.form.Set("version", v)
		res := e.Post(t, sara, base+"/justera", tc.form)
		wantStatus(t, res, http.StatusUnprocessableEntity, tc.name)
		mustContain(t, res.Body, append([]string{"Det finns fel som du behöver rätta"}, tc.want...)...)
	}
	// A stale version: the workflow's message, not a 500.
	res = e.Post(t, sara, base+"/justera", url.Values{"version": {"999"}, "post": {"norm.adjustment"}, "direction": {"raise"},
		"amount": {"500"}, "reason": {"Särskild kost"}})
	if res.StatusCode >= 500 || res.StatusCode < 400 {
		t.Fatalf("stale version: %d", res.StatusCode)
	}

	// The norm raised by 500 kr, then two items of aid beyond.
	res = e.Post(t, sara, base+"/justera", url.Values{"version": {v}, "post": {"norm.adjustment"}, "direction": {"raise"},
		"amount": {"500"}, "reason": {"Särskild kost enligt läkarintyg"}})
	wantStatus(t, res, http.StatusSeeOther, "norm")
	e.Run(t)
	c2, _ := e.Cases.Case(ctx, c.ID)
	if c2.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("after the norm: %s", c2.State)
	}
	res = e.Post(t, sara, base+"/justera", url.Values{"version": {itoa(c2.Version)}, "post": {"beyond"},
		"text1": {"Begravning"}, "amount1": {"2 000"}, "reason1": {"Begravningskostnad för make"},
		"text3": {"Spis"}, "amount3": {"1500"}, "reason3": {"Spisen gick sönder"}})
	wantStatus(t, res, http.StatusSeeOther, "beyond")
	e.Run(t)

	var calc casecalc.Calculation
	if err := e.Cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
		t.Fatalf("no calculation: %v", err)
	}
	o := calc.Output
	if o.NormAdjustment != skalig.Kronor(500) || o.BeyondCalculation != skalig.Kronor(3500) || o.Aid != before.Output.Aid+skalig.Kronor(4000) {
		t.Fatalf("norm %v beyond %v aid %v (before %v)", o.NormAdjustment, o.BeyondCalculation, o.Aid, before.Output.Aid)
	}
	var norm, beyond bool
	for _, ln := range calc.Output.Trace {
		if ln.Source != "caseworker" {
			continue
		}
		norm = norm || strings.Contains(ln.Text, "Särskild kost enligt läkarintyg") && strings.Contains(ln.Text, sara)
		beyond = beyond || strings.Contains(ln.Text, "Begravning")
	}
	if !norm || !beyond {
		t.Errorf("trace without the caseworker's lines: %+v", calc.Output.Trace)
	}
	// The page shows what is granted; another visit to the form numbers on.
	res = e.Get(t, sara, base+"/justera?post=beyond")
	mustContain(t, res.Body, "Begravning: 2", "Spis: 1")

	// A cost above the guideline approved at 1 000 kr more than the
	// calculation counted: it replaces the cost, with who and why.
	reasonable := calc.Output.ReasonableCosts
	var housing skalig.Money
	for _, ln := range calc.Output.Trace {
		if ln.Item == "housing" {
			housing += ln.Amount
		}
	}
	c2, _ = e.Cases.Case(ctx, c.ID)
	res = e.Post(t, sara, base+"/justera", url.Values{"version": {itoa(c2.Version)}, "post": {"cost.housing.approved"},
		"amount": {cwMoneyText(housing + skalig.Kronor(1000))}, "reason": {"Ingen billigare bostad finns på orten"}})
	wantStatus(t, res, http.StatusSeeOther, "approve above the guideline")
	e.Run(t)
	if err := e.Cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output.ReasonableCosts != reasonable+skalig.Kronor(1000) {
		t.Fatalf("approved housing: %v reasonable %v, was %v", err, calc.Output.ReasonableCosts, reasonable)
	}
	approved := false
	for _, ln := range calc.Output.Trace {
		approved = approved || ln.Item == "housing" && ln.Source == "caseworker" && strings.Contains(ln.Text, "Ingen billigare bostad")
	}
	if !approved {
		t.Errorf("no caseworker line for the approved housing cost: %+v", calc.Output.Trace)
	}
	res = e.Get(t, sara, base)
	mustContain(t, res.Body, "Godkänt belopp över riktlinjen")

	// A lowered norm is negative; 0 kr takes it back.
	c2, _ = e.Cases.Case(ctx, c.ID)
	res = e.Post(t, sara, base+"/justera", url.Values{"version": {itoa(c2.Version)}, "post": {"norm.adjustment"}, "direction": {"lower"},
		"amount": {"200"}, "reason": {"Delar kostnader med vuxet barn"}})
	wantStatus(t, res, http.StatusSeeOther, "lower the norm")
	e.Run(t)
	if err := e.Cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output.NormAdjustment != -skalig.Kronor(200) {
		t.Fatalf("lowered norm: %v %+v", err, calc.Output)
	}
}

// cwMoneyText writes m as a form field takes it: "7200,50".
func cwMoneyText(m skalig.Money) string {
	return strconv.FormatInt(int64(m)/100, 10) + "," + fmt.Sprintf("%02d", int64(m)%100)
}
