package whatif

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"skalig"
	"skalig/internal/rules"
	"skalig/internal/store/whatifdb"
)

// Runner runs what-if runs over the decisions of a store.
type Runner struct {
	Cases *whatifdb.Store
	Live  Live
	// Workers recalculate in parallel; default GOMAXPROCS.
	Workers int
	// PageSize is the number of receipts read at a time; default 1 000.
	PageSize int
	// MaxChanges is the number of changed cases a result keeps in detail
	// (the totals count them all); default 100 000.
	MaxChanges int
	// Notify, when set, wakes the workers of this process after a run is
	// started (jobs.Queue.Notify); others find it when they poll.
	Notify func()
	// ShadowInterval is how often a shadow run looks for new decisions;
	// default DefaultShadowInterval.
	ShadowInterval time.Duration
}

func (r *Runner) defaults() (workers, page, max int) {
	workers, page, max = r.Workers, r.PageSize, r.MaxChanges
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if page <= 0 {
		page = 1000
	}
	if max <= 0 {
		max = 100_000
	}
	return
}

// Evaluate runs cand over the decisions of sel and returns what it found,
// without keeping it. It reads the store a page at a time (memory is
// bounded by the pages in flight and the changes kept) and recalculates on
// Workers goroutines. Progress, when not nil, is called after each page
// with the number of decisions read so far.
func (r *Runner) Evaluate(ctx context.Context, cand *Candidate, sel Selection, progress func(read int)) (*Result, error) {
	if err := sel.Validate(); err != nil {
		return nil, err
	}
	if r.Live.Params == nil || r.Live.Municipal == nil || r.Cases == nil {
		return nil, fmt.Errorf("whatif: Cases and the live Params and Municipal are required")
	}
	if cand == nil {
		cand = EngineCandidate()
	}
	from, to, _ := sel.months()
	workers, pageSize, max := r.defaults()
	started := time.Now().UTC()
	live := Live{Params: r.Live.Params, Municipal: newMemo(r.Live.Municipal)}
	candLive, recalc := cand.apply(live)
	ev := newEvaluator(live, candLive, cand.Kind, recalc)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []whatifdb.DecidedReceipt, workers)
	parts := make(chan *aggregate, workers)
	var readErr error
	ssel := whatifdb.Selection{From: from, To: to, Municipality: sel.Municipality}
	go func() {
		defer close(pages)
		after, read := "", 0
		for {
			page, err := r.Cases.DecidedInputs(ctx, ssel, after, pageSize)
			if err != nil {
				readErr = err
				return
			}
			if len(page) == 0 {
				return
			}
			select {
			case pages <- page:
			case <-ctx.Done():
				readErr = ctx.Err()
				return
			}
			read += len(page)
			if progress != nil {
				progress(read)
			}
			after = page[len(page)-1].DecisionID
			if len(page) < pageSize {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc scratch
			for page := range pages {
				a := newAggregate()
				for i := range page {
					if ch, keep := ev.evaluate(&page[i], &sel, &sc); keep {
						a.add(&ch)
					}
				}
				parts <- a
			}
		}()
	}
	go func() { wg.Wait(); close(parts) }()
	all := newAggregate()
	truncated := false
	for a := range parts {
		if all.merge(a, max) {
			truncated = true
		}
	}
	if readErr != nil {
		return nil, readErr
	}
	if all.trim(max) {
		truncated = true
	}
	fin := time.Now().UTC()
	res := &Result{
		Candidate: Info{Kind: cand.Kind, Name: cand.Name, Digest: cand.Digest},
		Selection: sel, EngineVersion: rules.EngineVersion,
		Totals: all.total, ByHousehold: all.groups(), Changes: all.changes, Truncated: truncated,
		StartedAt: started, Finished: fin, candidate: cand.data,
	}
	if res.Changes == nil {
		res.Changes = []Change{}
	}
	if d := fin.Sub(started).Seconds(); d > 0 {
		res.DecisionsPerSecond = float64(all.total.Cases) / d
	}
	return res, nil
}

// Load returns the kept run with id.
//
// Errors: ENOTFOUND.
func Load(ctx context.Context, cases *whatifdb.Store, id string) (*Result, error) {
	run, err := cases.RunByID(ctx, id)
	if err != nil {
		return nil, err
	}
	res := &Result{ID: run.ID, Actor: run.Actor, EngineVersion: run.EngineVersion,
		Candidate: Info{Kind: Kind(run.CandidateKind), Name: run.CandidateName, Digest: run.CandidateDigest},
		StartedAt: run.StartedAt, Finished: run.EndAt, candidate: run.Candidate,
		Mode: run.Mode, Progress: progressOf(run)}
	if run.Mode == whatifdb.ModeShadow {
		res.ShadowFrom, res.ShadowUntil = &run.ShadowFrom, &run.ShadowUntil
	}
	if err := json.Unmarshal(run.Selection, &res.Selection); err != nil {
		return nil, fmt.Errorf("what-if run %s selection: %w", id, err)
	}
	tot, changes, err := state(run)
	if err != nil {
		return nil, err
	}
	res.Changes = changes
	if res.Changes == nil {
		res.Changes = []Change{}
	}
	res.Totals, res.ByHousehold, res.Truncated = tot.Totals, tot.ByHousehold, tot.Truncated
	if len(res.ByHousehold) == 0 {
		res.ByHousehold = newAggregate().groups()
	}
	if tot.Seconds > 0 {
		res.DecisionsPerSecond = float64(res.Totals.Cases) / tot.Seconds
	}
	return res, nil
}

