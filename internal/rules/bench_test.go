package rules_test

import (
	"testing"

	"skalig"
	"skalig/internal/params"
	"skalig/internal/rules"
)

// benchHousehold is a couple with two children in 2026-03: housing,
// electricity, a salary under jobbstimulans (aid 2025-06..2026-02) and child
// allowance.
func benchHousehold(tb testing.TB) (*rules.Input, *params.Set) {
	tb.Helper()
	in := &rules.Input{
		Month: skalig.MonthOf(2026, 3),
		People: []rules.Person{
			adult(tb, "p1", rules.Applicant, "1990-04-12"),
			adult(tb, "p2", rules.Partner, "1992-01-30"),
			child(tb, "c1", "2021-06-01"),
			child(tb, "c2", "2012-02-10"),
		},
		Costs: []rules.Cost{
			{Kind: rules.Housing, Amount: skalig.Kronor(7200), Source: rules.SourceApplicant},
			{Kind: rules.Electricity, Amount: skalig.Money(35050), Source: rules.SourceApplicant},
		},
		Incomes: []rules.Income{
			{Person: 0, Kind: rules.SalaryNet, Amount: skalig.Kronor(12000), Source: rules.SourceRegister},
			{Person: -1, Kind: rules.ChildAllowance, Amount: skalig.Kronor(2500), Source: rules.SourceRegister},
		},
		AidMonths: monthsFrom(tb, "2025-06", 9),
	}
	ps := mustSet(tb, defaultParams(tb), in.Month)
	// Make sure the benchmark measures the path it claims to.
	var tr rules.Trace
	res, err := rules.Calculate(in, ps, nil, &tr)
	if err != nil {
		tb.Fatal(err)
	}
	if len(lines(&tr, "jobbstimulans", "p1")) != 1 || res.Aid <= 0 {
		tb.Fatalf("benchmark household: Aid=%v, jobbstimulans lines %d; want aid and jobbstimulans", res.Aid, len(lines(&tr, "jobbstimulans", "p1")))
	}
	return in, ps
}

func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "calcs/s")
	}
}

// BenchmarkCalculate is the figures alone (no trace): what a batch
// recalculation or a simulation over many households pays.
func BenchmarkCalculate(b *testing.B) {
	in, ps := benchHousehold(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rules.Calculate(in, ps, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

// BenchmarkCalculateTrace is a calculation with its explanation, as the API
// and `skalig calc` run it.
func BenchmarkCalculateTrace(b *testing.B) {
	in, ps := benchHousehold(b)
	b.ReportAllocs()
	for b.Loop() {
		var tr rules.Trace
		if _, err := rules.Calculate(in, ps, nil, &tr); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}
