// Package manualcalc holds the calculation a caseworker makes by hand when
// a month's parameters or rules are missing: the kinds of a line, the
// checks of the lines and the reason (Check), their encoding as caseworker
// facts of the calculation record (Facts, LinesOf), and the figures
// (Output).
//
// It is pure: every function reads only its arguments (no store, no clock,
// no network), so replay reproduces a manual calculation from the lines a
// receipt holds. The workflow (CalculateManually, ChangeDecision) reads the
// case, checks who may calculate, and stores the result.
package manualcalc

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/rules"
)

// Line kinds.
const (
	Norm   = "norm"   // riksnorm and other norm items (SoL 12 kap. 1-3 §§)
	Cost   = "cost"   // a reasonable cost (housing, electricity, other needs)
	Income = "income" // an income that counts (SoL 12 kap. 4 §)
	Beyond = "beyond" // aid beyond the calculation (SoL 12 kap. 2 §)
)

// Kinds lists the kinds of a manual line, in the order a calculation
// reads.
var Kinds = []string{Norm, Cost, Income, Beyond}

// Manual calculation markers in a calculation record and its receipt.
const (
	// ParamSet is the parameter set of a manual calculation: no
	// parameters were read.
	ParamSet = "manual"
	// Engine is the "engine version" of a manual calculation: the
	// pure function Output.
	Engine = "manual/1"
	// factPrefix starts the kinds of the facts of manual lines.
	factPrefix = "manual."
	// maxLines bounds a manual calculation.
	maxLines = 60
)

// Reasons are the routing reasons under which a person
// may calculate a case by hand even when the engine gave a result (a
// provisional value, a rule the engine lacks): the month's parameters or
// rules are missing. A case with no calculation at all may always be
// calculated by hand.
var Reasons = []string{
	skalig.ReasonParametersMissing, skalig.ReasonCalculationFailed, rules.ParameterMissing.Code(),
	skalig.ReasonProvisionalParameter, skalig.ReasonRuleError,
}

// Line is one line of a manual calculation.
type Line struct {
	Kind   string       `json:"kind"`             // one of Kinds
	Item   string       `json:"item"`             // what it is: "Riksnorm, ensamstående vuxen"
	Person string       `json:"person,omitempty"` // the member it concerns, if one
	Amount skalig.Money `json:"amount"`           // kronor for the month, ≥ 0
	Basis  string       `json:"basis"`            // law, table or evidence it rests on
}

// Check checks lines and reason, with Swedish messages naming the
// field, and returns them trimmed.
func Check(lines []Line, reason string, members []skalig.Member) ([]Line, string, error) {
	reason = strings.TrimSpace(reason)
	var fe []skalig.FieldError
	switch {
	case reason == "":
		fe = append(fe, skalig.FieldError{Field: "reason", Message: "Skriv varför ärendet beräknas för hand."})
	case utf8.RuneCountInString(reason) > 1000:
		fe = append(fe, skalig.FieldError{Field: "reason", Message: "Skriv högst 1 000 tecken."})
	case skalig.ContainsControl(reason):
		fe = append(fe, skalig.FieldError{Field: "reason", Message: skalig.ControlCharMessage})
	}
	switch {
	case len(lines) == 0:
		fe = append(fe, skalig.FieldError{Field: "lines", Message: "Ange minst en rad i beräkningen (till exempel normen)."})
	case len(lines) > maxLines:
		fe = append(fe, skalig.FieldError{Field: "lines", Message: fmt.Sprintf("Ange högst %d rader.", maxLines)})
	}
	out := make([]Line, 0, len(lines))
	norm := false
	for i, l := range lines {
		p := "lines[" + strconv.Itoa(i) + "]."
		l.Item, l.Basis, l.Person = strings.TrimSpace(l.Item), strings.TrimSpace(l.Basis), strings.TrimSpace(l.Person)
		if !slices.Contains(Kinds, l.Kind) {
			fe = append(fe, skalig.FieldError{Field: p + "kind", Message: "Välj slag: norm, kostnad, inkomst eller bistånd utöver beräkningen."})
		}
		norm = norm || l.Kind == Norm
		switch {
		case l.Item == "":
			fe = append(fe, skalig.FieldError{Field: p + "item", Message: "Skriv vad raden gäller."})
		case utf8.RuneCountInString(l.Item) > 200 || skalig.ContainsControl(l.Item):
			fe = append(fe, skalig.FieldError{Field: p + "item", Message: "Skriv högst 200 tecken, utan styrtecken."})
		}
		switch {
		case l.Basis == "":
			fe = append(fe, skalig.FieldError{Field: p + "basis", Message: "Ange grunden för raden: lagrum, tabell eller underlag."})
		case utf8.RuneCountInString(l.Basis) > 500 || skalig.ContainsControl(l.Basis):
			fe = append(fe, skalig.FieldError{Field: p + "basis", Message: "Skriv högst 500 tecken, utan styrtecken."})
		}
		switch {
		case l.Amount < 0:
			fe = append(fe, skalig.FieldError{Field: p + "amount", Message: "Beloppet får inte vara negativt. Skriv en inkomst som en rad av slaget inkomst."})
		case l.Amount > skalig.Kronor(1_000_000):
			fe = append(fe, skalig.FieldError{Field: p + "amount", Message: "Beloppet är orimligt stort för en månad."})
		}
		if l.Person != "" && !slices.ContainsFunc(members, func(m skalig.Member) bool { return m.ID == l.Person }) {
			fe = append(fe, skalig.FieldError{Field: p + "person", Message: "Personen finns inte i hushållet."})
		}
		out = append(out, l)
	}
	if len(lines) > 0 && !norm && len(fe) == 0 {
		fe = append(fe, skalig.FieldError{Field: "lines", Message: "En beräkning för hand behöver minst en rad för normen (riksnormen eller skälig levnadsnivå)."})
	}
	if len(fe) > 0 {
		return nil, "", &skalig.Error{Code: skalig.EINVALID, Message: fe[0].Message, Fields: fe}
	}
	return out, reason, nil
}

