package store

import (
	"context"
	"fmt"
)

// Backup writes an online copy of a SQLite database to the new file path
// with VACUUM INTO (docs/backup.md): one read transaction, so the copy is
// the database as of one moment, while writers go on (in WAL mode readers
// do not block them). PostgreSQL is backed up with its own tools.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return fmt.Errorf("backup: only SQLite; see docs/backup.md for PostgreSQL")
	}
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
