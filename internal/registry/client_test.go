package registry_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
	"skalig/internal/registry"
	"skalig/internal/registry/sim"
)

func faults(spec string, t testing.TB) map[string]sim.Faults {
	t.Helper()
	f, err := sim.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestClientRetries: a source failing every time is asked MaxAttempts times
// and ends failed, while the others answer; when it recovers, it answers.
func TestClientRetries(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1, Faults: faults("fk:error=1", t)})
	c := memClient(t, s, nil)
	pn := sim.TestPersonnummer(3)
	ans := fetch(t, c, request(pn))
	fk := part(t, ans, skalig.RegisterFK)
	if fk.Err == nil || !fk.Err.Temporary || len(fk.Facts) != 0 {
		t.Fatalf("fk part %+v, want a temporary error without facts", fk)
	}
	if fk.Err.Code != "technical_error" && fk.Err.Code != "source_unavailable" {
		t.Errorf("fk Err.Code=%q, want the source's code", fk.Err.Code)
	}
	for _, p := range ans.Parts {
		if p.Source != skalig.RegisterFK && p.Err != nil {
			t.Errorf("%s failed: %v", p.Source, p.Err)
		}
	}
	st := c.Stats()
	if st.Retries != 3 || st.Exchanges != 4 {
		t.Errorf("Retries=%d Exchanges=%d, want 3 and 4 (fk asked again three times, alone)", st.Retries, st.Exchanges)
	}
	exs, err := registry.Exchanges(ans.Raw)
	if err != nil || len(exs) != 4 {
		t.Fatalf("Exchanges(Raw)=%d, %v; want 4 exchanges in the evidence", len(exs), err)
	}
	if got := strings.Join(exs[1].Sources, ","); got != "fk" {
		t.Errorf("second exchange asked %q, want fk alone", got)
	}
	for _, p := range ans.Parts {
		for _, f := range p.Facts {
			if f.Evidence != ans.EvidenceRef || ans.EvidenceRef != registry.EvidenceRef(ans.Raw) {
				t.Fatalf("fact evidence %q, answer %q", f.Evidence, ans.EvidenceRef)
			}
		}
	}

	s.SetFaults(nil)
	if fk := part(t, fetch(t, c, request(pn)), skalig.RegisterFK); fk.Err != nil {
		t.Errorf("after recovery fk failed: %v", fk.Err)
	}
}

// TestClientRetryRecovers: with half of fk's answers failing, retries make
// fk answer for nearly everyone, and what it answers after a retry is what
// the simulator holds.
func TestClientRetryRecovers(t *testing.T) {
	s := sim.New(sim.Config{Seed: 2, Faults: faults("fk:error=0.5", t)})
	c := memClient(t, s, func(c *registry.Config) { c.Retry.MaxAttempts = 8; c.Breaker.Failures = 100 })
	retried := 0
	for i := range 60 {
		pn := sim.TestPersonnummer(i)
		ans := fetch(t, c, request(pn, skalig.RegisterFK))
		fk := ans.Parts[0]
		if fk.Err != nil {
			continue
		}
		if exs, _ := registry.Exchanges(ans.Raw); len(exs) > 1 {
			retried++
		}
		want := factsOf(sim.ProfileOf(2, pn, testMonth).Facts, skalig.RegisterFK)
		if got := factValues(fk.Facts); got != want {
			t.Errorf("%s fk=%s, want %s", pn.Masked(), got, want)
		}
	}
	if retried == 0 || c.Stats().Retries == 0 {
		t.Errorf("no fetch needed a retry (retries %d)", c.Stats().Retries)
	}
}

// TestClientBreaker: after Failures consecutive failures the breaker opens
// and fk's part answers circuit_open without asking; after the cool-down one
// probe closes it again.
func TestClientBreaker(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1, Faults: faults("fk:error=1", t)})
	c := memClient(t, s, func(c *registry.Config) {
		c.Retry.MaxAttempts = 1
		c.Breaker = registry.BreakerConfig{Failures: 3, CoolDown: 40 * time.Millisecond}
	})
	pn := sim.TestPersonnummer(5)
	for range 3 {
		fetch(t, c, request(pn, skalig.RegisterFK))
	}
	if st := c.Stats(); st.BreakerState[skalig.RegisterFK] != 2 || st.BreakerOpened[skalig.RegisterFK] != 1 {
		t.Fatalf("breaker state %d opened %d, want open once", st.BreakerState["fk"], st.BreakerOpened["fk"])
	}
	before := c.Stats().Exchanges
	ans := fetch(t, c, request(pn, skalig.RegisterFK, skalig.RegisterCSN))
	if fk := part(t, ans, skalig.RegisterFK); fk.Err == nil || fk.Err.Code != registry.CodeCircuitOpen || !fk.Err.Temporary {
		t.Errorf("fk part %+v, want circuit_open", fk)
	}
	if csn := part(t, ans, skalig.RegisterCSN); csn.Err != nil {
		t.Errorf("csn failed with fk's breaker open: %v", csn.Err)
	}
	if got := c.Stats(); got.Exchanges != before+1 || got.Refused != 1 {
		t.Errorf("exchanges %d→%d refused %d, want one exchange (csn only) and one refusal", before, got.Exchanges, got.Refused)
	}

	s.SetFaults(nil)
	time.Sleep(50 * time.Millisecond)
	if fk := part(t, fetch(t, c, request(pn, skalig.RegisterFK)), skalig.RegisterFK); fk.Err != nil {
		t.Errorf("probe after the cool-down failed: %v", fk.Err)
	}
	if st := c.Stats(); st.BreakerState[skalig.RegisterFK] != 0 {
		t.Errorf("breaker state %d after a good probe, want closed", st.BreakerState["fk"])
	}
}

