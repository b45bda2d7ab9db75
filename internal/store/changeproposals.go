package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/audit"
)

// Audit actions of a change of a decision that waits for a second person.
const (
	ActionChangeProposed = "decision.change_proposed"
	ActionChangeClosed   = "decision.change_closed"
)

// ChangeProposal is a change of the decision in force that the
// municipality's four-eyes rule makes a proposal (workflow.ChangeDecision):
// a second caseworker signs it, and the change commits with the signature.
// Body is the whole change as the workflow keeps it (JSON); the store reads
// only what it indexes.
type ChangeProposal struct {
	ID           string
	CaseID       string
	Supersedes   string // the decision in force when it was proposed
	RequestID    string // the review request or appeal; "" on the decider's own initiative
	CaseVersion  int
	Outcome      skalig.Outcome
	Amount       skalig.Money
	Body         json.RawMessage
	NoteToSigner string
	ProposedBy   string // the subject of the caseworker who proposed it
	ProposedAt   time.Time
	Status       string // ApprovalPending, ApprovalSigned, ApprovalReturned
	DecidedBy    string
	Note         string
	// Municipality is the case's (read with PendingChanges).
	Municipality string
}

const changeProposalColumns = `p.id, p.case_id, p.supersedes, p.request_id, p.case_version, p.outcome, p.amount, p.body,
	p.note_to_signer, p.proposed_by, p.proposed_at, p.status, p.decided_by, p.note, c.municipality`

func scanChangeProposal(scan func(...any) error) (*ChangeProposal, error) {
	var p ChangeProposal
	var outcome, body string
	var amount int64
	var at timeValue
	if err := scan(&p.ID, &p.CaseID, &p.Supersedes, &p.RequestID, &p.CaseVersion, &outcome, &amount, &body,
		&p.NoteToSigner, &p.ProposedBy, &at, &p.Status, &p.DecidedBy, &p.Note, &p.Municipality); err != nil {
		return nil, err
	}
	p.Outcome, p.Amount, p.ProposedAt, p.Body = skalig.Outcome(outcome), skalig.Money(amount), at.t, json.RawMessage(body)
	return &p, nil
}

// ProposeChange stores p as the case's pending change, audited as prepared
// by actor (the real actor, skalig.Actor.String). It sets ID, ProposedAt
// and Status.
//
// Errors: ECONFLICT (the case has a pending change already); EINVALID.
func (m *Moves) ProposeChange(ctx context.Context, p *ChangeProposal, actor string) error {
	if p.CaseID != m.c.ID {
		return fmt.Errorf("propose change: the proposal is of case %s, not %s", p.CaseID, m.c.ID)
	}
	if skalig.ContainsControl(p.NoteToSigner) {
		return &skalig.Error{Code: skalig.EINVALID, Message: skalig.ControlCharMessage,
			Fields: []skalig.FieldError{{Field: "note_to_signer", Message: skalig.ControlCharMessage}}}
	}
	s, tx := m.s, m.tx
	now := s.db.now()
	p.ID, p.ProposedAt, p.Status, p.Municipality = newID(now), now, ApprovalPending, m.c.Municipality
	if _, err := tx.ExecContext(ctx, `INSERT INTO change_proposals (id, case_id, supersedes, request_id, case_version, outcome,
		amount, body, note_to_signer, proposed_by, proposed_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending')`,
		p.ID, p.CaseID, p.Supersedes, p.RequestID, p.CaseVersion, string(p.Outcome), int64(p.Amount), string(p.Body),
		p.NoteToSigner, p.ProposedBy, s.db.timeArg(now)); err != nil {
		if isUniqueViolation(err) {
			return skalig.Errorf(skalig.ECONFLICT, "Ärendet har redan en ändring av beslutet som väntar på en andra underskrift.")
		}
		return fmt.Errorf("insert change proposal: %w", err)
	}
	data, _ := json.Marshal(map[string]any{"proposal_id": p.ID, "supersedes": p.Supersedes, "request_id": p.RequestID,
		"outcome": p.Outcome, "amount": p.Amount.String()})
	_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionChangeProposed, CaseID: p.CaseID, Data: data})
	return err
}

// CloseChange marks the case's pending change id signed or returned by the
// subject by, with a note, audited as actor: a signature commits with the
// change it completes (workflow.SignChange).
//
// Errors: ENOTFOUND (no such pending change); ECONFLICT; EINVALID.
func (m *Moves) CloseChange(ctx context.Context, id, status, by, actor, note string) error {
	if skalig.ContainsControl(note) {
		return &skalig.Error{Code: skalig.EINVALID, Message: skalig.ControlCharMessage,
			Fields: []skalig.FieldError{{Field: "note", Message: skalig.ControlCharMessage}}}
	}
	if status != ApprovalSigned && status != ApprovalReturned {
		return skalig.Errorf(skalig.EINVALID, "Okänd status för ändringen.")
	}
	s, tx := m.s, m.tx
	now := s.db.now()
	res, err := tx.ExecContext(ctx, `UPDATE change_proposals SET status = $1, decided_by = $2, decided_at = $3, note = $4
		WHERE id = $5 AND case_id = $6 AND status = 'pending'`, status, by, s.db.timeArg(now), note, id, m.c.ID)
	if err != nil {
		return fmt.Errorf("close change proposal: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return notFound("Ändringen som väntar på underskrift")
	}
	data, _ := json.Marshal(map[string]string{"proposal_id": id, "status": status})
	_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionChangeClosed, CaseID: m.c.ID, Data: data})
	return err
}

// PendingChange returns the case's change that waits for a signature.
//
// Errors: ENOTFOUND (none).
func (s *CaseStore) PendingChange(ctx context.Context, caseID string) (*ChangeProposal, error) {
	p, err := scanChangeProposal(s.db.db.QueryRowContext(ctx, `SELECT `+changeProposalColumns+`
		FROM change_proposals p JOIN cases c ON c.id = p.case_id WHERE p.case_id = $1 AND p.status = 'pending'`, caseID).Scan)
	if isNoRows(err) {
		return nil, notFound("Ändringen som väntar på underskrift")
	}
	if err != nil {
		return nil, fmt.Errorf("pending change: %w", err)
	}
	return p, nil
}

// PendingChanges returns the changes waiting for a signature in
// municipality ("" for all), oldest first.
func (s *CaseStore) PendingChanges(ctx context.Context, municipality string) ([]*ChangeProposal, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+changeProposalColumns+`
		FROM change_proposals p JOIN cases c ON c.id = p.case_id
		WHERE p.status = 'pending' AND ($1 = '' OR c.municipality = $1) ORDER BY p.id`, municipality)
	if err != nil {
		return nil, fmt.Errorf("pending changes: %w", err)
	}
	defer rows.Close()
	var out []*ChangeProposal
	for rows.Next() {
		p, err := scanChangeProposal(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
