package skalig

import (
	"fmt"
	"slices"
	"time"
)

// CaseState is where a case is in the flow of design.md. The states and the
// transitions between them are one table, caseTransitions; Case.Transition is
// the only function that changes a state, and every change is audited by the
// store that persists it.
type CaseState string

// Case states.
const (
	// StateSubmitted: the application is stored; nothing has run yet.
	StateSubmitted CaseState = "submitted"
	// StateFetching: register data is being fetched, source by source.
	StateFetching CaseState = "fetching"
	// StateCalculated: the entitlement is calculated on declared and register
	// facts; routing comes next.
	StateCalculated CaseState = "calculated"
	// StateAutoDecided: routing found that the automated decision function may
	// decide under the municipality's delegation; the decision is being made.
	StateAutoDecided CaseState = "auto_decided"
	// StateAwaitingCaseworker: a person must act; RoutingReasons say why.
	StateAwaitingCaseworker CaseState = "awaiting_caseworker"
	// StateAwaitingApplicant: the applicant has been asked to complete the
	// application (komplettering).
	StateAwaitingApplicant CaseState = "awaiting_applicant"
	// StateSampled: drawn for random sample control (stickprov); waits for
	// the applicant's documents before a decision.
	StateSampled CaseState = "sampled"
	// StateDecided: a decision with its receipt is recorded.
	StateDecided CaseState = "decided"
	// StateNotified: the applicant has been told (letter, Mina sidor).
	StateNotified CaseState = "notified"
	// StatePaid: the bank reports the approved amount paid out
	// (internal/payments); until then the case stays notified.
	StatePaid CaseState = "paid"
	// StateClosed: nothing more happens in the case.
	StateClosed CaseState = "closed"
	// StateWithdrawn: the applicant withdrew the application before a decision.
	StateWithdrawn CaseState = "withdrawn"
)

// CaseStates lists every state in the order of the flow.
var CaseStates = []CaseState{
	StateSubmitted, StateFetching, StateCalculated, StateAutoDecided,
	StateAwaitingCaseworker, StateAwaitingApplicant, StateSampled,
	StateDecided, StateNotified, StatePaid, StateClosed, StateWithdrawn,
}

// caseTransitions is the table of legal transitions: from a state, the states
// a case may go to next. Read it as the specification of the flow:
//
//	submitted           → fetching; awaiting_caseworker (stopped before any
//	                      fetch, e.g. an application the robot cannot read);
//	                      withdrawn
//	fetching            → calculated; awaiting_caseworker (a register source
//	                      failed for good: fail safe to a human); withdrawn
//	calculated          → auto_decided | awaiting_caseworker |
//	                      awaiting_applicant | sampled (routing); withdrawn
//	auto_decided        → decided; awaiting_caseworker (the decision step
//	                      found the delegation does not cover the case after
//	                      all); withdrawn
//	awaiting_caseworker → decided; awaiting_applicant (komplettering);
//	                      fetching (new facts: fetch and calculate again);
//	                      withdrawn; notified (a payment the bank rejected
//	                      is ordered again: the decision stands)
//	awaiting_applicant  → fetching (the applicant completed: run again);
//	                      awaiting_caseworker (no answer in time, or the
//	                      answer needs a person); withdrawn
//	sampled             → awaiting_caseworker (documents in: a person checks
//	                      them); decided; withdrawn
//	decided             → notified
//	notified            → paid (the bank reports the payment executed);
//	                      closed (nothing to pay); awaiting_caseworker (the
//	                      bank rejected the payment: a person acts)
//	paid                → closed
//	closed, withdrawn   → (final)
//
// A case can be withdrawn until it is decided, never after: a decision stands
// and is changed only by appeal or a new decision. A decided case back with
// a person (the bank rejected its payment) can only go on to notified, when
// the payment is ordered again; an undecided one never goes there. Only a person or the
// automated function under a delegation decides, so decided is reached from
// auto_decided, awaiting_caseworker and sampled only.
var caseTransitions = map[CaseState][]CaseState{
	StateSubmitted:          {StateFetching, StateAwaitingCaseworker, StateWithdrawn},
	StateFetching:           {StateCalculated, StateAwaitingCaseworker, StateWithdrawn},
	StateCalculated:         {StateAutoDecided, StateAwaitingCaseworker, StateAwaitingApplicant, StateSampled, StateWithdrawn},
	StateAutoDecided:        {StateDecided, StateAwaitingCaseworker, StateWithdrawn},
	StateAwaitingCaseworker: {StateDecided, StateAwaitingApplicant, StateFetching, StateWithdrawn, StateNotified},
	StateAwaitingApplicant:  {StateFetching, StateAwaitingCaseworker, StateWithdrawn},
	StateSampled:            {StateAwaitingCaseworker, StateDecided, StateWithdrawn},
	StateDecided:            {StateNotified},
	StateNotified:           {StatePaid, StateClosed, StateAwaitingCaseworker},
	StatePaid:               {StateClosed},
	StateClosed:             nil,
	StateWithdrawn:          nil,
}

// swedishStates is the Swedish catalog of the states' and the routes'
// names (locales/states.sv.json): "state.<code>", "route.<code>".
var swedishStates = swedishCatalog("states")

// Valid reports whether s is one of CaseStates.
func (s CaseState) Valid() bool {
	_, ok := caseTransitions[s]
	return ok
}

