// Package migrations holds the store's schema migrations and the goose
// provider that runs them (store.DB.Migrate, SchemaUpToDate).
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are forward-only, numbered SQL files in this directory, run by
// goose in order, each in its own transaction and recorded in the table
// goose_db_version. A file serves both databases unless it has a variant:
// 00002_x.sqlite.sql and 00002_x.postgres.sql replace 00002_x.sql for their
// database (and a variant may stand without a common file). A migration
// that needs Go (00042_name_fold.go: a backfill that folds names with
// skalig.NameFold; 00043_name_words.go, one that makes the words of names
// with skalig.NameWords) is a goose Go migration, registered in Provider;
// its number is not used by a file. Never edit a migration that has been
// released; add the next number.
//
//go:embed *.sql
var files embed.FS

// The dialects, as store.Dialect names them.
const (
	sqlite   = "sqlite"
	postgres = "postgres"
)

// Excluded returns the migration files that are not for dialect d
// ("sqlite", "postgres"): other dialects' variants, and common files that
// d has a variant of.
func Excluded(d string) ([]string, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	var out []string
	for _, n := range names {
		stem := strings.TrimSuffix(n, ".sql")
		switch {
		case strings.HasSuffix(stem, "."+sqlite), strings.HasSuffix(stem, "."+postgres):
			if !strings.HasSuffix(stem, "."+d) {
				out = append(out, n)
			}
		case have[stem+"."+d+".sql"]:
			out = append(out, n)
		}
	}
	return out, nil
}

// Provider returns the goose provider of the migrations for db of
// dialect ("sqlite", "postgres"). On PostgreSQL,
// several instances may start at once: a session advisory lock, keyed by
// the current schema, makes one migrate while the others wait.
func Provider(ctx context.Context, db *sql.DB, dialect string) (*goose.Provider, error) {
	ex, err := Excluded(dialect)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithExcludeNames(ex), goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(nameFold(), nameWords(dialect))}
	gd := goose.DialectSQLite3
	if dialect == postgres {
		gd = goose.DialectPostgres
		var schema string
		if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
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
	return goose.NewProvider(gd, db, files, opts...)
}
