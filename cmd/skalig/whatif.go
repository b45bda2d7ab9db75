package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/store/whatifdb"
	"skalig/internal/whatif"
)

const whatifUsage = `Användning: skalig whatif (--candidate-params FIL | --candidate-municipal FIL | --candidate-routing FIL | --candidate-engine)
                     [--from ÅÅÅÅ-MM] [--to ÅÅÅÅ-MM] [--municipality KOD]
                     [--household single,couple,with_children,large,first_application]
                     [--outcome approved,partly_approved,rejected]
                     [--csv FIL] [--workers N] [--show N] [--database DSN]
       skalig whatif --resume ID [--csv FIL] [--show N] [--database DSN]
       skalig whatif --stop-shadow ID [--database DSN]

Provkör en ändring mot fattade beslut (docs/whatif.md): räknar om och routar
om varje beslut från sitt underlag med kandidaten, och visar vilka som skulle
få mer, mindre eller gå en annan väg. Inget ärende ändras; körningen sparas
och loggas. Körningen är ett jobb: kommandot kör det och visar hur långt det
har kommit. Avbryts kommandot fortsätter en server (skalig serve eller skalig
worker) körningen, eller --resume ID som väntar på den och visar resultatet.
--stop-shadow ID avslutar en skuggkörning nu, före periodens slut (loggas).`

// runWhatIf runs a what-if run: skalig whatif.
func runWhatIf(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs := flag.NewFlagSet("whatif", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "databas")
	pfile := fs.String("candidate-params", "", "")
	mfile := fs.String("candidate-municipal", "", "")
	rfile := fs.String("candidate-routing", "", "")
	engine := fs.Bool("candidate-engine", false, "")
	var sel whatif.Selection
	fs.StringVar(&sel.From, "from", "", "")
	fs.StringVar(&sel.To, "to", "", "")
	fs.StringVar(&sel.Municipality, "municipality", "", "")
	households := fs.String("household", "", "")
	outcomes := fs.String("outcome", "", "")
	csvFile := fs.String("csv", "", "")
	workers := fs.Int("workers", 0, "")
	show := fs.Int("show", 50, "")
	resume := fs.String("resume", "", "")
	stop := fs.String("stop-shadow", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return usageErr("%s", whatifUsage)
	}
	n := 0
	for _, set := range []bool{*pfile != "", *mfile != "", *rfile != "", *engine} {
		if set {
			n++
		}
	}
	if *stop != "" {
		if n > 0 || *resume != "" {
			return usageErr("%s", whatifUsage)
		}
		return stopShadow(ctx, cfg, *stop, stdout)
	}
	if *resume != "" && n == 0 {
		cfg.Workers, cfg.Registers = 0, "none"
		m := &Main{Config: cfg, NoHTTP: true}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		m.WhatIf.Workers = *workers
		return showRun(ctx, m, *resume, *show, *csvFile, stdout, stderr)
	}
	if n != 1 {
		return usageErr("Ange en kandidat.\n\n%s", whatifUsage)
	}
	if *households != "" {
		sel.HouseholdTypes = strings.Split(*households, ",")
	}
	if *outcomes != "" {
		for _, o := range strings.Split(*outcomes, ",") {
			sel.Outcomes = append(sel.Outcomes, skalig.Outcome(o))
		}
	}
	if err := sel.Validate(); err != nil {
		return usageErr("%s", skalig.ErrorMessage(err)+fieldMessages(err))
	}
	var cand *whatif.Candidate
	var err error
	read := func(name string, mk func(string, []byte) (*whatif.Candidate, error)) {
		b, rerr := os.ReadFile(name)
		if rerr != nil {
			err = usageErr("Kan inte läsa kandidaten: %v", rerr)
			return
		}
		if cand, err = mk(name, b); err != nil {
			err = usageErr("%s", skalig.ErrorMessage(err)+fieldMessages(err))
		}
	}
	switch {
	case *pfile != "":
		read(*pfile, whatif.ParamsCandidate)
	case *mfile != "":
		read(*mfile, whatif.MunicipalCandidate)
	case *rfile != "":
		read(*rfile, whatif.RoutingCandidate)
	default:
		cand = whatif.EngineCandidate()
	}
	if err != nil {
		return err
	}
	cfg.Workers, cfg.Registers = 0, "none"
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	m.WhatIf.Workers = *workers
	id, err := m.WhatIf.Start(ctx, "cli:whatif", cand, sel, 0)
	if err != nil {
		return err
	}
	return showRun(ctx, m, id, *show, *csvFile, stdout, stderr)
}

