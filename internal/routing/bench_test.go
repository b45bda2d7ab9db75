package routing

import (
	"testing"

	"skalig"
)

// BenchmarkRoute routes a couple with a child, 30-odd facts, three
// delegations, sampling and three CEL rules: the shape of a real case.
func BenchmarkRoute(b *testing.B) {
	s := testSpec()
	s.Delegations = append(s.Delegations,
		DelegationSpec{Name: "punkt 3.2", Kinds: []skalig.ApplicationKind{skalig.MonthlyApplication}, MaxAmount: 12000, UnchangedOnly: true},
		DelegationSpec{Name: "punkt 3.3", Kinds: []skalig.ApplicationKind{skalig.MonthlyApplication}, Outcomes: []skalig.Outcome{skalig.OutcomeRejected}, MaxAmount: 1})
	s.SampleSeed, s.SampleRate = "bench-seed-2026", 0.05
	s.Rules = []RuleSpec{
		{Name: "stort_hushall", Expression: "household.size >= 7", Reason: "Stort hushåll."},
		{Name: "belopp_okat", Expression: "previous.exists && calc.aid > previous.amount * 1.5 && calc.aid - previous.amount > 2000", Reason: "Beloppet har ökat."},
		{Name: "barnfamilj_utan_bostadsbidrag", Expression: "household.children > 0 && declared('cost.housing') > 0.0 && declared('income.housing_allowance') == 0.0 && registered('income.housing_allowance') == 0.0 && !facts.exists(f, f.kind == 'asset.bank' && f.amount > 100000.0)", Reason: "Inget bostadsbidrag."},
	}
	c := mustNew(b, s)
	in := baseInput()
	couple(in)
	in.Members = append(in.Members, skalig.Member{ID: "p3", PersonalNumber: "201803042381", Role: skalig.RoleChild})
	in.Facts = append(in.Facts,
		decl("cost.electricity", "", amt(450)), decl("cost.home_insurance", "", amt(180)),
		decl("income.child_allowance", "", amt(1250)), reg(skalig.RegisterFK, "income.child_allowance", "p1", amt(1250)),
		decl("income.salary_net", "p2", amt(4200)), decl(skalig.KindAssetBank, "p1", amt(800)),
		reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("citizen")),
		reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p2", txt("valid")),
		reg(skalig.RegisterMigration, skalig.KindPermitValidUntil, "p2", txt("2027-06-30")),
		decl(skalig.KindLunchAtHome, "p3", txt("no")),
	)
	in.Previous.Facts = append(in.Previous.Facts, in.Facts...)
	if o := c.Route(in); o.Route == RouteException {
		b.Fatalf("the benchmark case is an exception: %+v", o.Reasons)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Route(in)
	}
}
