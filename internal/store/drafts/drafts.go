// Package drafts keeps the e-service's application drafts with the
// signatures of both applicants in the store's database: it implements
// skalig.DraftService.
package drafts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/store"
)

// Audit actions of the e-service.
const (
	ActionDraftSigned    = "draft.signed"
	ActionDraftReopened  = "draft.reopened"
	ActionDraftSubmitted = "draft.submitted"
)

// Store keeps the e-service's drafts and signatures, in the same
// database as the cases.
type Store struct {
	db *store.DB
}

// NewDraftStore returns the Store of db.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ skalig.DraftService = (*Store)(nil)

const draftColumns = `id, municipality, applicant, partner, kind, month, state, data, content_hash,
	COALESCE(case_id, ''), version, created_at, updated_at, submitted_at`

func scanDraft(scan func(...any) error) (*skalig.Draft, error) {
	var d skalig.Draft
	var applicant, partner, kind, state, data string
	var month store.MonthValue
	var created, updated, submitted store.TimeValue
	if err := scan(&d.ID, &d.Municipality, &applicant, &partner, &kind, &month, &state, &data, &d.ContentHash,
		&d.CaseID, &d.Version, &created, &updated, &submitted); err != nil {
		return nil, err
	}
	d.Applicant, d.Partner = skalig.PersonalNumber(applicant), skalig.PersonalNumber(partner)
	d.Kind, d.Month, d.State, d.Data = skalig.ApplicationKind(kind), month.Month(), skalig.DraftState(state), json.RawMessage(data)
	d.CreatedAt, d.UpdatedAt, d.SubmittedAt = created.Time(), updated.Time(), submitted.Time()
	return &d, nil
}

