// Package whatif tries a candidate change of the rules (a parameter table,
// a municipality's guidelines, a routing configuration or the engine) over
// past decisions before it goes live: each decision's receipt is
// recalculated and re-routed with the candidate, with the same functions
// the workflow decides with (calc.BuildInput through
// calc.CalculateWith, calc.RouteCalculation), and compared with what
// was decided: the amount up, down or unchanged, the route, the stop
// reasons; per case, in total and by household type. A run only reads the
// store; its result is kept, with an audit event, in whatif_runs.
//
// docs/whatif.md describes the comparison, its limits and the benchmark.
package whatif

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"skalig"
	"skalig/internal/routing"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// Household types of the breakdown. A case is of exactly one of single,
// couple, with_children and large; first_application counts first
// applications across them.
const (
	Single           = "single"
	Couple           = "couple"
	WithChildren     = "with_children"
	Large            = "large"
	FirstApplication = "first_application"
)

// HouseholdTypes are the household types in the order of a breakdown.
var HouseholdTypes = []string{Single, Couple, WithChildren, Large, FirstApplication}

// LargeHousehold is the number of persons from which a household is large.
const LargeHousehold = 5

// HouseholdSwedish names a household type for a reader.
func HouseholdSwedish(t string) string {
	switch t {
	case Single:
		return "ensamstående utan barn"
	case Couple:
		return "sammanboende utan barn"
	case WithChildren:
		return "med barn"
	case Large:
		return fmt.Sprintf("stora hushåll (%d+ personer)", LargeHousehold)
	case FirstApplication:
		return "förstagångsansökan"
	}
	return t
}

// householdType is the composition type of members.
func householdType(members []skalig.Member) string {
	adults, children := 0, 0
	for _, m := range members {
		if m.Role == skalig.RoleChild {
			children++
		} else {
			adults++
		}
	}
	switch {
	case len(members) >= LargeHousehold:
		return Large
	case children > 0:
		return WithChildren
	case adults >= 2:
		return Couple
	}
	return Single
}

// Selection is the past decisions a run covers.
type Selection struct {
	From         string `json:"from,omitempty"` // first month, "YYYY-MM"; "": open
	To           string `json:"to,omitempty"`   // last month, "YYYY-MM"; "": open
	Municipality string `json:"municipality,omitempty"`
	// HouseholdTypes keeps only cases of these types (see HouseholdTypes;
	// first_application selects first applications); empty: all.
	HouseholdTypes []string `json:"household_types,omitempty"`
	// Outcomes keeps only decisions with these outcomes; empty: all.
	Outcomes []skalig.Outcome `json:"outcomes,omitempty"`
}

// Validate checks s and returns EINVALID with Swedish per-field messages.
func (s Selection) Validate() error {
	var fe []skalig.FieldError
	from, to, ok := s.months()
	if !ok {
		fe = append(fe, skalig.FieldError{Field: "from", Message: "Ange från- och till-månad som ÅÅÅÅ-MM."})
	} else if from != 0 && to != 0 && to < from {
		fe = append(fe, skalig.FieldError{Field: "to", Message: "Till-månaden ska vara samma som eller efter från-månaden."})
	}
	if s.Municipality != "" && (len(s.Municipality) != 4 || strings.Trim(s.Municipality, "0123456789") != "") {
		fe = append(fe, skalig.FieldError{Field: "municipality", Message: "Ange kommunkoden med fyra siffror, till exempel 0821."})
	}
	for _, t := range s.HouseholdTypes {
		if !slices.Contains(HouseholdTypes, t) {
			fe = append(fe, skalig.FieldError{Field: "household_types", Message: "Okänd hushållstyp " + t + ": välj bland " + strings.Join(HouseholdTypes, ", ") + "."})
		}
	}
	for _, o := range s.Outcomes {
		if !o.Valid() {
			fe = append(fe, skalig.FieldError{Field: "outcomes", Message: "Okänt utfall " + string(o) + ": välj approved, partly_approved eller rejected."})
		}
	}
	if len(fe) > 0 {
		return &skalig.Error{Code: skalig.EINVALID, Message: "Urvalet är inte giltigt.", Fields: fe}
	}
	return nil
}

// months returns From and To parsed (0: open).
func (s Selection) months() (from, to skalig.Month, ok bool) {
	ok = true
	if s.From != "" {
		from, ok = skalig.ParseMonth(s.From)
	}
	if s.To != "" && ok {
		to, ok = skalig.ParseMonth(s.To)
	}
	return from, to, ok
}

// keeps reports whether the case of type ht (first: a first application)
// with outcome o is in s.
func (s Selection) keeps(ht string, first bool, o skalig.Outcome) bool {
	if len(s.Outcomes) > 0 && !slices.Contains(s.Outcomes, o) {
		return false
	}
	if len(s.HouseholdTypes) == 0 {
		return true
	}
	return slices.Contains(s.HouseholdTypes, ht) || (first && slices.Contains(s.HouseholdTypes, FirstApplication))
}

