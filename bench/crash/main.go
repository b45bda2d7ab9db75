// Command crash is Skälig's whole-program crash test. It builds the real
// skalig binary, migrates a fresh database (a SQLite file, or a schema of
// its own in a PostgreSQL database), starts `skalig serve` with the register
// simulator, submits applications concurrently over the JSON API (each one
// retried with the same Idempotency-Key until the API answers 200 or 201),
// kills the process with SIGKILL while work is in flight and restarts it
// each time, waits until the job queue has drained, and then checks:
//
//   - every acknowledged application exists, as the case the API named;
//   - every case rests decided (paid or closed, with one decision, one
//     notification and, when paid, one payment of the decided amount;
//     or notified with its one payment ordered, waiting for the bank's
//     answer, which this test does not send) or in a queue for a person
//     (awaiting_caseworker, awaiting_applicant, sampled) with no decision;
//     none is left in submitted, fetching, calculated, auto_decided or
//     decided, or notified without a payment;
//   - no decision, payment, calculation, routing record or register answer
//     was committed twice, and no job is left or parked;
//   - each case's audit trail is one path of transitions from submitted to
//     its state, with one submission event;
//   - `skalig audit verify` passes and `skalig decision replay --all`
//     finds every decision identical.
//
// Usage:
//
//	go run ./bench/crash -n 1000 -kills 5
//	go run ./bench/crash -n 1000 -kills 5 -pg 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./bench/crash -multi -n 2000 -kills 8 -pg 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// Every kill must land while work is in flight (submissions still being
// answered, or jobs queued): the kills follow the progress of the
// submissions, and a run in which fewer than -kills landed so fails.
// With -multi it runs two `skalig serve` and two `skalig worker` processes
// on one PostgreSQL database, spreads the submissions over the two serve
// processes and kills one of the four at random each time; it also checks
// that no job stays leased past its lease (a dead process's jobs are taken
// over) and that every process stops with exit status 0 on SIGTERM.
//
// It exits 0 when every check passed, 1 when one failed, 2 on bad flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg := Defaults()
	flag.IntVar(&cfg.N, "n", cfg.N, "applications to submit")
	flag.IntVar(&cfg.Kills, "kills", cfg.Kills, "SIGKILLs (each followed by a restart)")
	pg := flag.String("pg", "", "run on PostgreSQL: a postgres:// URL of an existing database, in which a fresh schema is made (default: a SQLite file)")
	flag.IntVar(&cfg.Concurrency, "c", cfg.Concurrency, "concurrent submitters")
	flag.Float64Var(&cfg.Rate, "rate", cfg.Rate, "submissions started per second (0: as fast as the submitters go)")
	flag.IntVar(&cfg.Workers, "workers", cfg.Workers, "skalig serve --workers")
	flag.DurationVar(&cfg.Lease, "lease", cfg.Lease, "SKALIG_JOB_LEASE: how soon a killed process's jobs are taken over (at least 5s)")
	flag.StringVar(&cfg.Latency, "latency", cfg.Latency, "SKALIG_SIM_LATENCY: the register simulator's answer times")
	flag.StringVar(&cfg.Faults, "faults", cfg.Faults, "SKALIG_SIM_FAULTS: the register simulator's fault rates, e.g. all=0.05")
	flag.DurationVar(&cfg.KillMin, "kill-min", cfg.KillMin, "shortest time from a (re)start to the next kill")
	flag.BoolVar(&cfg.Multi, "multi", false, "two skalig serve and two skalig worker processes on one PostgreSQL database (needs -pg); each kill hits one at random")
	flag.IntVar(&cfg.DBConns, "db-conns", 0, "SKALIG_DB_CONNS of each process (default: 16 with -multi, else the program's default, 32)")
	flag.IntVar(&cfg.Port, "port", 0, "first port of the serve processes, kept across restarts (0: free ports)")
	flag.StringVar(&cfg.Month, "month", "", "the month applied for, YYYY-MM (default: this month, or the last month the built-in parameters cover)")
	flag.Uint64Var(&cfg.Seed, "seed", 0, "seed of the kill moments and the processes killed (0: random; the report prints it)")
	flag.DurationVar(&cfg.Settle, "settle", cfg.Settle, "how long the queue may take to drain after the last restart")
	flag.StringVar(&cfg.Dir, "dir", "", "work directory for the binary, the SQLite file and serve.log (default: a temporary one)")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep the work directory and the PostgreSQL schema")
	flag.StringVar(&cfg.Bin, "bin", "", "use this skalig binary instead of building one")
	flag.Parse()
	if flag.NArg() != 0 || cfg.N < 1 || cfg.Kills < 0 || cfg.Concurrency < 1 || cfg.KillMin < 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *pg != "" {
		cfg.DB = *pg
	}
	if cfg.Multi {
		if *pg == "" {
			fmt.Fprintln(os.Stderr, "crash: -multi needs -pg: several processes share one PostgreSQL database")
			os.Exit(2)
		}
		if cfg.DBConns == 0 {
			cfg.DBConns = 16
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := Run(ctx, cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash:", err)
		os.Exit(1)
	}
	rep.Print(os.Stdout)
	if len(rep.Problems) > 0 {
		os.Exit(1)
	}
}
