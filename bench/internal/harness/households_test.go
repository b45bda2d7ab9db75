package harness

import (
	"fmt"
	"testing"
	"time"

	"skalig"
	"skalig/internal/params"
)

// The benches must work on any date: for every month, this year's and the
// coming ones beyond the parameters, AutoDecidable finds the households
// asked for, all of them auto-decidable, for the month asked, and the same
// ones each time.
func TestAutoDecidableAnyMonth(t *testing.T) {
	const n = 100
	for _, s := range []string{"2026-12", "2027-01", "2027-07", "2028-12"} {
		mo, _ := skalig.ParseMonth(s)
		hs, err := AutoDecidable(1, "0821", mo, n)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if len(hs) != n {
			t.Fatalf("%s: %d households, want %d", s, len(hs), n)
		}
		keys := map[string]bool{}
		for _, h := range hs {
			if !IsAutoDecidable(h) || h.App.Month != mo || h.App.Municipality != "0821" {
				t.Fatalf("%s: household %s is not an auto-decidable 0821 application for the month", s, h.App.IdempotencyKey)
			}
			keys[h.App.IdempotencyKey] = true
		}
		if len(keys) != n {
			t.Fatalf("%s: %d distinct idempotency keys, want %d", s, len(keys), n)
		}
		again, _ := AutoDecidable(1, "0821", mo, 10)
		for i := range again {
			if again[i].App.IdempotencyKey != hs[i].App.IdempotencyKey {
				t.Fatalf("%s: not deterministic: %s then %s", s, hs[i].App.IdempotencyKey, again[i].App.IdempotencyKey)
			}
		}
	}
}

// DefaultMonth is the current month while the parameters cover its year,
// and the last month they cover after that.
func TestDefaultMonth(t *testing.T) {
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	years := p.Years()
	last := years[len(years)-1]
	for _, c := range []struct{ now, want string }{
		{"2025-03-31", "2025-03"},
		{fmt.Sprintf("%d-12-04", last), fmt.Sprintf("%d-12", last)},
		{fmt.Sprintf("%d-01-01", last+1), fmt.Sprintf("%d-12", last)},
		{fmt.Sprintf("%d-08-15", last+5), fmt.Sprintf("%d-12", last)},
	} {
		now, _ := time.Parse("2006-01-02", c.now)
		got, err := DefaultMonth(now)
		if err != nil || got.String() != c.want {
			t.Errorf("DefaultMonth(%s) = %s, %v; want %s", c.now, got, err, c.want)
		}
	}
	if _, err := ParseMonth("2026-13", time.Now()); err == nil {
		t.Error("ParseMonth accepted 2026-13")
	}
	if mo, err := ParseMonth("2027-02", time.Now()); err != nil || mo.String() != "2027-02" {
		t.Errorf("ParseMonth(2027-02) = %s, %v", mo, err)
	}
	if err := Decidable(skalig.MonthOf(last, 6)); err != nil {
		t.Errorf("Decidable(%d-06): %v", last, err)
	}
	if err := Decidable(skalig.MonthOf(last+1, 1)); err == nil {
		t.Errorf("Decidable(%d-01) = nil, want an error: no parameters", last+1)
	}
}