// Swedish names the state for a reader, in lower case: "väntar på handläggare".
// The name's message id is StateTextID.
func (s CaseState) Swedish() string {
	if n, ok := swedishStates[s.TextID()]; ok {
		return n
	}
	return string(s)
}

// TextID is the message id of the state's name in the catalogs
// (locales/states.LANG.json), for a page in the reader's language.
func (s CaseState) TextID() string { return "state." + string(s) }

// RouteSwedish names a route (internal/routing's Route: "decide",
// "propose", "exception", "sample") in Swedish for a reader; its message
// id is "route.<route>" in locales/states.LANG.json.
func RouteSwedish(route string) string {
	if n, ok := swedishStates["route."+route]; ok {
		return n
	}
	return route
}

// Next returns the states a case in s may go to, in table order.
func (s CaseState) Next() []CaseState { return slices.Clone(caseTransitions[s]) }

// CanTransition reports whether the table allows s → to.
func (s CaseState) CanTransition(to CaseState) bool {
	return slices.Contains(caseTransitions[s], to)
}

// Final reports whether nothing more can happen in a case in s.
func (s CaseState) Final() bool { return s.Valid() && len(caseTransitions[s]) == 0 }

// needsReason reports whether entering s requires a reason: every stop for a
// person, every sample and every withdrawal must say why.
func (s CaseState) needsReason() bool {
	switch s {
	case StateAwaitingCaseworker, StateAwaitingApplicant, StateSampled, StateWithdrawn:
		return true
	}
	return false
}

// Case is one application's way through the flow, for one household and one
// month. The store persists it; Version is its optimistic lock: a store
// updates a case only if its version is still the one read, and increments it.
type Case struct {
	ID string
	// Number is the case number people read and quote: the year the
	// application was received, the kommunkod and a sequence per
	// municipality and year, "2026-0821-000123" (see NewCaseNumber). ID
	// stays the internal reference.
	Number        string
	ApplicationID string
	Municipality  string // kommunkod, four digits: "0821"
	Month         Month  // the month applied for
	Kind          ApplicationKind
	State         CaseState

	CreatedAt time.Time // when the application was received
	UpdatedAt time.Time // the last transition
	DecidedAt time.Time // when the case entered decided; zero before
	ClosedAt  time.Time // when the case became closed or withdrawn; zero before

	// RoutingReasons are the stable codes (or, until routing has codes, the
	// texts) of why the robot stopped: the reasons given on entering
	// awaiting_caseworker, awaiting_applicant or sampled since the case last
	// went to fetching.
	RoutingReasons []string

	Version int
}

// Transition moves c to state to at time at, for reason. It is the only way a
// case changes state. It refuses a transition that the table does not allow
// with ECONFLICT, and an unknown state or a missing reason (required when the
// case stops for a person or a sample, or is withdrawn) with EINVALID. It does
// not touch Version: the store checks and increments it when it writes c.
//
// Entering a stop state appends reason to RoutingReasons; going back to
// fetching clears them, since the case is then assessed afresh.
func (c *Case) Transition(to CaseState, at time.Time, reason string) error {
	if !to.Valid() {
		return &Error{Code: EINVALID, Message: "Okänd ärendestatus.", Fields: []FieldError{{Field: "state", Message: "Okänd ärendestatus."}}}
	}
	if at.IsZero() {
		return Errorf(EINVALID, "Tidpunkt saknas för statusbytet.")
	}
	if !c.State.CanTransition(to) {
		return Errorf(ECONFLICT, "Ärendet kan inte gå från %s till %s.", c.State.Swedish(), to.Swedish())
	}
	if !c.DecidedAt.IsZero() && c.State == StateAwaitingCaseworker && to != StateNotified {
		// Back with a person after the bank rejected the payment: the
		// decision stands; the payment is ordered again (notified).
		return Errorf(ECONFLICT, "Ärendet är redan beslutat; det kan bara gå vidare till en ny utbetalning.")
	}
	if c.DecidedAt.IsZero() && c.State == StateAwaitingCaseworker && to == StateNotified {
		return Errorf(ECONFLICT, "Ärendet kan inte gå från %s till %s utan beslut.", c.State.Swedish(), to.Swedish())
	}
	if to.needsReason() && reason == "" {
		return &Error{Code: EINVALID, Message: "Ange ett skäl.", Fields: []FieldError{{Field: "reason", Message: "Ange varför ärendet blir " + to.Swedish() + "."}}}
	}
	switch to {
	case StateFetching:
		c.RoutingReasons = nil
	case StateAwaitingCaseworker, StateAwaitingApplicant, StateSampled:
		if !slices.Contains(c.RoutingReasons, reason) {
			c.RoutingReasons = append(c.RoutingReasons, reason)
		}
	case StateDecided:
		c.DecidedAt = at
	case StateClosed, StateWithdrawn:
		c.ClosedAt = at
	}
	c.State = to
	c.UpdatedAt = at
	return nil
}

// NewCaseNumber is case number seq of municipality in year:
// "2026-0821-000123".
func NewCaseNumber(year int, municipality string, seq int64) string {
	return fmt.Sprintf("%04d-%s-%06d", year, municipality, seq)
}

// LooksLikeCaseNumber reports whether s has the form of a case number
// (NewCaseNumber), so that a search can tell it from a name or an id.
func LooksLikeCaseNumber(s string) bool {
	if len(s) < 16 || s[4] != '-' || s[9] != '-' {
		return false
	}
	for i, r := range s {
		if i != 4 && i != 9 && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
