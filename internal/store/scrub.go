package store

import (
	"context"
	"fmt"
)

// Scrub makes removed data unrecoverable from the database file: on
// SQLite a VACUUM (which rewrites the file without the free pages) and a
// checkpoint that truncates the write-ahead log. On PostgreSQL it does
// nothing: see docs/gallring.md (VACUUM).
func (db *DB) Scrub(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	if db.wlock != nil {
		if err := acquire(ctx, db.wlock); err != nil {
			return err
		}
		defer func() { <-db.wlock }()
	}
	if _, err := db.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("gallring vacuum: %w", err)
	}
	if !db.memory {
		if _, err := db.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("gallring wal checkpoint: %w", err)
		}
	}
	return nil
}
