// Package audittest holds the audit chain's helpers for the tests of the
// packages that write audit events: the program itself verifies with
// audit.VerifyTrail (skalig audit verify) and reads with audit.Trail.
package audittest

import (
	"context"
	"errors"

	"skalig/internal/audit"
)

// Verify recomputes the chain from the first event to the head and returns
// the number of the first broken link with a *audit.BrokenError describing
// it; or 0 and nil when the whole chain verifies. It checks no checkpoints:
// see audit.VerifyTrail.
func Verify(ctx context.Context, db audit.Querier) (firstBroken int64, err error) {
	_, err = audit.VerifyTrail(ctx, db, nil)
	var be *audit.BrokenError
	if errors.As(err, &be) {
		return be.Seq, err
	}
	return 0, err
}

// Events returns the events of the case with caseID, oldest first, the
// pending ones after the sealed ones.
func Events(ctx context.Context, db audit.Querier, caseID string) ([]audit.Event, error) {
	return audit.Trail(ctx, db, `case_id = $1`, false, caseID)
}
