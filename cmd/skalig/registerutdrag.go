package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"skalig"
	"skalig/cmd/skalig/internal/cli"
	"skalig/internal/config"
	"skalig/internal/registerutdrag"
	"skalig/internal/store/drafts"
	"skalig/internal/store/recordsdb"
	"skalig/internal/workflow"
)

const registerutdragUsage = `Användning: skalig registerutdrag PERSONNUMMER --by ANVÄNDARE --out FIL [--format pdf|json] [--municipality KOD] [--database DSN]
  registerutdrag (dataskyddsförordningen artikel 15) för en begäran per post: allt Skälig har om personen
  i kommunens ärenden, som PDF (standard) eller JSON. Loggas i granskningsloggen. Se docs/registerutdrag.md.`

// runRegisterutdrag is skalig registerutdrag: the caseworker page's
// extract from the command line (docs/registerutdrag.md). The file is
// never overwritten.
func runRegisterutdrag(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	var pn, out, by, mun string
	format := "pdf"
	err := cli.Args{Usage: registerutdragUsage,
		Values: map[string]*string{"out": &out, "by": &by, "format": &format, "municipality": &mun,
			"database": &cfg.Database},
		Positional: cli.One(&pn),
	}.Parse(args)
	if err != nil {
		return err
	}
	if pn == "" || out == "" || by == "" {
		return usageErr("ange personnumret, --by ANVÄNDARE och --out FIL\n%s", registerutdragUsage)
	}
	person, err := skalig.ParsePersonalNumber(pn, skalig.DateOf(time.Now()))
	if err != nil {
		return usageErr("Personnummer: %s", skalig.ErrorMessage(err))
	}
	if format != "pdf" && format != "json" {
		return usageErr("--format: %q finns inte; välj pdf eller json.", format)
	}
	if _, err := os.Stat(out); err == nil {
		return usageErr("%s finns redan; välj en ny fil (--out).", out)
	}
	if mun == "" {
		mun = cfg.Municipality
	}
	cfg.Workers, cfg.Registers = 0, "none"
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	x, err := registerutdrag.Make(ctx, registerutdrag.Source{Workflow: m.Workflow, Municipal: m.Municipal,
		Drafts: drafts.New(m.DB), Persons: recordsdb.New(m.DB)}, registerutdrag.Request{
		Person: person, Municipalities: []string{mun}, Reader: workflow.Reader{Actor: "cli:" + by, Via: "cli"},
		Channel: registerutdrag.ChannelPost, Format: format})
	if err != nil {
		return letterError(err)
	}
	var body []byte
	if format == "pdf" {
		body, err = x.PDF()
	} else {
		body, err = x.JSON()
	}
	if err != nil {
		return err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte skriva %s: %v", out, err)}
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte skriva %s: %v", out, err)}
	}
	if err := f.Close(); err != nil {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte skriva %s: %v", out, err)}
	}
	fmt.Fprintf(stdout, "Registerutdrag för %s (%d ärenden i kommun %s) skrivet till %s; loggat som cli:%s.\n",
		person.Masked(), len(x.Cases), mun, out, by)
	return nil
}
