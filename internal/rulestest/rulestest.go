// Package rulestest runs legislation test cases: data files that hold one
// household-month in the public calculation format, the expected result (or
// the expected invalid field) and a sentence saying what the case tests.
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
)

// Case is one legislation test case.
type Case struct {
	Name        string          `json:"-"` // file name
	Description string          `json:"description"`
	Input       json.RawMessage `json:"input"`
	Expect      *Expect         `json:"expect"`
	ExpectError *ExpectError    `json:"expect_error"`
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
		if (c.Expect == nil) == (c.ExpectError == nil) {
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
