// Package stats computes the follow-up figures of a municipality's month
// (applications, decisions by route and outcome, time to decision, stop
// reasons, sample controls, amounts) broken down by household type, the
// bias watch over those groups, and the board's report of delegated
// decisions (kommunallagen 6 kap. 40 §).
//
// It is pure computation over the rows the store gives it (Row): no
// database, no clock. Every figure is computed here, once, so that the
// command line, the API and any page show the same numbers.
// docs/statistics.md explains each figure and the bias rule.
package stats

import (
	"context"
	"slices"
	"sort"
	"time"

	"skalig"
)

// Group is a household type of the breakdown. The four composition groups
// (single, couple, children, large) divide the cases between them; first
// cuts across them (first applications of any composition).
type Group string

// Groups.
const (
	// GroupSingle: one adult, no children (ensamstående utan barn).
	GroupSingle Group = "single"
	// GroupCouple: two adults (applicant and partner), no children
	// (sammanboende utan barn).
	GroupCouple Group = "couple"
	// GroupChildren: one or two children, with one or two adults
	// (barnfamilj).
	GroupChildren Group = "children"
	// GroupLarge: three or more children (flerbarnshushåll).
	GroupLarge Group = "large"
	// GroupFirst: a first application (grundansökan), any composition.
	GroupFirst Group = "first"
)

// Groups lists the groups in the order they are shown.
var Groups = []Group{GroupSingle, GroupCouple, GroupChildren, GroupLarge, GroupFirst}

var groupSwedish = map[Group]string{
	GroupSingle:   "ensamstående utan barn",
	GroupCouple:   "sammanboende utan barn",
	GroupChildren: "hushåll med 1–2 barn",
	GroupLarge:    "hushåll med 3 eller fler barn",
	GroupFirst:    "grundansökan",
}

// Swedish names the group for a reader.
func (g Group) Swedish() string { return groupSwedish[g] }

var groupShort = map[Group]string{
	GroupSingle: "Ensamst.", GroupCouple: "Sambor", GroupChildren: "1–2 barn", GroupLarge: "3+ barn", GroupFirst: "Grundans.",
}

// Short is the group's column heading in a table: "1–2 barn".
func (g Group) Short() string { return groupShort[g] }

// Route is how a decided case was decided.
type Route string

// Routes of a decision.
const (
	// RouteAutomated: the automated decision function decided under a
	// delegation.
	RouteAutomated Route = "automated"
	// RouteProposal: Skälig proposed the decision (no delegation covered
	// the case, or a caseworker had adjusted it) and a person decided.
	RouteProposal Route = "proposal"
	// RoutePerson: the robot stopped (an exception or a sample control)
	// and a person assessed and decided the case.
	RoutePerson Route = "person"
)

// Routes lists the routes in the order they are shown.
var Routes = []Route{RouteAutomated, RouteProposal, RoutePerson}

// Swedish names the route for a reader.
func (r Route) Swedish() string {
	switch r {
	case RouteAutomated:
		return "automatiserat beslut"
	case RouteProposal:
		return "beslutsförslag som handläggare beslutat"
	case RoutePerson:
		return "beslutat av handläggare"
	}
	return string(r)
}

// Outcomes lists the outcomes in the order they are shown.
var Outcomes = []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected}

// Row is Count cases that are alike in everything the figures look at,
// as the store gives them (grouped, so that a month of 100 000 cases is a
// few hundred rows). It carries no personal data: households are counted,
// not named.
type Row struct {
	// Count is the number of cases (at least 1).
	Count    int
	Kind     skalig.ApplicationKind
	Adults   int // applicant and partner
	Children int
	State    skalig.CaseState
	// Reasons are the routing reason codes on the cases (skalig.Case.
	// RoutingReasons): why their latest assessment stopped, and casework
	// codes added since.
	Reasons []string

	// Decided is true when the cases have a decision, with Outcome, and
	// Delegation for an automated one ("" for a person's).
	Decided    bool
	Outcome    skalig.Outcome
	Delegation string
	// Granted sums the amounts decided: of the decision in force, a
	// changed one's new amount (Outcome is its outcome too).
	Granted skalig.Money
	// Changes counts the changes of the cases' decisions (omprövning,
	// appeal, the decider's own initiative).
	Changes int
	// ToDecision holds, for each decided case, the time from submission
	// to decision.
	ToDecision []time.Duration

	// Payments is the number of live payment orders (held, ordered, in a
	// run or executed; an order the bank rejected is not counted, so a
	// payment rejected and ordered again counts once), Paid their sum.
	// Executed of them the bank has reported paid out, ExecutedPaid their
	// sum.
	Payments     int
	Paid         skalig.Money
	Executed     int
	ExecutedPaid skalig.Money

	// SampleResult is the recorded result of the cases' sample controls
	// (nil if none), with its amounts summed.
	SampleResult *SampleResult
}

