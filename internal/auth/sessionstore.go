package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/alexedwards/scs/v2"

	"skalig"
)

// SessionStore keeps sessions in the table sessions (migration
// 00003_sessions), so that several skalig serve processes on one PostgreSQL
// database share them. The token column holds what scs gives it: Auth sets
// HashTokenInStore, so it is the SHA-256 of the cookie's token, and a copy
// of the table does not let anyone log in.
//
// Expiry is timestamptz on PostgreSQL and skalig.TimeFormat text on SQLite
// (fixed width, so text order is time order). A row past its expiry is
// never found; DeleteExpired removes such rows.
type SessionStore struct {
	db     *sql.DB
	sqlite bool

	// Now is the clock that decides whether a session has expired. Tests
	// move it forward; it defaults to time.Now.
	Now func() time.Time

	// InTx, when set, runs the store's writes in a transaction of the
	// caller's: cmd/skalig passes store.DB.InTx, so that on SQLite session
	// writes join the process's group commit instead of waiting on
	// SQLite's busy timeout behind the workflow's transactions.
	InTx func(ctx context.Context, fn func(tx *sql.Tx) error) error
}

// exec runs a write through InTx, or on the pool.
func (s *SessionStore) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s.InTx == nil {
		return s.db.ExecContext(ctx, query, args...)
	}
	var res sql.Result
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

var (
	_ scs.Store    = (*SessionStore)(nil)
	_ scs.CtxStore = (*SessionStore)(nil)
)

// NewSessionStore returns a store over db, whose dialect is "sqlite" or
// "postgres" (string(store.DB.Dialect())). The schema comes from the
// migrations: run them first.
func NewSessionStore(db *sql.DB, dialect string) (*SessionStore, error) {
	switch dialect {
	case "sqlite", "postgres":
	default:
		return nil, fmt.Errorf("session store: unknown dialect %q (want sqlite or postgres)", dialect)
	}
	return &SessionStore{db: db, sqlite: dialect == "sqlite", Now: time.Now}, nil
}

func (s *SessionStore) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if s.sqlite {
		return skalig.FormatTime(t)
	}
	return t
}

// FindCtx returns the data of the session with token, and false when there
// is none or it has expired.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`, token, s.timeArg(s.Now())).Scan(&b)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return b, true, nil
}

// CommitCtx stores the session's data and expiry, replacing what was there.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, s.timeArg(expiry))
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// DeleteCtx removes the session; a missing one is not an error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Find is FindCtx without a context, for scs.Store.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context, for scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context, for scs.Store.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteExpired removes every session past its expiry and returns how many
// it removed. Expired sessions are never found anyway; this only keeps the
// table small. RunCleanup calls it periodically.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM sessions WHERE expiry <= $1`, s.timeArg(s.Now()))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RunCleanup calls DeleteExpired every interval until ctx is done, logging
// failures, and returns ctx's error. Run it in one goroutine per process
// (several processes doing so is harmless). Zero interval means 5 minutes.
func (s *SessionStore) RunCleanup(ctx context.Context, interval time.Duration, log *slog.Logger) error {
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			n, err := s.DeleteExpired(ctx)
			if err != nil && ctx.Err() == nil {
				log.Error("session cleanup", "error", err)
			} else if n > 0 {
				log.Debug("session cleanup", "deleted", n)
			}
		}
	}
}
