package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCrash is the short version of the crash test that CI runs: 150
// applications and two SIGKILLs on SQLite, and with SKALIG_TEST_PG set on
// PostgreSQL too (in a schema of its own). The full run is
// `go run ./bench/crash -n 1000 -kills 5 [-pg URL]`.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	dbs := []string{"sqlite"}
	if pg := os.Getenv("SKALIG_TEST_PG"); pg != "" {
		dbs = append(dbs, pg)
	}
	for _, db := range dbs {
		name := "SQLite"
		if db != "sqlite" {
			name = "PostgreSQL"
		}
		t.Run(name, func(t *testing.T) {
			cfg := Defaults()
			cfg.N, cfg.Kills, cfg.DB, cfg.Dir = 150, 2, db, t.TempDir()
			cfg.Rate = 100
			cfg.KillMin, cfg.KillMax = 300*time.Millisecond, 1200*time.Millisecond
			cfg.Settle = 90 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
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
				t.Errorf("%d problems; see the report above (serve.log in %s)", len(rep.Problems), cfg.Dir)
			}
			if rep.Acked != cfg.N {
				t.Errorf("Acked=%d, want %d", rep.Acked, cfg.N)
			}
			if len(rep.Kills) != cfg.Kills {
				t.Errorf("%d kills, want %d", len(rep.Kills), cfg.Kills)
			}
			if rep.Decisions == 0 {
				t.Errorf("no decisions: the run proved nothing")
			}
		})
	}
}
