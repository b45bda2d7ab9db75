package gallring

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"skalig"
)

// pn returns a synthetic personnummer born on yyyymmdd.
func pn(t *testing.T, yyyymmdd string, serial int) skalig.PersonalNumber {
	t.Helper()
	nine := yyyymmdd[2:] + fmt.Sprintf("%03d", serial)
	sum := 0
	for i, c := range nine {
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	p := skalig.PersonalNumber(yyyymmdd + fmt.Sprintf("%03d%d", serial, (10-sum%10)%10))
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func date(s string) skalig.Date {
	d, ok := skalig.ParseDate(s)
	if !ok {
		panic(s)
	}
	return d
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

func TestSample(t *testing.T) {
	for _, tc := range []struct {
		mun, born string
		kept      bool
	}{
		{"0821", "19900412", false},
		{"0821", "19900415", true},
		{"0821", "19900405", true},
		{"0821", "19900425", true},
		{"0821", "19900465", true},  // samordningsnummer, born the 5th
		{"0580", "19900412", true},  // Linköping, Östergötlands län
		{"0980", "19900412", true},  // Gotland
		{"2281", "19900412", true},  // Sundsvall, Västernorrlands län
		{"1480", "19900412", true},  // Göteborg
		{"1481", "19900412", false}, // Mölndal: Västra Götaland, not Göteborg
	} {
		_, got := Default(tc.mun).InSample(pn(t, tc.born, 982))
		if got != tc.kept {
			t.Errorf("%s born %s: in sample %v, want %v", tc.mun, tc.born, got, tc.kept)
		}
	}
}

func TestDecide(t *testing.T) {
	r := Default("0821")
	a := pn(t, "19900412", 982)
	c := Case{ID: "c1", State: skalig.StateClosed, LastEntry: at("2021-03-02"), Persons: []skalig.PersonalNumber{a}}
	v := Decide(r, Person{PN: a, Cases: []Case{c}}, date("2026-03-01"))
	if v.Gallras || v.Due != date("2026-03-02") || v.Deadline != date("2027-12-31") || !strings.Contains(v.Reasons[0], "tidigast 2026-03-02") {
		t.Errorf("a day before: %+v", v)
	}
	v = Decide(r, Person{PN: a, Cases: []Case{c}}, date("2026-03-02"))
	if !v.Gallras || len(v.Cases) != 1 || !strings.Contains(v.Reasons[0], "senast 2027-12-31") {
		t.Errorf("on the day: %+v", v)
	}
	// A newer entry in another case moves the whole akt.
	c2 := Case{ID: "c2", State: skalig.StateClosed, LastEntry: at("2023-01-10"), Persons: []skalig.PersonalNumber{a}}
	if v := Decide(r, Person{PN: a, Cases: []Case{c, c2}}, date("2027-01-01")); v.Gallras || len(v.Kept) != 2 {
		t.Errorf("newer case: %+v", v)
	}
	for name, k := range map[string]Case{
		"appealed":  {ID: "c3", State: skalig.StateClosed, LastEntry: at("2019-01-01"), Appealed: true},
		"claim":     {ID: "c3", State: skalig.StatePaid, LastEntry: at("2019-01-01"), OpenClaim: true},
		"undecided": {ID: "c3", State: skalig.StateAwaitingCaseworker, LastEntry: at("2019-01-01")},
	} {
		v := Decide(r, Person{PN: a, Cases: []Case{c, k}}, date("2030-01-01"))
		if v.Gallras || len(v.Kept) != 2 || !strings.HasPrefix(v.Reasons[0], "behålls: ") {
			t.Errorf("%s: %+v", name, v)
		}
	}
	// An open claim on the person keeps the whole akt, and says so.
	if v := Decide(r, Person{PN: a, Cases: []Case{c, c2}, OpenClaim: true}, date("2030-01-01")); v.Gallras || len(v.Kept) != 2 ||
		v.Reasons[0] != "behålls: ett öppet återkrav på personen" {
		t.Errorf("claim on the person: %+v", v)
	}
	// The research sample keeps everything however old, and is marked for
	// the archive export.
	s := pn(t, "19900415", 982)
	if v := Decide(r, Person{PN: s, Cases: []Case{c}}, date("2040-01-01")); v.Gallras || !v.Sample || !strings.Contains(v.Reasons[0], "forskningsurval") {
		t.Errorf("sample: %+v", v)
	}
	if v := Decide(r, Person{PN: a, Cases: []Case{c}}, date("2040-01-01")); v.Sample {
		t.Errorf("not in the sample: %+v", v)
	}
	// 29 February.
	if d := AddYears(date("2024-02-29"), 5); d != date("2029-02-28") {
		t.Errorf("AddYears=%s", d)
	}
}

func TestPlanHousehold(t *testing.T) {
	r := Default("0821")
	a, b, kept := pn(t, "19900412", 982), pn(t, "19910412", 982), pn(t, "19920415", 982)
	old := at("2019-05-01")
	shared := Case{ID: "s", State: skalig.StateClosed, LastEntry: old, Persons: []skalig.PersonalNumber{a, kept}}
	both := Case{ID: "ab", State: skalig.StateClosed, LastEntry: old, Persons: []skalig.PersonalNumber{a, b}}
	p := MakePlan(r, []Person{
		{PN: a, Cases: []Case{shared, both}},
		{PN: b, Cases: []Case{both}},
		{PN: kept, Cases: []Case{shared}},
	}, date("2026-01-01"))
	if fmt.Sprint(p.Cases) != "[ab]" || p.Gallrade() != 2 {
		t.Fatalf("plan: cases %v, gallrade %d", p.Cases, p.Gallrade())
	}
	for _, v := range p.Verdicts {
		if v.PN == a && (fmt.Sprint(v.Kept) != "[s]" || !strings.Contains(v.KeptWhy["s"], "delas")) {
			t.Errorf("a: %+v", v)
		}
	}
}

func TestParseRules(t *testing.T) {
	r, err := ParseRules([]byte(`{"batch_size": 10}`), "0821")
	if err != nil || r.BatchSize != 10 || r.RetentionYears != 5 || r.Research != ResearchAuto {
		t.Fatalf("ParseRules=%+v, %v", r, err)
	}
	for in, key := range map[string]string{
		`{"retention_year": 5}`:                                     "retention_year",
		`{"retention_years": 3}`:                                    "retention_years",
		`{"research_sample": "some"}`:                               "research_sample",
		`{"research_sample": "födelsedag", "municipality": "0580"}`: "research_sample",
		`{"research_birth_days": [5, 32]}`:                          "research_birth_days",
		`{"research_birth_days": [1]}`:                              "research_birth_days",
		`{"batch_size": "ten"}`:                                     "batch_size",
		`{"batch_size": 0}`:                                         "batch_size",
		`{"municipality": "Sthlm"}`:                                 "municipality",
		`[]`:                                                        "(filen)",
	} {
		_, err := ParseRules([]byte(in), "0821")
		var e *Error
		if !errors.As(err, &e) || e.Key != key || !strings.HasPrefix(err.Error(), "Gallringsreglerna: "+key+": ") {
			t.Errorf("%s: %v, want an error naming %s", in, err, key)
		}
	}
	if r, err := ParseRules([]byte(`{"research_sample": "födelsedag", "research_birth_days": [1]}`), "0821"); err != nil {
		t.Errorf("other days: %+v, %v", r, err)
	} else if _, in := r.InSample(pn(t, "19900401", 982)); !in {
		t.Error("born the 1st not kept under research_birth_days [1]")
	}
}

func TestScheduleDue(t *testing.T) {
	for _, c := range []struct {
		today string
		want  bool
	}{{"2027-01-14", false}, {"2027-01-15", true}, {"2027-12-31", true}, {"2028-01-01", false}} {
		if got := ScheduleDue(date(c.today), 1, 15); got != c.want {
			t.Errorf("%s: %v", c.today, got)
		}
	}
}

func TestArchiveDue(t *testing.T) {
	r := Default("0821")
	s := pn(t, "19900415", 982)
	old := Case{ID: "c", State: skalig.StateClosed, LastEntry: at("2019-01-01")}
	if why, ok := ArchiveDue(r, Person{PN: s, Cases: []Case{old}}, date("2025-01-01")); !ok || !strings.Contains(why, "forskningsurval") {
		t.Errorf("due: %q %v", why, ok)
	}
	for name, p := range map[string]Person{
		"not in the sample": {PN: pn(t, "19900412", 982), Cases: []Case{old}},
		"too recent":        {PN: s, Cases: []Case{{ID: "c", State: skalig.StateClosed, LastEntry: at("2022-01-01")}}},
		"undecided":         {PN: s, Cases: []Case{{ID: "c", State: skalig.StateAwaitingCaseworker, LastEntry: at("2019-01-01")}}},
		"appealed":          {PN: s, Cases: []Case{{ID: "c", State: skalig.StateClosed, LastEntry: at("2019-01-01"), Appealed: true}}},
		"claim":             {PN: s, Cases: []Case{old}, OpenClaim: true},
	} {
		if _, ok := ArchiveDue(r, p, date("2025-01-01")); ok {
			t.Errorf("%s: due", name)
		}
	}
}
