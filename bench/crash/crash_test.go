package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"skalig/bench/internal/harness"
)

// testBin is the skalig binary the tests run, built once.
var testBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(func() int {
		if testing.Short() {
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "skalig-crash-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if testBin, err = harness.Build(context.Background(), dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}())
}

// basePort is SKALIG_BENCH_PORT: when set, the tests' serve processes
// listen on ports from it (a shared machine gives each user a range);
// otherwise on free ports.
func basePort(t *testing.T) int {
	v := os.Getenv("SKALIG_BENCH_PORT")
	if v == "" {
		return 0
	}
	p, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("SKALIG_BENCH_PORT=%q", v)
	}
	return p
}

// runCrash runs cfg and checks the report.
func runCrash(t *testing.T, cfg Config) *Report {
	t.Helper()
	cfg.Bin = testBin
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var log strings.Builder
	rep, err := Run(ctx, cfg, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	var out strings.Builder
	rep.Print(&out)
	t.Logf("%s%s", log.String(), out.String())
	if len(rep.Problems) > 0 {
		t.Errorf("%d problems; see the report above (logs in %s)", len(rep.Problems), cfg.Dir)
	}
	if rep.Acked != cfg.N {
		t.Errorf("Acked=%d, want %d", rep.Acked, cfg.N)
	}
	if len(rep.Kills) != cfg.Kills || rep.KillsInWork != cfg.Kills {
		t.Errorf("%d kills, %d of them during work; want %d", len(rep.Kills), rep.KillsInWork, cfg.Kills)
	}
	if rep.Decisions == 0 {
		t.Errorf("no decisions: the run proved nothing")
	}
	return rep
}

// TestCrash is the short version of the crash test that CI runs: 150
// applications and two SIGKILLs of skalig serve on SQLite, and with
// SKALIG_TEST_PG set on PostgreSQL too (in a schema of its own), plus the
// several-processes run: two serve and two worker processes on one
// PostgreSQL database, 300 applications, five SIGKILLs of random processes.
// The full runs are `go run ./bench/crash -n 1000 -kills 5 [-pg URL]` and
// `go run ./bench/crash -multi -n 2000 -kills 8 -pg URL`.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	port := basePort(t)
	dbs := []string{"sqlite"}
	if pg := os.Getenv("SKALIG_TEST_PG"); pg != "" {
		dbs = append(dbs, pg)
	}
	for i, db := range dbs {
		name := "SQLite"
		if db != "sqlite" {
			name = "PostgreSQL"
		}
		t.Run(name, func(t *testing.T) {
			cfg := Defaults()
			cfg.N, cfg.Kills, cfg.DB, cfg.Dir = 150, 2, db, t.TempDir()
			cfg.Rate = 100
			cfg.Settle = 90 * time.Second
			if port != 0 {
				cfg.Port = port + i
			}
			runCrash(t, cfg)
		})
	}
}

// TestCrashMulti is the short version of the several-processes crash test
// that CI runs: two serve and two worker processes on one PostgreSQL
// database (SKALIG_TEST_PG), 300 applications, five SIGKILLs of processes
// chosen at random, each landing while work is in flight. The full run is
// `go run ./bench/crash -multi -n 2000 -kills 8 -pg URL`.
func TestCrashMulti(t *testing.T) {
	pg := os.Getenv("SKALIG_TEST_PG")
	if testing.Short() || pg == "" {
		t.Skip("needs SKALIG_TEST_PG; builds and kills the real binary")
	}
	cfg := Defaults()
	cfg.N, cfg.Kills, cfg.DB, cfg.Dir = 300, 5, pg, t.TempDir()
	cfg.Multi, cfg.DBConns, cfg.Workers = true, 12, 16
	cfg.Rate = 100
	cfg.Settle = 90 * time.Second
	if p := basePort(t); p != 0 {
		cfg.Port = p + 2
	}
	rep := runCrash(t, cfg)
	if len(rep.Processes) != 4 {
		t.Errorf("processes %v, want two serve and two worker", rep.Processes)
	}
	if rep.MaxDecisions != 1 || rep.MaxPayments != 1 {
		t.Errorf("at most %d decisions and %d payments in one case, want 1 and 1", rep.MaxDecisions, rep.MaxPayments)
	}
}

// A run whose kills come only when the work is done proves nothing about
// crashes under load, and must fail: here the first kill may come only
// 8 s after the start, long after ten applications were decided.
func TestCrashFailsWhenKillsMissTheWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	cfg := Defaults()
	cfg.N, cfg.Kills, cfg.Dir, cfg.Bin = 10, 2, t.TempDir(), testBin
	cfg.KillMin = 8 * time.Second
	cfg.Settle = 60 * time.Second
	if p := basePort(t); p != 0 {
		cfg.Port = p + 4
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var log strings.Builder
	rep, err := Run(ctx, cfg, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	var out strings.Builder
	rep.Print(&out)
	if rep.KillsInWork != 0 || len(rep.Problems) != 1 || rep.Problems[0] != "only 0 of 2 kills landed while work was in flight" ||
		!strings.Contains(out.String(), "FAIL") || !strings.Contains(out.String(), "kills: 2 asked, 0 landed while work was in flight") {
		t.Errorf("want a failure naming 0 of 2 kills in work; got:\n%s%s", log.String(), out.String())
	}
}
