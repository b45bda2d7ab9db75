package registry_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/registry"
	"skalig/internal/registry/sim"
)

// testConfig is a client configuration with small delays for tests.
func testConfig() registry.Config {
	cfg := registry.DefaultConfig()
	cfg.OrgNumber, cfg.OrgName = "212000-0142", "Testkommunen"
	cfg.Timeout = 2 * time.Second
	cfg.Retry = registry.RetryConfig{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	cfg.Breaker = registry.BreakerConfig{Failures: 5, CoolDown: 50 * time.Millisecond}
	cfg.Logger = slog.New(slog.DiscardHandler)
	return cfg
}

// memClient returns a client that reaches s in memory.
func memClient(t testing.TB, s *sim.Sim, edit func(*registry.Config)) *registry.Client {
	t.Helper()
	cfg := testConfig()
	cfg.BaseURL, cfg.HTTPClient = sim.BaseURL, s.HTTPClient()
	if edit != nil {
		edit(&cfg)
	}
	c, err := registry.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tlsServer serves s over HTTPS with mutual TLS on a free port, with
// certificates in a temporary directory.
func tlsServer(t testing.TB, s *sim.Sim) (*sim.Server, *sim.Certs) {
	t.Helper()
	certs, err := sim.GenerateCerts(t.TempDir())
	if err != nil {
		t.Fatalf("GenerateCerts: %v", err)
	}
	srv, err := s.StartTLS("127.0.0.1:0", certs, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv, certs
}

// tls12Server serves s like tlsServer but with TLS 1.2 at most.
func tls12Server(t testing.TB, s *sim.Sim, certs *sim.Certs) *sim.Server {
	t.Helper()
	tc, err := certs.ServerTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	tc.MaxVersion = tls.VersionTLS12
	hs := httptest.NewUnstartedServer(s.Handler())
	hs.TLS = tc
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	hs.StartTLS()
	t.Cleanup(hs.Close)
	return &sim.Server{URL: hs.URL + sim.Path}
}

// tlsClient returns a client of srv using the certificate files of certs.
func tlsClient(t testing.TB, srv *sim.Server, certs *sim.Certs, edit func(*registry.Config)) *registry.Client {
	t.Helper()
	cfg := testConfig()
	cfg.BaseURL = srv.URL
	cfg.CertFile, cfg.KeyFile, cfg.CAFile = certs.Path(sim.ClientCertFile), certs.Path(sim.ClientKeyFile), certs.Path(sim.CAFile)
	if edit != nil {
		edit(&cfg)
	}
	c, err := registry.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testMonth is the month the tests ask about.
var testMonth = skalig.MonthOf(2025, 3)

func request(pn skalig.PersonalNumber, sources ...string) skalig.RegisterRequest {
	return skalig.RegisterRequest{
		CaseID: "case-1", Person: pn, PersonID: "p1", From: testMonth, To: testMonth,
		Sources: sources, Purpose: "beslut om försörjningsstöd", Caseworker: "system",
	}
}

func fetch(t testing.TB, r skalig.Registers, req skalig.RegisterRequest) *skalig.RegisterAnswer {
	t.Helper()
	ans, err := r.Fetch(context.Background(), req)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return ans
}

func part(t testing.TB, ans *skalig.RegisterAnswer, source string) skalig.RegisterPart {
	t.Helper()
	for _, p := range ans.Parts {
		if p.Source == source {
			return p
		}
	}
	t.Fatalf("no part for %s", source)
	return skalig.RegisterPart{}
}

// factValues lists facts by kind, period and value, sorted.
func factValues(fs []skalig.Fact) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind+"|"+f.Period.String()+"|"+f.Value.String())
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

// factsOf lists the facts of source as factValues does.
func factsOf(fs []skalig.Fact, source string) string {
	var mine []skalig.Fact
	for _, f := range fs {
		if f.Source == skalig.RegisterSource(source) {
			mine = append(mine, f)
		}
	}
	return factValues(mine)
}
