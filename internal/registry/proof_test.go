package registry_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
	"skalig/internal/registry"
	"skalig/internal/registry/registrytest"
	"skalig/internal/registry/sim"
)

// TestProofFaults is the register half of issue 4's proof: with the
// simulator at 30 % faults on every source (errors, timeouts, unreadable
// parts, broken answers, hanging answers, dropped connections), 1 000
// persons are fetched over HTTPS with mutual TLS, as the workflow's fetch
// job would: a run asks the sources not yet read; sources that failed wait
// and are asked again in a later run, up to a deadline after which the case
// would go to a person. No failed part may carry facts or an "answered"
// status, and every answered part must say exactly what the simulator holds
// for that person, so that no fault, retry or merge ever turns into data.
// The summary of retries and waits is logged:
//
//	go test -v -run TestProofFaults ./internal/registry/
func TestProofFaults(t *testing.T) {
	const (
		persons, workers = 1000, 32
		seed             = 42
		maxRuns          = 8                     // job runs per person before a person takes over
		wait             = 40 * time.Millisecond // between job runs (the queue's retry delay)
	)
	fs, err := sim.ParseFaults("all=0.3")
	if err != nil {
		t.Fatal(err)
	}
	lat, _ := sim.ParseLatency("all=0-2ms")
	s := sim.New(sim.Config{Seed: seed, Faults: fs, Latency: lat, HangMax: 5 * time.Second})
	srv, certs := tlsServer(t, s)
	reg := prometheus.NewRegistry()
	c := tlsClient(t, srv, certs, func(c *registry.Config) {
		c.Timeout = 150 * time.Millisecond
		c.Retry = registry.RetryConfig{MaxAttempts: 4, BaseDelay: 2 * time.Millisecond, MaxDelay: 20 * time.Millisecond}
		c.Breaker = registry.BreakerConfig{Failures: 5, CoolDown: 100 * time.Millisecond}
		c.Registerer = reg
	})

	var (
		mu       sync.Mutex
		status   = map[string]int{} // source/status of every part returned
		codes    = map[string]int{} // failure codes of every part returned
		runsHist = map[int]int{}    // persons by job runs needed
		waiting  = map[string]int{} // sources still failing at the deadline
		multi    int                // fetches whose evidence holds several exchanges
		fetches  int
	)
	start := time.Now()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				pn := sim.TestPersonnummer(i)
				prof := sim.ProfileOf(seed, pn, testMonth)
				pending := skalig.RegisterNames
				runs := 0
				for ; len(pending) > 0 && runs < maxRuns; runs++ {
					if runs > 0 {
						time.Sleep(wait)
					}
					req := skalig.RegisterRequest{CaseID: fmt.Sprintf("case-%d", i), Person: pn, PersonID: "p1",
						From: testMonth, To: testMonth, Sources: pending, Purpose: "beslut om försörjningsstöd", Caseworker: "system"}
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
					ans, err := c.Fetch(ctx, req)
					cancel()
					if err != nil {
						t.Errorf("%s: Fetch: %v", pn.Masked(), err)
						break
					}
					registrytest.Check(t, req, ans)
					checkAgainstProfile(t, req, ans, prof)
					checkStatuses(t, req, ans)
					exs, err := registry.Exchanges(ans.Raw)
					if err != nil {
						t.Errorf("%s: evidence: %v", pn.Masked(), err)
					}
					var still []string
					mu.Lock()
					fetches++
					if len(exs) > 1 {
						multi++
					}
					for _, p := range ans.Parts {
						status[p.Source+"/"+registry.PartStatus(p)]++
						if p.Err != nil {
							codes[p.Err.Code]++
							still = append(still, p.Source)
						}
					}
					mu.Unlock()
					pending = still
				}
				mu.Lock()
				runsHist[runs]++
				for _, src := range pending {
					waiting[src]++
				}
				mu.Unlock()
			}
		})
	}
	for i := range persons {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)

	st := c.Stats()
	if st.Fetches < persons {
		t.Errorf("fetches %d, want ≥ %d", st.Fetches, persons)
	}
	if st.Retries == 0 || multi == 0 {
		t.Errorf("no retries at 30 %% faults")
	}
	complete := 0
	for runs, n := range runsHist {
		if runs < maxRuns {
			complete += n
		}
	}
	if complete < persons*9/10 {
		t.Errorf("%d of %d persons fully read within %d runs", complete, persons, maxRuns)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\n%d persons, %d fetches in %v over mTLS at 30 %% faults on every source\n", persons, st.Fetches, elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "client: %d exchanges, %d sources asked again within a fetch (backoff with jitter), %d parts refused by an open breaker; %d fetches kept several exchanges as evidence\n",
		st.Exchanges, st.Retries, st.Refused, multi)
	var hist []string
	for runs := 1; runs <= maxRuns; runs++ {
		if n := runsHist[runs]; n > 0 {
			hist = append(hist, fmt.Sprintf("%d run(s): %d", runs, n))
		}
	}
	fmt.Fprintf(&b, "job runs per person (a wait of %v between runs): %s\n", wait, strings.Join(hist, ", "))
	fmt.Fprintf(&b, "persons still waiting for a register after %d runs (to a person): %d %v\n", maxRuns, persons-complete, waiting)
	fmt.Fprintf(&b, "%-7s %9s %15s %7s %8s %15s\n", "source", "answered", "unknown_person", "failed", "retries", "breaker_opened")
	retries := counterValues(t, reg, "skalig_register_retries_total")
	for _, src := range skalig.RegisterNames {
		fmt.Fprintf(&b, "%-7s %9d %15d %7d %8.0f %15d\n", src, status[src+"/answered"], status[src+"/unknown_person"],
			status[src+"/failed"], retries[src], st.BreakerOpened[src])
	}
	var cs []string
	for code, n := range codes {
		cs = append(cs, fmt.Sprintf("%s=%d", code, n))
	}
	sort.Strings(cs)
	fmt.Fprintf(&b, "failed parts returned, by code (each asked again in a later run): %s\n", strings.Join(cs, " "))
	t.Log(b.String())
}

