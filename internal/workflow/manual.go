package workflow

// Manual calculation: when a month's parameters or rules are missing (the
// case waits with a person for parameters_missing, calculation_failed, the
// engine's parameter_missing, a provisional parameter, a rule error), a
// caseworker may calculate the case by hand. The rules:
//
//   - Every line is entered by hand: its kind (norm, a cost, an income, aid
//     beyond the calculation), what it is, the amount in kronor and its
//     basis (the law, the table, the evidence), with a reason for the
//     manual calculation as a whole. Nothing is taken from the engine.
//   - The lines are kept as caseworker facts of the calculation record
//     (manual.<kind>.<n>, its .text and .reason), so the receipt of a
//     decision on it holds them and replay reproduces it: the figures are a
//     pure function of the lines (ManualOutput).
//   - The calculation replaces the case's latest calculation; a decision
//     waiting for a second signature on the old one is returned in the same
//     transaction. The case stays with the person, who decides on it with
//     Decide as on any calculation; the person who calculated counts as an
//     adjuster (four eyes: another caseworker signs).
//   - When the missing parameters are approved before the decision, the
//     case is calculated again by the engine (recalculate.go) and the
//     manual calculation no longer counts.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/rules"
	"skalig/internal/store"
)

// Manual line kinds.
const (
	ManualNorm   = "norm"   // riksnorm and other norm items (SoL 12 kap. 1-3 §§)
	ManualCost   = "cost"   // a reasonable cost (housing, electricity, other needs)
	ManualIncome = "income" // an income that counts (SoL 12 kap. 4 §)
	ManualBeyond = "beyond" // aid beyond the calculation (SoL 12 kap. 2 §)
)

// ManualKinds lists the kinds of a manual line, in the order a calculation
// reads.
var ManualKinds = []string{ManualNorm, ManualCost, ManualIncome, ManualBeyond}

// Manual calculation markers in a calculation record and its receipt.
const (
	// ManualParamSet is the parameter set of a manual calculation: no
	// parameters were read.
	ManualParamSet = "manual"
	// ManualEngine is the "engine version" of a manual calculation: the
	// pure function ManualOutput.
	ManualEngine = "manual/1"
	// RecordManualCalculation is the record of who calculated a case by
	// hand and why.
	RecordManualCalculation = "manual_calculation"
	// manualFactPrefix starts the kinds of the facts of manual lines.
	manualFactPrefix = "manual."
	// maxManualLines bounds a manual calculation.
	maxManualLines = 60
)

// ManualCalculationReasons are the routing reasons under which a person
// may calculate a case by hand even when the engine gave a result (a
// provisional value, a rule the engine lacks): the month's parameters or
// rules are missing. A case with no calculation at all may always be
// calculated by hand.
var ManualCalculationReasons = []string{
	skalig.ReasonParametersMissing, skalig.ReasonCalculationFailed, rules.ParameterMissing.Code(),
	skalig.ReasonProvisionalParameter, skalig.ReasonRuleError,
}

// ManualLine is one line of a manual calculation.
type ManualLine struct {
	Kind   string       `json:"kind"`             // one of ManualKinds
	Item   string       `json:"item"`             // what it is: "Riksnorm, ensamstående vuxen"
	Person string       `json:"person,omitempty"` // the member it concerns, if one
	Amount skalig.Money `json:"amount"`           // kronor for the month, ≥ 0
	Basis  string       `json:"basis"`            // law, table or evidence it rests on
}

// ManualCalculationRequest is a person's manual calculation of a case.
type ManualCalculationRequest struct {
	CaseID  string
	Version int // the case version the person saw
	Actor   skalig.Actor
	Lines   []ManualLine
	// Reason says why the case is calculated by hand ("Riksnormen för
	// 2027 finns ännu inte i Skälig; beräknad enligt SFS 2026:…").
	Reason string
}

