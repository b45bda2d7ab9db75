// Package dbtest gives each test a fresh, migrated database, so that the
// same store tests run on SQLite and on PostgreSQL.
//
// By default the database is SQLite in a file under the test's temporary
// directory (a file rather than :memory:, so that WAL and several
// connections behave as in production). With SKALIG_TEST_PG set to a
// PostgreSQL URL, for example
//
//	SKALIG_TEST_PG='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./internal/store/...
//
// each test gets a schema of its own in that database, created for it,
// selected with search_path, and dropped at cleanup unless KEEPDB=1 (the
// test log names the schema). The database named in the URL must exist.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the admin connection

	"skalig/internal/store"
)

// EnvPG names the variable that selects PostgreSQL.
const EnvPG = "SKALIG_TEST_PG"

// Dialect returns the dialect Open will give: store.Postgres when
// SKALIG_TEST_PG is set, else store.SQLite.
func Dialect() store.Dialect {
	if os.Getenv(EnvPG) != "" {
		return store.Postgres
	}
	return store.SQLite
}

// Open returns a fresh migrated database for tb, closed (and on PostgreSQL
// dropped) when the test ends. Its clock is the real one; set db.Now for a
// fixed one.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dsn := DSN(tb)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	tb.Cleanup(func() { db.Close() }) // runs before DSN's cleanup drops the schema
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	return db
}

// DSN returns the DSN of a fresh, empty database for tb (not migrated):
// a SQLite file under tb.TempDir, or with SKALIG_TEST_PG a new schema.
func DSN(tb testing.TB) string {
	tb.Helper()
	pg := os.Getenv(EnvPG)
	if pg == "" {
		return "sqlite:" + filepath.Join(tb.TempDir(), "skalig.db")
	}
	schema := schemaName(tb)
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		tb.Fatalf("dbtest: %s: %v", EnvPG, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		tb.Fatalf("dbtest: create schema on %s: %v", EnvPG, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if os.Getenv("KEEPDB") == "1" {
			tb.Logf("dbtest: KEEPDB=1: kept schema %s", schema)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(pg)
	if err != nil {
		tb.Fatalf("dbtest: %s: %v", EnvPG, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// schemaName returns a new schema name that shows which test made it:
// "t_storetestsubmit_k3j9x2".
func schemaName(tb testing.TB) string {
	name := nonIdent.ReplaceAllString(strings.ToLower(tb.Name()), "")
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("t_%s_%s", name, strings.ToLower(rand.Text()[:8]))
}

// RunJobs runs the workers (run, until its context ends) until no job is
// due: none left but parked ones and the scheduled checks whose time has
// not come (documents_due, kommunicering_due, and whatif_shadow: a shadow
// run looking for new decisions). It fails tb
// when jobs are still due after a minute.
func RunJobs(tb testing.TB, db *store.DB, run func(ctx context.Context) error) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); run(ctx) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(time.Minute); ; {
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state <> 'parked'
			AND NOT (kind IN ('documents_due', 'kommunicering_due', 'whatif_shadow') AND run_at > $1)`, time.Now().UnixMicro()).Scan(&n); err != nil {
			tb.Fatalf("dbtest: count jobs: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("dbtest: %d jobs still due after a minute", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
