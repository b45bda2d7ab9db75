package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

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

Provkör en ändring mot fattade beslut (docs/whatif.md): räknar om och routar
om varje beslut från sitt underlag med kandidaten, och visar vilka som skulle
få mer, mindre eller gå en annan väg. Inget ärende ändras; körningen sparas
och loggas.`

// runWhatIf runs a what-if run: skalig whatif.
func runWhatIf(ctx context.Context, args []string, stdout io.Writer) error {
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
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return usageErr("%s", whatifUsage)
	}
	n := 0
	for _, set := range []bool{*pfile != "", *mfile != "", *rfile != "", *engine} {
		if set {
			n++
		}
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
			err = usageErr("%s", skalig.ErrorMessage(err))
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
	r := &whatif.Runner{Cases: whatifdb.New(m.DB), Live: whatif.Live{Params: m.Params, Municipal: m.MunicipalConfig.Lookup()}, Workers: *workers}
	res, err := r.Run(ctx, "cli:whatif", cand, sel, nil)
	if err != nil {
		return err
	}
	whatif.WriteText(stdout, res, *show)
	fmt.Fprintf(stdout, "\n%d beslut på %.2f s (%.0f beslut/s)\n", res.Totals.Cases, res.Finished.Sub(res.StartedAt).Seconds(), res.DecisionsPerSecond)
	if *csvFile != "" {
		f, err := os.Create(*csvFile)
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
		fmt.Fprintf(stdout, "De ändrade ärendena är skrivna till %s.\n", *csvFile)
	}
	return nil
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
