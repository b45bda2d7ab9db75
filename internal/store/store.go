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
	"slices"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/store/internal/conn"
	"skalig/internal/store/internal/seal"
)

// Dialect is the kind of database behind a DB.
type Dialect string

// Dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a connection pool to one Skälig database, SQLite or PostgreSQL.
type DB struct {
	db      *sql.DB
	dialect Dialect
	dsn     string // for messages, without a password

	// Now is the clock of every change the store makes. Tests set it; it
	// defaults to time.Now.
	Now func() time.Time

	// wlock serialises this process's write transactions on SQLite (nil
	// on PostgreSQL): the leader of a group commit holds it (groupTx).
	// SQLite has one writer at a time anyway; waiting for it here hands it
	// over at once, where SQLite's busy handler lets the waiting writers
	// sleep 1, 2, 5 … 100 ms and poll again, leaving the database idle
	// between writers and making latency erratic under load.
	wlock chan struct{}
	// sealer chains the audit events this process's transactions leave
	// pending on PostgreSQL (audit.DeferPending, audit.Seal); nil on
	// SQLite, which chains them in the transaction.
	sealer *seal.Sealer
	// checkpointer signs checkpoints of the audit chain (StartCheckpoints);
	// nil without the audit key.
	checkpointer *seal.Checkpointer
	// memory is SQLite's :memory: (one connection, no group commit).
	memory bool
	// group is the queue of transactions waiting to be committed together
	// on SQLite (see groupTx).
	group struct {
		sync.Mutex
		queue []*txRequest
	}
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
// For SQLite the settings of conn.SQLitePragmas are added; a file: URI keeps
// those it sets itself.
func Open(ctx context.Context, dsn string) (*DB, error) {
	sdb, d, memory, err := conn.Pool(dsn)
	if err != nil {
		return nil, err
	}
	dialect := Dialect(d)
	db := &DB{db: sdb, dialect: dialect, dsn: conn.Redact(dsn), Now: time.Now, memory: memory}
	if dialect == SQLite {
		db.wlock = make(chan struct{}, 1)
	}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("connect to %s database %s: %w", dialect, db.dsn, err)
	}
	if dialect == Postgres {
		db.sealer = seal.Start(sdb)
	}
	return db, nil
}

// WarmPool opens the pool's PostgreSQL connections at once, in parallel,
// instead of one by one as the first burst of work needs them: each is a
// server process that must start and load the catalog, and a burst right
// after start-up (a queue of cases waiting for a restarted server) would
// otherwise wait for them in turn. For long-running processes (serve,
// worker); nothing on SQLite. A failure here is not one: the pool opens
// connections as needed anyway.
func (db *DB) WarmPool(ctx context.Context) {
	db.WarmPoolSize(ctx, 0)
}

// WarmPoolSize is WarmPool with a pool of n connections on PostgreSQL
// (0: the default, 32): several processes on one server must together stay
// below its max_connections.
func (db *DB) WarmPoolSize(ctx context.Context, n int) {
	if db.dialect == Postgres {
		conn.Warm(ctx, db.db, n)
	}
}

// Close seals the audit events still pending and closes the pool.
func (db *DB) Close() error {
	if db.sealer != nil {
		db.sealer.Stop()
	}
	if db.checkpointer != nil {
		db.checkpointer.Stop()
	}
	return db.db.Close()
}

// Dialect returns the kind of database.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying pool, for audit.Verify, statistics and tests.
// Changes must go through the store's methods, which audit them.
func (db *DB) SQL() *sql.DB { return db.db }

// String returns the dialect and the DSN without a password.
func (db *DB) String() string { return string(db.dialect) + " " + db.dsn }

// now returns the store's clock, to the microsecond both databases keep.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a transaction, committing if fn returns nil. On SQLite
// (a file) the transaction is committed together with others waiting at
// the same time (groupTx), and fn runs on another goroutine, in its turn:
// fn must not begin another transaction of db.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.wlock != nil && !db.memory {
		return db.groupTx(ctx, fn)
	}
	return db.tx(ctx, fn)
}

