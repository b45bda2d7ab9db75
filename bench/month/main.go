// Command month simulates a municipality's month in Skälig, across
// December 2026 and January 2027, on the real workflow (internal/monthsim
// over internal/workflow, internal/payments and internal/store):
//
//	go run ./bench/month                                   # SQLite in a temporary directory
//	go run ./bench/month -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./bench/month -households 300 -seed 7 -four-eyes=false
//
// Each household (internal/demo, spread over every scenario and so every
// exception kind) applies for December 2026 and for January 2027; the
// register simulator answers (and is down for two days); caseworkers act
// through the workflow's public API with real actors (a caseworker, and
// under four-eyes a second one signing); applicants answer document
// requests and withdraw a few applications; the 2027 parameters (the TEST
// table internal/params/testdata/year-2027-testdata.tsv, not the official
// one) are loaded and approved part-way; payment runs go to the simulated
// bank, whose answers are imported; the store's and the queue's clock is
// injected and moves day by day.
//
// At the end it prints the counts per state and per stop reason, and the
// cases without a way forward (monthsim.WayForward), and checks the money
// invariants (monthsim.Invariants). It exits 0 when every case has a way
// forward and every invariant holds, 1 otherwise, 2 on bad flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"skalig"
	"skalig/bench/internal/harness"
	"skalig/internal/demo"
	"skalig/internal/monthsim"
	"skalig/internal/payments"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
)

