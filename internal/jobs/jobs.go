// Package jobs is Skälig's durable job queue: one table (jobs) in the same
// database as the cases, so that a job is enqueued in the same transaction as
// the state change that makes it due, and completed (deleted) in the same
// transaction as the change it makes. A step of the flow is therefore done
// exactly when its effect is committed: a crash before the commit leaves the
// job to run again, a crash after it leaves nothing to redo.
//
// Workers claim due jobs with a lease (locked_until). A worker that dies
// leaves its jobs locked until the lease ends; then any worker claims them
// again. A worker that is stopped (Run's context ends: SIGTERM) claims
// nothing more, lets its running jobs finish for a grace period and hands
// the rest back at once (Config.Grace), so that they need not wait for the
// lease. Completing checks the lease in the same transaction, so a worker
// whose lease was taken over cannot commit a second effect. Several processes
// (skalig serve, skalig worker) share one PostgreSQL database this way; on
// PostgreSQL claims use FOR UPDATE SKIP LOCKED, on SQLite the database's
// single writer serialises them.
//
// Why not River (design.md's first choice): the store runs on database/sql
// for both dialects, and River's PostgreSQL driver wants pgx's own pool and
// transactions, while its SQLite driver is marked early-stage. The few
// hundred lines here give the one property that matters, the job and the
// change in one *sql.Tx on both databases, with no second migration system.
package jobs

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Dialect is "sqlite" or "postgres".
type Dialect string

// New describes a job to enqueue.
type New struct {
	Kind   string
	CaseID string
	// RunAt is when the job is due; zero means now.
	RunAt time.Time
	// MaxAttempts bounds the failures before the job is parked; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
}

// DefaultMaxAttempts is the number of failed runs after which a job is parked.
const DefaultMaxAttempts = 8

// Execer is what Enqueue needs: a *sql.Tx.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Enqueue writes j in tx. A case has at most one live job of a kind: when
// one exists, Enqueue leaves it as it is and reports false.
func Enqueue(ctx context.Context, tx Execer, now time.Time, j New) (bool, error) {
	if j.Kind == "" || j.CaseID == "" {
		return false, fmt.Errorf("enqueue: kind and case are required")
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = DefaultMaxAttempts
	}
	runAt := j.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO jobs (kind, case_id, max_attempts, run_at, created_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kind, case_id) DO NOTHING`,
		j.Kind, j.CaseID, j.MaxAttempts, micros(runAt), micros(now))
	if err != nil {
		return false, fmt.Errorf("enqueue %s for case %s: %w", j.Kind, j.CaseID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// Job is a claimed job, given to its Handler.
type Job struct {
	ID          int64
	Kind        string
	CaseID      string
	Attempt     int // 1 on the first run
	MaxAttempts int
	LastError   string // the error of the previous run, if any

	q         *Queue
	worker    string
	completed bool
	next      *Job // enqueued by Then, run by this worker after Complete
}

// Handler runs a job. It does its outside work (register calls) first and
// then commits its effect with j.Complete. Returning nil without calling
// Complete completes the job with no effect. Returning an error retries the
// job with backoff, or parks it after MaxAttempts; see Snooze and Permanent.
type Handler func(ctx context.Context, j *Job) error

// Complete runs fn in one transaction together with deleting j, provided the
// worker still holds j's lease. If the lease was lost (the job ran too long
// and another worker took it), nothing commits and Complete returns
// ErrLeaseLost.
func (j *Job) Complete(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if j.completed {
		return fmt.Errorf("job %d completed twice", j.ID)
	}
	err := j.q.cfg.InTx(ctx, func(tx *sql.Tx) error {
		j.next = nil
		res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND state = 'running'`, j.ID, j.worker)
		if err != nil {
			return fmt.Errorf("complete job %d: %w", j.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLeaseLost
		}
		if fn != nil {
			return fn(tx)
		}
		return nil
	})
	if err != nil {
		j.next = nil
		return err
	}
	j.completed = true
	j.q.Notify()
	return nil
}

