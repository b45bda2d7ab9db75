// Package deskdb keeps what the caseworker's desk needs beyond the case
// itself (skalig.CaseworkService): the staff seen at login, who works on
// which case, the work queues' open cases and the decision that waits for
// a second signature. A proposal and its signature or return are part of
// a case's change (store.Moves ProposeDecision, CloseApproval) and stay in
// the store; this package reads them.
package deskdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/store"
)

var _ skalig.CaseworkService = (*Store)(nil)

// Store is the desk's data on one database. Every change is written with
// its audit event in one transaction.
type Store struct {
	db *store.DB

	mu       sync.Mutex
	openStmt *sql.Stmt // OpenCases, prepared once: it runs on every queue page
}

// New returns the desk's store on db.
func New(db *store.DB) *Store { return &Store{db: db} }

// DB returns the store's database.
func (s *Store) DB() *store.DB { return s.db }

// nonNil is s, or an empty list for nil (JSON [] rather than null).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SeeStaff records m as seen now: names in the history and the list of
// colleagues to assign a case to come from here.
func (s *Store) SeeStaff(ctx context.Context, m skalig.StaffMember) error {
	if m.Subject == "" {
		return fmt.Errorf("see staff: no subject")
	}
	roles, _ := json.Marshal(nonNil(m.Roles))
	muns, _ := json.Marshal(nonNil(m.Municipalities))
	_, err := s.db.SQL().ExecContext(ctx, `
		INSERT INTO staff (subject, name, roles, municipalities, seen_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (subject) DO UPDATE SET name = excluded.name, roles = excluded.roles,
			municipalities = excluded.municipalities, seen_at = excluded.seen_at`,
		m.Subject, m.Name, string(roles), string(muns), s.db.TimeArg(s.db.Clock()))
	if err != nil {
		return fmt.Errorf("see staff: %w", err)
	}
	return nil
}

// Staff returns the staff seen who work for municipality ("" for all), by
// name.
func (s *Store) Staff(ctx context.Context, municipality string) ([]skalig.StaffMember, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT subject, name, roles, municipalities, seen_at FROM staff ORDER BY name, subject`)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	defer rows.Close()
	var out []skalig.StaffMember
	for rows.Next() {
		var m skalig.StaffMember
		var roles, muns string
		var at store.TimeValue
		if err := rows.Scan(&m.Subject, &m.Name, &roles, &muns, &at); err != nil {
			return nil, fmt.Errorf("staff: %w", err)
		}
		m.SeenAt = at.Time()
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

// Assign gives the case to assignee (a staff subject), or takes it from
// whoever has it when assignee is "", with an audit event by actor.
//
// Errors: ENOTFOUND (no such case).
func (s *Store) Assign(ctx context.Context, caseID, assignee, actor string) error {
	if actor == "" {
		return fmt.Errorf("assign: no actor")
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := store.FindCase(ctx, tx, caseID); err != nil {
			return err
		}
		now := s.db.Clock()
		var prev string
		err := tx.QueryRowContext(ctx, `SELECT assignee FROM case_assignments WHERE case_id = $1`, caseID).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
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
			caseID, assignee, actor, s.db.TimeArg(now)); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		data, _ := json.Marshal(map[string]string{"assignee": assignee, "previous": prev})
		_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: store.ActionAssigned, CaseID: caseID, Data: data})
		return err
	})
	return store.Wrap("assign", err)
}

// Assignment returns who works on the case.
//
// Errors: ENOTFOUND (nobody).
func (s *Store) Assignment(ctx context.Context, caseID string) (*skalig.Assignment, error) {
	a := &skalig.Assignment{CaseID: caseID}
	var at store.TimeValue
	err := s.db.SQL().QueryRowContext(ctx, `SELECT assignee, assigned_by, assigned_at FROM case_assignments WHERE case_id = $1`,
		caseID).Scan(&a.Assignee, &a.AssignedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound("Tilldelningen")
	}
	if err != nil {
		return nil, fmt.Errorf("assignment: %w", err)
	}
	a.At = at.Time()
	return a, nil
}

// OpenStates are the states of a case that is not yet decided: the ones the
// work queues show.
var OpenStates = []skalig.CaseState{
	skalig.StateSubmitted, skalig.StateFetching, skalig.StateCalculated, skalig.StateAutoDecided,
	skalig.StateAwaitingCaseworker, skalig.StateAwaitingApplicant, skalig.StateSampled,
}

// OpenCases returns the cases of municipality that are not yet decided,
// oldest first, with what the queues need: the applicant, who works on the
// case, a pending four-eyes approval, and the due date of documents asked
// for.
func (s *Store) OpenCases(ctx context.Context, municipality string) ([]skalig.QueueItem, error) {
	stmt, err := s.openCasesStmt(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, municipality)
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	defer rows.Close()
	var out []skalig.QueueItem
	for rows.Next() {
		var it skalig.QueueItem
		c := &skalig.Case{Municipality: municipality}
		var month store.MonthValue
		var kind, state, pn, due string
		var reasons store.JSONValue
		var created store.TimeValue
		var pending int
		if err := rows.Scan(&c.ID, &month, &kind, &state, &reasons, &c.Version, &created, &pn, &it.ApplicantName, &it.Assignee, &pending, &due); err != nil {
			return nil, fmt.Errorf("open cases: %w", err)
		}
		c.Month, c.Kind, c.State, c.CreatedAt = month.Month(), skalig.ApplicationKind(kind), skalig.CaseState(state), created.Time()
		if c.RoutingReasons, err = store.CodeList(reasons.Bytes()); err != nil {
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
func (s *Store) openCasesStmt(ctx context.Context) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.openStmt != nil {
		return s.openStmt, nil
	}
	states := make([]string, len(OpenStates))
	for i, st := range OpenStates {
		states[i] = "'" + string(st) + "'"
	}
	stmt, err := s.db.SQL().PrepareContext(ctx, `
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

// PendingApproval returns the case's approval that waits for a signature.
//
// Errors: ENOTFOUND (none).
func (s *Store) PendingApproval(ctx context.Context, caseID string) (*skalig.Approval, error) {
	var a skalig.Approval
	var outcome string
	var amount int64
	var reasons string
	var at, decided store.TimeValue
	err := s.db.SQL().QueryRowContext(ctx, `
		SELECT id, case_id, case_version, outcome, amount, reasons, note_to_signer, proposed_by, proposed_at, status,
			decided_by, decided_at, note
		FROM case_approvals WHERE case_id = $1 AND status = 'pending'`, caseID).Scan(
		&a.ID, &a.CaseID, &a.CaseVersion, &outcome, &amount, &reasons, &a.NoteToSigner, &a.ProposedBy, &at, &a.Status,
		&a.DecidedBy, &decided, &a.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound("Beslutet som väntar på underskrift")
	}
	if err != nil {
		return nil, fmt.Errorf("pending approval: %w", err)
	}
	a.Outcome, a.Amount, a.ProposedAt, a.DecidedAt = skalig.Outcome(outcome), skalig.Money(amount), at.Time(), decided.Time()
	if err := json.Unmarshal([]byte(reasons), &a.Reasons); err != nil {
		return nil, fmt.Errorf("approval %s reasons: %w", a.ID, err)
	}
	return &a, nil
}