// TestClientTimeoutIsNotNoData: an answer that never comes makes every part
// fail with timeout: no facts, never "answered with nothing".
func TestClientTimeoutIsNotNoData(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1, Faults: faults("all:hang=1", t), HangMax: 10 * time.Second})
	c := memClient(t, s, func(c *registry.Config) { c.Timeout = 30 * time.Millisecond; c.Retry.MaxAttempts = 2 })
	start := time.Now()
	ans := fetch(t, c, request(sim.TestPersonnummer(1)))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("fetch took %v", d)
	}
	for _, p := range ans.Parts {
		if p.Err == nil || p.Err.Code != registry.CodeTimeout || len(p.Facts) != 0 || registry.PartStatus(p) != skalig.RegisterFailed {
			t.Errorf("%s: %+v, want a timeout without facts", p.Source, p)
		}
	}
	if ans.Raw != nil || ans.EvidenceRef != "" {
		t.Errorf("evidence %q with no answer received", ans.EvidenceRef)
	}
}

// TestClientContextDeadline: retries stop within the fetch's deadline, and
// our own deadline does not count against the source's breaker.
func TestClientContextDeadline(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1, Faults: faults("fk:hang=1", t), HangMax: 10 * time.Second})
	c := memClient(t, s, func(c *registry.Config) {
		c.Retry = registry.RetryConfig{MaxAttempts: 10, BaseDelay: 40 * time.Millisecond, MaxDelay: 40 * time.Millisecond}
		c.Breaker.Failures = 1
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	defer cancel()
	start := time.Now()
	ans, err := c.Fetch(ctx, request(sim.TestPersonnummer(1), skalig.RegisterFK))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("fetch took %v past a 60 ms deadline", d)
	}
	if p := ans.Parts[0]; p.Err == nil || p.Err.Code != registry.CodeTimeout {
		t.Errorf("fk %+v, want timeout", p)
	}
	if st := c.Stats(); st.BreakerState[skalig.RegisterFK] != 0 {
		t.Errorf("breaker state %d: our own deadline counted as the source's failure", st.BreakerState["fk"])
	}
}

// TestClientMalformed: an unreadable answer, or an unreadable part, fails
// the part; nothing of it becomes a fact.
func TestClientMalformed(t *testing.T) {
	for _, spec := range []string{"all:malformed=1", "all:baddata=1"} {
		t.Run(spec, func(t *testing.T) {
			s := sim.New(sim.Config{Seed: 3, Faults: faults(spec, t)})
			c := memClient(t, s, func(c *registry.Config) { c.Retry.MaxAttempts = 2; c.Breaker.Failures = 1000 })
			for i := range 20 {
				ans := fetch(t, c, request(sim.TestPersonnummer(i)))
				for _, p := range ans.Parts {
					if p.Err == nil || p.Err.Code != registry.CodeMalformed || len(p.Facts) != 0 || p.UnknownPerson {
						t.Fatalf("%s: %+v, want malformed without facts", p.Source, p)
					}
				}
			}
		})
	}
}

// TestClientDrop: a dropped connection fails every part as unavailable.
func TestClientDrop(t *testing.T) {
	s := sim.New(sim.Config{Seed: 3, Faults: faults("all:drop=1", t)})
	srv, certs := tlsServer(t, s)
	c := tlsClient(t, srv, certs, func(c *registry.Config) { c.Retry.MaxAttempts = 2; c.Breaker.Failures = 1000 })
	for i := range 6 {
		for _, p := range fetch(t, c, request(sim.TestPersonnummer(i))).Parts {
			if p.Err == nil || p.Err.Code != registry.CodeUnavailable || len(p.Facts) != 0 {
				t.Fatalf("%s: %+v, want unavailable without facts", p.Source, p)
			}
		}
	}
}