func main() {
	dbSpec := flag.String("db", "sqlite", "sqlite (a file in a temporary directory) or a postgres:// URL (a fresh schema in that database)")
	households := flag.Int("households", 300, "households, each applying for December 2026 and January 2027")
	seed := flag.Uint64("seed", 1, "seed of the households, the registers and the applicants' choices")
	fourEyes := flag.Bool("four-eyes", true, "the municipality's four-eyes rule (departures and rejections signed by a second caseworker)")
	keep := flag.Bool("keep", false, "keep the work directory and the PostgreSQL schema")
	verbose := flag.Bool("v", false, "print every case without a way forward")
	silentN := flag.Int("silent", 12, "one applicant in this many never answers a document request (0: every applicant answers)")
	noParams := flag.Bool("no-2027-params", false, "never load the 2027 parameters (the January cases are calculated by hand from 1 January)")
	flag.Parse()
	if flag.NArg() != 0 || *households < 1 {
		flag.Usage()
		os.Exit(2)
	}
	ok, err := run(context.Background(), *dbSpec, *households, *seed, *fourEyes, *keep, *verbose, *noParams, *silentN)
	if err != nil {
		fmt.Fprintln(os.Stderr, "month:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// testTable finds the 2027 TEST parameter table from the module root or
// from this directory.
func testTable() ([]byte, error) {
	for _, p := range []string{"internal/params/testdata/year-2027-testdata.tsv", "../../internal/params/testdata/year-2027-testdata.tsv"} {
		if b, err := os.ReadFile(p); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("internal/params/testdata/year-2027-testdata.tsv not found: run from the module root")
}

func run(ctx context.Context, dbSpec string, n int, seed uint64, fourEyes, keep, verbose, noParams bool, silentN int) (bool, error) {
	table, err := testTable()
	if err != nil {
		return false, err
	}
	dir, err := os.MkdirTemp("", "skalig-month")
	if err != nil {
		return false, err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	fdb, err := harness.FreshDatabase(ctx, dbSpec, dir, "month")
	if err != nil {
		return false, err
	}
	if !keep {
		defer fdb.Drop(ctx)
	}
	db, err := fdb.Open(ctx)
	if err != nil {
		return false, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "betalningar"), 0o755); err != nil {
		return false, err
	}
	e, err := monthsim.New(ctx, monthsim.Config{DB: db, Start: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC),
		Registers: sim.New(sim.Config{Seed: seed}), RegisterDeadline: 24 * time.Hour, FourEyes: fourEyes,
		Dir: filepath.Join(dir, "betalningar"), Payments: payments.Policy{HoldAbove: skalig.Kronor(15000)}})
	if err != nil {
		return false, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
	scenario := map[string]demo.Scenario{}
	silent := map[string]bool{} // applicants who never answer a document request
	t0 := time.Now()
	fmt.Printf("month: %d households × December 2026 and January 2027, seed %d, four-eyes %v, database %s\n", n, seed, fourEyes, fdb.Dialect)
	if keep {
		fmt.Printf("work directory %s; schema %q\n", dir, fdb.Schema)
	}

	dec, jan := skalig.MonthOf(2026, 12), skalig.MonthOf(2027, 1)
	decH := demo.Generate(seed, monthsim.Municipality, dec, n)
	janH := demo.Generate(seed, monthsim.Municipality, jan, n)
	submit := func(hs []demo.Household) error {
		for _, h := range hs {
			c, _, err := e.WF.Submit(ctx, h.App)
			if err != nil {
				return fmt.Errorf("submit %s: %w", h.Scenario, err)
			}
			scenario[c.ID] = h.Scenario
			silent[c.ID] = silentN > 0 && rng.IntN(silentN) == 0
		}
		return nil
	}
	// A working day: the robot, the caseworkers (rounds until nothing is
	// left to do), the applicants, a few withdrawals and messages, the
	// payment run and the bank's answer; then a day passes.
	day := func() error {
		if err := e.Drain(ctx); err != nil {
			return err
		}
		for round := 0; round < 8; round++ {
			acted, err := e.Work(ctx)
			if err != nil {
				return err
			}
			if err := e.Drain(ctx); err != nil {
				return err
			}
			answered, err := e.Answer(ctx, func(id string) bool { return silent[id] })
			if err != nil {
				return err
			}
			reviewed, err := e.Review(ctx)
			if err != nil {
				return err
			}
			if err := e.Drain(ctx); err != nil {
				return err
			}
			if acted+answered+reviewed == 0 {
				break
			}
		}
		cs, err := e.AllCases(ctx)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if monthsim.Done(c.State) {
				// Now and then an applicant asks for omprövning or
				// appeals the decision (the decider's Review round).
				if r := rng.IntN(200); r < 2 && !c.DecidedAt.IsZero() {
					if _, err := e.RequestReview(ctx, c.ID, r == 1); err != nil {
						return err
					}
				}
				continue
			}
			switch r := rng.IntN(400); {
			case r == 0:
				if _, err := e.Withdraw(ctx, c.ID); err != nil {
					return err
				}
			case r < 5:
				if err := e.Message(ctx, c.ID); err != nil {
					return err
				}
			}
		}
		if err := e.Drain(ctx); err != nil {
			return err
		}
		// The payee's bank returns one payment in 50 (account closed).
		if err := e.PaymentRun(ctx, func(*store.Payment) bool { return rng.IntN(50) == 0 }); err != nil {
			return err
		}
		return e.PassTime(ctx, 24*time.Hour)
	}

	third := n / 3
	var midStuck map[string]int
	for d := 1; d <= 62; d++ { // 1 December 2026 to 31 January 2027
		switch d {
		case 1:
			if err := submit(decH[:third]); err != nil {
				return false, err
			}
		case 3:
			// The registers are down for two days, longer than the
			// register deadline: these cases go to a person.
			e.Regs.SetDown(true)
			if err := submit(decH[third : 2*third]); err != nil {
				return false, err
			}
		case 5:
			e.Regs.SetDown(false)
			if err := submit(decH[2*third:]); err != nil {
				return false, err
			}
		case 15:
			// The e-service offers the next month: January applications
			// come in before any 2027 parameters exist.
			if err := submit(janH); err != nil {
				return false, err
			}
		case 21:
			// Before the table: which cases have no way forward now.
			mid, err := e.Check(ctx)
			if err != nil {
				return false, err
			}
			midStuck = mid.Stuck
			if noParams {
				break
			}
			// The 2027 table is loaded and approved (TEST DATA, not the
			// official table); the waiting cases are recalculated.
			if err := e.ApproveParams(ctx, "riksnorm-2027-TESTDATA.tsv", table); err != nil {
				return false, err
			}
		}
		if err := day(); err != nil {
			return false, fmt.Errorf("day %d (%s): %w", d, e.Clock.Now().Format("2006-01-02"), err)
		}
	}
	r, err := e.Check(ctx)
	if err != nil {
		return false, err
	}
	fmt.Printf("simulated to %s in %.1f s\n\n", e.Clock.Now().Format("2006-01-02"), time.Since(t0).Seconds())
	printCounts("actions", e.Stats)
	if len(midStuck) > 0 {
		printCounts("on "+time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC).Format("2006-01-02")+", before the 2027 table was approved: cases without a way forward (not counted in the exit status)", midStuck)
	}
	states := map[string]int{}
	for s, k := range r.ByState {
		states[string(s)] = k
	}
	printCounts(fmt.Sprintf("cases by state (%d cases)", r.Cases), states)
	printCounts("decisions by outcome and decider", r.Decisions)
	printCounts("cases by every reason they were stopped for (routing)", r.Seen)
	printCounts("stop reasons of the cases not done", r.ByReason)
	if len(r.Stuck) > 0 {
		printCounts("cases WITHOUT A WAY FORWARD, by reason", r.Stuck)
		kinds := map[string]int{}
		for _, line := range r.StuckCases {
			id := strings.Fields(line)[0]
			mo := strings.Fields(line)[1]
			why := line[strings.Index(line, ": ")+2:]
			kinds[string(scenario[id])+" "+mo+": "+why]++
		}
		printCounts("cases WITHOUT A WAY FORWARD, by scenario, month and reason", kinds)
		if verbose {
			for _, line := range r.StuckCases {
				fmt.Println("  " + line)
			}
		}
	} else {
		fmt.Println("every case is done or has a way forward")
	}
	if len(r.Money) > 0 {
		fmt.Println("MONEY INVARIANTS VIOLATED:")
		for _, m := range r.Money {
			fmt.Println("  " + m)
		}
	} else {
		fmt.Println("money invariants hold: one decision per case, at most one payment not rejected, payments equal decisions and receipts, nothing paid for withdrawn or rejected cases")
	}
	return len(r.Stuck) == 0 && len(r.Money) == 0, nil
}

func printCounts(title string, m map[string]int) {
	fmt.Println(title + ":")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-70s %6d\n", k, m[k])
	}
	fmt.Println()
}
