// Package audittest holds the audit chain's helpers for the tests of the
// packages that write audit events: the program itself verifies with
// audit.VerifyTrail (skalig audit verify) and reads with audit.Trail.
package audittest

import (
	"context"
	"errors"
	"fmt"

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

// CaseEvents returns the numbers of the sealed events of the case with
// caseID, oldest first: what a test of the removal of a case's payloads
// passes to audit.RemovePayloads (gallring selects the events of many
// cases at once, in internal/store/gallringdb).
func CaseEvents(ctx context.Context, db audit.Querier, caseID string) ([]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq FROM audit_events WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("audit case events: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("audit case events: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
