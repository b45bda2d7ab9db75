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
)

// runHistory imports earlier months with aid per person from the
// municipality's earlier system: skalig history import --by NAME
// --kommun KOD FILE (docs/history.md).
func runHistory(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig history import [--database DSN] --by NAMN --kommun KOMMUNKOD FIL"
	if len(args) == 0 || args[0] != "import" {
		return usageErr(use)
	}
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "databas")
	by := fs.String("by", "", "vem som läser in filen")
	mun := fs.String("kommun", "", "kommunen vars historik läses in (kommunkod)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
		return usageErr(use)
	}
	name := strings.TrimSpace(*by)
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\n:") {
		return usageErr("--by: ange vem som läser in historiken (ett användarnamn utan mellanslag)\n%s", use)
	}
	kommun := strings.TrimSpace(*mun)
	if len(kommun) != 4 || strings.Trim(kommun, "0123456789") != "" {
		return usageErr("--kommun: ange kommunkoden för den kommun vars historik läses in, fyra siffror (t.ex. 0821)\n%s", use)
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return &exitError{Code: exitUsage, Msg: fmt.Sprintf("kan inte läsa filen: %v", err)}
	}
	cfg.Workers, cfg.Registers = 0, "none"
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	n, err := m.Workflow.ImportAidHistory(ctx, "cli:"+name, kommun, data)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.EINVALID {
			return invalid(err)
		}
		return err
	}
	fmt.Fprintf(stdout, "Historik för %d personer inläst. Den gäller från nästa beräkning av deras ärenden.\n", n)
	return nil
}