// roundTrip is an http.RoundTripper from a function.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func respond(status int, body string) roundTrip {
	return func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
}

// TestClientHTTPErrors: faults and statuses map to codes; a refused request
// is not asked again, a failing service is.
func TestClientHTTPErrors(t *testing.T) {
	fault := func(code string) string {
		return `<?xml version="1.0"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Fault>` +
			`<faultcode>` + code + `</faultcode><faultstring>Ej behörig att fråga.</faultstring></Fault></Body></Envelope>`
	}
	for _, tc := range []struct {
		name      string
		rt        roundTrip
		code      string
		temporary bool
		exchanges int64
	}{
		{"ClientFault", respond(500, fault("soap:Client")), registry.CodeRejected, false, 1},
		{"ServerFault", respond(500, fault("soap:Server")), registry.CodeUnavailable, true, 3},
		{"Forbidden", respond(403, "nej"), registry.CodeRejected, false, 1},
		{"ServiceUnavailable", respond(503, "<html>busy</html>"), registry.CodeUnavailable, true, 3},
		{"HTML200", respond(200, "<html>hej</html>"), registry.CodeMalformed, true, 3},
		{"Empty200", respond(200, ""), registry.CodeMalformed, true, 3},
		{"TooLarge", respond(200, strings.Repeat(" ", 5000)), registry.CodeMalformed, true, 3},
		{"Transport", func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset") }, registry.CodeUnavailable, true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.BaseURL, cfg.HTTPClient = "https://registers.invalid/ssbtek", &http.Client{Transport: tc.rt}
			cfg.Retry.MaxAttempts, cfg.MaxAnswerBytes = 3, 4096
			c, err := registry.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ans := fetch(t, c, request(sim.TestPersonnummer(1)))
			for _, p := range ans.Parts {
				if p.Err == nil || p.Err.Code != tc.code || p.Err.Temporary != tc.temporary || len(p.Facts) != 0 {
					t.Fatalf("%s: %+v, want code %s temporary %v", p.Source, p.Err, tc.code, tc.temporary)
				}
			}
			if tc.name == "ClientFault" && !strings.Contains(ans.Parts[0].Err.Message, "Ej behörig") {
				t.Errorf("message %q, want the fault's text", ans.Parts[0].Err.Message)
			}
			if got := c.Stats().Exchanges; got != tc.exchanges {
				t.Errorf("exchanges %d, want %d", got, tc.exchanges)
			}
		})
	}
}

// TestClientTLS: certificates that do not match fail as tls, not retried.
func TestClientTLS(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1})
	srv, certs := tlsServer(t, s)
	other, err := sim.GenerateCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// In TLS 1.3 the server judges the client's certificate after the
	// client's handshake has finished: its alert races the connection's
	// reset, and a reset is (rightly) a temporary failure. In TLS 1.2 the
	// verdict is part of the handshake, so the refusal is always seen as
	// such; the client-side case runs against a TLS 1.2 server.
	tls12 := tls12Server(t, s, certs)
	for _, tc := range []struct {
		name string
		srv  *sim.Server
		edit func(*registry.Config)
	}{
		{"ServerNotTrusted", srv, func(c *registry.Config) { c.CAFile = other.Path(sim.CAFile) }},
		{"ClientNotTrusted", tls12, func(c *registry.Config) {
			c.CertFile, c.KeyFile = other.Path(sim.ClientCertFile), other.Path(sim.ClientKeyFile)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tlsClient(t, tc.srv, certs, tc.edit)
			ans := fetch(t, c, request(sim.TestPersonnummer(1), skalig.RegisterFK))
			if p := ans.Parts[0]; p.Err == nil || p.Err.Code != registry.CodeTLS || p.Err.Temporary {
				t.Errorf("part %+v, want a permanent tls error", p.Err)
			}
			if err := c.Ping(t.Context()); skalig.ErrorCode(err) != skalig.EUNAVAILABLE {
				t.Errorf("Ping=%v, want EUNAVAILABLE", err)
			}
		})
	}
	if err := tlsClient(t, srv, certs, nil).Ping(t.Context()); err != nil {
		t.Errorf("Ping with the right certificates: %v", err)
	}
}

