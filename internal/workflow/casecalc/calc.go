// Package casecalc is a case's calculation as the workflow makes it, pure: the
// facts that count turned into the engine's input (BuildInput), the
// calculation with the parameters and the municipality's guidelines in
// force (CalculateWith, Prepare), where routing sends the case on it
// (RouteCalculation), and the sealed receipt of a decision made on it
// (Receipt). It reads no clock, database or network: the robot's step
// (workflow/step), a person's decision and change (workflow), the replay
// (workflow/replay) and the what-if runs (internal/whatif) all calculate
// through it, so that one case gives one calculation everywhere.
package casecalc

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/params"
	"skalig/internal/routing"
	"skalig/internal/rules"
)

// Calculation is the record of one calculation of a case: the inputs that
// counted, the versions used and the engine's output with its trace. The
// receipt of a decision is made from it.
type Calculation struct {
	Month            string        `json:"month"`
	CalculatedOn     string        `json:"calculated_on"`
	Facts            []skalig.Fact `json:"facts"` // the facts that counted
	ParamSet         string        `json:"param_set"`
	ParamStatus      string        `json:"param_status"`
	EngineVersion    string        `json:"engine_version"`
	GuidelineVersion string        `json:"guideline_version"`
	Claimed          skalig.Money  `json:"claimed"` // costs and needs asked for
	Reduced          bool          `json:"reduced"` // less was approved than asked for
	// Output is the engine's result and trace in the public format; nil
	// when the case could not be calculated, and Error says why.
	Output *calcformat.Output `json:"output,omitempty"`
	Error  string             `json:"error,omitempty"`
	// ParamsMissing lists what parameters of the month's year are missing
	// (params.Params.Missing) when that is why Output is nil: the case is
	// routed with parameters_missing and calculated again when they are
	// approved (internal/workflow/recalculate.go).
	ParamsMissing []string `json:"params_missing,omitempty"`
	// ParamsMark is the parameter source's mark (Marker) when the
	// parameters were missing: the store recalculates the case once a
	// version approved after it is in force. Not part of the record.
	ParamsMark int64 `json:"-"`
}

// ParamSource gives the parameters in force in a month; *params.Params
// and *paramdb.Source are ones. It is asked for every calculation and
// must be cheap.
type ParamSource interface {
	At(m skalig.Month) (*params.Set, error)
}

// Marker is a ParamSource that counts approvals (paramdb.Source).
type Marker interface {
	Mark() int64
}

// MarkOf is the approvals p has counted (Marker), or 0.
func MarkOf(p ParamSource) int64 {
	if m, ok := p.(Marker); ok {
		return m.Mark()
	}
	return 0
}

// Municipal is what a calculation needs of the municipal configuration.
type Municipal interface {
	Guidelines(code string, mo skalig.Month) (*rules.Guidelines, error)
	Routing(code string, mo skalig.Month) (*routing.Config, error)
}

// RoutingRecord is the record of routing a case.
type RoutingRecord struct {
	Outcome routing.Outcome `json:"outcome"`
	Aid     skalig.Money    `json:"aid"`
}

// CalculateWith calculates case c on facts as of the date on, with the
// parameters p and the municipal configuration mun: a pure function of its
// arguments, which the robot's step (step.Assess) and the what-if runs
// (internal/whatif, with a candidate configuration) call. It never fails: a
// case that cannot be calculated gets a record with Error, which routing
// sends to a person.
func CalculateWith(p ParamSource, mun Municipal, c *skalig.Case, members []skalig.Member, facts []skalig.Fact, on skalig.Date) *Calculation {
	return Prepare(c, members, facts).calculate(p, mun, c, on, true)
}

// Prepared is a household's facts turned into the calculation's input
// (BuildInput) and checked once, to calculate with several
// configurations: a what-if run calculates each case with the live one and
// a candidate. It is not changed by calculating.
type Prepared struct {
	month  skalig.Month
	in     *rules.Input
	used   []skalig.Fact
	errMsg string // why the input cannot be calculated, or ""
}

