package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"skalig/internal/config"
	"skalig/internal/dbtest"
	"skalig/internal/httpx"
)

// openMain migrates a fresh database (dbtest.DSN: SQLite, or PostgreSQL
// with SKALIG_TEST_PG) and opens Main on it with
// the configuration mod makes, without serving: tests send requests to
// m.server.Handler directly.
func openMain(t *testing.T, demo bool, mod func(*config.Config)) *Main {
	t.Helper()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.LogLevel = "error"
	cfg.Database = dbtest.DSN(t) // SQLite, or a schema of SKALIG_TEST_PG
	if mod != nil {
		mod(&cfg)
	}
	if code, out, errs := runCmd(t, "", "migrate", "--database", cfg.Database); code != 0 {
		t.Fatalf("migrate: exit %d %q %q", code, out, errs)
	}
	m := &Main{Config: cfg, Demo: demo}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if m.done == nil { // Serve closes what it served
			m.ln.Close()
			if m.metricsLn != nil {
				m.metricsLn.Close()
			}
			m.DB.Close()
		}
	})
	return m
}

func serveOne(h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestHSTSAndMetrics is issue 12, violation 9: no HSTS with an https base
// URL, and /metrics open on the public listener.
func TestHSTSAndMetrics(t *testing.T) {
	const token = "metrics-token-for-the-test"
	t.Run("HTTPS", func(t *testing.T) {
		m := openMain(t, false, func(c *config.Config) { c.BaseURL = "https://skalig.example.se" })
		h := m.server.Handler
		for _, path := range []string{"/", "/healthz", "/api/v1/openapi.json", "/no/such/page", "/metrics"} {
			if got := serveOne(h, "GET", path, nil).Header().Get("Strict-Transport-Security"); got != httpx.HSTSValue {
				t.Errorf("%s: Strict-Transport-Security %q", path, got)
			}
		}
		// No token configured: not served on the public listener at all,
		// whatever the caller sends.
		for _, auth := range []string{"", "Bearer " + token} {
			if w := serveOne(h, "GET", "/metrics", map[string]string{"Authorization": auth}); w.Code != 404 || strings.Contains(w.Body.String(), "go_goroutines") {
				t.Errorf("/metrics without a token configured (%q): %d", auth, w.Code)
			}
		}
		// The debug address serves them (loopback only, by config.Validate).
		if w := serveOne(m.metrics, "GET", "/metrics", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("debug /metrics: %d", w.Code)
		}
	})
	t.Run("HTTP", func(t *testing.T) {
		m := openMain(t, false, func(c *config.Config) { c.BaseURL = "http://127.0.0.1:18300"; c.MetricsToken = token })
		h := m.server.Handler
		if got := serveOne(h, "GET", "/", nil).Header().Get("Strict-Transport-Security"); got != "" {
			t.Errorf("HSTS over http: %q", got)
		}
		if w := serveOne(h, "GET", "/metrics", nil); w.Code != 401 || strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("/metrics without the token: %d", w.Code)
		}
		if w := serveOne(h, "GET", "/metrics", map[string]string{"Authorization": "Bearer " + token}); w.Code != 200 || !strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("/metrics with the token: %d", w.Code)
		}
	})
	t.Run("own listener", func(t *testing.T) {
		m := openMain(t, false, func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0"; c.MetricsToken = token })
		bearer := map[string]string{"Authorization": "Bearer " + token}
		if w := serveOne(m.server.Handler, "GET", "/metrics", bearer); w.Code != 404 || strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("public /metrics with SKALIG_METRICS_ADDR set: %d, want 404", w.Code)
		}
		if w := serveOne(m.metricsOwn, "GET", "/metrics", nil); w.Code != 401 || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("/metrics on its listener without the token: %d %s", w.Code, w.Header().Get("Content-Type"))
		}
		w := serveOne(m.metricsOwn, "GET", "/metrics", bearer)
		if w.Code != 200 {
			t.Fatalf("/metrics on its listener: %d", w.Code)
		}
		for _, want := range []string{"skalig_build_info{go=\"go", `go_sql_open_connections{db_name="skalig"}`,
			"skalig_jobs_scrape_ok 1", "skalig_store_scrape_ok 1", `skalig_decisions_stored_total{decided_by="delegation",outcome="approved"} 0`,
			"skalig_payments_stored_total 0"} {
			if !strings.Contains(w.Body.String(), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if w := serveOne(m.server.Handler, "GET", "/readyz", nil); w.Code != 200 {
			t.Errorf("/readyz: %d %s", w.Code, w.Body)
		}
		m.DB.Close()
		if w := serveOne(m.server.Handler, "GET", "/readyz", nil); w.Code != 503 || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("/readyz with the database closed: %d %s", w.Code, w.Body)
		}
		if w := serveOne(m.server.Handler, "GET", "/healthz", nil); w.Code != 200 {
			t.Errorf("/healthz with the database closed: %d, want 200 (cheap, no database)", w.Code)
		}
	})
}

// TestWebPageMetrics: the web pages are counted by their route pattern, not
// by path (no case id or other data in a label), and by status.
func TestWebPageMetrics(t *testing.T) {
	m := openMain(t, false, func(c *config.Config) { c.BaseURL = "http://127.0.0.1:18300" })
	h := m.server.Handler
	serveOne(h, "GET", "/", nil)
	serveOne(h, "GET", "/no/such/page", nil)
	w := serveOne(m.metrics, "GET", "/metrics", nil)
	body := w.Body.String()
	for _, want := range []string{
		`skalig_web_requests_total{code="200",method="GET",route="/{$}"} 1`,
		`skalig_web_requests_total{code="404",method="GET",route="/"} 1`,
		`skalig_web_request_duration_seconds_count{route="/{$}"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "no/such/page") {
		t.Error("a path, not a route pattern, is in the web metrics")
	}
}
