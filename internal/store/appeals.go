package store

import (
	"context"
	"database/sql"
	"fmt"

	"skalig"
)

// Audit actions of review requests and appeals.
const (
	ActionReviewRequested = "review.requested"
	ActionAppealReceived  = "appeal.received"
	ActionReviewResolved  = "review.resolved"
	ActionJobsCancelled   = "jobs.cancelled"
)

const (
	ReviewKindReview = skalig.ReviewKindReview
	ReviewKindAppeal = skalig.ReviewKindAppeal
)

const (
	ResolutionKept         = skalig.ResolutionKept
	ResolutionForwarded    = skalig.ResolutionForwarded
	ResolutionRejectedLate = skalig.ResolutionRejectedLate
	ResolutionChanged      = skalig.ResolutionChanged
)

type ReviewRequest = skalig.ReviewRequest

// addReviewRequest stores r in tx with its audit event; it sets ID and At.
func (s *CaseStore) addReviewRequest(ctx context.Context, tx *sql.Tx, r *ReviewRequest) error {
	if r.Kind != ReviewKindReview && r.Kind != ReviewKindAppeal {
		return fmt.Errorf("review request: unknown kind %q", r.Kind)
	}
	now := s.db.now()
	r.ID, r.At = newID(now), now
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO review_requests (id, case_id, municipality, kind, decision_id, text, requested_by, requested_at, notified_at, late)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.CaseID, r.Municipality, r.Kind, r.DecisionID, r.Text, r.RequestedBy, s.db.timeArg(now),
		s.db.timeArg(r.NotifiedAt), s.boolArg(r.Late)); err != nil {
		return fmt.Errorf("insert review request: %w", err)
	}
	action := ActionReviewRequested
	if r.Kind == ReviewKindAppeal {
		action = ActionAppealReceived
	}
	return s.appendAudit(ctx, tx, r.RequestedBy, action, r.CaseID, map[string]any{"request_id": r.ID, "late": r.Late})
}

// AppealBundle returns the case file forwarded with the appeal id.
//
// Errors: ENOTFOUND (no such appeal, or not forwarded).
func (s *CaseStore) AppealBundle(ctx context.Context, id string) ([]byte, error) {
	var b string
	err := s.db.db.QueryRowContext(ctx, `SELECT bundle FROM review_requests WHERE id = $1`, id).Scan(&b)
	if isNoRows(err) || (err == nil && b == "") {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "Överklagandet har inte skickats till förvaltningsrätten.")
	}
	return []byte(b), err
}

func (s *CaseStore) resolveReviewRequestTx(ctx context.Context, tx *sql.Tx, id, resolution, actor, note string, bundle []byte) error {
	switch resolution {
	case ResolutionKept, ResolutionForwarded, ResolutionRejectedLate, ResolutionChanged:
	default:
		return fmt.Errorf("review request: unknown resolution %q", resolution)
	}
	now := s.db.now()
	res, err := tx.ExecContext(ctx, `
		UPDATE review_requests SET resolution = $1, resolved_by = $2, resolved_at = $3, note = $4, bundle = $5
		WHERE id = $6 AND resolution = ''`, resolution, actor, s.db.timeArg(now), note, string(bundle), id)
	if err != nil {
		return fmt.Errorf("resolve review request: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		r, err := s.reviewRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !r.Open() {
			return skalig.Errorf(skalig.ECONFLICT, "Begäran är redan avgjord.")
		}
		return fmt.Errorf("resolve review request %s: no row updated", id)
	}
	var caseID string
	if err := tx.QueryRowContext(ctx, `SELECT case_id FROM review_requests WHERE id = $1`, id).Scan(&caseID); err != nil {
		return err
	}
	return s.appendAudit(ctx, tx, actor, ActionReviewResolved, caseID, map[string]any{"request_id": id, "resolution": resolution})
}

const reviewColumns = `id, case_id, municipality, kind, decision_id, text, requested_by, requested_at, notified_at, late,
	resolution, resolved_by, resolved_at, note`

func scanReviewRequest(scan func(...any) error) (*ReviewRequest, error) {
	var r ReviewRequest
	var at, notified, resolved timeValue
	if err := scan(&r.ID, &r.CaseID, &r.Municipality, &r.Kind, &r.DecisionID, &r.Text, &r.RequestedBy, &at, &notified,
		&r.Late, &r.Resolution, &r.ResolvedBy, &resolved, &r.Note); err != nil {
		return nil, err
	}
	r.At, r.NotifiedAt, r.ResolvedAt = at.t, notified.t, resolved.t
	return &r, nil
}

func (s *CaseStore) reviewRequest(ctx context.Context, q Querier, id string) (*ReviewRequest, error) {
	if q == nil {
		q = s.db.db
	}
	r, err := scanReviewRequest(q.QueryRowContext(ctx, `SELECT `+reviewColumns+` FROM review_requests WHERE id = $1`, id).Scan)
	if isNoRows(err) {
		return nil, notFound("Begäran")
	}
	return r, err
}

// ReviewRequest returns the review request or appeal id.
//
// Errors: ENOTFOUND.
func (s *CaseStore) ReviewRequest(ctx context.Context, id string) (*ReviewRequest, error) {
	return s.reviewRequest(ctx, nil, id)
}

func (s *CaseStore) reviewRequests(ctx context.Context, where string, args ...any) ([]ReviewRequest, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+reviewColumns+` FROM review_requests WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("review requests: %w", err)
	}
	defer rows.Close()
	var out []ReviewRequest
	for rows.Next() {
		r, err := scanReviewRequest(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// ReviewRequests returns the open review requests and appeals of
// municipality, oldest first: the decider's queue.
func (s *CaseStore) ReviewRequests(ctx context.Context, municipality string) ([]ReviewRequest, error) {
	return s.reviewRequests(ctx, `municipality = $1 AND resolution = ''`, municipality)
}

// ReviewRequestCount returns the number of open review requests and
// appeals of municipality: the queue's count.
func (s *CaseStore) ReviewRequestCount(ctx context.Context, municipality string) (int, error) {
	var n int
	err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_requests WHERE municipality = $1 AND resolution = ''`,
		municipality).Scan(&n)
	return n, err
}

// CaseReviewRequests returns every review request and appeal of the case,
// open or resolved, oldest first.
func (s *CaseStore) CaseReviewRequests(ctx context.Context, caseID string) ([]ReviewRequest, error) {
	return s.reviewRequests(ctx, `case_id = $1`, caseID)
}

// openReviewRequest reports whether the case has an open request of
// kind about decision decisionID, read in tx.
func (s *CaseStore) openReviewRequest(ctx context.Context, tx *sql.Tx, caseID, kind, decisionID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_requests WHERE case_id = $1 AND kind = $2 AND decision_id = $3 AND resolution = ''`,
		caseID, kind, decisionID).Scan(&n)
	return n > 0, err
}
