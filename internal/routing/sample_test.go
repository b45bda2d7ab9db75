package routing

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"math"
	"skalig"
	"testing"
)

// TestDrawVector pins the draw to values computed outside Go (Python's hmac
// and OpenSSL, as docs/routing.md shows), so that a change of method shows.
func TestDrawVector(t *testing.T) {
	for _, tc := range []struct {
		seed, id string
		want     float64
	}{
		{"test-seed-0001", "case-0001", 0.05206535381230004},             // HMAC 0d5427afe0e53c01…
		{"hogsby-exempel-stickprov-1", "case-0001", 0.13003039862157584}, // HMAC 2149ac1590c5672e…
	} {
		d := drawWith(tc.seed, 0.06, tc.id)
		if d.Value != tc.want || d.Seed != tc.seed || d.Rate != 0.06 || d.Drawn != (tc.want < 0.06) {
			t.Errorf("drawWith(%q, %q)=%+v, want Value %v", tc.seed, tc.id, d, tc.want)
		}
	}
}

func TestSampleRoute(t *testing.T) {
	s := testSpec()
	s.SampleSeed, s.SampleRate = "test-seed-0001", 0.06 // case-0001 draws 0.052: drawn
	c := mustNew(t, s)
	o := c.Route(baseInput())
	if o.Route != RouteSample || o.Sample == nil || !o.Sample.Drawn || o.Delegation != "" {
		t.Fatalf("Outcome=%+v, want a sample", o)
	}
	if len(o.Reasons) != 1 || o.Reasons[0].Code != skalig.ReasonSample || o.Reasons[0].Detail != "lottningsvärde 0.0520654 är lägre än andelen 0.06" {
		t.Errorf("Reasons=%+v", o.Reasons)
	}
	checkDetails(t, o)
	t.Run("BeatsPropose", func(t *testing.T) {
		s := s
		s.Delegations = nil
		if o := mustNew(t, s).Route(baseInput()); o.Route != RouteSample {
			t.Errorf("Route=%s, want sample", o.Route)
		}
	})
	t.Run("ExceptionBeatsSample", func(t *testing.T) {
		in := baseInput()
		in.Calc.Reasons = []string{"housing_above_guideline"}
		o := c.Route(in)
		if o.Route != RouteException || o.Sample == nil || !o.Sample.Drawn {
			t.Errorf("Outcome=%+v, want an exception with the draw recorded", o)
		}
		if _, ok := findReason(o, skalig.ReasonSample); ok {
			t.Error("an exception lists the sample reason")
		}
	})
	t.Run("NotDrawn", func(t *testing.T) {
		s := s
		s.SampleRate = 0.05
		o := mustNew(t, s).Route(baseInput())
		if o.Route != RouteDecide || o.Sample == nil || o.Sample.Drawn || o.Sample.Value != 0.05206535381230004 {
			t.Errorf("Outcome=%+v, want decide with the draw recorded", o)
		}
	})
	t.Run("RateZeroRecorded", func(t *testing.T) {
		s := s
		s.SampleRate = 0
		o := mustNew(t, s).Route(baseInput())
		if o.Sample == nil || o.Sample.Drawn {
			t.Errorf("Sample=%+v, want recorded and not drawn", o.Sample)
		}
	})
}

// TestSampleRate draws 200 000 case ids at several rates: the share drawn
// must be within 5 standard deviations of the rate (deterministic: the ids
// are fixed), and the values must look uniform over ten bins.
func TestSampleRate(t *testing.T) {
	const n = 200_000
	values := make([]float64, n)
	for i := range values {
		values[i] = drawWith("stickprov-test-2026", 0, fmt.Sprintf("case-%06d", i)).Value
	}
	for _, rate := range []float64{0.01, 0.05, 0.1, 0.5} {
		drawn := 0
		for _, v := range values {
			if v < rate {
				drawn++
			}
		}
		share := float64(drawn) / n
		sd := math.Sqrt(rate * (1 - rate) / n)
		if math.Abs(share-rate) > 5*sd {
			t.Errorf("rate %v: drew %v (%d of %d), more than 5 sd (%v) off", rate, share, drawn, n, sd)
		}
	}
	var bins [10]int
	for _, v := range values {
		if v < 0 || v >= 1 {
			t.Fatalf("value %v outside [0, 1)", v)
		}
		bins[int(v*10)]++
	}
	chi2 := 0.0
	for _, b := range bins {
		d := float64(b) - n/10
		chi2 += d * d / (n / 10)
	}
	if chi2 > 27.9 { // χ² with 9 degrees of freedom, p = 0.001
		t.Errorf("bins=%v, χ²=%v: not uniform", bins, chi2)
	}
}

func TestDrawDependsOnSeedAndCase(t *testing.T) {
	a := drawWith("seed-one-1", 0.5, "case-1").Value
	if b := drawWith("seed-one-1", 0.5, "case-1").Value; a != b {
		t.Error("the same seed and case drew differently")
	}
	if b := drawWith("seed-two-2", 0.5, "case-1").Value; a == b {
		t.Error("another seed drew the same")
	}
	if b := drawWith("seed-one-1", 0.5, "case-2").Value; a == b {
		t.Error("another case drew the same")
	}
}

// drawWith is the draw of caseID with a fresh HMAC keyed with seed.
func drawWith(seed string, rate float64, caseID string) Draw {
	return drawMAC(hmac.New(sha256.New, []byte(seed)), seed, rate, caseID)
}
