package skalig

import (
	"slices"
	"testing"
	"time"
)

// legal is the flow of design.md written out once more, independently of
// caseTransitions: the test fails if either changes without the other.
var legal = map[[2]CaseState]bool{
	{StateSubmitted, StateFetching}:                   true,
	{StateSubmitted, StateAwaitingCaseworker}:         true,
	{StateSubmitted, StateWithdrawn}:                  true,
	{StateFetching, StateCalculated}:                  true,
	{StateFetching, StateAwaitingCaseworker}:          true,
	{StateFetching, StateWithdrawn}:                   true,
	{StateCalculated, StateAutoDecided}:               true,
	{StateCalculated, StateAwaitingCaseworker}:        true,
	{StateCalculated, StateAwaitingApplicant}:         true,
	{StateCalculated, StateSampled}:                   true,
	{StateCalculated, StateWithdrawn}:                 true,
	{StateAutoDecided, StateDecided}:                  true,
	{StateAutoDecided, StateAwaitingCaseworker}:       true,
	{StateAutoDecided, StateWithdrawn}:                true,
	{StateAwaitingCaseworker, StateDecided}:           true,
	{StateAwaitingCaseworker, StateAwaitingApplicant}: true,
	{StateAwaitingCaseworker, StateFetching}:          true,
	{StateAwaitingCaseworker, StateWithdrawn}:         true,
	{StateAwaitingCaseworker, StateNotified}:          true, // a rejected payment ordered again
	{StateAwaitingApplicant, StateFetching}:           true,
	{StateAwaitingApplicant, StateAwaitingCaseworker}: true,
	{StateAwaitingApplicant, StateWithdrawn}:          true,
	{StateSampled, StateAwaitingCaseworker}:           true,
	{StateSampled, StateDecided}:                      true,
	{StateSampled, StateWithdrawn}:                    true,
	{StateDecided, StateNotified}:                     true,
	{StateNotified, StatePaid}:                        true,
	{StateNotified, StateClosed}:                      true,
	{StateNotified, StateAwaitingCaseworker}:          true, // the bank rejected the payment
	{StatePaid, StateClosed}:                          true,
}

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func TestCaseStates(t *testing.T) {
	if len(CaseStates) != 12 {
		t.Errorf("len(CaseStates)=%d, want 12", len(CaseStates))
	}
	for _, s := range CaseStates {
		if !s.Valid() {
			t.Errorf("%s.Valid()=false", s)
		}
		if s.Swedish() == string(s) {
			t.Errorf("%s has no Swedish name", s)
		}
	}
	if len(caseTransitions) != len(CaseStates) {
		t.Errorf("caseTransitions has %d states, CaseStates %d", len(caseTransitions), len(CaseStates))
	}
	for _, s := range []CaseState{"", "Submitted", "approved", "decided "} {
		if s.Valid() {
			t.Errorf("%q.Valid()=true", s)
		}
	}
	for _, s := range CaseStates {
		want := s == StateClosed || s == StateWithdrawn
		if s.Final() != want {
			t.Errorf("%s.Final()=%v, want %v", s, s.Final(), want)
		}
	}
	// Every state is reachable from submitted, and closed or withdrawn is
	// reachable from every state: no dead ends.
	reach := func(from CaseState) map[CaseState]bool {
		seen := map[CaseState]bool{from: true}
		queue := []CaseState{from}
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			for _, n := range s.Next() {
				if !seen[n] {
					seen[n] = true
					queue = append(queue, n)
				}
			}
		}
		return seen
	}
	fromSubmitted := reach(StateSubmitted)
	for _, s := range CaseStates {
		if !fromSubmitted[s] {
			t.Errorf("%s is not reachable from submitted", s)
		}
		r := reach(s)
		if !r[StateClosed] && !r[StateWithdrawn] {
			t.Errorf("from %s neither closed nor withdrawn can be reached", s)
		}
	}
}

