package manualcalc_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"skalig"
	"skalig/internal/workflow/manualcalc"
)

func lines() []manualcalc.Line {
	return []manualcalc.Line{
		{Kind: manualcalc.Norm, Item: "Riksnorm, ensamstående vuxen", Amount: skalig.Kronor(4200), Basis: "SoL 12 kap. 3 §"},
		{Kind: manualcalc.Cost, Item: "Hyra", Person: "p1", Amount: skalig.Kronor(6500), Basis: "Hyresavi januari 2027"},
		{Kind: manualcalc.Income, Item: "Bostadsbidrag", Amount: skalig.Kronor(1800), Basis: "Försäkringskassan"},
	}
}

// Check names the field of every bad line or reason, in Swedish, and
// returns good lines trimmed.
func TestCheck(t *testing.T) {
	members := []skalig.Member{{ID: "p1", Role: skalig.RoleApplicant}}
	for _, tc := range []struct {
		name  string
		lines []manualcalc.Line
		why   string
		field string
	}{
		{"OK", lines(), "Riksnormen saknas", ""},
		{"no reason", lines(), " ", "reason"},
		{"control in reason", lines(), "a\x00b", "reason"},
		{"no lines", nil, "Norm saknas", "lines"},
		{"bad kind", []manualcalc.Line{{Kind: "gift", Item: "x", Amount: 1, Basis: "y"}}, "Norm saknas", "lines[0].kind"},
		{"no item", []manualcalc.Line{{Kind: manualcalc.Norm, Amount: 1, Basis: "y"}}, "Norm saknas", "lines[0].item"},
		{"no basis", []manualcalc.Line{{Kind: manualcalc.Norm, Item: "Riksnorm", Amount: skalig.Kronor(4200)}}, "Norm saknas", "lines[0].basis"},
		{"negative", []manualcalc.Line{{Kind: manualcalc.Norm, Item: "Riksnorm", Amount: skalig.Kronor(-1), Basis: "SoL"}}, "Norm saknas", "lines[0].amount"},
		{"too large", []manualcalc.Line{{Kind: manualcalc.Norm, Item: "Riksnorm", Amount: skalig.Kronor(1_000_001), Basis: "SoL"}}, "Norm saknas", "lines[0].amount"},
		{"no norm", []manualcalc.Line{{Kind: manualcalc.Cost, Item: "Hyra", Amount: skalig.Kronor(1), Basis: "Avi"}}, "Norm saknas", "lines"},
		{"unknown person", []manualcalc.Line{{Kind: manualcalc.Norm, Item: "Riksnorm", Person: "p9", Amount: 1, Basis: "SoL"}}, "Norm saknas", "lines[0].person"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why, err := manualcalc.Check(tc.lines, tc.why, members)
			if tc.field == "" {
				if err != nil || why != tc.why || !slices.Equal(got, tc.lines) {
					t.Fatalf("Check=%+v %q %v, want the lines back", got, why, err)
				}
				return
			}
			var se *skalig.Error
			if !errors.As(err, &se) || se.Code != skalig.EINVALID || len(se.Fields) == 0 || se.Fields[0].Field != tc.field || se.Fields[0].Message == "" {
				t.Fatalf("Check err=%v, want EINVALID on %s", err, tc.field)
			}
		})
	}
	padded := []manualcalc.Line{{Kind: manualcalc.Norm, Item: " Riksnorm ", Amount: 1, Basis: " SoL "}}
	if got, _, err := manualcalc.Check(padded, "x", nil); err != nil || got[0].Item != "Riksnorm" || got[0].Basis != "SoL" {
		t.Errorf("Check=%+v %v, want trimmed", got, err)
	}
}

// The lines survive their encoding as facts in order, with who entered
// them, and the figures are the sums of the lines.
func TestFactsAndOutput(t *testing.T) {
	month := skalig.MonthOf(2027, 1)
	facts := manualcalc.Facts(lines(), month, "hl-1", time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC))
	if len(facts) != 3*len(lines()) {
		t.Fatalf("%d facts, want 3 per line", len(facts))
	}
	got, by, ok := manualcalc.LinesOf(append([]skalig.Fact{{Kind: "income.salary_net"}}, facts...))
	if !ok || by != "hl-1" || !slices.Equal(got, lines()) {
		t.Fatalf("LinesOf=%+v %q %v, want the lines by hl-1", got, by, ok)
	}
	if _, _, ok := manualcalc.LinesOf(nil); ok {
		t.Error("LinesOf(nil) ok, want false")
	}
	o := manualcalc.Output(month, lines(), "hl-1")
	if want := skalig.Kronor(4200 + 6500 - 1800); o.Aid != want || o.Norm != skalig.Kronor(4200) || o.ReasonableCosts != skalig.Kronor(6500) || o.IncomeCounted != skalig.Kronor(1800) {
		t.Fatalf("Aid=%s Norm=%s Costs=%s Income=%s, want aid %s", o.Aid, o.Norm, o.ReasonableCosts, o.IncomeCounted, want)
	}
	if o.Parameters.Set != manualcalc.ParamSet || len(o.Trace) != len(lines())+1 || o.Trace[1].Law != "Hyresavi januari 2027" {
		t.Fatalf("Parameters=%+v Trace=%+v", o.Parameters, o.Trace)
	}
	// Incomes above the need give a surplus and no aid, but aid beyond the
	// calculation is still paid.
	rich := append(lines(), manualcalc.Line{Kind: manualcalc.Income, Item: "Lön", Amount: skalig.Kronor(20000), Basis: "Lönebesked"},
		manualcalc.Line{Kind: manualcalc.Beyond, Item: "Glasögon", Amount: skalig.Kronor(900), Basis: "Kvitto"})
	o = manualcalc.Output(month, rich, "hl-1")
	if o.Aid != skalig.Kronor(900) || o.Surplus != skalig.Kronor(1800+20000-4200-6500) {
		t.Fatalf("Aid=%s Surplus=%s, want 900 kr and the surplus", o.Aid, o.Surplus)
	}
}