// Then enqueues the case's next step in tx, the transaction of j's
// Complete, leased at once to j's worker: when the transaction commits,
// the worker runs the new job right after j, without claiming it, so a
// case's steps follow each other without a round through the queue (and
// without the claim's write transaction). It is a job like any other: if
// the worker dies, the lease runs out and any worker claims it. A job with
// a RunAt in the future is enqueued as by Enqueue. When the case has a
// live job of the kind already, Then leaves it as it is.
func (j *Job) Then(ctx context.Context, tx *sql.Tx, now time.Time, n New) error {
	if n.Kind == "" || n.CaseID == "" {
		return fmt.Errorf("enqueue: kind and case are required")
	}
	if !n.RunAt.IsZero() && n.RunAt.After(now) {
		_, err := Enqueue(ctx, tx, now, n)
		return err
	}
	if n.MaxAttempts == 0 {
		n.MaxAttempts = DefaultMaxAttempts
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO jobs (kind, case_id, state, attempts, max_attempts, run_at, locked_by, locked_until, created_at)
		VALUES ($1, $2, 'running', 1, $3, $4, $5, $6, $4)
		ON CONFLICT (kind, case_id) DO NOTHING
		RETURNING id`,
		n.Kind, n.CaseID, n.MaxAttempts, micros(now), j.worker, micros(now.Add(j.q.cfg.Lease))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s for case %s: %w", n.Kind, n.CaseID, err)
	}
	j.next = &Job{ID: id, Kind: n.Kind, CaseID: n.CaseID, Attempt: 1, MaxAttempts: n.MaxAttempts, q: j.q, worker: j.worker}
	return nil
}

// ErrLeaseLost is returned by Complete when another worker has taken the job.
var ErrLeaseLost = errors.New("jobs: the lease was lost; another worker runs the job")

// snooze asks for the job to run again after a delay, without counting a
// failure: a register that has not answered yet, a document not yet in.
type snooze struct {
	d      time.Duration
	reason string
}

func (s *snooze) Error() string { return "snoozed " + s.d.String() + ": " + s.reason }

// Snooze returns an error that makes the worker run the job again after d
// without counting it as a failed attempt. reason is kept as the job's
// last_error, for operators.
func Snooze(d time.Duration, reason string) error { return &snooze{d: d, reason: reason} }

type permanent struct{ err error }

func (p *permanent) Error() string { return p.err.Error() }
func (p *permanent) Unwrap() error { return p.err }

// Permanent marks err as one that retrying cannot fix: the job is parked at
// once.
func Permanent(err error) error { return &permanent{err: err} }

// Config configures a Queue.
type Config struct {
	Dialect Dialect
	// Workers is the number of jobs run at once in this process; default 32
	// (jobs mostly wait on registers and the database).
	Workers int
	// Lease is how long a claimed job stays locked to its worker; a job whose
	// worker died is claimed again after it. Default 60 s. A handler's
	// context ends a little before the lease does.
	Lease time.Duration
	// Poll is how often an idle worker looks for due jobs enqueued by other
	// processes; jobs enqueued in this process wake it at once. Default 250 ms.
	Poll time.Duration
	// ClaimGap is the least time between two claims, so that the wake-ups
	// of a busy process (every submission, every finished job) are served
	// by one claim of several jobs instead of a claim each; a job waits at
	// most this long more. Default 10 ms.
	ClaimGap time.Duration
	// Grace is how long the jobs in flight may take to finish once Run's
	// context ends (a SIGTERM): the queue stops claiming at once, lets the
	// running jobs finish for up to Grace, then cancels them and hands
	// each unfinished job back (available again, its attempt not counted),
	// so that another worker claims it at once instead of after the lease.
	// Default 5 s; a negative Grace hands the jobs back at once.
	Grace time.Duration
	// Backoff is the delay after the first failure; it doubles per attempt up
	// to MaxBackoff, with up to 25 % jitter. Defaults 1 s and 5 min.
	Backoff, MaxBackoff time.Duration
	// OnPark runs in the transaction that parks a job, to park its case
	// visibly (internal/workflow moves it to a caseworker with the error).
	OnPark func(ctx context.Context, tx *sql.Tx, j *Job, cause error) error
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Observe, if set, is called after each run with the job kind, how it
	// ended ("done", "retry", "snooze", "parked", "lease_lost",
	// "handed_back" at shutdown) and the time
	// it took: for metrics.
	Observe func(kind, outcome string, d time.Duration)
	// InTx runs fn in one transaction, committing if it returns nil; every
	// change the queue makes goes through it. Default: a plain transaction
	// of the queue's database. The workflow passes the store's DB.InTx,
	// which on SQLite commits the process's transactions in groups instead
	// of letting them poll SQLite's busy lock.
	InTx func(ctx context.Context, fn func(tx *sql.Tx) error) error
}

// Queue runs the jobs of one database.
type Queue struct {
	db       *sql.DB
	cfg      Config
	handlers map[string]Handler
	wake     chan struct{}
	id       string
	mu       sync.Mutex
	running  bool
}

// NewQueue returns a queue on db. Register handlers with Handle before Run.
func NewQueue(db *sql.DB, cfg Config) *Queue {
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	if cfg.ClaimGap <= 0 {
		cfg.ClaimGap = 10 * time.Millisecond
	}
	if cfg.Grace == 0 {
		cfg.Grace = 5 * time.Second
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.InTx == nil {
		cfg.InTx = func(ctx context.Context, fn func(tx *sql.Tx) error) error { return inTx(ctx, db, fn) }
	}
	var b [6]byte
	crand.Read(b[:])
	return &Queue{db: db, cfg: cfg, handlers: map[string]Handler{}, wake: make(chan struct{}, 1), id: hex.EncodeToString(b[:])}
}

// inTx runs fn in a plain transaction of db.
func inTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
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

// exec runs one change in its own transaction (see Config.InTx) and
// returns the number of rows it changed.
func (q *Queue) exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := q.cfg.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Handle sets the handler of kind.
func (q *Queue) Handle(kind string, h Handler) { q.handlers[kind] = h }

// Notify wakes this process's workers: a job was enqueued.
func (q *Queue) Notify() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs due jobs until ctx ends. Then it stops claiming,
// lets the jobs it is running finish for up to Config.Grace, cancels the
// ones still running and hands them back (see Config.Grace), and returns
// when every job of this process has finished or been handed back.
func (q *Queue) Run(ctx context.Context) error {
	q.mu.Lock()
	if q.running {
		q.mu.Unlock()
		return fmt.Errorf("jobs: queue already running")
	}
	q.running = true
	q.mu.Unlock()
	defer func() { q.mu.Lock(); q.running = false; q.mu.Unlock() }()

	kinds := make([]string, 0, len(q.handlers))
	for k := range q.handlers {
		kinds = append(kinds, k)
	}
	slots := make(chan struct{}, q.cfg.Workers)
	// The jobs run under a context of their own, which outlives ctx by the
	// grace period.
	jctx, jcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer jcancel()
	var wg sync.WaitGroup
	var handedBack atomic.Int64
	defer func() {
		running := len(slots)
		grace := max(q.cfg.Grace, 0)
		q.cfg.Logger.Info("job queue shutting down: no more claims", "running", running, "grace", grace)
		t := time.AfterFunc(grace, jcancel)
		wg.Wait()
		t.Stop()
		q.cfg.Logger.Info("job queue stopped", "handed_back", handedBack.Load())
	}()
	ticker := time.NewTicker(q.cfg.Poll)
	defer ticker.Stop()
	var last, lastReclaim time.Time
	for {
		free := q.cfg.Workers - len(slots)
		var claimed []*Job
		if free > 0 {
			if wait := q.cfg.ClaimGap - time.Since(last); wait > 0 {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(wait):
				}
				free = q.cfg.Workers - len(slots)
			}
		}
		if free > 0 && ctx.Err() == nil {
			last = time.Now()
			// Jobs whose worker died are looked for once per Poll, not
			// at every wake-up: the lease is long, and the search
			// through the running jobs is most of a claim's work.
			reclaim := last.Sub(lastReclaim) >= q.cfg.Poll
			if reclaim {
				lastReclaim = last
			}
			var err error
			claimed, err = q.claim(ctx, kinds, free, reclaim)
			if err != nil && ctx.Err() == nil {
				q.cfg.Logger.Warn("claim jobs", "err", err)
			}
		}
		for _, j := range claimed {
			slots <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots; q.Notify() }()
				handedBack.Add(int64(q.run(ctx, jctx, j)))
			}()
		}
		if ctx.Err() != nil {
			return nil
		}
		if len(claimed) == free && free > 0 {
			continue // there may be more due
		}
		select {
		case <-ctx.Done():
			return nil
		case <-q.wake:
		case <-ticker.C:
		}
	}
}

// claim leases up to n due jobs of kinds: available ones whose time has
// come, and with reclaim also running ones whose lease has run out (their
// worker died).
func (q *Queue) claim(ctx context.Context, kinds []string, n int, reclaim bool) ([]*Job, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	now := q.cfg.Now()
	worker := q.id + "-" + strconv.FormatInt(now.UnixNano(), 36)
	args := []any{worker, micros(now.Add(q.cfg.Lease)), micros(now), n}
	ph := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	lock := ""
	if q.cfg.Dialect == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	due := `(state = 'available' AND run_at <= $3)`
	if reclaim {
		due = `((state = 'available' AND run_at <= $3) OR (state = 'running' AND locked_until < $3))`
	}
	var out []*Job
	err := q.cfg.InTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `
			UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2
			WHERE id IN (
				SELECT id FROM jobs
				WHERE `+due+`
				  AND kind IN (`+strings.Join(ph, ", ")+`)
				ORDER BY run_at, id LIMIT $4`+lock+`)
			RETURNING id, kind, case_id, attempts, max_attempts, last_error`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j := &Job{q: q, worker: worker}
			if err := rows.Scan(&j.ID, &j.Kind, &j.CaseID, &j.Attempt, &j.MaxAttempts, &j.LastError); err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// run runs one claimed job and records how it ended, then the jobs it
// chained with Then, under jctx. Once stop has ended (shutdown), a chained
// job is not started but handed back. It returns the number of jobs handed
// back.
func (q *Queue) run(stop, jctx context.Context, j *Job) int {
	for ; j != nil; j = j.next {
		if stop.Err() != nil {
			q.release(j)
			return 1
		}
		if q.runOne(jctx, j) == "handed_back" {
			return 1
		}
	}
	return 0
}

func (q *Queue) runOne(ctx context.Context, j *Job) string {
	start := time.Now()
	hctx, cancel := context.WithTimeout(ctx, q.cfg.Lease*9/10)
	err := q.call(hctx, j)
	cancel()
	outcome := "done"
	switch {
	case err == nil && !j.completed:
		err = j.Complete(ctx, nil)
		if err == nil {
			break
		}
		fallthrough
	case err != nil:
		outcome = q.fail(ctx, j, err)
	}
	if q.cfg.Observe != nil {
		q.cfg.Observe(j.Kind, outcome, time.Since(start))
	}
	return outcome
}

// release hands a job of this worker back: available again at once, the
// attempt not counted, for any worker to claim. Shutdown uses it for the
// jobs it cancelled or did not start; nothing of them committed.
func (q *Queue) release(j *Job) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := q.exec(ctx, `
		UPDATE jobs SET state = 'available', attempts = attempts - 1, locked_by = '', locked_until = 0
		WHERE id = $1 AND locked_by = $2 AND state = 'running'`, j.ID, j.worker)
	if err != nil {
		// The lease runs out as after a crash; then any worker claims it.
		q.cfg.Logger.Warn("hand back job at shutdown", "job", j.ID, "kind", j.Kind, "err", err)
	}
}

// call runs the handler, turning a panic into an error.
func (q *Queue) call(ctx context.Context, j *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("panic: %v", r))
		}
	}()
	return q.handlers[j.Kind](ctx, j)
}

// fail records a failed run: retry later, snooze, or park.
func (q *Queue) fail(ctx context.Context, j *Job, err error) string {
	if errors.Is(err, ErrLeaseLost) {
		q.cfg.Logger.Warn("job lease lost", "job", j.ID, "kind", j.Kind, "case", j.CaseID)
		return "lease_lost"
	}
	if ctx.Err() != nil {
		// Shutting down and the grace period is over: nothing of the job
		// committed; hand it back for another worker to claim at once.
		q.release(j)
		return "handed_back"
	}
	now := q.cfg.Now()
	var sn *snooze
	var perm *permanent
	switch {
	case errors.As(err, &sn):
		_, e := q.exec(ctx, `
			UPDATE jobs SET state = 'available', attempts = attempts - 1, run_at = $1, last_error = $2, locked_by = ''
			WHERE id = $3 AND locked_by = $4`, micros(now.Add(sn.d)), truncate(sn.reason), j.ID, j.worker)
		if e != nil {
			q.cfg.Logger.Error("snooze job", "job", j.ID, "err", e)
		}
		return "snooze"
	case !errors.As(err, &perm) && j.Attempt < j.MaxAttempts:
		d := q.backoff(j.Attempt)
		_, e := q.exec(ctx, `
			UPDATE jobs SET state = 'available', run_at = $1, last_error = $2, locked_by = ''
			WHERE id = $3 AND locked_by = $4`, micros(now.Add(d)), truncate(err.Error()), j.ID, j.worker)
		if e != nil {
			q.cfg.Logger.Error("retry job", "job", j.ID, "err", e)
		}
		q.cfg.Logger.Warn("job failed; will retry", "job", j.ID, "kind", j.Kind, "case", j.CaseID,
			"attempt", j.Attempt, "retry_in", d.Round(time.Millisecond), "err", err)
		return "retry"
	}
	q.cfg.Logger.Error("job parked", "job", j.ID, "kind", j.Kind, "case", j.CaseID, "attempt", j.Attempt, "err", err)
	e := q.park(ctx, j, err)
	if e != nil {
		q.cfg.Logger.Error("park job", "job", j.ID, "err", e)
	}
	return "parked"
}

func (q *Queue) park(ctx context.Context, j *Job, cause error) error {
	return q.cfg.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE jobs SET state = 'parked', last_error = $1, locked_by = ''
			WHERE id = $2 AND locked_by = $3`, truncate(cause.Error()), j.ID, j.worker)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLeaseLost
		}
		if q.cfg.OnPark != nil {
			return q.cfg.OnPark(ctx, tx, j, cause)
		}
		return nil
	})
}