// checkManual checks lines and reason, with Swedish messages naming the
// field, and returns them trimmed.
func checkManual(lines []ManualLine, reason string, members []skalig.Member) ([]ManualLine, string, error) {
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
	case len(lines) > maxManualLines:
		fe = append(fe, skalig.FieldError{Field: "lines", Message: fmt.Sprintf("Ange högst %d rader.", maxManualLines)})
	}
	out := make([]ManualLine, 0, len(lines))
	norm := false
	for i, l := range lines {
		p := "lines[" + strconv.Itoa(i) + "]."
		l.Item, l.Basis, l.Person = strings.TrimSpace(l.Item), strings.TrimSpace(l.Basis), strings.TrimSpace(l.Person)
		if !slices.Contains(ManualKinds, l.Kind) {
			fe = append(fe, skalig.FieldError{Field: p + "kind", Message: "Välj slag: norm, kostnad, inkomst eller bistånd utöver beräkningen."})
		}
		norm = norm || l.Kind == ManualNorm
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

// manualFacts encodes lines as caseworker facts of month, recorded by
// subject at now: manual.<kind>.<n> (the amount), .text (the item) and
// .reason (the basis).
func manualFacts(lines []ManualLine, month skalig.Month, subject string, now time.Time) []skalig.Fact {
	now = now.UTC().Truncate(time.Microsecond)
	var out []skalig.Fact
	for i, l := range lines {
		k := fmt.Sprintf("%s%s.%02d", manualFactPrefix, l.Kind, i+1)
		out = append(out,
			skalig.Fact{Kind: k, PersonID: l.Person, Period: month, Value: skalig.AmountValue(l.Amount), Source: skalig.SourceCaseworker, At: now, RecordedBy: subject},
			skalig.Fact{Kind: k + ".text", PersonID: l.Person, Period: month, Value: skalig.TextValue(l.Item), Source: skalig.SourceCaseworker, At: now, RecordedBy: subject},
			skalig.Fact{Kind: k + skalig.KindReasonSuffix, PersonID: l.Person, Period: month, Value: skalig.TextValue(l.Basis), Source: skalig.SourceCaseworker, At: now, RecordedBy: subject})
	}
	return out
}

// ManualLinesOf decodes the manual lines from facts (manualFacts), in
// order; ok is false when facts hold none.
func ManualLinesOf(facts []skalig.Fact) (lines []ManualLine, by string, ok bool) {
	type part struct {
		l   ManualLine
		key string
	}
	byKey := map[string]*part{}
	var keys []string
	for _, f := range facts {
		rest, found := strings.CutPrefix(f.Kind, manualFactPrefix)
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
			p = &part{l: ManualLine{Kind: kind, Person: f.PersonID}, key: key}
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

// ManualOutput is the calculation of lines entered by hand for month, in
// the public format: the norm, the reasonable costs and the incomes are the
// sums of their lines; the aid is need less incomes (never below 0), plus
// aid beyond the calculation; every line is a trace line with source
// caseworker, its basis as the law and who entered it. It is a pure
// function of its arguments: replay reproduces it from the receipt.
func ManualOutput(month skalig.Month, lines []ManualLine, by string) *calcformat.Output {
	o := &calcformat.Output{Month: month.String(), Status: "complete", ReviewReasons: []string{},
		Parameters: calcformat.Parameters{Set: ManualParamSet, Status: ManualParamSet}, Trace: []calcformat.Line{}}
	for _, l := range lines {
		switch l.Kind {
		case ManualNorm:
			o.Norm += l.Amount
		case ManualCost:
			o.ReasonableCosts += l.Amount
		case ManualIncome:
			o.IncomeCounted += l.Amount
		case ManualBeyond:
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

// manualAllowed checks that case c, on its latest calculation calc, may be
// calculated by hand: it waits for a person's decision, and it has no
// calculation or waits for a reason of ManualCalculationReasons.
func manualAllowed(c *skalig.Case, calc *Calculation) error {
	if err := decidable(c); err != nil {
		return err
	}
	if calc == nil || calc.Output == nil {
		return nil
	}
	for _, r := range c.RoutingReasons {
		if slices.Contains(ManualCalculationReasons, r) {
			return nil
		}
	}
	return skalig.Errorf(skalig.ECONFLICT, "Ärendet har en beräkning enligt gällande regler och parametrar. Beräkning för hand används bara när parametrar eller regler för månaden saknas; justera annars uppgifterna.")
}

// CalculateManually records a person's manual calculation of a case whose
// parameters or rules are missing (see the rules above) as the case's
// latest calculation, with a record of who and why, and returns it. The
// person then decides with Decide.
//
// Errors: ENOTFOUND; EFORBIDDEN (not a caseworker); ECONFLICT (stale
// version, not waiting for a person, decided, or calculated on parameters
// and rules in force); EINVALID (a line or the reason, by field).
func (w *Workflow) CalculateManually(ctx context.Context, req ManualCalculationRequest) (*Calculation, error) {
	a, c, err := w.adjuster(ctx, req.Actor, req.CaseID)
	if err != nil {
		return nil, err
	}
	if c.Version != req.Version {
		return nil, errStale
	}
	app, err := w.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	lines, reason, err := checkManual(req.Lines, req.Reason, app.Members)
	if err != nil {
		return nil, err
	}
	var old Calculation
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &old); err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	if err := manualAllowed(c, &old); err != nil {
		return nil, err
	}
	calc := manualCalculation(c, lines, a.Subject(), w.db.Clock())
	pending, err := w.desk.PendingApproval(ctx, c.ID)
	if err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	by := a.String()
	_, err = w.cases.Update(ctx, c.ID, func(m *store.Moves) error {
		if m.Case().Version != c.Version {
			return errStale
		}
		if pending != nil {
			if err := m.CloseApproval(ctx, pending.ID, store.ApprovalReturned, a.Subject(), by,
				"Ärendet har beräknats för hand; förslaget gällde den tidigare beräkningen."); err != nil {
				return err
			}
		}
		if err := m.AddRecord(ctx, by, RecordManualCalculation, map[string]any{
			"caseworker": a.Subject(), "reason": reason, "lines": lines, "aid": calc.Output.Aid,
			"replaces": old.ParamSet, "replaced_error": old.Error}); err != nil {
			return err
		}
		return m.AddRecord(ctx, by, store.RecordCalculation, calc)
	})
	if err != nil {
		return nil, err
	}
	return calc, nil
}

// manualCalculation is the calculation record of lines entered by subject
// for case c on the date on.
func manualCalculation(c *skalig.Case, lines []ManualLine, subject string, now time.Time) *Calculation {
	facts := manualFacts(lines, c.Month, subject, now)
	out := ManualOutput(c.Month, lines, subject)
	calc := &Calculation{Month: c.Month.String(), CalculatedOn: skalig.DateOf(now).String(), Facts: facts,
		ParamSet: ManualParamSet, ParamStatus: ManualParamSet, EngineVersion: ManualEngine, Output: out}
	for _, l := range lines {
		if l.Kind == ManualCost || l.Kind == ManualBeyond {
			calc.Claimed += l.Amount
		}
	}
	return calc
}

// replayManual recomputes a receipt of a manual calculation from the lines
// it holds.
func replayManual(r *skalig.Receipt, rep *ReplayReport, diff func(string, ...any)) {
	lines, by, ok := ManualLinesOf(r.Facts)
	if !ok {
		diff("underlaget är en beräkning för hand men saknar raderna")
		return
	}
	out := ManualOutput(r.Month, lines, by)
	result, trace, err := outputJSON(out)
	if err != nil {
		diff("%v", err)
		return
	}
	compareJSON("resultat", r.Result, result, diff)
	compareJSON("beräkningsrader", r.Trace, trace, diff)
	if r.Outcome == skalig.OutcomeApproved && out.Aid != r.Amount {
		diff("beviljat belopp %s, omräknat %s", r.Amount, out.Aid)
	}
	rep.Identical = len(rep.Differences) == 0
}