// WriteCSV writes the changed cases of res as CSV (comma-separated, a
// header row, amounts in kronor with a point before öre).
func WriteCSV(w io.Writer, res *Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"case_id", "decision_id", "month", "household", "first_application", "decided_amount",
		"decided_aid", "candidate_aid", "difference", "direction", "route", "candidate_route", "outcome",
		"candidate_outcome", "new_reasons", "vanished_reasons", "error", "reason"})
	for _, c := range res.Changes {
		cw.Write([]string{c.CaseID, c.DecisionID, c.Month, c.Household, fmt.Sprint(c.First), c.DecidedAmount.String(),
			c.DecidedAid.String(), c.CandidateAid.String(), c.Difference.String(), string(c.Direction),
			string(c.Route), string(c.CandidateRoute), string(c.Outcome), string(c.CandidateOutcome),
			strings.Join(c.NewReasons, " "), strings.Join(c.VanishedReasons, " "), c.Error, c.Reason})
	}
	cw.Flush()
	return cw.Error()
}

// WriteText writes res for a reader: the totals, the breakdown by
// household type and the changed cases (at most limit; 0: all).
func WriteText(w io.Writer, res *Result, limit int) {
	t := &res.Totals
	fmt.Fprintf(w, "Provkörning %s: %s %s\n", res.ID, res.Candidate.Kind.Swedish(), res.Candidate.Name)
	sel := res.Selection
	fmt.Fprintf(w, "Urval: %s, kommun %s; beräkningsmotor %s\n", monthsText(sel.From, sel.To), orAll(sel.Municipality), res.EngineVersion)
	fmt.Fprintf(w, "Beslut: %d, ändrade: %d (fel: %d)\n", t.Cases, t.Changed, t.Errors)
	fmt.Fprintf(w, "Belopp: %d högre (%s), %d lägre (%s), %d oförändrade; netto %s\n",
		t.Up, signed(t.Increase), t.Down, signed(-t.Decrease), t.Unchanged, signed(t.Net))
	fmt.Fprintf(w, "Beräknat bistånd enligt underlagen %s, med kandidaten %s\n", t.DecidedAid.Swedish(), t.CandidateAid.Swedish())
	fmt.Fprintf(w, "Ändrad väg: %d, ändrat utfall: %d\n", t.RouteChanged, t.OutcomeChanged)
	// In words, each with its code for whoever compares with the API or
	// the CSV.
	for _, k := range sortedKeys(t.Routes) {
		from, to, _ := strings.Cut(k, "→")
		fmt.Fprintf(w, "  %s → %s (%s): %d\n", skalig.RouteSwedish(from), skalig.RouteSwedish(to), k, t.Routes[k])
	}
	for _, k := range sortedKeys(t.NewReasons) {
		fmt.Fprintf(w, "  nytt skäl: %s (%s): %d\n", skalig.ReasonLabel(k), k, t.NewReasons[k])
	}
	for _, k := range sortedKeys(t.VanishedReasons) {
		fmt.Fprintf(w, "  försvunnet skäl: %s (%s): %d\n", skalig.ReasonLabel(k), k, t.VanishedReasons[k])
	}
	fmt.Fprintln(w, "\nPer hushållstyp:")
	fmt.Fprintf(w, "  %-32s %7s %7s %6s %6s %14s %6s\n", "typ", "beslut", "ändrade", "högre", "lägre", "netto", "väg")
	for _, g := range res.ByHousehold {
		fmt.Fprintf(w, "  %-32s %7d %7d %6d %6d %14s %6d\n", g.Swedish, g.Cases, g.Changed, g.Up, g.Down, signed(g.Net), g.RouteChanged)
	}
	if len(res.Changes) > 0 {
		fmt.Fprintln(w, "\nÄndrade ärenden:")
	}
	for i, c := range res.Changes {
		if limit > 0 && i == limit {
			fmt.Fprintf(w, "  … och %d till (skriv alla med --csv FIL)\n", len(res.Changes)-limit)
			break
		}
		fmt.Fprintf(w, "  %s  %s\n", c.CaseID, c.Reason)
	}
	if res.Truncated {
		fmt.Fprintln(w, "  (fler ändrade ärenden än resultatet behåller; totalerna räknar alla)")
	}
}

// monthsText says which months a selection has, in words: "alla
// månader", "från 2026-01", "till och med 2026-11", "2026-01 – 2026-11".
func monthsText(from, to string) string {
	switch {
	case from == "" && to == "":
		return "alla månader"
	case to == "":
		return "från " + from
	case from == "":
		return "till och med " + to
	}
	return from + " – " + to
}

func orAll(s string) string {
	if s == "" {
		return "alla"
	}
	return s
}

func signed(m skalig.Money) string {
	if m > 0 {
		return "+" + m.Swedish()
	}
	if m < 0 {
		return "−" + (-m).Swedish()
	}
	return m.Swedish()
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slicesSort(out)
	return out
}
