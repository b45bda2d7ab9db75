package workflow

// Changing a decision (FL 37-39 §§): on omprövning or appeal, or on the
// decider's own initiative. The rules:
//
//   - The decider (a caseworker of the municipality) changes the decision
//     in force while a review request or appeal of it is open, or of their
//     own accord when it is wrong because of new facts or otherwise (FL
//     37-38 §§; ChangeRequest.CaseID, no request). The new decision has its
//     own receipt, on the case's latest calculation or on a new calculation
//     by hand (manual.go) entered with the change, and supersedes the old
//     one (store.CaseStore.ChangeDecision): the case has one decision in
//     force, and a decision is changed at most once.
//   - To the applicant's disadvantage (less than the decision in force
//     grants): only on a ground of FL 37 § second paragraph
//     (ChangeRequest.Ground, skalig.IsChangeGround), and only after a
//     kommunicering sent after the decision in force was answered or its
//     deadline passed, or under a named FL 25 § exception, recorded as for
//     a first decision (kommunicering.go).
//   - Four eyes: the municipality's rule for first decisions (policy.go,
//     needsSecondPerson) applies to the change as it would to a decision
//     on the calculation the change rests on; a calculation by hand, an
//     adjustment of the case and a change to the applicant's disadvantage
//     make it a departure. Such a change is a proposal
//     (store.ChangeProposal) that a second caseworker signs (SignChange);
//     nobody who proposed it or adjusted the case signs it, and the change
//     and the signature commit in one transaction.
//   - Money once: the change is made only when no payment of the case is on
//     its way (held, ordered, in a run: wait for the bank's answer). When
//     the new decision grants more than was paid out, the difference is
//     ordered as one payment that names the change; when it grants less,
//     nothing is paid and the overpaid amount is recorded (a claim for
//     repayment is a decision of its own, not made here).
//   - A review request is resolved as changed. An appeal is resolved as
//     changed when the change is what the applicant asked for; otherwise it
//     stays open and is forwarded to förvaltningsrätten with the new
//     decision (FL 46 §: the appeal covers the new decision). A change on
//     the decider's own initiative waits while a request or appeal is open:
//     the change is then made on it.
//   - The applicant is notified of the new decision (a decision
//     notification: the appeal period of the new decision runs from it),
//     in the words of the notice catalog (skalig.NoticeText).

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/casecheck"
	"skalig/internal/workflow/manualcalc"
)

// Record kinds of a changed decision.
const (
	RecordDecisionChanged = "decision_changed"
)

// ChangeRequest is the decider's change of the decision in force: on an
// open review request or appeal (RequestID), or on their own initiative
// (CaseID and Version).
type ChangeRequest struct {
	RequestID string // the open review request or appeal
	// CaseID and Version, without RequestID: a change on the decider's
	// own initiative (FL 37-38 §§) of the case as the decider read it.
	CaseID  string
	Version int
	Actor   skalig.Actor `json:"-"`
	Outcome skalig.Outcome
	// Amount is the aid the new decision grants, within the bounds of
	// Decide on the calculation it rests on.
	Amount  skalig.Money
	Reasons []string
	// Note says why the decision is changed; the applicant reads it.
	Note string
	// Lines, when given, are a new calculation by hand (with
	// ManualReason) on which the change rests; else it rests on the
	// case's latest calculation.
	Lines        []manualcalc.Line `json:",omitempty"`
	ManualReason string            `json:",omitempty"`
	// AsRequested says that the change is what the applicant asked for:
	// an appeal is then resolved; otherwise it stays open to be forwarded
	// (FL 46 §). A review request is resolved either way.
	AsRequested bool `json:",omitempty"`
	// Ground is the ground of FL 37 § second paragraph of a change to the
	// applicant's disadvantage (skalig.ReasonKindChangeGround).
	Ground string `json:",omitempty"`
	// KommuniceringException names the FL 25 § exception under which a
	// change to the applicant's disadvantage is made without kommunicering.
	KommuniceringException string `json:",omitempty"`
	// NoteToSigner is what the decider tells the second person when the
	// change needs a second signature; it is not part of the decision.
	NoteToSigner string `json:",omitempty"`
}

