package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skalig/internal/dbtest"
	"skalig/internal/jobs"
	"skalig/internal/store"
)

// setup returns a migrated database with one case row per id, since jobs
// belong to cases only by id (no foreign key), and a scratch table for
// effects.
func setup(t *testing.T) *store.DB {
	t.Helper()
	db := dbtest.Open(t)
	if _, err := db.SQL().Exec(`CREATE TABLE effects (case_id text NOT NULL, kind text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func enqueue(t *testing.T, db *store.DB, n jobs.New) {
	t.Helper()
	tx, err := db.SQL().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := jobs.Enqueue(context.Background(), tx, time.Now(), n); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func newQueue(db *store.DB, cfg jobs.Config) *jobs.Queue {
	cfg.Dialect = jobs.Dialect(db.Dialect())
	if cfg.Poll == 0 {
		cfg.Poll = 10 * time.Millisecond
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
		cfg.MaxBackoff = 5 * time.Millisecond
	}
	return jobs.NewQueue(db.SQL(), cfg)
}

// runUntil runs q until cond holds or the test times out.
func runUntil(t *testing.T, qs []*jobs.Queue, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, q := range qs {
		wg.Add(1)
		go func() { defer wg.Done(); q.Run(ctx) }()
	}
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			cancel()
			wg.Wait()
			t.Fatal("condition not reached in 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
}

func TestEnqueueIsUniquePerKindAndCase(t *testing.T) {
	db := setup(t)
	ctx := context.Background()
	for i, want := range []bool{true, false} {
		tx, _ := db.SQL().Begin()
		ok, err := jobs.Enqueue(ctx, tx, time.Now(), jobs.New{Kind: "fetch", CaseID: "C1"})
		if err != nil || ok != want {
			t.Fatalf("enqueue %d: ok=%v err=%v, want %v", i, ok, err, want)
		}
		tx.Commit()
	}
	if n := count(t, db, `SELECT COUNT(*) FROM jobs`); n != 1 {
		t.Fatalf("%d jobs, want 1", n)
	}
}

func TestEnqueueRolledBackIsGone(t *testing.T) {
	db := setup(t)
	tx, _ := db.SQL().Begin()
	jobs.Enqueue(context.Background(), tx, time.Now(), jobs.New{Kind: "fetch", CaseID: "C1"})
	tx.Rollback()
	if n := count(t, db, `SELECT COUNT(*) FROM jobs`); n != 0 {
		t.Fatalf("%d jobs after rollback, want 0", n)
	}
}

// Many jobs, two queues (as two processes would), each effect exactly once.
func TestEachJobCompletesOnce(t *testing.T) {
	db := setup(t)
	const n = 200
	for i := range n {
		enqueue(t, db, jobs.New{Kind: "step", CaseID: fmt.Sprintf("C%03d", i)})
	}
	var qs []*jobs.Queue
	for range 2 {
		q := newQueue(db, jobs.Config{Workers: 8})
		q.Handle("step", func(ctx context.Context, j *jobs.Job) error {
			return j.Complete(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO effects (case_id, kind) VALUES ($1, $2)`, j.CaseID, j.Kind)
				return err
			})
		})
		qs = append(qs, q)
	}
	runUntil(t, qs, func() bool { return count(t, db, `SELECT COUNT(*) FROM jobs`) == 0 })
	if got := count(t, db, `SELECT COUNT(*) FROM effects`); got != n {
		t.Fatalf("%d effects, want %d", got, n)
	}
	if got := count(t, db, `SELECT COUNT(DISTINCT case_id) FROM effects`); got != n {
		t.Fatalf("%d distinct effects, want %d", got, n)
	}
}

func TestRetryThenSucceed(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "flaky", CaseID: "C1"})
	var runs atomic.Int32
	q := newQueue(db, jobs.Config{})
	q.Handle("flaky", func(ctx context.Context, j *jobs.Job) error {
		if runs.Add(1) < 3 {
			return errors.New("register timeout")
		}
		if j.Attempt != 3 || j.LastError != "register timeout" {
			return jobs.Permanent(fmt.Errorf("attempt %d last error %q", j.Attempt, j.LastError))
		}
		return nil
	})
	runUntil(t, []*jobs.Queue{q}, func() bool { return count(t, db, `SELECT COUNT(*) FROM jobs`) == 0 })
	if runs.Load() != 3 {
		t.Fatalf("%d runs, want 3", runs.Load())
	}
}