func (q *Queue) backoff(attempt int) time.Duration {
	d := q.cfg.Backoff
	for i := 1; i < attempt && d < q.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, q.cfg.MaxBackoff)
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000]
	}
	return s
}

// Stats counts the jobs by kind and state.
type Stats struct {
	Kind, State string
	Count       int
}

// Count returns the number of jobs by kind and state.
func Count(ctx context.Context, db *sql.DB) ([]Stats, error) {
	rows, err := db.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Stats
	for rows.Next() {
		var s Stats
		if err := rows.Scan(&s.Kind, &s.State, &s.Count); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Parked is a job that kept failing.
type Parked struct {
	ID        int64
	Kind      string
	CaseID    string
	Attempts  int
	LastError string
}

// ListParked returns the parked jobs, oldest first.
func ListParked(ctx context.Context, db *sql.DB, limit int) ([]Parked, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, kind, case_id, attempts, last_error FROM jobs WHERE state = 'parked' ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Parked
	for rows.Next() {
		var p Parked
		if err := rows.Scan(&p.ID, &p.Kind, &p.CaseID, &p.Attempts, &p.LastError); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Retry makes a parked job due again now (an operator fixed the cause).
func Retry(ctx context.Context, db *sql.DB, id int64, now time.Time) error {
	res, err := db.ExecContext(ctx, `UPDATE jobs SET state = 'available', attempts = 0, run_at = $1 WHERE id = $2 AND state = 'parked'`, micros(now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("job %d is not parked", id)
	}
	return nil
}
