package registry

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"skalig"
	"skalig/internal/registry/wire"
)

// DefaultPurpose is the purpose stated when a request names none.
const DefaultPurpose = "beslut om försörjningsstöd"

// Client asks the combined register service over SOAP 1.1 with mutual TLS.
// It implements skalig.Registers: one exchange asks every source of the
// request; a source that fails temporarily is asked again, alone with the
// others still failing, with exponential backoff and jitter until it answers,
// the attempts are spent or the context's deadline is near; a source whose
// circuit breaker is open is not asked and its part says circuit_open. A
// part that timed out, failed or could not be read has an Err and no facts:
// it never reads as "no data".
//
// A Client is safe for concurrent use; its breakers are shared by all
// fetches, so create one per process and service.
type Client struct {
	cfg      Config
	org      string
	hc       *http.Client
	ownHC    bool
	breakers map[string]*breaker
	m        *metrics
	log      *slog.Logger
	now      func() time.Time

	fetches, exchanges, retries, refused atomic.Int64
}

var _ skalig.Registers = (*Client)(nil)

// NewClient returns a client for cfg, which must pass Validate. It loads the
// certificates now, so that a wrong file stops the program at start.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	org, _ := OrgNumber(cfg.OrgNumber)
	c := &Client{cfg: cfg, org: org, hc: cfg.HTTPClient, log: cfg.Logger, now: cfg.Now, m: newMetrics(cfg.Registerer)}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.hc == nil {
		tc, err := clientTLS(cfg)
		if err != nil {
			return nil, err
		}
		c.hc = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			TLSClientConfig:     tc,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        100,
			MaxIdleConnsPerHost: 32,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}}
		c.ownHC = true
	}
	c.breakers = make(map[string]*breaker, len(skalig.RegisterNames))
	for _, s := range skalig.RegisterNames {
		g := c.m.breaker.WithLabelValues(s)
		c.breakers[s] = &breaker{cfg: cfg.Breaker, onChange: func(st int) { g.Set(float64(st)) }}
	}
	return c, nil
}

// clientTLS builds the TLS configuration from the certificate files.
func clientTLS(cfg Config) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return nil, &ConfigError{Key: "cert_file", Msg: err.Error()}
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, &ConfigError{Key: "ca_file", Msg: err.Error()}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &ConfigError{Key: "ca_file", Msg: "no PEM certificate in " + cfg.CAFile}
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// Close closes idle connections.
func (c *Client) Close() error {
	if c.ownHC {
		c.hc.CloseIdleConnections()
	}
	return nil
}

// Stats counts what a client has done since it was made.
type Stats struct {
	Fetches   int64 // calls of Fetch with a valid request
	Exchanges int64 // SOAP exchanges sent
	Retries   int64 // sources asked again after a temporary failure
	Refused   int64 // parts answered circuit_open without asking
	// BreakerOpened is how many times each source's breaker opened, and
	// BreakerState its state now (0 closed, 1 half-open, 2 open).
	BreakerOpened map[string]int
	BreakerState  map[string]int
}

// Stats returns the client's counts.
func (c *Client) Stats() Stats {
	s := Stats{
		Fetches: c.fetches.Load(), Exchanges: c.exchanges.Load(), Retries: c.retries.Load(), Refused: c.refused.Load(),
		BreakerOpened: map[string]int{}, BreakerState: map[string]int{},
	}
	for name, b := range c.breakers {
		s.BreakerState[name], s.BreakerOpened[name] = b.snapshot()
	}
	return s
}