func TestParkAfterMaxAttempts(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "broken", CaseID: "C1", MaxAttempts: 3})
	var parkedWith atomic.Value
	q := newQueue(db, jobs.Config{OnPark: func(ctx context.Context, tx *sql.Tx, j *jobs.Job, cause error) error {
		parkedWith.Store(cause.Error())
		_, err := tx.ExecContext(ctx, `INSERT INTO effects (case_id, kind) VALUES ($1, 'parked')`, j.CaseID)
		return err
	}})
	q.Handle("broken", func(ctx context.Context, j *jobs.Job) error { return fmt.Errorf("boom %d", j.Attempt) })
	runUntil(t, []*jobs.Queue{q}, func() bool {
		return count(t, db, `SELECT COUNT(*) FROM jobs WHERE state = 'parked'`) == 1
	})
	if got := parkedWith.Load(); got != "boom 3" {
		t.Fatalf("parked with %v, want boom 3", got)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM effects WHERE kind = 'parked'`); got != 1 {
		t.Fatalf("OnPark effects %d, want 1", got)
	}
	ps, err := jobs.ListParked(context.Background(), db.SQL(), 10)
	if err != nil || len(ps) != 1 || ps[0].Attempts != 3 || ps[0].LastError != "boom 3" {
		t.Fatalf("ListParked=%+v, %v", ps, err)
	}
	if err := jobs.Retry(context.Background(), db.SQL(), ps[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM jobs WHERE state = 'available' AND attempts = 0`); got != 1 {
		t.Fatal("Retry did not make the job available")
	}
}

func TestPermanentParksAtOnce(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "bad", CaseID: "C1"})
	q := newQueue(db, jobs.Config{})
	q.Handle("bad", func(ctx context.Context, j *jobs.Job) error { panic("handler bug") })
	runUntil(t, []*jobs.Queue{q}, func() bool {
		return count(t, db, `SELECT COUNT(*) FROM jobs WHERE state = 'parked' AND attempts = 1`) == 1
	})
}

func TestSnoozeDoesNotCountAsAttempt(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "wait", CaseID: "C1", MaxAttempts: 2})
	var runs atomic.Int32
	q := newQueue(db, jobs.Config{})
	q.Handle("wait", func(ctx context.Context, j *jobs.Job) error {
		if runs.Add(1) <= 5 {
			return jobs.Snooze(time.Millisecond, "waiting for fk")
		}
		if j.Attempt != 1 {
			return jobs.Permanent(fmt.Errorf("attempt %d, want 1", j.Attempt))
		}
		return nil
	})
	runUntil(t, []*jobs.Queue{q}, func() bool { return count(t, db, `SELECT COUNT(*) FROM jobs`) == 0 })
}

// A worker that dies leaves its job leased; after the lease another worker
// runs it, and the dead worker's late completion cannot commit.
func TestExpiredLeaseIsClaimedAgainAndOldWorkerCannotComplete(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "slow", CaseID: "C1"})
	first := make(chan *jobs.Job, 1)
	release := make(chan struct{})
	q1 := newQueue(db, jobs.Config{Lease: 50 * time.Millisecond})
	q1.Handle("slow", func(ctx context.Context, j *jobs.Job) error {
		select {
		case first <- j:
			<-release
			return nil
		default: // claimed again by this queue after its lease ran out
			return jobs.Snooze(time.Millisecond, "q1 runs the job only once")
		}
	})
	ctx1, cancel1 := context.WithCancel(context.Background())
	done1 := make(chan struct{})
	go func() { q1.Run(ctx1); close(done1) }()
	j1 := <-first

	q2 := newQueue(db, jobs.Config{Lease: time.Minute})
	q2.Handle("slow", func(ctx context.Context, j *jobs.Job) error {
		return j.Complete(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO effects (case_id, kind) VALUES ($1, 'second')`, j.CaseID)
			return err
		})
	})
	time.Sleep(80 * time.Millisecond) // the lease of q1 runs out
	runUntil(t, []*jobs.Queue{q2}, func() bool { return count(t, db, `SELECT COUNT(*) FROM jobs`) == 0 })
	err := j1.Complete(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO effects (case_id, kind) VALUES ('C1', 'first')`)
		return err
	})
	if !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("late Complete: %v, want ErrLeaseLost", err)
	}
	close(release)
	cancel1()
	<-done1
	if got := count(t, db, `SELECT COUNT(*) FROM effects`); got != 1 {
		t.Fatalf("%d effects, want 1 (the second worker's)", got)
	}
}

func TestCount(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "a", CaseID: "C1"})
	enqueue(t, db, jobs.New{Kind: "a", CaseID: "C2"})
	enqueue(t, db, jobs.New{Kind: "b", CaseID: "C1", RunAt: time.Now().Add(time.Hour)})
	st, err := jobs.Count(context.Background(), db.SQL())
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0] != (jobs.Stats{Kind: "a", State: "available", Count: 2}) {
		t.Fatalf("Count=%+v", st)
	}
}

// runQueue starts q and returns its stop function, which cancels Run's
// context and waits for Run to return, reporting how long that took.
func runQueue(q *jobs.Queue) (stop func() time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	return func() time.Duration {
		start := time.Now()
		cancel()
		<-done
		return time.Since(start)
	}
}

