package workflow

// Casework policy: who may decide, sign and adjust what, for every
// interface (the caseworker's pages, the API, the command line). The
// interfaces say who acted (a skalig.Actor) and what they asked for; the
// rules are here, once:
//
//   - A decision needs a person: a member of staff signed in, or the named
//     member of staff a client acts for (the client's scope allowing
//     decisions and acting for persons). Both are recorded.
//   - A financial assistant approves the calculated amount only, and adjusts
//     no amounts; rejections and partial approvals are a caseworker's.
//   - Amount bounds: approval is the calculated aid, a partial approval less
//     (and more than 0 kr), a rejection 0 kr. When the calculation granted
//     less than was applied for (a cost capped or refused: Calculation.
//     Reduced), a partial approval may be the calculated aid itself: that
//     is the lawful outcome the robot would record, delvis bifall.
//   - The outcome follows from what is granted (skalig.OutcomeFor, the one
//     rule of routing's proposal, the robot and every person's decision):
//     approving the calculated aid of a calculation that capped or refused
//     an item is delvis bifall, with the robot's reasons of a partial
//     approval (settleOutcome), so that approving a proposal always decides
//     what the proposal showed.
//   - A decision departs from the automated proposal when its outcome or
//     amount differs from what routing proposed, or when a person adjusted
//     an item of the case. Under the municipality's four-eyes rule
//     (CaseworkSettings.FourEyesOverride for departures, FourEyesReject for
//     every rejection) such a decision becomes a proposal that a second,
//     different caseworker signs; nobody who adjusted the case signs it.
//   - A decision and the signature it completes commit in one transaction.
//   - A rejection or partial approval
//     resting on register facts the applicant has not been sent for
//     comment needs a kommunicering first, or a named FL 25 § exception,
//     which is recorded (kommunicering.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"skalig"
	"skalig/internal/municipal"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/step"
)

// DecisionRequest is a person's decision on a case waiting for one (an
// exception, a sample control), asked for by Actor.
type DecisionRequest struct {
	CaseID string
	// Version is the case version the actor saw; the decision fails with
	// ECONFLICT if the case changed since.
	Version int
	Actor   skalig.Actor
	Outcome skalig.Outcome
	// Amount is the aid granted: for approval in full it must equal the
	// calculated aid; for a partial approval it must be less; 0 for a
	// rejection.
	Amount skalig.Money
	// Grounds are the codes of the structured grounds (skalig.Grounds)
	// the actor chose; each ground's Swedish text goes first into the
	// decision's statement of reasons.
	Grounds []string
	// Reasons are the actor's own statement of reasons, plain Swedish
	// sentences, after the grounds' texts.
	Reasons []string
	// NoteToSigner is what the actor tells the second person when the
	// decision needs a second signature; it is not part of the decision.
	NoteToSigner string
	// KommuniceringException names the exception of FL 25 § second
	// paragraph (skalig.ReasonKindKommuniceringException) under which a negative
	// decision is made without kommunicering of register facts the
	// applicant has not seen; it is recorded. See kommunicering.go.
	KommuniceringException string
}

// DecisionResult is what a decision request made: a decision, or, under the
// four-eyes rule, a proposal waiting for a second person's signature.
// Exactly one is set.
type DecisionResult struct {
	Decision *skalig.Decision
	Proposal *store.Approval
}

