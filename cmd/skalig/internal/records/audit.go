package records

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"skalig/cmd/skalig/internal/cli"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/config"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
)

const auditUsage = `Användning:
  skalig audit verify [--database DSN] [--checkpoints FIL] [--public-key FIL]
  skalig audit checkpoint [--database DSN]
  skalig audit checkpoints export [--database DSN] [--out FIL]
  skalig audit key generate --out FIL
  skalig audit key public`

// RunAudit checks, anchors and exports the audit trail: skalig audit.
func RunAudit(ctx context.Context, args []string, stdout io.Writer) error {
	switch {
	case len(args) >= 1 && args[0] == "verify":
		return auditVerify(ctx, args[1:], stdout)
	case len(args) >= 1 && args[0] == "checkpoint":
		return auditCheckpoint(ctx, args[1:], stdout)
	case len(args) >= 2 && args[0] == "checkpoints" && args[1] == "export":
		return auditExport(ctx, args[2:], stdout)
	case len(args) >= 2 && args[0] == "key" && args[1] == "generate":
		return auditKeyGenerate(args[2:], stdout)
	case len(args) == 2 && args[0] == "key" && args[1] == "public":
		cfg := config.Default()
		cfg.FromEnv(os.Getenv)
		key, err := cfg.AuditKey()
		if err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
		}
		if key == nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: "Ingen nyckel: ange SKALIG_AUDIT_KEY_FILE."}
		}
		fmt.Fprintf(stdout, "# Nyckel %s: den publika nyckeln som kontrollerar granskningsloggens kontrollpunkter.\n", audit.KeyID(key.Public().(ed25519.PublicKey)))
		_, err = stdout.Write(audit.PublicKeyPEM(key.Public().(ed25519.PublicKey)))
		return err
	}
	return cli.UsageErr("%s", auditUsage)
}

