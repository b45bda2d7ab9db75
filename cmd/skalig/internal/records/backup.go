package records

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"skalig/cmd/skalig/internal/cli"
	"strings"

	"skalig/internal/audit"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
)

// Backup and restore (docs/backup.md).

const backupUsage = "Användning: skalig backup [--database DSN] --out FIL"

// RunBackup is skalig backup: an online copy of a SQLite database.
func RunBackup(ctx context.Context, args []string, stdout io.Writer) error {
	var out string
	db, rest, _, err := cli.OpenDBWith(ctx, "backup", args, backupUsage, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if len(rest) != 0 || out == "" {
		return cli.UsageErr(backupUsage)
	}
	if db.Dialect() != store.SQLite {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "skalig backup gäller SQLite. Säkerhetskopiera PostgreSQL med pg_dump, " +
			"eller med en basbackup och WAL-arkivering för återställning till en tidpunkt: se docs/backup.md."}
	}
	if _, err := os.Stat(out); err == nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--out: %s finns redan; säkerhetskopian skriver aldrig över en fil.", out)}
	}
	if err := recordsdb.New(db).Backup(ctx, out); err != nil {
		return &cli.ExitError{Code: cli.ExitFailure, Msg: fmt.Sprintf("Säkerhetskopieringen misslyckades: %v", err)}
	}
	rep, err := CheckBackup(ctx, out, nil, nil)
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(stdout, "Säkerhetskopia skriven till %s: schemaversion %d, %d händelser i granskningsloggen (kedjan stämmer).\n",
		out, rep.schema, rep.audit.Head)
	return nil
}

const restoreUsage = "Användning: skalig restore --from SÄKERHETSKOPIA --to NY-DATABASFIL [--checkpoints FIL] [--public-key FIL]"

// RunRestore is skalig restore: it checks a SQLite backup and only then
// puts it in place as a new database file.
func RunRestore(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "")
	to := fs.String("to", "", "")
	cpFile := fs.String("checkpoints", "", "")
	pubFile := fs.String("public-key", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *from == "" || *to == "" {
		return cli.UsageErr(restoreUsage)
	}
	*to = strings.TrimPrefix(*to, "sqlite:")
	if _, err := os.Stat(*to); err == nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--to: %s finns redan; återställningen skriver aldrig över en databas. Välj en ny fil.", *to)}
	}
	pub, cps, err := AuditAnchors(*pubFile, *cpFile)
	if err != nil {
		return err
	}
	// Check a copy beside the target, so that the backup itself is not
	// touched and nothing is at --to unless every check passed.
	tmp := *to + ".restoring"
	os.Remove(tmp)
	if err := copyFile(*from, tmp); err != nil {
		return &cli.ExitError{Code: cli.ExitFailure, Msg: fmt.Sprintf("--from: kan inte läsa säkerhetskopian: %v", err)}
	}
	rep, err := CheckBackup(ctx, tmp, pub, cps)
	if err != nil {
		os.Remove(tmp)
		os.Remove(tmp + "-wal")
		os.Remove(tmp + "-shm")
		return err
	}
	if err := os.Rename(tmp, *to); err != nil {
		os.Remove(tmp)
		return err
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	fmt.Fprintf(stdout, "Återställd till %s: integriteten kontrollerad, schemaversion %d, granskningsloggen stämmer (%d händelser, %d kontrollpunkter stämmer",
		*to, rep.schema, rep.audit.Head, rep.audit.Checkpoints)
	if rep.later > 0 {
		fmt.Fprintf(stdout, "; %d exporterade kontrollpunkter är senare än säkerhetskopian", rep.later)
	}
	if pub == nil {
		fmt.Fprint(stdout, "; kontrollpunkterna är inte kontrollerade: ingen publik nyckel (--public-key eller SKALIG_AUDIT_KEY_FILE)")
	}
	fmt.Fprintln(stdout, ").\nStarta skalig med SKALIG_DATABASE="+*to+" och kör skalig decision replay --all.")
	return nil
}

