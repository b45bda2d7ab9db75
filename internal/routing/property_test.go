package routing

import (
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"skalig"
)

// genSpec draws a configuration: zero to three delegations (approvals only
// unless allowMore), any sample rate and tolerance, and a rule or none.
func genSpec(t *rapid.T, allowMore bool) Spec {
	s := testSpec()
	s.Delegations = nil
	for i := range rapid.IntRange(0, 3).Draw(t, "delegations") {
		d := DelegationSpec{
			Name:          "punkt " + string(rune('1'+i)),
			Kinds:         []skalig.ApplicationKind{skalig.MonthlyApplication},
			MaxAmount:     rapid.Int64Range(1, 40000).Draw(t, "max_amount"),
			UnchangedOnly: rapid.Bool().Draw(t, "unchanged_only"),
		}
		if allowMore {
			all := []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected}
			d.Outcomes = rapid.SliceOfNDistinct(rapid.SampledFrom(all), 1, 3, func(o skalig.Outcome) skalig.Outcome { return o }).Draw(t, "outcomes")
		}
		s.Delegations = append(s.Delegations, d)
	}
	if rapid.Bool().Draw(t, "sampled") {
		s.SampleSeed = "seed-" + rapid.StringMatching(`[a-z0-9]{4,12}`).Draw(t, "seed")
		s.SampleRate = rapid.Float64Range(0, 1).Draw(t, "rate")
	}
	s.IncomeTolerance = rapid.Int64Range(0, 500).Draw(t, "tolerance")
	if rapid.Bool().Draw(t, "rule") {
		s.Rules = []RuleSpec{{Name: "stort_belopp", Expression: "calc.aid > 25000 && declared('cost.housing') > 0.0", Reason: "Stort belopp."}}
	}
	return s
}

// genInput draws a variation of the decidable base input that triggers no
// built-in reason by itself: another aid, reduced or not, a partner, a
// different previous month, rent changed, extra benign facts.
func genInput(t *rapid.T) *Input {
	in := baseInput()
	in.CaseID = rapid.StringMatching(`case-[0-9a-f]{8}`).Draw(t, "case_id")
	in.Calc.Aid = skalig.Kronor(rapid.SampledFrom([]int64{0, 0, 1, 500, 8000, 12000, 19999, 20000, 20001, 35000}).Draw(t, "aid"))
	in.Calc.Reduced = rapid.Bool().Draw(t, "reduced")
	if rapid.Bool().Draw(t, "couple") {
		couple(in)
	}
	if rapid.Bool().Draw(t, "rent_changed") {
		setAmount(in, "cost.housing", skalig.SourceApplicant, rapid.Int64Range(3000, 9000).Draw(t, "rent"))
	}
	switch rapid.IntRange(0, 2).Draw(t, "previous") {
	case 1:
		in.Previous = nil
	case 2:
		in.Previous.Month -= skalig.Month(rapid.IntRange(1, 5).Draw(t, "gap"))
	}
	for range rapid.IntRange(0, 4).Draw(t, "benign") {
		f := rapid.SampledFrom([]skalig.Fact{
			decl("cost.electricity", "", amt(400)),
			decl("income.salary_net", "p1", amt(3000)),
			decl(skalig.KindSignalEviction, "", txt("no")),
			decl(skalig.KindAssetBank, "p1", amt(1500)),
			reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("citizen")),
			status(skalig.RegisterFK, "p1", skalig.RegisterAnswered),
		}).Draw(t, "fact")
		in.Facts = append(in.Facts, f)
	}
	return in
}

// triggers each make a built-in stop with the code given.
var triggers = []struct {
	code   string
	mutate func(*Input)
}{
	{skalig.ReasonSocialRisk, func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindSignalViolence, "", txt("yes"))) }},
	{skalig.ReasonFirstApplication, func(in *Input) { in.Kind = skalig.FirstApplication }},
	{skalig.ReasonProvisionalParameter, func(in *Input) { in.Calc.ParamStatus = "provisional" }},
	{skalig.ReasonRegisterUnavailable, func(in *Input) { replaceStatus(in, skalig.RegisterCSN, "p1", skalig.RegisterFailed) }},
	{skalig.ReasonIncomeDiffers, func(in *Input) {
		f := reg(skalig.RegisterAkassa, "income.unemployment_benefit", "p1", amt(6000))
		f.Period = in.Month // an income of the month assessed, whatever it is
		in.Facts = append(in.Facts, f)
	}},
	{skalig.ReasonOtherCostClaimed, func(in *Input) { in.Facts = append(in.Facts, decl("need.other.1", "", amt(900))) }},
	{skalig.ReasonAssetsOrVehicle, func(in *Input) {
		in.Facts = append(in.Facts, reg(skalig.RegisterTransport, skalig.KindAssetVehicle, "p1", txt("ABC123")))
	}},
	{skalig.ReasonResidencePermit, func(in *Input) {
		in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("expired")))
	}},
	{skalig.ReasonHousingAboveGuideline, func(in *Input) { in.Calc.Reasons = append(in.Calc.Reasons, "housing_above_guideline") }},
	{skalig.ReasonAFNotRegistered, func(in *Input) { setText(in, skalig.KindAFRegistered, "no") }},
	{skalig.ReasonActivityNotEvidenced, func(in *Input) { toMonth(in, ActivityRequirementFrom); setText(in, skalig.KindAFRegistered, "no") }},
	{skalig.ReasonMessageToCaseworker, func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindMessage, "", txt("Hej"))) }},
	{"cost_above_guideline", func(in *Input) { in.Calc.Reasons = append(in.Calc.Reasons, "cost_above_guideline") }},
}

