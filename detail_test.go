package skalig_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"skalig"
)

// testFormat is a DetailFormat over a map of messages.
type testFormat map[string]string

func (f testFormat) Message(id string) (string, bool) { m, ok := f[id]; return m, ok }
func (testFormat) Money(m skalig.Money) string        { return "M" + m.String() }
func (testFormat) Month(m skalig.Month) string        { return "m" + m.String() }
func (testFormat) Date(d skalig.Date) string          { return "d" + d.String() }
func (testFormat) Text(s string) string               { return "<" + s + ">" }

func TestDetailFormat(t *testing.T) {
	f := testFormat{
		"a": "%s för %s: %s", "b": "x %[2]s y %[1]s", "c": "100 %% %s", "sep": " & ", "detail.sep.semicolon": "; ",
		"p": "sökande", "short": "%s %s",
	}
	for _, tc := range []struct {
		d    skalig.Detail
		want string
	}{
		{skalig.NewDetail("a", skalig.TextArg("FK"), skalig.MsgArg("p"), skalig.MoneyArg(skalig.Kronor(5000))), "<FK> för sökande: M5000"},
		{skalig.NewDetail("b", skalig.MonthArg(skalig.MonthOf(2026, 11)), skalig.DateArg(skalig.Date{Y: 2026, M: 11, D: 30})), "x d2026-11-30 y m2026-11"},
		{skalig.NewDetail("c", skalig.NumberArg(0.0520654)), "100 % 0.0520654"},
		{skalig.NewDetail("c", skalig.ListArg("sep", skalig.TextArg("a"), skalig.MsgArg("p"))), "100 % <a> & sökande"},
		{skalig.NewDetail("short", skalig.TextArg("a")), "<a> %!(MISSING)"},
		{skalig.NewDetail("nope"), "[nope]"},
	} {
		if got := tc.d.Format(f); got != tc.want {
			t.Errorf("%s: Format=%q, want %q", tc.d.ID, got, tc.want)
		}
	}
	two := []skalig.Detail{skalig.NewDetail("p"), skalig.NewDetail("c", skalig.TextArg("z"))}
	if got, want := skalig.FormatDetails(two, f), "sökande; 100 % <z>"; got != want {
		t.Errorf("FormatDetails=%q, want %q", got, want)
	}
}

// TestDetailMessageVerbs: a detail message takes %s and %[n]s only (the
// formatter writes nothing else), and in Swedish writes as fmt.Sprintf
// would.
func TestDetailMessageVerbs(t *testing.T) {
	verb := regexp.MustCompile(`%(\[[0-9]+\])?[^\[]`)
	for _, lang := range []string{"sv", "en", "ar"} {
		buf, err := skalig.ReasonCatalogs.ReadFile("locales/details." + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(buf, &m); err != nil {
			t.Fatalf("details.%s.json: %v (a detail counts nothing: no plural forms)", lang, err)
		}
		for id, msg := range m {
			var args []skalig.DetailArg
			var plain []any
			for _, v := range verb.FindAllString(msg, -1) {
				if v != "%%" && v[len(v)-1] != 's' {
					t.Errorf("%s %s: verb %q; use %%s", lang, id, v)
				}
				if v[1] != '[' && v[1] != '%' {
					a := fmt.Sprint("a", len(args))
					args, plain = append(args, skalig.TextArg(a)), append(plain, a)
				}
			}
			if lang != "sv" {
				continue
			}
			if got, want := skalig.NewDetail(id, args...).Swedish(), fmt.Sprintf(msg, plain...); got != want {
				t.Errorf("%s: Swedish()=%q, fmt says %q", id, got, want)
			}
		}
	}
}
