package stats

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"skalig"
)

func TestSummarise(t *testing.T) {
	h := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, x := range n {
			out = append(out, time.Duration(x)*time.Hour)
		}
		return out
	}
	for _, c := range []struct {
		name        string
		in          []time.Duration
		median, p90 time.Duration
	}{
		{"Empty", nil, 0, 0},
		{"One", h(5), 5 * time.Hour, 5 * time.Hour},
		{"Odd", h(9, 1, 5), 5 * time.Hour, 9 * time.Hour},
		{"Even", h(4, 1, 3, 2), 150 * time.Minute, 4 * time.Hour},
		// Ten values: the 90th percentile is the 9th (ceil(9.0)).
		{"Ten", h(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 330 * time.Minute, 9 * time.Hour},
		// Eleven: the 10th (ceil(9.9)).
		{"Eleven", h(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 6 * time.Hour, 10 * time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := Summarise(c.in)
			if d.Count != len(c.in) || d.Median != c.median || d.P90 != c.p90 {
				t.Errorf("Summarise=%+v, want count %d, median %v, p90 %v", d, len(c.in), c.median, c.p90)
			}
		})
	}
}

func TestReadable(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0 s", 45 * time.Second: "45 s", 90 * time.Second: "1,5 min", 36 * time.Hour: "36,0 h",
	} {
		if got := readable(d); got != want {
			t.Errorf("readable(%v)=%q, want %q", d, got, want)
		}
	}
}

func TestZTwoProportions(t *testing.T) {
	// 30 of 40 against 10 of 40: pooled 0.5, se = sqrt(0.25·0.05) ≈ 0.1118,
	// z = 0.5 / 0.1118 ≈ 4.472.
	if z := zTwoProportions(30, 40, 10, 40); math.Abs(z-4.4721) > 1e-3 {
		t.Errorf("z=%v, want 4.4721", z)
	}
	if z := zTwoProportions(0, 40, 0, 40); z != 0 {
		t.Errorf("z of two zero rates=%v, want 0", z)
	}
}

// cases returns n continued applications of group g (single, couple,
// children, large) decided automatically (approved), of which toPerson
// instead went to a person (an exception) and rejected of those were
// rejected.
func cases(g Group, n, toPerson, rejected int) []*Row {
	adults, children := 1, 0
	switch g {
	case GroupCouple:
		adults = 2
	case GroupChildren:
		children = 1
	case GroupLarge:
		adults, children = 2, 3
	}
	var out []*Row
	for i := range n {
		c := &Row{Count: 1, Kind: skalig.MonthlyApplication, Adults: adults, Children: children, State: skalig.StateDecided,
			Decided: true, Outcome: skalig.OutcomeApproved, Granted: 100, Delegation: "AMN § 4"}
		if i < toPerson {
			c.Delegation, c.Reasons = "", []string{"income_differs"}
			if i < rejected {
				c.Outcome, c.Granted = skalig.OutcomeRejected, 0
			}
		}
		out = append(out, c)
	}
	return out
}

func check(t *testing.T, bs []BiasCheck, g Group, m Measure) BiasCheck {
	t.Helper()
	for _, b := range bs {
		if b.Group == g && b.Measure == m {
			return b
		}
	}
	t.Fatalf("no check of %s/%s", g, m)
	return BiasCheck{}
}