// auditVerify checks the chain, every payload against its digest, and the
// signed checkpoints (the database's and, with --checkpoints, an exported
// file's) with the public key; when it all holds and the key is at hand, it
// signs a checkpoint of the head: skalig audit verify.
func auditVerify(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig audit verify [--database DSN] [--checkpoints FIL] [--public-key FIL]"
	var cpFile, pubFile string
	db, rest, cfg, err := cli.OpenDBWith(ctx, "audit verify", args, use, func(fs *flag.FlagSet) {
		fs.StringVar(&cpFile, "checkpoints", "", "exporterade kontrollpunkter (JSON-rader)")
		fs.StringVar(&pubFile, "public-key", "", "publik nyckel (PEM) som kontrollerar signaturerna")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if len(rest) != 0 {
		return cli.UsageErr("%s", use)
	}
	key, err := cfg.AuditKey()
	if err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
	}
	var pub ed25519.PublicKey
	switch {
	case pubFile != "":
		b, err := os.ReadFile(pubFile)
		if err == nil {
			pub, err = audit.ParsePublicKey(b)
		}
		if err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--public-key: %s är ingen ed25519-nyckel i PEM: %v", pubFile, err)}
		}
	case key != nil:
		pub = key.Public().(ed25519.PublicKey)
	}
	var sources []audit.CheckpointSource
	if cpFile != "" {
		if pub == nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: "--checkpoints behöver en nyckel som kontrollerar signaturerna: --public-key FIL eller SKALIG_AUDIT_KEY_FILE."}
		}
		f, err := os.Open(cpFile)
		if err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--checkpoints: %v", err)}
		}
		cps, err := audit.ReadCheckpoints(f)
		f.Close()
		if err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--checkpoints: %s är ingen fil med kontrollpunkter: %v", cpFile, err)}
		}
		sources = append(sources, audit.CheckpointSource{Name: cpFile, Checkpoints: cps})
	}

	// Events committed but not yet chained (PostgreSQL) are chained first,
	// so that the check covers every event committed before it began.
	sealed, err := db.SealAudit(ctx)
	if err != nil {
		return err
	}
	if sealed > 0 {
		fmt.Fprintf(stdout, "%d händelser som väntade har kedjats in.\n", sealed)
	}
	stored, err := audit.Checkpoints(ctx, db.SQL())
	if err != nil {
		return err
	}
	unchecked := 0
	if pub != nil {
		sources = append([]audit.CheckpointSource{{Name: "databasen", Checkpoints: stored}}, sources...)
	} else {
		unchecked = len(stored)
	}
	r, err := audit.VerifyTrail(ctx, db.SQL(), pub, sources...)
	var be *audit.BrokenError
	var ce *audit.CheckpointError
	switch {
	case errors.As(err, &be):
		return &cli.ExitError{Code: cli.ExitFailure, Msg: fmt.Sprintf("Granskningsloggen är bruten: första felaktiga händelse är nummer %d (av %d): %s.", be.Seq, r.Head, be.Reason)}
	case errors.As(err, &ce):
		return &cli.ExitError{Code: cli.ExitFailure, Msg: fmt.Sprintf("Granskningsloggen stämmer inte med kontrollpunkten vid händelse %d (signerad %s, i %s): %s (%s).",
			ce.Seq, ce.At.Format(time.RFC3339), ce.Source, checkpointFailure(ce), ce.Reason)}
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "Granskningsloggen är hel: %d händelser, senaste kontrollsumma %s.\n", r.Head, r.HeadHash)
	if r.Removed > 0 {
		fmt.Fprintf(stdout, "Innehållet (personuppgifterna) är borttaget ur %d händelser; kedjan är kontrollerad utan det.\n", r.Removed)
	}
	if r.V1 > 0 {
		fmt.Fprintf(stdout, "%d händelser är i kedjans första format (version 1).\n", r.V1)
	}
	switch {
	case pub == nil && unchecked > 0:
		fmt.Fprintf(stdout, "%d kontrollpunkter har INTE kontrollerats: ingen nyckel (SKALIG_AUDIT_KEY_FILE eller --public-key).\n", unchecked)
	case pub == nil:
		fmt.Fprintln(stdout, "Inga kontrollpunkter (ingen nyckel: SKALIG_AUDIT_KEY_FILE).")
	case r.Checkpoints == 0:
		fmt.Fprintln(stdout, "Inga kontrollpunkter att kontrollera.")
	default:
		fmt.Fprintf(stdout, "%d signerade kontrollpunkter stämmer (nyckel %s), den senaste vid händelse %d.\n", r.Checkpoints, audit.KeyID(pub), r.LastCheckpoint)
	}
	if key != nil && r.Head > 0 {
		// The head just verified, not whatever was appended meanwhile.
		c := audit.Sign(key, r.Head, r.HeadHash, time.Now())
		wrote, err := audit.StoreCheckpoint(ctx, db.SQL(), c)
		if err != nil {
			return err
		}
		if wrote {
			fmt.Fprintf(stdout, "Ny kontrollpunkt signerad vid händelse %d.\n", c.Seq)
		}
	}
	return nil
}

// checkpointFailure says in Swedish what is wrong with a checkpoint.
func checkpointFailure(ce *audit.CheckpointError) string {
	switch ce.Kind {
	case audit.NoKey:
		return "ingen publik nyckel att kontrollera signaturen med"
	case audit.OtherKey:
		return "signerad med en annan nyckel"
	case audit.BadSig:
		return "signaturen stämmer inte: kontrollpunkten är ändrad eller inte signerad med nyckeln"
	case audit.Truncated:
		return "loggen slutar före händelsen: händelser har tagits bort"
	case audit.Rewritten:
		return "kedjans kontrollsumma vid händelsen är inte den signerade: loggen fram till den har skrivits om"
	}
	return "kontrollpunkten anger ingen händelse"
}

