package e2e

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
)

// BenchmarkApplicantPages measures the main applicant pages under load:
// the whole site in-process (SQLite in a temporary directory, sessions in
// the database, every case read written to the audit trail), a person
// logged in through the development provider, and GOMAXPROCS concurrent
// clients (b.RunParallel; -cpu 4,16 for other numbers) requesting one page
// at a time over HTTP. Besides ns/op it reports the median and the 99th
// percentile of the response times. See bench/README.md:
//
//	go test -run '^$' -bench ApplicantPages -benchtime 2000x ./e2e/
func BenchmarkApplicantPages(b *testing.B) {
	s := startSite(b)
	elin := devidp.ElinExempelsson
	c := s.submitMonthly(b, elin, skalig.MonthlyApplication)
	s.runJobs(b)
	client := httpLogin(b, s, elin)
	// A draft on its review page, for the e-service's heaviest page.
	resp, err := client.PostForm(s.URL+"/ansokan", url.Values{})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	review := resp.Request.URL.Path
	if !strings.HasSuffix(review, "/granska") {
		b.Fatalf("the re-application opened at %s", review)
	}
	pages := []struct{ name, path string }{
		{"start", "/"},
		{"transparency", "/om-automatiserad-handlaggning"},
		{"mina-sidor", "/mina-sidor"},
		{"case", "/mina-sidor/arenden/" + c.ID},
		{"explanation", "/mina-sidor/arenden/" + c.ID + "/berakning"},
		{"apply-step", strings.TrimSuffix(review, "/granska") + "/inkomster"},
		{"apply-review", review},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			var mu sync.Mutex
			var all []time.Duration
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					start := time.Now()
					resp, err := client.Get(s.URL + pg.path)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("GET %s: %s", pg.path, resp.Status)
						return
					}
					mine = append(mine, time.Since(start))
				}
				mu.Lock()
				all = append(all, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			if len(all) == 0 {
				return
			}
			slices.Sort(all)
			at := func(q float64) float64 {
				return float64(all[int(q*float64(len(all)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
		})
	}
}

var (
	formActionRE = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	hiddenRE     = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// httpLogin logs a client with a cookie jar in as sub through the
// development provider, as a browser would, and returns it.
func httpLogin(tb testing.TB, s *siteServer, sub string) *http.Client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	tb.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}
	resp, err := c.Get(s.URL + "/login?return=/mina-sidor")
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formActionRE.FindSubmatch(page)
	if m == nil {
		tb.Fatalf("no form on the provider's page (%s)", resp.Status)
	}
	form := url.Values{"person": {sub}, "action": {"login"}}
	for _, h := range hiddenRE.FindAllSubmatch(page, -1) {
		form.Set(string(h[1]), html.UnescapeString(string(h[2])))
	}
	action, _ := url.Parse(html.UnescapeString(string(m[1])))
	resp, err = c.PostForm(resp.Request.URL.ResolveReference(action).String(), form)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/mina-sidor" {
		tb.Fatalf("login ended at %s: %s", resp.Request.URL, resp.Status)
	}
	return c
}
