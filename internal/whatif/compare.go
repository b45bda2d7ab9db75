package whatif

import (
	"context"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/store/whatifdb"
	"skalig/internal/workflow/casecalc"
)

// Comparison is one changed case of a run side by side: the calculation
// and routing with the live configuration (what the receipt replays) and
// with the run's candidate, line by line with the trace.
type Comparison struct {
	Change Change
	// Decided and Candidate are the calculations; Output is nil when a
	// case cannot be calculated (Error says why).
	Decided, Candidate *casecalc.Calculation
	Lines              []LinePair
	// DecidedReasons and CandidateReasons are the stop reason codes of
	// routing with each.
	DecidedReasons, CandidateReasons []string
	// Members are the household's members as the receipt has them, to
	// name the person of a line.
	Members []skalig.Member
}

// LinePair is one line of the trace in the decided and the candidate
// calculation (matched by item and person; In* false: the line is not in
// that calculation).
type LinePair struct {
	Item, Person, Law, Source  string
	DecidedText, CandidateText string
	Decided, Candidate         skalig.Money
	InDecided, InCandidate     bool
	Changed                    bool
}

// Compare recalculates the decision decisionID of the kept run res with
// the live configuration and with the run's candidate (kept with the run).
// The decision must be one of the run's changed cases.
//
// Errors: ENOTFOUND (not a changed case of the run), EINVALID (the run's
// candidate was not kept, or no longer reads).
func (r *Runner) Compare(ctx context.Context, res *Result, decisionID string) (*Comparison, error) {
	var ch *Change
	for i := range res.Changes {
		if res.Changes[i].DecisionID == decisionID {
			ch = &res.Changes[i]
			break
		}
	}
	if ch == nil {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "Beslutet finns inte bland provkörningens ändrade ärenden.")
	}
	if res.candidate == nil && res.Candidate.Kind != KindEngine {
		return nil, skalig.Errorf(skalig.EINVALID, "Kandidaten sparades inte med provkörningen: kör den igen för att jämföra ärendet.")
	}
	cand, err := NewCandidate(res.Candidate.Kind, res.Candidate.Name, res.candidate)
	if err != nil {
		return nil, err
	}
	// What the run read: the decision's compact inputs (or its receipt and
	// its case's facts).
	sel := whatifdb.Selection{Decision: decisionID}
	page, err := r.Cases.DecidedInputs(ctx, sel, "", 1)
	if err != nil {
		return nil, err
	}
	if len(page) == 0 {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "Beslutet finns inte längre.")
	}
	dr := &page[0]
	rc, err := decidedInputs(dr, &scratch{})
	if err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Underlaget kan inte läsas: %v", err)
	}
	live := Live{Params: r.Live.Params, Municipal: r.Live.Municipal}
	candLive, _ := cand.apply(live)
	c := &skalig.Case{ID: dr.CaseID, Municipality: dr.Municipality, Kind: dr.Kind, Month: rc.Month}
	facts := rc.CaseFacts
	cmp := &Comparison{Change: *ch, Members: rc.Members}
	cmp.Decided = casecalc.CalculateWith(live.Params, live.Municipal, c, rc.Members, rc.Facts, rc.CalculatedOn)
	cmp.Candidate = casecalc.CalculateWith(candLive.Params, candLive.Municipal, c, rc.Members, rc.Facts, rc.CalculatedOn)
	baseRec := casecalc.RouteCalculation(live.Municipal, c, rc.Members, facts, cmp.Decided, nil)
	candRec := casecalc.RouteCalculation(candLive.Municipal, c, rc.Members, facts, cmp.Candidate, nil)
	cmp.DecidedReasons, cmp.CandidateReasons = baseRec.Outcome.Codes(), candRec.Outcome.Codes()
	cmp.Lines = pairLines(trace(cmp.Decided), trace(cmp.Candidate))
	return cmp, nil
}

func trace(c *casecalc.Calculation) []calcformat.Line {
	if c == nil || c.Output == nil {
		return nil
	}
	return c.Output.Trace
}

// pairLines matches the lines of a and b by item and person (the n-th
// line of a key with the n-th of the same key), in a's order, with b's
// lines that a does not have after them.
func pairLines(a, b []calcformat.Line) []LinePair {
	type key struct{ item, person string }
	used := make([]bool, len(b))
	out := make([]LinePair, 0, len(a))
	for _, la := range a {
		p := LinePair{Item: la.Item, Person: la.Person, Law: la.Law, Source: la.Source, DecidedText: la.Text,
			Decided: la.Amount, InDecided: true}
		for j, lb := range b {
			if !used[j] && (key{lb.Item, lb.Person}) == (key{la.Item, la.Person}) {
				used[j] = true
				p.CandidateText, p.Candidate, p.InCandidate = lb.Text, lb.Amount, true
				break
			}
		}
		p.Changed = !p.InCandidate || p.Decided != p.Candidate || p.DecidedText != p.CandidateText
		out = append(out, p)
	}
	for j, lb := range b {
		if !used[j] {
			out = append(out, LinePair{Item: lb.Item, Person: lb.Person, Law: lb.Law, Source: lb.Source,
				CandidateText: lb.Text, Candidate: lb.Amount, InCandidate: true, Changed: true})
		}
	}
	return out
}
