package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are forward-only, numbered SQL files in migrations/, run by
// goose in order, each in its own transaction and recorded in the table
// goose_db_version. A file serves both databases unless it has a variant:
// 00002_x.sqlite.sql and 00002_x.postgres.sql replace 00002_x.sql for their
// database (and a variant may stand without a common file). Never edit a
// migration that has been released; add the next number.
//
//go:embed migrations/*.sql
var migrations embed.FS

// excluded returns the migration files that are not for dialect d: other
// dialects' variants, and common files that d has a variant of.
func excluded(d Dialect) ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	base := func(n string) string { return strings.TrimPrefix(n, "migrations/") }
	have := map[string]bool{}
	for _, n := range names {
		have[base(n)] = true
	}
	var out []string
	for _, n := range names {
		n = base(n)
		stem := strings.TrimSuffix(n, ".sql")
		switch {
		case strings.HasSuffix(stem, "."+string(SQLite)), strings.HasSuffix(stem, "."+string(Postgres)):
			if !strings.HasSuffix(stem, "."+string(d)) {
				out = append(out, n)
			}
		case have[stem+"."+string(d)+".sql"]:
			out = append(out, n)
		}
	}
	return out, nil
}

// provider returns the goose provider for db's dialect. On PostgreSQL,
// several instances may start at once: a session advisory lock, keyed by
// the current schema, makes one migrate while the others wait.
func (db *DB) provider(ctx context.Context) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	ex, err := excluded(db.dialect)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithExcludeNames(ex), goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		var schema string
		if err := db.db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return nil, fmt.Errorf("current schema: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("skalig migrate " + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 600))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.db, sub, opts...)
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
