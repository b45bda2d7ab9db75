package registry

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config configures the client of the combined register service. Base URL,
// certificates, timeouts and the organisation's identity are configuration,
// never constants.
type Config struct {
	// BaseURL is the service's SOAP endpoint, https://….
	BaseURL string
	// CertFile and KeyFile are the organisation's client certificate and
	// key (PEM), CAFile the CA certificates that sign the service's server
	// certificate (PEM; empty means the system's roots).
	CertFile, KeyFile, CAFile string
	// Timeout bounds one exchange (request and answer); the request's
	// context bounds the whole fetch with its retries.
	Timeout time.Duration
	// OrgNumber (organisationsnummer, NNNNNN-NNNN) and OrgName say who
	// asks; LegalBasis is the legal text cited in every request.
	OrgNumber, OrgName string
	LegalBasis         string
	Retry              RetryConfig
	Breaker            BreakerConfig
	// MaxAnswerBytes bounds an answer; a larger one is malformed.
	MaxAnswerBytes int64

	// HTTPClient, when set, is used instead of a client built from the
	// certificate files: the simulator in process (sim.HTTPClient) or a
	// test. Its own timeout should be zero; Timeout applies.
	HTTPClient *http.Client
	// Registerer registers the metrics; nil registers none.
	Registerer prometheus.Registerer
	// Logger logs failed exchanges (nil: slog.Default()); Now is the clock
	// (nil: time.Now).
	Logger *slog.Logger
	Now    func() time.Time
}

// RetryConfig is the retry of temporary failures within one fetch: at most
// MaxAttempts exchanges per source, waiting BaseDelay×2ⁿ (at most MaxDelay,
// of which a random half) between them, and never past the context's
// deadline.
type RetryConfig struct {
	MaxAttempts         int
	BaseDelay, MaxDelay time.Duration
}

// BreakerConfig is the circuit breaker per source: after Failures
// consecutive failed exchanges the source is not asked (its part answers
// circuit_open) until CoolDown has passed; then one exchange probes it.
type BreakerConfig struct {
	Failures int
	CoolDown time.Duration
}

// DefaultLegalBasis is the legal text cited by default: registries.md's,
// under the old Social Services Act. A municipality sets its own from the
// service's current contract.
const DefaultLegalBasis = "11 kap. 11 a § socialtjänstlagen (2001:453); 5 § förordningen (2008:975) om uppgiftsskyldighet i vissa fall enligt socialtjänstlagen"

// DefaultConfig returns the defaults: 20 s per exchange, 4 attempts from
// 500 ms backoff up to 10 s, a breaker opening after 5 failures for 30 s,
// answers up to 8 MiB. BaseURL, certificates and the organisation must be
// set.
func DefaultConfig() Config {
	return Config{
		Timeout:        20 * time.Second,
		LegalBasis:     DefaultLegalBasis,
		Retry:          RetryConfig{MaxAttempts: 4, BaseDelay: 500 * time.Millisecond, MaxDelay: 10 * time.Second},
		Breaker:        BreakerConfig{Failures: 5, CoolDown: 30 * time.Second},
		MaxAnswerBytes: 8 << 20,
	}
}

// ConfigError names the configuration key that is wrong.
type ConfigError struct {
	Key string
	Msg string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("registers config: %s: %s", e.Key, e.Msg) }

// Validate checks every value and returns a *ConfigError naming the first
// wrong one.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && c.HTTPClient != nil)) {
		return bad("base_url", "%q is not an https URL", c.BaseURL)
	}
	if c.HTTPClient == nil {
		if c.CertFile == "" {
			return bad("cert_file", "a client certificate is required (mutual TLS)")
		}
		if c.KeyFile == "" {
			return bad("key_file", "the client certificate's key is required")
		}
	}
	if c.Timeout <= 0 {
		return bad("timeout", "%v is not a positive duration", c.Timeout)
	}
	if _, ok := OrgNumber(c.OrgNumber); !ok {
		return bad("org_number", "%q is not an organisationsnummer (NNNNNN-NNNN with a correct check digit)", c.OrgNumber)
	}
	if strings.TrimSpace(c.OrgName) == "" {
		return bad("org_name", "the organisation's name is required")
	}
	if strings.TrimSpace(c.LegalBasis) == "" {
		return bad("legal_basis", "the legal basis cited in requests is required")
	}
	if c.Retry.MaxAttempts < 1 || c.Retry.MaxAttempts > 20 {
		return bad("retry.max_attempts", "%d is not 1-20", c.Retry.MaxAttempts)
	}
	if c.Retry.BaseDelay < 0 || c.Retry.MaxDelay < c.Retry.BaseDelay {
		return bad("retry.max_delay", "delays must satisfy 0 ≤ base_delay ≤ max_delay")
	}
	if c.Breaker.Failures < 1 {
		return bad("breaker.failures", "%d is not at least 1", c.Breaker.Failures)
	}
	if c.Breaker.CoolDown <= 0 {
		return bad("breaker.cool_down", "%v is not a positive duration", c.Breaker.CoolDown)
	}
	if c.MaxAnswerBytes < 1024 {
		return bad("max_answer_bytes", "%d is less than 1024", c.MaxAnswerBytes)
	}
	return nil
}

// OrgNumber returns an organisationsnummer in the form NNNNNN-NNNN, read
// from ten digits with or without the hyphen, and whether it has a correct
// check digit (the modulus-10 method of personnummer).
func OrgNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 11 && s[6] == '-' {
		s = s[:6] + s[7:]
	}
	if len(s) != 10 {
		return "", false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return "", false
		}
		v := int(c - '0')
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	if sum%10 != 0 {
		return "", false
	}
	return s[:6] + "-" + s[6:], true
}
