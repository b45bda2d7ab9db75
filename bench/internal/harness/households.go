package harness

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/params"
)

// DefaultMonth is the month the benches apply for unless told otherwise
// (their -month flag): the month of now when the built-in parameters have a
// riksnorm table for its year, and otherwise December of the last year they
// have, so that the robot can decide the cases whatever the date (a month
// without parameters goes to a person).
func DefaultMonth(now time.Time) (skalig.Month, error) {
	p, err := params.Default()
	if err != nil {
		return 0, err
	}
	mo := skalig.DateOf(now).Month()
	years := p.Years()
	if len(years) == 0 || slices.Contains(years, mo.Year()) {
		return mo, nil
	}
	last := years[len(years)-1]
	if mo.Year() > last {
		return skalig.MonthOf(last, 12), nil
	}
	return mo, nil
}

// Decidable reports an error when the built-in parameters have no riksnorm
// table for mo's year: the robot cannot decide such a month (its cases go
// to a person with calculation_failed).
func Decidable(mo skalig.Month) error {
	p, err := params.Default()
	if err != nil {
		return err
	}
	if !slices.Contains(p.Years(), mo.Year()) {
		return fmt.Errorf("month %s: the built-in parameters have no riksnorm for %d, so the robot cannot decide it; choose a month of the years %v", mo, mo.Year(), p.Years())
	}
	return nil
}

// ParseMonth reads a -month flag: YYYY-MM, or "" for DefaultMonth(now).
func ParseMonth(s string, now time.Time) (skalig.Month, error) {
	if s == "" {
		return DefaultMonth(now)
	}
	mo, ok := skalig.ParseMonth(s)
	if !ok {
		return 0, fmt.Errorf("month %q: give YYYY-MM", s)
	}
	return mo, nil
}

// AutoDecidable returns n households of municipality applying for month
// (internal/demo's Plain scenario, persons of the simulator's population
// seed) that the robot can approve: one adult whose declared incomes are
// well below what a single adult needs (riksnorm and the rent), since the
// demo municipality's delegation lets the robot approve, while a rejection
// (income above the need) goes to a person as a proposal. How many Plain
// households qualify depends on the month (the registers' incomes and the
// persons' ages change with it), so it generates more until it has n; the
// same arguments give the same households.
func AutoDecidable(seed uint64, municipality string, month skalig.Month, n int) ([]demo.Household, error) {
	out := make([]demo.Household, 0, n)
	tried := 0
	for h := range demo.Scenarios(seed, municipality, month, demo.Plain) {
		if tried++; tried > 20*n+1000 {
			break
		}
		if IsAutoDecidable(h) {
			out = append(out, h)
			if len(out) == n {
				return out, nil
			}
		}
	}
	return nil, fmt.Errorf("could not generate %d auto-decidable households for %s (%d of %d qualified)", n, month, len(out), tried-1)
}

// IsAutoDecidable reports whether h is one of AutoDecidable's households.
func IsAutoDecidable(h demo.Household) bool {
	var income skalig.Money
	for _, f := range h.App.Facts {
		if strings.HasPrefix(f.Kind, skalig.KindIncomePrefix) && !f.Value.IsText {
			income += f.Value.Amount
		}
	}
	return len(h.App.Members) == 1 && income < skalig.Kronor(6000)
}