// checkAgainstProfile: an answered part says exactly what the simulator
// holds, an unknown person is one the simulator does not know, and a failed
// part says nothing.
func checkAgainstProfile(t *testing.T, req skalig.RegisterRequest, ans *skalig.RegisterAnswer, prof sim.Profile) {
	t.Helper()
	for _, p := range ans.Parts {
		unknown := false
		for _, u := range prof.Unknown {
			unknown = unknown || u == p.Source
		}
		switch registry.PartStatus(p) {
		case skalig.RegisterAnswered:
			if unknown {
				t.Errorf("%s %s: answered for a person it does not know", req.Person.Masked(), p.Source)
			}
			if got, want := factValues(p.Facts), factsOf(prof.Facts, p.Source); got != want {
				t.Errorf("%s %s: facts\n got %s\nwant %s", req.Person.Masked(), p.Source, got, want)
			}
		case skalig.RegisterUnknownPerson:
			if !unknown {
				t.Errorf("%s %s: unknown person, but the simulator knows them", req.Person.Masked(), p.Source)
			}
		case skalig.RegisterFailed:
			if len(p.Facts) != 0 {
				t.Errorf("%s %s: failed (%s) with %d facts", req.Person.Masked(), p.Source, p.Err.Code, len(p.Facts))
			}
		}
	}
}

// checkStatuses: the status of each part of an answer (PartStatus, what
// the status facts record) is never "answered" for a failed part, and
// "unknown_person" only for a person the source does not know.
func checkStatuses(t *testing.T, req skalig.RegisterRequest, ans *skalig.RegisterAnswer) {
	t.Helper()
	for _, p := range ans.Parts {
		st := registry.PartStatus(p)
		switch {
		case p.Err != nil && st != skalig.RegisterFailed:
			t.Errorf("%s: failed part %s has status %s", req.Person.Masked(), p.Source, st)
		case p.Err == nil && p.UnknownPerson != (st == skalig.RegisterUnknownPerson):
			t.Errorf("%s: part %s (unknown person %v) has status %s", req.Person.Masked(), p.Source, p.UnknownPerson, st)
		}
	}
}

// counterValues returns a counter's values by source.
func counterValues(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			for _, l := range m.Label {
				if l.GetName() == "source" {
					out[l.GetValue()] += m.Counter.GetValue()
				}
			}
		}
	}
	return out
}
