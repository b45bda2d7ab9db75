package municipal

import (
	"errors"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/routing"
)

func TestDefault(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Codes(); len(got) == 0 || got[0] != "0821" {
		t.Fatalf("Codes=%v, want 0821 first", got)
	}
	t.Run("OK", func(t *testing.T) {
		g, err := s.Guidelines("0821", skalig.MonthOf(2025, 3))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := g.MaxHousing[0][0], skalig.Kronor(4474); got != want {
			t.Errorf("one adult, no children=%v, want %v", got, want)
		}
		if got, want := g.MaxHousing[1][5], skalig.Kronor(9255); got != want {
			t.Errorf("two adults, 5+ children=%v, want %v", got, want)
		}
		if g.MaxElectricity != nil || g.WorkTravel != 0 {
			t.Errorf("Högsby publishes no electricity cap or pass price, got %v %v", g.MaxElectricity, g.WorkTravel)
		}
		if !strings.Contains(g.Source, "hogsby.se") {
			t.Errorf("Source=%q", g.Source)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.Guidelines("9999", skalig.MonthOf(2025, 3)); skalig.ErrorCode(err) != skalig.ENOTFOUND {
			t.Errorf("err=%v, want ENOTFOUND", err)
		}
	})
	t.Run("ErrBeforeFirstVersion", func(t *testing.T) {
		if _, err := s.Guidelines("0821", skalig.MonthOf(2022, 12)); skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("err=%v, want EINVALID", err)
		}
	})
}

