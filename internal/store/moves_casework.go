package store

import (
	"context"
	"fmt"

	"skalig"
)

// The parts of a change (Moves) that people's casework makes, and the
// reads a change may base itself on, in its own transaction.

// AddMessage stores msg in the case; it sets ID and At.
func (m *Moves) AddMessage(ctx context.Context, msg *Message) error {
	msg.CaseID = m.c.ID
	return m.s.addMessage(ctx, m.tx, msg)
}

// AddDocumentRequest stores r (a request for documents by a date) in the
// case; it sets ID and At.
func (m *Moves) AddDocumentRequest(ctx context.Context, r *DocumentRequest) error {
	r.CaseID = m.c.ID
	return m.s.addDocumentRequest(ctx, m.tx, r)
}

// AddDocument stores d with its body in the case and, when it answers a
// request of the case, marks the request answered. It sets ID and At.
//
// Errors: ENOTFOUND (the request is not the case's).
func (m *Moves) AddDocument(ctx context.Context, d *Document, body []byte) error {
	d.CaseID = m.c.ID
	return m.s.addDocument(ctx, m.tx, d, body)
}

// OpenDocumentRequests is the number of the case's document requests not
// yet answered, as the change leaves them.
func (m *Moves) OpenDocumentRequests(ctx context.Context) (int, error) {
	var open int
	err := m.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM document_requests WHERE case_id = $1 AND answered_at IS NULL`,
		m.c.ID).Scan(&open)
	return open, err
}

// SetSampleResult stores the result of the case's sample control.
//
// Errors: ECONFLICT (the case has a result already).
func (m *Moves) SetSampleResult(ctx context.Context, r *SampleResult) error {
	r.CaseID = m.c.ID
	return m.s.setSampleResult(ctx, m.tx, r)
}

// Decision returns the case's decision.
//
// Errors: ENOTFOUND.
func (m *Moves) Decision(ctx context.Context) (*skalig.Decision, error) {
	return m.s.caseDecisionIn(ctx, m.tx, m.c.ID)
}

// Records returns the case's records of kind ("" for all), oldest first,
// as stored before this change.
func (m *Moves) Records(ctx context.Context, kind string) ([]Record, error) {
	return m.s.recordsIn(ctx, m.tx, m.c.ID, kind)
}

// OpenReviewRequest reports whether the case has an open request of kind
// about decision decisionID.
func (m *Moves) OpenReviewRequest(ctx context.Context, kind, decisionID string) (bool, error) {
	return m.s.openReviewRequest(ctx, m.tx, m.c.ID, kind, decisionID)
}

// AddReviewRequest stores r, a request for omprövning or an appeal of the
// case's decision, with its audit event; it sets ID and At.
func (m *Moves) AddReviewRequest(ctx context.Context, r *ReviewRequest) error {
	r.CaseID = m.c.ID
	return m.s.addReviewRequest(ctx, m.tx, r)
}

// ResolveReviewRequest records resolution of the case's open request id by
// actor, with note.
//
// Errors: ENOTFOUND; ECONFLICT (resolved already).
func (m *Moves) ResolveReviewRequest(ctx context.Context, id, resolution, actor, note string) error {
	return m.s.resolveReviewRequestTx(ctx, m.tx, id, resolution, actor, note, nil)
}

// ForwardAppeal resolves the case's open appeal id as forwarded by actor,
// with note, keeping bundle (the case file sent to the court, JSON) with it.
//
// Errors: ENOTFOUND; ECONFLICT (resolved already).
func (m *Moves) ForwardAppeal(ctx context.Context, id, actor, note string, bundle []byte) error {
	return m.s.resolveReviewRequestTx(ctx, m.tx, id, ResolutionForwarded, actor, note, bundle)
}

// ProposeDecision stores a as the case's pending approval, audited as
// prepared by actor (the real actor, skalig.Actor.String:
// "caseworker:<subject>", or "api:<client> for caseworker:<subject>"). It
// sets ID, ProposedAt and Status. The casework policy (workflow.Decide)
// decides when a decision needs one.
//
// Errors: ECONFLICT (the case already has a pending approval); EINVALID.
func (m *Moves) ProposeDecision(ctx context.Context, a *Approval, actor string) error {
	if a.CaseID != m.c.ID {
		return fmt.Errorf("propose decision: the approval is of case %s, not %s", a.CaseID, m.c.ID)
	}
	return m.s.proposeDecision(ctx, m.tx, a, actor)
}

// CloseApproval marks the case's pending approval id signed or returned by
// the subject by, with a note (why it was returned), audited as actor: a
// signature commits with the decision it completes (workflow.SignProposal).
//
// Errors: ENOTFOUND (no such pending approval); ECONFLICT; EINVALID.
func (m *Moves) CloseApproval(ctx context.Context, id, status, by, actor, note string) error {
	return m.s.closeApproval(ctx, m.tx, id, status, by, actor, note)
}

// ReturnPending returns the case's decision that waits for a second
// signature, if any: the case is being decided otherwise, so the proposal
// can no longer be signed. It is closed as returned by by with note,
// audited as actor like any return.
func (m *Moves) ReturnPending(ctx context.Context, by, actor, note string) error {
	return m.s.returnPending(ctx, m.tx, m.c.ID, by, actor, note)
}