// Prepare builds the input of case c from members and facts.
func Prepare(c *skalig.Case, members []skalig.Member, facts []skalig.Fact) *Prepared {
	pr := &Prepared{month: c.Month}
	in, used, err := BuildInput(c.Month, members, facts)
	if err != nil {
		pr.errMsg = err.Error()
		return pr
	}
	// The receipt also keeps which register sources answered for whom: the
	// proof that nothing was decided on a source that did not answer.
	for _, f := range facts {
		if f.Source == skalig.SourceSystem && f.Period == c.Month && strings.HasPrefix(f.Kind, skalig.KindRegisterStatusPrefix) {
			used = append(used, f)
		}
	}
	pr.in, pr.used = in, used
	if fe := in.Validate(); len(fe) > 0 {
		msgs := make([]string, len(fe))
		for i, f := range fe {
			msgs[i] = f.Field + ": " + f.Message
		}
		pr.errMsg = strings.Join(msgs, "; ")
	}
	return pr
}

// Figures is CalculateWith without the trace, on the prepared input: case c (the one
// prepared) with the parameters p and the municipal configuration mun.
func (pr *Prepared) Figures(p ParamSource, mun Municipal, c *skalig.Case, on skalig.Date) *Calculation {
	return pr.calculate(p, mun, c, on, false)
}

func (pr *Prepared) calculate(p ParamSource, mun Municipal, c *skalig.Case, on skalig.Date, trace bool) *Calculation {
	calc := &Calculation{Month: c.Month.String(), CalculatedOn: on.String(), EngineVersion: rules.EngineVersion}
	if pr.in == nil {
		calc.Error = pr.errMsg
		return calc
	}
	calc.Facts = pr.used
	if pr.errMsg != "" {
		calc.Error = pr.errMsg
		return calc
	}
	in := pr.in
	mark := MarkOf(p)
	ps, err := p.At(c.Month)
	if err != nil {
		calc.Error = skalig.ErrorMessage(err)
		var me *params.MissingError
		if errors.As(err, &me) {
			calc.ParamsMissing = me.Missing
			if len(calc.ParamsMissing) == 0 {
				calc.ParamsMissing = []string{fmt.Sprintf("parametrar för %d", me.Year)}
			}
			calc.ParamsMark = mark
		}
		return calc
	}
	g, err := mun.Guidelines(c.Municipality, c.Month)
	if err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND && skalig.ErrorCode(err) != skalig.EINVALID {
		calc.Error = err.Error()
		return calc
	}
	if g != nil {
		calc.GuidelineVersion = g.Version
	}
	var tr *rules.Trace
	if trace {
		tr = &rules.Trace{}
	}
	res, err := rules.Calculate(in, ps, g, tr)
	if err != nil {
		calc.Error = skalig.ErrorMessage(err)
		return calc
	}
	calc.Output = calcformat.NewOutput(res, tr)
	calc.ParamSet, calc.ParamStatus = res.ParamSet, res.ParamStatus.String()
	calc.Claimed = claimed(in)
	calc.Reduced = reduced(in, &res)
	return calc
}

// RouteCalculation is where routing sends case c on its calculation calc
// and facts (the aid fact included), given the household's last decided
// month before, prev (nil: none), and the municipal configuration mun: a
// pure function of its arguments, which the what-if runs
// (internal/whatif) call with a candidate configuration.
func RouteCalculation(mun Municipal, c *skalig.Case, members []skalig.Member, facts []skalig.Fact, calc *Calculation, prev *routing.Previous) RoutingRecord {
	rc := routingConfig(mun, c)
	if out, ok := unroutable(calc); ok {
		return routingRecord(out, calc)
	}
	out := rc.Route(RoutingInput(c, members, facts, calc, prev))
	return routingRecord(adjusted(out, hasSource(facts, skalig.SourceCaseworker)), calc)
}

