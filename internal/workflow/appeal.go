package workflow

// After the application: withdrawal before a decision, review requests
// (omprövning, FL 37-39 §§) and appeals (överklagande, FL 44-45 §§) after
// it. The rules:
//
//   - The applicant (or a client with the submit action, for the
//     applicant) withdraws an application until it is decided: the case
//     becomes withdrawn, its waiting jobs are deleted, nothing is paid. A
//     decided case is never withdrawn; the decision stands until it is
//     changed on review or appeal.
//   - A review request or an appeal of a decided case is a row in the
//     review queue of its municipality (store.ReviewRequests, with its
//     count). It reopens nothing by itself: the case stays where it is.
//   - An appeal must come in within three weeks of the day the applicant
//     was notified of the decision (FL 44 §). A later appeal is recorded
//     and flagged late: the decider judges whether to reject it as late
//     (FL 45 §); Skälig rejects nothing by itself.
//   - The decider (a caseworker of the municipality) resolves a request:
//     the decision stands (kept), or, for an appeal, it is forwarded with
//     the case file to förvaltningsrätten (FL 45 §: within a week), or
//     rejected as late. Every step is audited and recorded on the case as
//     a notification the applicant sees.

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/workflow/appealfile"
	"skalig/internal/workflow/casecheck"
)

// ForwardWithinDays is the time FL 45 § gives the authority to forward an
// appeal it does not grant to the court.
const ForwardWithinDays = 7

// Record kinds of review requests and appeals.
const (
	RecordReviewRequest   = "review_request"
	RecordAppeal          = "appeal"
	RecordAppealForwarded = "appeal_forwarded"
	RecordReviewResolved  = "review_resolved"
)

// applicantCase checks that pn is a person of the case and returns it;
// another's case does not exist for pn.
func (w *Workflow) applicantCase(ctx context.Context, caseID string, pn skalig.PersonalNumber) (*skalig.Case, error) {
	ok, err := w.cases.IsCasePerson(ctx, caseID, pn)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoCase
	}
	return w.cases.Case(ctx, caseID)
}

// forApplicant checks that client actor may act for the applicant on the
// case: its scope allows submissions, and reaches the case's municipality.
func (w *Workflow) forApplicant(ctx context.Context, caseID string, a skalig.Actor) (*skalig.Case, error) {
	if a.Client == nil {
		return nil, skalig.Errorf(skalig.EFORBIDDEN, "Bara den sökande eller en API-nyckel för ansökningar kan göra detta.")
	}
	if !a.Client.May(skalig.ClientSubmit) {
		return nil, skalig.Errorf(skalig.EFORBIDDEN, "API-nyckeln får inte göra detta (submit saknas i nyckelns behörighet).")
	}
	c, err := w.cases.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !a.InMunicipality(c.Municipality) {
		return nil, errNoCase
	}
	return c, nil
}

// Withdraw withdraws the application of pn, a person of the case, before
// it is decided.
//
// Errors: ENOTFOUND; ECONFLICT (decided or closed already).
func (w *Workflow) Withdraw(ctx context.Context, caseID string, pn skalig.PersonalNumber) error {
	if _, err := w.applicantCase(ctx, caseID, pn); err != nil {
		return err
	}
	_, err := w.withdraw(ctx, caseID, -1, "applicant")
	return err
}

// WithdrawAs withdraws the application for the applicant through a
// machine client whose scope allows submissions in the case's
// municipality, if the case is still at version.
//
// Errors: ENOTFOUND; EFORBIDDEN; ECONFLICT (stale version, decided or
// closed already).
func (w *Workflow) WithdrawAs(ctx context.Context, caseID string, version int, a skalig.Actor) (*skalig.Case, error) {
	if _, err := w.forApplicant(ctx, caseID, a); err != nil {
		return nil, err
	}
	return w.withdraw(ctx, caseID, version, a.String())
}

