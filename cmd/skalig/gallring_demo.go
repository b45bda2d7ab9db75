package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"skalig/cmd/skalig/internal/records"
	"strconv"
	"strings"
	"sync"
	"time"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/store/statsdb"
)

// runGallringDemo is skalig gallring demo: the whole life of the data in one
// command, with the clock moved forward. It makes a new SQLite database,
// submits demo households for this month and lets the workers handle them
// (the register simulator answers at once), then, judged six years on
// (--on is the moved clock), shows the dry run, archives the research
// sample, proposes the run as one person, approves it as another, runs it,
// and verifies the audit trail and replays the decisions that are left.
func runGallringDemo(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig gallring demo [--households N] [--data KATALOG]"
	households, dataDir := 30, ""
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		if !hasVal {
			if i+1 >= len(args) {
				return usageErr("%s", use)
			}
			i++
			val = args[i]
		}
		switch strings.TrimLeft(name, "-") {
		case "households":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > 1000 {
				return usageErr("--households: %q; ange 1-1000.", val)
			}
			households = n
		case "data":
			dataDir = val
		default:
			return usageErr("%s", use)
		}
	}
	if dataDir == "" {
		d, err := os.MkdirTemp("", "skalig-gallring-demo-")
		if err != nil {
			return err
		}
		dataDir = d
	} else if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	dbPath := filepath.Join(dataDir, "skalig.db")
	if _, err := os.Stat(dbPath); err == nil {
		return usageErr("%s finns redan: ange en ny katalog (--data).", dbPath)
	}
	key := filepath.Join(dataDir, "audit-demo.key")
	if _, err := records.NewAuditKeyFile(key); err != nil {
		return err
	}
	cfg := config.Default()
	cfg.Database, cfg.Registers, cfg.AuditKeyFile, cfg.Workers = dbPath, "sim", key, 8
	cfg.GallringSchedule = "off"
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	today := skalig.DateOf(time.Now())
	for _, h := range demo.Generate(cfg.SimSeed, demoMunicipality, today.Month(), households) {
		if _, _, err := m.Workflow.Submit(ctx, h.App); err != nil {
			m.Close()
			return fmt.Errorf("demo household %s: %w", h.Scenario, err)
		}
	}
	// The workers until no job is due (waiting for a person, a document or
	// the kommunicering's time is not a job due now).
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m.Workflow.Run(wctx) }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var n int
		if err := m.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE state <> 'parked' AND run_at <= $1`,
			time.Now().UnixMicro()).Scan(&n); err != nil {
			cancel()
			wg.Wait()
			m.Close()
			return err
		}
		if n == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	states, err := statsdb.New(m.DB).CountByState(ctx, demoMunicipality)
	m.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo: %d hushåll i Högsby kommun (0821) ansökte för %s; databas %s.\nÄrenden per status:", households, today.Month(), dbPath)
	for _, st := range []skalig.CaseState{skalig.StateDecided, skalig.StateNotified, skalig.StatePaid, skalig.StateClosed,
		skalig.StateAwaitingCaseworker, skalig.StateWithdrawn} {
		if states[st] > 0 {
			fmt.Fprintf(stdout, " %s %d,", st.Swedish(), states[st])
		}
	}
	later := skalig.Date{Y: today.Y + 6, M: today.M, D: min(today.D, 28)}
	fmt.Fprintf(stdout, "\n\nKlockan flyttas fram sex år: allt bedöms %s.\n", later)
	step := func(title string, a ...string) (string, error) {
		fmt.Fprintf(stdout, "\n$ skalig %s\n", strings.Join(a, " "))
		var out, errb strings.Builder
		a = append(a, "--database", dbPath)
		if a[0] == "archive" && a[1] == "verify" {
			a = a[:len(a)-2]
		}
		code := run(ctx, a, strings.NewReader(""), &out, &errb)
		fmt.Fprint(stdout, out.String(), errb.String())
		if code != 0 {
			return "", fmt.Errorf("%s misslyckades (%d)", title, code)
		}
		return out.String(), nil
	}
	on := later.String()
	if _, err := step("provkörning", "gallring", "--dry-run", "--on", on); err != nil {
		return err
	}
	out, err := step("arkivering", "archive", "export", "--out", dataDir, "--by", "demo:arkivarie", "--on", on)
	if err != nil {
		return err
	}
	if pm := regexp.MustCompile(`(?m)^  (\S+)$`).FindStringSubmatch(out); pm != nil {
		if _, err := step("arkivkontroll", "archive", "verify", pm[1]); err != nil {
			return err
		}
	}
	out, err = step("förslag", "gallring", "--on", on, "--by", "demo:anna")
	if err != nil {
		return err
	}
	rm := regexp.MustCompile(`Gallringskörning (\S+) föreslagen`).FindStringSubmatch(out)
	if rm == nil {
		return fmt.Errorf("ingen körning föreslogs")
	}
	if _, err := step("fyra ögon", "gallring", "approve", rm[1], "--by", "demo:anna"); err == nil {
		return fmt.Errorf("förslagsställaren fick godkänna sin egen gallring")
	}
	if _, err := step("godkännande", "gallring", "approve", rm[1], "--by", "demo:bo"); err != nil {
		return err
	}
	// audit verify reads the key from the environment: the demo's key for
	// this one step, and the environment as it was after.
	prev, had := os.LookupEnv("SKALIG_AUDIT_KEY_FILE")
	os.Setenv("SKALIG_AUDIT_KEY_FILE", key)
	_, err = step("granskningslogg", "audit", "verify")
	if had {
		os.Setenv("SKALIG_AUDIT_KEY_FILE", prev)
	} else {
		os.Unsetenv("SKALIG_AUDIT_KEY_FILE")
	}
	if err != nil {
		return err
	}
	if _, err := step("omräkning", "decision", "replay", "--all"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nKlart. Databasen, nyckeln och arkivpaketet ligger i %s.\n", dataDir)
	return nil
}
