package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"skalig"
	"skalig/internal/audit"
)

// ActionHistoryImported is the audit action of an import of earlier months
// with aid (skalig history import).
const ActionHistoryImported = "aid_history.imported"

// AidHistory is one person's months with försörjningsstöd in the
// municipality's earlier system.
type AidHistory struct {
	Person skalig.PersonalNumber
	Months []skalig.Month // none: the person had no aid there
}

// ImportAidHistory stores rows (one per person; a person already imported
// is replaced) in one transaction, with one audit event naming the actor,
// the file's hash and the number of persons: no personal data in the
// trail's data.
func (s *CaseStore) ImportAidHistory(ctx context.Context, actor, source string, rows []AidHistory) error {
	if actor == "" || source == "" {
		return fmt.Errorf("import aid history: actor and source are required")
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now()
		for _, r := range rows {
			ms := make([]string, len(r.Months))
			for i, m := range r.Months {
				ms[i] = m.String()
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO aid_history (personal_number, months, source, imported_by, imported_at)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (personal_number) DO UPDATE SET months = excluded.months, source = excluded.source,
					imported_by = excluded.imported_by, imported_at = excluded.imported_at`,
				r.Person.Canonical(), strings.Join(ms, ","), source, actor, s.db.timeArg(now)); err != nil {
				return fmt.Errorf("import aid history: %w", err)
			}
		}
		data, _ := json.Marshal(map[string]any{"source": source, "persons": len(rows)})
		_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: ActionHistoryImported, Data: data})
		return err
	})
}

// AidHistoryOf returns the imported months with aid of pn before month
// before, and whether pn's history was imported at all.
func (s *CaseStore) AidHistoryOf(ctx context.Context, pn skalig.PersonalNumber, before skalig.Month) ([]skalig.Month, bool, error) {
	return s.aidHistoryOfIn(ctx, nil, pn, before)
}

// aidHistoryOfIn is AidHistoryOf read through q (nil: the pool).
func (s *CaseStore) aidHistoryOfIn(ctx context.Context, q Querier, pn skalig.PersonalNumber, before skalig.Month) ([]skalig.Month, bool, error) {
	if q == nil {
		q = s.db.db
	}
	var text string
	err := q.QueryRowContext(ctx, `SELECT months FROM aid_history WHERE personal_number = $1`, pn.Canonical()).Scan(&text)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("aid history: %w", err)
	}
	var out []skalig.Month
	for _, s := range strings.Split(text, ",") {
		if m, ok := skalig.ParseMonth(s); ok && m < before {
			out = append(out, m)
		}
	}
	return out, true, nil
}
