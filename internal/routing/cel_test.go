package routing

import (
	"fmt"
	"strings"
	"testing"

	"skalig"
)

func ruleConfig(tb testing.TB, exprs ...string) *Config {
	tb.Helper()
	s := testSpec()
	for i, e := range exprs {
		s.Rules = append(s.Rules, RuleSpec{Name: fmt.Sprintf("r%d", i), Expression: e, Reason: fmt.Sprintf("Regel %d.", i)})
	}
	return mustNew(tb, s)
}

// TestRuleVariables evaluates one expression per variable and function on
// the base input (a single adult born 1985-01-15, 2026-03, aid 8 000 kr,
// housing 5 200 kr, housing allowance 1 500 kr declared and registered).
func TestRuleVariables(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{`case.kind == "monthly"`, true},
		{`case.month == "2026-03"`, true},
		{`case.month >= "2026-01" && case.month < "2026-07"`, true},
		{`case.year == 2026 && case.month_of_year == 3`, true},
		{`case.municipality == "0821"`, true},
		{`household.size == 1 && household.adults == 1 && household.children == 0`, true},
		{`members.size() == 1 && members[0].role == "applicant" && members[0].age == 41 && members[0].id == "p1"`, true},
		{`calc.aid == 8000.0 && calc.aid >= 8000 && calc.aid <= 8000 && calc.norm == 4300.0 && calc.costs == 5200.0 && calc.incomes == 1500.0`, true},
		{`calc.aid * 2.0 > 15999 && calc.aid - calc.norm < 4000`, true},
		{`calc.aid > 15000`, false},
		{`calc.reasons.size() == 0 && calc.param_status == "official" && !calc.reduced && calc.outcome == "approved"`, true},
		{`previous.exists && previous.month == "2026-02" && previous.amount == 8000.0`, true},
		{`facts.exists(f, f.kind == "cost.housing" && f.amount > 5000 && f.source == "applicant" && f.person == "" && f.period == "2026-03")`, true},
		{`facts.exists(f, f.kind == "work.situation" && f.is_text && f.text == "unemployed" && f.role == "applicant")`, true},
		{`facts.filter(f, f.source.startsWith("register:")).size() > 0`, true},
		{`declared("cost.housing") == 5200.0`, true},
		{`declared("income.housing_allowance") == registered("income.housing_allowance")`, true},
		{`registered("cost.housing") == 0.0`, true},
		{`has_fact("af.registered") && !has_fact("asset.vehicle")`, true},
		{`case.kind.upperAscii() == "MONTHLY"`, true},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			o := ruleConfig(t, tc.expr).Route(baseInput())
			_, hit := findReason(o, skalig.ReasonMunicipalPrefix+"r0")
			if _, bad := findReason(o, skalig.ReasonRuleError); bad {
				t.Fatalf("rule_error: %+v", o.Reasons)
			}
			if hit != tc.want {
				t.Errorf("hit=%v, want %v (Route=%s, Reasons=%+v)", hit, tc.want, o.Route, o.Reasons)
			}
			if hit && o.Route != RouteException {
				t.Errorf("Route=%s, want exception", o.Route)
			}
		})
	}
}

func TestRuleHit(t *testing.T) {
	c := ruleConfig(t, `calc.aid > 5000`, `false`, `household.adults >= 1`)
	in := baseInput()
	in.Kind = skalig.FirstApplication
	o := c.Route(in)
	if got, want := strings.Join(o.Codes(), ","), "first_application,municipal:r0,municipal:r2"; got != want {
		t.Fatalf("Codes=%s, want %s", got, want)
	}
	if r := o.Reasons[1]; r.Text != "Regel 0." || r.Social {
		t.Errorf("Reason=%+v", r)
	}
	if o := c.Route(nilPrevious(baseInput())); o.Route != RouteException {
		t.Errorf("rules hold without a previous month too: Route=%s", o.Route)
	}
}

func nilPrevious(in *Input) *Input { in.Previous = nil; return in }

// TestRuleErrors checks that a rule that fails to evaluate stops the robot
// with rule_error naming the rule, and never passes silently.
func TestRuleErrors(t *testing.T) {
	big := baseInput()
	for i := range 400 {
		big.Facts = append(big.Facts, decl("cost.home_insurance", "", amt(int64(i))))
	}
	for _, tc := range []struct {
		name string
		expr string
		in   *Input
		want string
	}{
		{"IndexOutOfRange", `facts[1000].amount > 0`, baseInput(), "index out of bounds"},
		{"NoSuchKey", `members[0].shoe_size > 40`, baseInput(), "no such key"},
		{"DivisionByZero", `household.size / household.children > 1`, baseInput(), "division by zero"},
		{"TypeAtRuntime", `facts.exists(f, f.kind == "cost.housing" && f.text > 5)`, baseInput(), "no such overload"},
		{"CostLimit", `facts.all(f, facts.all(g, f.amount >= 0.0 || g.amount >= 0.0))`, big, "cost limit exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ruleConfig(t, tc.expr)
			o := c.Route(tc.in)
			r, ok := findReason(o, skalig.ReasonRuleError)
			if o.Route != RouteException || !ok {
				t.Fatalf("Route=%s Reasons=%+v, want exception with rule_error", o.Route, o.Reasons)
			}
			checkDetails(t, o)
			if !strings.Contains(r.Detail, "regel r0: ") || !strings.Contains(r.Detail, tc.want) {
				t.Errorf("Detail=%q, want the rule named and %q", r.Detail, tc.want)
			}
		})
	}
}

// TestRuleErrorAfterHit: a failing rule does not hide the others.
func TestRuleErrorAndHit(t *testing.T) {
	o := ruleConfig(t, `facts[99].amount > 0`, `true`).Route(baseInput())
	if got := strings.Join(o.Codes(), ","); got != "municipal:r1,rule_error" {
		t.Errorf("Codes=%s", got)
	}
}

func TestRuleConcurrent(t *testing.T) {
	c := ruleConfig(t, `declared("cost.housing") > 5000 && facts.size() > 3`)
	done := make(chan bool)
	for range 8 {
		go func() {
			ok := true
			for range 200 {
				if _, hit := findReason(c.Route(baseInput()), "municipal:r0"); !hit {
					ok = false
				}
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("a concurrent evaluation missed")
		}
	}
}

// TestDocsExamples compiles every example expression of docs/routing.md and
// evaluates it on the base input.
func TestDocsExamples(t *testing.T) {
	b, err := readDocs()
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "### Examples\n\n```\n")
	block, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("docs/routing.md has no examples block")
	}
	exprs := strings.Split(strings.TrimSpace(block), "\n")
	c := ruleConfig(t, exprs...)
	in := baseInput()
	if _, bad := findReason(c.Route(in), skalig.ReasonRuleError); bad {
		t.Errorf("an example fails on the base input: %+v", c.Route(in).Reasons)
	}
}