// ChangeResult is what a change made: the new decision, the payment of
// the difference (nil when none), and what was paid out beyond the new
// decision (0 when nothing); or, under the four-eyes rule, only the
// proposal waiting for a second person's signature.
type ChangeResult struct {
	Decision   *skalig.Decision
	Supersedes string
	Payment    *store.Payment
	Overpaid   skalig.Money
	Proposal   *store.ChangeProposal
}

// changePlan is a change checked against the case as read: everything
// its transaction needs.
type changePlan struct {
	req          ChangeRequest
	r            *store.ReviewRequest // nil on the decider's own initiative
	c            *skalig.Case
	old          *skalig.Decision
	app          *skalig.Application
	calc         *casecalc.Calculation
	lines        []manualcalc.Line
	manualReason string
	disadvantage bool
	waive        string // the FL 25 § exception to record
	calcBy       string // who entered the calculation by hand
}

// checkChangeRequest checks the fields of req that need no case
// (casecheck.Change), and trims its note, ground and exception.
func checkChangeRequest(req *ChangeRequest) error {
	ch := casecheck.Change{Outcome: req.Outcome, Note: req.Note, NoteToSigner: req.NoteToSigner, Reasons: req.Reasons,
		Ground: req.Ground, KommuniceringException: req.KommuniceringException, Target: req.RequestID != "" || req.CaseID != ""}
	err := ch.Check()
	req.Note, req.Ground, req.KommuniceringException = ch.Note, ch.Ground, ch.KommuniceringException
	return err
}

// ChangeDecision changes the decision in force of the case of the open
// review request or appeal req.RequestID, or of case req.CaseID on the
// decider's own initiative, or, under the four-eyes rule, proposes the
// change for a second person to sign (SignChange). See the rules above.
//
// Errors: ENOTFOUND; EFORBIDDEN (not a caseworker of the municipality);
// ECONFLICT (resolved already, a payment on its way, no calculation, no
// account for the difference, changed meanwhile, a request open on an own
// initiative, a change waiting for a signature, a kommunicering not yet
// answered); EINVALID (outcome, amount, note, lines, ground,
// kommunicering_exception, by field).
func (w *Workflow) ChangeDecision(ctx context.Context, req ChangeRequest) (*ChangeResult, error) {
	if err := checkChangeRequest(&req); err != nil {
		return nil, err
	}
	var r *store.ReviewRequest
	caseID := req.CaseID
	if req.RequestID != "" {
		var err error
		if r, err = w.openRequest(ctx, req.RequestID); err != nil {
			return nil, err
		}
		caseID = r.CaseID
	}
	p, c, err := w.decider(ctx, req.Actor, caseID)
	if err != nil {
		return nil, err
	}
	if r == nil && c.Version != req.Version {
		return nil, errStale
	}
	plan, err := w.planChange(ctx, req, r, c, "", p.Subject())
	if err != nil {
		return nil, err
	}
	needs, err := w.changeNeedsSecondPerson(ctx, plan)
	if err != nil {
		return nil, err
	}
	if needs {
		body, err := json.Marshal(plan.req)
		if err != nil {
			return nil, err
		}
		pp := &store.ChangeProposal{CaseID: c.ID, Supersedes: plan.old.ID, CaseVersion: c.Version, Outcome: req.Outcome,
			Amount: req.Amount, Body: body, NoteToSigner: req.NoteToSigner, ProposedBy: p.Subject()}
		if r != nil {
			pp.RequestID = r.ID
		}
		if _, err := w.cases.Update(ctx, c.ID, func(m *store.Moves) error {
			if m.Case().Version != c.Version {
				return errStale
			}
			return m.ProposeChange(ctx, pp, p.String())
		}); err != nil {
			return nil, err
		}
		return &ChangeResult{Proposal: pp, Supersedes: plan.old.ID}, nil
	}
	pending, err := w.cases.PendingChange(ctx, c.ID)
	if err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	return w.commitChange(ctx, plan, p, pending, false)
}

