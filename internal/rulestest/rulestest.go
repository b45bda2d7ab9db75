// Package rulestest runs legislation test cases: data files that hold one
// household-month in the public calculation format, the expected result (or
// the expected invalid field) and a sentence saying what the case tests.
// A case of a condition of the reforms (kind "rule") holds instead one
// person-month of the rule's input and the expected finding.
// `skalig rules test DIR` and `go test` both run them through Run.
package rulestest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/params"
	"skalig/internal/rules"
)

// Case is one legislation test case.
type Case struct {
	Name        string          `json:"-"` // file name
	Description string          `json:"description"`
	Input       json.RawMessage `json:"input"`
	Expect      *Expect         `json:"expect"`
	ExpectError *ExpectError    `json:"expect_error"`
	// Rule names a condition of the reforms ("activity_requirement":
	// rules.ActivityRequirement, "lawful_residence": rules.LawfulResidence)
	// for a case of kind "rule": Month is the month assessed, Person the
	// rule's input (rules.ActivityPerson or rules.Residence in JSON) and
	// ExpectRule the finding. Such a case has no Input.
	Rule       string          `json:"rule,omitempty"`
	Month      string          `json:"month,omitempty"`
	Person     json.RawMessage `json:"person,omitempty"`
	ExpectRule *ExpectRule     `json:"expect_rule,omitempty"`
	// Parameters optionally names a year's parameter file (the shape of
	// `skalig params import`, params.ParseYear), relative to the case's
	// directory, laid over the embedded tables for this case: a case for a
	// year Skälig does not ship (2027) brings its own test table.
	Parameters string `json:"parameters,omitempty"`

	params *params.Params // the embedded tables with Parameters laid over them
}

// Expect lists the expected outputs; a field left out is not checked.
type Expect struct {
	Norm            *json.Number `json:"norm"`
	ReasonableCosts *json.Number `json:"reasonable_costs"`
	OtherCosts      *json.Number `json:"other_costs"`
	NormAdjustment  *json.Number `json:"norm_adjustment"`
	Beyond          *json.Number `json:"beyond_calculation"`
	IncomeCounted   *json.Number `json:"income_counted"`
	Aid             *json.Number `json:"aid"`
	Surplus         *json.Number `json:"surplus"`
	Status          *string      `json:"status"`
	ReviewReasons   *[]string    `json:"review_reasons"`
	ParameterStatus *string      `json:"parameter_status"`
	Trace           []TraceLine  `json:"trace"`
}

// TraceLine must match at least one line of the trace: Item equal, and each
// other field that is given.
type TraceLine struct {
	Item         string       `json:"item"`
	Person       *string      `json:"person"`
	Amount       *json.Number `json:"amount"`
	Source       *string      `json:"source"`
	Parameter    *string      `json:"parameter"`
	Law          *string      `json:"law"`
	LawContains  *string      `json:"law_contains"`
	TextContains *string      `json:"text_contains"`
}

// ExpectRule is the expected finding of a condition rule; a field left out
// is not checked, except Outcome, which must be given.
type ExpectRule struct {
	Outcome      string  `json:"outcome"`
	Ground       *string `json:"ground"`
	LawContains  *string `json:"law_contains"`
	TextContains *string `json:"text_contains"`
}

// ExpectError says that parsing must fail and name Field.
type ExpectError struct {
	Field string `json:"field"`
}