// SampleResult is the result of sample controls as recorded: confirmed or
// not, and the amounts declared and verified (summed over a Row).
type SampleResult struct {
	Confirmed          bool
	Declared, Verified skalig.Money
}

// Group returns the composition group of the household: large (3+
// children), children (1-2), couple (2 adults) or single.
func (c *Row) Group() Group {
	switch {
	case c.Children >= 3:
		return GroupLarge
	case c.Children > 0:
		return GroupChildren
	case c.Adults >= 2:
		return GroupCouple
	}
	return GroupSingle
}

// In reports whether the case belongs to group g.
func (c *Row) In(g Group) bool {
	if g == GroupFirst {
		return c.Kind == skalig.FirstApplication
	}
	return c.Group() == g
}

// Sampled reports whether the case was drawn for sample control: its
// reasons say so, or a result is recorded.
func (c *Row) Sampled() bool {
	return c.SampleResult != nil || slices.Contains(c.Reasons, skalig.ReasonSample)
}

// Route returns how a decided case was decided ("" when not decided): by
// the automated function; on a proposal (none of its reasons stops the
// robot, skalig.ReasonStops: they are a proposal's, casework's,
// kommunicering's or the applicant's requests); else by a person after an
// exception or a sample control.
func (c *Row) Route() Route {
	if !c.Decided {
		return ""
	}
	if c.Delegation != "" {
		return RouteAutomated
	}
	for _, r := range c.Reasons {
		if skalig.ReasonStops(r) {
			return RoutePerson
		}
	}
	return RouteProposal
}

// ToPerson reports whether the case was routed and went to a person: it
// was decided by a person, or waits for one (with the caseworker, the
// applicant's completion or a sample control). Routed reports whether it
// was routed at all (decided, or in one of those states).
func (c *Row) ToPerson() bool {
	if c.Decided {
		return c.Delegation == ""
	}
	switch c.State {
	case skalig.StateAwaitingCaseworker, skalig.StateAwaitingApplicant, skalig.StateSampled:
		return true
	}
	return false
}

// Routed reports whether routing has placed the case: decided, on its way
// to an automated decision, or with a person.
func (c *Row) Routed() bool {
	return c.Decided || c.State == skalig.StateAutoDecided || c.ToPerson()
}

// Counts are the figures of a set of cases.
type Counts struct {
	// Applications is the number of cases (one per application).
	Applications int
	First        int
	Monthly      int
	// Withdrawn were withdrawn by the applicant before a decision; Open
	// have neither a decision nor been withdrawn.
	Withdrawn int
	Open      int
	// Routed have been routed (decided, or waiting for a person);
	// ToPerson of them went to a person.
	Routed   int
	ToPerson int
	// Decided is the number of decisions, by route and outcome.
	Decided   int
	ByRoute   map[Route]RouteCounts
	ByOutcome OutcomeCounts
	// ToDecision is the time from submission to decision.
	ToDecision Durations
	// Granted is the sum of the amounts decided; Paid the sum ordered
	// paid, in Payments live payment orders; ExecutedPaid the sum the bank
	// has paid out, in Executed of them.
	Granted      skalig.Money
	Paid         skalig.Money
	Payments     int
	Executed     int
	ExecutedPaid skalig.Money
	// Changes is the number of decision changes (a decision is counted
	// with the outcome and amount in force).
	Changes int
}