// stopShadow ends the shadow run id now (whatif.Runner.StopShadow), for
// the command line's actor.
func stopShadow(ctx context.Context, cfg config.Config, id string, stdout io.Writer) error {
	cfg.Workers, cfg.Registers = 0, "none"
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	if err := m.WhatIf.StopShadow(ctx, "cli:whatif", id); err != nil {
		if c := skalig.ErrorCode(err); c == skalig.ENOTFOUND || c == skalig.EINVALID {
			return usageErr("%s", skalig.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(stdout, "Skuggkörningen %s är avslutad: beslut som fattas från och med nu jämförs inte.\n", id)
	return nil
}

// showRun waits for the run id (waitForRun) and writes its result, and
// its changed cases as CSV to csvFile when set.
func showRun(ctx context.Context, m *Main, id string, show int, csvFile string, stdout, stderr io.Writer) error {
	if _, err := m.WhatIf.Progress(ctx, id); err != nil {
		return usageErr("%s", skalig.ErrorMessage(err))
	}
	if err := waitForRun(ctx, m, id, stderr); err != nil {
		return err
	}
	res, err := whatif.Load(ctx, m.WhatIf.Cases, id)
	if err != nil {
		return err
	}
	if res.Progress.Status == whatifdb.StatusFailed {
		return fmt.Errorf("provkörning %s misslyckades: %s", id, res.Progress.Error)
	}
	whatif.WriteText(stdout, res, show)
	fmt.Fprintf(stdout, "\n%d beslut på %.2f s (%.0f beslut/s)\n", res.Totals.Cases, res.Finished.Sub(res.StartedAt).Seconds(), res.DecisionsPerSecond)
	if csvFile != "" {
		f, err := os.Create(csvFile)
		if err != nil {
			return err
		}
		if err := whatif.WriteCSV(f, res); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "De ändrade ärendena är skrivna till %s.\n", csvFile)
	}
	return nil
}

// waitForRun runs the what-if jobs in this process until the run id is
// done or failed (a server's workers on the same database may take steps
// too), writing a progress line to w as it goes. The run is durable: if
// this command is stopped, a server's workers (or the command run again
// with --resume ID) finish it.
func waitForRun(ctx context.Context, m *Main, id string, w io.Writer) error {
	qctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { defer close(stopped); m.whatifJobs.Run(qctx) }()
	defer func() { cancel(); <-stopped }()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	last := ""
	for {
		p, err := m.WhatIf.Progress(ctx, id)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("Provkörning %s: %d av %d beslut (%d %%)", id, p.Done, p.Total, p.Percent)
		if line != last {
			fmt.Fprint(w, "\r"+line)
			last = line
		}
		if p.Finished() {
			fmt.Fprintln(w)
			return nil
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(w)
			return fmt.Errorf("avbruten: provkörning %s fortsätter när arbetarna kör (skalig whatif --resume %s)", id, id)
		case <-t.C:
		}
	}
}

// fieldMessages lists the field messages of an EINVALID error, one a line.
func fieldMessages(err error) string {
	var b strings.Builder
	if e, ok := err.(*skalig.Error); ok {
		for _, f := range e.Fields {
			b.WriteString("\n  " + f.Field + ": " + f.Message)
		}
	}
	return b.String()
}
