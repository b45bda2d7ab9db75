// Package seal runs a store's background work on the audit chain: the
// sealer that chains the audit events PostgreSQL transactions leave
// pending (audit.DeferPending), with the vacuum of the short-lived tables,
// and the checkpointer that signs the chain's head. Only internal/store
// uses it (store.DB starts and stops them).
package seal

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"log/slog"
	"time"

	"skalig/internal/audit"
)

// Sealer chains a PostgreSQL database's pending audit events (see
// audit.DeferPending): after each transaction that left some, and once a
// second for those of other processes or of a process that died before
// sealing its own. Sealing takes the chain's head, so the sealers of
// several processes take turns; each pending event is sealed once.
type Sealer struct {
	db     *sql.DB
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// sealEvery is how often the sealer looks for pending events without
// being woken.
const sealEvery = time.Second

// sealGap is the least time between two rounds of sealing: under load a
// round seals what many transactions left instead of one round each, and
// each round's search through audit_pending (whose deleted rows vacuum
// clears only later) is paid less often. Events wait this long more for
// their place in the chain; they are durable meanwhile.
const sealGap = 50 * time.Millisecond

// Start starts the sealer of db.
func Start(db *sql.DB) *Sealer {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sealer{db: db, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go s.run(ctx)
	return s
}

// Kick wakes the sealer: a transaction left pending events.
func (s *Sealer) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Sealer) run(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(sealEvery)
	defer t.Stop()
	lastVacuum := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
		if time.Since(lastVacuum) >= vacuumEvery {
			lastVacuum = time.Now()
			s.vacuum(ctx)
		}
		if _, err := audit.SealAll(ctx, s.db); err != nil && ctx.Err() == nil {
			// The events stay pending and durable; the next round seals them.
			slog.Warn("audit seal", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(sealGap):
		}
	}
}

// vacuumEvery is how often the queue-like tables are vacuumed.
const vacuumEvery = 10 * time.Second

// vacuum clears the deleted rows of the two tables whose rows live for
// moments: jobs (a row per step, deleted when done) and audit_pending
// (emptied by the sealer). Their claims and seals search from the oldest
// row, and every deleted row that no vacuum has cleared is searched again;
// under load that grows by thousands a second. PostgreSQL's autovacuum
// would clear them too, but only when it is on (it may be off, as on the
// CI machine) and only after its own thresholds. Vacuuming a small table
// takes milliseconds and takes no lock that writers wait for; a failure
// (say, a role that does not own the tables) is logged and the next round
// tries again.
func (s *Sealer) vacuum(ctx context.Context) {
	if _, err := s.db.ExecContext(ctx, `VACUUM (SKIP_LOCKED) jobs, audit_pending`); err != nil && ctx.Err() == nil {
		slog.Warn("vacuum jobs and audit_pending", "err", err)
	}
}

// Stop ends the sealer and seals what is left.
func (s *Sealer) Stop() {
	s.cancel()
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := UntilEmpty(ctx, s.db); err != nil {
		slog.Warn("audit seal at close", "err", err)
	}
}

// UntilEmpty seals pending events until a round finds none.
func UntilEmpty(ctx context.Context, db *sql.DB) (int, error) {
	total := 0
	for {
		n, err := audit.Seal(ctx, db, 1000)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// CheckpointEvery is how often a process with the audit key signs a
// checkpoint of the chain's head (when it moved): the events of the last
// interval are the ones a rewrite of the whole database could still hide
// until the next checkpoint.
const CheckpointEvery = time.Minute

// Checkpointer signs checkpoints of the audit chain's head periodically
// (audit.WriteCheckpoint), and once more when the store closes.
type Checkpointer struct {
	db     *sql.DB
	now    func() time.Time
	key    ed25519.PrivateKey
	cancel context.CancelFunc
	done   chan struct{}
}

// StartCheckpoints signs a checkpoint of db's audit chain head with key
// every interval (CheckpointEvery when 0), by the clock now, until Stop.
func StartCheckpoints(db *sql.DB, key ed25519.PrivateKey, every time.Duration, now func() time.Time) *Checkpointer {
	if every <= 0 {
		every = CheckpointEvery
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Checkpointer{db: db, now: now, key: key, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, _, err := audit.WriteCheckpoint(ctx, db, key, now()); err != nil && ctx.Err() == nil {
				slog.Warn("audit checkpoint", "err", err)
			}
		}
	}()
	return c
}

// Stop ends the checkpointer and signs the head as it is at close (after
// the sealer has sealed what was pending).
func (c *Checkpointer) Stop() {
	c.cancel()
	<-c.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := audit.WriteCheckpoint(ctx, c.db, c.key, c.now()); err != nil {
		slog.Warn("audit checkpoint at close", "err", err)
	}
}
