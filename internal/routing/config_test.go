package routing

import (
	"os"
	"strings"
	"testing"

	"skalig"
)

func readDocs() ([]byte, error) { return os.ReadFile("../../docs/routing.md") }

const okVersion = `{
  "version": "2026-1", "from": "2026-01", "source": "IFN 2025-12-10 § 7",
  "delegations": [{"name": "punkt 3.1", "kinds": ["monthly"], "max_amount": 15000}],
  "sample_rate": 0.05, "sample_seed": "abcdefgh",
  "income_tolerance": 100, "bank_limit": 2000,
  "rules": [{"name": "stort_hushall", "expression": "household.size >= 7", "reason": "Stort hushåll."}]
}`

func TestParseVersion(t *testing.T) {
	c, err := ParseVersion([]byte(okVersion))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version() != "2026-1" || c.From() != skalig.MonthOf(2026, 1) {
		t.Errorf("Version=%q From=%s", c.Version(), c.From())
	}
	s := c.Spec()
	if got := s.Delegations[0].Outcomes; len(got) != 1 || got[0] != skalig.OutcomeApproved {
		t.Errorf("default Outcomes=%v, want [approved]", got)
	}
	s.Delegations[0].Name = "changed"
	if c.Spec().Delegations[0].Name != "punkt 3.1" {
		t.Error("Spec shares its slices with the Config")
	}
}

