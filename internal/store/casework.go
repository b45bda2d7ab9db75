package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"skalig"
	"skalig/internal/audit"
)

// Audit actions of casework.
const (
	ActionDocumentRequested = "document.requested"
	ActionDocumentUploaded  = "document.uploaded"
	ActionMessage           = "message.sent"
	ActionSampleResult      = "sample.result"
)

type DocumentRequest = skalig.DocumentRequest

type Document = skalig.Document

type Message = skalig.Message

type SampleResult = skalig.SampleResult

func (s *CaseStore) appendAudit(ctx context.Context, tx *sql.Tx, actor, action, caseID string, data map[string]any) error {
	b, _ := json.Marshal(data)
	_, err := audit.Append(ctx, tx, audit.Event{At: s.db.now(), Actor: actor, Action: action, CaseID: caseID, Data: b})
	return err
}

// addDocumentRequest stores r in tx; it sets ID and At.
func (s *CaseStore) addDocumentRequest(ctx context.Context, tx *sql.Tx, r *DocumentRequest) error {
	now := s.db.now()
	r.ID, r.At = newID(now), now
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO document_requests (id, case_id, text, due, requested_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, r.CaseID, r.Text, r.Due.String(), r.RequestedBy, s.db.timeArg(now)); err != nil {
		return fmt.Errorf("insert document request: %w", err)
	}
	return s.appendAudit(ctx, tx, r.RequestedBy, ActionDocumentRequested, r.CaseID, map[string]any{"request_id": r.ID, "due": r.Due.String()})
}

// DocumentRequests returns the case's document requests, oldest first.
func (s *CaseStore) DocumentRequests(ctx context.Context, caseID string) ([]DocumentRequest, error) {
	return s.documentRequests(ctx, s.db.db, caseID)
}

// documentRequests is DocumentRequests read through q.
func (s *CaseStore) documentRequests(ctx context.Context, q Querier, caseID string) ([]DocumentRequest, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, case_id, text, due, requested_by, created_at, answered_at FROM document_requests
		WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("document requests: %w", err)
	}
	defer rows.Close()
	var out []DocumentRequest
	for rows.Next() {
		var r DocumentRequest
		var due string
		var at, answered timeValue
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Text, &due, &r.RequestedBy, &at, &answered); err != nil {
			return nil, err
		}
		r.Due, _ = skalig.ParseDate(due)
		r.At, r.AnsweredAt = at.t, answered.t
		out = append(out, r)
	}
	return out, rows.Err()
}

