package main

import (
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"skalig/cmd/skalig/internal/records"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/config"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
	"skalig/internal/store/statsdb"
)

// TestBackupUnderLoad takes a backup while applications are submitted and
// decided, restores it into a new database and checks that every decision
// made before the backup is there, that the audit trail verifies against
// the checkpoints (the backup's and an exported file newer than it), and
// that every decision replays identically.
func TestBackupUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the workflow")
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "audit.key")
	key, err := records.NewAuditKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SKALIG_AUDIT_KEY_FILE", keyFile)
	live := filepath.Join(dir, "live.db")
	if code, out, errs := runCmd(t, "", "migrate", "--database", live); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	cfg := config.Default()
	cfg.FromEnv(func(string) string { return "" })
	cfg.Database, cfg.Registers, cfg.Workers, cfg.LogLevel, cfg.AuditKeyFile = live, "sim", 2, "error", keyFile
	m := &Main{Config: cfg, NoHTTP: true}
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- m.Serve(sctx) }()

	hs := demo.GenerateScenario(cfg.SimSeed, "0821", skalig.DateOf(time.Now()).Month(), demo.Plain, 60)
	var submitted atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the load: submissions throughout
		defer wg.Done()
		for _, h := range hs {
			if _, _, err := m.Workflow.Submit(ctx, h.App); err != nil {
				t.Error(err)
				return
			}
			submitted.Add(1)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	decisions := func() []string {
		var ids []string
		after := ""
		for {
			page, err := m.Cases.DecisionIDs(ctx, after, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				return ids
			}
			ids = append(ids, page...)
			after = page[len(page)-1]
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(decisions()) < 5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if _, _, err := recordsdb.New(m.DB).AuditCheckpoint(ctx, key); err != nil {
		t.Fatal(err)
	}
	before := decisions()
	if len(before) < 5 {
		st, _ := statsdb.New(m.DB).CountByState(ctx, "0821")
		t.Fatalf("only %d decisions after 60 s: %v", len(before), st)
	}
	backup := filepath.Join(dir, "backup.db")
	code, out, errs := runCmd(t, "", "backup", "--database", live, "--out", backup)
	if code != 0 || !strings.Contains(out, "Säkerhetskopia skriven") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}
	underLoad := submitted.Load() < int64(len(hs))
	wg.Wait()
	for time.Now().Before(deadline) {
		var n int
		if err := m.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs`).Scan(&n); err != nil || n == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if !underLoad {
		t.Log("the submissions ended before the backup: not under load this time")
	}
	// A checkpoint file exported after the backup.
	cpFile := filepath.Join(dir, "checkpoints.jsonl")
	if code, out, errs := runCmd(t, "", "audit", "checkpoints", "export", "--database", live, "--out", cpFile); code != 0 {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}

	restored := filepath.Join(dir, "restored.db")
	code, out, errs = runCmd(t, "", "restore", "--from", backup, "--to", restored, "--checkpoints", cpFile)
	if code != 0 || !strings.Contains(out, "Återställd") || strings.Contains(out, "inte kontrollerade") {
		t.Fatalf("restore: %d %q %q", code, out, errs)
	}
	t.Log(out)
	db, err := store.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	cs := store.NewCaseStore(db)
	for _, id := range before {
		if _, err := cs.Decision(ctx, id); err != nil {
			t.Errorf("decision %s made before the backup: %v", id, err)
		}
	}
	cps, err := audit.Checkpoints(ctx, db.SQL())
	if err != nil || len(cps) == 0 {
		t.Fatalf("checkpoints in the backup: %d, %v", len(cps), err)
	}
	if r, err := audit.VerifyTrail(ctx, db.SQL(), key.Public().(ed25519.PublicKey), audit.CheckpointSource{Name: "db", Checkpoints: cps}); err != nil || r.Checkpoints == 0 {
		t.Errorf("verify the restored trail: %+v, %v", r, err)
	}
	db.Close()
	if code, out, errs := runCmd(t, "", "audit", "verify", "--database", restored); code != 0 {
		t.Errorf("audit verify on the restored database: %d %q %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "", "decision", "replay", "--all", "--database", restored)
	if code != 0 || !strings.Contains(out, "0 skiljer sig") {
		t.Errorf("replay on the restored database: %d %q %q", code, out, errs)
	}
}

// TestRestoreRefuses: a damaged backup, a rewritten audit trail, an
// existing target and PostgreSQL are refused with a Swedish message, and
// nothing is created.
func TestRestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	if code, _, errs := runCmd(t, "", "migrate", "--database", live); code != 0 {
		t.Fatal(errs)
	}
	appendEvents(t, live, 400)
	backup := filepath.Join(dir, "backup.db")
	if code, out, errs := runCmd(t, "", "backup", "--database", live, "--out", backup); code != 0 {
		t.Fatalf("backup: %q %q", out, errs)
	}
	if code, _, errs := runCmd(t, "", "backup", "--database", live, "--out", backup); code != exitUsage || !strings.Contains(errs, "finns redan") {
		t.Errorf("backup over a file: %d %q", code, errs)
	}
	good, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	for name, damage := range map[string]func(p string){
		"bytes": func(p string) { // overwrite a page in the middle
			b := append([]byte(nil), good...)
			for i := len(b) / 2; i < len(b)/2+4096 && i < len(b); i++ {
				b[i] = 0x5a
			}
			os.WriteFile(p, b, 0o600)
		},
		"truncated":  func(p string) { os.WriteFile(p, good[:len(good)/3], 0o600) },
		"not sqlite": func(p string) { os.WriteFile(p, []byte("hello, this is no database at all"), 0o600) },
		"audit": func(p string) {
			os.WriteFile(p, good, 0o600)
			rewriteData(t, p, 5)
		},
	} {
		p := filepath.Join(dir, "bad-"+strings.ReplaceAll(name, " ", "-")+".db")
		damage(p)
		to := filepath.Join(dir, "to-"+strings.ReplaceAll(name, " ", "-")+".db")
		code, out, errs := runCmd(t, "", "restore", "--from", p, "--to", to)
		if code == 0 || !strings.Contains(errs, "är skadad och har inte återställts") {
			t.Errorf("%s: exit %d %q %q", name, code, out, errs)
		}
		if _, err := os.Stat(to); !os.IsNotExist(err) {
			t.Errorf("%s: %s was created", name, to)
		}
		if _, err := os.Stat(to + ".restoring"); !os.IsNotExist(err) {
			t.Errorf("%s: the temporary copy was left", name)
		}
	}
	if code, _, errs := runCmd(t, "", "restore", "--from", backup, "--to", live); code != exitUsage || !strings.Contains(errs, "finns redan") {
		t.Errorf("restore over a database: %d %q", code, errs)
	}
	if pg := os.Getenv("SKALIG_TEST_PG"); pg != "" {
		if code, _, errs := runCmd(t, "", "backup", "--database", pg, "--out", filepath.Join(dir, "pg.db")); code != exitUsage || !strings.Contains(errs, "pg_dump") {
			t.Errorf("backup of PostgreSQL: %d %q", code, errs)
		}
	}
}

// rewriteData changes the payload of event seq in the SQLite file p without
// fixing its digest: the chain no longer verifies.
func rewriteData(t *testing.T, p string, seq int64) {
	t.Helper()
	withDB(t, p, func(db *store.DB) {
		if _, err := db.SQL().Exec(`UPDATE audit_events SET data = '{"forged":true}' WHERE seq = $1`, seq); err != nil {
			t.Fatal(err)
		}
	})
}
