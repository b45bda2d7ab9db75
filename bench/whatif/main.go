// Command whatif measures what-if runs (internal/whatif) and the replay of
// every decision (skalig decision replay --all) over many stored decisions:
//
//	go run ./bench/whatif -cases 100000                        # SQLite in a temporary directory
//	go run ./bench/whatif -cases 100000 -db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
//	go run ./bench/whatif -cases 100000 -db sqlite:/tmp/whatif.db -keep   # reuse what an earlier run stored
//
// It first runs demo households through the real workflow (the register
// simulator, the robot's routing and decisions, a caseworker's decision for
// the cases that go to a person), then stores copies of their decisions by
// bulk insert until the database holds n: each copy is a case of its own
// (its application, case, facts, receipt sealed anew for the new case id,
// and decision with its seed's compact inputs), so the runs read n real
// decisions. Then it runs the candidate over all of them and prints
// decisions/s, the time for 100 000 and the CPU time, with the time to only
// read them, for comparison; then the same for the replay (-replay=false:
// not). It fails when a decision does not replay identically.
//
// On PostgreSQL, -db names a database whose public schema the command
// fills (use a database of its own); -keep leaves the data for a later run.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
	"skalig/internal/store/whatifdb"
	"skalig/internal/whatif"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/replay"
)

func main() {
	n := flag.Int("n", 100_000, "number of stored decisions to run over")
	flag.IntVar(n, "cases", 100_000, "the same as -n")
	dsn := flag.String("db", "", "database (sqlite:FILE or postgres://...); default SQLite in a temporary directory")
	households := flag.Int("households", 64, "demo households run through the real workflow to copy")
	keep := flag.Bool("keep", false, "reuse the decisions already stored (and keep them)")
	workers := flag.Int("workers", 0, "recalculation workers (default GOMAXPROCS)")
	page := flag.Int("page", 1000, "receipts read at a time")
	cand := flag.String("candidate", "municipal", "municipal (examples/whatif/0821-bostad+10.json), routing (examples/whatif/routing-8000.json) or engine")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the what-if run to this file (and of the replay to FILE.replay)")
	memprofile := flag.String("memprofile", "", "write an allocation profile of the what-if run to this file")
	replay := flag.Bool("replay", true, "also replay every decision as skalig decision replay --all does")
	flag.Parse()
	doReplay = *replay
	// As skalig serve and the command line do (cmd/skalig Main.Open): the
	// run allocates much that dies young.
	debug.SetGCPercent(400)
	profiles.cpu, profiles.mem = *cpuprofile, *memprofile
	if err := run(*n, *dsn, *households, *keep, *workers, *page, *cand); err != nil {
		fmt.Fprintln(os.Stderr, "whatif:", err)
		os.Exit(1)
	}
}