// CreateDraft stores a new open draft; it sets ID, State, Version and the
// times.
//
// Errors: EINVALID (no applicant, kind or month; data not JSON).
func (s *Store) CreateDraft(ctx context.Context, d *skalig.Draft) error {
	if d.Applicant.Validate() != nil || !d.Kind.Valid() || d.Month == 0 || !json.Valid(d.Data) {
		return skalig.Errorf(skalig.EINVALID, "Utkastet saknar sökande, slag av ansökan eller månad.")
	}
	now := s.db.Clock()
	d.ID, d.State, d.Version, d.CreatedAt, d.UpdatedAt = store.NewID(now), skalig.DraftOpen, 1, now, now
	_, err := s.db.SQL().ExecContext(ctx, `
		INSERT INTO drafts (id, municipality, applicant, partner, kind, month, state, data, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.ID, d.Municipality, d.Applicant.Canonical(), canonicalOrEmpty(d.Partner), string(d.Kind), d.Month.String(),
		string(d.State), string(d.Data), d.Version, s.db.TimeArg(now), s.db.TimeArg(now))
	if err != nil {
		return fmt.Errorf("insert draft: %w", err)
	}
	return nil
}

func canonicalOrEmpty(pn skalig.PersonalNumber) string {
	if pn == "" || pn.Validate() != nil {
		return ""
	}
	return pn.Canonical()
}

// Draft returns the draft with id and its signatures.
//
// Errors: ENOTFOUND.
func (s *Store) Draft(ctx context.Context, id string) (*skalig.Draft, error) {
	return s.draft(ctx, s.db.SQL(), id)
}

func (s *Store) draft(ctx context.Context, q store.Querier, id string) (*skalig.Draft, error) {
	d, err := scanDraft(q.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound("Utkastet")
	}
	if err != nil {
		return nil, fmt.Errorf("draft: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT personal_number, role, content_hash, signed_at, name FROM draft_signatures
		WHERE draft_id = $1 ORDER BY signed_at, personal_number`, id)
	if err != nil {
		return nil, fmt.Errorf("draft signatures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sig skalig.Signature
		var pn, role string
		var at store.TimeValue
		if err := rows.Scan(&pn, &role, &sig.ContentHash, &at, &sig.Name); err != nil {
			return nil, err
		}
		sig.PersonalNumber, sig.Role, sig.At = skalig.PersonalNumber(pn), skalig.MemberRole(role), at.Time()
		d.Signatures = append(d.Signatures, sig)
	}
	return d, rows.Err()
}

// DraftsOfPerson returns the drafts where pn is the applicant or the
// co-applicant, newest first, submitted ones included.
func (s *Store) DraftsOfPerson(ctx context.Context, pn skalig.PersonalNumber) ([]*skalig.Draft, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT `+draftColumns+` FROM drafts
		WHERE applicant = $1 OR partner = $1 ORDER BY id DESC`, pn.Canonical())
	if err != nil {
		return nil, fmt.Errorf("drafts of person: %w", err)
	}
	defer rows.Close()
	var out []*skalig.Draft
	for rows.Next() {
		d, err := scanDraft(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// update runs fn on the draft read in a transaction, checking its version
// and state, and writes what fn changed (partner, data, state, content
// hash, case) with the version incremented.
func (s *Store) update(ctx context.Context, id string, version int, want skalig.DraftState, fn func(tx *sql.Tx, d *skalig.Draft) error) (*skalig.Draft, error) {
	var out *skalig.Draft
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		d, err := s.draft(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != 0 && d.Version != version {
			return skalig.Errorf(skalig.ECONFLICT, "Ansökan har ändrats sedan du öppnade sidan. Ladda om sidan och försök igen.")
		}
		if d.State != want {
			return skalig.Errorf(skalig.ECONFLICT, "Ansökan kan inte ändras nu.")
		}
		if err := fn(tx, d); err != nil {
			return err
		}
		now := s.db.Clock()
		res, err := tx.ExecContext(ctx, `
			UPDATE drafts SET partner = $1, data = $2, state = $3, content_hash = $4, case_id = $5,
				version = version + 1, updated_at = $6, submitted_at = $7
			WHERE id = $8 AND version = $9`,
			canonicalOrEmpty(d.Partner), string(d.Data), string(d.State), d.ContentHash, nullIfEmpty(d.CaseID),
			s.db.TimeArg(now), s.db.TimeArg(d.SubmittedAt), d.ID, d.Version)
		if err != nil {
			return fmt.Errorf("update draft: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return skalig.Errorf(skalig.ECONFLICT, "Ansökan har ändrats sedan du öppnade sidan. Ladda om sidan och försök igen.")
		}
		d.Version++
		d.UpdatedAt = now
		out = d
		return nil
	})
	if err != nil {
		return nil, store.Wrap("update draft", err)
	}
	return out, nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SaveDraft replaces the data and the co-applicant of an open draft.
// version 0 skips the version check (the last save wins, as for a form
// saved in two tabs).
//
// Errors: ENOTFOUND; ECONFLICT (stale version, or the draft is no longer
// open); EINVALID (data not JSON).
func (s *Store) SaveDraft(ctx context.Context, id string, version int, data json.RawMessage, partner skalig.PersonalNumber) (*skalig.Draft, error) {
	if !json.Valid(data) {
		return nil, skalig.Errorf(skalig.EINVALID, "Utkastet kunde inte sparas.")
	}
	return s.update(ctx, id, version, skalig.DraftOpen, func(_ *sql.Tx, d *skalig.Draft) error {
		// A change unsigns: the applicant signs again when submitting.
		d.Data, d.Partner, d.ContentHash = data, partner, ""
		return nil
	})
}

// SignApplicant records the applicant's signature of the content with
// hash and closes the draft for changes: it waits for the co-applicant's
// signature when it has one (skalig.DraftAwaitingSignature), and is otherwise
// ready to submit (it stays open until MarkSubmitted).
//
// Errors: ENOTFOUND; ECONFLICT.
func (s *Store) SignApplicant(ctx context.Context, id string, version int, hash, name string) (*skalig.Draft, error) {
	return s.update(ctx, id, version, skalig.DraftOpen, func(tx *sql.Tx, d *skalig.Draft) error {
		if err := s.sign(ctx, tx, d, d.Applicant, skalig.RoleApplicant, hash, name); err != nil {
			return err
		}
		d.ContentHash = hash
		if d.Partner != "" {
			d.State = skalig.DraftAwaitingSignature
		}
		return nil
	})
}

// SignPartner records the co-applicant's signature of a draft awaiting it.
// The co-applicant signs what the applicant signed: a different hash is
// ECONFLICT.
//
// Errors: ENOTFOUND; ECONFLICT; EFORBIDDEN (pn is not the co-applicant).
func (s *Store) SignPartner(ctx context.Context, id string, version int, pn skalig.PersonalNumber, hash, name string) (*skalig.Draft, error) {
	return s.update(ctx, id, version, skalig.DraftAwaitingSignature, func(tx *sql.Tx, d *skalig.Draft) error {
		if d.Partner == "" || d.Partner.Canonical() != pn.Canonical() {
			return skalig.Errorf(skalig.EFORBIDDEN, "Du är inte medsökande i den här ansökan.")
		}
		if hash != d.ContentHash {
			return skalig.Errorf(skalig.ECONFLICT, "Ansökan har ändrats sedan den sökande skrev under.")
		}
		return s.sign(ctx, tx, d, pn, skalig.RolePartner, hash, name)
	})
}

func (s *Store) sign(ctx context.Context, tx *sql.Tx, d *skalig.Draft, pn skalig.PersonalNumber, role skalig.MemberRole, hash, name string) error {
	now := s.db.Clock()
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > skalig.MaxNameLength || skalig.ContainsControl(name) {
		name = "" // not a name a login gives; the case shows the name as unknown
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM draft_signatures WHERE draft_id = $1 AND personal_number = $2`,
		d.ID, pn.Canonical()); err != nil {
		return fmt.Errorf("sign draft: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO draft_signatures (draft_id, personal_number, role, content_hash, signed_at, name)
		VALUES ($1, $2, $3, $4, $5, $6)`, d.ID, pn.Canonical(), string(role), hash, s.db.TimeArg(now), name); err != nil {
		return fmt.Errorf("sign draft: %w", err)
	}
	d.Signatures = append(d.Signatures, skalig.Signature{PersonalNumber: pn, Role: role, ContentHash: hash, At: now, Name: name})
	data, _ := json.Marshal(map[string]string{"draft_id": d.ID, "role": string(role), "content_hash": hash})
	_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: string(role), Action: ActionDraftSigned, Data: data})
	return err
}

// Reopen takes a draft awaiting the co-applicant's signature back to the
// applicant for changes (asked by either of them); the signatures go.
//
// Errors: ENOTFOUND; ECONFLICT.
func (s *Store) Reopen(ctx context.Context, id string, version int, by skalig.MemberRole) (*skalig.Draft, error) {
	return s.update(ctx, id, version, skalig.DraftAwaitingSignature, func(tx *sql.Tx, d *skalig.Draft) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM draft_signatures WHERE draft_id = $1`, d.ID); err != nil {
			return fmt.Errorf("reopen draft: %w", err)
		}
		d.State, d.ContentHash, d.Signatures = skalig.DraftOpen, "", nil
		data, _ := json.Marshal(map[string]string{"draft_id": d.ID, "by": string(by)})
		_, err := audit.Append(ctx, tx, audit.Event{At: s.db.Clock(), Actor: string(by), Action: ActionDraftReopened, Data: data})
		return err
	})
}