// RouteCounts are the decisions of one route, by outcome.
type RouteCounts struct {
	Decided int
	OutcomeCounts
}

// OutcomeCounts count decisions by outcome.
type OutcomeCounts struct {
	Approved       int
	PartlyApproved int
	Rejected       int
}

// Of returns the count of outcome o.
func (o OutcomeCounts) Of(x skalig.Outcome) int {
	switch x {
	case skalig.OutcomeApproved:
		return o.Approved
	case skalig.OutcomePartlyApproved:
		return o.PartlyApproved
	case skalig.OutcomeRejected:
		return o.Rejected
	}
	return 0
}

func (o *OutcomeCounts) add(x skalig.Outcome, n int) {
	switch x {
	case skalig.OutcomeApproved:
		o.Approved += n
	case skalig.OutcomePartlyApproved:
		o.PartlyApproved += n
	case skalig.OutcomeRejected:
		o.Rejected += n
	}
}

// Durations summarise times from submission to decision.
type Durations struct {
	Count int
	// Median is the middle value (the mean of the two middle values for
	// an even count); P90 the 90th percentile by nearest rank: the
	// smallest value that at least 90 % of the cases reach. Both zero
	// when Count is 0.
	Median time.Duration
	P90    time.Duration
}

// Summarise returns the median and the 90th percentile of ds (which it
// sorts).
func Summarise(ds []time.Duration) Durations {
	out := Durations{Count: len(ds)}
	if len(ds) == 0 {
		return out
	}
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		out.Median = ds[n/2]
	} else {
		out.Median = (ds[n/2-1] + ds[n/2]) / 2
	}
	out.P90 = ds[nearestRank(90, n)-1]
	return out
}

// nearestRank is the 1-based rank of the p-th percentile of n values:
// ceil(p·n/100), at least 1.
func nearestRank(p, n int) int {
	r := (p*n + 99) / 100
	return max(r, 1)
}

// count adds up rows into Counts.
func count(rows []*Row) Counts {
	out := Counts{ByRoute: map[Route]RouteCounts{}}
	for _, r := range Routes {
		out.ByRoute[r] = RouteCounts{}
	}
	var ds []time.Duration
	for _, c := range rows {
		n := c.Count
		out.Applications += n
		if c.Kind == skalig.FirstApplication {
			out.First += n
		} else {
			out.Monthly += n
		}
		switch {
		case c.Decided:
		case c.State == skalig.StateWithdrawn:
			out.Withdrawn += n
		default:
			out.Open += n
		}
		if c.Routed() {
			out.Routed += n
			if c.ToPerson() {
				out.ToPerson += n
			}
		}
		out.Paid += c.Paid
		out.Payments += c.Payments
		out.Executed += c.Executed
		out.ExecutedPaid += c.ExecutedPaid
		if !c.Decided {
			continue
		}
		out.Decided += n
		out.Changes += c.Changes
		rc := out.ByRoute[c.Route()]
		rc.Decided += n
		rc.add(c.Outcome, n)
		out.ByRoute[c.Route()] = rc
		out.ByOutcome.add(c.Outcome, n)
		out.Granted += c.Granted
		for _, d := range c.ToDecision {
			ds = append(ds, max(d, 0))
		}
	}
	out.ToDecision = Summarise(ds)
	return out
}

// ReasonCount is how many cases carry a routing reason code.
type ReasonCount struct {
	Code  string
	Cases int
}

