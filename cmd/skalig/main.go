// Command skalig is Skälig: one program that a municipality runs to handle
// applications for försörjningsstöd. All wiring of the internal packages
// happens here.
//
// Usage:
//
//	skalig demo [--addr HOST:PORT]        run the system with demo data
//	skalig serve [--addr HOST:PORT]       run the HTTP server
//	skalig calc [--json] [--municipality CODE] FILE|-
//	skalig params show [--year YYYY]
//	skalig rules test DIR
//	skalig config dump
//	skalig version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"skalig"
	"skalig/internal/rules"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // something failed (a test case, the server)
	exitUsage   = 2 // invalid input or usage
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit status and a message already meant for the user.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

const usage = `Skälig: handläggning av försörjningsstöd.

Användning:
  skalig demo [--addr HOST:PORT] [--data KATALOG] [--households N]
                                           starta hela systemet med demodata (SQLite)
  skalig serve [--addr HOST:PORT] [--database DSN] [--workers N]
                                           starta servern med inbyggda arbetare
  skalig worker [--database DSN] [--workers N]
                                           kör bara arbetare (flera kan dela PostgreSQL)
  skalig migrate [--database DSN]          uppdatera databasens schema
  skalig audit verify [--database DSN] [--checkpoints FIL] [--public-key FIL]
                                           kontrollera granskningsloggens kedja och kontrollpunkter
  skalig audit checkpoint                  signera en kontrollpunkt av loggen (SKALIG_AUDIT_KEY_FILE)
  skalig audit checkpoints export [--out FIL]
                                           exportera kontrollpunkterna (JSON-rader)
  skalig audit key generate --out FIL      skapa en signeringsnyckel (demo, prov)
  skalig decision replay (ID | --all)      räkna om beslut från sina underlag
  skalig jobs [list | retry ID]            visa jobbkön, kör ett parkerat jobb igen
  skalig stats [--municipality KOD] --month ÅÅÅÅ-MM [--csv]
                                           uppföljning av en månad (docs/statistics.md)
  skalig report delegation --from ÅÅÅÅ-MM --to ÅÅÅÅ-MM [--csv]
                                           återrapportering till nämnden (KL 6 kap. 40 §)
  skalig letter ÄRENDE-ID [--pdf] --out FIL
                                           skriv beslutsbrevet (HTML, eller PDF med --pdf; docs/letters.md)
  skalig history import --by NAMN FIL      läs in tidigare månader med bistånd per person (docs/history.md)
  skalig sim registers --addr HOST:PORT    starta registersimulatorn (SOAP, mTLS)
  skalig sim persons                       visa syntetiska personer i simulatorn
  skalig calc [--json] [--municipality KOD] FIL|-
                                           beräkna en hushållsmånad (docs/calc-format.md)
  skalig params show [--year ÅÅÅÅ]         visa parametrar med status och källa
  skalig rules test KATALOG                kör lagstiftningstestfall
  skalig config dump                       visa konfigurationen
  skalig version                           visa versionen
`

// run dispatches a command line; it is main without the process around it,
// so that tests can call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "calc":
		err = runCalc(args[1:], stdin, stdout)
	case "params":
		err = runParams(args[1:], stdout)
	case "rules":
		err = runRules(args[1:], stdout)
	case "serve":
		err = runServe(ctx, args[1:], stdout, false)
	case "demo":
		err = runServe(ctx, args[1:], stdout, true)
	case "sim":
		return runSim(args[1:], stdout, stderr)
	case "worker":
		err = runWorker(ctx, args[1:])
	case "migrate":
		err = runMigrate(ctx, args[1:], stdout)
	case "audit":
		err = runAudit(ctx, args[1:], stdout)
	case "decision":
		err = runDecision(ctx, args[1:], stdout)
	case "jobs":
		err = runJobs(ctx, args[1:], stdout)
	case "history":
		err = runHistory(ctx, args[1:], stdout)
	case "config":
		err = runConfig(args[1:], stdout)
	case "stats":
		err = runStats(ctx, args[1:], stdout)
	case "report":
		err = runReport(ctx, args[1:], stdout)
	case "letter":
		err = runLetter(ctx, args[1:], stdout)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "skalig", versionString())
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageErr("okänt kommando %q\n\n%s", args[0], usage)
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "skalig:", err)
	return exitFailure
}

// versionString is the program version and the version of the calculation
// rules it carries.
func versionString() string {
	return skalig.Version + " (" + rules.EngineVersion + ")"
}