// addDocument stores d with its body in tx and, when it answers a request
// of the same case, marks the request answered. It sets ID and At.
//
// Errors: ENOTFOUND (the request is not the case's).
func (s *CaseStore) addDocument(ctx context.Context, tx *sql.Tx, d *Document, body []byte) error {
	now := s.db.now()
	d.ID, d.At = newID(now), now
	var req any
	if d.RequestID != "" {
		res, err := tx.ExecContext(ctx, `UPDATE document_requests SET answered_at = COALESCE(answered_at, $1) WHERE id = $2 AND case_id = $3`,
			s.db.timeArg(now), d.RequestID, d.CaseID)
		if err != nil {
			return fmt.Errorf("answer document request: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notFound("Begäran om komplettering")
		}
		req = d.RequestID
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO documents (id, case_id, request_id, name, media_type, size, sha256, body, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.ID, d.CaseID, req, d.Name, d.MediaType, d.Size, d.SHA256, body, d.UploadedBy, s.db.timeArg(now)); err != nil {
		return fmt.Errorf("insert document: %w", err)
	}
	return s.appendAudit(ctx, tx, d.UploadedBy, ActionDocumentUploaded, d.CaseID, map[string]any{
		"document_id": d.ID, "request_id": d.RequestID, "media_type": d.MediaType, "size": d.Size, "sha256": d.SHA256})
}

const documentColumns = `id, case_id, COALESCE(request_id, ''), name, media_type, size, sha256, uploaded_by, created_at`

func scanDocument(scan func(...any) error) (Document, error) {
	var d Document
	var at timeValue
	err := scan(&d.ID, &d.CaseID, &d.RequestID, &d.Name, &d.MediaType, &d.Size, &d.SHA256, &d.UploadedBy, &at)
	d.At = at.t
	return d, err
}

// Documents returns the case's documents (without bodies), oldest first.
func (s *CaseStore) Documents(ctx context.Context, caseID string) ([]Document, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+documentColumns+` FROM documents WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		d, err := scanDocument(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DocumentBody returns the document with id and its content. The caller
// checks that the reader may see the document's case.
//
// Errors: ENOTFOUND.
func (s *CaseStore) DocumentBody(ctx context.Context, id string) (Document, []byte, error) {
	var body []byte
	d, err := scanDocument(func(dest ...any) error {
		return s.db.db.QueryRowContext(ctx, `SELECT `+documentColumns+`, body FROM documents WHERE id = $1`, id).
			Scan(append(dest, &body)...)
	})
	if isNoRows(err) {
		return Document{}, nil, notFound("Dokumentet")
	}
	return d, body, err
}

// addMessage stores m in tx; it sets ID and At.
func (s *CaseStore) addMessage(ctx context.Context, tx *sql.Tx, m *Message) error {
	now := s.db.now()
	m.ID, m.At = newID(now), now
	if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, case_id, sender, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
		m.ID, m.CaseID, m.From, m.Body, s.db.timeArg(now)); err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return s.appendAudit(ctx, tx, m.From, ActionMessage, m.CaseID, map[string]any{"message_id": m.ID})
}

// Messages returns the case's messages, oldest first.
func (s *CaseStore) Messages(ctx context.Context, caseID string) ([]Message, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, case_id, sender, body, created_at FROM messages WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var at timeValue
		if err := rows.Scan(&m.ID, &m.CaseID, &m.From, &m.Body, &at); err != nil {
			return nil, err
		}
		m.At = at.t
		out = append(out, m)
	}
	return out, rows.Err()
}

// setSampleResult stores the result of the case's sample control in tx.
// A case has one result: a second is ECONFLICT.
func (s *CaseStore) setSampleResult(ctx context.Context, tx *sql.Tx, r *SampleResult) error {
	now := s.db.now()
	r.At = now
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO sample_results (case_id, caseworker, confirmed, declared, verified, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.CaseID, r.Caseworker, s.boolArg(r.Confirmed), int64(r.Declared), int64(r.Verified), r.Note, s.db.timeArg(now)); err != nil {
		if isUniqueViolation(err) {
			return skalig.Errorf(skalig.ECONFLICT, "Stickprovet har redan ett resultat.")
		}
		return fmt.Errorf("insert sample result: %w", err)
	}
	return s.appendAudit(ctx, tx, "caseworker:"+r.Caseworker, ActionSampleResult, r.CaseID, map[string]any{"confirmed": r.Confirmed})
}

func (s *CaseStore) boolArg(b bool) any {
	if s.db.dialect == SQLite {
		if b {
			return 1
		}
		return 0
	}
	return b
}

// SampleResult returns the result of the case's sample control.
//
// Errors: ENOTFOUND.
func (s *CaseStore) SampleResult(ctx context.Context, caseID string) (*SampleResult, error) {
	var r SampleResult
	var declared, verified int64
	var at timeValue
	err := s.db.db.QueryRowContext(ctx, `SELECT case_id, caseworker, confirmed, declared, verified, note, created_at FROM sample_results WHERE case_id = $1`,
		caseID).Scan(&r.CaseID, &r.Caseworker, &r.Confirmed, &declared, &verified, &r.Note, &at)
	if isNoRows(err) {
		return nil, notFound("Stickprovsresultatet")
	}
	if err != nil {
		return nil, err
	}
	r.Declared, r.Verified, r.At = skalig.Money(declared), skalig.Money(verified), at.t
	return &r, nil
}
