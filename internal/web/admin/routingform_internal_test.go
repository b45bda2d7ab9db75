package admin

import "testing"

// TestParseSampleRate: the share of sample controls as a percentage or as
// one in so many; the range is the configuration's to check.
func TestParseSampleRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {"5", 0.05, true}, {"2,5", 0.025, true}, {"2.5 %", 0.025, true}, {"10%", 0.1, true},
		{"5 procent", 0.05, true}, {"1 av 20", 0.05, true}, {"1/20", 0.05, true}, {"1 på 4", 0.25, true},
		{"1 of 3", 0.333333, true}, {"150", 1.5, true},
		{"1 av 0", 0, false}, {"ofta", 0, false}, {"-5", 0, false}, {"5,5,5", 0, false}, {"NaN", 0, false},
	} {
		got, ok := parseSampleRate(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseSampleRate(%q)=%v, %v, want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
