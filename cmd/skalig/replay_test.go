package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/config"
	"skalig/internal/demo"
	"skalig/internal/store"
)

// TestReplayAllCommand: skalig decision replay --all replays every
// decision, names the one whose receipt was changed in the database
// (exit 1), and logs a read of every case it replayed before it prints.
func TestReplayAllCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the workflow")
	}
	dir := t.TempDir()
	dbFile := dir + "/replay.db"
	if code, out, errs := runCmd(t, "", "migrate", "--database", dbFile); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	cfg := config.Default()
	cfg.FromEnv(func(string) string { return "" })
	cfg.Database, cfg.Registers, cfg.Workers, cfg.LogLevel = dbFile, "sim", 2, "error"
	m := &Main{Config: cfg, NoHTTP: true}
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- m.Serve(sctx) }()
	for _, h := range demo.GenerateScenario(cfg.SimSeed, "0821", skalig.DateOf(time.Now()).Month(), demo.Plain, 12) {
		if _, _, err := m.Workflow.Submit(ctx, h.App); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for deadline := time.Now().Add(30 * time.Second); len(ids) < 5 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var err error
		if ids, err = m.Cases.DecisionIDs(ctx, "", 1000); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	m.Close()
	if len(ids) < 5 {
		t.Fatalf("only %d decisions", len(ids))
	}

	code, out, errs := runCmd(t, "", "decision", "replay", "--all", "--database", dbFile)
	if code != 0 || !strings.Contains(out, "0 skiljer sig") {
		t.Fatalf("replay: %d %q %q", code, out, errs)
	}
	db, err := store.Open(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	var changedCase string
	if err := db.SQL().QueryRow(`SELECT case_id FROM decisions WHERE id = $1`, ids[2]).Scan(&changedCase); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`UPDATE receipts SET body = REPLACE(body, '"calculated_on":"', '"calculated_on":"1') WHERE hash = (SELECT receipt_hash FROM decisions WHERE id = $1)`, ids[2]); err != nil {
		t.Fatal(err)
	}
	db.Close()

	code, out, errs = runCmd(t, "", "decision", "replay", "--all", "--database", dbFile)
	if code != exitFailure || !strings.Contains(out, "Beslut "+ids[2]+" (ärende "+changedCase+"): SKILJER SIG") ||
		!strings.Contains(out, "1 skiljer sig") {
		t.Fatalf("replay after a receipt was changed: %d %q %q", code, out, errs)
	}
	if n := strings.Count(out, "SKILJER SIG"); n != 1 {
		t.Errorf("%d decisions differ, want 1:\n%s", n, out)
	}
	db, err = store.Open(ctx, dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range ids {
		var caseID string
		if err := db.SQL().QueryRow(`SELECT case_id FROM decisions WHERE id = $1`, id).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		evs, err := audittest.Events(ctx, db.SQL(), caseID)
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		for _, e := range evs {
			if e.Action == store.ActionRead && e.Actor == "cli:replay" {
				reads++
			}
		}
		if reads != 2 {
			t.Errorf("case of decision %s: %d reads by cli:replay, want one a run", id, reads)
		}
	}
	if n, err := audittest.Verify(ctx, db.SQL()); err != nil || n != 0 {
		t.Errorf("audit.Verify = %d, %v", n, err)
	}
}
