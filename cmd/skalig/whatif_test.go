package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/whatif"
)

// TestWhatIf decides demo households with the robot on a SQLite file and
// runs skalig whatif over them: the live configuration changes nothing,
// the example candidates are read, the runs are kept, and CSV is written.
func TestWhatIf(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "skalig.db")
	if code, out, errs := runCmd(t, "", "migrate", "--database", dbFile); code != 0 {
		t.Fatalf("migrate: exit %d %q %q", code, out, errs)
	}
	cfg := config.Default()
	cfg.LogLevel, cfg.Database, cfg.Registers, cfg.Workers = "warn", dbFile, "sim", 2
	m := &Main{Config: cfg, NoHTTP: true}
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	for _, h := range demo.Generate(1, "0821", skalig.MonthOf(2026, 11), 16) {
		if _, _, err := m.Workflow.Submit(ctx, h.App); err != nil {
			t.Fatal(err)
		}
	}
	dbtest.RunJobs(t, m.DB, m.Workflow.Run)
	var decided int
	m.DB.SQL().QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&decided)
	m.Close()
	if decided == 0 {
		t.Fatal("the robot decided nothing")
	}

	code, out, errs := runCmd(t, "", "whatif", "--candidate-engine", "--database", dbFile, "--municipality", "0821")
	if code != 0 || !regexp.MustCompile(`Beslut: \d+, ändrade: 0 `).MatchString(out) || !strings.Contains(out, "Per hushållstyp:") {
		t.Fatalf("engine: exit %d\n%s\n%s", code, out, errs)
	}
	// The command waits for the run's job with a progress line, ending
	// at every decision read.
	progress := regexp.MustCompile(`Provkörning (\S+): (\d+) av (\d+) beslut \(100 %\)\n$`).FindStringSubmatch(errs)
	if progress == nil || progress[2] != progress[3] || progress[2] != strconv.Itoa(decided) {
		t.Fatalf("progress line %q, want %d of %d decisions (100 %%)", errs, decided, decided)
	}
	// --resume shows a kept run again.
	if code, out2, errs := runCmd(t, "", "whatif", "--resume", progress[1], "--database", dbFile); code != 0 || !strings.Contains(out2, "Provkörning "+progress[1]) {
		t.Fatalf("resume: exit %d\n%s\n%s", code, out2, errs)
	}
	if code, _, errs := runCmd(t, "", "whatif", "--resume", "nope", "--database", dbFile); code != exitUsage || !strings.Contains(errs, "finns inte") {
		t.Fatalf("resume of an unknown run: exit %d %q", code, errs)
	}
	csvFile := filepath.Join(dir, "ändrade.csv")
	code, out, errs = runCmd(t, "", "whatif", "--candidate-routing", "../../examples/whatif/routing-8000.json",
		"--database", dbFile, "--from", "2026-11", "--to", "2026-11", "--csv", csvFile)
	if code != 0 || !strings.Contains(out, "routningskonfiguration") || !strings.Contains(out, "beslut/s") {
		t.Fatalf("routing: exit %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(csvFile)
	if err != nil || !strings.HasPrefix(string(b), "case_id,decision_id,month,household,") {
		t.Fatalf("CSV: %v %q", err, b)
	}
	code, out, errs = runCmd(t, "", "whatif", "--candidate-municipal", "../../examples/whatif/0821-bostad+10.json", "--database", dbFile)
	if code != 0 || !strings.Contains(out, "kommunens riktlinjer") {
		t.Fatalf("municipal: exit %d\n%s\n%s", code, out, errs)
	}
	// Usage errors: no candidate, two, an invalid month, a file that is
	// not a candidate.
	for _, args := range [][]string{
		{"whatif", "--database", dbFile},
		{"whatif", "--candidate-engine", "--candidate-routing", "x.json", "--database", dbFile},
		{"whatif", "--candidate-engine", "--from", "2026-13", "--database", dbFile},
		{"whatif", "--candidate-params", "../../examples/whatif/routing-8000.json", "--database", dbFile},
	} {
		if code, _, errs := runCmd(t, "", args...); code != exitUsage || errs == "" {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
	m = &Main{Config: cfg, NoHTTP: true}
	m.Config.Registers = "none"
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// --stop-shadow ends a shadow run now, audited; not twice, not a
	// what-if run.
	now := m.WhatIf.Cases.Now()
	shadow, err := m.WhatIf.StartShadow(ctx, "staff:adm1", whatif.EngineCandidate(), "0821", now, now.Add(24*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd(t, "", "whatif", "--stop-shadow", shadow, "--database", dbFile); code != 0 || !strings.Contains(out, "är avslutad") {
		t.Fatalf("stop-shadow: exit %d\n%s\n%s", code, out, errs)
	}
	for _, id := range []string{shadow, progress[1], "nope"} {
		if code, _, errs := runCmd(t, "", "whatif", "--stop-shadow", id, "--database", dbFile); code != exitUsage || errs == "" {
			t.Errorf("stop-shadow %s: exit %d %q, want a usage error", id, code, errs)
		}
	}
	var stops int
	if err := m.DB.SQL().QueryRow(`SELECT COUNT(*) FROM audit_trail WHERE action = 'whatif.shadow_stopped' AND actor = 'cli:whatif'`).Scan(&stops); err != nil || stops != 1 {
		t.Errorf("%d audit events of the stop (%v), want 1", stops, err)
	}
	var runs int
	if err := m.DB.SQL().QueryRow(`SELECT COUNT(*) FROM whatif_runs WHERE actor = 'cli:whatif'`).Scan(&runs); err != nil || runs != 3 {
		t.Errorf("%d runs kept (%v), want 3", runs, err)
	}
}