// Fetch asks the service about req.Person. It returns an error only for an
// invalid request (*skalig.Error EINVALID); otherwise an answer with one part
// per source asked, in the order of CheckRequest, each with facts, unknown
// person or an Err. Raw is the raw SOAP answer (a bundle of them when
// sources were asked again, see Bundle) and every fact's Evidence its
// EvidenceRef; At is when the fact's exchange was answered.
func (c *Client) Fetch(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	sources, err := CheckRequest(req)
	if err != nil {
		return nil, err
	}
	c.fetches.Add(1)
	final := make(map[string]skalig.RegisterPart, len(sources))
	var exchanges []Exchange
	pending := sources
	for attempt := 1; len(pending) > 0; attempt++ {
		if attempt > 1 {
			if !c.wait(ctx, c.backoff(attempt-1)) {
				break
			}
			for _, s := range pending {
				c.m.retries.WithLabelValues(s).Inc()
			}
			c.retries.Add(int64(len(pending)))
		}
		now := c.now()
		var send []string
		probes := map[string]bool{}
		for _, s := range pending {
			ok, probe := c.breakers[s].allow(now)
			if !ok {
				final[s] = skalig.RegisterPart{Source: s, Err: skalig.NewRegisterError(CodeCircuitOpen, true,
					skalig.NewDetail("detail.register_error.circuit_open", skalig.RegisterArg(s)))}
				c.m.errors.WithLabelValues(s, CodeCircuitOpen).Inc()
				c.refused.Add(1)
				continue
			}
			send = append(send, s)
			probes[s] = probe
		}
		pending = nil
		if len(send) == 0 {
			break
		}
		res := c.exchange(ctx, req, send)
		c.exchanges.Add(1)
		if res.body != nil {
			exchanges = append(exchanges, Exchange{
				Sources: send, CorrelationID: res.correlationID, Received: res.received,
				HTTPStatus: res.status, Body: res.body,
			})
		}
		done := c.now()
		for _, s := range send {
			p := res.parts[s]
			c.m.duration.WithLabelValues(s).Observe(res.dur.Seconds())
			o := success
			switch {
			case p.Err == nil:
			case res.ownEnd:
				o = neutral
			case p.Err.Temporary || res.whole:
				o = failure
			}
			c.breakers[s].done(done, probes[s], o)
			final[s] = p
			if p.Err != nil {
				c.m.errors.WithLabelValues(s, errorKind(p.Err.Code)).Inc()
				if p.Err.Temporary && !res.ownEnd && attempt < c.cfg.Retry.MaxAttempts && ctx.Err() == nil {
					pending = append(pending, s)
				}
			}
		}
	}
	ans := &skalig.RegisterAnswer{FetchedAt: c.now().UTC().Truncate(time.Microsecond), Raw: Bundle(exchanges)}
	if ans.Raw != nil {
		ans.EvidenceRef = EvidenceRef(ans.Raw)
	}
	for _, s := range sources {
		p := final[s]
		p.Source = s
		for i := range p.Facts {
			p.Facts[i].Evidence = ans.EvidenceRef
		}
		c.m.parts.WithLabelValues(s, PartStatus(p)).Inc()
		ans.Parts = append(ans.Parts, p)
	}
	return ans, nil
}

// backoff returns the wait before retry n (1, 2, …): BaseDelay×2ⁿ⁻¹ capped
// at MaxDelay, of which the second half is random ("equal jitter"), so that
// fetches failing together do not retry together.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.Retry.BaseDelay
	for i := 1; i < n && d < c.cfg.Retry.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, c.cfg.Retry.MaxDelay)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + mrand.N(d-half+1)
}

// wait sleeps d unless the context ends first or its deadline is within d;
// it reports whether there is time left to ask again.
func (c *Client) wait(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return false
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// exchangeResult is the outcome of one exchange: a part per source sent.
type exchangeResult struct {
	parts         map[string]skalig.RegisterPart
	body          []byte // the raw answer, nil if none came
	status        int
	correlationID string
	received      time.Time
	dur           time.Duration
	whole         bool // the exchange failed as a whole
	ownEnd        bool // the fetch's own context ended: nothing learnt of the sources
}

// exchange sends one request for sources and reads its answer.
func (c *Client) exchange(ctx context.Context, req skalig.RegisterRequest, sources []string) exchangeResult {
	res := exchangeResult{correlationID: newCorrelationID(), parts: map[string]skalig.RegisterPart{}}
	sub := req
	sub.Sources = sources
	sub.SourcePeriods = nil
	for _, s := range sources {
		if p, ok := req.SourcePeriods[s]; ok {
			if sub.SourcePeriods == nil {
				sub.SourcePeriods = map[string]skalig.RegisterPeriod{}
			}
			sub.SourcePeriods[s] = p
		}
	}
	caseworker := req.Caseworker
	if caseworker == "" {
		caseworker = "system"
	}
	if strings.TrimSpace(sub.Purpose) == "" {
		sub.Purpose = DefaultPurpose
	}
	who := wire.Requester{OrgNumber: c.org, OrgName: c.cfg.OrgName, Caseworker: caseworker}
	body, err := wire.Marshal(&wire.Envelope{Body: wire.Body{
		FetchRequest: WireRequest(sub, sources, who, c.cfg.LegalBasis, res.correlationID, skalig.FormatTime(c.now())),
	}})
	if err != nil {
		return c.failAll(res, sources, CodeMalformed, false, fmt.Errorf("encode request: %w", err), req)
	}
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, c.cfg.BaseURL, bytes.NewReader(body))
	if err != nil {
		return c.failAll(res, sources, CodeUnavailable, false, err, req)
	}
	hreq.Header.Set("Content-Type", wire.ContentType)
	hreq.Header.Set("SOAPAction", `"`+wire.ActionFetch+`"`)
	start := time.Now()
	resp, err := c.hc.Do(hreq)
	if err != nil {
		res.dur = time.Since(start)
		return c.transportFailure(ctx, res, sources, err, req)
	}
	defer resp.Body.Close()
	res.status = resp.StatusCode
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxAnswerBytes+1))
	res.dur = time.Since(start)
	res.received = c.now()
	if len(raw) > 0 {
		res.body = raw
	}
	if err != nil {
		return c.transportFailure(ctx, res, sources, err, req)
	}
	if int64(len(raw)) > c.cfg.MaxAnswerBytes {
		return c.failAll(res, sources, CodeMalformed, true, fmt.Errorf("answer larger than %d bytes", c.cfg.MaxAnswerBytes), req)
	}
	parts, perr := ParseAnswer(raw, sub, res.correlationID, res.received)
	var fe *FaultError
	switch {
	case errors.As(perr, &fe) && fe.Client():
		return c.failAll(res, sources, CodeRejected, false, fe, req)
	case errors.As(perr, &fe):
		return c.failAll(res, sources, CodeUnavailable, true, fe, req)
	case resp.StatusCode != http.StatusOK:
		code, temp := CodeUnavailable, true
		switch resp.StatusCode {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed:
			code, temp = CodeRejected, false
		}
		return c.failAll(res, sources, code, temp, fmt.Errorf("http status %d", resp.StatusCode), req)
	case perr != nil:
		return c.failAll(res, sources, CodeMalformed, true, perr, req)
	}
	for _, p := range parts {
		res.parts[p.Source] = p
		if p.Err != nil && p.Err.Code == CodeMalformed {
			c.log.Warn("register part malformed", "source", p.Source, "case_id", req.CaseID,
				"correlation_id", res.correlationID, "detail", p.Err.Message)
		}
	}
	return res
}