// Policy errors.
var (
	errNeedsPerson       = skalig.Errorf(skalig.EFORBIDDEN, "Ett beslut fattas av en person. Ange handläggaren (caseworker) som fattar beslutet.")
	errClientMayNotAct   = skalig.Errorf(skalig.EFORBIDDEN, "API-nyckeln får inte agera i en namngiven handläggares namn.")
	errClientMayNotDecid = skalig.Errorf(skalig.EFORBIDDEN, "API-nyckeln får inte registrera beslut.")
	errOnlyCaseworker    = skalig.Errorf(skalig.EFORBIDDEN, "Bara en handläggare kan avslå eller bevilja delvis.")
	errMayNotDecide      = skalig.Errorf(skalig.EFORBIDDEN, "Du har inte behörighet att fatta beslut i ärendet.")
	errMayNotAdjust      = skalig.Errorf(skalig.EFORBIDDEN, "Bara en handläggare kan justera uppgifter och belopp i ärendet.")
	errMayNotSign        = skalig.Errorf(skalig.EFORBIDDEN, "Bara en handläggare kan signera eller lämna tillbaka ett beslut.")
	errSignOwn           = skalig.Errorf(skalig.EFORBIDDEN, "Du kan inte signera ett beslut som du själv har förberett. En annan handläggare behöver signera det.")
	errSignAdjusted      = skalig.Errorf(skalig.EFORBIDDEN, "Du har justerat uppgifter i ärendet och kan därför inte signera beslutet. En annan handläggare behöver signera det.")
	errNoCase            = skalig.Errorf(skalig.ENOTFOUND, "Ärendet finns inte.")
	errStale             = skalig.Errorf(skalig.ECONFLICT, "Ärendet har ändrats sedan du läste det. Läs in det igen och försök på nytt.")
)

// person resolves who acts for a: the person signed in, or the member of
// staff a client names, with the roles and municipalities the staff
// directory last saw at their login. A client's scope must allow action and
// acting for persons.
func (w *Workflow) person(ctx context.Context, a skalig.Actor, action skalig.ClientAction) (skalig.Actor, error) {
	if a.Client != nil {
		if !a.Client.May(action) {
			if action == skalig.ClientDecide {
				return a, errClientMayNotDecid
			}
			return a, skalig.Errorf(skalig.EFORBIDDEN, "API-nyckeln får inte göra detta.")
		}
		if a.Person == nil || a.Person.Subject == "" {
			return a, errNeedsPerson
		}
		if !a.Client.May(skalig.ClientActForPerson) {
			return a, errClientMayNotAct
		}
		staff, err := w.desk.Staff(ctx, "")
		if err != nil {
			return a, err
		}
		i := slices.IndexFunc(staff, func(m store.StaffMember) bool { return m.Subject == a.Person.Subject })
		if i < 0 {
			return a, &skalig.Error{Code: skalig.EFORBIDDEN, Message: "Handläggaren är inte känd i Skälig (har aldrig loggat in).",
				Fields: []skalig.FieldError{{Field: "caseworker", Message: "Ange en handläggare som har loggat in i Skälig."}}}
		}
		p := &skalig.Person{Subject: a.Person.Subject, Municipalities: slices.Clone(staff[i].Municipalities)}
		for _, r := range staff[i].Roles {
			p.Roles = append(p.Roles, skalig.StaffRole(r))
		}
		if p.Municipalities == nil {
			p.Municipalities = []string{}
		}
		return skalig.Actor{Client: a.Client, Person: p}, nil
	}
	if a.Person == nil || a.Person.Subject == "" {
		return a, errNeedsPerson
	}
	return a, nil
}

// actorOn resolves the person acting for actor (person) and reads the
// case, which a client's scope and the person must reach (else ENOTFOUND:
// another municipality's cases do not exist for them).
func (w *Workflow) actorOn(ctx context.Context, actor skalig.Actor, action skalig.ClientAction, caseID string) (skalig.Actor, *skalig.Case, error) {
	c, err := w.cases.Case(ctx, caseID)
	if err != nil {
		return actor, nil, err
	}
	if !actor.InMunicipality(c.Municipality) {
		return actor, nil, errNoCase
	}
	a, err := w.person(ctx, actor, action)
	if err != nil {
		return a, nil, err
	}
	if !a.InMunicipality(c.Municipality) {
		return a, nil, errNoCase
	}
	return a, c, nil
}

