package records

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"skalig/cmd/skalig/internal/cli"
	"strings"
	"time"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/gallring"
	"skalig/internal/store"
	"skalig/internal/store/gallringdb"
)

const gallringUsage = `Användning:
  skalig gallring --dry-run [--on ÅÅÅÅ-MM-DD] [--municipality KOD] [--rules FIL]
                                   visa per person vad som gallras och vad som behålls, och varför
  skalig gallring --on ÅÅÅÅ-MM-DD --by ANVÄNDARE [--municipality KOD] [--rules FIL]
                                   föreslå en gallring (tas bort först när en annan person godkänt den)
  skalig gallring approve KÖRNING --by ANVÄNDARE
                                   godkänn en föreslagen gallring (en annan person) och kör den
  skalig gallring run KÖRNING      fortsätt en godkänd körning som avbröts
  skalig gallring list             visa gallringskörningarna
  skalig gallring demo [--households N] [--data KATALOG]
                                   en ny demodatabas, klockan flyttad sex år: provkörning, arkivering,
                                   förslag, fyra ögon, körning, granskningslogg och omräkning
Alla tar --database DSN. Se docs/gallring.md.`

// RunGallring is skalig gallring (docs/gallring.md).
func RunGallring(ctx context.Context, args []string, stdout io.Writer) error {
	var dry bool
	var on, by, mun, rulesFile string
	// skalig gallring approve RUN [flags]: the subcommand first.
	var pre []string
	if len(args) > 0 && (args[0] == "approve" || args[0] == "run" || args[0] == "list") {
		n := 1
		if args[0] != "list" && len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			n = 2
		}
		pre, args = args[:n], args[n:]
	}
	db, rest, cfg, err := cli.OpenDBWith(ctx, "gallring", args, gallringUsage, func(fs *flag.FlagSet) {
		fs.BoolVar(&dry, "dry-run", false, "")
		fs.StringVar(&on, "on", "", "")
		fs.StringVar(&by, "by", "", "")
		fs.StringVar(&mun, "municipality", "", "")
		fs.StringVar(&rulesFile, "rules", "", "")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	rest = append(pre, rest...)
	if ok, err := db.SchemaUpToDate(ctx); err != nil {
		return err
	} else if !ok {
		return &cli.ExitError{Code: cli.ExitFailure, Msg: "Databasens schema är inte aktuellt: kör skalig migrate först."}
	}
	// Flags after the subcommand and its run id.
	if len(rest) > 0 && (rest[0] == "approve" || rest[0] == "run" || rest[0] == "list") {
		sub := rest[0]
		fs := flag.NewFlagSet("gallring "+sub, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.StringVar(&by, "by", by, "")
		var id string
		rest = rest[1:]
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			id, rest = rest[0], rest[1:]
		}
		if err := fs.Parse(rest); err != nil || fs.NArg() != 0 || (sub != "list") == (id == "") {
			return cli.UsageErr("%s", gallringUsage)
		}
		switch sub {
		case "list":
			return gallringList(ctx, db, stdout)
		case "approve":
			if by == "" {
				return cli.UsageErr("Ange vem som godkänner gallringen: --by ANVÄNDARE.")
			}
			run, err := gallringdb.New(db).ApproveGallring(ctx, id, by)
			if err != nil {
				return GallringErr(err)
			}
			if run.State == "proposed" {
				fmt.Fprintf(stdout, "Gallringskörning %s (den årliga, %d) godkänd av %s. Ingenting tas bort förrän en andra person godkänner den:\n"+
					"  skalig gallring approve %s --by ANVÄNDARE\n", run.ID, run.ScheduledYear, by, run.ID)
				return nil
			}
			fmt.Fprintf(stdout, "Gallringskörning %s godkänd av %s (föreslagen av %s). Gallrar …\n", run.ID, run.ApprovedBy, run.ProposedBy)
		}
		return gallringRun(ctx, db, id, stdout)
	}
	if len(rest) != 0 {
		return cli.UsageErr("%s", gallringUsage)
	}
	if mun == "" {
		mun = cfg.Municipality
	}
	rules := gallring.Default(mun)
	if rulesFile != "" {
		b, err := os.ReadFile(rulesFile)
		if err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("Kan inte läsa gallringsreglerna (--rules): %v", err)}
		}
		if rules, err = gallring.ParseRules(b, mun); err != nil {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
		}
	} else if err := rules.Validate(); err != nil {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: err.Error()}
	}
	day := skalig.DateOf(time.Now())
	if on != "" {
		d, ok := skalig.ParseDate(on)
		if !ok {
			return cli.UsageErr("--on: %q är inget datum; skriv ÅÅÅÅ-MM-DD.", on)
		}
		day = d
	} else if !dry {
		return cli.UsageErr("Ange dagen gallringen bedöms efter: --on ÅÅÅÅ-MM-DD.")
	}
	if !dry && by == "" {
		return cli.UsageErr("Ange vem som föreslår gallringen: --by ANVÄNDARE (en annan person godkänner den).")
	}
	plan, err := gallringdb.New(db).GallringPlan(ctx, rules, day)
	if err != nil {
		return GallringErr(err)
	}
	printPlan(stdout, plan)
	if dry {
		fmt.Fprintln(stdout, "Provkörning: ingenting har tagits bort.")
		return nil
	}
	run, err := gallringdb.New(db).ProposeGallring(ctx, plan, by)
	if err != nil {
		return GallringErr(err)
	}
	fmt.Fprintf(stdout, "Gallringskörning %s föreslagen av %s: %d personer, %d ärenden.\n"+
		"Ingenting tas bort förrän en annan person godkänner den:\n  skalig gallring approve %s --by ANVÄNDARE\n",
		run.ID, by, run.PlannedPersons, run.PlannedCases, run.ID)
	return nil
}