// Direction is how the amount changes.
type Direction string

// Directions.
const (
	Up        Direction = "up"
	Down      Direction = "down"
	Unchanged Direction = "unchanged"
)

// Change is one case whose outcome the candidate changes.
type Change struct {
	CaseID     string `json:"case_id"`
	DecisionID string `json:"decision_id"`
	Month      string `json:"month"`
	Household  string `json:"household"`
	First      bool   `json:"first_application,omitempty"`
	// DecidedAmount is the amount granted; DecidedAid the aid calculated
	// when it was decided (the receipt's); CandidateAid the aid calculated
	// with the candidate; Difference = CandidateAid - DecidedAid.
	DecidedAmount skalig.Money `json:"decided_amount"`
	DecidedAid    skalig.Money `json:"decided_aid"`
	CandidateAid  skalig.Money `json:"candidate_aid"`
	Difference    skalig.Money `json:"difference"`
	Direction     Direction    `json:"direction"`
	// Route and Outcome as routing gives them with the live configuration
	// and with the candidate.
	Route            routing.Route  `json:"route"`
	CandidateRoute   routing.Route  `json:"candidate_route"`
	Outcome          skalig.Outcome `json:"outcome"`
	CandidateOutcome skalig.Outcome `json:"candidate_outcome"`
	NewReasons       []string       `json:"new_reasons,omitempty"`
	VanishedReasons  []string       `json:"vanished_reasons,omitempty"`
	// Error says why the case could not be recalculated with the
	// candidate (it then goes to a person).
	Error string `json:"error,omitempty"`
	// Reason is a short Swedish summary.
	Reason string `json:"reason"`
}

// Totals count a set of cases.
type Totals struct {
	Cases          int          `json:"cases"`
	Changed        int          `json:"changed"`
	Up             int          `json:"up"`
	Down           int          `json:"down"`
	Unchanged      int          `json:"unchanged"`
	Increase       skalig.Money `json:"increase"` // the sum of the increases
	Decrease       skalig.Money `json:"decrease"` // the sum of the decreases (positive)
	Net            skalig.Money `json:"net"`      // Increase - Decrease
	DecidedAid     skalig.Money `json:"decided_aid"`
	CandidateAid   skalig.Money `json:"candidate_aid"`
	RouteChanged   int          `json:"route_changed"`
	OutcomeChanged int          `json:"outcome_changed"`
	Errors         int          `json:"errors"`
	// Routes counts the route changes, "decide→propose"; NewReasons and
	// VanishedReasons the cases by reason code.
	Routes          map[string]int `json:"routes,omitempty"`
	NewReasons      map[string]int `json:"new_reasons,omitempty"`
	VanishedReasons map[string]int `json:"vanished_reasons,omitempty"`
}

func (t *Totals) add(c *Change) {
	t.Cases++
	t.DecidedAid += c.DecidedAid
	t.CandidateAid += c.CandidateAid
	switch c.Direction {
	case Up:
		t.Up++
		t.Increase += c.Difference
	case Down:
		t.Down++
		t.Decrease -= c.Difference
	default:
		t.Unchanged++
	}
	t.Net = t.Increase - t.Decrease
	if !c.changed() {
		return
	}
	t.Changed++
	if c.Error != "" {
		t.Errors++
	}
	if c.Route != c.CandidateRoute {
		t.RouteChanged++
		inc(&t.Routes, string(c.Route)+"→"+string(c.CandidateRoute), 1)
	}
	if c.Outcome != c.CandidateOutcome {
		t.OutcomeChanged++
	}
	for _, r := range c.NewReasons {
		inc(&t.NewReasons, r, 1)
	}
	for _, r := range c.VanishedReasons {
		inc(&t.VanishedReasons, r, 1)
	}
}

func (t *Totals) merge(o *Totals) {
	t.Cases += o.Cases
	t.Changed += o.Changed
	t.Up += o.Up
	t.Down += o.Down
	t.Unchanged += o.Unchanged
	t.Increase += o.Increase
	t.Decrease += o.Decrease
	t.Net = t.Increase - t.Decrease
	t.DecidedAid += o.DecidedAid
	t.CandidateAid += o.CandidateAid
	t.RouteChanged += o.RouteChanged
	t.OutcomeChanged += o.OutcomeChanged
	t.Errors += o.Errors
	for k, n := range o.Routes {
		inc(&t.Routes, k, n)
	}
	for k, n := range o.NewReasons {
		inc(&t.NewReasons, k, n)
	}
	for k, n := range o.VanishedReasons {
		inc(&t.VanishedReasons, k, n)
	}
}

func inc(m *map[string]int, k string, n int) {
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[k] += n
}

// changed reports whether c differs from what was decided.
func (c *Change) changed() bool {
	return c.Difference != 0 || c.Route != c.CandidateRoute || c.Outcome != c.CandidateOutcome ||
		len(c.NewReasons) > 0 || len(c.VanishedReasons) > 0 || c.Error != ""
}

