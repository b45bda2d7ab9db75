// Package conn opens a store's connection pool: the DSN's dialect and
// driver, SQLite's settings, the pool's sizes, and the warm-up of
// PostgreSQL's connections. Only internal/store uses it (store.Open).
package conn

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"

	"skalig/internal/store/stmtcache"
)

// The dialects, as store.Dialect names them.
const (
	sqliteDialect   = "sqlite"
	postgresDialect = "postgres"
)

// SQLitePragmas are added to every SQLite DSN: WAL for concurrent readers,
// a busy timeout so that writers wait for each other, foreign keys on, and
// IMMEDIATE transactions (a deferred transaction that upgrades to a write
// gets SQLITE_BUSY at once, without waiting).
const SQLitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"

// MaxConns bounds the pool of one process: the connections kept idle for
// reuse, and on PostgreSQL the connections open at once.
const MaxConns = 32

// Pool opens the pool of dsn with the settings of its dialect, and returns
// it with the dialect and whether it is SQLite in memory. It does not
// connect yet.
func Pool(dsn string) (*sql.DB, string, bool, error) {
	driver, source, dialect, err := ParseDSN(dsn)
	if err != nil {
		return nil, "", false, err
	}
	var sdb *sql.DB
	if dialect == sqliteDialect {
		// Connections that keep their prepared statements (store/stmtcache).
		connector, err := sqlite.NewConnector(source)
		if err != nil {
			return nil, "", false, fmt.Errorf("open %s database %s: %w", dialect, Redact(dsn), err)
		}
		sdb = sql.OpenDB(stmtcache.New(connector))
	} else if sdb, err = sql.Open(driver, source); err != nil {
		return nil, "", false, fmt.Errorf("open %s database %s: %w", dialect, Redact(dsn), err)
	}
	switch {
	case dialect == sqliteDialect && IsMemory(source):
		// Every connection to :memory: is a database of its own.
		sdb.SetMaxOpenConns(1)
	case dialect == sqliteDialect:
		// Keep the connections: database/sql keeps only two idle ones by
		// default, and under a few dozen workers every other query then
		// opened a new connection (and ran the pragmas) again.
		sdb.SetMaxIdleConns(MaxConns)
	default:
		// A PostgreSQL connection is a server process: reuse them, and stay
		// well below max_connections (100 by default) with a few processes
		// (serve, worker) sharing the server. Work beyond MaxConns waits
		// for a connection in the pool.
		sdb.SetMaxOpenConns(MaxConns)
		sdb.SetMaxIdleConns(MaxConns)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
	}
	return sdb, dialect, IsMemory(source), nil
}

// Warm opens the connections of db's pool (n of them, or as many as it
// may open when n is 0) at once, in parallel, and keeps them idle: see
// store.DB.WarmPool.
func Warm(ctx context.Context, db *sql.DB, n int) {
	if n > 0 {
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conns := make([]*sql.Conn, db.Stats().MaxOpenConnections)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := db.Conn(ctx)
			if err != nil {
				return
			}
			if err := c.PingContext(ctx); err != nil {
				c.Close()
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	for _, c := range conns {
		if c != nil {
			c.Close() // back to the pool, kept idle
		}
	}
}

// ParseDSN returns the database/sql driver, its data source and the
// dialect ("sqlite", "postgres") of dsn (see store.Open).
func ParseDSN(dsn string) (driver, source, dialect string, err error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "pgx", dsn, postgresDialect, nil
	case strings.HasPrefix(dsn, "file:"):
		return "sqlite", withPragmas(dsn), sqliteDialect, nil
	case dsn == "":
		return "", "", "", fmt.Errorf("open database: no DSN given")
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if i := strings.Index(path, "://"); i > 0 && i < 12 && !strings.ContainsAny(path[:i], "/\\.") {
		return "", "", "", fmt.Errorf("open database %s: unknown kind of database %q (use postgres:// or a SQLite file)", Redact(dsn), path[:i])
	}
	if path == "" {
		return "", "", "", fmt.Errorf("open database %q: no SQLite file named", dsn)
	}
	if path == ":memory:" {
		return "sqlite", "file::memory:?" + SQLitePragmas, sqliteDialect, nil
	}
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "sqlite", "file:" + esc + "?" + SQLitePragmas, sqliteDialect, nil
}

// withPragmas adds to a file: URI each setting of SQLitePragmas that it
// does not make itself, so that a DSN given in full can change a setting
// (a longer busy_timeout) without losing the others.
func withPragmas(uri string) string {
	var add []string
	for _, p := range strings.Split(SQLitePragmas, "&") {
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

// IsMemory reports whether the SQLite source is an in-memory database.
func IsMemory(source string) bool {
	return strings.HasPrefix(source, "file::memory:") || strings.Contains(source, "mode=memory")
}

// Redact removes a password from a URL-shaped DSN.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
