package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"skalig"
	"skalig/cmd/skalig/internal/cli"
	"skalig/internal/config"
	"skalig/internal/letters"
	"skalig/internal/store"
	"skalig/internal/workflow"
)

// runLetter writes the decision letter of a case (docs/letters.md): HTML,
// or with --pdf a tagged PDF, to the file --out names. The read is logged
// in the audit trail as "cli:letter".
func runLetter(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig letter [--database DSN] ÄRENDE [--pdf] --out FIL\n  ÄRENDE är ärendenumret (2026-0821-000123) eller ärendets id"
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	var caseID, out string
	pdf := false
	err := cli.Args{Usage: use,
		Values:     map[string]*string{"out": &out, "database": &cfg.Database},
		Bools:      map[string]*bool{"pdf": &pdf},
		Positional: cli.One(&caseID),
	}.Parse(args)
	if err != nil {
		return err
	}
	if caseID == "" || out == "" {
		return usageErr("ange ärendet och --out FIL\n%s", use)
	}
	cfg.Workers, cfg.Registers = 0, "none"
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	if skalig.LooksLikeCaseNumber(caseID) {
		c, err := store.NewCaseStore(m.DB).CaseByNumber(ctx, caseID)
		if err != nil {
			return letterError(err)
		}
		caseID = c.ID
	}
	in, err := letters.Load(ctx, m.Workflow, m.Municipal, caseID, workflow.Reader{Actor: "cli:letter", Via: "cli"})
	if err != nil {
		return letterError(err)
	}
	body, err := letters.Render(in, pdf)
	if err != nil {
		return letterError(err)
	}
	if err := os.WriteFile(out, body, 0o600); err != nil {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte skriva %s: %v", out, err)}
	}
	fmt.Fprintln(stdout, out)
	return nil
}

func letterError(err error) error {
	switch skalig.ErrorCode(err) {
	case skalig.EINVALID:
		return invalid(err)
	case skalig.ENOTFOUND:
		return &exitError{Code: exitUsage, Msg: skalig.ErrorMessage(err)}
	}
	return err
}
