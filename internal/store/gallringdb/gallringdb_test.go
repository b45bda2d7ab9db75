package gallringdb_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/dbtest"
	"skalig/internal/gallring"
	"skalig/internal/store"
	"skalig/internal/store/drafts"
	"skalig/internal/store/gallringdb"
	"skalig/internal/store/storetest"
)

// person is a synthetic person of the gallring fixture.
type person struct {
	pn   skalig.PersonalNumber
	name string
}

// gallringFixture holds the persons it made and the cases of each group.
type gallringFixture struct {
	db      *store.DB
	s       *store.CaseStore
	clk     *setClock
	gone    []person // gallrade on 2026-06-01
	kept    []person // kept: sample, recent, undecided
	sample  string   // the research-sample person's case
	keptIDs []string
}

func tArg(db *store.DB, t time.Time) any {
	if db.Dialect() == store.SQLite {
		return skalig.FormatTime(t)
	}
	return t
}

// addCase submits an application of members at the clock's time and fills
// the case with what a personakt holds: a message and a document naming
// the person, a decision with its receipt, a draft and a session.
func (f *gallringFixture) addCase(t *testing.T, key string, state skalig.CaseState, members ...person) string {
	t.Helper()
	ctx := context.Background()
	app := &skalig.Application{Municipality: "0821", Kind: skalig.MonthlyApplication, Month: skalig.MonthOf(2020, 3), IdempotencyKey: key,
		Facts: []skalig.Fact{{Kind: "note.name", Period: skalig.MonthOf(2020, 3), Value: skalig.TextValue("namn: " + members[0].name), Source: skalig.SourceApplicant}}}
	for i, m := range members {
		role := skalig.RoleApplicant
		if i > 0 {
			role = skalig.RolePartner
		}
		// The name the login gave, kept beside the case's persons.
		app.Members = append(app.Members, skalig.Member{ID: fmt.Sprintf("p%d", i+1), PersonalNumber: m.pn, Role: role, Name: m.name})
	}
	c, _, err := f.s.SubmitApplication(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	now := f.clk.Now()
	if _, err := f.s.Change(ctx, c, func(m *store.Moves) error {
		if err := m.AddMessage(ctx, &store.Message{CaseID: c.ID, From: "applicant", Body: "Hej, jag heter " + members[0].name}); err != nil {
			return err
		}
		return m.AddDocument(ctx, &store.Document{CaseID: c.ID, Name: "hyra.txt", MediaType: "text/plain", Size: 10, SHA256: "x",
			UploadedBy: "applicant"}, []byte("Hyresavi för "+members[0].name+" "+string(members[0].pn)))
	}); err != nil {
		t.Fatal(err)
	}
	err = f.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET state = $1 WHERE id = $2`, string(state), c.ID); err != nil {
			return err
		}
		if state == skalig.StateClosed {
			if _, err := tx.ExecContext(ctx, `INSERT INTO receipts (hash, case_id, body, created_at) VALUES ($1, $2, $3, $4)`,
				"r-"+c.ID, c.ID, `{"pn":"`+string(members[0].pn)+`"}`, tArg(f.db, now)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO decisions (id, case_id, outcome, month, amount, decided_by_delegation, decided_at, receipt_hash)
				VALUES ($1, $2, 'approved', '2020-03', 100, 'robot', $3, $4)`, "d-"+c.ID, c.ID, tArg(f.db, now), "r-"+c.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)`,
			"tok-"+c.ID, []byte("gob\x00pn="+string(members[0].pn)), tArg(f.db, now.Add(time.Hour))); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := &skalig.Draft{Municipality: "0821", Applicant: members[0].pn, Kind: skalig.MonthlyApplication, Month: skalig.MonthOf(2020, 4),
		Data: []byte(`{"name":"` + members[0].name + `"}`)}
	if err := drafts.New(f.db).CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := drafts.New(f.db).SignApplicant(ctx, d.ID, d.Version, "sha256:x", members[0].name); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// newGallringFixture makes, in 0821 (not a research county), persons whose
// last entry was in March 2020 (gallrade on 2026-06-01), a person of the
// research sample (born the 15th) as old, a person with an entry in 2024,
// and one whose old case was never decided.
func newGallringFixture(t *testing.T, db *store.DB, n int) *gallringFixture {
	t.Helper()
	f := &gallringFixture{db: db, s: store.NewCaseStore(db), clk: &setClock{t: time.Date(2020, 3, 10, 9, 0, 0, 0, time.UTC)}}
	db.Now = f.clk.Now
	for i := range n {
		a := person{storetest.PN("19800412", 100+i), fmt.Sprintf("Greta Gallrådsson%03d", i)}
		if i%3 == 2 { // a couple, both gallrade
			b := person{storetest.PN("19810412", 100+i), fmt.Sprintf("Gustav Gallrådsson%03d", i)}
			f.addCase(t, fmt.Sprintf("g%d", i), skalig.StateClosed, a, b)
			f.gone = append(f.gone, a, b)
			continue
		}
		f.addCase(t, fmt.Sprintf("g%d", i), skalig.StateClosed, a)
		f.gone = append(f.gone, a)
	}
	s := person{storetest.PN("19800415", 200), "Sara Sparadsdotter"}
	f.sample = f.addCase(t, "sample", skalig.StateClosed, s)
	u := person{storetest.PN("19800412", 300), "Ulla Oavgjordsson"}
	f.keptIDs = append(f.keptIDs, f.sample, f.addCase(t, "undecided", skalig.StateAwaitingCaseworker, u))
	r := person{storetest.PN("19800412", 400), "Rut Nyligensson"}
	f.addCase(t, "recent-old", skalig.StateClosed, r)
	f.clk.set(time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC))
	f.keptIDs = append(f.keptIDs, f.addCase(t, "recent-new", skalig.StateClosed, r))
	f.kept = []person{s, u, r}
	f.clk.set(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	return f
}

func (f *gallringFixture) needles() []string {
	var out []string
	for _, p := range f.gone {
		// The name also as the search by name keeps it: its words, as
		// written, without diacritics and spelled out (skalig.NameWords).
		// "greta" and "gustav" are every gallrad person's, no kept one's.
		out = append(out, string(p.pn), p.name)
		out = append(out, skalig.NameWords(p.name)...)
	}
	return out
}

// searchDB returns "table.column: needle" for every value of every column
// of every table of db that contains one of needles.
func searchDB(t *testing.T, db *store.DB, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, 2`
	if db.Dialect() == store.Postgres {
		q = `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY 1, 2`
	}
	rows, err := db.SQL().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, name, typ string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 30 {
		t.Fatalf("only %d columns found", len(cols))
	}
	var hits []string
	for _, c := range cols {
		cond := `instr(CAST("` + c.name + `" AS BLOB), CAST($1 AS BLOB)) > 0`
		if db.Dialect() == store.Postgres {
			cond = `position($1 in CAST("` + c.name + `" AS text)) > 0`
			if c.typ == "bytea" {
				cond = `position(convert_to($1, 'UTF8') in "` + c.name + `") > 0`
			}
		}
		for _, n := range needles {
			var k int
			if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+c.table+`" WHERE `+cond, n).Scan(&k); err != nil {
				t.Fatalf("%s.%s: %v", c.table, c.name, err)
			}
			if k > 0 {
				hits = append(hits, fmt.Sprintf("%s.%s: %s", c.table, c.name, n))
			}
		}
	}
	return hits
}

