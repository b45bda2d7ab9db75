package whatif

import (
	"reflect"
	"slices"
	"sync"

	"skalig"
	"skalig/internal/decisioninput"
	"skalig/internal/routing"
	"skalig/internal/store/whatifdb"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/replay"
)

// evaluator recalculates receipts with the live and the candidate
// configuration. It is safe for concurrent use; each goroutine passes its
// own scratch.
type evaluator struct {
	live, cand Live
	recalc     bool // the candidate can change the calculation
	// routingSame is true when the candidate does not change routing
	// (a parameter table, the engine); a municipal candidate's routing is
	// compared with the live one per municipality and month (sameRouting).
	routingSame bool
	mu          sync.Mutex
	same        map[memoKey]bool
}

func newEvaluator(live, cand Live, kind Kind, recalc bool) *evaluator {
	return &evaluator{live: live, cand: cand, recalc: recalc,
		routingSame: kind == KindParams || kind == KindEngine, same: map[memoKey]bool{}}
}

// scratch is one goroutine's reusable decoding space.
type scratch struct {
	in     decisioninput.Inputs
	replay replay.Scratch // skalig decision replay --all's
}

// evaluate recalculates and re-routes the decision dr. keep is false when
// the case is outside sel.
//
// The input is built once (casecalc.Prepare) and calculated without the
// trace (the same figures as casecalc.CalculateWith). When the candidate routes as the live configuration
// does and its calculation gives routing the same figures as the live one
// and the aid the receipt holds, both would route alike and the case is
// unchanged: neither is routed. Anything else is routed with both.
func (e *evaluator) evaluate(dr *whatifdb.DecidedReceipt, sel *Selection, sc *scratch) (ch Change, keep bool) {
	ch = Change{CaseID: dr.CaseID, DecisionID: dr.DecisionID, Month: dr.Month.String(), DecidedAmount: dr.Amount,
		First: dr.Kind == skalig.FirstApplication}
	di, err := decidedInputs(dr, sc)
	if err != nil {
		ch.Household, ch.Error = Single, "underlaget kan inte läsas: "+err.Error()
		ch.Reason = ch.Error
		return ch, sel.keeps(ch.Household, ch.First, dr.Outcome)
	}
	month, on, members, calcFacts, facts := di.Month, di.CalculatedOn, di.Members, di.Facts, di.CaseFacts
	ch.DecidedAid = di.Aid
	ch.Household = householdType(members)
	if !sel.keeps(ch.Household, ch.First, dr.Outcome) {
		return ch, false
	}
	c := &skalig.Case{ID: dr.CaseID, Municipality: dr.Municipality, Kind: dr.Kind, Month: month}
	pr := casecalc.Prepare(c, members, calcFacts)
	base := pr.Figures(e.live.Params, e.live.Municipal, c, on)
	cand := base
	if e.recalc {
		cand = pr.Figures(e.cand.Params, e.cand.Municipal, c, on)
	}
	if cand.Output != nil {
		ch.CandidateAid = cand.Output.Aid
	} else if ch.Error == "" {
		ch.Error = "kan inte beräknas: " + cand.Error
	}
	ch.Difference = ch.CandidateAid - ch.DecidedAid
	switch {
	case ch.Difference > 0:
		ch.Direction = Up
	case ch.Difference < 0:
		ch.Direction = Down
	default:
		ch.Direction = Unchanged
	}
	if ch.Error == "" && ch.Difference == 0 && base.Output != nil && sameFigures(base, cand) && e.sameRouting(c.Municipality, month) {
		ch.Reason = reason(&ch)
		return ch, true
	}
	baseRec, candRec := casecalc.RouteCalculations(e.live.Municipal, e.cand.Municipal, c, members, facts, base, cand, nil)
	ch.Route, ch.CandidateRoute = baseRec.Outcome.Route, candRec.Outcome.Route
	ch.Outcome, ch.CandidateOutcome = baseRec.Outcome.Outcome, candRec.Outcome.Outcome
	before, after := baseRec.Outcome.Codes(), candRec.Outcome.Codes()
	for _, code := range after {
		if !slices.Contains(before, code) {
			ch.NewReasons = append(ch.NewReasons, code)
		}
	}
	for _, code := range before {
		if !slices.Contains(after, code) {
			ch.VanishedReasons = append(ch.VanishedReasons, code)
		}
	}
	ch.Reason = reason(&ch)
	return ch, true
}

// decidedInputs is what a run needs of dr: its compact inputs, or for a
// decision stored without them its receipt's and its case's facts
// (dr.Facts; the receipt's when the case has none). The result lives in sc
// until the next call.
func decidedInputs(dr *whatifdb.DecidedReceipt, sc *scratch) (*decisioninput.Inputs, error) {
	if dr.Inputs != nil {
		if err := decisioninput.Decode(dr.Inputs, &sc.in); err != nil {
			return nil, err
		}
	} else {
		r, err := parseReceipt(dr.Body)
		if err != nil {
			return nil, err
		}
		sc.in = decisioninput.Inputs{Month: r.Month, CalculatedOn: r.CalculatedOn, Aid: r.Aid, Members: r.Members,
			Facts: r.Facts, CaseFacts: dr.Facts}
	}
	// Routing reads every fact of the case (assets, signals, messages,
	// what each source said), as the workflow does; the calculation only
	// the receipt's.
	if len(sc.in.CaseFacts) == 0 {
		sc.in.CaseFacts = sc.in.Facts
	}
	return &sc.in, nil
}

// sameFigures reports whether routing reads the same of a and b
// (casecalc.RouteCalculation: the output's figures and reasons, the
// parameter status, whether less was approved than asked for).
func sameFigures(a, b *casecalc.Calculation) bool {
	if a == b {
		return true
	}
	if a.Output == nil || b.Output == nil {
		return false
	}
	x, y := a.Output, b.Output
	return x.Aid == y.Aid && x.Norm == y.Norm && x.ReasonableCosts+x.OtherCosts == y.ReasonableCosts+y.OtherCosts &&
		x.IncomeCounted == y.IncomeCounted && slices.Equal(x.ReviewReasons, y.ReviewReasons) &&
		a.ParamStatus == b.ParamStatus && a.Reduced == b.Reduced
}

// sameRouting reports whether the candidate routes cases of municipality
// code and month mo with the live configuration's routing.
func (e *evaluator) sameRouting(code string, mo skalig.Month) bool {
	if e.routingSame {
		return true
	}
	k := memoKey{code, mo}
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.same[k]; ok {
		return v
	}
	a, errA := e.live.Municipal.Routing(code, mo)
	b, errB := e.cand.Municipal.Routing(code, mo)
	v := (errA == nil) == (errB == nil) && sameConfig(a, b)
	e.same[k] = v
	return v
}

func sameConfig(a, b *routing.Config) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.From() == b.From() && reflect.DeepEqual(a.Spec(), b.Spec())
}