// TestPropertyNeverDecideOnStop: whatever the configuration (even one that
// delegates every outcome) and the case, a built-in reason stops the robot:
// the route is exception, the code is listed, and no delegation is named.
func TestPropertyNeverDecideOnStop(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := mustNew(t, genSpec(t, true))
		in := genInput(t)
		idx := rapid.SliceOfNDistinct(rapid.IntRange(0, len(triggers)-1), 1, 3, func(i int) int { return i }).Draw(t, "triggers")
		for _, i := range idx {
			triggers[i].mutate(in)
		}
		o := c.Route(in)
		if o.Route != RouteException || o.Delegation != "" {
			t.Fatalf("Route=%s Delegation=%q, want exception", o.Route, o.Delegation)
		}
		for _, i := range idx {
			if _, ok := findReason(o, triggers[i].code); !ok {
				t.Fatalf("Codes=%v, want %s", o.Codes(), triggers[i].code)
			}
		}
	})
}

// TestPropertyNeverRejectWithoutDelegation: with delegations of approvals
// only (the default), a rejection or a reduction is never decided
// automatically; and whatever is decided is covered by the delegation named.
func TestPropertyNeverRejectWithoutDelegation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		allowMore := rapid.Bool().Draw(t, "allow_more")
		s := genSpec(t, allowMore)
		c := mustNew(t, s)
		in := genInput(t)
		o := c.Route(in)
		if o.Route != RouteDecide {
			if o.Delegation != "" || len(o.Reasons) == 0 {
				t.Fatalf("Outcome=%+v: not decided, yet no reason or a delegation", o)
			}
			return
		}
		if !allowMore && o.Outcome != skalig.OutcomeApproved {
			t.Fatalf("decided %s without a delegation of it", o.Outcome)
		}
		i := slices.IndexFunc(s.Delegations, func(d DelegationSpec) bool { return d.Name == o.Delegation })
		if i < 0 {
			t.Fatalf("Delegation=%q is not configured", o.Delegation)
		}
		d := c.Spec().Delegations[i]
		if !slices.Contains(d.Outcomes, o.Outcome) || in.Calc.Aid > skalig.Kronor(d.MaxAmount) || !slices.Contains(d.Kinds, in.Kind) {
			t.Fatalf("decided %s of %v under %+v", o.Outcome, in.Calc.Aid, d)
		}
		if d.UnchangedOnly {
			if ok, _ := unchangedSincePrevious(in); !ok {
				t.Fatalf("decided a changed case under %q", d.Name)
			}
		}
		if o.Sample != nil && o.Sample.Drawn {
			t.Fatal("decided a case drawn for sample control")
		}
	})
}

// TestPropertyOrderOfFacts: the outcome does not depend on the order of the
// facts, nor on the time of routing (Route twice gives the same).
func TestPropertyOrderOfFacts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := mustNew(t, genSpec(t, true))
		in := genInput(t)
		for _, i := range rapid.SliceOfN(rapid.IntRange(0, len(triggers)-1), 0, 3).Draw(t, "triggers") {
			triggers[i].mutate(in)
		}
		// A status fact at the same time as another, with another value.
		if rapid.Bool().Draw(t, "tie") {
			in.Facts = append(in.Facts, status(skalig.RegisterFK, "p1", skalig.RegisterFailed))
		}
		want := c.Route(in)
		perm := rapid.Permutation(in.Facts).Draw(t, "perm")
		in2 := *in
		in2.Facts = perm
		got := c.Route(&in2)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after shuffling the facts:\n got %+v\nwant %+v", got, want)
		}
		if again := c.Route(in); !reflect.DeepEqual(again, want) {
			t.Fatalf("Route twice differs:\n got %+v\nwant %+v", again, want)
		}
	})
}

// TestPropertyRoutePair: RoutePair gives what Route gives with each
// configuration, whether the two share their stops (a candidate that only
// changes a delegation limit or the sample rate) or not (another tolerance
// or rule), and an Outcome's reasons never share memory with the other's.
func TestPropertyRoutePair(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSpec(t, true)
		a := mustNew(t, s)
		s2 := s.clone()
		if len(s2.Delegations) > 0 {
			s2.Delegations[0].MaxAmount = rapid.Int64Range(1, 40000).Draw(t, "max_amount_2")
		}
		if s2.SampleSeed != "" {
			s2.SampleRate = rapid.Float64Range(0, 1).Draw(t, "rate_2")
		}
		if rapid.Bool().Draw(t, "other_stops") {
			s2.IncomeTolerance++
			s2.Rules = nil
		}
		b := mustNew(t, s2)
		in := genInput(t)
		for _, i := range rapid.SliceOfN(rapid.IntRange(0, len(triggers)-1), 0, 3).Draw(t, "triggers") {
			triggers[i].mutate(in)
		}
		oa, ob := RoutePair(a, b, in)
		if want := a.Route(in); !reflect.DeepEqual(oa, want) {
			t.Fatalf("RoutePair's first:\n got %+v\nwant %+v", oa, want)
		}
		if want := b.Route(in); !reflect.DeepEqual(ob, want) {
			t.Fatalf("RoutePair's second:\n got %+v\nwant %+v", ob, want)
		}
		oa.Reasons = append(oa.Reasons, Reason{Code: "added"})
		if slices.ContainsFunc(ob.Reasons, func(r Reason) bool { return r.Code == "added" }) {
			t.Fatal("a reason added to the first Outcome shows in the second")
		}
	})
}
