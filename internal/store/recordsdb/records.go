// Package recordsdb keeps the records' administration on the store's
// database, the use cases of the records commands (cmd/skalig/internal/
// records) and of the registerutdrag and archive packages: claims
// (återkrav) recorded on a person, the log of a registerutdrag, the
// archive packages made, and the audit trail's checkpoints and payload
// removal. None of it is part of a case's change; each method is one
// transaction of its own.
package recordsdb

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/store"
)

// Store is the records' use cases on one database. It implements
// registerutdrag.Persons: the claims, the aid history imported from an
// earlier system (the case store's) and the extract's log.
type Store struct {
	db    *store.DB
	cases *store.CaseStore
}

// New returns the records' store on db.
func New(db *store.DB) *Store { return &Store{db: db, cases: store.NewCaseStore(db)} }

// AidHistoryOf is store.CaseStore.AidHistoryOf: the months of aid imported
// from an earlier system for pn, before before (for a registerutdrag).
func (s *Store) AidHistoryOf(ctx context.Context, pn skalig.PersonalNumber, before skalig.Month) ([]skalig.Month, bool, error) {
	return s.cases.AidHistoryOf(ctx, pn, before)
}

// ActionArchiveExported is the audit event of an archive export
// (internal/archive): the package's id, its municipality, how many cases
// and the SHA-256 of its METS document; no personal data.
const ActionArchiveExported = "archive.exported"

// ArchivedAt returns, of cases, when each was last put in an archive
// package; a case never exported is not in the map.
func (s *Store) ArchivedAt(ctx context.Context, cases []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for len(cases) > 0 {
		chunk := cases[:min(len(cases), 500)]
		cases = cases[len(chunk):]
		in, args := store.StringList(chunk, 1)
		rows, err := s.db.SQL().QueryContext(ctx, `SELECT case_id, MAX(exported_at) FROM archive_items WHERE case_id IN (`+in+`) GROUP BY case_id`, args...)
		if err != nil {
			return nil, fmt.Errorf("archived at: %w", err)
		}
		for rows.Next() {
			var id string
			var at store.TimeValue
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = at.Time()
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecordArchive records, in one transaction, that package id of
// municipality holds cases, and its audit event by actor.
func (s *Store) RecordArchive(ctx context.Context, id, municipality string, cases []string, metsSHA256, actor string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Clock()
		for _, c := range cases {
			if _, err := tx.ExecContext(ctx, `INSERT INTO archive_items (package_id, case_id, exported_at) VALUES ($1, $2, $3)`,
				id, c, s.db.TimeArg(now)); err != nil {
				return err
			}
		}
		data, err := json.Marshal(map[string]any{"package": id, "municipality": municipality, "cases": len(cases), "mets_sha256": metsSHA256})
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionArchiveExported, Data: data})
		return err
	})
}

// ActionRegisterutdrag is the audit event of a registerutdrag (GDPR art.
// 15, internal/registerutdrag) made of a person's data: its payload names
// the person, how many cases it held, the format and the way it was asked
// for; gallring removes it with the rest of the person's data.
const ActionRegisterutdrag = "registerutdrag.produced"

// LogRegisterutdrag writes, in one transaction, a read of each of cases by
// actor through via (what "registerutdrag") and the event of the
// registerutdrag itself. The data is gathered only after this has
// committed: an extract that cannot be logged is not made.
func (s *Store) LogRegisterutdrag(ctx context.Context, actor, via, channel string, pn skalig.PersonalNumber, cases []string, format string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Clock()
		read, _ := json.Marshal(map[string]string{"via": via, "what": "registerutdrag"})
		for _, id := range cases {
			if _, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: store.ActionRead, CaseID: id, Data: read}); err != nil {
				return err
			}
		}
		data, err := json.Marshal(map[string]any{"personal_number": pn.Canonical(), "cases": len(cases), "format": format,
			"via": via, "channel": channel})
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionRegisterutdrag, Data: data})
		return err
	})
}

// AuditCheckpoint seals the pending audit events, makes events of the
// first chain format removable (audit.CoverV1) and signs a checkpoint of
// the head with key: skalig audit checkpoint. It returns the checkpoint and
// whether a new one was written (not when the newest is at the head).
func (s *Store) AuditCheckpoint(ctx context.Context, key ed25519.PrivateKey) (audit.Checkpoint, bool, error) {
	if _, err := s.db.SealAudit(ctx); err != nil {
		return audit.Checkpoint{}, false, err
	}
	if _, err := audit.CoverV1(ctx, s.db.SQL(), s.db.Clock()); err != nil {
		return audit.Checkpoint{}, false, err
	}
	return audit.WriteCheckpoint(ctx, s.db.SQL(), key, s.db.Clock())
}

// RemoveAuditPayloads removes the payloads (the personal data) of the
// audit events numbered seqs and returns how many it removed; the chain
// still verifies (see audit.RemovePayloads). Events of the first chain
// format are covered by a manifest first. Gallring that deletes a case's
// rows in a transaction of its own calls audit.RemovePayloads in it
// instead, after CoverAuditV1.
func (s *Store) RemoveAuditPayloads(ctx context.Context, seqs []int64) (int64, error) {
	if err := s.db.CoverAuditV1(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = audit.RemovePayloads(ctx, tx, seqs)
		return err
	})
	return n, err
}

// Backup writes an online copy of a SQLite database to the new file path
// with VACUUM INTO (docs/backup.md): one read transaction, so the copy is
// the database as of one moment, while writers go on (in WAL mode readers
// do not block them). PostgreSQL is backed up with its own tools.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.db.Dialect() != store.SQLite {
		return fmt.Errorf("backup: only SQLite; see docs/backup.md for PostgreSQL")
	}
	if _, err := s.db.SQL().ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
