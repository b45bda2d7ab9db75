package store_test

import (
	"context"
	"fmt"
	"skalig"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig/internal/dbtest"
	"skalig/internal/store"
)

// TestNameFoldMigration upgrades a database whose persons have names but no
// name_fold (00041) to 00042: the migration folds the names already there;
// then to the newest (00043 makes the words of the names and drops
// name_fold), so the search finds Göran for "goran" in cases submitted
// before both.
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
	if err := db.MigrateTo(ctx, 42); err != nil {
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
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := store.NewCaseStore(db)
	for _, q := range []string{"goran astrom", "jose", "NUNEZ", "åström", "goeran aastroem"} {
		if got, err := s.CasesByName(ctx, "0821", q, 10); err != nil || len(got) != 1 || got[0].ID != id {
			t.Errorf("CasesByName(%q) after the upgrade = %v, %v; want case %s", q, got, err, id)
		}
	}
}

// TestNameWordsMigration upgrades a database of 00042 with more persons
// than the backfill reads at a time (1000) to 00043: every person with a
// name gets the words skalig.NameWords makes, nobody else any, the search
// finds them, and name_key and name_fold are gone.
func TestNameWordsMigration(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, dbtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 42); err != nil {
		t.Fatal(err)
	}
	var now any = time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)
	if db.Dialect() == store.SQLite {
		now = "2026-04-01T06:00:00.000000Z"
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const big, small = "01KCASE0000000000000000001", "01KCASE0000000000000000002"
	for i, id := range []string{big, small} {
		app, mun := fmt.Sprintf("a%d", i), []string{"0821", "0180"}[i]
		exec(`INSERT INTO applications (id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at)
			VALUES ($1, $2, $1, 'h', 'first', '2026-04', '[]', $3)`, app, mun, now)
		exec(`INSERT INTO cases (id, application_id, municipality, month, kind, state, routing_reasons, version, created_at, updated_at)
			VALUES ($1, $2, $3, '2026-04', 'first', 'submitted', '[]', 1, $4, $4)`, id, app, mun, now)
	}
	// 2 500 persons of one case (the key orders the batches: case, then
	// personal number), every tenth without a name (0009, …, 2499), and
	// two of another case.
	type person struct{ caseID, pn, name string }
	var persons []person
	for i := range 2500 {
		name := fmt.Sprintf("Göran Testsson%04d", i)
		if i%10 == 9 {
			name = ""
		}
		persons = append(persons, person{big, fmt.Sprintf("19400101%04d", i), name})
	}
	persons = append(persons, person{small, "194501010001", "Åsa Häkkinen-Öberg"}, person{small, "194501010002", "José Núñez"})
	for len(persons) > 0 {
		n := min(len(persons), 500)
		var q strings.Builder
		var args []any
		q.WriteString(`INSERT INTO case_persons (case_id, personal_number, role, name, name_key, name_fold) VALUES `)
		for i, p := range persons[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, $%d, 'applicant', $%d, $%d, $%d)", len(args)+1, len(args)+2, len(args)+3, len(args)+4, len(args)+5)
			args = append(args, p.caseID, p.pn, p.name, skalig.NameKey(p.name), skalig.NameFold(p.name))
		}
		exec(q.String(), args...)
		persons = persons[n:]
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Every word of every named person, and no more.
	rows, err := db.SQL().QueryContext(ctx, `SELECT w.personal_number, w.word, p.name FROM case_person_words w
		JOIN case_persons p ON p.case_id = w.case_id AND p.personal_number = w.personal_number ORDER BY w.case_id, w.personal_number`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]bool{}
	names := map[string]string{}
	for rows.Next() {
		var pn, w, name string
		if err := rows.Scan(&pn, &w, &name); err != nil {
			t.Fatal(err)
		}
		if got[pn] == nil {
			got[pn] = map[string]bool{}
		}
		got[pn][w] = true
		names[pn] = name
	}
	rows.Close()
	if len(got) != 2250+2 {
		t.Fatalf("words for %d persons, want 2252 (the named ones)", len(got))
	}
	for pn, ws := range got {
		want := skalig.NameWords(names[pn])
		if len(ws) != len(want) {
			t.Errorf("%s: %d words, want %q", pn, len(ws), want)
		}
		for _, w := range want {
			if !ws[w] {
				t.Errorf("%s: no word %q", pn, w)
			}
		}
	}
	// The words are the case's municipality's (0180 for the small case).
	var wrong int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM case_person_words w JOIN cases c ON c.id = w.case_id
		WHERE w.municipality <> c.municipality`).Scan(&wrong); err != nil || wrong != 0 {
		t.Errorf("%d words of another municipality than their case's, %v", wrong, err)
	}
	s := store.NewCaseStore(db)
	for q, want := range map[string][]string{
		"goeran testsson2498": {big}, "testsson2499": nil, "goran testsson0009": nil, "testsson": {big},
		"0180 aasa haekkinen": {small}, "0180 öberg": {small}, "0180 OEBERG": {small}, "0180 jose nu": {small}, "göran": {big},
		"aasa haekkinen": nil, "jose": nil, "0180 göran": nil,
	} {
		mun := "0821"
		if m, rest, ok := strings.Cut(q, " "); ok && m == "0180" {
			mun, q = m, rest
		}
		cs, err := s.CasesByName(ctx, mun, q, 10)
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if err != nil || !slices.Equal(ids, want) {
			t.Errorf("CasesByName(%s, %q) = %v, %v; want %v", mun, q, ids, err, want)
		}
	}
	// The range of a word's beginning is one in the order of code points
	// only if the column compares so: on PostgreSQL "C", whatever the
	// database's own collation (in sv-SE, "öberg" is not >= "ö" and < "÷").
	if db.Dialect() == store.Postgres {
		var coll string
		if err := db.SQL().QueryRowContext(ctx, `SELECT collation_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'case_person_words' AND column_name = 'word'`).Scan(&coll); err != nil || coll != "C" {
			t.Errorf("case_person_words.word collates as %q, %v; want C", coll, err)
		}
	}
	for _, col := range []string{"name_key", "name_fold"} {
		if _, err := db.SQL().ExecContext(ctx, `SELECT `+col+` FROM case_persons`); err == nil {
			t.Errorf("case_persons.%s is still there", col)
		}
	}
}
