package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/jobs"
	"skalig/internal/store/gallringdb"
	"skalig/internal/store/recordsdb"
	"skalig/internal/store/whatifdb"
	"skalig/internal/whatif"
	"skalig/internal/workflow/replay"
)

// runMigrate brings the database schema up to date: skalig migrate.
func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	db, rest, err := openDB(ctx, "migrate", args, "Användning: skalig migrate [--database DSN]")
	if err != nil {
		return err
	}
	defer db.Close()
	if len(rest) != 0 {
		return usageErr("Användning: skalig migrate [--database DSN]")
	}
	before, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if before == latest {
		fmt.Fprintf(stdout, "Schemat är redan aktuellt (version %d) i %s.\n", latest, db)
	} else {
		fmt.Fprintf(stdout, "Schemat uppdaterat från version %d till %d i %s.\n", before, latest, db)
	}
	// Decisions stored before the compact inputs column (migration 00035)
	// get theirs, so that what-if runs read them the fast way.
	n, err := whatifdb.New(db).FillInputs(ctx, 500)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(stdout, "Underlaget för provkörningar skrevs för %d beslut.\n", n)
	}
	return nil
}

// runJobs lists the job queue or retries a parked job: skalig jobs.
func runJobs(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig jobs [--database DSN] [list | retry ID]"
	db, rest, err := openDB(ctx, "jobs", args, use)
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case len(rest) == 0 || (len(rest) == 1 && rest[0] == "list"):
		st, err := jobs.Count(ctx, db.SQL())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-10s %-10s %s\n", "JOBB", "LÄGE", "ANTAL")
		for _, s := range st {
			fmt.Fprintf(stdout, "%-10s %-10s %d\n", s.Kind, s.State, s.Count)
		}
		parked, err := jobs.ListParked(ctx, db.SQL(), 100)
		if err != nil {
			return err
		}
		if len(parked) > 0 {
			fmt.Fprintln(stdout, "\nParkerade jobb (misslyckades upprepade gånger):")
			for _, p := range parked {
				fmt.Fprintf(stdout, "  %d %s ärende %s efter %d försök: %s\n", p.ID, p.Kind, p.CaseID, p.Attempts, p.LastError)
			}
		}
		return nil
	case len(rest) == 2 && rest[0] == "retry":
		id, err := strconv.ParseInt(rest[1], 10, 64)
		if err != nil {
			return usageErr(use)
		}
		if err := jobs.Retry(ctx, db.SQL(), id, time.Now()); err != nil {
			return &exitError{Code: exitFailure, Msg: err.Error()}
		}
		fmt.Fprintf(stdout, "Jobb %d körs igen.\n", id)
		return nil
	}
	return usageErr(use)
}

// runDecision replays decisions from their receipts: skalig decision replay.
func runDecision(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig decision replay [--database DSN] (BESLUTS-ID | --all)"
	if len(args) == 0 || args[0] != "replay" {
		return usageErr(use)
	}
	all := false
	var rest []string
	for _, a := range args[1:] {
		if a == "--all" {
			all = true
		} else {
			rest = append(rest, a)
		}
	}
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs := flag.NewFlagSet("decision", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "databas")
	if err := fs.Parse(rest); err != nil || (all == (fs.NArg() == 1)) || fs.NArg() > 1 {
		return usageErr(use)
	}
	cfg.Workers, cfg.Registers = 0, "none"
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	differ := 0
	show := func(rep *replay.Report) {
		differ++
		fmt.Fprintf(stdout, "Beslut %s (ärende %s): SKILJER SIG\n", rep.DecisionID, rep.CaseID)
		for _, d := range rep.Differences {
			fmt.Fprintf(stdout, "  - %s\n", d)
		}
	}
	var n int
	var err error
	if all {
		// Every decision, streamed a page at a time and replayed on every
		// core (whatif.Replayer); each page's reads logged together.
		// The reads are logged on a goroutine of their own while the next
		// pages are replayed (recordsdb.ReadLog), and what differs is
		// shown once its read is logged.
		rp := &whatif.Replayer{Cases: whatifdb.New(m.DB), Workflow: m.Workflow}
		reads := recordsdb.New(m.DB).NewReadLog(ctx, "cli:replay", "cli", "replay")
		n, err = rp.ReplayAll(ctx, func(reps []*replay.Report) error {
			ids := make([]string, len(reps))
			for i, rep := range reps {
				ids[i] = rep.CaseID
			}
			reads.Log(ids, func() {
				for _, rep := range reps {
					if !rep.Identical {
						show(rep)
					}
				}
			})
			return nil
		})
		if cerr := reads.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	} else {
		id := fs.Arg(0)
		rep, err := m.Workflow.Replay(ctx, id)
		if err != nil {
			return &exitError{Code: exitFailure, Msg: fmt.Sprintf("beslut %s: %s", id, skalig.ErrorMessage(err))}
		}
		if err := m.Cases.LogRead(ctx, "cli:replay", rep.CaseID, "cli", "replay"); err != nil {
			return err
		}
		if rep.Identical {
			fmt.Fprintf(stdout, "Beslut %s (ärende %s): identiskt vid omräkning.\n", id, rep.CaseID)
		} else {
			show(rep)
		}
	}
	if all {
		fmt.Fprintf(stdout, "%d beslut räknades om: %d identiska, %d skiljer sig.\n", n, n-differ, differ)
		if n, err := gallringdb.New(m.DB).GallradeDecisions(ctx); err == nil && n > 0 {
			fmt.Fprintf(stdout, "%d beslut har gallrats (docs/gallring.md) och räknas inte om.\n", n)
		}
	}
	if differ > 0 {
		return &exitError{Code: exitFailure}
	}
	return nil
}
