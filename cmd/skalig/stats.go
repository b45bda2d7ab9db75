package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"skalig"
	"skalig/internal/boardreport"
	"skalig/internal/config"
	"skalig/internal/municipal"
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
		return &exitError{Code: exitFailure, Msg: "kan inte öppna databasen: " + err.Error()}
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
// skalig report delegation --from ÅÅÅÅ-MM --to ÅÅÅÅ-MM [--csv | --pdf]
// [--out FIL]. Text and CSV go to standard output unless --out names a
// file; the PDF needs --out, and the command prints the path it wrote.
func runReport(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig report delegation [--database DSN] [--municipality KOD] --from ÅÅÅÅ-MM --to ÅÅÅÅ-MM [--csv | --pdf --out FIL] [--out FIL]"
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
	asPDF := fs.Bool("pdf", false, "PDF")
	out := fs.String("out", "", "fil")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 || (*asCSV && *asPDF) || (*asPDF && *out == "") {
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
		return &exitError{Code: exitFailure, Msg: "kan inte öppna databasen: " + err.Error()}
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
	reviews, err := statsdb.New(db).PeriodReviews(ctx, code, f, t)
	if err != nil {
		return err
	}
	r.AddReviews(reviews)
	var body bytes.Buffer
	switch {
	case *asPDF:
		opts := boardreport.Options{At: time.Now()}
		if ms, err := municipal.Default(); err == nil {
			if m, err := ms.Get(code); err == nil {
				opts.Municipality = m.Name
				if m.Contact != nil {
					opts.Board = m.Contact.Authority
				}
			}
		}
		b, err := boardreport.PDF(r, opts)
		if err != nil {
			return err
		}
		body.Write(b)
	case *asCSV:
		err = r.WriteCSV(&body)
	default:
		err = r.WriteText(&body)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(body.Bytes())
		return err
	}
	if err := os.WriteFile(*out, body.Bytes(), 0o644); err != nil {
		return &exitError{Code: exitFailure, Msg: "kan inte skriva rapporten: " + err.Error()}
	}
	fmt.Fprintln(stdout, *out)
	return nil
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
	return &exitError{Code: code, Msg: b.String()}
}