// Load reads every *.json case in dir, sorted by name.
func Load(dir string) ([]*Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("inga testfall (*.json) i %s", dir)
	}
	sort.Strings(files)
	var out []*Case
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		c := &Case{Name: filepath.Base(f)}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(c); err != nil {
			return nil, fmt.Errorf("%s: %v", c.Name, err)
		}
		if c.Rule != "" {
			if c.ExpectRule == nil || c.Expect != nil || c.ExpectError != nil || c.Input != nil {
				return nil, fmt.Errorf("%s: a rule case gives rule, month, person and expect_rule, nothing else", c.Name)
			}
			if !slices.Contains(ruleNames, c.Rule) {
				return nil, fmt.Errorf("%s: unknown rule %q (known: %s)", c.Name, c.Rule, strings.Join(ruleNames, ", "))
			}
		} else if (c.Expect == nil) == (c.ExpectError == nil) || c.ExpectRule != nil {
			return nil, fmt.Errorf("%s: give exactly one of expect and expect_error", c.Name)
		}
		if strings.TrimSpace(c.Description) == "" {
			return nil, fmt.Errorf("%s: description is missing", c.Name)
		}
		if c.Parameters != "" {
			name := filepath.Join(dir, filepath.FromSlash(c.Parameters))
			data, err := os.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("%s: parameters: %v", c.Name, err)
			}
			y, err := params.ParseYear(c.Parameters, data)
			if err != nil {
				return nil, fmt.Errorf("%s: parameters: %v", c.Name, err)
			}
			if c.params, err = params.Compose([]*params.Year{y}); err != nil {
				return nil, fmt.Errorf("%s: parameters: %v", c.Name, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Run runs one case with the parameters p (the case's own Parameters laid
// over the embedded tables, when it names a file) and returns its failures
// (none when it passes).
func Run(c *Case, p *params.Params) []string {
	if c.params != nil {
		p = c.params
	}
	if c.Rule != "" {
		return runRule(c)
	}
	var fails []string
	fail := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }
	out, err := calcformat.Calculate(c.Input, p, nil)
	if c.ExpectError != nil {
		var fields []string
		var se *skalig.Error
		if err == nil {
			fail("väntade fel i %s, men beräkningen lyckades", c.ExpectError.Field)
			return fails
		} else if !asError(err, &se) {
			fail("väntade fel i %s, fick %v", c.ExpectError.Field, err)
			return fails
		}
		for _, f := range se.Fields {
			fields = append(fields, f.Field)
		}
		if !slices.Contains(fields, c.ExpectError.Field) {
			fail("väntade fel i %s, fick fel i %v", c.ExpectError.Field, se.Fields)
		}
		return fails
	}
	if err != nil {
		fail("beräkningen misslyckades: %v", err)
		return fails
	}
	e := c.Expect
	money := func(name string, want *json.Number, got skalig.Money) {
		if want == nil {
			return
		}
		w, ok := skalig.ParseMoney(want.String())
		if !ok {
			fail("%s: väntat värde %q är inget belopp", name, want.String())
		} else if w != got {
			fail("%s=%v, väntat %v", name, got, w)
		}
	}
	money("norm", e.Norm, out.Norm)
	money("reasonable_costs", e.ReasonableCosts, out.ReasonableCosts)
	money("other_costs", e.OtherCosts, out.OtherCosts)
	money("norm_adjustment", e.NormAdjustment, out.NormAdjustment)
	money("beyond_calculation", e.Beyond, out.BeyondCalculation)
	money("income_counted", e.IncomeCounted, out.IncomeCounted)
	money("aid", e.Aid, out.Aid)
	money("surplus", e.Surplus, out.Surplus)
	if e.Status != nil && *e.Status != out.Status {
		fail("status=%s, väntat %s", out.Status, *e.Status)
	}
	if e.ParameterStatus != nil && *e.ParameterStatus != out.Parameters.Status {
		fail("parameters.status=%s, väntat %s", out.Parameters.Status, *e.ParameterStatus)
	}
	if e.ReviewReasons != nil {
		want := slices.Clone(*e.ReviewReasons)
		got := slices.Clone(out.ReviewReasons)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			fail("review_reasons=%v, väntat %v", out.ReviewReasons, *e.ReviewReasons)
		}
	}
	for i, tl := range e.Trace {
		if !slices.ContainsFunc(out.Trace, tl.matches) {
			b, _ := json.Marshal(tl)
			fail("trace[%d] %s finns inte i spåret", i, b)
		}
	}
	for i, l := range out.Trace {
		if l.Law == "" || l.Source == "" || l.Text == "" {
			fail("spårrad %d (%s) saknar lagrum, källa eller text", i, l.Item)
		}
	}
	return fails
}

func (tl TraceLine) matches(l calcformat.Line) bool {
	if l.Item != tl.Item {
		return false
	}
	if tl.Person != nil && *tl.Person != l.Person {
		return false
	}
	if tl.Amount != nil {
		w, ok := skalig.ParseMoney(tl.Amount.String())
		if !ok || w != l.Amount {
			return false
		}
	}
	if tl.Source != nil && *tl.Source != l.Source {
		return false
	}
	if tl.Parameter != nil && *tl.Parameter != l.Parameter {
		return false
	}
	if tl.Law != nil && *tl.Law != l.Law {
		return false
	}
	if tl.LawContains != nil && !strings.Contains(l.Law, *tl.LawContains) {
		return false
	}
	if tl.TextContains != nil && !strings.Contains(l.Text, *tl.TextContains) {
		return false
	}
	return true
}

func asError(err error, target **skalig.Error) bool {
	e, ok := err.(*skalig.Error)
	if ok {
		*target = e
	}
	return ok
}

// ruleNames are the condition rules a case of kind "rule" may name.
var ruleNames = []string{rules.RuleActivityRequirement.Code, rules.RuleLawfulResidence.Code}

// runRule runs a case of kind "rule".
func runRule(c *Case) []string {
	var fails []string
	fail := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }
	m, ok := skalig.ParseMonth(c.Month)
	if !ok {
		return []string{fmt.Sprintf("month %q är ingen månad (ÅÅÅÅ-MM)", c.Month)}
	}
	decode := func(v any) bool {
		dec := json.NewDecoder(bytes.NewReader(c.Person))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			fail("person: %v", err)
			return false
		}
		return true
	}
	var f rules.Finding
	switch c.Rule {
	case rules.RuleActivityRequirement.Code:
		var p rules.ActivityPerson
		if !decode(&p) {
			return fails
		}
		f = rules.ActivityRequirement(m, p)
	case rules.RuleLawfulResidence.Code:
		var r rules.Residence
		if !decode(&r) {
			return fails
		}
		f = rules.LawfulResidence(m, r)
	}
	e := c.ExpectRule
	if f.Outcome != e.Outcome {
		fail("outcome=%s (%s), väntat %s", f.Outcome, f.Swedish, e.Outcome)
	}
	if e.Ground != nil && f.Ground != *e.Ground {
		fail("ground=%q, väntat %q", f.Ground, *e.Ground)
	}
	if e.LawContains != nil && !strings.Contains(f.Law, *e.LawContains) {
		fail("lagrummet %q innehåller inte %q", f.Law, *e.LawContains)
	}
	if e.TextContains != nil && !strings.Contains(f.Swedish, *e.TextContains) {
		fail("texten %q innehåller inte %q", f.Swedish, *e.TextContains)
	}
	if f.Law == "" {
		fail("fyndet saknar lagrum")
	}
	return fails
}