// decidable checks that c waits for a person's decision.
func decidable(c *skalig.Case) error {
	if !c.DecidedAt.IsZero() {
		// Back with a person after its decision (a payment the bank
		// returned): the decision stands until it is changed on review or
		// appeal (ChangeDecision); a new decision or a proposal of one
		// could never be recorded.
		return skalig.Errorf(skalig.ECONFLICT, "Ärendet är redan beslutat.")
	}
	switch c.State {
	case skalig.StateAwaitingCaseworker, skalig.StateSampled:
		return nil
	case skalig.StateDecided, skalig.StateNotified, skalig.StatePaid, skalig.StateClosed:
		return skalig.Errorf(skalig.ECONFLICT, "Ärendet är redan beslutat.")
	}
	return skalig.Errorf(skalig.ECONFLICT, "Ärendet väntar inte på ett beslut (%s).", c.State.Swedish())
}

// settleOutcome is the outcome of a person's decision (Decide, and the
// change of a decision) granting amount on calc: skalig.OutcomeFor, the one
// rule that routing's proposal and the robot's decision follow too. A
// person who approves the calculated aid of a calculation that capped or
// refused an item (Calculation.Reduced) thus decides delvis bifall, as the
// proposal showed; its statement of reasons then gets the robot's reasons
// of a partial approval (decisionReasons: each cost a guideline capped, in
// the engine's words, else a pointer to the calculation) before the
// person's own, and the letter's items name every reduced item with its
// ground. A rejection stays one.
func settleOutcome(o skalig.Outcome, amount skalig.Money, calc *casecalc.Calculation, reasons []string) (skalig.Outcome, []string) {
	if o == skalig.OutcomeRejected || calc.Output == nil {
		return o, reasons
	}
	settled := skalig.OutcomeFor(amount, calc.Output.Aid, calc.Reduced)
	if settled == skalig.OutcomePartlyApproved && o == skalig.OutcomeApproved {
		reasons = append(step.DecisionReasons(settled, calc), reasons...)
	}
	return settled, reasons
}

// amountBounds checks amount against the outcome and the calculated aid;
// reduced is Calculation.Reduced.
func amountBounds(o skalig.Outcome, amount, aid skalig.Money, reduced bool) error {
	msg := ""
	switch {
	case o == skalig.OutcomeApproved && amount != aid:
		msg = "Bifall gäller det beräknade beloppet " + aid.Swedish() + ". Välj delvis bifall för ett lägre belopp, eller justera en uppgift så att beräkningen görs om."
	case o == skalig.OutcomePartlyApproved && reduced && (amount <= 0 || amount > aid):
		msg = "Vid delvis bifall ska beloppet vara mer än 0 kr och högst " + aid.Swedish() + "."
	case o == skalig.OutcomePartlyApproved && !reduced && (amount <= 0 || amount >= aid):
		msg = "Vid delvis bifall ska beloppet vara mer än 0 kr och mindre än " + aid.Swedish() + "."
	case o == skalig.OutcomeRejected && amount != 0:
		msg = "Ett avslag beviljar inget belopp."
	default:
		return nil
	}
	return &skalig.Error{Code: skalig.EINVALID, Message: "Beslutet är inte giltigt.", Fields: []skalig.FieldError{{Field: "amount", Message: msg}}}
}

// GroundedReasons is the statement of reasons of a person's decision with
// outcome o: the Swedish text of each chosen ground (skalig.Grounds, in
// the order chosen), then the person's own reasons. It checks that every
// ground is a registered one (field "grounds[i]") and that a decision that
// does not approve in full has a ground or a reason of its own (field
// "grounds"). Decide applies it; the caseworker's page asks it first to
// show the error at the form's field.
func GroundedReasons(o skalig.Outcome, grounds, reasons []string) ([]string, error) {
	var fe []skalig.FieldError
	var out []string
	for i, code := range grounds {
		g, ok := skalig.LookupGround(code)
		if !ok {
			fe = append(fe, skalig.FieldError{Field: fmt.Sprintf("grounds[%d]", i),
				Message: "Skälet " + strconv.Quote(code) + " finns inte. Välj bland: " + groundCodes() + "."})
			continue
		}
		if !slices.Contains(out, g.Text()) {
			out = append(out, g.Text())
		}
	}
	out = append(out, reasons...)
	if len(fe) == 0 && (o == skalig.OutcomePartlyApproved || o == skalig.OutcomeRejected) && len(out) == 0 {
		fe = append(fe, skalig.FieldError{Field: "grounds",
			Message: "Ett beslut som inte bifaller helt ska motiveras: välj minst ett skäl eller skriv en egen motivering."})
	}
	if len(fe) > 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Beslutet är inte giltigt.", Fields: fe}
	}
	return out, nil
}

