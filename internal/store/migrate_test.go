package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig/internal/dbtest"
	"skalig/internal/store"
)

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, dbtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect() != dbtest.Dialect() {
		t.Errorf("Dialect()=%s, want %s", db.Dialect(), dbtest.Dialect())
	}

	ok, err := db.SchemaUpToDate(ctx)
	if err != nil || ok {
		t.Errorf("empty database: SchemaUpToDate()=%v, %v; want false", ok, err)
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil || cur != 0 || latest < 1 {
		t.Errorf("empty database: SchemaVersion()=%d, %d, %v", cur, latest, err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	ok, err = db.SchemaUpToDate(ctx)
	if err != nil || !ok {
		t.Errorf("migrated: SchemaUpToDate()=%v, %v; want true", ok, err)
	}
	cur, latest2, err := db.SchemaVersion(ctx)
	if err != nil || cur != latest || latest2 != latest {
		t.Errorf("migrated: SchemaVersion()=%d, %d, %v; want %d, %d", cur, latest2, err, latest, latest)
	}
}

// TestMigrateConcurrent: several processes starting at once migrate once.
func TestMigrateConcurrent(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t)
	if dbtest.Dialect() == store.SQLite {
		t.Skip("on SQLite one process migrates: skalig migrate, or demo")
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := store.Open(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			errs <- db.Migrate(ctx)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
}

// TestSchema checks that both dialects' migrations give the same tables
// and columns, in the same order, so that one SQL text serves both.
func TestSchema(t *testing.T) {
	db := dbtest.Open(t)
	want := map[string]string{
		"applications":      "id municipality idempotency_key content_hash kind month members submitted_at",
		"cases":             "id application_id municipality month kind state routing_reasons version created_at updated_at decided_at closed_at number",
		"facts":             "id case_id application_id kind person_id period amount text source at evidence recorded_by",
		"receipts":          "hash case_id body created_at",
		"decisions":         "id case_id outcome month amount reasons decided_by_caseworker decided_by_delegation decided_at receipt_hash inputs",
		"audit_events":      "seq at actor action case_id data hash v digest",
		"audit_checkpoints": "seq hash at key_id sig",
		"audit_head":        "id seq hash",
		"payments": "id decision_id case_id amount account pay_on created_at status hold_reason released_by released_at " +
			"run_id import_id bank_code bank_text settled_at change_id",
		"decision_changes": "id case_id original_id supersedes request_id outcome month amount reasons decided_by_caseworker decided_at receipt_hash",
		"payment_runs":     "id message_id created_at created_by execution_date count total document exported_at",
		"bank_imports":     "id message_id format sha256 imported_at imported_by executed rejected",
	}
	for table, cols := range want {
		rows, err := db.SQL().QueryContext(context.Background(), `SELECT * FROM `+table+` LIMIT 0`)
		if err != nil {
			t.Errorf("%s: %v", table, err)
			continue
		}
		got, err := rows.Columns()
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, strings.Fields(cols)) {
			t.Errorf("%s columns %q, want %q", table, got, cols)
		}
	}
}

// TestConstraints checks what the schema itself guarantees, whatever code
// writes to it: one decision per case, one application per key and
// municipality, a fact has an amount or a text.
func TestConstraints(t *testing.T) {
	ctx := context.Background()
	db, s := open(t)
	c := mustSubmit(t, s, testApp(t, "k1"))
	exec := func(q string, args ...any) error {
		_, err := db.SQL().ExecContext(ctx, q, args...)
		return err
	}
	ts := func(t time.Time) any {
		if db.Dialect() == store.SQLite {
			return t.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
		return t
	}
	now := time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
	hash := strings.Repeat("ab", 32)
	if err := exec(`INSERT INTO receipts (hash, case_id, body, created_at) VALUES ($1, $2, '{}', $3)`, hash, c.ID, ts(now)); err != nil {
		t.Fatal(err)
	}
	decision := `INSERT INTO decisions (id, case_id, outcome, month, amount, reasons, decided_by_delegation, decided_at, receipt_hash)
		VALUES ($1, $2, 'approved', '2026-04', 668000, '[]', 'AMN § 4', $3, $4)`
	if err := exec(decision, "d1", c.ID, ts(now), hash); err != nil {
		t.Fatalf("first decision: %v", err)
	}
	if err := exec(decision, "d2", c.ID, ts(now), hash); err == nil {
		t.Errorf("a second decision for the case was stored")
	}
	if err := exec(decision, "d3", "no-such-case", ts(now), hash); err == nil {
		t.Errorf("a decision for no case was stored (foreign keys off?)")
	}
	if err := exec(`INSERT INTO decisions (id, case_id, outcome, month, amount, reasons, decided_by_caseworker, decided_by_delegation, decided_at, receipt_hash)
		VALUES ('d4', $1, 'approved', '2026-04', 1, '[]', 'hl-17', 'AMN § 4', $2, $3)`, c.ID, ts(now), hash); err == nil {
		t.Errorf("a decision by both a caseworker and a delegation was stored")
	}
	if err := exec(`INSERT INTO applications (id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at)
		VALUES ('a2', '0821', 'k1', 'x', 'monthly', '2026-04', '[]', $1)`, ts(now)); err == nil {
		t.Errorf("a second application with the same key was stored")
	}
	if err := exec(`INSERT INTO facts (case_id, kind, period, amount, text, source, at) VALUES ($1, 'k', '2026-04', 1, 'x', 'system', $2)`, c.ID, ts(now)); err == nil {
		t.Errorf("a fact with both amount and text was stored")
	}
	if err := exec(`UPDATE cases SET state = 'approved' WHERE id = $1`, c.ID); err == nil {
		t.Errorf("an unknown state was stored")
	}
}
