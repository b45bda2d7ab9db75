package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"skalig"
	"skalig/internal/params"
	"skalig/internal/rulestest"
	"skalig/internal/store"
	"skalig/internal/store/paramdb"
)

const paramsUsage = `Användning:
  skalig params show [--year ÅÅÅÅ] [--database DSN]
  skalig params import FIL --by ANVÄNDARE [--database DSN]
  skalig params approve VERSION --by ANVÄNDARE [--database DSN]
  skalig params list [--database DSN]`

func runParams(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageErr("%s", paramsUsage)
	}
	switch args[0] {
	case "show":
		return runParamsShow(ctx, args[1:], stdout)
	case "import", "approve", "list":
	default:
		return usageErr("%s", paramsUsage)
	}
	var by string
	flagArgs, pos := splitFlags(args[1:], "database", "by")
	db, rest, _, err := openDBWith(ctx, "params "+args[0], flagArgs, paramsUsage, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "vem")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	pos = append(pos, rest...)
	if err := schemaCurrent(ctx, db); err != nil {
		return err
	}
	ps := paramdb.New(db)
	switch args[0] {
	case "import":
		if len(pos) != 1 || by == "" {
			return usageErr("%s", paramsUsage)
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return usageErr("kan inte läsa %s: %v", pos[0], err)
		}
		v, err := ps.Import(ctx, filepath.Base(pos[0]), data, by)
		if err != nil {
			if skalig.ErrorCode(err) == skalig.EINVALID {
				return usageErr("Filen lästes inte in: %s", skalig.ErrorMessage(err))
			}
			return err
		}
		fmt.Fprintf(stdout, "Version %d: parametrar för %d inlästa av %s (%s, sha256 %s).\n", v.ID, v.Year, v.LoadedBy, v.FileName, v.SHA256[:12])
		if v.Provisional > 0 {
			fmt.Fprintf(stdout, "%d värden är preliminära: ärenden som använder dem går alltid till en handläggare.\n", v.Provisional)
		}
		fmt.Fprintf(stdout, "Versionen gäller först när en annan person har godkänt den: skalig params approve %d --by ANVÄNDARE\n", v.ID)
	case "approve":
		if len(pos) != 1 || by == "" {
			return usageErr("%s", paramsUsage)
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return usageErr("VERSION ska vara ett versionsnummer (se skalig params list), inte %q", pos[0])
		}
		v, err := ps.Approve(ctx, id, by)
		if err != nil {
			switch skalig.ErrorCode(err) {
			case skalig.EINVALID, skalig.EFORBIDDEN, skalig.ECONFLICT, skalig.ENOTFOUND:
				return usageErr("%s", skalig.ErrorMessage(err))
			}
			return err
		}
		fmt.Fprintf(stdout, "Version %d (parametrar för %d) godkänd av %s och gäller nu.\n", v.ID, v.Year, v.ApprovedBy)
		fmt.Fprintf(stdout, "Ärenden för %d som väntar på parametrar beräknas om och fördelas på nytt av arbetarna.\n", v.Year)
	case "list":
		if len(pos) != 0 {
			return usageErr("%s", paramsUsage)
		}
		vs, err := ps.Versions(ctx)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			fmt.Fprintln(stdout, "Inga inlästa parameterversioner: de inbyggda tabellerna gäller.")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tÅR\tSTATUS\tFIL\tINLÄST AV\tINLÄST\tGODKÄND AV\tGODKÄND\tPRELIMINÄRA")
		for _, v := range vs {
			st, approved := "väntar på godkännande", ""
			if v.Status == paramdb.ParamsApproved {
				st, approved = "godkänd", v.ApprovedAt.Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", v.ID, v.Year, st, v.FileName, v.LoadedBy,
				v.LoadedAt.Format(time.DateTime), v.ApprovedBy, approved, v.Provisional)
		}
		return tw.Flush()
	}
	return nil
}

// schemaCurrent refuses a database whose schema is not up to date.
func schemaCurrent(ctx context.Context, db *store.DB) error {
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if cur != latest {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf(
			"databasens schema är version %d men programmet behöver %d: kör först skalig migrate (%s)", cur, latest, db)}
	}
	return nil
}

