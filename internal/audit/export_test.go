package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"skalig"
)

// Helpers that only the tests use.

// Pending returns the number of events waiting to be sealed.
func Pending(ctx context.Context, db Querier) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_pending`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit pending: %w", err)
	}
	return n, nil
}

// Digest returns the digest the chain keeps of a payload: the hex SHA-256
// of its canonical JSON.
func Digest(data json.RawMessage) (string, error) {
	c, err := skalig.CanonicalizeJSON(data)
	if err != nil {
		return "", err
	}
	return digest(c), nil
}