// reasonCounts counts each code once per case, most frequent first (then by
// code).
func reasonCounts(rows []*Row) []ReasonCount {
	m := map[string]int{}
	for _, c := range rows {
		for i, r := range c.Reasons {
			if r != "" && !slices.Contains(c.Reasons[:i], r) {
				m[r] += c.Count
			}
		}
	}
	out := make([]ReasonCount, 0, len(m))
	for code, n := range m {
		out = append(out, ReasonCount{Code: code, Cases: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Cases != out[j].Cases {
			return out[i].Cases > out[j].Cases
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// Samples are the sample controls of a set of cases.
type Samples struct {
	// Drawn were drawn for sample control; Recorded of them have a
	// result: Confirmed (the documents confirmed what was declared) or
	// Discrepancies.
	Drawn         int
	Recorded      int
	Confirmed     int
	Discrepancies int
	// Declared and Verified sum the amounts of the results with a
	// discrepancy: what the applicant declared and what the documents
	// showed.
	Declared skalig.Money
	Verified skalig.Money
}

func samples(rows []*Row) Samples {
	var out Samples
	for _, c := range rows {
		if !c.Sampled() {
			continue
		}
		out.Drawn += c.Count
		r := c.SampleResult
		if r == nil {
			continue
		}
		out.Recorded += c.Count
		if r.Confirmed {
			out.Confirmed += c.Count
			continue
		}
		out.Discrepancies += c.Count
		out.Declared += r.Declared
		out.Verified += r.Verified
	}
	return out
}

// GroupFigures are the figures of one household group.
type GroupFigures struct {
	Group  Group
	Counts Counts
}

// Figures are the follow-up figures of one municipality and month: the
// cases of applications for that month, whenever they were decided.
type Figures struct {
	Municipality string
	Month        skalig.Month
	Total        Counts
	Groups       []GroupFigures // in the order of Groups
	Reasons      []ReasonCount
	Samples      Samples
	Bias         []BiasCheck
}

// Month computes the figures of municipality mun for month m from the rows
// of its cases. A month without cases is ENOTFOUND naming the field month: there
// is nothing to show, and a zero table would read as a month without
// applications that were lost.
func Month(mun string, m skalig.Month, cases []*Row) (*Figures, error) {
	if len(cases) == 0 {
		return nil, &skalig.Error{Code: skalig.ENOTFOUND, Message: "Det finns inga ansökningar för månaden.",
			Fields: []skalig.FieldError{{Field: "month", Message: "Kommun " + mun + " har inga ansökningar för " + m.String() + "."}}}
	}
	f := &Figures{Municipality: mun, Month: m, Total: count(cases), Reasons: reasonCounts(cases), Samples: samples(cases)}
	for _, g := range Groups {
		f.Groups = append(f.Groups, GroupFigures{Group: g, Counts: count(filter(cases, g))})
	}
	f.Bias = Watch(cases)
	return f, nil
}

func filter(cases []*Row, g Group) []*Row {
	var out []*Row
	for _, c := range cases {
		if c.In(g) {
			out = append(out, c)
		}
	}
	return out
}

// ParseMonth reads a month given as YYYY-MM in the input field field, or
// returns EINVALID naming it.
func ParseMonth(field, s string) (skalig.Month, error) {
	m, ok := skalig.ParseMonth(s)
	if !ok {
		msg := "Ange månaden som ÅÅÅÅ-MM, till exempel 2026-11."
		if s == "" {
			msg = "Ange månaden (ÅÅÅÅ-MM)."
		}
		return 0, &skalig.Error{Code: skalig.EINVALID, Message: "Månaden är inte giltig.",
			Fields: []skalig.FieldError{{Field: field, Message: msg}}}
	}
	return m, nil
}

// ParseMunicipality checks a kommunkod given in field field (four digits,
// county 01-25), or returns EINVALID naming it.
func ParseMunicipality(field, s string) (string, error) {
	ok := len(s) == 4
	for i := 0; ok && i < 4; i++ {
		ok = s[i] >= '0' && s[i] <= '9'
	}
	if ok {
		county := int(s[0]-'0')*10 + int(s[1]-'0')
		ok = county >= 1 && county <= 25
	}
	if !ok {
		return "", &skalig.Error{Code: skalig.EINVALID, Message: "Kommunkoden är inte giltig.",
			Fields: []skalig.FieldError{{Field: field, Message: "Ange kommunkoden med fyra siffror, till exempel 0821."}}}
	}
	return s, nil
}

// Source reads the cases the figures are made of (internal/store's
// StatsStore implements it).
type Source interface {
	// MonthCases returns a row per case of municipality mun applied for
	// month m.
	MonthCases(ctx context.Context, mun string, m skalig.Month) ([]*Row, error)
}
