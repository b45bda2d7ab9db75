package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"skalig"
	"skalig/internal/config"
	"skalig/internal/payments"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
)

const paymentsUse = `Användning:
  skalig payments run [--out KATALOG]        samla beställda utbetalningar i en betalningsfil (pain.001)
  skalig payments import FIL [--by ANVÄNDARE]
                                             läs in bankens svar (pain.002 eller camt.054)
  skalig payments held                       visa utbetalningar som väntar på attest
  skalig payments rejected                   visa utbetalningar som banken har avvisat, med bankens skäl
  skalig payments release ID --by ANVÄNDARE  attestera en utbetalning (inte den som beslutade)
  skalig payments reorder ID --by ANVÄNDARE  beställ en avvisad utbetalning på nytt till ärendets konto
  skalig payments runs                       visa betalningsfilerna
  skalig payments export ID [--out KATALOG]  skriv en betalningsfil igen, byte för byte
  skalig payments simulate-bank ID [--out KATALOG] [--reject BETALNINGS-ID=KOD,…]
                                             skriv bankens svar på en fil som en bank skulle (demo, test)
Alla tar --database DSN (standard: SKALIG_DATABASE).`

// paymentsConfig is the payment service's configuration from cfg.
func paymentsConfig(cfg config.Config, cases *store.CaseStore) payments.Config {
	return payments.Config{Cases: cases, Policy: paymentPolicy(cfg), Debtor: payments.Debtor{
		Name: cfg.PaymentDebtorName, OrgID: cfg.PaymentOrgID, IBAN: cfg.PaymentDebtorIBAN, BIC: cfg.PaymentDebtorBIC}}
}

// paymentPolicy is the payment control of cfg.
func paymentPolicy(cfg config.Config) payments.Policy {
	return payments.Policy{AccountChangeDays: cfg.PaymentAccountChangeDays, HoldAbove: skalig.Kronor(cfg.PaymentHoldAbove)}
}

// runPayments is skalig payments.
func runPayments(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageErr("%s", paymentsUse)
	}
	cmd := args[0]
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs := flag.NewFlagSet("payments", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "databas")
	out := fs.String("out", cfg.PaymentDir, "katalog")
	by := fs.String("by", "", "användare")
	reject := fs.String("reject", "", "avvisade betalningar")
	// Flags may come before or after the positional argument.
	var pos []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return usageErr("%s", paymentsUse)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%v", err)
	}
	if *out == "" {
		*out = "."
	}
	want := map[string]int{"run": 0, "import": 1, "held": 0, "rejected": 0, "release": 1, "reorder": 1, "runs": 0, "export": 1, "simulate-bank": 1}
	n, ok := want[cmd]
	if !ok || len(pos) != n {
		return usageErr("%s", paymentsUse)
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte öppna databasen: %v", err)}
	}
	defer db.Close()
	if ok, err := db.SchemaUpToDate(ctx); err != nil {
		return err
	} else if !ok {
		return &exitError{Code: exitFailure, Msg: "databasens schema är inte aktuellt: kör först skalig migrate"}
	}
	cases := store.NewCaseStore(db)
	svc := payments.New(paymentsConfig(cfg, cases))
	fail := func(err error) error {
		if skalig.ErrorCode(err) == skalig.EINTERNAL {
			return err
		}
		return &exitError{Code: exitFailure, Msg: skalig.ErrorMessage(err)}
	}
	actor := "cli:payments"
	if *by != "" && (cmd == "run" || cmd == "import" || cmd == "export") {
		actor = "user:" + *by
	}
	switch cmd {
	case "run":
		paths, r, err := svc.Run(ctx, *out, actor)
		for _, p := range paths {
			fmt.Fprintln(stdout, p)
		}
		if errors.Is(err, paymentdb.ErrNothingDue) {
			if len(paths) == 0 {
				fmt.Fprintln(stdout, "Inga utbetalningar att betala ut.")
			}
			return nil
		}
		if err != nil {
			return fail(err)
		}
		_ = r
		return nil
	case "import":
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte läsa filen %s: %v", pos[0], err)}
		}
		imp, err := svc.Import(ctx, data, actor)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "Inläst %s (%s): %d utbetalda, %d avvisade och lämnade till en handläggare, %d redan kända.\n",
			imp.MessageID, imp.Format, imp.Executed, imp.Rejected, imp.Unchanged)
		return nil
	case "held":
		ps, err := svc.Held(ctx)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			fmt.Fprintln(stdout, "Inga utbetalningar väntar på attest.")
			return nil
		}
		fmt.Fprintf(stdout, "%-26s %-26s %12s  %s\n", "UTBETALNING", "ÄRENDE", "BELOPP", "SKÄL")
		for _, p := range ps {
			fmt.Fprintf(stdout, "%-26s %-26s %12s  %s\n", p.ID, p.CaseID, p.Amount.Swedish(), payments.HoldText(p.HoldReason))
		}
		return nil
	case "rejected":
		ps, err := paymentdb.New(cases).PaymentsByStatus(ctx, store.PaymentRejected, 1000)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			fmt.Fprintln(stdout, "Inga utbetalningar är avvisade av banken.")
			return nil
		}
		fmt.Fprintf(stdout, "%-26s %-26s %12s  %s\n", "UTBETALNING", "ÄRENDE", "BELOPP", "BANKENS SKÄL")
		for _, p := range ps {
			fmt.Fprintf(stdout, "%-26s %-26s %12s  %s %s\n", p.ID, p.CaseID, p.Amount.Swedish(), p.BankCode, p.BankText)
		}
		return nil
	case "release":
		p, err := svc.Release(ctx, pos[0], *by)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "Utbetalningen %s (%s) är attesterad av %s och går med nästa betalningsfil.\n", p.ID, p.Amount.Swedish(), p.ReleasedBy)
		return nil
	case "reorder":
		p, err := svc.Reorder(ctx, pos[0], *by)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "Utbetalningen är beställd på nytt som %s (%s, %s).\n", p.ID, p.Amount.Swedish(), p.Status.Swedish())
		return nil
	case "runs":
		runs, err := paymentdb.New(cases).PaymentRuns(ctx, false, 100)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-33s %-10s %5s %14s  %s\n", "BETALNINGSFIL", "DATUM", "ANTAL", "SUMMA", "SKRIVEN")
		for _, r := range runs {
			written := "nej"
			if !r.ExportedAt.IsZero() {
				written = r.ExportedAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(stdout, "%-33s %-10s %5d %14s  %s\n", r.MessageID, r.ExecutionDate, r.Count, r.Total.Swedish(), written)
		}
		return nil
	case "export":
		p, err := svc.Export(ctx, pos[0], *out, actor)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, p)
		return nil
	case "simulate-bank":
		p, err := simulateBank(ctx, cases, paymentsConfig(cfg, cases).Debtor, pos[0], *out, *reject)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, p)
		return nil
	}
	return usageErr("%s", paymentsUse)
}

