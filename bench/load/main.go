// Command load is Skälig's end-to-end load harness. It builds the real
// skalig binary, migrates a fresh database, starts `skalig serve` with the
// register simulator answering in 50-200 ms (SKALIG_SIM_LATENCY), submits
// auto-decidable applications (internal/demo's Plain households: monthly
// re-applications whose declared figures match the registers) over the JSON
// API at a fixed rate, and reports throughput and the latency from the
// moment a submission is sent to the moment its automated decision is
// committed.
//
// The decision time is read from the database after the run
// (decisions.decided_at, written in the transaction that commits the
// decision), so measuring adds no load while the run goes on; the clock is
// the same machine's. Sampled cases (the demo municipality draws 5 % for
// sample control) wait for a person and are left out; any other case that
// was not decided automatically is reported, since every household is meant
// to be auto-decidable.
//
// Usage:
//
//	go run ./bench/load -db sqlite -rate 300 -duration 30s [-month YYYY-MM]
//	go run ./bench/load -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' -rate 300 -duration 30s
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"skalig"
	"skalig/bench/internal/harness"
)

type config struct {
	db       string
	rate     float64
	duration time.Duration
	workers  int
	latency  string
	drain    time.Duration
	dir      string
	keep     bool
	bin      string
	env      string
	month    string
	addr     string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.db, "db", "sqlite", "sqlite, or a postgres:// URL of an existing database (a fresh schema is made in it)")
	flag.Float64Var(&cfg.rate, "rate", 300, "applications submitted per second")
	flag.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long to submit")
	flag.IntVar(&cfg.workers, "workers", 128, "skalig serve --workers: jobs at once; a fetch waits 50-200 ms for the registers, so 300/s needs well over 60")
	flag.StringVar(&cfg.latency, "latency", "all=50ms-200ms", "SKALIG_SIM_LATENCY: the registers' answer times")
	flag.DurationVar(&cfg.drain, "drain", time.Minute, "how long to wait for the last decisions after submitting stops")
	flag.StringVar(&cfg.dir, "dir", "", "work directory (binary, SQLite file, serve.log); default a temporary one")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work directory and the PostgreSQL schema")
	flag.StringVar(&cfg.bin, "bin", "", "use this skalig binary instead of building one")
	flag.StringVar(&cfg.month, "month", "", "the month applied for, YYYY-MM (default: this month, or the last month the built-in parameters cover)")
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:0", "HOST:PORT skalig serve listens on (port 0: a free one)")
	flag.StringVar(&cfg.env, "env", "", "more environment for skalig serve, space-separated KEY=VALUE")
	flag.Parse()
	if flag.NArg() != 0 || cfg.rate <= 0 || cfg.duration <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// simSeed is the simulator's population: the households are made from the
// same persons the registers will answer for.
const simSeed = 1

