package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"skalig"
	"skalig/internal/registry/sim"
)

const simUsage = `Användning:
  skalig sim registers [--addr HOST:PORT] [--seed N] [--certs KATALOG] [--host NAMN,...]
                       [--latency fk=50-200ms,...] [--faults all=0.3,...] [--hang-max 60s]
      kör registersimulatorn (SOAP över HTTPS med klientcertifikat)
  skalig sim persons [--seed N] [--month ÅÅÅÅ-MM] [--n 10] [--first 0]
      visa syntetiska testpersoner och vad registren har om dem

--latency: KÄLLA=MIN-MAX per källa (all, af, csn, fk, skv, akassa, ts, migr).
--faults:  KÄLLA[:SLAG]=ANDEL, SLAG är error, timeout, baddata, malformed, hang eller drop;
           utan SLAG delas andelen lika mellan alla slag.
`

// runSim runs "skalig sim …" until interrupted.
func runSim(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runSimContext(ctx, args, stdout, stderr)
}

// runSimContext is runSim until ctx ends, for tests.
func runSimContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, simUsage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "registers":
		err = runSimRegisters(ctx, args[1:], stdout, stderr)
	case "persons":
		err = runSimPersons(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, simUsage)
		return exitOK
	default:
		err = usageErr("okänt simulatorkommando %q\n\n%s", args[0], simUsage)
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
	fmt.Fprintln(stderr, "skalig sim:", err)
	return exitFailure
}

func simFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("skalig sim "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func runSimRegisters(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := simFlags("registers")
	addr := fs.String("addr", "127.0.0.1:8443", "")
	seed := fs.Uint64("seed", 1, "")
	certDir := fs.String("certs", filepath.Join(os.TempDir(), "skalig-sim-certs"), "")
	hosts := fs.String("host", "", "")
	latency := fs.String("latency", "", "")
	faults := fs.String("faults", "", "")
	hangMax := fs.Duration("hang-max", time.Minute, "")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v\n\n%s", err, simUsage)
	}
	if fs.NArg() > 0 {
		return usageErr("oväntat argument %q\n\n%s", fs.Arg(0), simUsage)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageErr("--addr %q: skriv VÄRD:PORT", *addr)
	}
	lat, err := sim.ParseLatency(*latency)
	if err != nil {
		return usageErr("--latency: %v", err)
	}
	flt, err := sim.ParseFaults(*faults)
	if err != nil {
		return usageErr("--faults: %v", err)
	}
	var sans []string
	if host != "" && host != "0.0.0.0" && host != "::" {
		sans = append(sans, host)
	}
	for _, h := range strings.Split(*hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			sans = append(sans, h)
		}
	}
	certs, err := sim.GenerateCerts(*certDir, sans...)
	if err != nil {
		return fmt.Errorf("certifikat i %s: %w", *certDir, err)
	}
	s := sim.New(sim.Config{Seed: *seed, Latency: lat, Faults: flt, HangMax: *hangMax})
	srv, err := s.StartTLS(*addr, certs, log.New(stderr, "sim: ", 0))
	if err != nil {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte lyssna på %s: %v", *addr, err)}
	}
	fmt.Fprintf(stdout, "Registersimulatorn svarar på %s (frö %d).\n", srv.URL, *seed)
	fmt.Fprintf(stdout, "Certifikat i %s: CA %s, klient %s och %s.\n", certs.Dir, sim.CAFile, sim.ClientCertFile, sim.ClientKeyFile)
	fmt.Fprintf(stdout, "Latens: %s. Fel: %s.\n", describeLatency(lat), describeFaults(flt))
	fmt.Fprintln(stdout, "Avsluta med Ctrl-C.")
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	fmt.Fprintln(stdout, "Registersimulatorn har stannat.")
	return nil
}

func describeLatency(l map[string]sim.Latency) string {
	var parts []string
	for _, src := range skalig.RegisterNames {
		if v, ok := l[src]; ok {
			parts = append(parts, fmt.Sprintf("%s %v-%v", src, v.Min, v.Max))
		}
	}
	if len(parts) == 0 {
		return "ingen"
	}
	return strings.Join(parts, ", ")
}

func describeFaults(f map[string]sim.Faults) string {
	var parts []string
	for _, src := range skalig.RegisterNames {
		if v, ok := f[src]; ok && v.Total() > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f %%", src, 100*v.Total()))
		}
	}
	if len(parts) == 0 {
		return "inga"
	}
	return strings.Join(parts, ", ")
}

func runSimPersons(args []string, stdout io.Writer) error {
	fs := simFlags("persons")
	seed := fs.Uint64("seed", 1, "")
	month := fs.String("month", "2025-03", "")
	n := fs.Int("n", 10, "")
	first := fs.Int("first", 0, "")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v\n\n%s", err, simUsage)
	}
	m, ok := skalig.ParseMonth(*month)
	if !ok {
		return usageErr("--month %q: skriv ÅÅÅÅ-MM", *month)
	}
	if *n < 1 || *n > 10000 || *first < 0 {
		return usageErr("--n ska vara 1-10000 och --first minst 0")
	}
	fmt.Fprintf(stdout, "Syntetiska testpersoner (frö %d, %s). Inkomster netto per månad enligt registren.\n", *seed, m)
	for i := *first; i < *first+*n; i++ {
		pn := sim.TestPersonnummer(i)
		p := sim.ProfileOf(*seed, pn, m)
		var inc []string
		for kind, amt := range p.Incomes {
			inc = append(inc, kind+" "+amt.String())
		}
		slices.Sort(inc)
		line := fmt.Sprintf("%s  %-22s", pn.Canonical(), p.Situation)
		if len(inc) > 0 {
			line += "  inkomster: " + strings.Join(inc, ", ")
		}
		var other []string
		for _, f := range p.Facts {
			switch f.Kind {
			case skalig.KindAssetVehicle:
				other = append(other, "fordon "+f.Value.Text)
			case skalig.KindPermitStatus:
				other = append(other, "tillstånd "+f.Value.Text)
			case skalig.KindAFRegistered:
				other = append(other, "inskriven på AF "+map[string]string{"yes": "ja", "no": "nej"}[f.Value.Text])
			}
		}
		if len(other) > 0 {
			line += "  " + strings.Join(other, ", ")
		}
		if len(p.Unknown) > 0 {
			line += "  okänd hos: " + strings.Join(p.Unknown, ", ")
		}
		fmt.Fprintln(stdout, line)
	}
	return nil
}