func TestGallring(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	f := newGallringFixture(t, db, 6)
	if hits := searchDB(t, db, f.needles()[:2]); len(hits) < 5 {
		t.Fatalf("the search finds too little before gallring: %v", hits)
	}
	// Names are personal data: the case's persons and the draft's
	// signatures hold them until gallring.
	words := skalig.NameWords(f.gone[0].name)
	if hits := searchDB(t, db, append([]string{f.gone[0].name}, words...)); !slices.Contains(hits, "case_persons.name: "+f.gone[0].name) ||
		!slices.Contains(hits, "draft_signatures.name: "+f.gone[0].name) || len(words) != 4 ||
		!slices.Contains(hits, "case_person_words.word: "+words[1]) || !slices.Contains(hits, "case_person_words.word: "+words[2]) ||
		!slices.Contains(hits, "case_person_words.word: "+words[3]) {
		t.Fatalf("the name is not where the fixture put it: %v, words %q", hits, words)
	}
	var sampleFacts, sampleEvents int
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.SQL().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sampleFacts = count(`SELECT COUNT(*) FROM facts WHERE case_id = $1`, f.sample)
	sampleEvents = count(`SELECT COUNT(*) FROM audit_events WHERE case_id = $1 AND data IS NOT NULL`, f.sample)

	r := gallring.Default("0821")
	r.BatchSize = 2
	plan, err := gallringdb.New(db).GallringPlan(ctx, r, skalig.Date{Y: 2026, M: 6, D: 1})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Gallrade() != len(f.gone) || len(plan.Cases) != 6 || len(plan.Verdicts) != len(f.gone)+3 {
		t.Fatalf("plan: %d gallrade, %d cases, %d verdicts", plan.Gallrade(), len(plan.Cases), len(plan.Verdicts))
	}
	// A day before five years: nothing.
	if early, _ := gallringdb.New(db).GallringPlan(ctx, r, skalig.Date{Y: 2025, M: 3, D: 9}); early.Gallrade() != 0 {
		t.Fatalf("on 2025-03-09 %d persons would go", early.Gallrade())
	}

	run, err := gallringdb.New(db).ProposeGallring(ctx, plan, "staff:anna")
	if err != nil {
		t.Fatal(err)
	}
	var e *skalig.Error
	if _, err := gallringdb.New(db).RunGallring(ctx, run.ID, nil); !errors.As(err, &e) || e.Code != skalig.ECONFLICT || !strings.Contains(e.Message, "inte godkänd") {
		t.Fatalf("run before approval: %v", err)
	}
	if _, err := gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:anna"); !errors.As(err, &e) || e.Code != skalig.EFORBIDDEN || !strings.Contains(e.Message, "fyraögonsprincipen") {
		t.Fatalf("approval by the proposer: %v", err)
	}
	if n := count(`SELECT COUNT(*) FROM cases`); n != 10 {
		t.Fatalf("refusals changed something: %d cases", n)
	}
	if _, err := gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:bo"); err != nil {
		t.Fatal(err)
	}
	run, err = gallringdb.New(db).RunGallring(ctx, run.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.State != "done" || run.RemovedCases != 6 || run.RemovedDecisions != 6 || run.Batches != 3 || run.ApprovedBy != "staff:bo" || run.RemovedPayloads == 0 {
		t.Fatalf("run: %+v", run)
	}
	if n := count(`SELECT COUNT(*) FROM cases`); n != 4 {
		t.Errorf("%d cases left, want 4", n)
	}
	if hits := searchDB(t, db, f.needles()); len(hits) > 0 {
		t.Errorf("gallrade data left: %v", hits)
	}
	// The kept persons are intact.
	for _, p := range f.kept {
		if hits := searchDB(t, db, []string{string(p.pn), p.name}); len(hits) < 5 {
			t.Errorf("kept person %s: only %v", p.pn.Masked(), hits)
		}
	}
	if n := count(`SELECT COUNT(*) FROM facts WHERE case_id = $1`, f.sample); n != sampleFacts {
		t.Errorf("sample facts %d, want %d", n, sampleFacts)
	}
	if n := count(`SELECT COUNT(*) FROM audit_events WHERE case_id = $1 AND data IS NOT NULL`, f.sample); n != sampleEvents {
		t.Errorf("sample events with payload %d, want %d", n, sampleEvents)
	}
	rep, err := audit.VerifyTrail(ctx, db.SQL(), nil)
	if err != nil || rep.Removed != run.RemovedPayloads {
		t.Errorf("audit verify after gallring: %+v, %v", rep, err)
	}
	if n := count(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, gallringdb.ActionGallringDone); n != 1 {
		t.Errorf("%d gallring.done events", n)
	}
	if n, err := gallringdb.New(db).GallradeDecisions(ctx); err != nil || n != 6 {
		t.Errorf("GallradeDecisions=%d, %v", n, err)
	}
	// The file itself (SQLite): VACUUM left no bytes of the gallrade.
	if db.Dialect() == store.SQLite {
		path := strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(db.String(), "sqlite "), "?", 2)[0], "sqlite:")
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil {
				if suffix != "" && os.IsNotExist(err) {
					continue
				}
				t.Fatal(err)
			}
			if suffix == "" && !bytes.Contains(b, []byte(f.kept[0].name)) {
				t.Errorf("%s: the kept person is not in the file (is this the right file?)", path)
			}
			for _, n := range f.needles() {
				if bytes.Contains(b, []byte(n)) {
					t.Errorf("%s%s still holds %q", filepath.Base(path), suffix, n)
				}
			}
		}
	}
	// A second run finds nothing more.
	again, err := gallringdb.New(db).GallringPlan(ctx, r, skalig.Date{Y: 2026, M: 6, D: 1})
	if err != nil || again.Gallrade() != 0 || len(again.Cases) != 0 {
		t.Errorf("second plan: %d, %v", again.Gallrade(), err)
	}
}