func run(n int, dsn string, households int, keep bool, workers, page int, candKind string) error {
	ctx := context.Background()
	if dsn == "" {
		dir, err := os.MkdirTemp("", "skalig-whatif-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = "sqlite:" + filepath.Join(dir, "skalig.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	cases := store.NewCaseStore(db)
	p, err := params.Default()
	if err != nil {
		return err
	}
	mun, err := municipal.Default()
	if err != nil {
		return err
	}
	have := count(db)
	if !keep || have == 0 {
		if have > 0 {
			return fmt.Errorf("the database already holds %d decisions: use -keep, or an empty database", have)
		}
		t0 := time.Now()
		if err := seed(ctx, db, cases, p, mun, households); err != nil {
			return err
		}
		fmt.Printf("seed: %d demo households through the workflow, %d decisions (%.1f s)\n", households, count(db), time.Since(t0).Seconds())
		t0, c0 := time.Now(), cpuTime()
		if err := copyDecisions(ctx, db, cases, n); err != nil {
			return err
		}
		fmt.Printf("bulk insert: %d decisions stored (%.1f s, %.1f s CPU)\n", count(db), time.Since(t0).Seconds(), (cpuTime() - c0).Seconds())
	}
	total := count(db)

	var c *whatif.Candidate
	switch candKind {
	case "municipal":
		b, err := os.ReadFile(example("0821-bostad+10.json"))
		if err != nil {
			return err
		}
		c, err = whatif.MunicipalCandidate("0821-bostad+10.json", b)
		if err != nil {
			return err
		}
	case "routing":
		b, err := os.ReadFile(example("routing-8000.json"))
		if err != nil {
			return err
		}
		c, err = whatif.RoutingCandidate("routing-8000.json", b)
		if err != nil {
			return err
		}
	case "engine":
		c = whatif.EngineCandidate()
	default:
		return fmt.Errorf("-candidate %q: municipal, routing or engine", candKind)
	}

	// Reading alone (one goroutine, the run's read): the floor under a
	// run, which reads on one goroutine while the workers calculate.
	read, readTime, readCPU, err := readOnly(func(after string) ([]whatifdb.DecidedReceipt, error) {
		return whatifdb.New(db).DecidedInputs(ctx, whatifdb.Selection{}, after, page)
	})
	if err != nil {
		return err
	}

	r := &whatif.Runner{Cases: whatifdb.New(db), Live: whatif.Live{Params: p, Municipal: mun}, Workers: workers, PageSize: page, MaxChanges: 1000}
	var ms runtime.MemStats
	runtime.GC()
	if profiles.cpu != "" {
		f, err := os.Create(profiles.cpu)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
	}
	if profiles.mem != "" {
		runtime.MemProfileRate = 64 << 10
	}
	load0 := loadavg()
	t0 := time.Now()
	cpu0 := cpuTime()
	res, err := r.Evaluate(ctx, c, whatif.Selection{}, nil)
	if err != nil {
		return err
	}
	el := time.Since(t0)
	cpu := cpuTime() - cpu0
	if profiles.cpu != "" {
		pprof.StopCPUProfile()
	}
	if profiles.mem != "" {
		f, err := os.Create(profiles.mem)
		if err != nil {
			return err
		}
		pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	runtime.ReadMemStats(&ms)
	w := workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	fmt.Printf("machine: %d cores (GOMAXPROCS %d); load average before the run %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), load0)
	fmt.Printf("database: %s, %d decisions; candidate %s %s; %d workers, pages of %d\n", db, total, c.Kind, c.Name, w, page)
	fmt.Printf("read only: %d decisions in %.2f s (%.0f/s; %.2f s CPU)\n", read, readTime.Seconds(), float64(read)/readTime.Seconds(), readCPU.Seconds())
	fmt.Printf("what-if:   %d decisions in %.2f s: %.0f decisions/s; %d changed\n", res.Totals.Cases, el.Seconds(), float64(res.Totals.Cases)/el.Seconds(), res.Totals.Changed)
	fmt.Printf("time for 100 000 decisions: %.2f s\n", el.Seconds()*100_000/float64(res.Totals.Cases))
	fmt.Printf("CPU time of this process: %.2f s (%.0f decisions per CPU second; the machine's other load does not count)\n",
		cpu.Seconds(), float64(res.Totals.Cases)/cpu.Seconds())
	fmt.Printf("heap in use after the run: %d MB; total allocated %d MB\n", ms.HeapInuse>>20, ms.TotalAlloc>>20)
	fmt.Printf("load average: %s\n", loadavg())
	if doReplay {
		if err := replayAll(ctx, db, cases, p, mun, workers, page); err != nil {
			return err
		}
		fmt.Printf("load average: %s\n", loadavg())
	}
	return nil
}

var doReplay bool

// replayAll replays every stored decision as skalig decision replay --all
// does (whatif.Replayer, the reads logged a page at a time) and prints
// decisions/s.
func replayAll(ctx context.Context, db *store.DB, cases *store.CaseStore, p *params.Params, mun *municipal.Set, workers, page int) error {
	wf, err := workflow.New(workflow.Config{Cases: cases, Params: p, Municipal: mun, Registers: sim.New(sim.Config{Seed: 1}),
		RegisterDeadline: time.Minute, RegisterTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	// Reading alone (one goroutine, as ReplayAll reads): the decisions
	// with their receipts, the floor under the replay.
	read, readTime, readCPU, err := readOnly(func(after string) ([]whatifdb.DecidedReceipt, error) {
		return whatifdb.New(db).DecidedReceipts(ctx, whatifdb.Selection{}, after, page)
	})
	if err != nil {
		return err
	}
	fmt.Printf("read only, with the receipts: %d decisions in %.2f s (%.0f/s; %.2f s CPU)\n", read, readTime.Seconds(), float64(read)/readTime.Seconds(), readCPU.Seconds())

	rp := &whatif.Replayer{Cases: whatifdb.New(db), Workflow: wf, Workers: workers, PageSize: page}
	if profiles.cpu != "" {
		f, err := os.Create(profiles.cpu + ".replay")
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	t0, c0 := time.Now(), cpuTime()
	differ := 0
	reads := recordsdb.New(cases.DB()).NewReadLog(ctx, "cli:bench", "cli", "replay")
	n, err := rp.ReplayAll(ctx, func(reps []*replay.Report) error {
		ids := make([]string, len(reps))
		for i, r := range reps {
			ids[i] = r.CaseID
			if !r.Identical {
				differ++
			}
		}
		reads.Log(ids, nil)
		return nil
	})
	if cerr := reads.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	el, cpu := time.Since(t0), cpuTime()-c0
	fmt.Printf("replay:    %d decisions in %.2f s: %.0f decisions/s; %d differ (result and every trace line compared, hash checked, reads logged)\n",
		n, el.Seconds(), float64(n)/el.Seconds(), differ)
	fmt.Printf("time for 100 000 decisions: %.2f s\n", el.Seconds()*100_000/float64(n))
	fmt.Printf("CPU time of this process: %.2f s (%.0f decisions per CPU second)\n", cpu.Seconds(), float64(n)/cpu.Seconds())
	if differ > 0 {
		return fmt.Errorf("%d decisions do not replay identically", differ)
	}
	return nil
}

// readOnly reads every stored decision, a page at a time after the last
// one read, with read on one goroutine, and returns how many and the wall
// and CPU time it took.
func readOnly(read func(after string) ([]whatifdb.DecidedReceipt, error)) (n int, wall, cpu time.Duration, err error) {
	t0, c0 := time.Now(), cpuTime()
	after := ""
	for {
		pg, err := read(after)
		if err != nil {
			return n, 0, 0, err
		}
		if len(pg) == 0 {
			return n, time.Since(t0), cpuTime() - c0, nil
		}
		n += len(pg)
		after = pg[len(pg)-1].DecisionID
	}
}

// loadavg is the machine's load average over 1, 5 and 15 minutes.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// example is the path of an example candidate, from the module root or
// from this directory.
func example(name string) string {
	for _, dir := range []string{"examples/whatif", "../../examples/whatif"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return filepath.Join(dir, name)
		}
	}
	return filepath.Join("examples/whatif", name)
}

func count(db *store.DB) int {
	var n int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&n)
	return n
}

// seed runs demo households through the real workflow and decides, as a
// caseworker, every case that went to a person.
func seed(ctx context.Context, db *store.DB, cases *store.CaseStore, p *params.Params, mun *municipal.Set, n int) error {
	wf, err := workflow.New(workflow.Config{
		Cases: cases, Params: p, Municipal: mun, Registers: sim.New(sim.Config{Seed: 1}),
		RegisterDeadline: time.Minute, RegisterTimeout: 5 * time.Second,
	})
	if err != nil {
		return err
	}
	var ids []string
	for _, h := range demo.Generate(1, "0821", skalig.MonthOf(2026, 11), n) {
		c, _, err := wf.Submit(ctx, h.App)
		if err != nil {
			return err
		}
		ids = append(ids, c.ID)
	}
	if err := drain(ctx, db, wf); err != nil {
		return err
	}
	for _, id := range ids {
		c, err := cases.Case(ctx, id)
		if err != nil {
			return err
		}
		if c.State != skalig.StateAwaitingCaseworker && c.State != skalig.StateSampled {
			continue
		}
		var calc casecalc.Calculation
		if err := cases.LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
			continue
		}
		cd := workflow.DecisionRequest{CaseID: id, Version: c.Version, Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid,
			Actor: skalig.PersonActor("bench", []skalig.StaffRole{skalig.StaffCaseworker}, []string{c.Municipality}),
			// A reduced calculation is decided as partly approved, which
			// goes against the applicant as a rejection does (FL 25 §).
			KommuniceringException: skalig.ReasonKommuniceringUnnecessary}
		if calc.Output.Aid == 0 {
			cd.Outcome, cd.Reasons = skalig.OutcomeRejected, []string{"Inkomsterna täcker behovet."}
		}
		if _, err := wf.Decide(ctx, cd); err != nil {
			return err
		}
	}
	return drain(ctx, db, wf)
}

func drain(ctx context.Context, db *store.DB, wf *workflow.Workflow) error {
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); wf.Run(wctx) }()
	defer func() { cancel(); wg.Wait() }()
	for deadline := time.Now().Add(5 * time.Minute); ; {
		var due int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state <> 'parked' AND kind NOT IN ('documents_due', 'kommunicering_due')`).Scan(&due); err != nil {
			return err
		}
		if due == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d jobs still due after 5 minutes", due)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// copyDecisions stores copies of the seeded decisions, each a case of its
// own, until the database holds n decisions.
func copyDecisions(ctx context.Context, db *store.DB, cases *store.CaseStore, n int) error {
	seeds, err := whatifdb.New(db).DecidedReceipts(ctx, whatifdb.Selection{}, "", 10_000)
	if err == nil {
		err = whatifdb.New(db).LoadCaseFacts(ctx, whatifdb.Selection{}, seeds)
	}
	if err != nil {
		return err
	}
	// The seeds' compact inputs (written when they were decided) hold no
	// case id: each copy gets its seed's.
	inputs := map[string][]byte{}
	for after := ""; ; {
		pg, err := whatifdb.New(db).DecidedInputs(ctx, whatifdb.Selection{}, after, 1000)
		if err != nil {
			return err
		}
		if len(pg) == 0 {
			break
		}
		for _, d := range pg {
			inputs[d.DecisionID] = d.Inputs
		}
		after = pg[len(pg)-1].DecisionID
	}
	if len(seeds) == 0 {
		return fmt.Errorf("no decision to copy")
	}
	parsed := make([]*skalig.Receipt, len(seeds))
	for i := range seeds {
		if parsed[i], err = skalig.ParseReceipt(seeds[i].Body); err != nil {
			return err
		}
	}
	pg := db.Dialect() == store.Postgres
	at := func(t time.Time) any {
		if pg {
			return t
		}
		return skalig.FormatTime(t)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	const batch = 2000
	for start := len(seeds); start < n; start += batch {
		end := min(start+batch, n)
		var apps, cs, facts, receipts, decisions rows
		for i := start; i < end; i++ {
			s := &seeds[i%len(seeds)]
			r := parsed[i%len(seeds)]
			id := fmt.Sprintf("WB%08d", i)
			// The canonical encoding of the copy is the seed's with the
			// case id replaced (it appears once, as "case_id"), and its
			// hash that of those bytes: what Seal would compute.
			body := bytes.Replace(s.Body, []byte(`"case_id":"`+s.CaseID+`"`), []byte(`"case_id":"`+id+`"`), 1)
			sum := sha256.Sum256(body)
			hash := hex.EncodeToString(sum[:])
			members := membersJSON(r)
			apps.add(id+"A", s.Municipality, "bench-"+id, "bench", string(s.Kind), s.Month.String(), members, at(now))
			cs.add(id, id+"A", s.Municipality, s.Month.String(), string(s.Kind), "closed", "[]", 1, at(now), at(now))
			for _, f := range s.Facts {
				var amount, text any
				if f.Value.IsText {
					text = f.Value.Text
				} else {
					amount = int64(f.Value.Amount)
				}
				facts.add(id, f.Kind, f.PersonID, f.Period.String(), amount, text, string(f.Source), at(f.At), f.Evidence, f.RecordedBy)
			}
			receipts.add(hash, id, string(body), at(now))
			var in any
			if b := inputs[s.DecisionID]; b != nil {
				in = b
			}
			decisions.add(id+"D", id, string(s.Outcome), s.Month.String(), int64(s.Amount), "[]",
				s.DecidedBy.Caseworker, s.DecidedBy.Delegation, at(now), hash, in)
		}
		err := inTx(ctx, db.SQL(), func(tx *sql.Tx) error {
			for _, ins := range []struct {
				table, cols string
				rows        *rows
			}{
				{"applications", "id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at", &apps},
				{"cases", "id, application_id, municipality, month, kind, state, routing_reasons, version, created_at, updated_at", &cs},
				{"facts", "case_id, kind, person_id, period, amount, text, source, at, evidence, recorded_by", &facts},
				{"receipts", "hash, case_id, body, created_at", &receipts},
				{"decisions", "id, case_id, outcome, month, amount, reasons, decided_by_caseworker, decided_by_delegation, decided_at, receipt_hash, inputs", &decisions},
			} {
				if err := ins.rows.insert(ctx, tx, ins.table, ins.cols); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func membersJSON(r *skalig.Receipt) string {
	b, _ := jsonMarshal(r.Members)
	return string(b)
}

// rows are the value rows of a multi-row INSERT.
type rows struct {
	width int
	args  []any
}

func (r *rows) add(vals ...any) {
	r.width = len(vals)
	r.args = append(r.args, vals...)
}

// insert writes the rows in statements of at most 50 rows, each shape
// prepared once per transaction.
func (r *rows) insert(ctx context.Context, tx *sql.Tx, table, cols string) error {
	if r.width == 0 {
		return nil
	}
	const per = 50 // SQLite looks $N parameters up in a list: long statements cost quadratically
	prepared := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range prepared {
			st.Close()
		}
	}()
	for off := 0; off < len(r.args); off += per * r.width {
		chunk := r.args[off:min(off+per*r.width, len(r.args))]
		st := prepared[len(chunk)]
		if st == nil {
			var q strings.Builder
			q.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
			for i := 0; i < len(chunk); i += r.width {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteByte('(')
				for j := 0; j < r.width; j++ {
					if j > 0 {
						q.WriteString(", ")
					}
					fmt.Fprintf(&q, "$%d", i+j+1)
				}
				q.WriteByte(')')
			}
			var err error
			if st, err = tx.PrepareContext(ctx, q.String()); err != nil {
				return fmt.Errorf("insert %s: %w", table, err)
			}
			prepared[len(chunk)] = st
		}
		if _, err := st.ExecContext(ctx, chunk...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}

func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

var profiles struct{ cpu, mem string }

// cpuTime is the user and system CPU time of this process (the database
// server's, for PostgreSQL, is not in it).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
