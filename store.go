package skalig

import "context"

// CaseStore keeps applications and their cases. Every change it makes is
// written in one transaction together with its audit event, so that a change
// without its audit event (or the reverse) can never be seen.
//
// Implementations: internal/store (SQLite and PostgreSQL).
type CaseStore interface {
	// SubmitApplication stores app (with its declared facts) and opens a
	// case for it in state submitted, in one transaction; it assigns app.ID
	// and app.SubmittedAt, and sets the At of declared facts that have none to
	// SubmittedAt. The application is durable when it returns, and not
	// before: only then may the applicant be told "received".
	//
	// It is idempotent by (app.Municipality, app.IdempotencyKey): a repeated
	// key with the same content (Application.ContentHash) returns the case of
	// the first submission with created false, also when the two race.
	//
	// Errors: EINVALID (app.Validate fails); ECONFLICT (the key was used for
	// a different application).
	SubmitApplication(ctx context.Context, app *Application) (c *Case, created bool, err error)

	// Case returns the case with id.
	//
	// Errors: ENOTFOUND.
	Case(ctx context.Context, id string) (*Case, error)

	// CaseApplication returns the application of the case with id, with its
	// declared facts in the order submitted.
	//
	// Errors: ENOTFOUND.
	CaseApplication(ctx context.Context, caseID string) (*Application, error)

	// Cases returns the cases that match f, oldest first (by ID, which
	// increases with time), at most f.Limit of them. An empty result is not
	// an error.
	//
	// Errors: EINVALID (f has an unknown state or a bad limit).
	Cases(ctx context.Context, f CaseFilter) ([]*Case, error)

	// TransitionCase applies Case.Transition to the case t.CaseID, provided
	// its version is still t.Version, at the store's clock, and writes the
	// audit event (actor, from, to, reason) in the same transaction. It
	// returns the case as written, with Version incremented.
	//
	// Errors: ENOTFOUND; ECONFLICT (the version is not t.Version any more:
	// someone else changed the case, read it again; or the transition is not
	// allowed from the current state); EINVALID (unknown state, missing
	// reason or actor).
	TransitionCase(ctx context.Context, t CaseTransition) (*Case, error)
}

// CaseFilter selects cases for CaseStore.Cases. Zero fields match all.
type CaseFilter struct {
	Municipality string
	State        CaseState
	// After is a case ID: only cases after it are returned. Pass the last ID
	// of one page to get the next.
	After string
	// Limit is the page size, 1-1000; 0 means 100.
	Limit int
}

// CaseTransition asks CaseStore.TransitionCase to move a case.
type CaseTransition struct {
	CaseID  string
	Version int // the version read; the change fails with ECONFLICT if it moved on
	To      CaseState
	Reason  string // required on entering a stop state; see Case.Transition
	// Reasons are further reason codes when a case stops for several
	// reasons at once (routing); they are added after Reason.
	Reasons []string
	// Actor is who or what made the change, for the audit trail:
	// "system", "worker:route", "caseworker:ID", "applicant".
	Actor string
}