func TestParse(t *testing.T) {
	const ok = `{"code":"1234","name":"Testkommun","guidelines":[{"version":"1","from":"2025-01","source":"x"}]}`
	if _, err := Parse(map[string][]byte{"1234.json": []byte(ok)}); err != nil {
		t.Fatalf("OK: %v", err)
	}
	for name, tc := range map[string]struct{ file, body, want string }{
		"ErrUnknownField": {"1234.json", `{"code":"1234","name":"T","guidelines":[],"extra":1}`, "unknown field"},
		"ErrCode":         {"12.json", `{"code":"12","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x"}]}`, "kommunkod"},
		"ErrFileName":     {"1111.json", ok, "ska heta 1234.json"},
		"ErrFrom":         {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025","source":"x"}]}`, "riktlinjeversion 1 (1), från (from): \"2025\" är inte en månad som ÅÅÅÅ-MM"},
		"ErrOrder":        {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x"},{"version":"2","from":"2024-01","source":"x"}]}`, "riktlinjeversion 2 (2), från (from): ska vara efter föregående versions månad"},
		"ErrAmount":       {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x","max_housing":{"one_adult":[0],"two_adults":[1]}}]}`, "max_housing.one_adult[0]: Högsta boendekostnad, en vuxen, belopp 1: ange ett belopp"},
		"ErrNoSource":     {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01"}]}`, "source: Källa:"},
		"ErrContact":      {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x"}],"contact":{"authority":"A","address":["x",""],"phone":"1","email":"e"}}`, "adress (contact.address): rad 2 är tom"},
		"ErrDays":         {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x"}],"decision_days":91}`, "handläggningstid (decision_days): 91"},
		"ErrAccessDate":   {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x"}],"accessibility_date":"2025-13-01"}`, "(accessibility_date): \"2025-13-01\" är inte ett datum"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(map[string][]byte{tc.file: []byte(tc.body)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err=%v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestRouting(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		c, err := s.Routing("0821", skalig.MonthOf(2026, 3))
		if err != nil {
			t.Fatal(err)
		}
		spec := c.Spec()
		if c.Version() == "" || len(spec.Delegations) == 0 || spec.SampleRate <= 0 || len(spec.Rules) == 0 {
			t.Errorf("the demo routing is not complete: %+v", spec)
		}
		if !strings.Contains(spec.Source, "EXEMPEL") {
			t.Errorf("Source=%q: the demo delegation must say it is an example", spec.Source)
		}
		// A clean re-application of 8 000 kr is decided under punkt 3.2
		// (exempel), or drawn for sample control.
		in := &routing.Input{
			CaseID: "demo-1", Municipality: "0821", Kind: skalig.MonthlyApplication, Month: skalig.MonthOf(2026, 3),
			Members: []skalig.Member{{ID: "p1", PersonalNumber: "198501152385", Role: skalig.RoleApplicant}},
			Calc:    routing.Calculation{Aid: skalig.Kronor(8000), ParamStatus: "official"},
		}
		for _, r := range skalig.RegisterNames {
			in.Facts = append(in.Facts, skalig.Fact{Kind: skalig.RegisterStatusKind(r), PersonID: "p1", Period: in.Month, Value: skalig.TextValue(skalig.RegisterAnswered), Source: skalig.SourceSystem})
		}
		in.Facts = append(in.Facts, skalig.Fact{Kind: skalig.KindAFRegistered, PersonID: "p1", Period: in.Month, Value: skalig.TextValue("yes"), Source: skalig.RegisterSource(skalig.RegisterAF), Evidence: "x"})
		o := c.Route(in)
		if o.Sample == nil || (o.Route != routing.RouteSample && (o.Route != routing.RouteDecide || !strings.Contains(o.Delegation, "punkt 3.2"))) {
			t.Errorf("Route=%s Delegation=%q Reasons=%+v, want a decision under punkt 3.2", o.Route, o.Delegation, o.Reasons)
		}
		for _, d := range spec.Delegations {
			if !strings.Contains(d.Name, "(exempel)") {
				t.Errorf("delegation %q must say it is an example", d.Name)
			}
			for _, o := range d.Outcomes {
				if o != skalig.OutcomeApproved {
					t.Errorf("the demo delegates %s", o)
				}
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.Routing("9999", skalig.MonthOf(2026, 3)); skalig.ErrorCode(err) != skalig.ENOTFOUND {
			t.Errorf("err=%v, want ENOTFOUND", err)
		}
	})
	t.Run("ErrBeforeFirstVersion", func(t *testing.T) {
		if _, err := s.Routing("0821", skalig.MonthOf(2022, 12)); skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("err=%v, want EINVALID", err)
		}
	})
	t.Run("ErrNoRouting", func(t *testing.T) {
		s, err := Parse(map[string][]byte{"1234.json": []byte(`{"code":"1234","name":"Testkommun","guidelines":[{"version":"1","from":"2025-01","source":"x"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Routing("1234", skalig.MonthOf(2026, 3)); skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("err=%v, want EINVALID", err)
		}
	})
}

func TestParseRouting(t *testing.T) {
	const head = `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x"}],"routing":`
	ok := head + `[{"version":"r1","from":"2025-01","source":"IFN § 4","delegations":[{"name":"punkt 1","kinds":["monthly"],"max_amount":10000}],"rules":[{"name":"x","expression":"household.size > 6","reason":"Stort hushåll."}]}]}`
	s, err := Parse(map[string][]byte{"1234.json": []byte(ok)})
	if err != nil {
		t.Fatalf("OK: %v", err)
	}
	if c, err := s.Routing("1234", skalig.MonthOf(2025, 6)); err != nil || c.Version() != "r1" {
		t.Errorf("Routing=%v, %v", c, err)
	}
	for name, tc := range map[string]struct{ body, want string }{
		"ErrRule":         {strings.Replace(ok, "household.size", "household.sise", 1), `municipal: 1234.json: routningsversion 1 (r1), rules[0].expression: Regel 1 (x), villkor: fältet household.sise finns inte`},
		"ErrDelegation":   {strings.Replace(ok, `"max_amount":10000`, `"max_amount":-1`, 1), `municipal: 1234.json: routningsversion 1 (r1), delegations[0].max_amount: Ärendegrupp 1 (punkt 1), högsta belopp: ange ett belopp`},
		"ErrUnknownField": {strings.Replace(ok, `"source":"IFN § 4"`, `"source":"IFN § 4","sample":1`, 1), `municipal: 1234.json: routningsversion 1: okänt fält "sample"`},
		"ErrNotList":      {head + `{}}`, `municipal: 1234.json: routning (routing): ska vara en lista av versioner`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(map[string][]byte{"1234.json": []byte(tc.body)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err=%v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestCheckFields: a new version's problems come back as Swedish messages
// on the fields they are about, every one of them, so that a form can show
// each beside its field.
func TestCheckFields(t *testing.T) {
	base, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	from := skalig.MonthOf(2027, 1)
	t.Run("Guidelines", func(t *testing.T) {
		v := &Change{Municipality: "0821", Kind: KindGuidelines, Version: "2027", From: from, Author: "a", Reason: "r",
			Body: []byte(`{"source": "", "max_housing": {"one_adult": [4600, 2000000], "two_adults": []}, "max_electricity": [0], "work_travel_pass": -1}`)}
		want := map[string]string{
			"source":                   "Källa: skriv",
			"max_housing.one_adult[1]": "Högsta boendekostnad, en vuxen, belopp 2: ange ett belopp från 1\u00a0kr till 1\u00a0000\u00a0000\u00a0kr.",
			"max_housing.two_adults":   "Högsta boendekostnad, två vuxna: fyll i beloppen",
			"max_electricity[0]":       "Högsta kostnad för hushållsel, belopp 1",
			"work_travel_pass":         "Månadskort för resor till arbetet: ange 0–100\u00a0000\u00a0kr.",
		}
		checkFields(t, Check(base, v, nil, nil, from), want)
	})
	t.Run("Routing", func(t *testing.T) {
		v := &Change{Municipality: "0821", Kind: KindRouting, Version: "r", From: from, Author: "a", Reason: "r",
			Body: []byte(`{"source": "IFN", "delegations": [{"name": "3.1", "kinds": ["monthly"], "max_amount": 0}], "sample_rate": 2,
				"rules": [{"name": "x", "expression": "calc.nope", "reason": "r"}]}`)}
		want := map[string]string{
			"delegations[0].max_amount": "Ärendegrupp 1 (3.1), högsta belopp",
			"sample_rate":               "Andel stickprov: ange en andel mellan 0 och 100 procent.",
			"sample_seed":               "Nyckel för stickprov",
			"rules[0].expression":       "Regel 1 (x), villkor: fältet calc.nope finns inte",
		}
		checkFields(t, Check(base, v, nil, nil, from), want)
	})
}

func checkFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	var e *skalig.Error
	if !errors.As(err, &e) || e.Code != skalig.EINVALID {
		t.Fatalf("err=%v, want EINVALID", err)
	}
	got := map[string]string{}
	for _, f := range e.Fields {
		got[f.Field] = f.Message
	}
	for field, msg := range want {
		if !strings.Contains(got[field], msg) {
			t.Errorf("%s: %q, want one containing %q", field, got[field], msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want %d", got, len(want))
	}
}
