package store

import (
	"context"
	"crypto/ed25519"
	"time"

	"skalig/internal/audit"
	"skalig/internal/store/internal/seal"
)

// The audit chain's background work (the sealer on PostgreSQL, the signed
// checkpoints) is in internal/store/internal/seal; these are its handles.

// SealAudit chains the audit events still pending (on PostgreSQL) and
// returns how many it sealed; on SQLite there are none. skalig audit
// verify runs it first, so that the chain it checks holds every event
// committed before.
func (db *DB) SealAudit(ctx context.Context) (int, error) {
	return seal.UntilEmpty(ctx, db.db)
}

// StartCheckpoints makes db sign a checkpoint of the audit chain's head
// with key every interval (seal.CheckpointEvery when 0) while it is open,
// and at Close. serve and worker start it when SKALIG_AUDIT_KEY_FILE is
// set. Call it once, before the store is used by others.
func (db *DB) StartCheckpoints(key ed25519.PrivateKey, every time.Duration) {
	db.checkpointer = seal.StartCheckpoints(db.db, key, every, db.now)
}

// CoverAuditV1 makes the audit events of the first chain format removable
// (audit.CoverV1): at once when there are none.
func (db *DB) CoverAuditV1(ctx context.Context) error {
	_, err := audit.CoverV1(ctx, db.db, db.now())
	return err
}
