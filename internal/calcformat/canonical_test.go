package calcformat

import (
	"bytes"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"

	"skalig"
)

// TestCanonicalByHand: CanonicalJSON writes by hand exactly what
// encoding/json writes, for any figures and texts (plain or needing
// escapes, which encoding/json then writes), with and without the fields
// left out when empty.
func TestCanonicalByHand(t *testing.T) {
	texts := []string{"", "aid", "Riksnorm – åäö §", "<ensam> & co", "norm", "SoL 4 kap. 1 §", "", "p2", "x", "y", "z", "w", "v", "\"citat\"", `a\b`, "tab\there", "\u2028", "ok\x01", "bad \xff utf8", "p1"}
	str := rapid.SampledFrom(texts)
	money := rapid.Custom(func(t *rapid.T) skalig.Money {
		return skalig.Money(rapid.SampledFrom([]int64{0, 1, -5, 50, 123456, -30000, 99999999}).Draw(t, "m"))
	})
	plain := 0
	rapid.Check(t, func(t *rapid.T) {
		o := &Output{Month: str.Draw(t, "month"), Status: str.Draw(t, "status"), Norm: money.Draw(t, "norm"),
			ReasonableCosts: money.Draw(t, "rc"), OtherCosts: money.Draw(t, "oc"), IncomeCounted: money.Draw(t, "ic"),
			Aid: money.Draw(t, "aid"), Surplus: money.Draw(t, "surplus"), NormAdjustment: money.Draw(t, "na"),
			BeyondCalculation: money.Draw(t, "bc"), Parameters: Parameters{Set: str.Draw(t, "set"), Status: str.Draw(t, "pstatus")}}
		switch rapid.IntRange(0, 2).Draw(t, "reasons") {
		case 1:
			o.ReviewReasons = []string{}
		case 2:
			o.ReviewReasons = rapid.SliceOfN(str, 1, 3).Draw(t, "rr")
		}
		if rapid.Bool().Draw(t, "trace") {
			o.Trace = []Line{}
			for range rapid.IntRange(0, 4).Draw(t, "lines") {
				o.Trace = append(o.Trace, Line{Item: str.Draw(t, "item"), Person: str.Draw(t, "person"), Amount: money.Draw(t, "amount"),
					Source: str.Draw(t, "source"), Parameter: str.Draw(t, "parameter"), Law: str.Draw(t, "law"), Text: str.Draw(t, "text")})
			}
		}
		wr, wt, err := o.encodeCanonical()
		if err != nil {
			t.Fatal(err)
		}
		gr, gt, err := o.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := o.appendCanonical(nil, nil); ok {
			plain++
		}
		if !bytes.Equal(gr, wr) || !bytes.Equal(gt, wt) {
			t.Fatalf("result\n got %s\nwant %s\ntrace\n got %s\nwant %s", gr, wr, gt, wt)
		}
	})
	t.Logf("%d outputs written by hand", plain)
	if plain == 0 {
		t.Error("no output was written by hand")
	}
}

// TestPlainJSON: plainJSON is true exactly when encoding/json (without
// HTML escaping) writes the string as it is between quotes, for any
// bytes, valid UTF-8 or not.
func TestPlainJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var s string
		if rapid.Bool().Draw(t, "bytes") {
			s = string(rapid.SliceOf(rapid.Byte()).Draw(t, "b"))
		} else {
			s = rapid.String().Draw(t, "s")
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		asIs := buf.String() == `"`+s+"\"\n"
		if got := plainJSON(s); got != asIs {
			t.Fatalf("plainJSON(%q) = %v, encoding/json writes it as it is: %v (%s)", s, got, asIs, buf.String())
		}
	})
	for _, s := range []string{"Riksnorm – åäö §", "\u2028", "\u2029", "\ufffd", "bad \xff", "ok\x7f", `q"`, `b\`} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		if want := buf.String() == `"`+s+"\"\n"; plainJSON(s) != want {
			t.Errorf("plainJSON(%q) = %v, want %v", s, !want, want)
		}
	}
}
