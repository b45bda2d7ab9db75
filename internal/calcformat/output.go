package calcformat

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"skalig"
	"skalig/internal/params"
	"skalig/internal/rules"
)

// Output is the result of a calculation in the public format.
type Output struct {
	Month           string       `json:"month"`
	Status          string       `json:"status"`
	ReviewReasons   []string     `json:"review_reasons"`
	Norm            skalig.Money `json:"norm"`
	ReasonableCosts skalig.Money `json:"reasonable_costs"`
	OtherCosts      skalig.Money `json:"other_costs"`
	// NormAdjustment and BeyondCalculation are left out when 0, so that a
	// calculation without them reads as before.
	NormAdjustment    skalig.Money `json:"norm_adjustment,omitempty"`
	IncomeCounted     skalig.Money `json:"income_counted"`
	BeyondCalculation skalig.Money `json:"beyond_calculation,omitempty"`
	Aid               skalig.Money `json:"aid"`
	Surplus           skalig.Money `json:"surplus"`
	Parameters        Parameters   `json:"parameters"`
	Trace             []Line       `json:"trace"`
}

// Parameters names the parameter set used and its weakest status.
type Parameters struct {
	Set    string `json:"set"`
	Status string `json:"status"`
}

// Line is one line of the trace in the public format.
type Line struct {
	Item      string       `json:"item"`
	Person    string       `json:"person,omitempty"`
	Amount    skalig.Money `json:"amount"`
	Source    string       `json:"source"`
	Parameter string       `json:"parameter,omitempty"`
	Law       string       `json:"law"`
	Text      string       `json:"text"`
}

// NewOutput converts a result and its trace to the public format.
func NewOutput(r rules.Result, tr *rules.Trace) *Output {
	o := &Output{}
	o.Set(r, tr)
	return o
}

// Set makes o the public format of a result and its trace (NewOutput),
// reusing the space of o's trace: what a goroutine that converts one
// result after another keeps (the replay of many decisions).
func (o *Output) Set(r rules.Result, tr *rules.Trace) {
	lines := o.Trace[:0]
	if lines == nil {
		lines = []Line{}
	}
	*o = Output{
		Month:             r.Month.String(),
		Status:            r.Status.String(),
		ReviewReasons:     r.Reasons.Codes(),
		Norm:              r.Norm,
		ReasonableCosts:   r.ReasonableCosts,
		OtherCosts:        r.OtherCosts,
		NormAdjustment:    r.NormAdjustment,
		BeyondCalculation: r.Beyond,
		IncomeCounted:     r.IncomeCounted,
		Aid:               r.Aid,
		Surplus:           r.Surplus,
		Parameters:        Parameters{Set: r.ParamSet, Status: r.ParamStatus.String()},
		Trace:             lines,
	}
	if tr != nil {
		o.Trace = slices.Grow(o.Trace, len(tr.Lines))
		for _, l := range tr.Lines {
			o.Trace = append(o.Trace, Line{Item: l.Item, Person: l.Person, Amount: l.Amount, Source: l.Source.String(),
				Parameter: l.Parameter, Law: l.Law, Text: l.Text})
		}
	}
}

// Calculate parses data, calculates with the parameters in p and the
// guidelines g (nil: none) and returns the output with its trace. Errors are
// EINVALID *skalig.Error values naming the fields.
func Calculate(data []byte, p *params.Params, g *rules.Guidelines) (*Output, error) {
	return CalculateWith(data, p, func(skalig.Month) (*rules.Guidelines, error) { return g, nil })
}

// CalculateWith is Calculate for guidelines that depend on the month of the
// input: it parses data, asks guidelines for the month (nil function: none)
// and calculates. An error from guidelines is returned as it is.
func CalculateWith(data []byte, p *params.Params, guidelines func(skalig.Month) (*rules.Guidelines, error)) (*Output, error) {
	in, err := Parse(data, p)
	if err != nil {
		return nil, err
	}
	var g *rules.Guidelines
	if guidelines != nil {
		if g, err = guidelines(in.Month); err != nil {
			return nil, err
		}
	}
	ps, err := p.At(in.Month)
	if err != nil {
		return nil, err
	}
	var tr rules.Trace
	res, err := rules.Calculate(in, ps, g, &tr)
	if err != nil {
		return nil, err
	}
	return NewOutput(res, &tr), nil
}