// TestClientRequest: what the client sends names the organisation, the
// purpose, the legal basis and each source's own period.
func TestClientRequest(t *testing.T) {
	var got []byte
	s := sim.New(sim.Config{Seed: 1})
	cfg := testConfig()
	cfg.BaseURL = sim.BaseURL
	cfg.HTTPClient = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		got, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(got))
		return s.HTTPClient().Transport.RoundTrip(r)
	})}
	c, err := registry.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req := request(sim.TestPersonnummer(2), skalig.RegisterSKV, skalig.RegisterFK)
	req.Purpose = ""
	req.SourcePeriods = map[string]skalig.RegisterPeriod{skalig.RegisterSKV: {From: skalig.MonthOf(2024, 1), To: skalig.MonthOf(2024, 12)}}
	fetch(t, c, req)
	for _, want := range []string{
		"<OrgNumber>212000-0142</OrgNumber>", "<Purpose>" + registry.DefaultPurpose + "</Purpose>",
		"<LegalBasis>11 kap. 11 a §", `<Source name="skv"><Period><From>2024-01-01</From><To>2024-12-31</To></Period></Source>`,
		`<Source name="fk"></Source>`, "<Period><From>2025-03-01</From><To>2025-03-31</To></Period>",
	} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("request lacks %s:\n%s", want, got)
		}
	}
}

// TestClientMetrics: the metrics are registered and count.
func TestClientMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := sim.New(sim.Config{Seed: 1, Faults: faults("fk:error=1", t)})
	c := memClient(t, s, func(c *registry.Config) { c.Registerer = reg })
	memClient(t, s, func(c *registry.Config) { c.Registerer = reg }) // a second client shares them
	fetch(t, c, request(sim.TestPersonnummer(1)))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.Metric {
			key := mf.GetName()
			for _, l := range m.Label {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case m.Counter != nil:
				values[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				values[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				values[key] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	for key, want := range map[string]float64{
		"skalig_register_errors_total,kind=source_error,source=fk": 4,
		"skalig_register_errors_total,kind=timeout,source=csn":     0,
		"skalig_register_retries_total,source=fk":                  3,
		"skalig_register_parts_total,source=fk,status=failed":      1,
		"skalig_register_parts_total,source=csn,status=failed":     0,
		"skalig_register_request_duration_seconds,source=fk":       4,
		"skalig_register_request_duration_seconds,source=ts":       1,
		"skalig_register_breaker_state,source=fk":                  0,
	} {
		if got, ok := values[key]; !ok || got != want {
			t.Errorf("%s=%v (present %v), want %v", key, got, ok, want)
		}
	}
}

// TestConfigValidate names the wrong key.
func TestConfigValidate(t *testing.T) {
	ok := testConfig()
	ok.BaseURL, ok.CertFile, ok.KeyFile = "https://ssbtek.example/ws", "c.pem", "k.pem"
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	for key, edit := range map[string]func(*registry.Config){
		"base_url":           func(c *registry.Config) { c.BaseURL = "http://ssbtek.example/ws" },
		"cert_file":          func(c *registry.Config) { c.CertFile = "" },
		"key_file":           func(c *registry.Config) { c.KeyFile = "" },
		"timeout":            func(c *registry.Config) { c.Timeout = 0 },
		"org_number":         func(c *registry.Config) { c.OrgNumber = "212000-0143" },
		"org_name":           func(c *registry.Config) { c.OrgName = " " },
		"legal_basis":        func(c *registry.Config) { c.LegalBasis = "" },
		"retry.max_attempts": func(c *registry.Config) { c.Retry.MaxAttempts = 0 },
		"retry.max_delay":    func(c *registry.Config) { c.Retry.MaxDelay = 0 },
		"breaker.failures":   func(c *registry.Config) { c.Breaker.Failures = 0 },
		"breaker.cool_down":  func(c *registry.Config) { c.Breaker.CoolDown = 0 },
		"max_answer_bytes":   func(c *registry.Config) { c.MaxAnswerBytes = 10 },
	} {
		c := ok
		edit(&c)
		var ce *registry.ConfigError
		if err := c.Validate(); !errors.As(err, &ce) || ce.Key != key {
			t.Errorf("%s: Validate=%v, want a ConfigError for %s", key, err, key)
		}
	}
	bad := ok
	bad.CertFile = "/nonexistent/client.pem"
	var ce *registry.ConfigError
	if _, err := registry.NewClient(bad); !errors.As(err, &ce) || ce.Key != "cert_file" {
		t.Errorf("NewClient with a missing certificate: %v, want a ConfigError for cert_file", err)
	}
}

// TestPingInMemory checks the test call against the simulator.
func TestPingInMemory(t *testing.T) {
	if err := memClient(t, sim.New(sim.Config{}), nil).Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	cfg := testConfig()
	cfg.BaseURL, cfg.HTTPClient = "https://registers.invalid/ssbtek", &http.Client{Transport: respond(200, "<x/>")}
	c, _ := registry.NewClient(cfg)
	if err := c.Ping(t.Context()); skalig.ErrorCode(err) != skalig.EUNAVAILABLE {
		t.Errorf("Ping against a wrong answer: %v, want EUNAVAILABLE", err)
	}
}