// changeNeedsSecondPerson applies the municipality's four-eyes rule to
// the change of plan (see the rules above).
func (w *Workflow) changeNeedsSecondPerson(ctx context.Context, plan *changePlan) (bool, error) {
	c := plan.c
	settings, err := w.config.Casework(ctx, c.Municipality, c.Month)
	if err != nil {
		return false, err
	}
	var rr casecalc.RoutingRecord
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordRouting, &rr); err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return false, err
	}
	adj, err := w.adjusters(ctx, c.ID)
	if err != nil {
		return false, err
	}
	departs := len(adj) > 0 || plan.lines != nil || plan.disadvantage
	return needsSecondPerson(settings, plan.req.Outcome, plan.req.Amount, rr.Outcome.Outcome, plan.calc.Output.Aid, departs), nil
}

// planChange checks req against case c (read) and request r (nil on the
// decider's own initiative); supersedes, when set, must be the decision in
// force (a proposal's); calcBy is who entered a calculation by hand.
func (w *Workflow) planChange(ctx context.Context, req ChangeRequest, r *store.ReviewRequest, c *skalig.Case, supersedes, calcBy string) (*changePlan, error) {
	switch c.State {
	case skalig.StatePaid, skalig.StateClosed:
	case skalig.StateNotified:
		return nil, skalig.Errorf(skalig.ECONFLICT, "Utbetalningen enligt beslutet pågår. Ändra beslutet när banken har svarat.")
	default:
		if c.DecidedAt.IsZero() {
			return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet är inte beslutat ännu; det finns inget beslut att ändra.")
		}
		return nil, skalig.Errorf(skalig.ECONFLICT, "Beslutet kan inte ändras nu (%s). Beställ först en utbetalning som banken har avvisat.", c.State.Swedish())
	}
	if r == nil {
		rs, err := w.cases.CaseReviewRequests(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(rs, func(q store.ReviewRequest) bool { return q.Open() }) {
			return nil, skalig.Errorf(skalig.ECONFLICT, "Den sökande har begärt omprövning eller överklagat beslutet. Ändra beslutet när du prövar begäran.")
		}
	}
	plan := &changePlan{req: req, r: r, c: c, calcBy: calcBy}
	if _, pending, err := w.cases.PaidOut(ctx, c.ID); err != nil {
		return nil, err
	} else if pending {
		return nil, skalig.Errorf(skalig.ECONFLICT, "En utbetalning i ärendet är på väg. Ändra beslutet när banken har svarat.")
	}
	var err error
	if plan.old, err = w.cases.CaseDecision(ctx, c.ID); err != nil {
		return nil, err
	}
	if supersedes != "" && plan.old.ID != supersedes {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Beslutet har ändrats sedan ändringen föreslogs. Lämna tillbaka förslaget.")
	}
	if plan.app, err = w.cases.CaseApplication(ctx, c.ID); err != nil {
		return nil, err
	}
	if len(req.Lines) > 0 {
		if plan.lines, plan.manualReason, err = manualcalc.Check(req.Lines, req.ManualReason, plan.app.Members); err != nil {
			return nil, err
		}
		plan.calc = manualCalculation(c, plan.lines, calcBy, w.db.Clock())
		if req.Outcome == skalig.OutcomeApproved && req.Amount == 0 {
			// Bifall on a new calculation by hand grants its total: the
			// form that sends the lines need not add them up.
			req.Amount = plan.calc.Output.Aid
			plan.req.Amount = req.Amount
		}
	} else {
		plan.calc = &casecalc.Calculation{}
		if err := w.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, plan.calc); err != nil {
			return nil, err
		}
		if plan.calc.Output == nil {
			return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet har ingen beräkning att ändra beslutet på. Ange en beräkning för hand.")
		}
	}
	if err := amountBounds(req.Outcome, req.Amount, plan.calc.Output.Aid, plan.calc.Reduced); err != nil {
		return nil, err
	}
	req.Outcome, req.Reasons = settleOutcome(req.Outcome, req.Amount, plan.calc, req.Reasons)
	plan.req.Outcome, plan.req.Reasons = req.Outcome, req.Reasons
	plan.disadvantage = req.Amount < plan.old.Amount
	if !plan.disadvantage {
		return plan, nil
	}
	if req.Ground == "" {
		return nil, invalidField("ground", "Ändringen går den sökande emot. Ett beslut får bara ändras till den sökandes nackdel på en grund i 37 § andra stycket förvaltningslagen: välj grunden.")
	}
	if plan.waive, err = w.changeKommunicering(ctx, c, plan.old, req.KommuniceringException); err != nil {
		return nil, err
	}
	return plan, nil
}