// CanonicalJSON returns the canonical JSON (skalig.CanonicalizeJSON: keys
// sorted, no HTML escaping) of the output's figures (with "trace": null)
// and of its trace, written directly: what a receipt stores as its result
// and trace, which a replay compares byte for byte.
func (o *Output) CanonicalJSON() (result, trace []byte, err error) {
	return o.AppendCanonicalJSON(nil, nil)
}

// AppendCanonicalJSON is CanonicalJSON appending to result and trace (of
// length 0 or more): a goroutine that writes one output after another
// reuses the two buffers.
func (o *Output) AppendCanonicalJSON(result, trace []byte) ([]byte, []byte, error) {
	if r, t, ok := o.appendCanonical(result, trace); ok {
		return r, t, nil
	}
	r, t, err := o.encodeCanonical()
	return append(result, r...), append(trace, t...), err
}

// appendCanonical writes what encodeCanonical writes by hand, when every
// string of o is plain (plainJSON): then encoding/json writes each as it
// is, in quotes. ok is false otherwise.
func (o *Output) appendCanonical(r, t []byte) (result, trace []byte, ok bool) {
	if !plainJSON(o.Month) || !plainJSON(o.Status) || !plainJSON(o.Parameters.Set) || !plainJSON(o.Parameters.Status) {
		return nil, nil, false
	}
	for _, r := range o.ReviewReasons {
		if !plainJSON(r) {
			return nil, nil, false
		}
	}
	size := 0
	for i := range o.Trace {
		l := &o.Trace[i]
		if !plainJSON(l.Item) || !plainJSON(l.Law) || !plainJSON(l.Parameter) || !plainJSON(l.Person) || !plainJSON(l.Source) || !plainJSON(l.Text) {
			return nil, nil, false
		}
		size += 100 + len(l.Item) + len(l.Law) + len(l.Parameter) + len(l.Person) + len(l.Source) + len(l.Text)
	}
	money := func(b []byte, key string, m skalig.Money) []byte {
		return m.Append(append(b, key...))
	}
	str := func(b []byte, key, s string) []byte {
		return append(append(append(append(b, key...), '"'), s...), '"')
	}
	r = slices.Grow(r, 256)
	r = money(r, `{"aid":`, o.Aid)
	if o.BeyondCalculation != 0 {
		r = money(r, `,"beyond_calculation":`, o.BeyondCalculation)
	}
	r = money(r, `,"income_counted":`, o.IncomeCounted)
	r = str(r, `,"month":`, o.Month)
	r = money(r, `,"norm":`, o.Norm)
	if o.NormAdjustment != 0 {
		r = money(r, `,"norm_adjustment":`, o.NormAdjustment)
	}
	r = money(r, `,"other_costs":`, o.OtherCosts)
	r = str(r, `,"parameters":{"set":`, o.Parameters.Set)
	r = str(r, `,"status":`, o.Parameters.Status)
	r = money(r, `},"reasonable_costs":`, o.ReasonableCosts)
	r = append(r, `,"review_reasons":`...)
	if o.ReviewReasons == nil {
		r = append(r, "null"...)
	} else {
		r = append(r, '[')
		for i, s := range o.ReviewReasons {
			if i > 0 {
				r = append(r, ',')
			}
			r = str(r, "", s)
		}
		r = append(r, ']')
	}
	r = str(r, `,"status":`, o.Status)
	r = money(r, `,"surplus":`, o.Surplus)
	r = append(r, `,"trace":null}`...)
	if o.Trace == nil {
		return r, append(t, "null"...), true
	}
	t = slices.Grow(t, size+2)
	t = append(t, '[')
	for i := range o.Trace {
		l := &o.Trace[i]
		if i > 0 {
			t = append(t, ',')
		}
		t = money(t, `{"amount":`, l.Amount)
		t = str(t, `,"item":`, l.Item)
		t = str(t, `,"law":`, l.Law)
		if l.Parameter != "" {
			t = str(t, `,"parameter":`, l.Parameter)
		}
		if l.Person != "" {
			t = str(t, `,"person":`, l.Person)
		}
		t = str(t, `,"source":`, l.Source)
		t = str(t, `,"text":`, l.Text)
		t = append(t, '}')
	}
	return r, append(t, ']'), true
}

