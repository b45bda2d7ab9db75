package monthsim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"skalig"
	"skalig/internal/params"
	"skalig/internal/store"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/manualcalc"
)

// pdf is the document applicants upload: a minimal PDF (checked by content).
var pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// CasesIn returns every case of the municipality in state s.
func (e *Env) CasesIn(ctx context.Context, s skalig.CaseState) ([]*skalig.Case, error) {
	var out []*skalig.Case
	after := ""
	for {
		page, err := e.Cases.Cases(ctx, skalig.CaseFilter{Municipality: Municipality, State: s, After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// AllCases returns every case of the municipality.
func (e *Env) AllCases(ctx context.Context) ([]*skalig.Case, error) { return e.CasesIn(ctx, "") }

// Work is one round of the caseworkers over every case waiting for a
// person (awaiting_caseworker; sampled cases once the applicant's
// documents are in): each case gets the one next action a caseworker
// takes on it (see Act). It returns the number of actions taken.
func (e *Env) Work(ctx context.Context) (int, error) {
	cs, err := e.CasesIn(ctx, skalig.StateAwaitingCaseworker)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		did, err := e.Act(ctx, c.ID)
		if err != nil {
			return n, fmt.Errorf("case %s: %w", c.ID, err)
		}
		if did != "" {
			n++
		}
	}
	return n, nil
}

// adjusted reports whether a person adjusted items of the case.
func (e *Env) adjusted(ctx context.Context, caseID string) (bool, error) {
	rs, err := e.Cases.Records(ctx, caseID, workflow.RecordAdjustment)
	return len(rs) > 0, err
}

// Act takes the next action a caseworker takes on the case, if any, and
// names it ("" when none was taken). In order:
//
//  1. a proposal waiting for a second signature: another caseworker (not
//     the proposer, not an adjuster) signs it; when the case changed since
//     the proposal, the signer returns it;
//  2. a sample control without its result: the result is recorded
//     (confirmed);
//  3. an other need claimed (other_cost_claimed) not yet assessed: the
//     caseworker approves it as applied for, or (one case in three, by
//     its id) refuses it, with a reason (AdjustFacts), and the case is
//     calculated again;
//  4. a first application, vehicle or residence-permit question with no
//     document request yet: documents are requested, due in 14 days;
//  5. otherwise, on a calculation: the decision, with reasons: approval of
//     the calculated aid (delvis bifall when the calculation granted less
//     than was applied for), or rejection when the aid is 0 kr. Under the
//     four-eyes rule it becomes a proposal (step 1 next round).
//
// A case without a calculation (parameters missing, calculation failed)
// gets no action: nobody can decide it (see WayForward).
func (e *Env) Act(ctx context.Context, caseID string) (string, error) {
	c, err := e.Cases.Case(ctx, caseID)
	if err != nil {
		return "", err
	}
	if c.State != skalig.StateAwaitingCaseworker && c.State != skalig.StateSampled {
		return "", nil
	}
	first, second, third := e.Caseworkers[0], e.Caseworkers[1], e.Caseworkers[2]
	// 1. A proposal waiting for a signature.
	if p, err := e.Desk.PendingApproval(ctx, c.ID); err == nil {
		adj, err := e.adjusterSubjects(ctx, c.ID)
		if err != nil {
			return "", err
		}
		signer := second
		if p.ProposedBy == second.Subject() || slices.Contains(adj, second.Subject()) {
			signer = third
		}
		if p.CaseVersion != c.Version {
			if err := e.WF.ReturnProposal(ctx, c.ID, signer, "Ärendet har ändrats sedan förslaget; gör om beslutet."); err != nil {
				return "", fmt.Errorf("return proposal: %w", err)
			}
			return e.did("second caseworker returns a stale proposal"), nil
		}
		if _, err := e.WF.SignProposal(ctx, c.ID, signer); err != nil {
			return "", fmt.Errorf("sign proposal: %w", err)
		}
		return e.did("second caseworker signs"), nil
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return "", err
	}
	if c.State == skalig.StateSampled {
		return "", nil // waits for the applicant's documents
	}
	// A decided case back with a person: the bank returned its payment;
	// the caseworker orders it again (after checking the account).
	if id, err := e.rejectedPayment(ctx, c.ID); err != nil {
		return "", err
	} else if id != "" {
		if _, err := e.Pay.Reorder(ctx, id, first.Subject()); err != nil {
			return "", fmt.Errorf("reorder: %w", err)
		}
		return e.did("caseworker orders a returned payment again"), nil
	}
	var calc casecalc.Calculation
	if err := e.Cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return "", err
	}
	// 2. The sample control's result.
	if slices.Contains(c.RoutingReasons, skalig.ReasonSample) {
		if _, err := e.Cases.SampleResult(ctx, c.ID); skalig.ErrorCode(err) == skalig.ENOTFOUND {
			if err := e.WF.RecordSampleResult(ctx, c.ID, c.Version, first.Subject(), true, "", 0, 0); err != nil {
				return "", fmt.Errorf("sample result: %w", err)
			}
			return e.did("caseworker records a sample result"), nil
		} else if err != nil {
			return "", err
		}
	}
	// 3. An other need to assess.
	adj, err := e.adjusted(ctx, c.ID)
	if err != nil {
		return "", err
	}
	if slices.Contains(c.RoutingReasons, skalig.ReasonOtherCostClaimed) && !adj && calc.Output != nil {
		facts, err := e.Cases.Facts(ctx, c.ID)
		if err != nil {
			return "", err
		}
		var approve []skalig.Fact
		for _, f := range facts {
			if strings.HasPrefix(f.Kind, skalig.KindOtherNeedPrefix) && !strings.Contains(f.Kind[len(skalig.KindOtherNeedPrefix):], ".") &&
				!f.Value.IsText && f.Period == c.Month && f.Source == skalig.SourceApplicant {
				approve = append(approve, skalig.Fact{Kind: f.Kind, PersonID: f.PersonID, Value: f.Value})
			}
		}
		if len(approve) > 0 {
			// One case in three is refused (0 kr): delvis bifall.
			if c.ID[len(c.ID)-1]%3 == 0 {
				for i := range approve {
					approve[i].Value = skalig.AmountValue(0)
				}
				if _, err := e.WF.AdjustFacts(ctx, c.ID, c.Version, first, approve, "Behovet kan tillgodoses på annat sätt"); err != nil {
					return "", fmt.Errorf("adjust: %w", err)
				}
				return e.did("caseworker refuses an other need (adjust)"), nil
			}
			if _, err := e.WF.AdjustFacts(ctx, c.ID, c.Version, first, approve, "Behovet är styrkt med underlag; beviljas enligt 12 kap. 1 § SoL"); err != nil {
				return "", fmt.Errorf("adjust: %w", err)
			}
			return e.did("caseworker approves an other need (adjust)"), nil
		}
	}
	// 4. Documents.
	if needsDocuments(c.RoutingReasons) {
		rs, err := e.Cases.DocumentRequests(ctx, c.ID)
		if err != nil {
			return "", err
		}
		if len(rs) == 0 {
			due := skalig.DateOf(e.Clock.Now().Add(14 * 24 * time.Hour))
			if _, err := e.WF.RequestDocuments(ctx, c.ID, c.Version, first.Subject(), "Kontoutdrag för de senaste tre månaderna.", due); err != nil {
				return "", fmt.Errorf("request documents: %w", err)
			}
			return e.did("caseworker requests documents"), nil
		}
	}
	// 5. The decision. A case without a calculation waits for its
	// parameters until its month has begun; then the caseworker
	// calculates it by hand (workflow.CalculateManually).
	if calc.Output == nil {
		if skalig.DateOf(e.Clock.Now()).Before(c.Month.First()) {
			return "", nil
		}
		return e.calculateByHand(ctx, c, first)
	}
	// The calculated aid, with the outcome the proposal showed (the one
	// rule, skalig.OutcomeFor).
	req := workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: first,
		Outcome: skalig.OutcomeFor(calc.Output.Aid, calc.Output.Aid, calc.Reduced),
		Amount:  calc.Output.Aid, Reasons: []string{"Beviljas enligt beräkningen efter handläggarens prövning."}}
	switch req.Outcome {
	case skalig.OutcomePartlyApproved:
		req.Reasons = []string{"Allt som söktes har inte godtagits i sin helhet; se beräkningen."}
	case skalig.OutcomeRejected:
		req.Reasons = []string{"Inkomsterna täcker behovet enligt riksnormen och de skäliga kostnaderna."}
	}
	res, err := e.WF.Decide(ctx, req)
	if field(err) == "kommunicering_exception" {
		// FL 25 §: the negative decision rests on register facts the
		// applicant has not seen. They are sent for comment first; the
		// case comes back when the applicant answers or the week passes.
		due := skalig.DateOf(e.Clock.Now().Add(7 * 24 * time.Hour))
		if err := e.WF.SendForComment(ctx, c.ID, c.Version, first,
			"Uppgifterna från registren visar att hushållets inkomster täcker behovet, eller att allt som söktes inte kan beviljas; se beräkningen.", due); err != nil {
			return "", fmt.Errorf("send for comment: %w", err)
		}
		return e.did("caseworker sends for kommunicering"), nil
	}
	if err != nil {
		return "", fmt.Errorf("decide: %w", err)
	}
	if res.Proposal != nil {
		return e.did("caseworker proposes (four-eyes)"), nil
	}
	return e.did("caseworker decides " + string(req.Outcome)), nil
}

func (e *Env) did(what string) string { e.Stats[what]++; return what }

// field is the first field a *skalig.Error names, or "".
func field(err error) string {
	var se *skalig.Error
	if errors.As(err, &se) && len(se.Fields) > 0 {
		return se.Fields[0].Field
	}
	return ""
}

func (e *Env) adjusterSubjects(ctx context.Context, caseID string) ([]string, error) {
	rs, err := e.Cases.Records(ctx, caseID, workflow.RecordAdjustment)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		for _, a := range e.Caseworkers {
			if strings.Contains(string(r.Body), `"`+a.Subject()+`"`) {
				out = append(out, a.Subject())
			}
		}
	}
	return out, nil
}

