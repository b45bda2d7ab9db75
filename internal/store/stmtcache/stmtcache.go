// Package stmtcache wraps a database/sql driver connector so that each
// connection keeps the statements it prepares (internal/store uses it for
// SQLite).
package stmtcache

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// SQLite connections keep the statements they prepare, by SQL text.
//
// database/sql runs a query given as text (db.ExecContext, tx.QueryContext)
// through the driver's ExecerContext and QueryerContext, and
// modernc.org/sqlite then parses the SQL, runs it and throws the prepared
// statement away: under load a fifth of the process's time went to parsing
// the same few dozen statements again. A prepared statement of
// modernc.org/sqlite is reset for reuse after each run, so keeping them per
// connection is safe; the store's SQL is a fixed set of texts (the few built
// at run time, such as an insert of n audit events, repeat too), and the
// cache stops growing at maxCachedStmts.
//
// PostgreSQL is not wrapped: pgx keeps its own statement cache.

// maxCachedStmts bounds the statements one connection keeps.
const maxCachedStmts = 256

// Connector opens the connections of the wrapped connector with a
// statement cache each.
type Connector struct{ connector driver.Connector }

// New wraps connector.
func New(connector driver.Connector) Connector { return Connector{connector} }

func (k Connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := k.connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	for _, ok := range []bool{implements[driver.ConnPrepareContext](conn), implements[driver.ConnBeginTx](conn),
		implements[driver.Pinger](conn), implements[driver.SessionResetter](conn), implements[driver.Validator](conn)} {
		if !ok {
			conn.Close()
			return nil, errors.New("sqlite driver lacks an interface the statement cache needs")
		}
	}
	return &cachingConn{inner: conn, stmts: map[string]*cachedStmt{}}, nil
}

func (k Connector) Driver() driver.Driver { return k.connector.Driver() }

func implements[T any](v any) bool { _, ok := v.(T); return ok }

type cachedStmt struct {
	stmt driver.Stmt
	busy bool // its rows are open
	temp bool // not in the cache: close after use
}

// cachingConn is a driver connection with a statement cache. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type cachingConn struct {
	inner driver.Conn
	stmts map[string]*cachedStmt
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.inner.Prepare(Positional(query))
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.(driver.ConnPrepareContext).PrepareContext(ctx, Positional(query))
}

// Positional returns query with its placeholders $1, $2, … $n written as
// ?, when they first appear in that order, outside quotes, and the query
// has no other placeholder and no comment; otherwise query as it is. A
// placeholder used again is written ?N (N already assigned: SQLite binds
// it to parameter N). Bound by position, both mean the same. SQLite keeps
// the names of numbered placeholders in a list, and modernc.org/sqlite
// looks up the name of every parameter it binds in that list: a statement
// of n numbered placeholders (a multi-row insert: 800 for 100 audit
// events) costs n²/2 steps to bind, unnamed ones nothing, and one that
// reuses k of them (the shared values of an audit batch) k a parameter.
func Positional(query string) string {
	if !strings.Contains(query, "$") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query))
	next := 1
	var quote byte
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '?' || ch == ':' || ch == '@':
			return query
		case (ch == '-' || ch == '/') && i+1 < len(query) && (query[i+1] == '-' || query[i+1] == '*'):
			return query
		case ch == '$':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(query[i+1 : j])
			switch {
			case err != nil || n < 1 || n > next || query[i+1] == '0':
				return query
			case n < next: // used before
				b.WriteByte('?')
				b.WriteString(query[i+1 : j])
			default:
				next++
				b.WriteByte('?')
			}
			i = j - 1
			continue
		}
		b.WriteByte(ch)
	}
	if quote != 0 {
		return query
	}
	return b.String()
}

// Begin is part of driver.Conn; database/sql calls BeginTx.
func (c *cachingConn) Begin() (driver.Tx, error) { return c.inner.Begin() } //nolint:staticcheck // deprecated but required

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.inner.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.inner.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.inner.(driver.Validator).IsValid() }

func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.stmt.Close()
		delete(c.stmts, q)
	}
	return c.inner.Close()
}

// prepared returns the connection's statement for query, prepared now if
// it has none or its own is in use by open rows.
func (c *cachingConn) prepared(ctx context.Context, query string) (*cachedStmt, error) {
	s, ok := c.stmts[query]
	if ok && !s.busy {
		return s, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if !implements[driver.StmtExecContext](st) || !implements[driver.StmtQueryContext](st) {
		st.Close()
		return nil, driver.ErrSkip
	}
	s = &cachedStmt{stmt: st, temp: ok || len(c.stmts) >= maxCachedStmts}
	if !s.temp {
		c.stmts[query] = s
	}
	return s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	r, err := s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	if s.temp {
		s.stmt.Close()
	}
	return r, err
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		if s.temp {
			s.stmt.Close()
		}
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, s: s}, nil
}

// cachedRows gives the statement back when the rows are closed.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.s.busy = false
	if r.s.temp {
		if e := r.s.stmt.Close(); err == nil {
			err = e
		}
	}
	return err
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}
