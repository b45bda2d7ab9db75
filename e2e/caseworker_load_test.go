package e2e

import (
	"context"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/store/deskdb"
)

// TestCaseworkerLoad measures the caseworker's main pages under a simple
// load: the whole program in-process (SQLite, or PostgreSQL with
// SKALIG_TEST_PG; sessions in the database, every case view written to the
// audit trail), SKALIG_LOAD_HOUSEHOLDS demo households (default 1000)
// worked through by the robot, SKALIG_LOAD_CLIENTS signed-in caseworkers
// (default 8), and SKALIG_LOAD_REQUESTS requests per page (default 1000)
// arriving at SKALIG_LOAD_RATE per second (default 100, about what 500
// caseworkers clicking every five seconds make; 0: each client as fast as
// it can, a stress test). It prints p50, p95, p99 and max per page and
// fails when a p99 is over 100 ms.
//
//	SKALIG_LOAD=1 go test -run TestCaseworkerLoad -v -count=1 ./e2e/
//
// It needs no browser.
func TestCaseworkerLoad(t *testing.T) {
	if os.Getenv("SKALIG_LOAD") != "1" {
		t.Skip("set SKALIG_LOAD=1 to measure the caseworker's pages under load")
	}
	households := envInt("SKALIG_LOAD_HOUSEHOLDS", 1000)
	clients := envInt("SKALIG_LOAD_CLIENTS", 8)
	requests := envInt("SKALIG_LOAD_REQUESTS", 1000)
	rate := 100
	if v := os.Getenv("SKALIG_LOAD_RATE"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			rate = n
		}
	}
	start := time.Now()
	s := startCaseworker(t, households, nil)
	t.Logf("%d households worked through in %v", households, time.Since(start).Round(time.Millisecond))
	items, err := deskdb.New(s.db).OpenCases(context.Background(), "0821")
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for _, it := range items {
		if it.Case.State == skalig.StateAwaitingCaseworker {
			open = append(open, it.Case.ID)
		}
	}
	if len(open) == 0 {
		t.Fatal("no open case to view")
	}
	t.Logf("%d open cases, %d waiting for a caseworker", len(items), len(open))

	subs := []string{devidp.SaraHandlaggarsson, devidp.TomasHandlaggarsson, devidp.ZeldaSamverkansson}
	var cs []*http.Client
	for i := range clients {
		cs = append(cs, cwHTTPLogin(t, s.URL, subs[i%len(subs)]))
	}
	pages := []struct {
		name string
		path func(r *rand.Rand) string
	}{
		{"queue: exceptions", func(*rand.Rand) string { return "/handlaggning" }},
		{"queue: all open, assigned to nobody", func(*rand.Rand) string { return "/handlaggning?ko=alla&tilldelad=ingen" }},
		{"case view (audited)", func(r *rand.Rand) string { return "/handlaggning/arenden/" + open[r.IntN(len(open))] }},
		{"decision form", func(r *rand.Rand) string { return "/handlaggning/arenden/" + open[r.IntN(len(open))] + "/beslut" }},
		{"API: case (audited)", func(r *rand.Rand) string { return "/handlaggning/api/arenden/" + open[r.IntN(len(open))] }},
		{"API: queue counts", func(*rand.Rand) string { return "/handlaggning/api/koer" }},
	}
	// Warm up: connections, statement caches, the page cache of the
	// database. Not measured.
	wr := rand.New(rand.NewPCG(99, 1))
	for _, pg := range pages {
		for i := range 20 {
			res, err := cs[i%len(cs)].Get(s.URL + pg.path(wr))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	var report strings.Builder
	load := fmt.Sprintf("%d requests a second", rate)
	if rate == 0 {
		load = "each client as fast as it can"
	}
	fmt.Fprintf(&report, "\n%d households, %d open cases, %d clients, %d requests per page, %s (%s)\n", households, len(items), clients,
		requests, load, s.db.Dialect())
	fmt.Fprintf(&report, "%-40s %8s %8s %8s %8s %8s\n", "page", "p50", "p95", "p99", "max", "req/s")
	for _, pg := range pages {
		lat := make([]time.Duration, 0, requests)
		var mu sync.Mutex
		var wg sync.WaitGroup
		var failed atomicErr
		// The requests arrive on a schedule (rate > 0) or back to back; each
		// client (a signed-in caseworker) takes the next when it is free.
		next := make(chan time.Time, requests)
		began := time.Now()
		go func() {
			defer close(next)
			for i := range requests {
				due := began
				if rate > 0 {
					due = began.Add(time.Duration(i) * time.Second / time.Duration(rate))
					time.Sleep(time.Until(due))
				}
				next <- due
			}
		}()
		for i, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(i), 1))
				for due := range next {
					p := pg.path(r)
					t0 := time.Now()
					if rate > 0 {
						t0 = due // latency includes any wait for a free client
					}
					res, err := c.Get(s.URL + p)
					if err == nil {
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != http.StatusOK {
							err = fmt.Errorf("%s: status %d", p, res.StatusCode)
						}
					}
					d := time.Since(t0)
					if err != nil {
						failed.set(err)
						continue
					}
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(began)
		if err := failed.get(); err != nil {
			t.Fatalf("%s: %v", pg.name, err)
		}
		slices.Sort(lat)
		q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
		fmt.Fprintf(&report, "%-40s %8s %8s %8s %8s %8.0f\n", pg.name, ms(q(0.50)), ms(q(0.95)), ms(q(0.99)), ms(lat[len(lat)-1]),
			float64(len(lat))/elapsed.Seconds())
		if q(0.99) > 100*time.Millisecond {
			t.Errorf("%s: p99 %v, over 100 ms", pg.name, q(0.99))
		}
	}
	t.Log(report.String())
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

type atomicErr struct {
	mu  sync.Mutex
	err error
}

func (a *atomicErr) set(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err == nil {
		a.err = err
	}
}

func (a *atomicErr) get() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

var (
	cwFormAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	cwHidden     = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// cwHTTPLogin signs in as the development provider's person sub with a
// plain HTTP client (a cookie jar, no browser) and returns the client.
func cwHTTPLogin(t *testing.T, base, sub string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	res, err := c.Get(base + "/handlaggning")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := cwFormAction.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("no login form at %s", res.Request.URL)
	}
	form := url.Values{"person": {sub}, "action": {"login"}}
	for _, h := range cwHidden.FindAllStringSubmatch(string(b), -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	action, err := res.Request.URL.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.Request.URL.Path, "/handlaggning") {
		t.Fatalf("login as %s ended at %s with %d", sub, res.Request.URL, res.StatusCode)
	}
	return c
}