// needsDocuments reports whether a caseworker asks for documents before
// deciding a case stopped for reasons.
func needsDocuments(reasons []string) bool {
	for _, r := range reasons {
		switch r {
		case skalig.ReasonFirstApplication, skalig.ReasonAssetsOrVehicle, skalig.ReasonResidencePermit:
			return true
		}
	}
	return false
}

// Answer is the applicants' round: every case waiting for the applicant
// gets its open document requests answered (an upload per request), and
// every sampled case its documents. It returns the number of uploads.
//
// silent, when set, names the applicants who never answer a document
// request (their cases in awaiting_applicant are skipped).
func (e *Env) Answer(ctx context.Context, silent func(caseID string) bool) (int, error) {
	n := 0
	for _, s := range []skalig.CaseState{skalig.StateAwaitingApplicant, skalig.StateSampled} {
		cs, err := e.CasesIn(ctx, s)
		if err != nil {
			return n, err
		}
		for _, c := range cs {
			if s == skalig.StateAwaitingApplicant && silent != nil && silent(c.ID) {
				continue
			}
			k, err := e.Upload(ctx, c.ID)
			if err != nil {
				return n, fmt.Errorf("case %s: %w", c.ID, err)
			}
			n += k
		}
	}
	return n, nil
}

// Upload has the applicant answer the case's open document requests (or,
// for a sampled case without one, send the documents of the sample
// control). It returns the number of uploads.
func (e *Env) Upload(ctx context.Context, caseID string) (int, error) {
	c, err := e.Cases.Case(ctx, caseID)
	if err != nil {
		return 0, err
	}
	if c.State.Final() {
		return 0, nil
	}
	if c.State == skalig.StateAwaitingApplicant && slices.Contains(c.RoutingReasons, skalig.ReasonKommuniceringSent) {
		app, err := e.Cases.CaseApplication(ctx, caseID)
		if err != nil {
			return 0, err
		}
		err = e.WF.AnswerComment(ctx, caseID, app.Members[0].PersonalNumber, "Jag har sett uppgifterna. Jag har inget att tillägga.")
		if skalig.ErrorCode(err) == skalig.ECONFLICT {
			return 0, nil // answered already, or the deadline passed meanwhile
		}
		if err != nil {
			return 0, fmt.Errorf("answer kommunicering: %w", err)
		}
		e.Stats["applicant answers kommunicering"]++
		return 1, nil
	}
	rs, err := e.Cases.DocumentRequests(ctx, caseID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rs {
		if r.AnsweredAt.IsZero() {
			if _, err := e.WF.Upload(ctx, caseID, r.ID, "applicant", "kontoutdrag.pdf", "application/pdf", pdf); err != nil {
				return n, fmt.Errorf("upload: %w", err)
			}
			n++
		}
	}
	if n == 0 && c.State == skalig.StateSampled {
		if _, err := e.WF.Upload(ctx, caseID, "", "applicant", "underlag.pdf", "application/pdf", pdf); err != nil {
			return n, fmt.Errorf("upload: %w", err)
		}
		n++
	}
	if n > 0 {
		e.Stats["applicant uploads"] += n
	}
	return n, nil
}

// Withdraw has the applicant withdraw the case, when it is not decided
// yet; it reports whether it did.
func (e *Env) Withdraw(ctx context.Context, caseID string) (bool, error) {
	c, err := e.Cases.Case(ctx, caseID)
	if err != nil {
		return false, err
	}
	if !c.State.CanTransition(skalig.StateWithdrawn) {
		return false, nil
	}
	app, err := e.Cases.CaseApplication(ctx, caseID)
	if err != nil {
		return false, err
	}
	err = e.WF.Withdraw(ctx, caseID, app.Members[0].PersonalNumber)
	if skalig.ErrorCode(err) == skalig.ECONFLICT {
		return false, nil // a worker moved it on meanwhile
	}
	if err != nil {
		return false, err
	}
	e.Stats["applicant withdraws"]++
	return true, nil
}

// Message has the applicant write to the caseworker.
func (e *Env) Message(ctx context.Context, caseID string) error {
	if _, err := e.WF.Message(ctx, caseID, "applicant", "Jag undrar när beslutet kommer."); err != nil {
		return err
	}
	e.Stats["applicant writes"]++
	return nil
}

// ApproveParams loads the year's parameter table (data, in the TSV shape
// of internal/params/data) as one administrator and approves it as a
// second; the workflow recalculates the cases that waited for it.
func (e *Env) ApproveParams(ctx context.Context, name string, data []byte) error {
	v, err := e.Params.Import(ctx, name, data, "admin-sim-a")
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	if _, err := e.Params.Approve(ctx, v.ID, "admin-sim-b"); err != nil {
		return fmt.Errorf("approve %s: %w", name, err)
	}
	e.Stats["parameters approved"]++
	return nil
}

// rejectedPayment returns the id of the case's payment the bank rejected
// or returned, when the case has a decision and no payment under way ("").
func (e *Env) rejectedPayment(ctx context.Context, caseID string) (string, error) {
	var id string
	err := e.DB.SQL().QueryRowContext(ctx, `SELECT p.id FROM payments p WHERE p.case_id = $1 AND p.status = 'rejected'
		AND NOT EXISTS (SELECT 1 FROM payments q WHERE q.case_id = p.case_id AND q.status <> 'rejected')
		ORDER BY p.created_at DESC LIMIT 1`, caseID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// lastDecember is a ParamSource giving, for any month, the parameters of
// the December before its year: what a caseworker calculating by hand uses
// when the month's table is missing (documented as the basis of every
// line).
type lastDecember struct{ p casecalc.ParamSource }

func (l lastDecember) At(m skalig.Month) (*params.Set, error) {
	return l.p.At(skalig.MonthOf(m.Year()-1, 12))
}

// calculateByHand has the caseworker a calculate case c by hand: the
// norm, the costs and the incomes of the case's facts worked out on the
// previous December's table, each line with its basis.
func (e *Env) calculateByHand(ctx context.Context, c *skalig.Case, a skalig.Actor) (string, error) {
	app, facts, err := e.caseFacts(ctx, c.ID)
	if err != nil {
		return "", err
	}
	p, err := params.Default()
	if err != nil {
		return "", err
	}
	prev := skalig.MonthOf(c.Month.Year()-1, 12)
	calc := casecalc.CalculateWith(lastDecember{p}, e.mun, c, app.Members, facts, skalig.DateOf(e.Clock.Now()))
	if calc.Output == nil {
		return "", nil // the facts themselves cannot be calculated: the case waits
	}
	basis := "SoL (2025:400) 12 kap.; riksnormen för " + prev.String() + " (tabellen för " + c.Month.String() + " finns inte i Skälig)"
	o := calc.Output
	lines := []manualcalc.Line{{Kind: manualcalc.Norm, Item: "Riksnorm för hushållet", Amount: o.Norm, Basis: basis}}
	if o.ReasonableCosts+o.OtherCosts > 0 {
		lines = append(lines, manualcalc.Line{Kind: manualcalc.Cost, Item: "Skäliga kostnader enligt ansökan och register", Amount: o.ReasonableCosts + o.OtherCosts, Basis: "Ansökan och registeruppgifter i ärendet"})
	}
	if o.IncomeCounted > 0 {
		lines = append(lines, manualcalc.Line{Kind: manualcalc.Income, Item: "Inkomster enligt register", Amount: o.IncomeCounted, Basis: "Registeruppgifter i ärendet"})
	}
	_, err = e.WF.CalculateManually(ctx, workflow.ManualCalculationRequest{CaseID: c.ID, Version: c.Version, Actor: a, Lines: lines,
		Reason: "Parametrarna för " + c.Month.String() + " saknas och månaden har börjat; beräknat för hand."})
	if err != nil {
		return "", fmt.Errorf("calculate by hand: %w", err)
	}
	return e.did("caseworker calculates by hand"), nil
}

func (e *Env) caseFacts(ctx context.Context, id string) (*skalig.Application, []skalig.Fact, error) {
	app, err := e.Cases.CaseApplication(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	facts, err := e.Cases.Facts(ctx, id)
	return app, facts, err
}

// RequestReview has the applicant of a decided case ask for omprövning
// (appeal false) or appeal the decision; it reports whether a request was
// made (not when one is open already, or the decision is not yet
// notified).
func (e *Env) RequestReview(ctx context.Context, caseID string, appeal bool) (bool, error) {
	c, err := e.Cases.Case(ctx, caseID)
	if err != nil {
		return false, err
	}
	if c.DecidedAt.IsZero() {
		return false, nil
	}
	app, err := e.Cases.CaseApplication(ctx, caseID)
	if err != nil {
		return false, err
	}
	pn := app.Members[0].PersonalNumber
	if appeal {
		_, err = e.WF.Appeal(ctx, caseID, pn, "Jag överklagar beslutet: jag behöver mer för att klara månaden.")
	} else {
		err = e.WF.RequestReview(ctx, caseID, pn, "Jag vill att beslutet prövas igen.")
	}
	if skalig.ErrorCode(err) == skalig.ECONFLICT {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if appeal {
		e.Stats["applicant appeals"]++
	} else {
		e.Stats["applicant asks for omprövning"]++
	}
	return true, nil
}

// Review is the decider's round over the review queue: a decision that
// granted less than the calculation allows is changed to approval of the
// calculated aid (ChangeDecision; the difference is paid), once no payment
// is on its way; otherwise a review request is answered that the decision
// stands and an appeal is forwarded to förvaltningsrätten with the case
// file. It returns the number of requests resolved or changed.
func (e *Env) Review(ctx context.Context) (int, error) {
	rs, err := e.Cases.ReviewRequests(ctx, Municipality)
	if err != nil {
		return 0, err
	}
	a := e.Caseworkers[0]
	n := 0
	for _, r := range rs {
		d, err := e.Cases.CaseDecision(ctx, r.CaseID)
		if err != nil {
			return n, err
		}
		var calc casecalc.Calculation
		if err := e.Cases.LatestRecord(ctx, r.CaseID, store.RecordCalculation, &calc); err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
			return n, err
		}
		if calc.Output != nil && calc.Output.Aid > d.Amount && !calc.Reduced {
			_, err := e.WF.ChangeDecision(ctx, workflow.ChangeRequest{RequestID: r.ID, Actor: a, Outcome: skalig.OutcomeApproved,
				Amount: calc.Output.Aid, AsRequested: true, Reasons: []string{"Beviljas enligt beräkningen."},
				Note: "Vid omprövningen beviljas det beräknade beloppet."})
			switch {
			case skalig.ErrorCode(err) == skalig.ECONFLICT:
				continue // a payment on its way: the next round
			case err != nil:
				return n, fmt.Errorf("change decision: %w", err)
			}
			n++
			e.did("decider changes a decision")
			continue
		}
		if r.Kind == store.ReviewKindAppeal {
			note := ""
			if r.Late {
				note = "Överklagandet kom in för sent men skickas vidare för prövning."
			}
			if _, err := e.WF.ForwardAppeal(ctx, r.ID, a, note); err != nil {
				return n, fmt.Errorf("forward appeal: %w", err)
			}
			e.did("decider forwards an appeal")
		} else {
			if err := e.WF.KeepDecision(ctx, r.ID, a, "Beslutet följer beräkningen och kommunens riktlinjer."); err != nil {
				return n, fmt.Errorf("keep decision: %w", err)
			}
			e.did("decider keeps a decision")
		}
		n++
	}
	return n, nil
}