// At shutdown a job that does not finish within the grace period is
// cancelled and handed back: another worker claims it at once, not after
// the (one-minute) lease, and the interrupted run does not count as an
// attempt.
func TestShutdownHandsBackRunningJobAtOnce(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "slow", CaseID: "C1"})
	started := make(chan struct{})
	q1 := newQueue(db, jobs.Config{Lease: time.Minute, Grace: 100 * time.Millisecond})
	q1.Handle("slow", func(ctx context.Context, j *jobs.Job) error {
		close(started)
		<-ctx.Done() // a register that does not answer
		return ctx.Err()
	})
	stop := runQueue(q1)
	<-started
	if took := stop(); took > 5*time.Second {
		t.Fatalf("Run took %s to return after cancel, grace 100ms", took)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM jobs WHERE state = 'available' AND attempts = 0 AND locked_by = ''`); n != 1 {
		t.Fatalf("the job was not handed back (%d available, unlocked, no attempt counted)", n)
	}
	q2 := newQueue(db, jobs.Config{Lease: time.Minute})
	var attempt atomic.Int32
	q2.Handle("slow", func(ctx context.Context, j *jobs.Job) error {
		attempt.Store(int32(j.Attempt))
		return j.Complete(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO effects (case_id, kind) VALUES ($1, 'second')`, j.CaseID)
			return err
		})
	})
	start := time.Now()
	stop2 := runQueue(q2)
	for count(t, db, `SELECT COUNT(*) FROM jobs`) != 0 {
		if time.Since(start) > 10*time.Second {
			stop2()
			t.Fatal("the handed-back job was not claimed by another worker within 10 s (lease 1 min)")
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop2()
	if got := attempt.Load(); got != 1 {
		t.Fatalf("second worker ran attempt %d, want 1 (a shutdown is not a failure)", got)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM effects`); got != 1 {
		t.Fatalf("%d effects, want 1", got)
	}
}

// A job that finishes within the grace period commits its effect, and the
// queue claims nothing new once shutdown has begun.
func TestShutdownLetsRunningJobFinish(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "step", CaseID: "C1"})
	started, proceed := make(chan struct{}), make(chan struct{})
	q := newQueue(db, jobs.Config{Lease: time.Minute, Grace: 30 * time.Second, Workers: 4})
	q.Handle("step", func(ctx context.Context, j *jobs.Job) error {
		if j.CaseID == "C1" {
			close(started)
			<-proceed // still running when shutdown begins
		}
		return j.Complete(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO effects (case_id, kind) VALUES ($1, $2)`, j.CaseID, j.Kind)
			return err
		})
	})
	stop := runQueue(q)
	<-started
	stopped := make(chan time.Duration)
	go func() { stopped <- stop() }()
	time.Sleep(50 * time.Millisecond) // shutdown has begun
	enqueue(t, db, jobs.New{Kind: "step", CaseID: "C2"})
	q.Notify()
	time.Sleep(50 * time.Millisecond)
	close(proceed)
	if took := <-stopped; took > 10*time.Second {
		t.Fatalf("Run took %s to return", took)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM effects WHERE case_id = 'C1'`); got != 1 {
		t.Fatalf("the running job's effect: %d, want 1", got)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM jobs WHERE case_id = 'C2' AND state = 'available' AND attempts = 0`); got != 1 {
		t.Fatal("a job enqueued after shutdown began was claimed")
	}
}

// A next step chained with Then is not started once shutdown has begun: it
// is handed back for any worker to claim at once.
func TestShutdownHandsBackChainedJob(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "first", CaseID: "C1"})
	started, proceed := make(chan struct{}), make(chan struct{})
	var secondRuns atomic.Int32
	q := newQueue(db, jobs.Config{Lease: time.Minute, Grace: 30 * time.Second})
	q.Handle("first", func(ctx context.Context, j *jobs.Job) error {
		close(started)
		<-proceed
		return j.Complete(ctx, func(tx *sql.Tx) error {
			return j.Then(ctx, tx, time.Now(), jobs.New{Kind: "second", CaseID: j.CaseID})
		})
	})
	q.Handle("second", func(ctx context.Context, j *jobs.Job) error { secondRuns.Add(1); return nil })
	stop := runQueue(q)
	<-started
	stopped := make(chan time.Duration)
	go func() { stopped <- stop() }()
	time.Sleep(50 * time.Millisecond)
	close(proceed)
	<-stopped
	if n := secondRuns.Load(); n != 0 {
		t.Fatalf("the chained job ran %d times during shutdown", n)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = 'second' AND state = 'available' AND attempts = 0 AND locked_by = ''`); got != 1 {
		t.Fatal("the chained job was not handed back")
	}
}