func TestWatch(t *testing.T) {
	t.Run("Flagged", func(t *testing.T) {
		// Large households: 20 of 40 rejected; the rest 4 of 80.
		cs := append(cases(GroupLarge, 40, 20, 20), cases(GroupSingle, 80, 4, 4)...)
		b := check(t, Watch(cs), GroupLarge, MeasureRejected)
		if !b.Tested || !b.Flagged || b.GroupHits != 20 || b.RestHits != 4 || b.RiskRatio != 10 {
			t.Errorf("large/rejected=%+v, want flagged, ratio 10", b)
		}
	})
	t.Run("SmallDifference", func(t *testing.T) {
		// 12 of 40 against 10 of 40 to a person: ratio 1.2, not flagged.
		cs := append(cases(GroupChildren, 40, 12, 0), cases(GroupSingle, 40, 10, 0)...)
		b := check(t, Watch(cs), GroupChildren, MeasureToPerson)
		if !b.Tested || b.Flagged || math.Abs(b.RiskRatio-1.2) > 1e-9 {
			t.Errorf("children/to_person=%+v, want tested, not flagged, ratio 1.2", b)
		}
	})
	t.Run("NotSignificant", func(t *testing.T) {
		// 6 of 30 against 3 of 30: ratio 2, but z ≈ 1.15.
		cs := append(cases(GroupCouple, 30, 6, 6), cases(GroupSingle, 30, 3, 3)...)
		b := check(t, Watch(cs), GroupCouple, MeasureRejected)
		if !b.Tested || b.Flagged || b.RiskRatio != 2 || b.Z > 2 {
			t.Errorf("couple/rejected=%+v, want tested, not flagged", b)
		}
	})
	t.Run("TooFew", func(t *testing.T) {
		// 29 cases, all to a person, against none of 100: not tested.
		cs := append(cases(GroupLarge, 29, 29, 0), cases(GroupSingle, 100, 0, 0)...)
		b := check(t, Watch(cs), GroupLarge, MeasureToPerson)
		if b.Tested || b.Flagged || !math.IsInf(b.RiskRatio, 1) {
			t.Errorf("large/to_person=%+v, want not tested", b)
		}
	})
	t.Run("FirstApplicationsLeftOutOfRouting", func(t *testing.T) {
		cs := cases(GroupSingle, 40, 0, 0)
		for _, c := range cases(GroupChildren, 40, 40, 0) {
			c.Kind = skalig.FirstApplication
			cs = append(cs, c)
		}
		ws := Watch(cs)
		b := check(t, ws, GroupChildren, MeasureToPerson)
		if b.GroupCases != 0 || b.Flagged {
			t.Errorf("children/to_person=%+v, want no first applications counted", b)
		}
		for _, b := range ws {
			if b.Group == GroupFirst && b.Measure == MeasureToPerson {
				t.Errorf("first applications checked for routing: %+v", b)
			}
		}
	})
}

func TestRoute(t *testing.T) {
	for _, c := range []struct {
		c    Row
		want Route
	}{
		{Row{}, ""},
		{Row{Decided: true, Delegation: "AMN § 4"}, RouteAutomated},
		{Row{Decided: true, Reasons: []string{"no_delegation"}}, RouteProposal},
		{Row{Decided: true, Reasons: []string{"outside_delegation", "documents_requested", "documents_received"}}, RouteProposal},
		{Row{Decided: true, Reasons: []string{"adjusted"}}, RouteProposal},
		{Row{Decided: true, Reasons: []string{"sample"}}, RoutePerson},
		{Row{Decided: true, Reasons: []string{"income_differs", "adjusted"}}, RoutePerson},
		{Row{Decided: true}, RouteProposal},
	} {
		if got := c.c.Route(); got != c.want {
			t.Errorf("Route of %+v=%q, want %q", c.c, got, c.want)
		}
	}
}

func fieldOf(err error) string {
	var se *skalig.Error
	if !errors.As(err, &se) || len(se.Fields) == 0 {
		return ""
	}
	return se.Code + ":" + se.Fields[0].Field
}

func TestParse(t *testing.T) {
	if m, err := ParseMonth("month", "2026-11"); err != nil || m != skalig.MonthOf(2026, 11) {
		t.Errorf("ParseMonth(2026-11)=%v, %v", m, err)
	}
	for _, s := range []string{"", "2026-13", "2026-1", "nov"} {
		if _, err := ParseMonth("month", s); fieldOf(err) != "invalid:month" {
			t.Errorf("ParseMonth(%q)=%v, want EINVALID naming month", s, err)
		}
	}
	for _, c := range []struct{ from, to, field string }{
		{"x", "2026-01", "invalid:from"}, {"2026-01", "", "invalid:to"}, {"2026-02", "2026-01", "invalid:to"},
		{"2023-01", "2026-01", "invalid:to"}, {"2026-01", "2026-01", ""},
	} {
		if _, _, err := ParsePeriod(c.from, c.to); fieldOf(err) != c.field {
			t.Errorf("ParsePeriod(%q, %q)=%v, want %q", c.from, c.to, err, c.field)
		}
	}
	for _, s := range []string{"", "821", "2621", "08x1"} {
		if _, err := ParseMunicipality("municipality", s); fieldOf(err) != "invalid:municipality" {
			t.Errorf("ParseMunicipality(%q)=%v", s, err)
		}
	}
	if _, err := Month("0821", skalig.MonthOf(2026, 11), nil); fieldOf(err) != "not_found:month" {
		t.Errorf("Month without cases: %v", err)
	}
	if _, err := Delegation("0821", skalig.MonthOf(2026, 1), skalig.MonthOf(2026, 2), nil); fieldOf(err) != "not_found:from" {
		t.Errorf("Delegation without cases: %v", err)
	}
}

