package store_test

import (
	"context"
	"slices"
	"testing"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
)

// The imported months with aid are kept per municipality: one
// municipality's import does not replace another's rows for the same
// person, and a case reads its municipality's rows (else a row imported
// before imports were per municipality).
func TestAidHistoryPerMunicipality(t *testing.T) {
	ctx := context.Background()
	db, cs := open(t)
	pn, other := testPN(t, "19750305", 980), testPN(t, "19800101", 123)
	jan, jun := skalig.MonthOf(2026, 1), skalig.MonthOf(2026, 6)
	if err := recordsdb.New(db).ImportAidHistory(ctx, "cli:a", "sha256:1", "0821", []store.AidHistory{{Person: pn, Months: []skalig.Month{jan, jan + 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := recordsdb.New(db).ImportAidHistory(ctx, "cli:b", "sha256:2", "0180", []store.AidHistory{{Person: pn, Months: []skalig.Month{jun}}}); err != nil {
		t.Fatal(err)
	}
	before := skalig.MonthOf(2027, 1)
	for _, tc := range []struct {
		mun  string
		want []skalig.Month
	}{{"0821", []skalig.Month{jan, jan + 1}}, {"0180", []skalig.Month{jun}}} {
		got, known, err := cs.AidHistoryIn(ctx, pn, tc.mun, before)
		if err != nil || !known || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v %v %v, want %v", tc.mun, got, known, err, tc.want)
		}
	}
	if got, known, err := cs.AidHistoryIn(ctx, pn, "1280", before); err != nil || known || len(got) != 0 {
		t.Errorf("a municipality that imported nothing: %v %v %v", got, known, err)
	}
	if got, known, err := cs.AidHistoryOf(ctx, pn, before); err != nil || !known || !slices.Equal(got, []skalig.Month{jan, jan + 1, jun}) {
		t.Errorf("every municipality's rows: %v %v %v", got, known, err)
	}
	// A new import of 0821 replaces its own row only.
	if err := recordsdb.New(db).ImportAidHistory(ctx, "cli:a", "sha256:3", "0821", []store.AidHistory{{Person: pn}}); err != nil {
		t.Fatal(err)
	}
	if got, known, _ := cs.AidHistoryIn(ctx, pn, "0821", before); !known || len(got) != 0 {
		t.Errorf("0821 after its new import: %v %v", got, known)
	}
	if got, _, _ := cs.AidHistoryIn(ctx, pn, "0180", before); !slices.Equal(got, []skalig.Month{jun}) {
		t.Errorf("0180 after 0821's new import: %v", got)
	}
	// A row from before imports were per municipality counts where the
	// municipality has none of its own.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO aid_history (municipality, personal_number, months, source, imported_by, imported_at)
		VALUES ('', $1, '2026-03', 'sha256:0', 'cli:old', $2)`, other.Canonical(), "2026-01-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if got, known, err := cs.AidHistoryIn(ctx, other, "0821", before); err != nil || !known || !slices.Equal(got, []skalig.Month{skalig.MonthOf(2026, 3)}) {
		t.Errorf("a legacy row: %v %v %v", got, known, err)
	}
	if err := recordsdb.New(db).ImportAidHistory(ctx, "cli:a", "sha256:4", "", []store.AidHistory{{Person: pn}}); err == nil {
		t.Error("an import without a municipality was stored")
	}
}