// MarkSubmitted records that the draft's application was submitted as the
// case caseID (after skalig's Submit returned), with an audit event on the
// case naming who signed what and when. Marking a submitted draft with the
// same case again is a no-op.
//
// Errors: ENOTFOUND; ECONFLICT (not signed by everyone, or another case).
func (s *Store) MarkSubmitted(ctx context.Context, id, caseID string) (*skalig.Draft, error) {
	d, err := s.Draft(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.State == skalig.DraftSubmitted {
		if d.CaseID != caseID {
			return nil, skalig.Errorf(skalig.ECONFLICT, "Ansökan är redan inskickad.")
		}
		return d, nil
	}
	return s.update(ctx, id, d.Version, d.State, func(tx *sql.Tx, d *skalig.Draft) error {
		if !d.Signed(d.Applicant) || (d.Partner != "" && !d.Signed(d.Partner)) {
			return skalig.Errorf(skalig.ECONFLICT, "Alla har inte skrivit under ansökan.")
		}
		now := s.db.Clock()
		d.State, d.CaseID, d.SubmittedAt = skalig.DraftSubmitted, caseID, now
		type sig struct {
			Role string `json:"role"`
			At   string `json:"at"`
		}
		sigs := make([]sig, 0, len(d.Signatures))
		for _, sg := range d.Signatures {
			sigs = append(sigs, sig{Role: string(sg.Role), At: skalig.FormatTime(sg.At)})
		}
		data, _ := json.Marshal(map[string]any{"draft_id": d.ID, "content_hash": d.ContentHash, "signatures": sigs})
		_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: "applicant", Action: ActionDraftSubmitted, CaseID: caseID, Data: data})
		return err
	})
}

// DeleteDraft deletes an open draft (the applicant gave up on it).
//
// Errors: ENOTFOUND; ECONFLICT (not open).
func (s *Store) DeleteDraft(ctx context.Context, id string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE id = $1 AND state = $2`, id, string(skalig.DraftOpen))
		if err != nil {
			return fmt.Errorf("delete draft: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			if _, err := s.draft(ctx, tx, id); err != nil {
				return err
			}
			return skalig.Errorf(skalig.ECONFLICT, "Ansökan kan inte tas bort nu.")
		}
		return nil
	})
}

// DeleteStaleDrafts deletes open drafts not changed since before, so that
// half-filled applications are not kept for ever; it returns how many.
func (s *Store) DeleteStaleDrafts(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.SQL().ExecContext(ctx, `DELETE FROM drafts WHERE state = $1 AND updated_at < $2`,
		string(skalig.DraftOpen), s.db.TimeArg(before))
	if err != nil {
		return 0, fmt.Errorf("delete stale drafts: %w", err)
	}
	return res.RowsAffected()
}
