// Package routing decides where a calculated case goes: an automated decision
// under the municipality's delegation (kommunallagen 6 kap. 37 §), a decision
// proposal to a caseworker, an exception with named reasons, or a random
// sample control (stickprov).
//
// The decision is a pure function of the case (Input) and the municipality's
// routing configuration (Config) in force for the month: no clock, database
// or network. The same input and configuration give the same Outcome years
// later, the sample draw included, so a route can be audited and replayed.
//
// The order of precedence is: exceptions (built-in reasons, reasons of the
// calculation, the municipality's CEL rules) beat sample control, which
// beats an automated decision or a proposal. Without a delegation that
// covers the case, the robot only proposes; by default a delegation covers
// approvals in full only, and rejections and reductions go to a person.
//
// docs/routing.md describes the configuration file, every reason code with
// its Swedish text, the CEL variables and how to reproduce a sample draw.
package routing

import (
	"slices"

	"skalig"
)

// Input is a calculated case as routing sees it.
type Input struct {
	CaseID       string
	Municipality string // kommunkod, "0821"
	Kind         skalig.ApplicationKind
	Month        skalig.Month
	Members      []skalig.Member
	// Facts are all facts of the case: declared (source applicant), from
	// registers (register:<name>), recorded by a caseworker, and the
	// system's (among them the register.<name>.status facts, see kinds.go).
	Facts []skalig.Fact
	Calc  Calculation
	// Previous is the household's last decided month, nil if none.
	Previous *Previous
}

// Calculation is what the engine calculated for the case.
type Calculation struct {
	// Aid is the försörjningsstöd calculated for the month (>= 0).
	Aid                  skalig.Money
	Norm, Costs, Incomes skalig.Money
	// Reasons are the engine's review reason codes (rules.Reason.Code).
	Reasons []string
	// ParamStatus is the weakest status of the parameters used:
	// "official", "secondary", "derived", "provisional".
	ParamStatus string
	// Reduced is true when the engine capped or refused a claimed cost, so
	// that a decision would grant less than applied for (delvis bifall).
	Reduced bool
}

// Previous is the household's last decided month.
type Previous struct {
	Month  skalig.Month
	Amount skalig.Money
	// Facts are the facts of that month's case, compared with this month's
	// for a delegation that covers only re-applications without changes.
	Facts []skalig.Fact
}

// Route is where a case goes.
type Route string

// Routes.
const (
	// RouteDecide: the automated decision function decides under the
	// delegation named in Outcome.Delegation.
	RouteDecide Route = "decide"
	// RoutePropose: Skälig proposes the decision; a caseworker decides.
	RoutePropose Route = "propose"
	// RouteException: the robot stops; a caseworker handles the case, for
	// the reasons given.
	RouteException Route = "exception"
	// RouteSample: drawn for sample control; the case waits for the
	// applicant's documents before a decision.
	RouteSample Route = "sample"
)

// Swedish names the route for a reader.
func (r Route) Swedish() string {
	switch r {
	case RouteDecide:
		return "automatiserat beslut"
	case RoutePropose:
		return "beslutsförslag till handläggare"
	case RouteException:
		return "undantag till handläggare"
	case RouteSample:
		return "stickprovskontroll"
	}
	return string(r)
}

// Reason is one named reason for a route.
type Reason struct {
	// Code is stable (docs/routing.md lists every code); a municipal rule's
	// code is "municipal:" + the rule's name.
	Code string
	// Text is plain Swedish, for the caseworker (and the applicant).
	Text string
	// Detail says what in this case triggered the reason, in Swedish:
	// "Bostadsbidrag/bostadstillägg, sökande: uppgett 5 000 kr,
	// Försäkringskassan 6 200 kr", the Swedish texts of Details joined by
	// "; ". May be empty. A record made before Details existed has only
	// this text.
	Detail string
	// Details are the same findings as data, one per finding (a message
	// of locales/details.LANG.json and its arguments), for a page to say
	// in its own language. Empty for a municipal rule (its text is the
	// municipality's) and for the workflow's own reasons.
	Details []skalig.Detail `json:",omitempty"`
	// Social marks a social-risk reason: the case goes to social work,
	// first in the queue.
	Social bool
}

// Outcome is the routing of one case.
type Outcome struct {
	Route Route
	// Outcome is what the decision would be: approved (aid > 0, nothing
	// reduced), partly_approved (aid > 0 and a cost reduced) or rejected
	// (aid 0).
	Outcome skalig.Outcome
	// Reasons say why the case is not decided automatically: the stops of
	// an exception (social-risk reasons first), the sample reason, or why a
	// proposal is only a proposal. Empty when Route is decide. Each code
	// appears at most once.
	Reasons []Reason
	// Delegation names the delegation under which the automated function
	// decides, as the delegation order cites it; set only when Route is
	// decide.
	Delegation string
	// Sample is the sample draw, recorded whenever the configuration has a
	// sample seed (also when the case is an exception); nil otherwise.
	Sample *Draw
	// ConfigVersion is the version of the routing configuration used; ""
	// for a nil Config.
	ConfigVersion string
}