func TestCaseTransition(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		n := 0
		for _, from := range CaseStates {
			for _, to := range CaseStates {
				if !legal[[2]CaseState{from, to}] {
					continue
				}
				n++
				c := &Case{ID: "c1", State: from, UpdatedAt: t0, Version: 3}
				if from == StateAwaitingCaseworker && to == StateNotified {
					c.DecidedAt = t0 // only a decided case: its payment ordered again
				}
				at := t0.Add(time.Hour)
				if err := c.Transition(to, at, "skäl"); err != nil {
					t.Errorf("%s → %s: %v", from, to, err)
					continue
				}
				if c.State != to || !c.UpdatedAt.Equal(at) {
					t.Errorf("%s → %s: State=%s UpdatedAt=%v, want %s %v", from, to, c.State, c.UpdatedAt, to, at)
				}
				if c.Version != 3 {
					t.Errorf("%s → %s: Version=%d, want 3 (the store increments it)", from, to, c.Version)
				}
				if !from.CanTransition(to) {
					t.Errorf("%s.CanTransition(%s)=false", from, to)
				}
			}
		}
		if n != len(legal) {
			t.Errorf("tested %d legal transitions, want %d", n, len(legal))
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		// Every pair not in the table is refused.
		for _, from := range CaseStates {
			for _, to := range CaseStates {
				if legal[[2]CaseState{from, to}] {
					continue
				}
				c := &Case{State: from, UpdatedAt: t0}
				err := c.Transition(to, t0.Add(time.Hour), "skäl")
				if ErrorCode(err) != ECONFLICT {
					t.Errorf("%s → %s: err=%v, want ECONFLICT", from, to, err)
				}
				if c.State != from || !c.UpdatedAt.Equal(t0) {
					t.Errorf("%s → %s refused but the case changed: %+v", from, to, c)
				}
				if from.CanTransition(to) {
					t.Errorf("%s.CanTransition(%s)=true", from, to)
				}
			}
		}
		// The transitions that matter most, by name.
		for _, tt := range []struct {
			from, to CaseState
			why      string
		}{
			{StateSubmitted, StateDecided, "no decision without fetch and calculation"},
			{StateCalculated, StateDecided, "routing decides who decides"},
			{StateFetching, StateAutoDecided, "no automated decision before calculation"},
			{StateAwaitingApplicant, StateDecided, "komplettering is checked first"},
			{StateDecided, StateWithdrawn, "a decision stands"},
			{StateDecided, StatePaid, "the applicant is told before payment"},
			{StateNotified, StateDecided, "a decision is made once"},
			{StatePaid, StatePaid, "a payment is made once"},
			{StateClosed, StateFetching, "closed is final"},
			{StateWithdrawn, StateSubmitted, "withdrawn is final"},
			{StateDecided, StateDecided, "no transition to the same state"},
		} {
			c := &Case{State: tt.from}
			err := c.Transition(tt.to, t0, "skäl")
			if ErrorCode(err) != ECONFLICT {
				t.Errorf("%s → %s (%s): err=%v, want ECONFLICT", tt.from, tt.to, tt.why, err)
				continue
			}
			if msg := ErrorMessage(err); msg != "Ärendet kan inte gå från "+tt.from.Swedish()+" till "+tt.to.Swedish()+"." {
				t.Errorf("%s → %s: message %q", tt.from, tt.to, msg)
			}
		}
	})

	t.Run("ErrConflictDecidedWithAPerson", func(t *testing.T) {
		// The bank rejected the payment of a decided case: it is with a
		// person, and only a new payment (notified) may follow.
		for _, to := range []CaseState{StateDecided, StateWithdrawn, StateFetching, StateAwaitingApplicant} {
			c := &Case{State: StateAwaitingCaseworker, DecidedAt: t0}
			if err := c.Transition(to, t0, "skäl"); ErrorCode(err) != ECONFLICT {
				t.Errorf("decided, with a person → %s: err=%v, want ECONFLICT", to, err)
			}
		}
		c := &Case{State: StateAwaitingCaseworker, DecidedAt: t0}
		if err := c.Transition(StateNotified, t0, ""); err != nil {
			t.Errorf("decided, with a person → notified: %v", err)
		}
		c = &Case{State: StateAwaitingCaseworker}
		if err := c.Transition(StateNotified, t0, ""); ErrorCode(err) != ECONFLICT {
			t.Errorf("undecided → notified: err=%v, want ECONFLICT", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		c := &Case{State: StateSubmitted}
		if err := c.Transition("approved", t0, ""); ErrorCode(err) != EINVALID {
			t.Errorf("unknown state: err=%v, want EINVALID", err)
		}
		if err := c.Transition(StateFetching, time.Time{}, ""); ErrorCode(err) != EINVALID {
			t.Errorf("zero time: err=%v, want EINVALID", err)
		}
		for _, to := range []CaseState{StateAwaitingCaseworker, StateWithdrawn} {
			c := &Case{State: StateSubmitted}
			err := c.Transition(to, t0, "")
			if ErrorCode(err) != EINVALID {
				t.Errorf("→ %s without reason: err=%v, want EINVALID", to, err)
			}
			if e, ok := err.(*Error); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "reason" {
				t.Errorf("→ %s without reason: err=%#v, want a field error for reason", to, err)
			}
			if c.State != StateSubmitted {
				t.Errorf("refused, but State=%s", c.State)
			}
		}
		for _, to := range []CaseState{StateAwaitingApplicant, StateSampled} {
			c := &Case{State: StateCalculated}
			if err := c.Transition(to, t0, ""); ErrorCode(err) != EINVALID {
				t.Errorf("→ %s without reason: err=%v, want EINVALID", to, err)
			}
		}
		// Progress along the flow needs no reason.
		c = &Case{State: StateSubmitted}
		if err := c.Transition(StateFetching, t0, ""); err != nil {
			t.Errorf("→ fetching without reason: %v", err)
		}
	})

	t.Run("Timestamps", func(t *testing.T) {
		c := &Case{State: StateSubmitted, CreatedAt: t0, UpdatedAt: t0}
		steps := []CaseState{StateFetching, StateCalculated, StateAutoDecided, StateDecided, StateNotified, StatePaid, StateClosed}
		for i, s := range steps {
			if err := c.Transition(s, t0.Add(time.Duration(i+1)*time.Minute), ""); err != nil {
				t.Fatalf("→ %s: %v", s, err)
			}
		}
		if want := t0.Add(4 * time.Minute); !c.DecidedAt.Equal(want) {
			t.Errorf("DecidedAt=%v, want %v", c.DecidedAt, want)
		}
		if want := t0.Add(7 * time.Minute); !c.ClosedAt.Equal(want) || !c.UpdatedAt.Equal(want) {
			t.Errorf("ClosedAt=%v UpdatedAt=%v, want %v", c.ClosedAt, c.UpdatedAt, want)
		}
		if !c.CreatedAt.Equal(t0) {
			t.Errorf("CreatedAt=%v, want %v", c.CreatedAt, t0)
		}
		w := &Case{State: StateAwaitingApplicant}
		if err := w.Transition(StateWithdrawn, t0, "Den sökande återtog ansökan."); err != nil {
			t.Fatal(err)
		}
		if !w.ClosedAt.Equal(t0) || !w.DecidedAt.IsZero() {
			t.Errorf("withdrawn: ClosedAt=%v DecidedAt=%v", w.ClosedAt, w.DecidedAt)
		}
	})

	t.Run("RoutingReasons", func(t *testing.T) {
		c := &Case{State: StateCalculated}
		must := func(to CaseState, reason string) {
			t.Helper()
			if err := c.Transition(to, t0, reason); err != nil {
				t.Fatalf("→ %s: %v", to, err)
			}
		}
		must(StateAwaitingApplicant, "housing_above_guideline")
		must(StateAwaitingCaseworker, "declared_register_differ")
		must(StateAwaitingApplicant, "housing_above_guideline") // not twice
		if want := []string{"housing_above_guideline", "declared_register_differ"}; !slices.Equal(c.RoutingReasons, want) {
			t.Errorf("RoutingReasons=%q, want %q", c.RoutingReasons, want)
		}
		must(StateFetching, "") // assessed afresh
		if c.RoutingReasons != nil {
			t.Errorf("after → fetching RoutingReasons=%q, want none", c.RoutingReasons)
		}
		must(StateCalculated, "")
		must(StateSampled, "sample")
		if want := []string{"sample"}; !slices.Equal(c.RoutingReasons, want) {
			t.Errorf("RoutingReasons=%q, want %q", c.RoutingReasons, want)
		}
	})
}

func TestCaseStateNext(t *testing.T) {
	n := StateCalculated.Next()
	n[0] = StateClosed // a copy: the table cannot be changed through it
	if StateCalculated.Next()[0] != StateAutoDecided {
		t.Errorf("Next() returned the table itself")
	}
	if StateClosed.Next() != nil {
		t.Errorf("closed.Next()=%v, want none", StateClosed.Next())
	}
}

// TestStateNames: every state and route has a Swedish name in the catalog
// (locales/states.sv.json), not its code.
func TestStateNames(t *testing.T) {
	for _, s := range CaseStates {
		if n := s.Swedish(); n == "" || n == string(s) {
			t.Errorf("state %s has no Swedish name (%q)", s, n)
		}
	}
	if got := StateAwaitingCaseworker.Swedish(); got != "väntar på handläggare" {
		t.Errorf("awaiting_caseworker = %q", got)
	}
	for _, r := range []string{"decide", "propose", "exception", "sample"} {
		if n := RouteSwedish(r); n == r {
			t.Errorf("route %s has no Swedish name", r)
		}
	}
}
