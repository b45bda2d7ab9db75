package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"skalig"
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

// AidHistoryOf returns the imported months with aid of pn before month
// before from every municipality's import (the person's own data, for the
// registerutdrag), and whether pn's history was imported at all.
func (s *CaseStore) AidHistoryOf(ctx context.Context, pn skalig.PersonalNumber, before skalig.Month) ([]skalig.Month, bool, error) {
	return s.aidHistoryOfIn(ctx, nil, pn, "", before)
}

// AidHistoryIn is AidHistoryOf for the cases of municipality: the rows it
// imported, with the rows imported before imports were per municipality
// (municipality ”), when it has none of its own for pn.
func (s *CaseStore) AidHistoryIn(ctx context.Context, pn skalig.PersonalNumber, municipality string, before skalig.Month) ([]skalig.Month, bool, error) {
	if municipality == "" {
		return nil, false, fmt.Errorf("aid history: municipality is required")
	}
	return s.aidHistoryOfIn(ctx, nil, pn, municipality, before)
}

// aidHistoryOfIn is AidHistoryOf read through q (nil: the pool), of
// municipality (its rows, else the legacy rows) or of all ("").
func (s *CaseStore) aidHistoryOfIn(ctx context.Context, q Querier, pn skalig.PersonalNumber, municipality string, before skalig.Month) ([]skalig.Month, bool, error) {
	if q == nil {
		q = s.db.db
	}
	rows, err := q.QueryContext(ctx, `SELECT municipality, months FROM aid_history WHERE personal_number = $1 ORDER BY municipality`, pn.Canonical())
	if err != nil {
		return nil, false, fmt.Errorf("aid history: %w", err)
	}
	defer rows.Close()
	texts := map[string]string{}
	for rows.Next() {
		var mun, text string
		if err := rows.Scan(&mun, &text); err != nil {
			return nil, false, fmt.Errorf("aid history: %w", err)
		}
		texts[mun] = text
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("aid history: %w", err)
	}
	var use []string
	switch own, legacy := texts[municipality], texts[""]; {
	case municipality == "":
		for _, t := range texts {
			use = append(use, t)
		}
	case own != "" || hasKey(texts, municipality):
		use = []string{own}
	case hasKey(texts, ""):
		use = []string{legacy}
	}
	if len(use) == 0 {
		return nil, false, nil
	}
	var out []skalig.Month
	for _, text := range use {
		for _, s := range strings.Split(text, ",") {
			if m, ok := skalig.ParseMonth(s); ok && m < before {
				out = append(out, m)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true, nil
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}