// Codes returns the codes of o's reasons, in order: the form kept on the
// case (skalig.Case.RoutingReasons).
func (o Outcome) Codes() []string {
	out := make([]string, len(o.Reasons))
	for i, r := range o.Reasons {
		out[i] = r.Code
	}
	return out
}

// Social reports whether any reason is a social-risk reason.
func (o Outcome) Social() bool {
	for _, r := range o.Reasons {
		if r.Social {
			return true
		}
	}
	return false
}

// Route routes the case in. It is pure and deterministic: it reads nothing
// but in and c, and never fails; anything it cannot assess becomes a reason
// that sends the case to a person (invalid_input, rule_error). A nil c is a
// configuration with no delegation, no sampling, no rules, a tolerance of
// zero and all registers required: the robot then never decides.
func (c *Config) Route(in *Input) Outcome {
	if c == nil {
		c = &nilConfig
	}
	if in == nil {
		return c.noCase()
	}
	out, _ := c.route(newCaseView(in), nil)
	return out
}

// RoutePair routes in with a and with b: the same Outcomes as a.Route(in)
// and b.Route(in), for the cost of little more than one when a and b differ
// only in their delegations (a what-if run of a delegation limit). The
// case is read once; b reuses a's stop reasons when both stop cases alike
// (the same registers, tolerances, residence assumption and rules), and
// a's sample draw when both draw with the same seed.
func RoutePair(a, b *Config, in *Input) (Outcome, Outcome) {
	if a == nil {
		a = &nilConfig
	}
	if b == nil {
		b = &nilConfig
	}
	if in == nil {
		return a.noCase(), b.noCase()
	}
	x := newCaseView(in)
	oa, ra := a.route(x, nil)
	ob, _ := b.route(x, &ra)
	return oa, ob
}

func (c *Config) noCase() Outcome {
	return Outcome{ConfigVersion: c.spec.Version, Route: RouteException, Outcome: skalig.OutcomeRejected,
		Reasons: []Reason{reason(skalig.ReasonInvalidInput, found("detail.invalid.no_case"))}}
}

// routed is what a route found that another configuration may reuse for
// the same case.
type routed struct {
	c      *Config
	stops  []Reason
	sample *Draw
}

// route routes x with c, reusing what prev (routed with another
// configuration, may be nil) found where c would find the same.
func (c *Config) route(x *caseView, prev *routed) (Outcome, routed) {
	in := x.in
	out := Outcome{ConfigVersion: c.spec.Version, Outcome: outcomeOf(&in.Calc)}
	if c.sampled() && in.CaseID != "" {
		var d Draw
		if prev != nil && prev.sample != nil && prev.sample.Seed == c.spec.SampleSeed {
			d = *prev.sample
			d.Rate, d.Drawn = c.spec.SampleRate, d.Value < c.spec.SampleRate
		} else {
			d = c.draw(in.CaseID)
		}
		out.Sample = &d
	}
	var stops []Reason
	if prev != nil && prev.c.sameStops(c) {
		stops = prev.stops
	} else {
		stops = c.stops(x)
	}
	// Clipped: a caller that appends to one Outcome's reasons (the
	// workflow's adjusted) never writes into the other's.
	stops = slices.Clip(stops)
	switch {
	case len(stops) > 0:
		out.Route = RouteException
		out.Reasons = stops
	case out.Sample != nil && out.Sample.Drawn:
		out.Route = RouteSample
		out.Reasons = []Reason{sampleReason(out.Sample)}
	default:
		d, why := c.delegation(x, out.Outcome)
		if d != nil {
			out.Route = RouteDecide
			out.Delegation = d.Name
		} else {
			out.Route = RoutePropose
			out.Reasons = []Reason{why}
		}
	}
	return out, routed{c: c, stops: stops, sample: out.Sample}
}

// sameStops reports whether c and d give every case the same stop
// reasons: stops reads of the configuration only what this compares.
func (c *Config) sameStops(d *Config) bool {
	return c == d || (c.spec.IncomeTolerance == d.spec.IncomeTolerance && c.spec.BankLimit == d.spec.BankLimit &&
		c.spec.ResidenceByPopulationRegister == d.spec.ResidenceByPopulationRegister &&
		slices.Equal(c.registers, d.registers) && slices.Equal(c.spec.Rules, d.spec.Rules))
}

// outcomeOf is the decision the calculation leads to: its aid granted,
// by the one rule of skalig.OutcomeFor.
func outcomeOf(calc *Calculation) skalig.Outcome {
	return skalig.OutcomeFor(calc.Aid, calc.Aid, calc.Reduced)
}