func run(ctx context.Context, cfg config) error {
	logf := func(format string, args ...any) { fmt.Printf(format+"\n", args...) }
	dir := cfg.dir
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	} else {
		d, err := os.MkdirTemp("", "skalig-load-")
		if err != nil {
			return err
		}
		dir = d
		if !cfg.keep {
			defer os.RemoveAll(d)
		}
	}
	bin := cfg.bin
	if bin == "" {
		logf("building skalig …")
		b, err := harness.Build(ctx, dir)
		if err != nil {
			return err
		}
		bin = b
	}
	db, err := harness.FreshDatabase(ctx, cfg.db, dir, "load")
	if err != nil {
		return err
	}
	defer func() {
		if cfg.keep {
			logf("kept %s (database %s)", dir, db.DSN)
			return
		}
		db.Drop(context.Background())
	}()
	if out, err := harness.Run(ctx, bin, nil, "migrate", "--database", db.DSN); err != nil {
		return fmt.Errorf("skalig migrate: %v\n%s", err, out)
	}

	n := int(math.Ceil(cfg.rate * cfg.duration.Seconds()))
	month, err := harness.ParseMonth(cfg.month, time.Now())
	if err != nil {
		return err
	}
	if err := harness.Decidable(month); err != nil {
		return err
	}
	hs, err := harness.AutoDecidable(simSeed, "0821", month, n)
	if err != nil {
		return err
	}
	logf("%d auto-decidable applications for %s", n, month)
	bodies := make([][]byte, n)
	for i, h := range hs {
		bodies[i] = harness.Request(h.App)
	}

	token := harness.Token()
	env := []string{"SKALIG_REGISTERS=sim", fmt.Sprintf("SKALIG_SIM_SEED=%d", simSeed), "SKALIG_API_TOKENS=load@*=" + token, "SKALIG_SIM_LATENCY=" + cfg.latency}
	env = append(env, strings.Fields(cfg.env)...)
	workers := cfg.workers
	if workers == 0 {
		workers = 32 // config.Default's, unless SKALIG_WORKERS in -env says otherwise
		for _, e := range env {
			if v, ok := strings.CutPrefix(e, "SKALIG_WORKERS="); ok {
				fmt.Sscan(v, &workers)
			}
		}
	}
	logPath := filepath.Join(dir, "serve.log")
	srv, err := harness.StartAt(ctx, bin, db.DSN, cfg.addr, workers, env, logPath)
	if err != nil {
		return err
	}
	defer srv.Stop()
	client := harness.NewClient(token)
	client.SetURL(srv.URL)
	logf("skalig serve at %s on %s, %d workers, registers answering in %s", srv.URL, db.Dialect, workers, cfg.latency)
	logf("submitting %d Plain households at %.0f/s for %s …", n, cfg.rate, cfg.duration)

	// Open loop: submission i starts at t0 + i/rate, whether or not the
	// earlier ones have been answered, so a slow server shows as latency
	// instead of a lower offered rate.
	sent := make([]time.Time, n)
	acked := make([]time.Duration, n)
	caseOf := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	t0 := time.Now().Add(50 * time.Millisecond)
	interval := time.Duration(float64(time.Second) / cfg.rate)
	for i := range n {
		at := t0.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent[i] = time.Now()
			a, _, err := client.Submit(ctx, hs[i].App.IdempotencyKey, bodies[i], 100*time.Millisecond)
			acked[i] = time.Since(sent[i])
			if err != nil {
				errs[i] = err
				return
			}
			caseOf[i] = a.CaseID
		}()
	}
	wg.Wait()
	tEnd := time.Now()
	failed := 0
	for _, e := range errs {
		if e != nil {
			failed++
			if failed <= 5 {
				logf("submission failed: %v", e)
			}
		}
	}
	logf("submitted in %.1fs: %.1f/s acknowledged, %d failed", tEnd.Sub(t0).Seconds(), float64(n-failed)/tEnd.Sub(t0).Seconds(), failed)

	sdb, err := db.Open(ctx)
	if err != nil {
		return err
	}
	defer sdb.Close()
	// Wait until no case is on its way to a decision any more.
	for deadline := time.Now().Add(cfg.drain); ; {
		var pending int
		if err := sdb.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE state IN ('submitted','fetching','calculated','auto_decided')`).Scan(&pending); err != nil {
			return err
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			logf("%d cases still on their way %s after submitting stopped", pending, cfg.drain)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	type row struct {
		state, reasons string
		decidedAt      harness.Time
		delegation     string
	}
	rows, err := sdb.SQL().QueryContext(ctx, `
		SELECT c.id, c.state, c.routing_reasons, d.decided_at, COALESCE(d.decided_by_delegation, '')
		FROM cases c LEFT JOIN decisions d ON d.case_id = c.id`)
	if err != nil {
		return err
	}
	byCase := map[string]row{}
	for rows.Next() {
		var id string
		var r row
		if err := rows.Scan(&id, &r.state, &r.reasons, &r.decidedAt, &r.delegation); err != nil {
			rows.Close()
			return err
		}
		byCase[id] = r
	}
	rows.Close()

	var lat []time.Duration
	var decidedAt []time.Time
	// The latency by when the application was submitted, in windows of
	// a tenth of the run: a run that keeps up is flat; one that falls
	// behind grows; a stall shows as one bad window.
	window := max(cfg.duration/10, time.Second)
	byWindow := make([][]time.Duration, int(cfg.duration/window)+1)
	states := map[string]int{}
	other := map[string]int{}
	for i := range n {
		if caseOf[i] == "" {
			continue
		}
		r := byCase[caseOf[i]]
		states[r.state]++
		switch {
		case r.state == string(skalig.StateSampled):
		case r.delegation != "" && !r.decidedAt.T.IsZero():
			lat = append(lat, r.decidedAt.T.Sub(sent[i]))
			decidedAt = append(decidedAt, r.decidedAt.T)
			if w := int(sent[i].Sub(t0) / window); w >= 0 && w < len(byWindow) {
				byWindow[w] = append(byWindow[w], r.decidedAt.T.Sub(sent[i]))
			}
		default:
			other[r.state+" "+r.reasons]++
		}
	}
	ackLat := slices.Clone(acked)
	slices.Sort(ackLat)
	slices.Sort(lat)
	sort.Slice(decidedAt, func(i, j int) bool { return decidedAt[i].Before(decidedAt[j]) })

	fmt.Println()
	fmt.Printf("load: %s, %d applications offered at %.0f/s for %s, %d workers, registers %s\n",
		db.Dialect, n, cfg.rate, cfg.duration, workers, cfg.latency)
	var sts []string
	for s, c := range states {
		sts = append(sts, fmt.Sprintf("%s=%d", s, c))
	}
	slices.Sort(sts)
	fmt.Printf("cases: %s\n", strings.Join(sts, " "))
	for k, c := range other {
		fmt.Printf("  NOT auto-decided (neither sampled): %d × %s\n", c, k)
	}
	fmt.Printf("submit (HTTP 201):   p50 %s  p99 %s  max %s\n", pct(ackLat, 50), pct(ackLat, 99), pct(ackLat, 100))
	if len(lat) == 0 {
		return fmt.Errorf("no automated decisions")
	}
	fmt.Printf("submit → decision:   p50 %s  p90 %s  p99 %s  max %s  (%d automated decisions; %d sampled left out)\n",
		pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100), len(lat), states[string(skalig.StateSampled)])
	var tl []string
	for w, ls := range byWindow {
		if len(ls) == 0 {
			continue
		}
		slices.Sort(ls)
		tl = append(tl, fmt.Sprintf("%ds: %s/%s", int((time.Duration(w)*window).Seconds()), pct(ls, 50), pct(ls, 99)))
	}
	fmt.Printf("by time submitted (p50/p99): %s\n", strings.Join(tl, "  "))
	// Throughput: decisions per second over the submitting window, after
	// the first 10 % (start-up), and over the whole run.
	from, to := t0.Add(cfg.duration/10), tEnd
	inWin := 0
	for _, d := range decidedAt {
		if !d.Before(from) && d.Before(to) {
			inWin++
		}
	}
	span := decidedAt[len(decidedAt)-1].Sub(t0)
	acks := n - failed
	fmt.Printf("throughput: %.1f applications/s acknowledged; %.1f automated decisions/s while submitting (after the first 10 %%),\n"+
		"            the last of %d decisions %.1fs after the first submission (submitting took %.1fs)\n",
		float64(acks)/tEnd.Sub(t0).Seconds(), float64(inWin)/to.Sub(from).Seconds(),
		len(lat), span.Seconds(), tEnd.Sub(t0).Seconds())
	return nil
}

// pct returns the p-th percentile of sorted d (nearest rank), rounded.
func pct(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "-"
	}
	i := int(math.Ceil(p/100*float64(len(d)))) - 1
	i = max(0, min(i, len(d)-1))
	return d[i].Round(time.Millisecond).String()
}
