package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/municipal"
	"skalig/internal/whatif"
)

const proposalUsage = `Användning:
  skalig proposals list --municipality KOD [--database DSN]
  skalig proposals propose --municipality KOD --kind routing|guidelines --file FIL --version NAMN
                          --from ÅÅÅÅ-MM --reason TEXT --by ANVÄNDARE [--database DSN]
  skalig proposals try ID --by ANVÄNDARE [--database DSN]
  skalig proposals put-in-force ID --run PROVKÖRNING --by ANVÄNDARE [--database DSN]

En ändring av routning eller riktlinjer föreslås av en person, provkörs mot
fattade beslut (try: en provkörning som visar vem som skulle få mer, mindre
eller gå en annan väg) och sätts i kraft av en annan person, tidigast från den
första i nästa månad, med provkörningen bifogad (docs/whatif.md). Samma regel
gäller på administrationssidorna.`

// runProposal runs skalig proposals.
func runProposal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr("%s", proposalUsage)
	}
	cmd := args[0]
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs := flag.NewFlagSet("proposals", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "")
	var mun, kind, file, version, from, reason, by, run string
	fs.StringVar(&mun, "municipality", "", "")
	fs.StringVar(&kind, "kind", "", "")
	fs.StringVar(&file, "file", "", "")
	fs.StringVar(&version, "version", "", "")
	fs.StringVar(&from, "from", "", "")
	fs.StringVar(&reason, "reason", "", "")
	fs.StringVar(&by, "by", "", "")
	fs.StringVar(&run, "run", "", "")
	flagArgs, pos := splitFlags(args[1:], "database", "municipality", "kind", "file", "version", "from", "reason", "by", "run")
	if err := fs.Parse(flagArgs); err != nil {
		return usageErr("%s", proposalUsage)
	}
	pos = append(pos, fs.Args()...)
	switch {
	case cmd == "list" && mun != "" && len(pos) == 0:
	case cmd == "propose" && mun != "" && kind != "" && file != "" && by != "" && len(pos) == 0:
	case (cmd == "try" || cmd == "put-in-force") && by != "" && len(pos) == 1:
	default:
		return usageErr("%s", proposalUsage)
	}
	cfg.Workers, cfg.Registers = 0, "none"
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	mc := m.MunicipalConfig
	switch cmd {
	case "list":
		ps, err := mc.Proposals(ctx, mun)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSLAG\tVERSION\tFRÅN\tFÖRESLAGEN AV\tSTATUS\tPROVKÖRNING\tI KRAFT AV")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Kind, p.Version, p.From, p.Author, p.Status, orDash(p.RunID), orDash(p.PutBy))
		}
		return tw.Flush()
	case "propose":
		body, err := os.ReadFile(file)
		if err != nil {
			return usageErr("Kan inte läsa filen: %v", err)
		}
		fm, ok := skalig.ParseMonth(from)
		if !ok {
			return usageErr("Ange --from som ÅÅÅÅ-MM.")
		}
		v := &municipal.Change{Municipality: mun, Kind: kind, Version: version, From: fm, Body: body, Reason: reason, Author: by}
		if err := mc.Propose(ctx, v); err != nil {
			return usageErr("%s", skalig.ErrorMessage(err)+fieldMessages(err))
		}
		fmt.Fprintf(stdout, "Förslag %s sparat. Provkör det: skalig proposals try %s --by %s\n", v.ID, v.ID, by)
		return nil
	case "try":
		p, err := mc.Proposal(ctx, pos[0])
		if err != nil {
			return usageErr("%s", skalig.ErrorMessage(err))
		}
		k, name, data, err := mc.Candidate(ctx, p)
		if err != nil {
			return err
		}
		cand, err := whatif.NewCandidate(whatif.Kind(k), name, data)
		if err != nil {
			return err
		}
		id, err := m.WhatIf.Start(ctx, "staff:"+by, cand, whatif.Selection{Municipality: p.Municipality}, 0)
		if err != nil {
			return err
		}
		if err := showRun(ctx, m, id, 20, "", stdout, stderr); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nEn annan person sätter förslaget i kraft: skalig proposals put-in-force %s --run %s --by ANVÄNDARE\n", p.ID, id)
		return nil
	}
	p, err := mc.PutInForce(ctx, pos[0], by, run)
	if err != nil {
		msg := skalig.ErrorMessage(err) + fieldMessages(err)
		if c := skalig.ErrorCode(err); c == skalig.EINVALID || c == skalig.EFORBIDDEN || c == skalig.ECONFLICT || c == skalig.ENOTFOUND {
			return usageErr("%s", msg)
		}
		return err
	}
	fmt.Fprintf(stdout, "%s %s gäller från %s, satt i kraft av %s med provkörning %s.\n", strings.ToUpper(p.Kind[:1])+p.Kind[1:], p.Version, p.From, by, run)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
