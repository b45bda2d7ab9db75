package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"skalig"
	"skalig/internal/audit"
)

// Audit actions of the caseworker's side.
const (
	ActionAssigned         = "case.assigned"
	ActionDecisionProposed = "decision.proposed" // four eyes: prepared, waits for a second person
	ActionApprovalClosed   = "decision.approval_closed"
	ActionConfigChanged    = "config.changed"
)

// CaseworkerStore keeps what the caseworker's pages need beyond the case
// itself: the staff seen at login, who works on which case, decisions that
// wait for a second signature (four eyes), and the municipal configuration
// versions made in the administration pages. Every change is written with
// its audit event in one transaction.
type CaseworkerStore struct {
	db *DB

	mu       sync.Mutex
	openStmt *sql.Stmt // OpenCases, prepared once: it runs on every queue page
}

// NewCaseworkerStore returns the CaseworkerStore of db.
func NewCaseworkerStore(db *DB) *CaseworkerStore { return &CaseworkerStore{db: db} }

// DB returns the store's database.
func (s *CaseworkerStore) DB() *DB { return s.db }

type StaffMember = skalig.StaffMember

// SeeStaff records m as seen now: names in the history and the list of
// colleagues to assign a case to come from here.
func (s *CaseworkerStore) SeeStaff(ctx context.Context, m StaffMember) error {
	if m.Subject == "" {
		return fmt.Errorf("see staff: no subject")
	}
	roles, _ := json.Marshal(nonNil(m.Roles))
	muns, _ := json.Marshal(nonNil(m.Municipalities))
	_, err := s.db.db.ExecContext(ctx, `
		INSERT INTO staff (subject, name, roles, municipalities, seen_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (subject) DO UPDATE SET name = excluded.name, roles = excluded.roles,
			municipalities = excluded.municipalities, seen_at = excluded.seen_at`,
		m.Subject, m.Name, string(roles), string(muns), s.db.timeArg(s.db.now()))
	if err != nil {
		return fmt.Errorf("see staff: %w", err)
	}
	return nil
}

// Staff returns the staff seen who work for municipality ("" for all), by
// name.
func (s *CaseworkerStore) Staff(ctx context.Context, municipality string) ([]StaffMember, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT subject, name, roles, municipalities, seen_at FROM staff ORDER BY name, subject`)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	defer rows.Close()
	var out []StaffMember
	for rows.Next() {
		var m StaffMember
		var roles, muns string
		var at timeValue
		if err := rows.Scan(&m.Subject, &m.Name, &roles, &muns, &at); err != nil {
			return nil, fmt.Errorf("staff: %w", err)
		}
		m.SeenAt = at.t
		if err := json.Unmarshal([]byte(roles), &m.Roles); err != nil {
			return nil, fmt.Errorf("staff %s roles: %w", m.Subject, err)
		}
		if err := json.Unmarshal([]byte(muns), &m.Municipalities); err != nil {
			return nil, fmt.Errorf("staff %s municipalities: %w", m.Subject, err)
		}
		if municipality == "" || slices.Contains(m.Municipalities, municipality) {
			out = append(out, m)
		}
	}
	return out, rows.Err()
}

type Assignment = skalig.Assignment

// Assign gives the case to assignee (a staff subject), or takes it from
// whoever has it when assignee is "", with an audit event by actor.
//
// Errors: ENOTFOUND (no such case).
func (s *CaseworkerStore) Assign(ctx context.Context, caseID, assignee, actor string) error {
	if actor == "" {
		return fmt.Errorf("assign: no actor")
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findCase(ctx, tx, caseID); err != nil {
			return err
		}
		now := s.db.now()
		var prev string
		err := tx.QueryRowContext(ctx, `SELECT assignee FROM case_assignments WHERE case_id = $1`, caseID).Scan(&prev)
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("assign: %w", err)
		}
		if prev == assignee {
			return nil // nothing changes: no event
		}
		if assignee == "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM case_assignments WHERE case_id = $1`, caseID); err != nil {
				return fmt.Errorf("unassign: %w", err)
			}
		} else if _, err := tx.ExecContext(ctx, `
			INSERT INTO case_assignments (case_id, assignee, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (case_id) DO UPDATE SET assignee = excluded.assignee, assigned_by = excluded.assigned_by,
				assigned_at = excluded.assigned_at`,
			caseID, assignee, actor, s.db.timeArg(now)); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		data, _ := json.Marshal(map[string]string{"assignee": assignee, "previous": prev})
		_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionAssigned, CaseID: caseID, Data: data})
		return err
	})
	return wrap("assign", err)
}

// Assignment returns who works on the case.
//
// Errors: ENOTFOUND (nobody).
func (s *CaseworkerStore) Assignment(ctx context.Context, caseID string) (*Assignment, error) {
	a := &Assignment{CaseID: caseID}
	var at timeValue
	err := s.db.db.QueryRowContext(ctx, `SELECT assignee, assigned_by, assigned_at FROM case_assignments WHERE case_id = $1`,
		caseID).Scan(&a.Assignee, &a.AssignedBy, &at)
	if isNoRows(err) {
		return nil, notFound("Tilldelningen")
	}
	if err != nil {
		return nil, fmt.Errorf("assignment: %w", err)
	}
	a.At = at.t
	return a, nil
}

