package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow"
)

// letterDB makes a database with demo cases run through the workflow and
// returns its DSN, a decided case and a case without a decision.
func letterDB(t *testing.T) (dsn, paid, undecided string) {
	t.Helper()
	dsn = dbtest.DSN(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	p, _ := params.Default()
	mun, _ := municipal.Default()
	wf, err := workflow.New(workflow.Config{Cases: store.NewCaseStore(db), Params: p, Municipal: mun,
		Registers: sim.New(sim.Config{Seed: 1}), RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	month := skalig.MonthOf(2026, 11)
	var ids []string
	for _, h := range append(demo.GenerateScenario(1, "0821", month, demo.Plain, 3), demo.GenerateScenario(2, "0821", month, demo.First, 1)...) {
		c, _, err := wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	dbtest.RunJobs(t, db, wf.Run)
	for _, id := range ids {
		switch _, err := wf.Cases().CaseDecision(ctx, id); {
		case err == nil:
			paid = id
		case skalig.ErrorCode(err) == skalig.ENOTFOUND:
			undecided = id
		}
	}
	if paid == "" || undecided == "" {
		t.Fatal("no decided case or no case without a decision")
	}
	return dsn, paid, undecided
}

// TestLetterCommand: skalig letter writes the PDF (and HTML) letter of a
// decided case to --out and prints the path; the same case gives the same
// bytes; a case without a decision and bad usage exit 2 in Swedish.
func TestLetterCommand(t *testing.T) {
	dsn, paid, undecided := letterDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "brev.pdf")
	code, stdout, errs := runCmd(t, "", "letter", "--database", dsn, paid, "--pdf", "--out", out)
	if code != 0 || strings.TrimSpace(stdout) != out {
		t.Fatalf("letter --pdf: exit %d %q %q", code, stdout, errs)
	}
	first, _ := os.ReadFile(out)
	if !bytes.HasPrefix(first, []byte("%PDF-1.7")) {
		t.Fatalf("not a PDF: %.20q", first)
	}
	out2 := filepath.Join(dir, "igen.pdf")
	if code, _, errs := runCmd(t, "", "letter", "--database="+dsn, "--pdf", "--out="+out2, paid); code != 0 {
		t.Fatalf("again: %d %s", code, errs)
	}
	if second, _ := os.ReadFile(out2); !bytes.Equal(first, second) {
		t.Error("the same decision gave another PDF")
	}
	html := filepath.Join(dir, "brev.html")
	if code, _, errs := runCmd(t, "", "letter", "--database", dsn, paid, "--out", html); code != 0 {
		t.Fatalf("letter html: %d %s", code, errs)
	}
	b, _ := os.ReadFile(html)
	number := regexp.MustCompile(`Ärendenummer: (\d{4}-0821-\d{6})`).FindStringSubmatch(string(b))
	if number == nil {
		t.Fatalf("HTML letter lacks the case number")
	}
	// The case number people quote finds the same letter.
	byNumber := filepath.Join(dir, "nummer.html")
	if code, _, errs := runCmd(t, "", "letter", "--database", dsn, number[1], "--out", byNumber); code != 0 {
		t.Fatalf("letter by case number %s: %d %s", number[1], code, errs)
	}
	if b2, _ := os.ReadFile(byNumber); !bytes.Equal(b, b2) {
		t.Error("the letter by case number differs from the letter by id")
	}
	if code, _, errs := runCmd(t, "", "letter", "--database", dsn, undecided, "--out", html); code != 2 || !strings.Contains(errs, "inget beslut") {
		t.Errorf("undecided: exit %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, "", "letter", "--database", dsn, paid); code != 2 || !strings.Contains(errs, "--out") {
		t.Errorf("without --out: exit %d %q", code, errs)
	}
}