// withdraw makes the case withdrawn in one transaction with the deletion
// of its waiting jobs and a notification to the applicant; version < 0
// withdraws whatever the version.
func (w *Workflow) withdraw(ctx context.Context, caseID string, version int, by string) (*skalig.Case, error) {
	// A decision waiting for a second signature is returned: there is
	// nothing left to decide.
	pending, err := w.desk.PendingApproval(ctx, caseID)
	if err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	return w.cases.Update(ctx, caseID, func(m *store.Moves) error {
		c := m.Case()
		switch {
		case version >= 0 && c.Version != version:
			return errStale
		case c.State == skalig.StateWithdrawn:
			return skalig.Errorf(skalig.ECONFLICT, "Ansökan är redan återtagen.")
		case !c.DecidedAt.IsZero() || c.State == skalig.StateDecided:
			return skalig.Errorf(skalig.ECONFLICT, "Ansökan är redan beslutad och kan inte tas tillbaka. Du kan begära omprövning eller överklaga beslutet.")
		case !c.State.CanTransition(skalig.StateWithdrawn):
			return skalig.Errorf(skalig.ECONFLICT, "Ansökan kan inte tas tillbaka nu (%s).", c.State.Swedish())
		}
		if err := w.move(ctx, m, skalig.StateWithdrawn, by, skalig.ReasonWithdrawnByApplicant); err != nil {
			return err
		}
		if _, err := m.CancelJobs(ctx, by); err != nil {
			return err
		}
		if pending != nil {
			if err := m.CloseApproval(ctx, pending.ID, store.ApprovalReturned, "applicant", by,
				"Ansökan togs tillbaka innan beslutet signerades."); err != nil {
				return err
			}
		}
		return m.AddRecord(ctx, by, store.RecordNotification, notice("withdrawn", "notice.withdrawn", c.Month.String()))
	})
}

// notifiedAt returns when the decision of the case of m was notified: the
// time of the case's decision notification.
func notifiedAt(ctx context.Context, m *store.Moves, decisionID string) (time.Time, error) {
	rs, err := m.Records(ctx, store.RecordNotification)
	if err != nil {
		return time.Time{}, err
	}
	for _, r := range rs {
		var n struct {
			Kind       string `json:"kind"`
			DecisionID string `json:"decision_id"`
		}
		if json.Unmarshal(r.Body, &n) == nil && n.Kind == "decision" && n.DecisionID == decisionID {
			return r.At, nil
		}
	}
	return time.Time{}, nil
}