// notice is a notification to the applicant in Mina sidor: the Swedish
// text of notice id with args, and the id and args for other languages.
func notice(kind, id string, args ...any) map[string]any {
	strs := make([]string, len(args))
	for i, a := range args {
		strs[i] = fmt.Sprint(a)
	}
	return map[string]any{"kind": kind, "channel": "mina_sidor", "notice": id, "args": strs, "text": skalig.NoticeText(id, args...)}
}

// commitChange makes the change of plan as the decider a in one
// transaction: the new decision and its receipt, the signature of the
// proposal pp it completes (signed) or the return of a proposal it passes
// by, the resolution of the request, the payment of the difference, the
// records and the notification.
func (w *Workflow) commitChange(ctx context.Context, plan *changePlan, a skalig.Actor, pp *store.ChangeProposal, signed bool) (*ChangeResult, error) {
	req, r, c, old, calc := plan.req, plan.r, plan.c, plan.old, plan.calc
	d := &skalig.Decision{CaseID: c.ID, Outcome: req.Outcome, Month: c.Month, Amount: req.Amount,
		Reasons: req.Reasons, DecidedBy: skalig.Caseworker(a.Subject())}
	if plan.waive != "" {
		d.Reasons = append(slices.Clone(d.Reasons), skalig.ReasonText(plan.waive))
	}
	rc, err := casecalc.Receipt(c, plan.app.Members, calc, d)
	if err != nil {
		return nil, err
	}
	account := ""
	if f, ok, err := w.cases.LatestFact(ctx, c.ID, skalig.KindPaymentAccount); err != nil {
		return nil, err
	} else if ok && f.Value.IsText {
		account = f.Value.Text
	}
	hist, err := w.cases.DecisionHistory(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	by := a.String()
	requestID, kind := "", ""
	if r != nil {
		requestID, kind = r.ID, r.Kind
	}
	res := &ChangeResult{Decision: d, Supersedes: old.ID}
	_, err = w.cases.Update(ctx, c.ID, func(m *store.Moves) error {
		if m.Case().Version != c.Version {
			return errStale
		}
		paid, pending, err := m.PaidOut(ctx)
		if err != nil {
			return err
		}
		if pending {
			return skalig.Errorf(skalig.ECONFLICT, "En utbetalning i ärendet är på väg. Ändra beslutet när banken har svarat.")
		}
		switch {
		case pp != nil && signed:
			err = m.CloseChange(ctx, pp.ID, store.ApprovalSigned, a.Subject(), by, "")
		case pp != nil:
			// A change made directly while a proposal waited: the
			// proposal can no longer be signed.
			err = m.CloseChange(ctx, pp.ID, store.ApprovalReturned, a.Subject(), by, "Beslutet ändrades utan förslaget.")
		}
		if err != nil {
			return err
		}
		if err := m.ChangeDecision(ctx, old, d, rc, requestID); err != nil {
			return err
		}
		if plan.lines != nil {
			if err := m.AddRecord(ctx, by, RecordManualCalculation, map[string]any{
				"caseworker": plan.calcBy, "reason": plan.manualReason, "lines": plan.lines, "aid": calc.Output.Aid, "decision_id": d.ID}); err != nil {
				return err
			}
			if err := m.AddRecord(ctx, by, store.RecordCalculation, calc); err != nil {
				return err
			}
		}
		if plan.waive != "" {
			rec := waiverRecord(plan.waive, d.Outcome)
			rec["decision_id"] = d.ID
			if err := m.AddRecord(ctx, by, RecordKommuniceringWaived, rec); err != nil {
				return err
			}
		}
		resolve := r != nil && (r.Kind != store.ReviewKindAppeal || req.AsRequested)
		if resolve {
			if err := m.ResolveReviewRequest(ctx, r.ID, store.ResolutionChanged, by, req.Note); err != nil {
				return err
			}
		}
		diff := d.Amount - paid
		if diff > 0 {
			if account == "" {
				return skalig.Errorf(skalig.ECONFLICT, "Ärendet saknar kontonummer för utbetalningen av mellanskillnaden.")
			}
			now := w.db.Clock()
			pay := &store.Payment{DecisionID: hist[0].ID, ChangeID: d.ID, CaseID: c.ID, Amount: diff, Account: account, PayOn: skalig.DateOf(now)}
			var h store.AccountHistory
			if w.cfg.Payments.NeedsHistory() {
				if h, err = m.PaymentAccountHistory(ctx, account); err != nil {
					return err
				}
			}
			if reason := w.cfg.Payments.Hold(pay.Amount, account, h, now); reason != "" {
				pay.Status, pay.HoldReason = store.PaymentHeld, reason
			}
			if err := m.CreatePayment(ctx, pay, by); err != nil {
				return err
			}
			res.Payment = pay
		} else if diff < 0 {
			res.Overpaid = -diff
		}
		rec := map[string]any{
			"decision_id": d.ID, "supersedes": old.ID, "request_id": requestID, "kind": kind, "outcome": d.Outcome,
			"amount": d.Amount, "paid_before": paid, "difference_paid": max(diff, 0), "overpaid": res.Overpaid,
			"note": req.Note, "resolved": resolve, "receipt": rc.Hash, "own_initiative": r == nil}
		if req.Ground != "" && plan.disadvantage {
			rec["ground"], rec["ground_text"] = req.Ground, skalig.ReasonText(req.Ground)
		}
		if pp != nil && signed {
			rec["proposal_id"], rec["proposed_by"] = pp.ID, pp.ProposedBy
		}
		if err := m.AddRecord(ctx, by, RecordDecisionChanged, rec); err != nil {
			return err
		}
		n := notice("decision", changeNoticeID(kind), c.Month.String(), d.Outcome.Swedish(), d.Amount.Swedish(), req.Note)
		var more []string
		switch {
		case diff > 0:
			more = append(more, skalig.NoticeText("notice.change.difference_paid", diff.Swedish()))
		case diff < 0:
			more = append(more, skalig.NoticeText("notice.change.overpaid", (-diff).Swedish()))
		}
		if kind == store.ReviewKindAppeal && !resolve {
			more = append(more, skalig.NoticeText("notice.change.appeal_continues"))
		} else {
			more = append(more, skalig.NoticeText("notice.change.appeal_rights"))
		}
		n["text"] = strings.Join(append([]string{n["text"].(string)}, more...), " ")
		n["decision_id"], n["supersedes"], n["request_id"] = d.ID, old.ID, requestID
		return m.AddRecord(ctx, by, store.RecordNotification, n)
	})
	if err != nil {
		return nil, err
	}
	w.metrics.decided.WithLabelValues(string(d.Outcome), "false").Inc()
	return res, nil
}

// changeNoticeID is the notice of a change on a request of kind ("" on
// the decider's own initiative).
func changeNoticeID(kind string) string {
	switch kind {
	case store.ReviewKindAppeal:
		return "notice.change.appeal"
	case "":
		return "notice.change.own"
	}
	return "notice.change.review"
}

// changeKommunicering applies FL 25 § to a change to the applicant's
// disadvantage of the decision in force old of case c: a kommunicering
// sent after it was answered or its deadline passed, or else the named
// exception ex, which is returned to be recorded with the change.
func (w *Workflow) changeKommunicering(ctx context.Context, c *skalig.Case, old *skalig.Decision, ex string) (string, error) {
	rs, err := w.cases.Records(ctx, c.ID, "")
	if err != nil {
		return "", err
	}
	var k *Kommunicering
	answered := false
	for _, r := range rs {
		switch {
		case r.Kind == RecordKommunicering && r.At.After(old.DecidedAt):
			k = &Kommunicering{}
			if err := json.Unmarshal(r.Body, k); err != nil {
				return "", err
			}
			answered = false
		case r.Kind == RecordKommuniceringAnswer && k != nil:
			answered = true
		}
	}
	if k != nil && !answered {
		due, ok := skalig.ParseDate(k.Due)
		switch {
		case !ok || !casecheck.DayAfter(due).After(w.db.Clock()):
			answered = true // the deadline passed
		case ex == "":
			return "", skalig.Errorf(skalig.ECONFLICT, "Den sökande har till och med %s på sig att yttra sig. Ändra beslutet efter det.", k.Due)
		}
	}
	if answered {
		return "", nil
	}
	if ex == "" {
		return "", invalidField("kommunicering_exception", "Ändringen går den sökande emot. Skicka först uppgifterna som ändringen bygger på till den sökande för yttrande (kommunicering), eller ange varför det inte behövs (25 § förvaltningslagen).")
	}
	return ex, nil
}

// SignChange signs the case's change waiting for a second person as that
// person: the change is made as theirs, and the proposal closed as signed,
// in one transaction. The checks of ChangeDecision are made again on the
// case as it is now.
//
// Errors: ENOTFOUND (no case for the actor, or no change waiting);
// EFORBIDDEN (not a caseworker, the proposer, or an adjuster); ECONFLICT
// (the case or the decision changed since, a payment on its way, the
// request resolved); EINVALID (the change no longer fits).
func (w *Workflow) SignChange(ctx context.Context, caseID string, actor skalig.Actor) (*ChangeResult, error) {
	a, c, pp, err := w.changeProposalFor(ctx, caseID, actor)
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
	if c.Version != pp.CaseVersion {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet har ändrats sedan ändringen föreslogs. Lämna tillbaka förslaget så att det kan göras om.")
	}
	var req ChangeRequest
	if err := json.Unmarshal(pp.Body, &req); err != nil {
		return nil, fmt.Errorf("change proposal %s: %w", pp.ID, err)
	}
	req.Actor = a
	var r *store.ReviewRequest
	if pp.RequestID != "" {
		if r, err = w.openRequest(ctx, pp.RequestID); err != nil {
			return nil, err
		}
	}
	plan, err := w.planChange(ctx, req, r, c, pp.Supersedes, pp.ProposedBy)
	if err != nil {
		return nil, err
	}
	return w.commitChange(ctx, plan, a, pp, true)
}

// ReturnChange returns the case's change waiting for a second person to
// the one who proposed it, with the second person's note; the decision in
// force stands.
//
// Errors: as SignChange; EINVALID (field "note").
func (w *Workflow) ReturnChange(ctx context.Context, caseID string, actor skalig.Actor, note string) error {
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 2000 || skalig.ContainsControl(note) {
		return invalidField("note", "Skriv varför ändringen lämnas tillbaka (högst 2 000 tecken).")
	}
	a, _, pp, err := w.changeProposalFor(ctx, caseID, actor)
	if err != nil {
		return err
	}
	_, err = w.cases.Update(ctx, caseID, func(m *store.Moves) error {
		return m.CloseChange(ctx, pp.ID, store.ApprovalReturned, a.Subject(), a.String(), note)
	})
	return err
}

// changeProposalFor reads the case and its change waiting for a second
// person a, a caseworker other than the one who proposed it.
func (w *Workflow) changeProposalFor(ctx context.Context, caseID string, actor skalig.Actor) (skalig.Actor, *skalig.Case, *store.ChangeProposal, error) {
	a, c, err := w.signerOn(ctx, caseID, actor)
	if err != nil {
		return a, nil, nil, err
	}
	pp, err := w.cases.PendingChange(ctx, c.ID)
	if err != nil {
		return a, nil, nil, err
	}
	if pp.ProposedBy == a.Subject() {
		return a, nil, nil, skalig.Errorf(skalig.EFORBIDDEN, "Du kan inte signera en ändring som du själv har föreslagit. En annan handläggare behöver signera den.")
	}
	return a, c, pp, nil
}

// PendingChange returns the case's change waiting for a second person's
// signature, with the change as proposed.
//
// Errors: ENOTFOUND (none).
func (w *Workflow) PendingChange(ctx context.Context, caseID string) (*store.ChangeProposal, *ChangeRequest, error) {
	pp, err := w.cases.PendingChange(ctx, caseID)
	if err != nil {
		return nil, nil, err
	}
	var req ChangeRequest
	if err := json.Unmarshal(pp.Body, &req); err != nil {
		return nil, nil, fmt.Errorf("change proposal %s: %w", pp.ID, err)
	}
	return pp, &req, nil
}

// PendingChanges returns the changes waiting for a second person's
// signature in municipality, oldest first: the list the deciders work
// from.
func (w *Workflow) PendingChanges(ctx context.Context, municipality string) ([]*store.ChangeProposal, error) {
	return w.cases.PendingChanges(ctx, municipality)
}