// groundCodes lists the registered ground codes for a message.
func groundCodes() string {
	var cs []string
	for _, g := range skalig.Grounds() {
		cs = append(cs, g.Code)
	}
	return strings.Join(cs, ", ")
}

// mayDecide checks the person's role for outcome o.
func mayDecide(p *skalig.Person, o skalig.Outcome) error {
	switch {
	case p.HasRole(skalig.StaffCaseworker):
		return nil
	case p.HasRole(skalig.StaffFinancialAssistant) && o == skalig.OutcomeApproved:
		return nil
	case p.HasRole(skalig.StaffFinancialAssistant):
		return errOnlyCaseworker
	}
	return errMayNotDecide
}

// adjusters returns the subjects of the persons who adjusted items of the
// case.
func (w *Workflow) adjusters(ctx context.Context, caseID string) ([]string, error) {
	rs, err := w.cases.Records(ctx, caseID, RecordAdjustment)
	if err != nil {
		return nil, err
	}
	// Who calculated the case by hand assessed every item of it.
	ms, err := w.cases.Records(ctx, caseID, RecordManualCalculation)
	if err != nil {
		return nil, err
	}
	rs = append(rs, ms...)
	var out []string
	for _, r := range rs {
		var body struct {
			Caseworker string `json:"caseworker"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return nil, err
		}
		if !slices.Contains(out, body.Caseworker) {
			out = append(out, body.Caseworker)
		}
	}
	return out, nil
}

// needsSecondPerson reports whether the municipality's four-eyes rule makes
// a decision with outcome o and amount a proposal: every rejection under
// FourEyesReject; under FourEyesOverride, every decision that departs from
// the automated proposal (routing's outcome and the calculated aid), which
// any adjustment by a person makes it.
func needsSecondPerson(s municipal.CaseworkSettings, o skalig.Outcome, amount skalig.Money, routed skalig.Outcome, aid skalig.Money, adjusted bool) bool {
	departs := o != routed || amount != aid || adjusted
	return (s.FourEyesReject && o == skalig.OutcomeRejected) || (s.FourEyesOverride && departs)
}

// Decide records a person's decision on the case's latest calculation, with
// a receipt naming the person, and moves the case on to notify; or, when
// the municipality's four-eyes rule applies to it, stores it as a proposal
// for a second person to sign (SignProposal). See the policy above.
//
// Errors: ENOTFOUND (also a case of a municipality the actor does not work
// for); EFORBIDDEN (the actor may not make this decision); ECONFLICT (the
// case changed, is not waiting for a person, is decided already, or has a
// proposal waiting); EINVALID (the outcome does not fit the amount).
func (w *Workflow) Decide(ctx context.Context, req DecisionRequest) (*DecisionResult, error) {
	if !req.Outcome.Valid() {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Beslutet är inte fullständigt.",
			Fields: []skalig.FieldError{{Field: "outcome", Message: "Ange bifall, delvis bifall eller avslag."}}}
	}
	reasons, err := GroundedReasons(req.Outcome, req.Grounds, req.Reasons)
	if err != nil {
		return nil, err
	}
	req.Reasons = reasons
	a, c, err := w.actorOn(ctx, req.Actor, skalig.ClientDecide, req.CaseID)
	if err != nil {
		return nil, err
	}
	if err := mayDecide(a.Person, req.Outcome); err != nil {
		return nil, err
	}
	calc, err := w.decisionBasis(ctx, c, req.Version, req.Outcome, req.Amount)
	if err != nil {
		return nil, err
	}
	req.Outcome, req.Reasons = settleOutcome(req.Outcome, req.Amount, calc, req.Reasons)
	if err := w.checkKommunicering(ctx, c, req, a.String()); err != nil {
		return nil, err
	}
	settings, err := w.config.Casework(ctx, c.Municipality, c.Month)
	if err != nil {
		return nil, err
	}
	var rr casecalc.RoutingRecord
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordRouting, &rr); err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	adj, err := w.adjusters(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if needsSecondPerson(settings, req.Outcome, req.Amount, rr.Outcome.Outcome, calc.Output.Aid, len(adj) > 0) {
		p := &store.Approval{CaseID: c.ID, CaseVersion: c.Version, Outcome: req.Outcome, Amount: req.Amount,
			Reasons: req.Reasons, NoteToSigner: req.NoteToSigner, ProposedBy: a.Subject()}
		if _, err := w.cases.Update(ctx, c.ID, func(m *store.Moves) error {
			if m.Case().Version != c.Version {
				return errStale
			}
			return m.ProposeDecision(ctx, p, a.String())
		}); err != nil {
			return nil, err
		}
		return &DecisionResult{Proposal: p}, nil
	}
	d, err := w.recordPersonDecision(ctx, c, calc, a, req.Outcome, req.Amount, req.Reasons, nil)
	if err != nil {
		return nil, err
	}
	return &DecisionResult{Decision: d}, nil
}

// recordPersonDecision records the decision of person actor a on case c
// (as read) in one transaction, with the signature of proposal p when it
// completes one.
func (w *Workflow) recordPersonDecision(ctx context.Context, c *skalig.Case, calc *casecalc.Calculation, a skalig.Actor,
	o skalig.Outcome, amount skalig.Money, reasons []string, p *store.Approval) (*skalig.Decision, error) {
	app, err := w.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	d := &skalig.Decision{CaseID: c.ID, Outcome: o, Month: c.Month, Amount: amount,
		Reasons: reasons, DecidedBy: skalig.Caseworker(a.Subject())}
	if _, err := w.cases.Change(ctx, c, func(m *store.Moves) error {
		if p != nil {
			if err := m.CloseApproval(ctx, p.ID, store.ApprovalSigned, a.Subject(), a.String(), ""); err != nil {
				return err
			}
		} else if err := m.ReturnPending(ctx, a.Subject(), a.String(),
			"Ärendet beslutades utan förslaget."); err != nil {
			// A person decided directly while a proposal waited for a
			// signature: the proposal can no longer be signed.
			return err
		}
		return w.recordDecision(ctx, m, app.Members, calc, d, a.String())
	}); err != nil {
		return nil, err
	}
	w.queue.Notify()
	return d, nil
}

// signerOn reads case caseID for actor as a second person who signs: a
// caseworker who may decide on it (the proposer check is the caller's).
func (w *Workflow) signerOn(ctx context.Context, caseID string, actor skalig.Actor) (skalig.Actor, *skalig.Case, error) {
	a, c, err := w.actorOn(ctx, actor, skalig.ClientDecide, caseID)
	if err != nil {
		return a, nil, err
	}
	if !a.Person.HasRole(skalig.StaffCaseworker) {
		return a, nil, errMayNotSign
	}
	return a, c, nil
}

// proposalFor reads the case and its pending proposal for a second person
// a, who must be a caseworker other than the one who proposed it.
func (w *Workflow) proposalFor(ctx context.Context, caseID string, actor skalig.Actor) (skalig.Actor, *skalig.Case, *store.Approval, error) {
	a, c, err := w.signerOn(ctx, caseID, actor)
	if err != nil {
		return a, nil, nil, err
	}
	p, err := w.desk.PendingApproval(ctx, c.ID)
	if err != nil {
		return a, nil, nil, err
	}
	if p.ProposedBy == a.Subject() {
		return a, nil, nil, errSignOwn
	}
	return a, c, p, nil
}

// SignProposal signs the case's pending proposal as the second person: the
// decision is recorded as theirs, and the proposal closed as signed, in one
// transaction. Nobody who adjusted items of the case signs.
//
// Errors: ENOTFOUND (no case for the actor, or no proposal); EFORBIDDEN (not
// a caseworker, the proposer, or an adjuster); ECONFLICT (the case changed
// since the proposal); EINVALID (the proposal no longer fits the
// calculation).
func (w *Workflow) SignProposal(ctx context.Context, caseID string, actor skalig.Actor) (*skalig.Decision, error) {
	a, c, p, err := w.proposalFor(ctx, caseID, actor)
	if err != nil {
		return nil, err
	}
	adj, err := w.adjusters(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if slices.Contains(adj, a.Subject()) {
		return nil, errSignAdjusted
	}
	calc, err := w.decisionBasis(ctx, c, p.CaseVersion, p.Outcome, p.Amount)
	if err != nil {
		return nil, err
	}
	return w.recordPersonDecision(ctx, c, calc, a, p.Outcome, p.Amount, p.Reasons, p)
}

// ReturnProposal returns the case's pending proposal to the one who made
// it, with the second person's note.
//
// Errors: as SignProposal.
func (w *Workflow) ReturnProposal(ctx context.Context, caseID string, actor skalig.Actor, note string) error {
	a, _, p, err := w.proposalFor(ctx, caseID, actor)
	if err != nil {
		return err
	}
	_, err = w.cases.Update(ctx, caseID, func(m *store.Moves) error {
		return m.CloseApproval(ctx, p.ID, store.ApprovalReturned, a.Subject(), a.String(), note)
	})
	return err
}

// adjuster resolves who adjusts items of a case: a caseworker (a financial
// assistant adjusts no amounts).
func (w *Workflow) adjuster(ctx context.Context, actor skalig.Actor, caseID string) (skalig.Actor, *skalig.Case, error) {
	a, c, err := w.actorOn(ctx, actor, skalig.ClientDecide, caseID)
	if err != nil {
		return a, nil, err
	}
	if !a.Person.HasRole(skalig.StaffCaseworker) {
		return a, nil, errMayNotAdjust
	}
	return a, c, nil
}

// decisionBasis checks that case c, as the deciding person saw it
// (version), can be decided now with outcome and amount, and returns the
// calculation the decision rests on: the one check before a decision and
// before the signature of a proposed one.
func (w *Workflow) decisionBasis(ctx context.Context, c *skalig.Case, version int, outcome skalig.Outcome, amount skalig.Money) (*casecalc.Calculation, error) {
	if c.Version != version {
		return nil, errStale
	}
	if err := decidable(c); err != nil {
		return nil, err
	}
	var calc casecalc.Calculation
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil {
		return nil, err
	}
	if calc.Output == nil {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet har ingen beräkning att fatta beslut på. Rätta uppgifterna så att ärendet beräknas på nytt.")
	}
	if err := amountBounds(outcome, amount, calc.Output.Aid, calc.Reduced); err != nil {
		return nil, err
	}
	return &calc, nil
}

// LatestApplicationMonth is the latest month an application may be for on
// the Swedish date today: the next month. The e-service offers the month in
// force and the next one; an application further ahead is refused
// (Submit), since nothing about that month can be known yet.
func LatestApplicationMonth(today skalig.Date) skalig.Month { return today.Month() + 1 }

// checkApplicationMonth refuses an application for a month after
// LatestApplicationMonth of now.
func checkApplicationMonth(m skalig.Month, now time.Time) error {
	last := LatestApplicationMonth(skalig.DateOf(now.In(stockholm())))
	if m > last {
		return invalidField("month", "Ansökan kan gälla högst nästa månad ("+last.String()+"). Ansök om "+m.String()+" när den månaden närmar sig.")
	}
	return nil
}

// stockholm is the time zone Swedish dates are counted in.
func stockholm() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.UTC
	}
	return loc
}
