// Package store implements the storage interfaces of package skalig with
// plain SQL through database/sql, on SQLite (modernc.org/sqlite, pure Go, the
// embedded default) and on PostgreSQL (pgx through its database/sql driver).
//
// One SQL text serves both databases wherever it can: both accept $1-style
// parameters, RETURNING and ON CONFLICT. Where the schema differs, a
// migration has a per-dialect variant (see migrate.go). Instants are stored
// as timestamptz on PostgreSQL and as skalig.TimeFormat text on SQLite, both
// to the microsecond; months as "YYYY-MM"; money as integer öre.
//
// Every change is one transaction, with its audit event (internal/audit)
// written in the same transaction. On SQLite every transaction begins
// IMMEDIATE (the DSN sets _txlock), so writers queue on busy_timeout instead
// of failing when a read transaction would have to upgrade.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"skalig"
)

// Dialect is the kind of database behind a DB.
type Dialect string

// Dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// sqlitePragmas are added to every SQLite DSN: WAL for concurrent readers,
// a busy timeout so that writers wait for each other, foreign keys on, and
// IMMEDIATE transactions (a deferred transaction that upgrades to a write
// gets SQLITE_BUSY at once, without waiting).
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"

// DB is a connection pool to one Skälig database, SQLite or PostgreSQL.
type DB struct {
	db      *sql.DB
	dialect Dialect
	dsn     string // for messages, without a password

	// Now is the clock of every change the store makes. Tests set it; it
	// defaults to time.Now.
	Now func() time.Time
}

// Open connects to the database dsn names and checks that it answers. It
// does not migrate: run Migrate (skalig migrate) or check SchemaUpToDate.
//
// The dialect comes from the DSN:
//
//	postgres://user@host:5432/db?sslmode=disable   PostgreSQL (also postgresql://)
//	sqlite:/var/lib/skalig/skalig.db               SQLite file
//	sqlite::memory:                                SQLite in memory (one connection)
//	/var/lib/skalig/skalig.db, ./data/skalig.db    SQLite file
//	file:/var/lib/skalig/skalig.db?…               SQLite URI, used as given
//
// For SQLite the settings of sqlitePragmas are added; a file: URI keeps
// those it sets itself.
func Open(ctx context.Context, dsn string) (*DB, error) {
	driver, source, dialect, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	sdb, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("open %s database %s: %w", dialect, redact(dsn), err)
	}
	if dialect == SQLite && isMemory(source) {
		// Every connection to :memory: is a database of its own.
		sdb.SetMaxOpenConns(1)
	}
	db := &DB{db: sdb, dialect: dialect, dsn: redact(dsn), Now: time.Now}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("connect to %s database %s: %w", dialect, db.dsn, err)
	}
	return db, nil
}

func parseDSN(dsn string) (driver, source string, dialect Dialect, err error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "pgx", dsn, Postgres, nil
	case strings.HasPrefix(dsn, "file:"):
		return "sqlite", withPragmas(dsn), SQLite, nil
	case dsn == "":
		return "", "", "", fmt.Errorf("open database: no DSN given")
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if i := strings.Index(path, "://"); i > 0 && i < 12 && !strings.ContainsAny(path[:i], "/\\.") {
		return "", "", "", fmt.Errorf("open database %s: unknown kind of database %q (use postgres:// or a SQLite file)", redact(dsn), path[:i])
	}
	if path == "" {
		return "", "", "", fmt.Errorf("open database %q: no SQLite file named", dsn)
	}
	if path == ":memory:" {
		return "sqlite", "file::memory:?" + sqlitePragmas, SQLite, nil
	}
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "sqlite", "file:" + esc + "?" + sqlitePragmas, SQLite, nil
}

// withPragmas adds to a file: URI each setting of sqlitePragmas that it
// does not make itself, so that a DSN given in full can change a setting
// (a longer busy_timeout) without losing the others.
func withPragmas(uri string) string {
	var add []string
	for _, p := range strings.Split(sqlitePragmas, "&") {
		// "_txlock=immediate" is known by "_txlock",
		// "_pragma=busy_timeout(5000)" by "busy_timeout".
		key, v, _ := strings.Cut(p, "=")
		if key == "_pragma" {
			key, _, _ = strings.Cut(v, "(")
		}
		if !strings.Contains(uri, key) {
			add = append(add, p)
		}
	}
	switch {
	case len(add) == 0:
		return uri
	case strings.Contains(uri, "?"):
		return uri + "&" + strings.Join(add, "&")
	}
	return uri + "?" + strings.Join(add, "&")
}

func isMemory(source string) bool {
	return strings.HasPrefix(source, "file::memory:") || strings.Contains(source, "mode=memory")
}

// redact removes a password from a URL-shaped DSN.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Close closes the pool.
func (db *DB) Close() error { return db.db.Close() }

// Dialect returns the kind of database.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying pool, for audit.Verify, statistics and tests.
// Changes must go through the store's methods, which audit them.
func (db *DB) SQL() *sql.DB { return db.db }

// String returns the dialect and the DSN without a password.
func (db *DB) String() string { return string(db.dialect) + " " + db.dsn }

// now returns the store's clock, to the microsecond both databases keep.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a transaction, committing if fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// timeArg returns t as the store writes an instant: a time for PostgreSQL's
// timestamptz, skalig.TimeFormat text for SQLite. The zero time is NULL.
func (db *DB) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	if db.dialect == SQLite {
		return skalig.FormatTime(t)
	}
	return t
}

// timeValue scans an instant stored by timeArg; NULL is the zero time.
type timeValue struct{ t time.Time }

func (v *timeValue) Scan(src any) error {
	var err error
	switch x := src.(type) {
	case nil:
		v.t = time.Time{}
	case time.Time:
		v.t = x.UTC().Truncate(time.Microsecond)
	case string:
		v.t, err = skalig.ParseTime(x)
	case []byte:
		v.t, err = skalig.ParseTime(string(x))
	default:
		err = fmt.Errorf("cannot scan %T as a time", src)
	}
	return err
}

// monthValue scans a month stored as "YYYY-MM".
type monthValue struct{ m skalig.Month }

func (v *monthValue) Scan(src any) error {
	var s string
	switch x := src.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return fmt.Errorf("cannot scan %T as a month", src)
	}
	m, ok := skalig.ParseMonth(s)
	if !ok {
		return fmt.Errorf("month %q is not YYYY-MM", s)
	}
	v.m = m
	return nil
}

// newID returns a new identifier of 26 characters in Crockford's base32: 48
// bits of milliseconds since 1970 then 80 random bits (the layout of a
// ULID), so that IDs sort by creation time to the millisecond and never
// collide in practice, across processes and databases.
func newID(t time.Time) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	rand.Read(b[6:]) // never fails (crypto/rand)
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	// 128 bits as 26 base32 digits: the first digit carries the top 3 bits.
	for i := 25; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// notFound is the ENOTFOUND for a missing thing named in Swedish.
func notFound(what string) error {
	return skalig.Errorf(skalig.ENOTFOUND, "%s finns inte.", what)
}

// isNoRows reports whether err is sql.ErrNoRows.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
