package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"strings"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/stats"
	"skalig/internal/store"
	"skalig/internal/store/statsdb"
)

// runStats prints the follow-up figures of a municipality's month:
// skalig stats --municipality 0821 --month 2026-11 [--csv].
func runStats(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig stats [--database DSN] [--municipality KOD] --month ÅÅÅÅ-MM [--csv]"
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "databas")
	mun := fs.String("municipality", cfg.Municipality, "kommunkod")
	month := fs.String("month", "", "månad ÅÅÅÅ-MM")
	asCSV := fs.Bool("csv", false, "CSV")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return usageErr(use)
	}
	code, err := stats.ParseMunicipality("municipality", *mun)
	if err != nil {
		return inputErr(err)
	}
	m, err := stats.ParseMonth("month", *month)
	if err != nil {
		return inputErr(err)
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return &exitError{code: exitFailure, msg: "kan inte öppna databasen: " + err.Error()}
	}
	defer db.Close()
	rows, err := statsdb.New(db).MonthCases(ctx, code, m)
	if err != nil {
		return err
	}
	f, err := stats.Month(code, m, rows)
	if err != nil {
		return inputErr(err)
	}
	if *asCSV {
		return f.WriteCSV(stdout)
	}
	return f.WriteText(stdout)
}

// runReport prints the board's report of delegated decisions:
// skalig report delegation --from ÅÅÅÅ-MM --to ÅÅÅÅ-MM [--csv].
func runReport(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig report delegation [--database DSN] [--municipality KOD] --from ÅÅÅÅ-MM --to ÅÅÅÅ-MM [--csv]"
	if len(args) == 0 || args[0] != "delegation" {
		return usageErr(use)
	}
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "databas")
	mun := fs.String("municipality", cfg.Municipality, "kommunkod")
	from := fs.String("from", "", "första månad ÅÅÅÅ-MM")
	to := fs.String("to", "", "sista månad ÅÅÅÅ-MM")
	asCSV := fs.Bool("csv", false, "CSV")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		return usageErr(use)
	}
	code, err := stats.ParseMunicipality("municipality", *mun)
	if err != nil {
		return inputErr(err)
	}
	f, t, err := stats.ParsePeriod(*from, *to)
	if err != nil {
		return inputErr(err)
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return &exitError{code: exitFailure, msg: "kan inte öppna databasen: " + err.Error()}
	}
	defer db.Close()
	rows, err := statsdb.New(db).PeriodCases(ctx, code, f, t)
	if err != nil {
		return err
	}
	r, err := stats.Delegation(code, f, t, rows)
	if err != nil {
		return inputErr(err)
	}
	if *asCSV {
		return r.WriteCSV(stdout)
	}
	return r.WriteText(stdout)
}

// inputErr turns a *skalig.Error about the command's input into a usage
// error whose message names the flag: "Månaden är inte giltig. --month:
// Ange månaden som ÅÅÅÅ-MM, till exempel 2026-11." ENOTFOUND (no data)
// exits with failure, not usage.
func inputErr(err error) error {
	var se *skalig.Error
	if !errors.As(err, &se) {
		return err
	}
	var b strings.Builder
	b.WriteString(se.Message)
	for _, f := range se.Fields {
		b.WriteString(" --" + f.Field + ": " + f.Message)
	}
	code := exitUsage
	if se.Code != skalig.EINVALID {
		code = exitFailure
	}
	return &exitError{code: code, msg: b.String()}
}