// Facts encodes lines as caseworker facts of month, recorded by
// subject at now: manual.<kind>.<n> (the amount), .text (the item) and
// .reason (the basis).
func Facts(lines []Line, month skalig.Month, subject string, now time.Time) []skalig.Fact {
	now = now.UTC().Truncate(time.Microsecond)
	var out []skalig.Fact
	for i, l := range lines {
		k := fmt.Sprintf("%s%s.%02d", factPrefix, l.Kind, i+1)
		out = append(out,
			skalig.Fact{Kind: k, PersonID: l.Person, Period: month, Value: skalig.AmountValue(l.Amount), Source: skalig.SourceCaseworker, At: now, RecordedBy: subject},
			skalig.Fact{Kind: k + ".text", PersonID: l.Person, Period: month, Value: skalig.TextValue(l.Item), Source: skalig.SourceCaseworker, At: now, RecordedBy: subject},
			skalig.Fact{Kind: k + skalig.KindReasonSuffix, PersonID: l.Person, Period: month, Value: skalig.TextValue(l.Basis), Source: skalig.SourceCaseworker, At: now, RecordedBy: subject})
	}
	return out
}

// LinesOf decodes the manual lines from facts (Facts), in
// order; ok is false when facts hold none.
func LinesOf(facts []skalig.Fact) (lines []Line, by string, ok bool) {
	type part struct {
		l   Line
		key string
	}
	byKey := map[string]*part{}
	var keys []string
	for _, f := range facts {
		rest, found := strings.CutPrefix(f.Kind, factPrefix)
		if !found {
			continue
		}
		key, suffix := rest, ""
		if strings.HasSuffix(rest, ".text") {
			key, suffix = strings.TrimSuffix(rest, ".text"), "text"
		} else if strings.HasSuffix(rest, skalig.KindReasonSuffix) {
			key, suffix = strings.TrimSuffix(rest, skalig.KindReasonSuffix), "basis"
		}
		p := byKey[key]
		if p == nil {
			kind, _, _ := strings.Cut(key, ".")
			p = &part{l: Line{Kind: kind, Person: f.PersonID}, key: key}
			byKey[key] = p
			keys = append(keys, key)
		}
		switch suffix {
		case "text":
			p.l.Item = f.Value.Text
		case "basis":
			p.l.Basis = f.Value.Text
		default:
			p.l.Amount = f.Value.Amount
			by = f.RecordedBy
		}
	}
	// Keys end in the line's number: order by it.
	slices.SortStableFunc(keys, func(a, b string) int {
		return strings.Compare(a[strings.LastIndex(a, ".")+1:], b[strings.LastIndex(b, ".")+1:])
	})
	for _, k := range keys {
		lines = append(lines, byKey[k].l)
	}
	return lines, by, len(lines) > 0
}

// Output is the calculation of lines entered by hand for month, in
// the public format: the norm, the reasonable costs and the incomes are the
// sums of their lines; the aid is need less incomes (never below 0), plus
// aid beyond the calculation; every line is a trace line with source
// caseworker, its basis as the law and who entered it. It is a pure
// function of its arguments: replay reproduces it from the receipt.
func Output(month skalig.Month, lines []Line, by string) *calcformat.Output {
	o := &calcformat.Output{Month: month.String(), Status: "complete", ReviewReasons: []string{},
		Parameters: calcformat.Parameters{Set: ParamSet, Status: ParamSet}, Trace: []calcformat.Line{}}
	for _, l := range lines {
		switch l.Kind {
		case Norm:
			o.Norm += l.Amount
		case Cost:
			o.ReasonableCosts += l.Amount
		case Income:
			o.IncomeCounted += l.Amount
		case Beyond:
			o.BeyondCalculation += l.Amount
		}
		o.Trace = append(o.Trace, calcformat.Line{Item: "manual_" + l.Kind, Person: l.Person, Amount: l.Amount,
			Source: string(skalig.SourceCaseworker), Law: l.Basis, Text: l.Item + " (beräknad för hand av " + by + ")"})
	}
	need := o.Norm + o.ReasonableCosts
	if o.IncomeCounted < need {
		o.Aid = need - o.IncomeCounted
	} else {
		o.Surplus = o.IncomeCounted - need
	}
	o.Aid += o.BeyondCalculation
	o.Trace = append(o.Trace, calcformat.Line{Item: "aid", Amount: o.Aid, Source: string(skalig.SourceCaseworker),
		Law: "SoL (2025:400) 12 kap. 1 §",
		Text: fmt.Sprintf("Bistånd enligt beräkning för hand: norm %s + kostnader %s − inkomster %s, dock lägst 0 kr, + bistånd utöver beräkningen %s.",
			o.Norm.Swedish(), o.ReasonableCosts.Swedish(), o.IncomeCounted.Swedish(), o.BeyondCalculation.Swedish())})
	return o
}
