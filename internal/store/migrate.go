package store

import (
	"context"
	"fmt"
	"skalig/internal/store/migrations"

	"github.com/pressly/goose/v3"
)

// The migrations and the goose provider that runs them are in package
// migrations (internal/store/migrations).

// provider returns the goose provider of the migrations for db.
func (db *DB) provider(ctx context.Context) (*goose.Provider, error) {
	return migrations.Provider(ctx, db.db, string(db.dialect))
}

// Migrate applies every migration not yet applied. It is what
// "skalig migrate" runs; it is safe to run again, and on PostgreSQL from
// several processes at once.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", db, err)
	}
	return nil
}

// SchemaUpToDate reports whether every migration this program knows has
// been applied. serve refuses to start when it is not: run skalig migrate.
func (db *DB) SchemaUpToDate(ctx context.Context) (bool, error) {
	p, err := db.provider(ctx)
	if err != nil {
		return false, fmt.Errorf("schema version: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("schema version of %s: %w", db, err)
	}
	return !pending, nil
}

// SchemaVersion returns the version of the schema in the database (0 for an
// empty one) and the latest version this program knows.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := db.provider(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("schema version of %s: %w", db, err)
	}
	return current, latest, nil
}
