package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"skalig"
	"skalig/internal/audit"
)

// The desk's own data (staff, assignments, the queues, the pending
// approval as read) is in store/deskdb. What stays here is written in a
// case's change (Moves): a decision proposed for a second signature, and
// its signature or return.

// Audit actions of the caseworker's side.
const (
	ActionAssigned         = "case.assigned"
	ActionDecisionProposed = "decision.proposed" // four eyes: prepared, waits for a second person
	ActionApprovalClosed   = "decision.approval_closed"
	ActionConfigChanged    = "config.changed"
)

type StaffMember = skalig.StaffMember

type Assignment = skalig.Assignment

type QueueItem = skalig.QueueItem

// codeList reads a JSON list of codes (routing reasons) fast: a list of
// plain quoted strings without escapes is split; anything else goes to
// encoding/json. An empty list is nil.
func codeList(b []byte) ([]string, error) {
	t := strings.TrimSpace(string(b))
	if t == "[]" || t == "" {
		return nil, nil
	}
	if out, ok := splitCodes(t); ok {
		return out, nil
	}
	var out []string
	err := json.Unmarshal(b, &out)
	return out, err
}

func splitCodes(t string) ([]string, bool) {
	if !strings.HasPrefix(t, "[") || !strings.HasSuffix(t, "]") || strings.ContainsAny(t, "\\\n") {
		return nil, false
	}
	var out []string
	for _, part := range strings.Split(t[1:len(t)-1], ",") {
		part = strings.TrimSpace(part)
		if len(part) < 2 || part[0] != '"' || part[len(part)-1] != '"' || strings.Contains(part[1:len(part)-1], `"`) {
			return nil, false
		}
		out = append(out, part[1:len(part)-1])
	}
	return out, true
}

const (
	ApprovalPending  = skalig.ApprovalPending
	ApprovalSigned   = skalig.ApprovalSigned
	ApprovalReturned = skalig.ApprovalReturned
)

type Approval = skalig.Approval

// proposeDecision stores a as the case's pending approval in tx, audited
// as prepared by actor (the real actor, skalig.Actor.String:
// "caseworker:<subject>", or "api:<client> for caseworker:<subject>"). It
// sets ID, ProposedAt and Status. The casework policy
// (workflow.Decide) decides when a decision needs one.
//
// Errors: ECONFLICT (the case already has a pending approval); ENOTFOUND.
func (s *CaseStore) proposeDecision(ctx context.Context, tx *sql.Tx, a *Approval, actor string) error {
	for _, t := range append([]string{a.NoteToSigner}, a.Reasons...) {
		if skalig.ContainsControl(t) { // PostgreSQL refuses NUL in text and jsonb
			return skalig.Errorf(skalig.EINVALID, "%s", skalig.ControlCharMessage)
		}
	}
	if _, err := findCase(ctx, tx, a.CaseID); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_approvals WHERE case_id = $1 AND status = 'pending'`,
		a.CaseID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return skalig.Errorf(skalig.ECONFLICT, "Ärendet har redan ett beslut som väntar på en andra underskrift.")
	}
	now := s.db.now()
	a.ID, a.ProposedAt, a.Status = newID(now), now, ApprovalPending
	reasons, _ := json.Marshal(nonNil(a.Reasons))
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO case_approvals (id, case_id, case_version, outcome, amount, reasons, note_to_signer, proposed_by, proposed_at, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')`,
		a.ID, a.CaseID, a.CaseVersion, string(a.Outcome), int64(a.Amount), string(reasons), a.NoteToSigner,
		a.ProposedBy, s.db.timeArg(now)); err != nil {
		if isUniqueViolation(err) {
			return skalig.Errorf(skalig.ECONFLICT, "Ärendet har redan ett beslut som väntar på en andra underskrift.")
		}
		return fmt.Errorf("insert approval: %w", err)
	}
	data, _ := json.Marshal(map[string]any{"approval_id": a.ID, "outcome": a.Outcome, "case_version": a.CaseVersion})
	_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionDecisionProposed,
		CaseID: a.CaseID, Data: data})
	return err
}

// closeApproval marks the pending approval id signed or returned by the
// subject by, with a note (why it was returned), in tx, audited as actor
// (the real actor, see proposeDecision): a signature commits with the
// decision it completes (workflow.SignProposal).
//
// Errors: ENOTFOUND (no such pending approval); EINVALID (status).
func (s *CaseStore) closeApproval(ctx context.Context, tx *sql.Tx, id, status, by, actor, note string) error {
	if skalig.ContainsControl(note) {
		return &skalig.Error{Code: skalig.EINVALID, Message: skalig.ControlCharMessage,
			Fields: []skalig.FieldError{{Field: "note", Message: skalig.ControlCharMessage}}}
	}
	if status != ApprovalSigned && status != ApprovalReturned {
		return skalig.Errorf(skalig.EINVALID, "Okänd status för godkännandet.")
	}
	var caseID string
	err := tx.QueryRowContext(ctx, `SELECT case_id FROM case_approvals WHERE id = $1 AND status = 'pending'`, id).Scan(&caseID)
	if isNoRows(err) {
		return notFound("Beslutet som väntar på underskrift")
	}
	if err != nil {
		return err
	}
	now := s.db.now()
	res, err := tx.ExecContext(ctx, `UPDATE case_approvals SET status = $1, decided_by = $2, decided_at = $3, note = $4 WHERE id = $5 AND status = 'pending'`,
		status, by, s.db.timeArg(now), note, id)
	if err != nil {
		return fmt.Errorf("close approval: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return skalig.Errorf(skalig.ECONFLICT, "Beslutet som väntar på underskrift har redan hanterats.")
	}
	data, _ := json.Marshal(map[string]string{"approval_id": id, "status": status})
	_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionApprovalClosed, CaseID: caseID, Data: data})
	return err
}

// returnPending returns, in tx, the decision of case caseID that waits
// for a second signature, if any: the case is being decided otherwise, so
// the proposal can no longer be signed. It is closed as returned by actor
// with note, audited like any return.
func (s *CaseStore) returnPending(ctx context.Context, tx *sql.Tx, caseID, by, actor, note string) error {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM case_approvals WHERE case_id = $1 AND status = 'pending'`, caseID).Scan(&id)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pending approval of case %s: %w", caseID, err)
	}
	return s.closeApproval(ctx, tx, id, ApprovalReturned, by, actor, note)
}