// OpenStates are the states of a case that is not yet decided: the ones the
// work queues show.
var OpenStates = []skalig.CaseState{
	skalig.StateSubmitted, skalig.StateFetching, skalig.StateCalculated, skalig.StateAutoDecided,
	skalig.StateAwaitingCaseworker, skalig.StateAwaitingApplicant, skalig.StateSampled,
}

type QueueItem = skalig.QueueItem

// OpenCases returns the cases of municipality that are not yet decided,
// oldest first, with what the queues need: the applicant, who works on the
// case, a pending four-eyes approval, and the due date of documents asked
// for.
func (s *CaseworkerStore) OpenCases(ctx context.Context, municipality string) ([]QueueItem, error) {
	stmt, err := s.openCasesStmt(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, municipality)
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	defer rows.Close()
	var out []QueueItem
	for rows.Next() {
		var it QueueItem
		c := &skalig.Case{Municipality: municipality}
		var month monthValue
		var kind, state, pn, due string
		var reasons jsonValue
		var created timeValue
		var pending int
		if err := rows.Scan(&c.ID, &month, &kind, &state, &reasons, &c.Version, &created, &pn, &it.ApplicantName, &it.Assignee, &pending, &due); err != nil {
			return nil, fmt.Errorf("open cases: %w", err)
		}
		c.Month, c.Kind, c.State, c.CreatedAt = month.m, skalig.ApplicationKind(kind), skalig.CaseState(state), created.t
		if c.RoutingReasons, err = codeList(reasons.b); err != nil {
			return nil, fmt.Errorf("case %s routing reasons: %w", c.ID, err)
		}
		it.Case, it.Applicant, it.PendingApproval = c, skalig.PersonalNumber(pn), pending > 0
		if due != "" {
			it.Due, _ = skalig.ParseDate(due)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// openCasesStmt returns the prepared statement of OpenCases. Only the
// columns the queues need are read.
func (s *CaseworkerStore) openCasesStmt(ctx context.Context) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.openStmt != nil {
		return s.openStmt, nil
	}
	states := make([]string, len(OpenStates))
	for i, st := range OpenStates {
		states[i] = "'" + string(st) + "'"
	}
	stmt, err := s.db.db.PrepareContext(ctx, `
		SELECT c.id, c.month, c.kind, c.state, c.routing_reasons, c.version, c.created_at,
			COALESCE(p.personal_number, ''), COALESCE(p.name, ''), COALESCE(a.assignee, ''),
			(SELECT COUNT(*) FROM case_approvals ap WHERE ap.case_id = c.id AND ap.status = 'pending'),
			COALESCE((SELECT MIN(r.due) FROM document_requests r WHERE r.case_id = c.id AND r.answered_at IS NULL), '')
		FROM cases c
		LEFT JOIN case_persons p ON p.case_id = c.id AND p.role = 'applicant'
		LEFT JOIN case_assignments a ON a.case_id = c.id
		WHERE c.municipality = $1 AND c.state IN (`+strings.Join(states, ", ")+`)
		ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("prepare open cases: %w", err)
	}
	s.openStmt = stmt
	return stmt, nil
}

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
func (s *CaseworkerStore) proposeDecision(ctx context.Context, tx *sql.Tx, a *Approval, actor string) error {
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

// PendingApproval returns the case's approval that waits for a signature.
//
// Errors: ENOTFOUND (none).
func (s *CaseworkerStore) PendingApproval(ctx context.Context, caseID string) (*Approval, error) {
	var a Approval
	var outcome string
	var amount int64
	var reasons string
	var at, decided timeValue
	err := s.db.db.QueryRowContext(ctx, `
		SELECT id, case_id, case_version, outcome, amount, reasons, note_to_signer, proposed_by, proposed_at, status,
			decided_by, decided_at, note
		FROM case_approvals WHERE case_id = $1 AND status = 'pending'`, caseID).Scan(
		&a.ID, &a.CaseID, &a.CaseVersion, &outcome, &amount, &reasons, &a.NoteToSigner, &a.ProposedBy, &at, &a.Status,
		&a.DecidedBy, &decided, &a.Note)
	if isNoRows(err) {
		return nil, notFound("Beslutet som väntar på underskrift")
	}
	if err != nil {
		return nil, fmt.Errorf("pending approval: %w", err)
	}
	a.Outcome, a.Amount, a.ProposedAt, a.DecidedAt = skalig.Outcome(outcome), skalig.Money(amount), at.t, decided.t
	if err := json.Unmarshal([]byte(reasons), &a.Reasons); err != nil {
		return nil, fmt.Errorf("approval %s reasons: %w", a.ID, err)
	}
	return &a, nil
}

// closeApproval marks the pending approval id signed or returned by the
// subject by, with a note (why it was returned), in tx, audited as actor
// (the real actor, see proposeDecision): a signature commits with the
// decision it completes (workflow.SignProposal).
//
// Errors: ENOTFOUND (no such pending approval); EINVALID (status).
func (s *CaseworkerStore) closeApproval(ctx context.Context, tx *sql.Tx, id, status, by, actor, note string) error {
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
func (s *CaseworkerStore) returnPending(ctx context.Context, tx *sql.Tx, caseID, by, actor, note string) error {
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
