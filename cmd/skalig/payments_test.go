package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
	"skalig/internal/store/statsdb"
)

// TestPayments runs the workers with the scheduled payment run, then
// answers the run's file with skalig payments simulate-bank and imports
// the answer with skalig payments import, as an operator would.
func TestPayments(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Addr, cfg.LogLevel, cfg.Workers, cfg.Registers = "127.0.0.1:0", "warn", 4, "sim"
	cfg.Database = filepath.Join(dir, "skalig.db")
	cfg.PaymentDir = filepath.Join(dir, "ut")
	if code, _, errs := runCmd(t, "", "migrate", "--database", cfg.Database); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	t.Setenv("SKALIG_DATABASE", cfg.Database)
	if code, out, errs := runCmd(t, "", "payments", "run", "--out", filepath.Join(dir, "x")); code != 0 || !strings.Contains(out, "Inga utbetalningar") {
		t.Errorf("payments run on an empty database: exit %d %q %q", code, out, errs)
	}
	m := &Main{Config: cfg, NoHTTP: true, PaymentEvery: 200 * time.Millisecond}
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Serve(sctx) }()
	for _, h := range demo.Generate(1, "0821", skalig.MonthOf(2026, 11), 16) {
		if _, _, err := m.Workflow.Submit(ctx, h.App); err != nil {
			t.Fatal(err)
		}
	}
	var runs []*paymentdb.PaymentRun
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if runs, err = paymentdb.New(m.Cases).PaymentRuns(ctx, false, 10); err != nil {
			t.Fatal(err)
		}
		if len(runs) > 0 && !runs[0].ExportedAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no payment run after 60 s")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r := runs[len(runs)-1]
	if _, err := os.Stat(filepath.Join(cfg.PaymentDir, r.MessageID+".xml")); err != nil {
		t.Fatalf("the scheduled run's file: %v", err)
	}
	code, out, errs := runCmd(t, "", "payments", "simulate-bank", r.ID, "--out", filepath.Join(dir, "in"))
	if code != 0 {
		t.Fatalf("simulate-bank: exit %d %q", code, errs)
	}
	answer := strings.TrimSpace(out)
	code, out, errs = runCmd(t, "", "payments", "import", answer)
	if code != 0 || !strings.Contains(out, "utbetalda") {
		t.Fatalf("import: exit %d %q %q", code, out, errs)
	}
	code, _, errs = runCmd(t, "", "payments", "import", answer)
	if code != 1 || !strings.Contains(errs, "redan inläst") {
		t.Errorf("second import: exit %d %q, want 1 and a message that the file is read", code, errs)
	}
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn>"), 0o600)
	if code, _, errs := runCmd(t, "", "payments", "import", bad); code != 1 || !strings.Contains(errs, "inte giltig XML") {
		t.Errorf("malformed file: exit %d %q", code, errs)
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := statsdb.New(db).CountByState(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if counts[skalig.StatePaid] != r.Count || r.Count == 0 {
		t.Errorf("states %v, want the run's %d cases paid", counts, r.Count)
	}
	if code, out, _ := runCmd(t, "", "payments", "runs"); code != 0 || !strings.Contains(out, r.MessageID) {
		t.Errorf("payments runs: %q", out)
	}
	// The statistics count what the bank paid out from its answer, beside
	// the payment orders.
	code, out, errs = runCmd(t, "", "stats", "--municipality", "0821", "--month", "2026-11", "--csv")
	if code != 0 {
		t.Fatalf("stats: exit %d %q", code, errs)
	}
	for _, want := range []string{
		"0821,2026-11,all,payments.executed," + strconv.Itoa(r.Count) + "\n",
		"0821,2026-11,all,executed_kr," + r.Total.String() + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats --csv lacks %q:\n%s", want, out)
		}
	}
}