// AuditAnchors reads the public key (--public-key, else the public half of
// SKALIG_AUDIT_KEY_FILE) and an exported checkpoints file, when given.
func AuditAnchors(pubFile, cpFile string) (ed25519.PublicKey, []audit.Checkpoint, error) {
	var pub ed25519.PublicKey
	switch {
	case pubFile != "":
		b, err := os.ReadFile(pubFile)
		if err != nil {
			return nil, nil, &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--public-key: %v", err)}
		}
		if pub, err = audit.ParsePublicKey(b); err != nil {
			return nil, nil, &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--public-key: %v", err)}
		}
	case os.Getenv("SKALIG_AUDIT_KEY_FILE") != "":
		b, err := os.ReadFile(os.Getenv("SKALIG_AUDIT_KEY_FILE"))
		if err != nil {
			return nil, nil, &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("SKALIG_AUDIT_KEY_FILE: %v", err)}
		}
		key, err := audit.ParsePrivateKey(b)
		if err != nil {
			return nil, nil, &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("SKALIG_AUDIT_KEY_FILE: %v", err)}
		}
		pub = key.Public().(ed25519.PublicKey)
	}
	var cps []audit.Checkpoint
	if cpFile != "" {
		f, err := os.Open(cpFile)
		if err != nil {
			return nil, nil, &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--checkpoints: %v", err)}
		}
		defer f.Close()
		if cps, err = audit.ReadCheckpoints(f); err != nil {
			return nil, nil, &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--checkpoints: %v", err)}
		}
	}
	return pub, cps, nil
}

type backupReport struct {
	schema int64
	later  int // checkpoints of the exported file after the backup's head
	audit  audit.Report
}

// CheckBackup checks the SQLite file path: that SQLite finds it whole
// (integrity_check), that its schema is one this program knows, and that
// its audit trail verifies, against its checkpoints and cps when pub is
// given. A failure is an *exitError with a Swedish message.
func CheckBackup(ctx context.Context, path string, pub ed25519.PublicKey, cps []audit.Checkpoint) (backupReport, error) {
	var rep backupReport
	damaged := func(why string, err error) error {
		msg := fmt.Sprintf("Säkerhetskopian %s är skadad och har inte återställts: %s", filepath.Base(path), why)
		if err != nil {
			msg += fmt.Sprintf(" (%v)", err)
		}
		return &cli.ExitError{Code: cli.ExitFailure, Msg: msg}
	}
	f, err := os.Open(path)
	if err != nil {
		return rep, damaged("filen kan inte läsas.", err)
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != "SQLite format 3\x00" {
		return rep, damaged("filen är ingen SQLite-databas.", nil)
	}
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		return rep, damaged("databasen kan inte öppnas.", err)
	}
	defer db.Close()
	var res string
	rows, err := db.SQL().QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return rep, damaged("integritetskontrollen kunde inte köras.", err)
	}
	var problems []string
	for rows.Next() {
		if err := rows.Scan(&res); err != nil {
			rows.Close()
			return rep, damaged("integritetskontrollen kunde inte köras.", err)
		}
		if res != "ok" {
			problems = append(problems, res)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, damaged("integritetskontrollen kunde inte köras.", err)
	}
	if len(problems) > 0 {
		return rep, damaged("SQLite:s integritetskontroll hittar fel: "+strings.Join(problems[:min(len(problems), 3)], "; ")+".", nil)
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return rep, damaged("schemaversionen kan inte läsas.", err)
	}
	if cur == 0 || cur > latest {
		return rep, damaged(fmt.Sprintf("schemaversion %d, men det här programmet känner versionerna 1–%d.", cur, latest), nil)
	}
	rep.schema = cur
	srcs := []audit.CheckpointSource{}
	if pub != nil {
		dbcps, err := audit.Checkpoints(ctx, db.SQL())
		if err != nil {
			return rep, damaged("kontrollpunkterna kan inte läsas.", err)
		}
		srcs = append(srcs, audit.CheckpointSource{Name: "säkerhetskopian", Checkpoints: dbcps})
		if cps != nil {
			// An exported file is usually newer than the backup: its
			// checkpoints after the backup's head are of events the backup
			// does not have, and are passed over (docs/backup.md).
			head, _, err := audit.Head(ctx, db.SQL())
			if err != nil {
				return rep, damaged("granskningsloggens huvud kan inte läsas.", err)
			}
			var within []audit.Checkpoint
			for _, c := range cps {
				if c.Seq <= head {
					within = append(within, c)
				} else {
					rep.later++
				}
			}
			srcs = append(srcs, audit.CheckpointSource{Name: "den exporterade filen", Checkpoints: within})
		}
	}
	r, err := audit.VerifyTrail(ctx, db.SQL(), pub, srcs...)
	if err != nil {
		var be *audit.BrokenError
		var ce *audit.CheckpointError
		switch {
		case errors.As(err, &be):
			return rep, damaged(fmt.Sprintf("granskningsloggen är bruten vid händelse %d.", be.Seq), err)
		case errors.As(err, &ce):
			return rep, damaged("granskningsloggen stämmer inte med en kontrollpunkt.", err)
		}
		return rep, damaged("granskningsloggen kunde inte kontrolleras.", err)
	}
	rep.audit = r
	return rep, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