// plainJSON reports whether encoding/json (without HTML escaping) writes s
// as it is between quotes: valid UTF-8 with no control character, quote,
// backslash, U+2028 or U+2029.
func plainJSON(s string) bool {
	// One pass: ASCII byte by byte, anything else rune by rune.
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += n
	}
	return true
}

// encodeCanonical is CanonicalJSON by encoding/json.
func (o *Output) encodeCanonical() (result, trace []byte, err error) {
	type parameters struct {
		Set    string `json:"set"`
		Status string `json:"status"`
	}
	type figures struct {
		Aid               skalig.Money `json:"aid"`
		BeyondCalculation skalig.Money `json:"beyond_calculation,omitempty"`
		IncomeCounted     skalig.Money `json:"income_counted"`
		Month             string       `json:"month"`
		Norm              skalig.Money `json:"norm"`
		NormAdjustment    skalig.Money `json:"norm_adjustment,omitempty"`
		OtherCosts        skalig.Money `json:"other_costs"`
		Parameters        parameters   `json:"parameters"`
		ReasonableCosts   skalig.Money `json:"reasonable_costs"`
		ReviewReasons     []string     `json:"review_reasons"`
		Status            string       `json:"status"`
		Surplus           skalig.Money `json:"surplus"`
		Trace             []struct{}   `json:"trace"`
	}
	type line struct {
		Amount    skalig.Money `json:"amount"`
		Item      string       `json:"item"`
		Law       string       `json:"law"`
		Parameter string       `json:"parameter,omitempty"`
		Person    string       `json:"person,omitempty"`
		Source    string       `json:"source"`
		Text      string       `json:"text"`
	}
	f := figures{Aid: o.Aid, BeyondCalculation: o.BeyondCalculation, IncomeCounted: o.IncomeCounted, Month: o.Month,
		Norm: o.Norm, NormAdjustment: o.NormAdjustment, OtherCosts: o.OtherCosts,
		Parameters:      parameters{Set: o.Parameters.Set, Status: o.Parameters.Status},
		ReasonableCosts: o.ReasonableCosts, ReviewReasons: o.ReviewReasons, Status: o.Status, Surplus: o.Surplus}
	var lines []line
	if o.Trace != nil {
		lines = make([]line, len(o.Trace))
		for i, l := range o.Trace {
			lines[i] = line{Amount: l.Amount, Item: l.Item, Law: l.Law, Parameter: l.Parameter, Person: l.Person, Source: l.Source, Text: l.Text}
		}
	}
	enc := func(v any) ([]byte, error) {
		var buf bytes.Buffer
		e := json.NewEncoder(&buf)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	if result, err = enc(f); err != nil {
		return nil, nil, err
	}
	trace, err = enc(lines)
	return result, trace, err
}

// NamePersons returns the line's text for people to read: on a line a
// caseworker set (Source "caseworker"), the engine's "av <subject>" (who
// approved the amount, as the login gave the subject: an identifier, not a
// name) becomes "av <name>" for a subject names knows. The receipt keeps
// the engine's text; letters and pages show this.
func (l Line) NamePersons(names map[string]string) string {
	if l.Source != "caseworker" {
		return l.Text
	}
	text := l.Text
	for sub, name := range names {
		if sub == "" || name == "" {
			continue
		}
		text = strings.ReplaceAll(text, " av "+sub+".", " av "+name+".")
		text = strings.ReplaceAll(text, " av "+sub+",", " av "+name+",")
		if strings.HasSuffix(text, " av "+sub) {
			text = strings.TrimSuffix(text, sub) + name
		}
	}
	return text
}