// RouteCalculations routes case c as RouteCalculation does with mun and
// calc, and with candMun and candCalc (a what-if run's live configuration
// and its candidate): when both calculations give routing the same figures,
// the case is routed once for both where the configurations agree
// (routing.RoutePair).
func RouteCalculations(mun, candMun Municipal, c *skalig.Case, members []skalig.Member, facts []skalig.Fact, calc, candCalc *Calculation, prev *routing.Previous) (RoutingRecord, RoutingRecord) {
	_, noA := unroutable(calc)
	_, noB := unroutable(candCalc)
	if noA || noB {
		return RouteCalculation(mun, c, members, facts, calc, prev), RouteCalculation(candMun, c, members, facts, candCalc, prev)
	}
	in := RoutingInput(c, members, facts, calc, prev)
	if candIn := RoutingInput(c, members, facts, candCalc, prev); !sameCalc(&in.Calc, &candIn.Calc) {
		return RouteCalculation(mun, c, members, facts, calc, prev), RouteCalculation(candMun, c, members, facts, candCalc, prev)
	}
	a, b := routing.RoutePair(routingConfig(mun, c), routingConfig(candMun, c), in)
	cw := hasSource(facts, skalig.SourceCaseworker)
	return routingRecord(adjusted(a, cw), calc), routingRecord(adjusted(b, cw), candCalc)
}

// routingConfig is c's routing configuration in mun: nil (no delegation,
// propose only) when there is none.
func routingConfig(mun Municipal, c *skalig.Case) *routing.Config {
	rc, err := mun.Routing(c.Municipality, c.Month)
	if err != nil {
		return nil
	}
	return rc
}

// unroutable is the route of a case that could not be calculated.
func unroutable(calc *Calculation) (routing.Outcome, bool) {
	switch {
	case calc.Output == nil && len(calc.ParamsMissing) > 0:
		return routing.Outcome{Route: routing.RouteException, Outcome: skalig.OutcomeRejected,
			Reasons: []routing.Reason{{Code: skalig.ReasonParametersMissing, Text: skalig.ReasonText(skalig.ReasonParametersMissing),
				Detail: "Saknas: " + strings.Join(calc.ParamsMissing, "; ") + "."}}}, true
	case calc.Output == nil:
		return routing.Outcome{Route: routing.RouteException, Outcome: skalig.OutcomeRejected,
			Reasons: []routing.Reason{{Code: skalig.ReasonCalculationFailed,
				Text: skalig.ReasonText(skalig.ReasonCalculationFailed), Detail: calc.Error}}}, true
	}
	return routing.Outcome{}, false
}

// adjusted is out for a case where a caseworker has assessed items (cw):
// a person decides it, and a new sample draw would make no sense.
func adjusted(out routing.Outcome, cw bool) routing.Outcome {
	if !cw {
		return out
	}
	if out.Route == routing.RouteDecide || out.Route == routing.RouteSample {
		out.Route, out.Delegation = routing.RoutePropose, ""
	}
	out.Reasons = append(out.Reasons, routing.Reason{Code: skalig.ReasonAdjusted, Text: skalig.ReasonText(skalig.ReasonAdjusted)})
	return out
}

func routingRecord(out routing.Outcome, calc *Calculation) RoutingRecord {
	rec := RoutingRecord{Outcome: out}
	if calc.Output != nil {
		rec.Aid = calc.Output.Aid
	}
	return rec
}

// sameCalc reports whether routing reads the same of a and b.
func sameCalc(a, b *routing.Calculation) bool {
	return a.Aid == b.Aid && a.Norm == b.Norm && a.Costs == b.Costs && a.Incomes == b.Incomes &&
		slices.Equal(a.Reasons, b.Reasons) && a.ParamStatus == b.ParamStatus && a.Reduced == b.Reduced
}

// RoutingInput is the case as routing sees it: calc's figures in Calc
// when it has an output.
func RoutingInput(c *skalig.Case, members []skalig.Member, facts []skalig.Fact, calc *Calculation, prev *routing.Previous) *routing.Input {
	in := &routing.Input{
		CaseID: c.ID, Municipality: c.Municipality, Kind: c.Kind, Month: c.Month,
		Members: members, Facts: facts, Previous: prev,
	}
	if o := calc.Output; o != nil {
		in.Calc = routing.Calculation{
			Aid: o.Aid, Norm: o.Norm, Costs: o.ReasonableCosts + o.OtherCosts, Incomes: o.IncomeCounted,
			Reasons: o.ReviewReasons, ParamStatus: calc.ParamStatus, Reduced: calc.Reduced,
		}
	}
	return in
}

func hasSource(facts []skalig.Fact, src skalig.FactSource) bool {
	for _, f := range facts {
		if f.Source == src {
			return true
		}
	}
	return false
}