func TestWrite(t *testing.T) {
	cs := append(cases(GroupLarge, 40, 20, 20), cases(GroupSingle, 80, 4, 4)...)
	for i, c := range cs {
		c.ToDecision = []time.Duration{time.Duration(i) * time.Hour}
	}
	f, err := Month("0821", skalig.MonthOf(2026, 11), cs)
	if err != nil {
		t.Fatal(err)
	}
	var text, csv bytes.Buffer
	if err := f.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hushåll med 3 eller fler barn: avslag", "20 av 40", "FLAGGAD", "income_differs", "59,5 h", "107,0 h"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{
		"0821,2026-11,all,applications,120\n", "0821,2026-11,large,decided.person.rejected,20\n",
		"0821,2026-11,large,bias.rejected.flagged,1\n", "0821,2026-11,single,bias.rejected.flagged,0\n",
		"0821,2026-11,all,reason.income_differs,24\n",
		// 0..119 h: median (59+60)/2, 90th percentile the 108th value (107 h).
		"0821,2026-11,all,time_to_decision.median_seconds,214200\n", "0821,2026-11,all,time_to_decision.p90_seconds,385200\n",
	} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
	r, err := Delegation("0821", skalig.MonthOf(2026, 11), skalig.MonthOf(2026, 11), cs)
	if err != nil {
		t.Fatal(err)
	}
	// Hand-counted reviews: 3 requests for review of automated decisions
	// under AMN § 4 (2 kept, 1 open), 2 appeals of caseworkers' decisions
	// (1 forwarded, 1 rejected as late) and 1 of an automated one, open.
	r.AddReviews([]ReviewRow{
		{Kind: ReviewKindReview, Resolution: "kept", Delegation: "AMN § 4", Count: 2},
		{Kind: ReviewKindReview, Resolution: "", Delegation: "AMN § 4", Count: 1},
		{Kind: ReviewKindAppeal, Resolution: "forwarded", Count: 1},
		{Kind: ReviewKindAppeal, Resolution: "rejected_late", Count: 1},
		{Kind: ReviewKindAppeal, Resolution: "", Delegation: "AMN § 4", Count: 1},
	})
	wantReviews := Reviews{Requests: ReviewCounts{Received: 3, Open: 1, Kept: 2, OfAutomated: 3},
		Appeals: ReviewCounts{Received: 3, Open: 1, Forwarded: 1, RejectedLate: 1, OfAutomated: 1}}
	if r.Reviews != wantReviews || r.Automated[0].Reviewed != 3 || r.Automated[0].Appealed != 1 {
		t.Errorf("Reviews=%+v, AMN § 4 reviewed %d appealed %d; want %+v, 3, 1", r.Reviews, r.Automated[0].Reviewed, r.Automated[0].Appealed, wantReviews)
	}
	text.Reset()
	csv.Reset()
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	// Automated: 20 large and 76 single approvals under one point.
	for _, want := range []string{"Delegation: AMN § 4", "Ändrade beslut", "begäran om omprövning 3, överklaganden 1", "Omprövning och överklagande"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("report text lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{
		"0821,2026-11,2026-11,automated,AMN § 4,all,decided,96\n", "0821,2026-11,2026-11,automated,AMN § 4,large,approved,20\n",
		"0821,2026-11,2026-11,person,,all,rejected,24\n", "0821,2026-11,2026-11,overturned,,all,decisions,not_recorded\n",
		"0821,2026-11,2026-11,automated,AMN § 4,all,reviewed,3\n", "0821,2026-11,2026-11,review,,all,kept,2\n",
		"0821,2026-11,2026-11,appeal,,all,forwarded,1\n", "0821,2026-11,2026-11,appeal,,all,of_automated,1\n",
	} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("report CSV lacks %q:\n%s", want, csv.String())
		}
	}
}
