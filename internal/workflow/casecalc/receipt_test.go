package casecalc

import (
	"bytes"
	"testing"

	"skalig"
	"skalig/internal/calcformat"
)

// TestSortedOutputJSON: calcformat.Output.CanonicalJSON is the canonical
// form of OutputJSON's, byte for byte, with and without the
// fields that are left out when empty.
func TestSortedOutputJSON(t *testing.T) {
	outs := []*calcformat.Output{
		{Month: "2026-11", Status: "ok", Norm: 123456, ReasonableCosts: 500000, OtherCosts: 1, IncomeCounted: 99,
			Aid: 623358, Surplus: 0, Parameters: calcformat.Parameters{Set: "2026", Status: "final"},
			Trace: []calcformat.Line{{Item: "norm", Person: "p1", Amount: 123456, Source: "parameter", Parameter: "riksnorm.2026.single",
				Law: "4 kap. 3 § SoL", Text: "Riksnorm <ensam> & \"citat\" – åäö"}, {Item: "aid", Amount: -5, Source: "calculation", Law: "", Text: ""}}},
		{Month: "2026-12", Status: "review", ReviewReasons: []string{"a", "b"}, NormAdjustment: -300, BeyondCalculation: 7,
			Parameters: calcformat.Parameters{Set: "x"}, Trace: []calcformat.Line{}},
		{Month: "2026-12", ReviewReasons: []string{}},
	}
	for i, o := range outs {
		result, trace, err := OutputJSON(o)
		if err != nil {
			t.Fatal(err)
		}
		cr, _ := skalig.CanonicalizeJSON(result)
		ct, _ := skalig.CanonicalizeJSON(trace)
		sr, st, err := o.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(cr, sr) {
			t.Errorf("%d: result\n%s\nwant\n%s", i, sr, cr)
		}
		if !bytes.Equal(ct, st) {
			t.Errorf("%d: trace\n%s\nwant\n%s", i, st, ct)
		}
	}
}