// transportFailure classifies an error of the HTTP exchange.
func (c *Client) transportFailure(ctx context.Context, res exchangeResult, sources []string, err error, req skalig.RegisterRequest) exchangeResult {
	var (
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
		cve *tls.CertificateVerificationError
		ope *net.OpError
	)
	switch {
	case ctx.Err() != nil:
		res.ownEnd = true
		return c.failAll(res, sources, CodeTimeout, true, err, req)
	case errors.Is(err, context.DeadlineExceeded):
		return c.failAll(res, sources, CodeTimeout, true, err, req)
	case errors.As(err, &uae), errors.As(err, &he), errors.As(err, &cie), errors.As(err, &cve),
		// The server refused our certificate with a TLS alert.
		errors.As(err, &ope) && ope.Op == "remote error" && strings.Contains(ope.Err.Error(), "certificate"):
		return c.failAll(res, sources, CodeTLS, false, err, req)
	}
	return c.failAll(res, sources, CodeUnavailable, true, err, req)
}

// failAll gives every source of a failed exchange the same error.
func (c *Client) failAll(res exchangeResult, sources []string, code string, temporary bool, cause error, req skalig.RegisterRequest) exchangeResult {
	res.whole = true
	if !res.ownEnd {
		c.log.Warn("register exchange failed", "code", code, "sources", sources, "case_id", req.CaseID,
			"correlation_id", res.correlationID, "http_status", res.status, "err", cause)
	}
	var fe *FaultError
	for _, s := range sources {
		name := skalig.RegisterArg(s)
		var d skalig.Detail
		switch code {
		case CodeTimeout:
			d = skalig.NewDetail("detail.register_error.timeout", name)
		case CodeMalformed:
			d = skalig.NewDetail("detail.register_error.malformed_service", name)
		case CodeRejected:
			d = skalig.NewDetail("detail.register_error.rejected", name)
			if errors.As(cause, &fe) && cleanMessage(fe.String) != "" {
				// The service's own words, as it sent them.
				d = skalig.NewDetail("detail.register_error.rejected_said", name, skalig.TextArg(cleanMessage(fe.String)))
			}
		case CodeTLS:
			d = skalig.NewDetail("detail.register_error.tls")
		default:
			d = skalig.NewDetail("detail.register_error.unavailable", name)
		}
		res.parts[s] = skalig.RegisterPart{Source: s, Err: skalig.NewRegisterError(code, temporary, d)}
	}
	return res
}

// Ping makes the service's test call, which has the shape of a fetch but
// asks no source. It returns nil when the service answers, else
// *skalig.Error EUNAVAILABLE.
func (c *Client) Ping(ctx context.Context) error {
	corr := newCorrelationID()
	body, err := wire.Marshal(&wire.Envelope{Body: wire.Body{TestRequest: &wire.TestRequest{
		Requester:     wire.Requester{OrgNumber: c.org, OrgName: c.cfg.OrgName, Caseworker: "system"},
		CorrelationID: corr,
	}}})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	hreq.Header.Set("Content-Type", wire.ContentType)
	hreq.Header.Set("SOAPAction", `"`+wire.ActionTest+`"`)
	unavailable := func(err error) error {
		c.log.Warn("register test call failed", "err", err)
		return skalig.Errorf(skalig.EUNAVAILABLE, "Registertjänsten svarar inte.")
	}
	resp, err := c.hc.Do(hreq)
	if err != nil {
		return unavailable(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return unavailable(err)
	}
	env, err := wire.Unmarshal(raw)
	if err != nil {
		return unavailable(err)
	}
	if tr := env.Body.TestResponse; resp.StatusCode != http.StatusOK || tr == nil || tr.Status != "ok" || tr.CorrelationID != corr {
		return unavailable(fmt.Errorf("http status %d, no test answer", resp.StatusCode))
	}
	return nil
}

func newCorrelationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
