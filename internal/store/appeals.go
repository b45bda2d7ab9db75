package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"skalig"
)

// Audit actions of review requests and appeals.
const (
	ActionReviewRequested = "review.requested"
	ActionAppealReceived  = "appeal.received"
	ActionReviewResolved  = "review.resolved"
	ActionJobsCancelled   = "jobs.cancelled"
)

// Kinds of a ReviewRequest.
const (
	ReviewKindReview = "review" // omprövning (FL 38-39 §§)
	ReviewKindAppeal = "appeal" // överklagande (FL 44-45 §§)
)

// Resolutions of a ReviewRequest.
const (
	ResolutionKept         = "kept"          // the decision stands
	ResolutionForwarded    = "forwarded"     // the appeal went to förvaltningsrätten
	ResolutionRejectedLate = "rejected_late" // the appeal came in too late (FL 45 §)
	ResolutionChanged      = "changed"       // the decider changed the decision (FL 38-39 §§)
)

// ReviewRequest is an applicant's request that a decided case be reviewed
// (omprövning) or an appeal of its decision (överklagande). It waits in the
// caseworker queue of its municipality until the decider resolves it.
type ReviewRequest struct {
	ID, CaseID   string
	Municipality string
	Kind         string // ReviewKindReview or ReviewKindAppeal
	DecisionID   string // the decision asked about
	Text         string
	RequestedBy  string // "applicant" or "api:<client>"
	At           time.Time
	// NotifiedAt is when the decision was notified: the appeal period
	// runs from it. Zero for a review request.
	NotifiedAt time.Time
	// Late: an appeal that came in after the appeal period.
	Late       bool
	Resolution string // "" while open
	ResolvedBy string
	ResolvedAt time.Time
	Note       string
}

// Open reports whether the request waits for the decider.
func (r *ReviewRequest) Open() bool { return r.Resolution == "" }

// AddReviewRequestTx stores r in tx with its audit event; it sets ID and At.
func (s *CaseStore) AddReviewRequestTx(ctx context.Context, tx *sql.Tx, r *ReviewRequest) error {
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

// ResolveReviewRequestTx records resolution of the open request id by
// actor, with note, in tx.
//
// Errors: ENOTFOUND; ECONFLICT (resolved already).
func (s *CaseStore) ResolveReviewRequestTx(ctx context.Context, tx *sql.Tx, id, resolution, actor, note string) error {
	return s.resolveReviewRequestTx(ctx, tx, id, resolution, actor, note, nil)
}

// ForwardAppealTx resolves the open appeal id as forwarded by actor, with
// note, keeping bundle (the case file sent to the court, JSON) with it.
//
// Errors: ENOTFOUND; ECONFLICT (resolved already).
func (s *CaseStore) ForwardAppealTx(ctx context.Context, tx *sql.Tx, id, actor, note string, bundle []byte) error {
	return s.resolveReviewRequestTx(ctx, tx, id, ResolutionForwarded, actor, note, bundle)
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

// OpenReviewRequestTx reports whether the case has an open request of
// kind about decision decisionID, read in tx.
func (s *CaseStore) OpenReviewRequestTx(ctx context.Context, tx *sql.Tx, caseID, kind, decisionID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_requests WHERE case_id = $1 AND kind = $2 AND decision_id = $3 AND resolution = ''`,
		caseID, kind, decisionID).Scan(&n)
	return n > 0, err
}

// CancelJobsTx deletes the case's jobs that no worker is running, in tx,
// and audits how many: a withdrawn case has nothing left to do. A running
// job finds the case in a state it does not act on and completes with no
// effect.
func (s *CaseStore) CancelJobsTx(ctx context.Context, tx *sql.Tx, caseID, actor string) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE case_id = $1 AND state <> 'running'`, caseID)
	if err != nil {
		return 0, fmt.Errorf("cancel jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	return int(n), s.appendAudit(ctx, tx, actor, ActionJobsCancelled, caseID, map[string]any{"jobs": n})
}