// Group is the totals of one household type.
type Group struct {
	Type    string `json:"type"`
	Swedish string `json:"swedish"`
	Totals
}

// Result is a what-if run and what it found.
type Result struct {
	ID            string    `json:"id,omitempty"` // set when saved
	Actor         string    `json:"actor"`
	Candidate     Info      `json:"candidate"`
	Selection     Selection `json:"selection"`
	EngineVersion string    `json:"engine_version"`
	Totals        Totals    `json:"totals"`
	ByHousehold   []Group   `json:"by_household"`
	// Changes are the changed cases in case id order, at most
	// Options.MaxChanges of them (Truncated: there were more).
	Changes   []Change  `json:"changes"`
	Truncated bool      `json:"truncated,omitempty"`
	StartedAt time.Time `json:"started_at"`
	Finished  time.Time `json:"finished_at"`
	// DecisionsPerSecond is the speed of the run.
	DecisionsPerSecond float64 `json:"decisions_per_second"`
	// Mode is "replay" or, for a shadow run beside the live configuration
	// on the decisions from ShadowFrom until ShadowUntil, "shadow".
	Mode        string     `json:"mode,omitempty"`
	ShadowFrom  *time.Time `json:"shadow_from,omitempty"`
	ShadowUntil *time.Time `json:"shadow_until,omitempty"`
	// Progress is how far a kept run has come; the totals and changes are
	// those so far until its status is done.
	Progress Progress `json:"progress"`

	// candidate is the candidate's file as given: kept with the run, so
	// that Compare can recalculate one case with it later.
	candidate []byte
}

// Info names a candidate.
type Info struct {
	Kind   Kind   `json:"kind"`
	Name   string `json:"name"`
	Digest string `json:"digest"`
}

// reason is the short Swedish summary of c.
func reason(c *Change) string {
	var parts []string
	if c.Error != "" {
		parts = append(parts, c.Error)
	}
	if c.Difference != 0 {
		sign := "+"
		if c.Difference < 0 {
			sign = "−"
		}
		d := c.Difference
		if d < 0 {
			d = -d
		}
		parts = append(parts, fmt.Sprintf("belopp %s%s (%s → %s)", sign, d.Swedish(), c.DecidedAid.Swedish(), c.CandidateAid.Swedish()))
	}
	if c.Outcome != c.CandidateOutcome {
		parts = append(parts, "utfall: "+c.Outcome.Swedish()+" → "+c.CandidateOutcome.Swedish())
	}
	if c.Route != c.CandidateRoute {
		parts = append(parts, "väg: "+c.Route.Swedish()+" → "+c.CandidateRoute.Swedish())
	}
	if len(c.NewReasons) > 0 {
		parts = append(parts, "nya skäl: "+reasonLabels(c.NewReasons))
	}
	if len(c.VanishedReasons) > 0 {
		parts = append(parts, "skäl som försvinner: "+reasonLabels(c.VanishedReasons))
	}
	if len(parts) == 0 {
		return "oförändrat"
	}
	return strings.Join(parts, "; ")
}

// reasonLabels names stop reasons by their Swedish labels (the codes are
// in the change's NewReasons and VanishedReasons).
func reasonLabels(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = skalig.ReasonLabel(c)
	}
	return strings.Join(names, ", ")
}

// aggregate is the totals and changes of some cases.
type aggregate struct {
	total   Totals
	byType  map[string]*Totals
	changes []Change
}

func newAggregate() *aggregate { return &aggregate{byType: map[string]*Totals{}} }

func (a *aggregate) add(c *Change) {
	a.total.add(c)
	a.group(c.Household).add(c)
	if c.First {
		a.group(FirstApplication).add(c)
	}
	if c.changed() {
		a.changes = append(a.changes, *c)
	}
}

func (a *aggregate) group(t string) *Totals {
	g := a.byType[t]
	if g == nil {
		g = &Totals{}
		a.byType[t] = g
	}
	return g
}

// merge adds o to a, keeping at most max changes (those of the lowest
// case ids, so that the kept cases do not depend on the order of work).
func (a *aggregate) merge(o *aggregate, max int) (truncated bool) {
	a.total.merge(&o.total)
	for t, g := range o.byType {
		a.group(t).merge(g)
	}
	a.changes = append(a.changes, o.changes...)
	if len(a.changes) > 2*max {
		return a.trim(max)
	}
	return false
}

func (a *aggregate) trim(max int) bool {
	sort.Slice(a.changes, func(i, j int) bool { return a.changes[i].CaseID < a.changes[j].CaseID })
	if len(a.changes) > max {
		a.changes = a.changes[:max]
		return true
	}
	return false
}

func (a *aggregate) groups() []Group {
	out := make([]Group, 0, len(HouseholdTypes))
	for _, t := range HouseholdTypes {
		g := Group{Type: t, Swedish: HouseholdSwedish(t)}
		if x := a.byType[t]; x != nil {
			g.Totals = *x
		}
		out = append(out, g)
	}
	return out
}

func slicesSort(s []string) { sort.Strings(s) }