// addRequest stores a review request or an appeal of the decided case c
// by by, with its record and a notification to the applicant.
func (w *Workflow) addRequest(ctx context.Context, c *skalig.Case, kind, text, by string) (*store.ReviewRequest, error) {
	var r *store.ReviewRequest
	_, err := w.cases.Change(ctx, c, func(m *store.Moves) error {
		var err error
		r, err = w.addRequestTo(ctx, m, kind, text, by)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// addRequestTo is addRequest in the change m.
func (w *Workflow) addRequestTo(ctx context.Context, m *store.Moves, kind, text, by string) (*store.ReviewRequest, error) {
	c := m.Case()
	r := &store.ReviewRequest{CaseID: c.ID, Municipality: c.Municipality, Kind: kind, Text: text, RequestedBy: by}
	d, err := m.Decision(ctx)
	if err != nil {
		return nil, err
	}
	r.DecisionID = d.ID
	open, err := m.OpenReviewRequest(ctx, kind, d.ID)
	if err != nil {
		return nil, err
	}
	if open {
		if kind == store.ReviewKindAppeal {
			return nil, skalig.Errorf(skalig.ECONFLICT, "Du har redan överklagat beslutet. Överklagandet prövas; du kan följa det i ärendet.")
		}
		return nil, skalig.Errorf(skalig.ECONFLICT, "Du har redan begärt omprövning av beslutet. Begäran prövas; du kan följa den i ärendet.")
	}
	if kind == store.ReviewKindAppeal {
		if r.NotifiedAt, err = notifiedAt(ctx, m, d.ID); err != nil {
			return nil, err
		}
		if r.NotifiedAt.IsZero() {
			return nil, skalig.Errorf(skalig.ECONFLICT, "Beslutet har ännu inte skickats till dig. Du kan överklaga när du har fått det.")
		}
		r.Late = casecheck.AppealLate(r.NotifiedAt, w.db.Clock())
	}
	if err := m.AddReviewRequest(ctx, r); err != nil {
		return nil, err
	}
	recKind, msg := RecordReviewRequest, "notice.review.received"
	if kind == store.ReviewKindAppeal {
		recKind, msg = RecordAppeal, "notice.appeal.received"
		if r.Late {
			msg = "notice.appeal.received_late"
		}
	}
	if err := m.AddRecord(ctx, by, recKind, map[string]any{
		"request_id": r.ID, "decision_id": d.ID, "text": text, "late": r.Late}); err != nil {
		return nil, err
	}
	n := notice(recKind, msg)
	n["request_id"] = r.ID
	if err := m.AddRecord(ctx, by, store.RecordNotification, n); err != nil {
		return nil, err
	}
	return r, nil
}

// decided returns ECONFLICT unless c has a decision.
func decidedCase(c *skalig.Case, what string) error {
	if c.DecidedAt.IsZero() {
		return skalig.Errorf(skalig.ECONFLICT, "Ärendet är inte beslutat ännu; det finns inget beslut att %s.", what)
	}
	return nil
}

// Appeal records the applicant pn's appeal of the decision of the case,
// with text: a row in the review queue, flagged late when it came in after
// the appeal period.
//
// Errors: ENOTFOUND; EINVALID (field "text"); ECONFLICT (not decided or
// not yet notified).
func (w *Workflow) Appeal(ctx context.Context, caseID string, pn skalig.PersonalNumber, text string) (*store.ReviewRequest, error) {
	text, err := casecheck.RequestText(text, "")
	if err != nil {
		return nil, err
	}
	c, err := w.applicantCase(ctx, caseID, pn)
	if err != nil {
		return nil, err
	}
	if err := decidedCase(c, "överklaga"); err != nil {
		return nil, err
	}
	return w.addRequest(ctx, c, store.ReviewKindAppeal, text, "applicant")
}

// AppealAs records an appeal for the applicant through a machine client
// whose scope allows submissions in the case's municipality.
//
// Errors: as Appeal; EFORBIDDEN.
func (w *Workflow) AppealAs(ctx context.Context, caseID string, a skalig.Actor, text string) (*store.ReviewRequest, error) {
	text, err := casecheck.RequestText(text, "")
	if err != nil {
		return nil, err
	}
	c, err := w.forApplicant(ctx, caseID, a)
	if err != nil {
		return nil, err
	}
	if err := decidedCase(c, "överklaga"); err != nil {
		return nil, err
	}
	return w.addRequest(ctx, c, store.ReviewKindAppeal, text, a.String())
}

// RequestReviewAs records a review request for the applicant through a
// machine client whose scope allows submissions.
//
// Errors: ENOTFOUND; EFORBIDDEN; EINVALID (field "text"); ECONFLICT (not
// decided).
func (w *Workflow) RequestReviewAs(ctx context.Context, caseID string, a skalig.Actor, text string) (*store.ReviewRequest, error) {
	text, err := casecheck.RequestText(text, defaultReviewText)
	if err != nil {
		return nil, err
	}
	c, err := w.forApplicant(ctx, caseID, a)
	if err != nil {
		return nil, err
	}
	if err := decidedCase(c, "ompröva"); err != nil {
		return nil, err
	}
	return w.addRequest(ctx, c, store.ReviewKindReview, text, a.String())
}

const defaultReviewText = "Jag vill att en handläggare prövar mitt ärende."

// decider resolves the person who may resolve a review request of the
// case: a caseworker of its municipality (a person signed in, or the one
// a client with the decide action acts for).
func (w *Workflow) decider(ctx context.Context, a skalig.Actor, caseID string) (skalig.Actor, *skalig.Case, error) {
	p, c, err := w.actorOn(ctx, a, skalig.ClientDecide, caseID)
	if err != nil {
		return p, nil, err
	}
	if !p.Person.HasRole(skalig.StaffCaseworker) {
		return p, nil, skalig.Errorf(skalig.EFORBIDDEN, "Bara en handläggare kan pröva en begäran om omprövning eller ett överklagande.")
	}
	return p, c, nil
}

// openRequest reads the open request id.
func (w *Workflow) openRequest(ctx context.Context, id string) (*store.ReviewRequest, error) {
	r, err := w.cases.ReviewRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if !r.Open() {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Begäran är redan avgjord (%s).", r.Resolution)
	}
	return r, nil
}

// KeepDecision resolves the open review request or appeal id: the
// decider finds no reason to change the decision (FL 38-39 §§), with a
// mandatory note. An appeal then still goes to the court: ForwardAppeal.
// For a review request the applicant is told that the decision stands and
// how to appeal it.
//
// Errors: ENOTFOUND; EFORBIDDEN; ECONFLICT (resolved already); EINVALID
// (field "note").
func (w *Workflow) KeepDecision(ctx context.Context, id string, a skalig.Actor, note string) error {
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return invalidField("note", "Skriv varför beslutet står fast. Motiveringen sparas i ärendet.")
	case utf8.RuneCountInString(note) > 5000:
		return invalidField("note", "Skriv högst 5 000 tecken.")
	case skalig.ContainsControl(note):
		return invalidField("note", skalig.ControlCharMessage)
	}
	r, err := w.openRequest(ctx, id)
	if err != nil {
		return err
	}
	if r.Kind == store.ReviewKindAppeal {
		return skalig.Errorf(skalig.ECONFLICT, "Ett överklagande som inte leder till ett ändrat beslut ska skickas till förvaltningsrätten (45 § förvaltningslagen).")
	}
	p, _, err := w.decider(ctx, a, r.CaseID)
	if err != nil {
		return err
	}
	by := p.String()
	_, err = w.cases.Update(ctx, r.CaseID, func(m *store.Moves) error {
		if err := m.ResolveReviewRequest(ctx, r.ID, store.ResolutionKept, by, note); err != nil {
			return err
		}
		if err := m.AddRecord(ctx, by, RecordReviewResolved, map[string]any{
			"request_id": r.ID, "resolution": store.ResolutionKept, "note": note}); err != nil {
			return err
		}
		n := notice(RecordReviewResolved, "notice.review.kept", note)
		n["request_id"] = r.ID
		return m.AddRecord(ctx, by, store.RecordNotification, n)
	})
	return err
}

// RejectLateAppeal resolves the open appeal id, flagged late, by
// rejecting it as late (avvisning, FL 45 §), with a mandatory note.
//
// Errors: ENOTFOUND; EFORBIDDEN; ECONFLICT (not a late appeal, resolved
// already); EINVALID (field "note").
func (w *Workflow) RejectLateAppeal(ctx context.Context, id string, a skalig.Actor, note string) error {
	note = strings.TrimSpace(note)
	if note == "" || skalig.ContainsControl(note) || utf8.RuneCountInString(note) > 5000 {
		return invalidField("note", "Skriv varför överklagandet avvisas (högst 5 000 tecken).")
	}
	r, err := w.openRequest(ctx, id)
	if err != nil {
		return err
	}
	if r.Kind != store.ReviewKindAppeal || !r.Late {
		return skalig.Errorf(skalig.ECONFLICT, "Bara ett överklagande som kom in för sent kan avvisas.")
	}
	p, _, err := w.decider(ctx, a, r.CaseID)
	if err != nil {
		return err
	}
	by := p.String()
	_, err = w.cases.Update(ctx, r.CaseID, func(m *store.Moves) error {
		if err := m.ResolveReviewRequest(ctx, r.ID, store.ResolutionRejectedLate, by, note); err != nil {
			return err
		}
		if err := m.AddRecord(ctx, by, RecordReviewResolved, map[string]any{
			"request_id": r.ID, "resolution": store.ResolutionRejectedLate, "note": note}); err != nil {
			return err
		}
		n := notice(RecordReviewResolved, "notice.appeal.rejected_late", note)
		n["request_id"] = r.ID
		return m.AddRecord(ctx, by, store.RecordNotification, n)
	})
	return err
}

// ForwardAppeal resolves the open appeal id by forwarding it with the case
// file to förvaltningsrätten (FL 45 §): the bundle is kept with the appeal,
// and the forwarding is recorded and told to the applicant. A late appeal
// may be forwarded too (the decider found it in time after all), with a
// note saying why.
//
// Errors: ENOTFOUND; EFORBIDDEN; ECONFLICT (not an appeal, resolved
// already); EINVALID (field "note": a late appeal needs one).
func (w *Workflow) ForwardAppeal(ctx context.Context, id string, a skalig.Actor, note string) (*appealfile.Bundle, error) {
	note = strings.TrimSpace(note)
	if skalig.ContainsControl(note) || utf8.RuneCountInString(note) > 5000 {
		return nil, invalidField("note", "Skriv högst 5 000 tecken, utan styrtecken.")
	}
	r, err := w.openRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Kind != store.ReviewKindAppeal {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Bara ett överklagande skickas till förvaltningsrätten.")
	}
	if r.Late && note == "" {
		return nil, invalidField("note", "Överklagandet kom in för sent. Skriv varför det ändå skickas vidare.")
	}
	p, c, err := w.decider(ctx, a, r.CaseID)
	if err != nil {
		return nil, err
	}
	// The decision in force: when the decider changed the appealed
	// decision, but not as the applicant asked, the appeal covers the new
	// one (FL 46 §).
	d, err := w.cases.CaseDecision(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	receipt, err := w.cases.ReceiptBody(ctx, d.ReceiptHash)
	if err != nil {
		return nil, err
	}
	by := p.String()
	b := &appealfile.Bundle{Court: appealfile.Court, CaseID: c.ID, Municipality: c.Municipality, Month: c.Month.String(),
		Appeal: appealfile.Appeal{ID: r.ID, Text: r.Text, ReceivedAt: r.At, NotifiedAt: r.NotifiedAt, Late: r.Late}, AppealedDecision: r.DecisionID,
		Decision: appealfile.DecisionOf(d), Receipt: receipt, ForwardedBy: by, ForwardedAt: w.db.Clock().UTC(), Note: note}
	body, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	ref := appealfile.Ref(body)
	_, err = w.cases.Change(ctx, c, func(m *store.Moves) error {
		if err := m.ForwardAppeal(ctx, r.ID, by, note, body); err != nil {
			return err
		}
		if err := m.AddRecord(ctx, by, RecordAppealForwarded, map[string]any{
			"request_id": r.ID, "court": b.Court, "bundle": ref, "note": note,
			"in_time": !b.ForwardedAt.After(r.At.AddDate(0, 0, ForwardWithinDays))}); err != nil {
			return err
		}
		n := notice(RecordAppealForwarded, "notice.appeal.forwarded")
		n["request_id"] = r.ID
		return m.AddRecord(ctx, by, store.RecordNotification, n)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// AppealBundleOf returns the case file forwarded with the appeal id.
//
// Errors: ENOTFOUND (no such appeal, or not forwarded).
func (w *Workflow) AppealBundleOf(ctx context.Context, id string) ([]byte, error) {
	return w.cases.AppealBundle(ctx, id)
}

// AppealDeadline returns the last day the applicant may appeal the
// decision in force of the case: three weeks from the day it was notified
// (FL 44 §), Swedish dates; ok is false when the case has no notified
// decision.
func (w *Workflow) AppealDeadline(ctx context.Context, caseID string) (last skalig.Date, ok bool, err error) {
	d, err := w.cases.CaseDecision(ctx, caseID)
	if skalig.ErrorCode(err) == skalig.ENOTFOUND {
		return skalig.Date{}, false, nil
	}
	if err != nil {
		return skalig.Date{}, false, err
	}
	rs, err := w.cases.Records(ctx, caseID, store.RecordNotification)
	if err != nil {
		return skalig.Date{}, false, err
	}
	var at time.Time
	for _, r := range rs {
		var n struct {
			Kind       string `json:"kind"`
			DecisionID string `json:"decision_id"`
		}
		if json.Unmarshal(r.Body, &n) == nil && n.Kind == "decision" && n.DecisionID == d.ID {
			at = r.At
		}
	}
	if at.IsZero() {
		return skalig.Date{}, false, nil
	}
	return casecheck.AppealLastDay(at), true, nil
}