// auditCheckpoint signs a checkpoint of the head now: skalig audit
// checkpoint.
func auditCheckpoint(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig audit checkpoint [--database DSN]"
	db, rest, cfg, err := cli.OpenDBWith(ctx, "audit checkpoint", args, use, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(rest) != 0 {
		return cli.UsageErr("%s", use)
	}
	key, err := cfg.AuditKey()
	if err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
	}
	if key == nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "Ingen nyckel att signera med: ange SKALIG_AUDIT_KEY_FILE."}
	}
	c, wrote, err := recordsdb.New(db).AuditCheckpoint(ctx, key)
	var be *audit.BrokenError
	if errors.As(err, &be) {
		return &cli.ExitError{Code: cli.ExitFailure, Msg: fmt.Sprintf("Granskningsloggen är bruten vid händelse %d: %s.", be.Seq, be.Reason)}
	}
	if err != nil {
		return err
	}
	if !wrote {
		fmt.Fprintln(stdout, "Den senaste kontrollpunkten gäller redan loggens sista händelse (eller loggen är tom).")
		return nil
	}
	fmt.Fprintf(stdout, "Kontrollpunkt signerad vid händelse %d (%s), nyckel %s.\n", c.Seq, skalig.FormatTime(c.At), c.KeyID)
	return nil
}

// auditExport writes the stored checkpoints as JSON lines, for publication
// or a second system: skalig audit checkpoints export.
func auditExport(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig audit checkpoints export [--database DSN] [--out FIL]"
	var out string
	db, rest, _, err := cli.OpenDBWith(ctx, "audit checkpoints export", args, use, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "fil att skriva (standard: standard ut)")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if len(rest) != 0 {
		return cli.UsageErr("%s", use)
	}
	cps, err := audit.Checkpoints(ctx, db.SQL())
	if err != nil {
		return err
	}
	if out == "" {
		return audit.WriteCheckpoints(stdout, cps)
	}
	if err := WriteFileWith(out, 0o644, false, func(w io.Writer) error { return audit.WriteCheckpoints(w, cps) }); err != nil {
		return &cli.ExitError{Code: cli.ExitFailure, Msg: fmt.Sprintf("--out: %v", err)}
	}
	fmt.Fprintf(stdout, "%d kontrollpunkter exporterade till %s.\n", len(cps), out)
	return nil
}

// auditKeyGenerate writes a new signing key: skalig audit key generate.
// For the demo and trials; in production the municipality makes and keeps
// the key as it keeps its other keys (docs/audit.md).
func auditKeyGenerate(args []string, stdout io.Writer) error {
	const use = "Användning: skalig audit key generate --out FIL"
	fs := flag.NewFlagSet("audit key generate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "fil för den nya nyckeln (skrivs inte över)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *out == "" {
		return cli.UsageErr("%s", use)
	}
	key, err := NewAuditKeyFile(*out)
	if err != nil {
		return &cli.ExitError{Code: cli.ExitFailure, Msg: fmt.Sprintf("--out: %v", err)}
	}
	pub := key.Public().(ed25519.PublicKey)
	fmt.Fprintf(stdout, "Ny nyckel %s skriven till %s (läsbar bara för dig). Ange den med SKALIG_AUDIT_KEY_FILE=%s\n"+
		"och håll den utanför databasen och dess säkerhetskopior. Den publika nyckeln, för den som kontrollerar:\n%s",
		audit.KeyID(pub), *out, *out, audit.PublicKeyPEM(pub))
	return nil
}

// NewAuditKeyFile writes a new signing key to path, which must not exist,
// readable only by its owner.
func NewAuditKeyFile(path string) (ed25519.PrivateKey, error) {
	p, err := audit.GenerateKey()
	if err != nil {
		return nil, err
	}
	if err := WriteFileWith(path, 0o600, true, func(w io.Writer) error { _, err := w.Write(p); return err }); err != nil {
		return nil, err
	}
	return audit.ParsePrivateKey(p)
}

// WriteFileWith creates path with perm (refusing an existing file when
// exclusive) and writes it with fn.
func WriteFileWith(path string, perm os.FileMode, exclusive bool, fn func(io.Writer) error) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if exclusive {
		flags = os.O_WRONLY | os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, perm)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// StartAuditCheckpoints makes db sign checkpoints of the audit chain
// periodically when the configuration has the key (serve and worker).
func StartAuditCheckpoints(db *store.DB, cfg config.Config) error {
	key, err := cfg.AuditKey()
	if err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
	}
	if key != nil {
		db.StartCheckpoints(key, 0)
	}
	return nil
}
