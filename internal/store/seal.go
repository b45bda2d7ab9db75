package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"log/slog"
	"time"

	"skalig/internal/audit"
)

// sealer chains a PostgreSQL database's pending audit events (see
// audit.DeferPending): after each transaction that left some, and once a
// second for those of other processes or of a process that died before
// sealing its own. Sealing takes the chain's head, so the sealers of
// several processes take turns; each pending event is sealed once.
type sealer struct {
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

func startSealer(db *sql.DB) *sealer {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sealer{db: db, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go s.run(ctx)
	return s
}

// kick wakes the sealer: a transaction left pending events.
func (s *sealer) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *sealer) run(ctx context.Context) {
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
func (s *sealer) vacuum(ctx context.Context) {
	if _, err := s.db.ExecContext(ctx, `VACUUM (SKIP_LOCKED) jobs, audit_pending`); err != nil && ctx.Err() == nil {
		slog.Warn("vacuum jobs and audit_pending", "err", err)
	}
}

// stop ends the sealer and seals what is left.
func (s *sealer) stop() {
	s.cancel()
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := sealUntilEmpty(ctx, s.db); err != nil {
		slog.Warn("audit seal at close", "err", err)
	}
}

// sealUntilEmpty seals pending events until a round finds none.
func sealUntilEmpty(ctx context.Context, db *sql.DB) (int, error) {
	total := 0
	for {
		n, err := audit.Seal(ctx, db, 1000)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// SealAudit chains the audit events still pending (on PostgreSQL) and
// returns how many it sealed; on SQLite there are none. skalig audit
// verify runs it first, so that the chain it checks holds every event
// committed before.
func (db *DB) SealAudit(ctx context.Context) (int, error) {
	return sealUntilEmpty(ctx, db.db)
}

// checkpointEvery is how often a process with the audit key signs a
// checkpoint of the chain's head (when it moved): the events of the last
// interval are the ones a rewrite of the whole database could still hide
// until the next checkpoint.
const checkpointEvery = time.Minute

// checkpointer signs checkpoints of the audit chain's head periodically
// (audit.WriteCheckpoint), and once more when the store closes.
type checkpointer struct {
	db     *DB
	key    ed25519.PrivateKey
	cancel context.CancelFunc
	done   chan struct{}
}

// StartCheckpoints makes db sign a checkpoint of the audit chain's head
// with key every interval (checkpointEvery when 0) while it is open, and
// at Close. serve and worker start it when SKALIG_AUDIT_KEY_FILE is set.
// Call it once, before the store is used by others.
func (db *DB) StartCheckpoints(key ed25519.PrivateKey, every time.Duration) {
	if every <= 0 {
		every = checkpointEvery
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, key: key, cancel: cancel, done: make(chan struct{})}
	db.checkpointer = c
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
			if _, _, err := audit.WriteCheckpoint(ctx, db.db, key, db.now()); err != nil && ctx.Err() == nil {
				slog.Warn("audit checkpoint", "err", err)
			}
		}
	}()
}

// stop ends the checkpointer and signs the head as it is at close (after
// the sealer has sealed what was pending).
func (c *checkpointer) stop() {
	c.cancel()
	<-c.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := audit.WriteCheckpoint(ctx, c.db.db, c.key, c.db.now()); err != nil {
		slog.Warn("audit checkpoint at close", "err", err)
	}
}

// CoverAuditV1 makes the audit events of the first chain format removable
// (audit.CoverV1): at once when there are none.
func (db *DB) CoverAuditV1(ctx context.Context) error {
	_, err := audit.CoverV1(ctx, db.db, db.now())
	return err
}
