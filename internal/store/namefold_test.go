package store_test

import (
	"context"
	"testing"
	"time"

	"skalig/internal/dbtest"
	"skalig/internal/store"
)

// TestNameFoldMigration upgrades a database whose persons have names but no
// name_fold (00041) to 00042: the migration folds the names already there,
// so the search finds Göran for "goran" in cases submitted before it.
func TestNameFoldMigration(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, dbtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 41); err != nil {
		t.Fatal(err)
	}
	var now any = time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
	if db.Dialect() == store.SQLite {
		now = "2026-04-01T06:00:00.000000Z"
	}
	const id = "01KCASE0000000000000000001"
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO applications (id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at)
			VALUES ('a1', '0821', 'k1', 'h', 'first', '2026-04', '[]', $1)`, []any{now}},
		{`INSERT INTO cases (id, application_id, municipality, month, kind, state, routing_reasons, version, created_at, updated_at)
			VALUES ($1, 'a1', '0821', '2026-04', 'first', 'submitted', '[]', 1, $2, $2)`, []any{id, now}},
		{`INSERT INTO case_persons (case_id, personal_number, role, name, name_key)
			VALUES ($1, '194001010001', 'applicant', 'Göran Åström', 'göran åström'), ($1, '194001010002', 'partner', 'José Núñez', 'josé núñez'),
			($1, '194001010003', 'partner', '', '')`, []any{id}},
	} {
		if _, err := db.SQL().ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT name_fold FROM case_persons WHERE case_id = $1 ORDER BY personal_number`, id)
	if err != nil {
		t.Fatal(err)
	}
	var folds []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			t.Fatal(err)
		}
		folds = append(folds, f)
	}
	rows.Close()
	if len(folds) != 3 || folds[0] != "goran astrom" || folds[1] != "jose nunez" || folds[2] != "" {
		t.Errorf("name_fold after the upgrade = %q, want goran astrom, jose nunez and nothing", folds)
	}
	s := store.NewCaseStore(db)
	for _, q := range []string{"goran astrom", "jose", "NUNEZ", "åström"} {
		if got, err := s.CasesByName(ctx, "0821", q, 10); err != nil || len(got) != 1 || got[0].ID != id {
			t.Errorf("CasesByName(%q) after the upgrade = %v, %v; want case %s", q, got, err, id)
		}
	}
}