// TestGallringNewEntrySkips: a case planned for gallring that gets a new
// entry before the run is skipped.
func TestGallringNewEntrySkips(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	f := newGallringFixture(t, db, 2)
	plan, err := gallringdb.New(db).GallringPlan(ctx, gallring.Default("0821"), skalig.Date{Y: 2026, M: 6, D: 1})
	if err != nil {
		t.Fatal(err)
	}
	run, err := gallringdb.New(db).ProposeGallring(ctx, plan, "staff:anna")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Update(ctx, plan.Cases[0], func(m *store.Moves) error {
		return m.AddMessage(ctx, &store.Message{From: "applicant", Body: "nytt"})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:bo"); err != nil {
		t.Fatal(err)
	}
	run, err = gallringdb.New(db).RunGallring(ctx, run.ID, nil)
	if err != nil || run.RemovedCases != 1 || run.SkippedCases != 1 {
		t.Fatalf("run: %+v, %v", run, err)
	}
}

// TestGallringKilled runs a gallring over many persons in a child process,
// kills it (SIGKILL) after some batches have committed, checks that every
// case is either whole or entirely gone, and runs it again to the end.
func TestGallringKilled(t *testing.T) {
	if os.Getenv("SKALIG_GALLRING_CHILD") != "" {
		gallringChild(t)
		return
	}
	if testing.Short() {
		t.Skip("kill -9 test")
	}
	ctx := context.Background()
	dsn := dbtest.DSN(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := newGallringFixture(t, db, 60)
	r := gallring.Default("0821")
	r.BatchSize = 1
	plan, err := gallringdb.New(db).GallringPlan(ctx, r, skalig.Date{Y: 2026, M: 6, D: 1})
	if err != nil {
		t.Fatal(err)
	}
	run, err := gallringdb.New(db).ProposeGallring(ctx, plan, "staff:anna")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:bo"); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestGallringKilled$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SKALIG_GALLRING_CHILD=1", "SKALIG_GALLRING_DSN="+dsn, "SKALIG_GALLRING_RUN="+run.ID)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	batches := 0
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "batch ") {
			if batches++; batches == 5 {
				break
			}
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if batches < 5 {
		t.Fatalf("the child committed %d batches before it ended", batches)
	}

	mid, err := gallringdb.New(db).GallringRun(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mid.State == "done" || mid.RemovedCases < 5 || mid.RemovedCases >= int64(len(plan.Cases)) {
		t.Fatalf("after the kill: %+v (of %d)", mid, len(plan.Cases))
	}
	checkWholeOrGone(t, db, plan.Cases, mid.RemovedCases)
	if rep, err := audit.VerifyTrail(ctx, db.SQL(), nil); err != nil {
		t.Fatalf("audit verify after the kill: %+v, %v", rep, err)
	}

	done, err := gallringdb.New(db).RunGallring(ctx, run.ID, nil)
	if err != nil || done.State != "done" || done.RemovedCases != int64(len(plan.Cases)) {
		t.Fatalf("rerun: %+v, %v", done, err)
	}
	checkWholeOrGone(t, db, plan.Cases, int64(len(plan.Cases)))
	if hits := searchDB(t, db, f.needles()[:20]); len(hits) > 0 {
		t.Errorf("gallrade data left: %v", hits)
	}
	if rep, err := audit.VerifyTrail(ctx, db.SQL(), nil); err != nil || rep.Removed != done.RemovedPayloads {
		t.Errorf("audit verify at the end: %+v, %v (run removed %d)", rep, err, done.RemovedPayloads)
	}
}

// checkWholeOrGone fails unless exactly gone of cases are gone, each
// without a row left anywhere and without an audit payload, and the rest
// whole (their application, facts, persons, message, document, decision
// and payloads all there).
func checkWholeOrGone(t *testing.T, db *store.DB, cases []string, gone int64) {
	t.Helper()
	ctx := context.Background()
	var n int64
	for _, id := range cases {
		var c, rows, payloads, events int
		if err := db.SQL().QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM cases WHERE id = $1),
			(SELECT COUNT(*) FROM facts WHERE case_id = $1) + (SELECT COUNT(*) FROM case_persons WHERE case_id = $1)
			+ (SELECT COUNT(*) FROM messages WHERE case_id = $1) + (SELECT COUNT(*) FROM documents WHERE case_id = $1)
			+ (SELECT COUNT(*) FROM decisions WHERE case_id = $1) + (SELECT COUNT(*) FROM receipts WHERE case_id = $1),
			(SELECT COUNT(*) FROM audit_events WHERE case_id = $1 AND data IS NOT NULL),
			(SELECT COUNT(*) FROM audit_events WHERE case_id = $1)`, id).Scan(&c, &rows, &payloads, &events); err != nil {
			t.Fatal(err)
		}
		switch {
		case c == 0 && rows == 0 && payloads == 0 && events > 0:
			n++
		case c == 1 && rows >= 6 && payloads == events && events > 0:
		default:
			t.Errorf("case %s half done: case %d, rows %d, payloads %d of %d events", id, c, rows, payloads, events)
		}
	}
	if n != gone {
		t.Errorf("%d cases gone, the run says %d", n, gone)
	}
}

// gallringChild is the child of TestGallringKilled: it runs the gallring,
// printing a line after each batch and pausing a little, until killed.
func gallringChild(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, os.Getenv("SKALIG_GALLRING_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = gallringdb.New(db).RunGallring(ctx, os.Getenv("SKALIG_GALLRING_RUN"), func(done, total int64) {
		fmt.Printf("batch %d/%d\n", done, total)
		time.Sleep(20 * time.Millisecond)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGallringTwice: two processes running the same run at once count
// nothing twice; whichever stops, a rerun finishes.
func TestGallringTwice(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	f := newGallringFixture(t, db, 12)
	r := gallring.Default("0821")
	r.BatchSize = 1
	plan, err := gallringdb.New(db).GallringPlan(ctx, r, skalig.Date{Y: 2026, M: 6, D: 1})
	if err != nil {
		t.Fatal(err)
	}
	run, err := gallringdb.New(db).ProposeGallring(ctx, plan, "staff:anna")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:bo"); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() { _, err := gallringdb.New(db).RunGallring(ctx, run.ID, nil); errs <- err }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			var e *skalig.Error
			if !errors.As(err, &e) || e.Code != skalig.ECONFLICT {
				t.Errorf("concurrent run: %v", err)
			}
		}
	}
	done, err := gallringdb.New(db).RunGallring(ctx, run.ID, nil)
	if err != nil || done.State != "done" || done.RemovedCases != int64(len(plan.Cases)) || done.SkippedCases != 0 {
		t.Fatalf("after both: %+v, %v", done, err)
	}
	if hits := searchDB(t, db, f.needles()); len(hits) > 0 {
		t.Errorf("left: %v", hits)
	}
	var events int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, gallringdb.ActionGallringDone).Scan(&events); err != nil || events != 1 {
		t.Errorf("%d gallring.done events, %v", events, err)
	}
}

// setClock is a clock the test sets; each reading moves it on a
// microsecond, so that events keep their order.
type setClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *setClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Microsecond)
	return c.t
}

func (c *setClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
