package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"skalig/cmd/skalig/internal/cli"
	"skalig/cmd/skalig/internal/records"
	"strings"
	"time"

	"skalig"
	"skalig/internal/archive"
	"skalig/internal/config"
	"skalig/internal/gallring"
	"skalig/internal/registerutdrag"
	"skalig/internal/store/drafts"
	"skalig/internal/store/recordsdb"
)

const archiveUsage = `Användning:
  skalig archive export --out KATALOG --by ANVÄNDARE [--on ÅÅÅÅ-MM-DD] [--municipality KOD] [--rules FIL] [--again] [--database DSN]
                                   arkivera forskningsurvalets personakter (fem år efter sista anteckningen)
                                   som ett arkivpaket (METS, E-ARK CSIP / FGS Paketstruktur) i en ny katalog under KATALOG
  skalig archive verify PAKET      läs tillbaka ett arkivpaket och kontrollera varje fil mot METS.xml
Se docs/archive.md.`

// runArchive is skalig archive (docs/archive.md).
func runArchive(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageErr("%s", archiveUsage)
	}
	switch args[0] {
	case "verify":
		if len(args) != 2 || strings.HasPrefix(args[1], "-") {
			return usageErr("%s", archiveUsage)
		}
		p, err := archive.Verify(args[1])
		if err != nil {
			var ae *archive.Error
			if errors.As(err, &ae) {
				return &exitError{Code: exitFailure, Msg: ae.Msg}
			}
			return err
		}
		fmt.Fprintf(stdout, "Arkivpaketet %s stämmer: %d filer med rätt storlek och SHA-256, %d ärenden, kommun %s.\n",
			p.ID, p.Files, len(p.Cases), p.Municipality)
		return nil
	case "export":
	default:
		return usageErr("%s", archiveUsage)
	}
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	var out, by, on, mun, rulesFile string
	again := false
	rest := args[1:]
	err := cli.Args{Usage: archiveUsage,
		Values: map[string]*string{"out": &out, "by": &by, "on": &on, "municipality": &mun, "rules": &rulesFile,
			"database": &cfg.Database},
		Bools: map[string]*bool{"again": &again},
	}.Parse(rest)
	if err != nil {
		return err
	}
	if out == "" || by == "" {
		return usageErr("Ange katalogen (--out) och vem som arkiverar (--by).\n%s", archiveUsage)
	}
	if mun == "" {
		mun = cfg.Municipality
	}
	rules := gallring.Default(mun)
	if rulesFile != "" {
		b, err := os.ReadFile(rulesFile)
		if err != nil {
			return &exitError{Code: exitUsage, Msg: fmt.Sprintf("Kan inte läsa gallringsreglerna (--rules): %v", err)}
		}
		var perr error
		if rules, perr = gallring.ParseRules(b, mun); perr != nil {
			return &exitError{Code: exitUsage, Msg: perr.Error()}
		}
	} else if err := rules.Validate(); err != nil {
		return &exitError{Code: exitUsage, Msg: err.Error()}
	}
	day := skalig.DateOf(time.Now())
	if on != "" {
		d, ok := skalig.ParseDate(on)
		if !ok {
			return usageErr("--on: %q är inget datum; skriv ÅÅÅÅ-MM-DD.", on)
		}
		day = d
	}
	cfg.Workers, cfg.Registers = 0, "none"
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	res, err := archive.Export(ctx, m.DB, registerutdrag.Source{Workflow: m.Workflow, Municipal: m.Municipal,
		Drafts: drafts.New(m.DB), Persons: recordsdb.New(m.DB)},
		archive.Options{Rules: rules, On: day, Dir: out, By: "cli:" + by, Again: again})
	if err != nil {
		var ae *archive.Error
		if errors.As(err, &ae) {
			return &exitError{Code: exitUsage, Msg: ae.Msg}
		}
		return records.GallringErr(err)
	}
	if res.Cases == 0 {
		fmt.Fprintf(stdout, "Inga personakter i forskningsurvalet att arkivera i kommun %s bedömt %s (inga har passerat fem år, eller alla är redan arkiverade utan nya anteckningar).\n", mun, day)
		return nil
	}
	fmt.Fprintf(stdout, "Arkivpaket %s: %d ärenden, %d personer, %d filer.\n  %s\n  METS.xml SHA-256 %s\n"+
		"Kontrollera paketet (skalig archive verify) och lämna det till kommunens e-arkiv.\n",
		res.ID, res.Cases, res.Persons, res.Files, res.Path, res.METSSHA256)
	return nil
}
