package records

import (
	"context"
	"flag"
	"fmt"
	"io"
	"skalig/cmd/skalig/internal/cli"
	"skalig/internal/store/recordsdb"
	"strings"

	"skalig"
)

const claimUsage = `Användning:
  skalig claim open PERSONNUMMER --by ANVÄNDARE [--note TEXT] [--municipality KOD]
                                   registrera ett öppet återkrav på personen (gallras inte medan det är öppet)
  skalig claim close ÅTERKRAV --by ANVÄNDARE
                                   avsluta återkravet
  skalig claim list PERSONNUMMER   visa personens återkrav
Alla tar --database DSN. Se docs/gallring.md.`

// RunClaim is skalig claim: the minimal återkrav model that keeps a
// person's akt from gallring while a claim is open (docs/gallring.md).
func RunClaim(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		return cli.UsageErr("%s", claimUsage)
	}
	sub, arg := args[0], args[1]
	var by, note, mun string
	db, rest, cfg, err := cli.OpenDBWith(ctx, "claim", args[2:], claimUsage, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "")
		fs.StringVar(&note, "note", "", "")
		fs.StringVar(&mun, "municipality", "", "")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if len(rest) != 0 {
		return cli.UsageErr("%s", claimUsage)
	}
	if ok, err := db.SchemaUpToDate(ctx); err != nil {
		return err
	} else if !ok {
		return &cli.ExitError{Code: cli.ExitFailure, Msg: "Databasens schema är inte aktuellt: kör skalig migrate först."}
	}
	if mun == "" {
		mun = cfg.Municipality
	}
	recs := recordsdb.New(db)
	switch sub {
	case "open":
		if by == "" {
			return cli.UsageErr("Ange vem som registrerar återkravet: --by ANVÄNDARE.")
		}
		c, err := recs.OpenClaim(ctx, mun, skalig.PersonalNumber(arg), note, by)
		if err != nil {
			return claimErr(err)
		}
		fmt.Fprintf(stdout, "Återkrav %s registrerat på %s i kommun %s av %s. Personens akt gallras inte medan det är öppet.\n",
			c.ID, c.PersonalNumber.Masked(), c.Municipality, by)
	case "close":
		if by == "" {
			return cli.UsageErr("Ange vem som avslutar återkravet: --by ANVÄNDARE.")
		}
		c, err := recs.CloseClaim(ctx, arg, by)
		if err != nil {
			return claimErr(err)
		}
		fmt.Fprintf(stdout, "Återkrav %s på %s avslutat av %s.\n", c.ID, c.PersonalNumber.Masked(), by)
	case "list":
		pn := skalig.PersonalNumber(arg)
		if pn.Validate() != nil {
			return cli.UsageErr("Personnummer: %q är inget giltigt personnummer.", arg)
		}
		cs, err := recs.Claims(ctx, pn)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			fmt.Fprintf(stdout, "Inga återkrav på %s.\n", pn.Masked())
		}
		for _, c := range cs {
			state := "öppet"
			if !c.Open() {
				state = fmt.Sprintf("avslutat %s av %s", c.ClosedAt.Format("2006-01-02"), c.ClosedBy)
			}
			fmt.Fprintf(stdout, "%s  kommun %s  registrerat %s av %s  %s  %s\n", c.ID, c.Municipality, c.OpenedAt.Format("2006-01-02"), c.OpenedBy, state, c.Note)
		}
	default:
		return cli.UsageErr("%s", claimUsage)
	}
	return nil
}

func claimErr(err error) error {
	if e, ok := err.(*skalig.Error); ok && e.Code == skalig.EINVALID {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: e.Message}
	}
	return GallringErr(err)
}