// simulateBank writes the answer a bank would send for run id into dir: a
// camt.054 debit notification of every payment, or, with rejections
// ("ID=AC04,ID2=MS03"), a pain.002 status report that rejects those and
// reports the others settled. It returns the file's path.
func simulateBank(ctx context.Context, cases *store.CaseStore, d payments.Debtor, id, dir, reject string) (string, error) {
	r, err := paymentdb.New(cases).PaymentRun(ctx, id)
	if err != nil {
		return "", err
	}
	ps, err := paymentdb.New(cases).RunPayments(ctx, r.ID)
	if err != nil {
		return "", err
	}
	var data []byte
	name := "camt054-" + r.ID + ".xml"
	if reject == "" {
		data, err = payments.SimulatedNotification(r, ps, d, r.CreatedAt.Add(time.Hour), nil)
	} else {
		rej := map[string]string{}
		for _, item := range strings.Split(reject, ",") {
			pid, code, ok := strings.Cut(strings.TrimSpace(item), "=")
			if !ok || pid == "" || code == "" {
				return "", skalig.Errorf(skalig.EINVALID, "--reject ska vara BETALNINGS-ID=KOD, till exempel 01J…=AC04.")
			}
			rej[pid] = code
		}
		name = "pain002-" + r.ID + ".xml"
		data, err = payments.SimulatedStatusReport(r, ps, r.CreatedAt.Add(time.Hour), rej)
	}
	if err != nil {
		return "", err
	}
	return payments.WriteFile(dir, filepath.Base(name), data)
}

// bankAnswer answers payment run r as the demo's simulated bank: when
// BankSim is set, it writes the bank's debit notification (all paid out)
// beside the payment files, in bank-svar/, and imports it, as a
// municipality's file transfer would.
func (m *Main) bankAnswer(ctx context.Context, r *paymentdb.PaymentRun) {
	if !m.BankSim {
		return
	}
	p, err := simulateBank(ctx, m.Cases, paymentsConfig(m.Config, m.Cases).Debtor, r.ID, filepath.Join(m.Config.PaymentDir, "bank-svar"), "")
	if err != nil {
		m.Logger.Error("simulated bank", "run_id", r.ID, "err", err)
		return
	}
	data, err := os.ReadFile(p)
	if err == nil {
		_, err = m.Payments.Import(ctx, data, "bank:simulated")
	}
	if err != nil {
		m.Logger.Error("simulated bank answer", "run_id", r.ID, "err", err)
		return
	}
	m.Logger.Info("simulated bank answered", "run_id", r.ID, "file", p)
}