// splitFlags separates the flags (with their values) from the other
// arguments, wherever they stand: "import FIL --by X" as "--by X FIL".
func splitFlags(args []string, valued ...string) (flags, pos []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && slices.Contains(valued, name) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return flags, pos
}

// runParamsShow lists the parameters in force with status and source, and
// what is missing: the embedded tables, or with a database (--database or
// SKALIG_DATABASE) the approved versions over them and those waiting.
func runParamsShow(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "Användning: skalig params show [--year ÅÅÅÅ] [--database DSN]"
	fs := flag.NewFlagSet("params show", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	year := fs.Int("year", 0, "visa bara värden som gäller något år")
	dsn := fs.String("database", os.Getenv("SKALIG_DATABASE"), "databas")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return usageErr(use)
	}
	p, err := params.Default()
	if err != nil {
		return err
	}
	var versions []paramdb.Version
	if *dsn != "" {
		db, err := store.Open(ctx, *dsn)
		if err != nil {
			return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte öppna databasen: %v", err)}
		}
		defer db.Close()
		if err := schemaCurrent(ctx, db); err != nil {
			return err
		}
		ps := paramdb.New(db)
		if p, _, err = ps.Effective(ctx); err != nil {
			return err
		}
		if versions, err = ps.Versions(ctx); err != nil {
			return err
		}
	}
	years := p.Years()
	vals := p.Values(*year)
	if len(vals) == 0 && (*year < years[0] || *year > time.Now().Year()+1) {
		return usageErr("--year: det finns inga parametrar för %d (riksnorm finns för %v)", *year, years)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARAMETER\tPERIOD\tVÄRDE\tSTATUS\tKÄLLA")
	provisional := 0
	for _, v := range vals {
		st := v.Status.String()
		if v.Status == params.Provisional {
			st = "!! PROVISIONAL (preliminärt, inte för automatiska beslut)"
			provisional++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.ID, v.PeriodText(), v.ValueText(), st, v.Source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if provisional > 0 {
		fmt.Fprintf(stdout, "\n%d preliminära värden: ärenden som använder dem går alltid till en handläggare.\n", provisional)
	}
	fmt.Fprintf(stdout, "\nRiksnorm finns för: %s\n", yearsList(years))
	if l := p.Loaded(); len(l) > 0 {
		fmt.Fprintf(stdout, "Inlästa och godkända år (ersätter eller lägger till inbyggda tabeller): %s\n", yearsList(l))
	}
	// What is missing: the year asked for, or every year from the first
	// table to next year.
	from, to := years[0], time.Now().Year()+1
	if *year != 0 {
		from, to = *year, *year
	}
	var missing []string
	for y := from; y <= to; y++ {
		if m := p.Missing(y); len(m) > 0 {
			missing = append(missing, fmt.Sprintf("  %d: %s", y, strings.Join(m, "; ")))
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(stdout, "\nSaknas (ett ärende som behöver ett saknat värde går till en handläggare med skälet parameters_missing eller parameter_missing och beräknas om när året har lästs in och godkänts):\n%s\n", strings.Join(missing, "\n"))
	}
	for _, v := range versions {
		if v.Status == paramdb.ParamsPending && (*year == 0 || v.Year == *year) {
			fmt.Fprintf(stdout, "Version %d för %d väntar på godkännande (inläst av %s): skalig params approve %d --by ANVÄNDARE\n", v.ID, v.Year, v.LoadedBy, v.ID)
		}
	}
	return nil
}

func yearsList(ys []int) string {
	s := ""
	for i, y := range ys {
		if i > 0 {
			s += ", "
		}
		s += strconv.Itoa(y)
	}
	return s
}

func runRules(args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "test" {
		return usageErr("Användning: skalig rules test KATALOG")
	}
	p, err := params.Default()
	if err != nil {
		return err
	}
	cases, err := rulestest.Load(args[1])
	if err != nil {
		return usageErr("%v", err)
	}
	passed, failed := 0, 0
	for _, c := range cases {
		fails := rulestest.Run(c, p)
		if len(fails) == 0 {
			passed++
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL %s: %s\n", c.Name, c.Description)
		for _, f := range fails {
			fmt.Fprintf(stdout, "     %s\n", f)
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return &exitError{Code: exitFailure}
	}
	return nil
}
