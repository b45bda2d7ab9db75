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
//	skalig whatif --candidate-params|--candidate-municipal|--candidate-routing FILE [--from --to --municipality] [--csv FILE]
//	skalig rules test DIR
//	skalig payments (run | import FILE | held | release ID --by USER | …)
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
	"skalig/cmd/skalig/internal/records"
	"syscall"

	"skalig"
	"skalig/cmd/skalig/internal/cli"
	"skalig/internal/rules"
)

// Exit statuses and the error that carries one (cmd/skalig/internal/cli).
const (
	exitOK      = cli.ExitOK
	exitFailure = cli.ExitFailure
	exitUsage   = cli.ExitUsage
)

type exitError = cli.ExitError

var (
	usageErr   = cli.UsageErr
	openDB     = cli.OpenDB
	openDBWith = cli.OpenDBWith
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
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
  skalig gallring --dry-run [--on ÅÅÅÅ-MM-DD] | --on ÅÅÅÅ-MM-DD --by ANVÄNDARE | approve KÖRNING --by ANVÄNDARE
                                           gallra personakter efter fem år, med fyra ögon (docs/gallring.md)
  skalig archive export --out KATALOG --by ANVÄNDARE [--on ÅÅÅÅ-MM-DD] | verify PAKET
                                           arkivera forskningsurvalet före gallring (METS-paket, docs/archive.md)
  skalig registerutdrag PERSONNUMMER --by ANVÄNDARE --out FIL [--format pdf|json]
                                           en persons uppgifter för en begäran per post (GDPR art. 15)
  skalig claim open PERSONNUMMER --by ANVÄNDARE | close ÅTERKRAV --by ANVÄNDARE | list PERSONNUMMER
                                           registrera öppna återkrav (gallras inte medan de är öppna)
  skalig backup --out FIL                  säkerhetskopiera SQLite utan att stoppa tjänsten (docs/backup.md)
  skalig restore --from FIL --to FIL       kontrollera en säkerhetskopia och återställ den till en ny fil
  skalig jobs [list | retry ID]            visa jobbkön, kör ett parkerat jobb igen
  skalig stats [--municipality KOD] --month ÅÅÅÅ-MM [--csv]
                                           uppföljning av en månad (docs/statistics.md)
  skalig report delegation --from ÅÅÅÅ-MM --to ÅÅÅÅ-MM [--csv | --pdf --out FIL]
                                           återrapportering till nämnden (KL 6 kap. 40 §)
  skalig letter ÄRENDE-ID [--pdf] --out FIL
                                           skriv beslutsbrevet (HTML, eller PDF med --pdf; docs/letters.md);
                                           ÄRENDE-ID är ärendets id eller ärendenummer
  skalig history import --by NAMN --kommun KOD FIL
                                           läs in kommunens tidigare månader med bistånd per person (docs/history.md)
  skalig whatif --candidate-… FIL [--from ÅÅÅÅ-MM --to ÅÅÅÅ-MM --municipality KOD] [--csv FIL]
                                           provkör en ändring mot fattade beslut
  skalig whatif --stop-shadow ID           avsluta en skuggkörning före periodens slut
  skalig proposals (list | propose … | try ID | put-in-force ID --run ID) --by ANVÄNDARE
                                           föreslå en ändring av routning eller riktlinjer, provkör den,
                                           och sätt den i kraft (en annan person, från nästa månad)
  skalig payments (run | import FIL | held | release ID --by ANVÄNDARE | …)
                                           betalningsfiler till banken och bankens svar (docs/payments.md)
  skalig sim registers --addr HOST:PORT    starta registersimulatorn (SOAP, mTLS)
  skalig sim persons                       visa syntetiska personer i simulatorn
  skalig calc [--json] [--municipality KOD] FIL|-
                                           beräkna en hushållsmånad (docs/calc-format.md)
  skalig params show [--year ÅÅÅÅ]         visa parametrar med status och källa, och vad som saknas
  skalig params import FIL --by ANVÄNDARE  läs in ett års riksnorm och prisbasbelopp (docs/parameters.md)
  skalig params approve VERSION --by ANVÄNDARE
                                           godkänn en inläst version (en annan person: fyra ögon)
  skalig params list                       visa inlästa versioner, status, vem som läst in och godkänt
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
		err = runParams(ctx, args[1:], stdout)
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
		err = records.RunAudit(ctx, args[1:], stdout)
	case "decision":
		err = runDecision(ctx, args[1:], stdout)
	case "proposals":
		err = runProposal(ctx, args[1:], stdout, stderr)
	case "whatif":
		err = runWhatIf(ctx, args[1:], stdout, stderr)
	case "jobs":
		err = runJobs(ctx, args[1:], stdout)
	case "history":
		err = runHistory(ctx, args[1:], stdout)
	case "payments":
		err = runPayments(ctx, args[1:], stdout)
	case "config":
		err = runConfig(args[1:], stdout)
	case "stats":
		err = runStats(ctx, args[1:], stdout)
	case "gallring":
		if len(args) > 1 && args[1] == "demo" {
			err = runGallringDemo(ctx, args[2:], stdout)
			break
		}
		err = records.RunGallring(ctx, args[1:], stdout)
	case "archive":
		err = runArchive(ctx, args[1:], stdout)
	case "registerutdrag":
		err = runRegisterutdrag(ctx, args[1:], stdout)
	case "claim":
		err = records.RunClaim(ctx, args[1:], stdout)
	case "backup":
		err = records.RunBackup(ctx, args[1:], stdout)
	case "restore":
		err = records.RunRestore(ctx, args[1:], stdout)
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
		if ee.Msg != "" {
			fmt.Fprintln(stderr, ee.Msg)
		}
		return ee.Code
	}
	fmt.Fprintln(stderr, "skalig:", err)
	return exitFailure
}

// versionString is the program version and the version of the calculation
// rules it carries.
func versionString() string {
	return skalig.Version + " (" + rules.EngineVersion + ")"
}