// tx runs fn in a transaction of its own: on PostgreSQL, and on SQLite in
// memory (one connection, in turns).
func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.wlock != nil {
		if err := acquire(ctx, db.wlock); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer func() { <-db.wlock }()
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	// The audit events of fn are written together at the end: on
	// PostgreSQL unnumbered, for the sealer to chain after the commit, so
	// that transactions do not wait for each other's commit on the chain's
	// head (see audit.DeferPending); on SQLite chained at once.
	var b *audit.Batch
	if db.sealer != nil {
		b = audit.DeferPending(tx)
	} else {
		b = audit.Defer(tx)
	}
	defer b.Discard()
	if err := fn(tx); err != nil {
		return err
	}
	pending := b.Len() > 0
	if err := b.Flush(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if pending && db.sealer != nil {
		db.sealer.Kick()
	}
	return nil
}

// txRequest is a transaction waiting for group commit.
type txRequest struct {
	ctx   context.Context
	fn    func(tx *sql.Tx) error
	taken bool       // a leader runs it (guarded by db.group)
	done  chan error // its outcome, sent once
}

// maxGroup bounds the transactions committed together.
const maxGroup = 256

// groupTx runs fn on SQLite with group commit. SQLite has one writer, and
// in WAL mode with synchronous=FULL each commit waits for the disk (an
// fsync of the log); committing one transaction at a time, the disk wait
// bounds the writes a second, and the single writer idles through it.
// Instead, a transaction joins a queue; the first to get the write lock
// becomes the leader and runs the queued transactions (its own among them)
// one after the other in one SQLite transaction, each inside a savepoint
// of its own, and commits them with one wait for the disk. A function that
// fails is rolled back to its savepoint and gets its error; the others
// commit. Each caller returns only when its work has committed (or
// failed), so durability is as before: one fsync covers them all.
//
// The functions run on the leader's goroutine, one at a time, and must not
// begin a transaction themselves. A function whose statement is
// interrupted (its context ended) can make SQLite roll the whole
// transaction back: then every function of the group fails and its caller
// retries, as after any failed commit.
func (db *DB) groupTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.group.Lock()
	db.group.queue = append(db.group.queue, r)
	db.group.Unlock()
	for {
		select {
		case err := <-r.done:
			return err
		case db.wlock <- struct{}{}:
			// The leader: run groups until this one's is done.
			for {
				select {
				case err := <-r.done:
					<-db.wlock
					return err
				default:
				}
				db.group.Lock()
				batch := db.group.queue[:min(len(db.group.queue), maxGroup)]
				db.group.queue = slices.Clone(db.group.queue[len(batch):])
				for _, b := range batch {
					b.taken = true
				}
				db.group.Unlock()
				db.runGroup(batch)
			}
		case <-ctx.Done():
			db.group.Lock()
			if !r.taken {
				db.group.queue = slices.DeleteFunc(db.group.queue, func(x *txRequest) bool { return x == r })
				db.group.Unlock()
				return fmt.Errorf("begin: %w", ctx.Err())
			}
			db.group.Unlock()
			return <-r.done // a leader runs it: wait for the outcome
		}
	}
}

// runGroup runs batch in one transaction, each function in a savepoint,
// and sends each its outcome.
func (db *DB) runGroup(batch []*txRequest) {
	bg := context.Background()
	errs := make([]error, len(batch))
	fail := func(err error) {
		for i, r := range batch {
			if errs[i] == nil {
				r.done <- err
			} else {
				r.done <- errs[i]
			}
		}
	}
	tx, err := db.db.BeginTx(bg, nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	defer tx.Rollback()
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("begin: %w", err)
			continue
		}
		if _, err := tx.ExecContext(bg, `SAVEPOINT grouped`); err != nil {
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		b := audit.Defer(tx)
		err := callTx(r.fn, tx)
		if err == nil {
			err = b.Flush(r.ctx)
		}
		b.Discard()
		if err != nil {
			errs[i] = err
			if _, err := tx.ExecContext(bg, `ROLLBACK TO grouped`); err != nil {
				// SQLite rolled the whole transaction back (an
				// interrupted statement): nothing of the group stays.
				fail(fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.ExecContext(bg, `RELEASE grouped`); err != nil {
			fail(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// callTx runs fn, turning a panic into an error so that the leader goes
// on with the group.
func callTx(fn func(tx *sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in transaction: %v", p)
		}
	}()
	return fn(tx)
}

// acquire takes the lock l (a channel of capacity one), or gives up when
// ctx ends.
func acquire(ctx context.Context, l chan struct{}) error {
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
