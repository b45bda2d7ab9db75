package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skalig/bench/internal/harness"
	"skalig/internal/demo"
)

// TestGracefulShutdown stops real processes with SIGTERM while their jobs
// wait for registers that take a minute to answer: skalig serve, then
// skalig worker. Each must log that it shuts down, exit 0 within the grace
// period and a little, and hand its running jobs back at once: the next
// process claims them although the lease (one minute) has not run out,
// and a fast worker then decides every case. SQLite, and PostgreSQL with
// SKALIG_TEST_PG set.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	dbs := []string{"sqlite"}
	if pg := os.Getenv("SKALIG_TEST_PG"); pg != "" {
		dbs = append(dbs, pg)
	}
	for i, spec := range dbs {
		name := "SQLite"
		if spec != "sqlite" {
			name = "PostgreSQL"
		}
		t.Run(name, func(t *testing.T) { testGracefulShutdown(t, spec, i) })
	}
}

func testGracefulShutdown(t *testing.T, spec string, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	db, err := harness.FreshDatabase(ctx, spec, dir, "shutdown")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop(context.Background())
	if out, err := harness.Run(ctx, testBin, nil, "migrate", "--database", db.DSN); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	sdb, err := db.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	token := harness.Token()
	slow := []string{"SKALIG_REGISTERS=sim", "SKALIG_SIM_SEED=1", "SKALIG_JOB_LEASE=1m", "SKALIG_API_TOKENS=t@*=" + token,
		"SKALIG_SIM_LATENCY=all=60s", "SKALIG_REGISTER_DEADLINE=10m", "SKALIG_DB_CONNS=8"}
	addr := "127.0.0.1:0"
	if p := basePort(t); p != 0 {
		addr = fmt.Sprintf("127.0.0.1:%d", p+6+n)
	}
	var procs []*harness.Server
	defer func() {
		for _, p := range procs {
			if !p.Exited() {
				p.Kill()
			}
		}
	}()

	logPath := filepath.Join(dir, "serve.log")
	srv, err := harness.StartAt(ctx, testBin, db.DSN, addr, 4, slow, logPath)
	if err != nil {
		t.Fatal(err)
	}
	procs = append(procs, srv)
	client := harness.NewClient(token)
	client.SetURL(srv.URL)
	month, _ := harness.DefaultMonth(time.Now())
	const apps = 3
	for _, h := range demo.GenerateScenario(1, "0821", month, demo.Plain, apps) {
		if _, _, err := client.Submit(ctx, h.App.IdempotencyKey, harness.Request(h.App), 50*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	running := func() (n int) {
		t.Helper()
		if err := sdb.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE state = 'running'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitRunning := func(who string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); running() < apps; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d jobs running after 20 s", who, running(), apps)
			}
		}
	}
	stop := func(who string, p *harness.Server, logPath string) {
		t.Helper()
		start := time.Now()
		if err := p.Stop(); err != nil {
			t.Fatalf("%s on SIGTERM: %v", who, err)
		}
		if took := time.Since(start); took > 20*time.Second {
			t.Errorf("%s took %s to stop (grace 5 s)", who, took)
		}
		b, _ := os.ReadFile(logPath)
		if !strings.Contains(string(b), `msg="shutting down`) || !strings.Contains(string(b), `msg="job queue stopped" handed_back=`) {
			t.Errorf("%s did not log its shutdown:\n%s", who, b)
		}
		if n := running(); n != 0 {
			t.Errorf("%s left %d jobs leased to it", who, n)
		}
	}
	waitRunning("serve")
	stop("serve", srv, logPath)

	// A worker claims the handed-back jobs at once, long before their lease
	// would have run out; it too hands them back on SIGTERM.
	wlog := filepath.Join(dir, "worker.log")
	w, err := harness.StartWorker(ctx, testBin, db.DSN, 4, slow, wlog)
	if err != nil {
		t.Fatal(err)
	}
	procs = append(procs, w)
	waitRunning("worker")
	stop("worker", w, wlog)

	// A worker with answering registers decides the cases.
	fast := append(append([]string(nil), slow...), "SKALIG_SIM_LATENCY=")
	w2, err := harness.StartWorker(ctx, testBin, db.DSN, 4, fast, filepath.Join(dir, "worker2.log"))
	if err != nil {
		t.Fatal(err)
	}
	procs = append(procs, w2)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var left int
		sdb.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs`).Scan(&left)
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs left 30 s after a working worker started", left)
		}
	}
	var stuck int
	if err := sdb.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE state IN ('submitted', 'fetching')`).Scan(&stuck); err != nil || stuck != 0 {
		t.Fatalf("%d cases not past fetching (%v)", stuck, err)
	}
	if err := w2.Stop(); err != nil {
		t.Fatalf("worker 2 on SIGTERM: %v", err)
	}
}