func TestParseVersionErrors(t *testing.T) {
	// Each case replaces one piece of okVersion.
	for name, tc := range map[string]struct{ old, new, want string }{
		"ErrUnknownField":      {`"bank_limit": 2000`, `"bank_limit": 2000, "extra": 1`, `unknown field "extra"`},
		"ErrNoVersion":         {`"version": "2026-1"`, `"version": ""`, `version: required`},
		"ErrFrom":              {`"from": "2026-01"`, `"from": "2026"`, `version "2026-1": from: "2026" is not YYYY-MM`},
		"ErrNoSource":          {`"source": "IFN 2025-12-10 § 7"`, `"source": " "`, `source: required`},
		"ErrDelegationName":    {`"name": "punkt 3.1"`, `"name": ""`, `delegations[0]: name: required`},
		"ErrDelegationKinds":   {`"kinds": ["monthly"]`, `"kinds": []`, `delegations[0]: kinds: required`},
		"ErrDelegationFirst":   {`"kinds": ["monthly"]`, `"kinds": ["monthly", "first"]`, `delegations[0]: kinds[1]: a first application always goes to a person`},
		"ErrDelegationKind":    {`"kinds": ["monthly"]`, `"kinds": ["weekly"]`, `kinds[0]: unknown kind "weekly"`},
		"ErrDelegationOutcome": {`"max_amount": 15000`, `"max_amount": 15000, "outcomes": ["approved", "denied"]`, `outcomes[1]: unknown outcome "denied"`},
		"ErrOutcomesEmpty":     {`"max_amount": 15000`, `"max_amount": 15000, "outcomes": []`, `outcomes: empty`},
		"ErrMaxAmount":         {`"max_amount": 15000`, `"max_amount": 0`, `delegations[0]: max_amount: 0 is not 1-1000000 kronor`},
		"ErrDelegationTwice": {`[{"name": "punkt 3.1", "kinds": ["monthly"], "max_amount": 15000}]`,
			`[{"name": "punkt 3.1", "kinds": ["monthly"], "max_amount": 15000}, {"name": "punkt 3.1", "kinds": ["monthly"], "max_amount": 1}]`, `delegations[1].name: "punkt 3.1" is given twice`},
		"ErrSampleRate":     {`"sample_rate": 0.05`, `"sample_rate": 1.5`, `sample_rate: 1.5 is not a share from 0 to 1`},
		"ErrSampleSeed":     {`"sample_seed": "abcdefgh"`, `"sample_seed": ""`, `sample_seed: required with a sample_rate`},
		"ErrShortSeed":      {`"sample_seed": "abcdefgh"`, `"sample_seed": "abc"`, `sample_seed:`},
		"ErrTolerance":      {`"income_tolerance": 100`, `"income_tolerance": -1`, `income_tolerance: -1 is not`},
		"ErrBankLimit":      {`"bank_limit": 2000`, `"bank_limit": -5`, `bank_limit: -5 is not`},
		"ErrRegister":       {`"bank_limit": 2000`, `"bank_limit": 2000, "registers": ["fk", "ssbtek"]`, `registers[1]: unknown register "ssbtek"`},
		"ErrRegistersEmpty": {`"bank_limit": 2000`, `"bank_limit": 2000, "registers": []`, `registers: empty`},
		"ErrRuleName":       {`"name": "stort_hushall"`, `"name": "Stort hushåll"`, `rules[0] "Stort hushåll": name: must be`},
		"ErrRuleReason":     {`"reason": "Stort hushåll."`, `"reason": ""`, `rules[0] "stort_hushall": reason: required`},
		"ErrRuleEmpty":      {`"expression": "household.size >= 7"`, `"expression": ""`, `rules[0] "stort_hushall": expression: required`},
		"ErrRuleSyntax":     {`"expression": "household.size >= 7"`, `"expression": "household.size >="`, `rules[0] "stort_hushall": expression: ERROR: <input>:1:`},
		"ErrRuleUndeclared": {`"expression": "household.size >= 7"`, `"expression": "household.persons >= 7"`,
			`rules[0] "stort_hushall": expression: ERROR: <input>:1:1: undeclared reference to 'household'`},
		"ErrRuleType":      {`"expression": "household.size >= 7"`, `"expression": "case.kind == 1"`, `rules[0] "stort_hushall": expression: ERROR`},
		"ErrRuleIntDouble": {`"expression": "household.size >= 7"`, `"expression": "calc.aid * 2 > 1"`, `found no matching overload for '_*_' applied to '(double, int)'`},
		"ErrRuleNotBool":   {`"expression": "household.size >= 7"`, `"expression": "calc.aid * 2.0"`, `rules[0] "stort_hushall": expression: must be true or false (bool), is double`},
		"ErrRuleDyn":       {`"expression": "household.size >= 7"`, `"expression": "facts[0].amount"`, `must be true or false (bool), is dyn`},
		"ErrRuleFunction":  {`"expression": "household.size >= 7"`, `"expression": "declared(1) > 0"`, `found no matching overload for 'declared'`},
		"ErrRuleTwice": {`"rules": [{"name": "stort_hushall", "expression": "household.size >= 7", "reason": "Stort hushåll."}]`,
			`"rules": [{"name": "stort_hushall", "expression": "household.size >= 7", "reason": "Stort hushåll."}, {"name": "stort_hushall", "expression": "true", "reason": "x"}]`, `rules[1] "stort_hushall": name: given twice`},
		"ErrTrailing": {`"rules"`, `"rules"`, ``}, // replaced below
	} {
		t.Run(name, func(t *testing.T) {
			body := strings.Replace(okVersion, tc.old, tc.new, 1)
			if name == "ErrTrailing" {
				body, tc.want = okVersion+"{}", "trailing data"
			}
			if body == okVersion {
				t.Fatalf("the case changes nothing: %q not found", tc.old)
			}
			_, err := ParseVersion([]byte(body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err=%v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	two := `[` + okVersion + `,` + strings.Replace(strings.Replace(okVersion, `"2026-1"`, `"2026-2"`, 1), `"2026-01"`, `"2026-07"`, 1) + `]`
	vs, err := Parse([]byte(two))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mo   skalig.Month
		want string
	}{{skalig.MonthOf(2025, 12), ""}, {skalig.MonthOf(2026, 1), "2026-1"}, {skalig.MonthOf(2026, 6), "2026-1"}, {skalig.MonthOf(2026, 7), "2026-2"}, {skalig.MonthOf(2030, 1), "2026-2"}} {
		if got := At(vs, tc.mo).Version(); got != tc.want {
			t.Errorf("At(%s)=%q, want %q", tc.mo, got, tc.want)
		}
	}
	t.Run("ErrOrder", func(t *testing.T) {
		bad := `[` + okVersion + `,` + strings.Replace(okVersion, `"2026-1"`, `"2025-9"`, 1) + `]`
		_, err := Parse([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), `routing[1]: version "2025-9": from: 2026-01 must be after the previous version's 2026-01`) {
			t.Errorf("err=%v", err)
		}
	})
	t.Run("ErrNamesVersion", func(t *testing.T) {
		bad := `[` + okVersion + `,` + strings.Replace(strings.Replace(okVersion, `"2026-1"`, `"2026-2"`, 1), `household.size`, `household.sizes`, 1) + `]`
		_, err := Parse([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), `routing[1]: version "2026-2": rules[0] "stort_hushall": expression:`) {
			t.Errorf("err=%v", err)
		}
	})
}

func TestNewDoesNotShareInput(t *testing.T) {
	s := testSpec()
	c := mustNew(t, s)
	s.Delegations[0].MaxAmount = 1
	if o := c.Route(baseInput()); o.Route != RouteDecide {
		t.Errorf("Route=%s: changing the Spec after New changed the Config", o.Route)
	}
}

// TestDocsExampleConfig parses the example configuration of docs/routing.md.
func TestDocsExampleConfig(t *testing.T) {
	b, err := readDocs()
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "```json\n\"routing\": ")
	block, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("docs/routing.md has no example configuration")
	}
	vs, err := Parse([]byte(block))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || len(vs[0].Spec().Delegations) != 2 || len(vs[0].Spec().Rules) != 2 {
		t.Errorf("example parsed to %+v", vs[0].Spec())
	}
}
