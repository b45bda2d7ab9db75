package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"skalig/internal/audit"
)

// ActionArchiveExported is the audit event of an archive export
// (internal/archive): the package's id, its municipality, how many cases
// and the SHA-256 of its METS document; no personal data.
const ActionArchiveExported = "archive.exported"

// ArchivedAt returns, of cases, when each was last put in an archive
// package; a case never exported is not in the map.
func (db *DB) ArchivedAt(ctx context.Context, cases []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for len(cases) > 0 {
		chunk := cases[:min(len(cases), 500)]
		cases = cases[len(chunk):]
		in, args := stringList(chunk, 1)
		rows, err := db.db.QueryContext(ctx, `SELECT case_id, MAX(exported_at) FROM archive_items WHERE case_id IN (`+in+`) GROUP BY case_id`, args...)
		if err != nil {
			return nil, fmt.Errorf("archived at: %w", err)
		}
		for rows.Next() {
			var id string
			var at timeValue
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = at.t
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
func (db *DB) RecordArchive(ctx context.Context, id, municipality string, cases []string, metsSHA256, actor string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		for _, c := range cases {
			if _, err := tx.ExecContext(ctx, `INSERT INTO archive_items (package_id, case_id, exported_at) VALUES ($1, $2, $3)`,
				id, c, db.timeArg(now)); err != nil {
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
