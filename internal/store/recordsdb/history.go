package recordsdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"skalig/internal/audit"
	"skalig/internal/store"
	"strings"
)

// ImportAidHistory stores rows of municipality (one per person; a person
// the municipality imported before is replaced, another municipality's
// rows are left alone) in one transaction, with one audit event naming
// the actor, the municipality, the file's hash and the number of persons:
// no personal data in the trail's data.
func (s *Store) ImportAidHistory(ctx context.Context, actor, source, municipality string, rows []store.AidHistory) error {
	if actor == "" || source == "" || municipality == "" {
		return fmt.Errorf("import aid history: actor, source and municipality are required")
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Clock()
		for _, r := range rows {
			ms := make([]string, len(r.Months))
			for i, m := range r.Months {
				ms[i] = m.String()
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO aid_history (municipality, personal_number, months, source, imported_by, imported_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (municipality, personal_number) DO UPDATE SET months = excluded.months, source = excluded.source,
					imported_by = excluded.imported_by, imported_at = excluded.imported_at`,
				municipality, r.Person.Canonical(), strings.Join(ms, ","), source, actor, s.db.TimeArg(now)); err != nil {
				return fmt.Errorf("import aid history: %w", err)
			}
		}
		data, _ := json.Marshal(map[string]any{"source": source, "municipality": municipality, "persons": len(rows)})
		_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: store.ActionHistoryImported, Data: data})
		return err
	})
}