// printPlan writes each person's verdict: masked personnummer only.
func printPlan(w io.Writer, p gallring.Plan) {
	fmt.Fprintf(w, "Gallring i kommun %s bedömd %s (regler %s):\n", p.Rules.Municipality, p.On, gallring.RuleVersion)
	for _, v := range p.Verdicts {
		what := "BEHÅLLS"
		if v.Gallras {
			what = "GALLRAS"
		}
		fmt.Fprintf(w, "  %s  %-8s %s", v.PN.Masked(), what, strings.Join(v.Reasons, "; "))
		if v.Gallras {
			fmt.Fprintf(w, " [%d ärenden tas bort", len(v.Cases))
			if len(v.Kept) > 0 {
				fmt.Fprintf(w, ", %d behålls", len(v.Kept))
			}
			fmt.Fprint(w, "]")
		} else {
			fmt.Fprintf(w, " [%d ärenden behålls]", len(v.Kept))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d personer gallras, %d behålls; %d ärenden tas bort.\n", p.Gallrade(), len(p.Verdicts)-p.Gallrade(), len(p.Cases))
}

func gallringRun(ctx context.Context, db *store.DB, id string, stdout io.Writer) error {
	run, err := gallringdb.New(db).RunGallring(ctx, id, nil)
	if err != nil {
		return GallringErr(err)
	}
	fmt.Fprintf(stdout, "Gallringskörning %s klar: %d ärenden borttagna (%d beslut), %d överhoppade (ny anteckning sedan förslaget), "+
		"personuppgifter borttagna ur %d händelser i granskningsloggen, %d omgångar.\n",
		run.ID, run.RemovedCases, run.RemovedDecisions, run.SkippedCases, run.RemovedPayloads, run.Batches)
	return nil
}

func gallringList(ctx context.Context, db *store.DB, stdout io.Writer) error {
	runs, err := gallringdb.New(db).GallringRuns(ctx)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintln(stdout, "Inga gallringskörningar.")
		return nil
	}
	for _, r := range runs {
		fmt.Fprintf(stdout, "%s  %s  kommun %s  bedömd %s  föreslagen av %s", r.ID, r.State, r.Municipality, r.On, r.ProposedBy)
		if r.ScheduledYear != 0 {
			fmt.Fprintf(stdout, " (årlig, %d)", r.ScheduledYear)
		}
		if r.CheckedBy != "" {
			fmt.Fprintf(stdout, ", första godkännande av %s", r.CheckedBy)
		}
		if r.ApprovedBy != "" {
			fmt.Fprintf(stdout, ", godkänd av %s", r.ApprovedBy)
		}
		fmt.Fprintf(stdout, "  personer %d (behålls %d)  ärenden %d/%d  beslut %d  loggposter %d\n",
			r.PlannedPersons, r.KeptPersons, r.RemovedCases, r.PlannedCases, r.RemovedDecisions, r.RemovedPayloads)
	}
	return nil
}

// GallringErr turns a refusal into a message for the user.
func GallringErr(err error) error {
	var e *skalig.Error
	if errors.As(err, &e) && e.Code != skalig.EINTERNAL {
		return &cli.ExitError{Code: cli.ExitFailure, Msg: e.Message}
	}
	var ge *gallring.Error
	if errors.As(err, &ge) {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: ge.Error()}
	}
	return err
}

// ScheduleGallring is the yearly gallring job of serve and worker: every
// interval (hourly when 0) it prepares the year's run when it is due
// (ScheduleGallringOnce). Until ctx is done.
func ScheduleGallring(ctx context.Context, db *store.DB, cfg config.Config, log *slog.Logger, every time.Duration) {
	if every <= 0 {
		every = time.Hour
	}
	for {
		run, made, err := ScheduleGallringOnce(ctx, db, cfg)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				log.Error("gallring schedule", "err", err)
			}
		case made:
			log.Info("the year's gallring run is prepared: two persons approve it (skalig gallring approve RUN --by USER)",
				"run", run.ID, "year", run.ScheduledYear, "persons", run.PlannedPersons, "cases", run.PlannedCases)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// ScheduleGallringOnce prepares the year's gallring run of the
// configured municipality when the day of SKALIG_GALLRING_SCHEDULE has come
// this year (store.ScheduleGallring: one run per municipality and year,
// however many processes do this, judged on the day it is made). It
// reports the run (nil before the day) and whether this call made it.
func ScheduleGallringOnce(ctx context.Context, db *store.DB, cfg config.Config) (*gallringdb.GallringRun, bool, error) {
	month, day, on, err := cfg.GallringDay()
	if err != nil || !on {
		return nil, false, err
	}
	rules, err := cfg.Gallring()
	if err != nil {
		return nil, false, err
	}
	today := skalig.DateOf(db.Clock())
	if !gallring.ScheduleDue(today, int(month), day) {
		return nil, false, nil
	}
	return gallringdb.New(db).ScheduleGallring(ctx, rules, today)
}
