package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"skalig/cmd/skalig/internal/records"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/store"
	"skalig/internal/store/gallringdb"
)

// gallringDB returns a migrated SQLite file with, in 0821, n persons whose
// one closed case (with a decision) had its last entry in March 2020, and
// one person of the research sample (born the 15th) as old.
func gallringDB(t *testing.T, n int) (path string, gone []skalig.PersonalNumber, kept skalig.PersonalNumber) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "skalig.db")
	if code, _, errs := runCmd(t, "", "migrate", "--database", path); code != 0 {
		t.Fatal(errs)
	}
	ctx := context.Background()
	withDB(t, path, func(db *store.DB) {
		at := time.Date(2020, 3, 10, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { at = at.Add(time.Millisecond); return at }
		cases := store.NewCaseStore(db)
		add := func(pn skalig.PersonalNumber, key string) {
			app := &skalig.Application{Municipality: "0821", Kind: skalig.MonthlyApplication, Month: skalig.MonthOf(2020, 3),
				IdempotencyKey: key, Members: []skalig.Member{{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant}}}
			c, _, err := cases.SubmitApplication(ctx, app)
			if err != nil {
				t.Fatal(err)
			}
			ts := skalig.FormatTime(at)
			qs := []string{
				`UPDATE cases SET state = 'closed' WHERE id = $1`,
				`INSERT INTO receipts (hash, case_id, body, created_at) VALUES ('r-' || $1, $1, '{}', '` + ts + `')`,
				`INSERT INTO decisions (id, case_id, outcome, month, amount, decided_by_delegation, decided_at, receipt_hash)
					VALUES ('d-' || $1, $1, 'rejected', '2020-03', 0, 'robot', '` + ts + `', 'r-' || $1)`,
			}
			if key == "kept" { // no decision: replay checks the rest
				qs = qs[:1]
			}
			for _, q := range qs {
				if _, err := db.SQL().ExecContext(ctx, q, c.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := range n {
			pn := cliPN(t, "19800412", 100+i)
			add(pn, fmt.Sprintf("k%d", i))
			gone = append(gone, pn)
		}
		kept = cliPN(t, "19800415", 200)
		add(kept, "kept")
	})
	return path, gone, kept
}

func cliPN(t *testing.T, yyyymmdd string, serial int) skalig.PersonalNumber {
	t.Helper()
	for d := 0; d < 10; d++ {
		p := skalig.PersonalNumber(fmt.Sprintf("%s%03d%d", yyyymmdd, serial, d))
		if p.Validate() == nil {
			return p
		}
	}
	t.Fatalf("no check digit for %s %d", yyyymmdd, serial)
	return ""
}

func TestGallringCommand(t *testing.T) {
	path, gone, kept := gallringDB(t, 3)
	noFull := func(what, out string) {
		t.Helper()
		for _, pn := range append(gone, kept) {
			if strings.Contains(out, string(pn)) {
				t.Errorf("%s shows a full personnummer: %q", what, out)
			}
		}
	}
	// Five years have not passed on 2025-03-09.
	code, out, errs := runCmd(t, "", "gallring", "--dry-run", "--on", "2025-03-09", "--database", path)
	if code != 0 || !strings.Contains(out, "0 personer gallras, 4 behålls") {
		t.Fatalf("dry run 2025: %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "", "gallring", "--dry-run", "--on", "2026-06-01", "--database", path)
	if code != 0 || !strings.Contains(out, "3 personer gallras, 1 behålls; 3 ärenden tas bort") ||
		!strings.Contains(out, gone[0].Masked()+"  GALLRAS") || !strings.Contains(out, kept.Masked()+"  BEHÅLLS") ||
		!strings.Contains(out, "forskningsurval: född den 15") || !strings.Contains(out, "Provkörning") {
		t.Fatalf("dry run 2026: %d %q %q", code, out, errs)
	}
	noFull("the dry run", out+errs)

	// Bad input changes nothing.
	rules := filepath.Join(t.TempDir(), "rules.json")
	os.WriteFile(rules, []byte(`{"research_sample": "ingen"}`), 0o600)
	for _, args := range [][]string{
		{"--on", "2026-06-01", "--by", "staff:anna", "--rules", rules},
		{"--on", "2026-06-01"},
		{"--on", "2026-13-01", "--by", "staff:anna"},
	} {
		code, out, errs := runCmd(t, "", append([]string{"gallring", "--database", path}, args...)...)
		if code != exitUsage || errs == "" || strings.Contains(out, "föreslagen") {
			t.Errorf("%v: %d %q %q", args, code, out, errs)
		}
	}
	if _, _, errs := runCmd(t, "", "gallring", "--database", path, "--on", "2026-06-01", "--by", "x", "--rules", rules); !strings.Contains(errs, "research_sample") {
		t.Errorf("bad rules: %q does not name the key", errs)
	}

	code, out, errs = runCmd(t, "", "gallring", "--on", "2026-06-01", "--by", "staff:anna", "--database", path)
	m := regexp.MustCompile(`Gallringskörning (\S+) föreslagen`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("propose: %d %q %q", code, out, errs)
	}
	id := m[1]
	if code, _, errs := runCmd(t, "", "gallring", "approve", id, "--by", "staff:anna", "--database", path); code != exitFailure || !strings.Contains(errs, "fyraögonsprincipen") {
		t.Errorf("approval by the proposer: %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, "", "gallring", "--database", path, "run", id); code != exitFailure || !strings.Contains(errs, "inte godkänd") {
		t.Errorf("run before approval: %d %q", code, errs)
	}
	if code, out, _ := runCmd(t, "", "gallring", "--dry-run", "--on", "2026-06-01", "--database", path); code != 0 || !strings.Contains(out, "3 personer gallras") {
		t.Errorf("the refusals changed something: %q", out)
	}
	code, out, errs = runCmd(t, "", "gallring", "--database", path, "approve", id, "--by", "staff:bo")
	if code != 0 || !strings.Contains(out, "klar: 3 ärenden borttagna (3 beslut)") {
		t.Fatalf("approve: %d %q %q", code, out, errs)
	}
	noFull("the run", out+errs)
	code, out, errs = runCmd(t, "", "gallring", "list", "--database", path)
	if code != 0 || !strings.Contains(out, "done") || !strings.Contains(out, "godkänd av staff:bo") {
		t.Errorf("list: %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "", "audit", "verify", "--database", path)
	if code != 0 {
		t.Errorf("audit verify: %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "", "decision", "replay", "--all", "--database", path)
	if code != 0 || !strings.Contains(out, "3 beslut har gallrats") {
		t.Errorf("replay: %d %q %q", code, out, errs)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, pn := range gone {
		if strings.Contains(string(b), string(pn)) {
			t.Errorf("the database file still holds %s", pn.Masked())
		}
	}
	if !strings.Contains(string(b), string(kept)) {
		t.Error("the kept person is gone from the file")
	}
}

// TestGallringScheduleAndClaims: the yearly job prepares the year's run on
// and after its day, once; two persons approve it on the command line; an
// open claim (skalig claim) keeps a person's akt from the run.
func TestGallringScheduleAndClaims(t *testing.T) {
	path, gone, kept := gallringDB(t, 3)
	// Bad input: a claim without who, on a bad personnummer; nothing is recorded.
	if code, _, errs := runCmd(t, "", "claim", "open", string(gone[0]), "--database", path); code != exitUsage || !strings.Contains(errs, "--by") {
		t.Errorf("claim without --by: %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, "", "claim", "open", "19800412-1234", "--by", "staff:anna", "--database", path); code != exitUsage || !strings.Contains(errs, "Personnummer:") {
		t.Errorf("claim on a bad personnummer: %d %q", code, errs)
	}
	code, out, errs := runCmd(t, "", "claim", "open", string(gone[0]), "--by", "staff:anna", "--note", "Återkrav 2020-03", "--database", path)
	m := regexp.MustCompile(`Återkrav (\S+) registrerat på ` + regexp.QuoteMeta(gone[0].Masked())).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("claim open: %d %q %q", code, out, errs)
	}
	claimID := m[1]
	if code, out, _ := runCmd(t, "", "claim", "list", string(gone[0]), "--database", path); code != 0 || !strings.Contains(out, claimID+"  kommun 0821") || !strings.Contains(out, "öppet") {
		t.Errorf("claim list: %q", out)
	}
	code, out, errs = runCmd(t, "", "gallring", "--dry-run", "--on", "2027-01-15", "--database", path)
	if code != 0 || !strings.Contains(out, gone[0].Masked()+"  BEHÅLLS  behålls: ett öppet återkrav på personen") || !strings.Contains(out, "2 personer gallras, 2 behålls") {
		t.Fatalf("dry run with a claim: %d %q %q", code, out, errs)
	}

	cfg := config.Default()
	ctx := context.Background()
	var runID string
	withDB(t, path, func(db *store.DB) {
		for _, c := range []struct {
			now  time.Time
			made bool
		}{
			{time.Date(2027, 1, 14, 12, 0, 0, 0, time.UTC), false}, // before the day
			{time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC), true},
			{time.Date(2027, 1, 15, 13, 0, 0, 0, time.UTC), false}, // made already
			{time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC), false},
		} {
			db.Now = func() time.Time { return c.now }
			run, made, err := records.ScheduleGallringOnce(ctx, db, cfg)
			if err != nil || made != c.made || (c.now.Day() == 14) != (run == nil) {
				t.Fatalf("%s: %+v %v %v", c.now, run, made, err)
			}
			if run != nil {
				runID = run.ID
				if run.ScheduledYear != 2027 || run.PlannedPersons != 2 || run.ProposedBy != gallringdb.GallringScheduler {
					t.Errorf("scheduled run: %+v", run)
				}
			}
		}
		off := cfg
		off.GallringSchedule = "off"
		if run, made, err := records.ScheduleGallringOnce(ctx, db, off); run != nil || made || err != nil {
			t.Errorf("off: %+v %v %v", run, made, err)
		}
	})
	code, out, errs = runCmd(t, "", "gallring", "approve", runID, "--by", "staff:anna", "--database", path)
	if code != 0 || !strings.Contains(out, "andra person") || strings.Contains(out, "klar") {
		t.Fatalf("first approval: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, "", "gallring", "list", "--database", path); code != 0 || !strings.Contains(out, "föreslagen av schedule (årlig, 2027), första godkännande av staff:anna") {
		t.Errorf("list: %q", out)
	}
	if code, _, errs := runCmd(t, "", "gallring", "approve", runID, "--by", "staff:anna", "--database", path); code != exitFailure || !strings.Contains(errs, "fyraögonsprincipen") {
		t.Errorf("the same person twice: %d %q", code, errs)
	}
	code, out, errs = runCmd(t, "", "gallring", "approve", runID, "--by", "staff:bo", "--database", path)
	if code != 0 || !strings.Contains(out, "klar: 2 ärenden borttagna") {
		t.Fatalf("second approval: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, "", "claim", "list", string(gone[0]), "--database", path); code != 0 || !strings.Contains(out, "öppet") {
		t.Errorf("the claimed person's claim: %q", out)
	}
	if code, _, errs := runCmd(t, "", "audit", "verify", "--database", path); code != 0 {
		t.Errorf("audit verify: %q", errs)
	}
	_ = kept
}

// TestArchiveCommand: the research sample person's akt, five years on, is
// exported as a package that verifies, once; bad input changes nothing;
// the package still verifies after the gallring of the others.
func TestArchiveCommand(t *testing.T) {
	path, _, kept := gallringDB(t, 2)
	out := t.TempDir()
	if code, _, errs := runCmd(t, "", "archive", "export", "--out", out, "--on", "2026-06-01", "--database", path); code != exitUsage || !strings.Contains(errs, "--by") {
		t.Errorf("no --by: %d %q", code, errs)
	}
	rules := filepath.Join(t.TempDir(), "rules.json")
	os.WriteFile(rules, []byte(`{"research_sample": "ingen"}`), 0o600)
	if code, _, errs := runCmd(t, "", "archive", "export", "--out", out, "--by", "anna", "--rules", rules, "--database", path); code != exitUsage || !strings.Contains(errs, "research_sample") {
		t.Errorf("bad rules: %d %q", code, errs)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatal("bad input wrote a package")
	}
	code, stdout, errs := runCmd(t, "", "archive", "export", "--out", out, "--by", "anna", "--on", "2026-06-01", "--database", path)
	m := regexp.MustCompile(`(?m)^  (\S+)$`).FindStringSubmatch(stdout)
	if code != 0 || !strings.Contains(stdout, ": 1 ärenden, 1 personer") || m == nil {
		t.Fatalf("export: %d %q %q", code, stdout, errs)
	}
	pkg := m[1]
	b, err := os.ReadFile(filepath.Join(pkg, "metadata", "descriptive", "arenden.xml"))
	if err != nil || !strings.Contains(string(b), string(kept)) {
		t.Errorf("the package does not hold the sample person: %v", err)
	}
	if code, stdout, errs := runCmd(t, "", "archive", "export", "--out", out, "--by", "anna", "--on", "2026-06-01", "--database", path); code != 0 || !strings.Contains(stdout, "Inga personakter") {
		t.Errorf("second export: %d %q %q", code, stdout, errs)
	}
	code, stdout, errs = runCmd(t, "", "gallring", "--on", "2026-06-01", "--by", "staff:anna", "--database", path)
	id := regexp.MustCompile(`Gallringskörning (\S+) föreslagen`).FindStringSubmatch(stdout)
	if code != 0 || id == nil {
		t.Fatalf("propose: %q %q", stdout, errs)
	}
	if code, _, errs := runCmd(t, "", "gallring", "approve", id[1], "--by", "staff:bo", "--database", path); code != 0 {
		t.Fatalf("approve: %q", errs)
	}
	if code, stdout, errs := runCmd(t, "", "archive", "verify", pkg); code != 0 || !strings.Contains(stdout, "stämmer") {
		t.Errorf("verify: %d %q %q", code, stdout, errs)
	}
	os.WriteFile(filepath.Join(pkg, "METS.xml"), []byte("<mets/>"), 0o600)
	if code, _, errs := runCmd(t, "", "archive", "verify", pkg); code != exitFailure || !strings.Contains(errs, "stämmer inte") {
		t.Errorf("a damaged package: %d %q", code, errs)
	}
}

// TestGallringDemo: skalig gallring demo runs the whole life of the data on
// a new database with the clock moved six years: the dry run, the archive,
// four eyes, the run, the audit trail and the replay.
func TestGallringDemo(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCmd(t, "", "gallring", "demo", "--households", "8", "--data", dir)
	if code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"Klockan flyttas fram sex år", "Provkörning: ingenting har tagits bort.", "fyraögonsprincipen",
		"klar: ", "Granskningsloggen är hel", "har gallrats (docs/gallring.md)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
	if regexp.MustCompile(`(?m)(^|\s)(19|20)\d{6}-?\d{4}(\s|$)`).MatchString(out) {
		t.Errorf("the demo prints a full personnummer")
	}
	if code, _, errs := runCmd(t, "", "gallring", "demo", "--data", dir); code != exitUsage || !strings.Contains(errs, "finns redan") {
		t.Errorf("a second demo in the same directory: %d %q", code, errs)
	}
}
