package store

import (
	"context"
	"database/sql"
)

// approvedMark is the number of approved parameter versions in the
// database, read in tx: ParamSource.Mark as the database has it now.
func approvedMark(ctx context.Context, tx *sql.Tx) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM param_versions WHERE status = 'approved'`).Scan(&n)
	return n, err
}
