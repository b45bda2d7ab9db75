// Package config holds Skälig's one typed configuration: defaults from
// Default, then SKALIG_* environment variables, then command-line flags,
// checked by Validate, which names the offending key.
package config

import (
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"skalig/internal/audit"
	"skalig/internal/gallring"
)

// Config is the whole configuration of one skalig process.
type Config struct {
	// Addr is the HOST:PORT the HTTP server listens on (SKALIG_ADDR).
	Addr string
	// DebugAddr, when set, is a loopback HOST:PORT where the process
	// serves Go's profiler (net/http/pprof) for performance work, and
	// /metrics without a token (SKALIG_DEBUG_ADDR). Off by default; never
	// on a public address.
	DebugAddr string
	// MetricsAddr, when set, is the HOST:PORT of a listener of its own
	// for GET /metrics (SKALIG_METRICS_ADDR), e.g. an address on the
	// operations network; /metrics is then off the public listener. It
	// asks for MetricsToken when one is set, else for nothing. Empty:
	// /metrics is on the public listener behind MetricsToken.
	MetricsAddr string
	// MetricsToken is the bearer token /metrics asks for on the public
	// listener (SKALIG_METRICS_TOKEN, or read from the file
	// SKALIG_METRICS_TOKEN_FILE), at least 16 characters. Empty: /metrics
	// answers 404 there, and is served only on DebugAddr.
	MetricsToken string
	// LogLevel is debug, info, warn or error (SKALIG_LOG_LEVEL).
	LogLevel string
	// LogFormat is text or json (SKALIG_LOG_FORMAT).
	LogFormat string

	// Database is the database DSN (SKALIG_DATABASE): a SQLite file path
	// (the embedded default) or postgres://… (see internal/store.Open).
	Database string
	// Workers is the number of jobs this process runs at once
	// (SKALIG_WORKERS); 0 runs none (an API-only serve).
	Workers int
	// DBConns bounds this process's PostgreSQL connections (SKALIG_DB_CONNS);
	// 0 takes the store's default (32). Several processes on one server
	// must together stay below its max_connections (100 by default).
	DBConns int
	// JobLease is how long a claimed job is locked to its worker; a job of a
	// process that died is run again after it (SKALIG_JOB_LEASE).
	JobLease time.Duration
	// APITokens are the machine clients of the case API
	// (SKALIG_API_TOKENS): "name@0821,0880=secret;other@*=secret2", with
	// the actions a client may take after a slash when they are not the
	// default submit and read: "sys@0821/submit,read,decide,act_for_person=secret".
	// Keep the secrets out of files in version control.
	APITokens string
	// Registers is where register data comes from (SKALIG_REGISTERS):
	// "sim" for the simulator in this process (demo and tests), "none", or
	// the https URL of the combined service, with the client certificate
	// SKALIG_REGISTERS_CERT, its key SKALIG_REGISTERS_KEY and the service's
	// CA SKALIG_REGISTERS_CA.
	Registers                                string
	RegistersCert, RegistersKey, RegistersCA string
	// SimSeed selects the simulator's synthetic population (SKALIG_SIM_SEED).
	SimSeed uint64
	// RegisterDeadline is how long a case waits for a register source that
	// does not answer before a person takes it (SKALIG_REGISTER_DEADLINE).
	RegisterDeadline time.Duration
	// SimLatency is the simulator's answer time per source when Registers
	// is "sim" (SKALIG_SIM_LATENCY), as sim.ParseLatency reads it:
	// "all=50ms-200ms" or "fk=50-200ms,skv=1s". Empty answers at once.
	SimLatency string
	// SimFaults are the simulator's fault rates per source when Registers
	// is "sim" (SKALIG_SIM_FAULTS), as sim.ParseFaults reads it:
	// "all=0.1" or "fk:timeout=0.2". Empty injects none.
	SimFaults string

	// Municipality is the kommunkod of the municipality the web pages are
	// for: its name heads them (SKALIG_MUNICIPALITY).
	Municipality string
	// BaseURL is the address people reach Skälig at (SKALIG_BASE_URL),
	// e.g. https://skalig.hogsby.se: the login's callback is
	// BaseURL/auth/callback, registered at the provider. https in
	// production; http only on the local machine.
	BaseURL string
	// OIDCIssuer is the OpenID Connect provider people log in through
	// (SKALIG_OIDC_ISSUER), exactly as its discovery document states it.
	// Empty: no login, and serve shows only the public pages.
	OIDCIssuer string
	// OIDCClientID and OIDCClientSecret are Skälig's client at the
	// provider (SKALIG_OIDC_CLIENT_ID, SKALIG_OIDC_CLIENT_SECRET, or the
	// secret read from the file SKALIG_OIDC_CLIENT_SECRET_FILE). An empty
	// secret makes a public client (PKCE alone).
	OIDCClientID, OIDCClientSecret string
	// OIDCClaimPersonalNumber, OIDCClaimRoles and OIDCClaimMunicipalities
	// name the claims the login reads (SKALIG_OIDC_CLAIM_PERSONAL_NUMBER,
	// SKALIG_OIDC_CLAIM_ROLES, SKALIG_OIDC_CLAIM_MUNICIPALITIES): the
	// applicant's personnummer, a staff member's roles and municipality
	// codes. Defaults: personal_number, roles, municipalities
	// (docs/login.md).
	OIDCClaimPersonalNumber, OIDCClaimRoles, OIDCClaimMunicipalities string

	// AuditKeyFile is the file holding the ed25519 key that signs the
	// audit trail's checkpoints (SKALIG_AUDIT_KEY_FILE), a PEM "PRIVATE
	// KEY" as `openssl genpkey -algorithm ed25519` or `skalig audit key
	// generate` writes it. Keep it outside the database and its backups,
	// readable only by skalig. Empty: no checkpoints are signed (see
	// docs/audit.md).
	AuditKeyFile string
	// Payments (internal/payments, docs/payments.md). PaymentDebtorName
	// is the municipality's name in payment files
	// (SKALIG_PAYMENT_DEBTOR_NAME); PaymentDebtorIBAN the account the
	// payments are made from (SKALIG_PAYMENT_DEBTOR_IBAN); PaymentDebtorBIC
	// its bank's BIC, empty for NOTPROVIDED (SKALIG_PAYMENT_DEBTOR_BIC);
	// PaymentOrgID the municipality's customer id at the bank
	// (SKALIG_PAYMENT_ORG_ID). The defaults are synthetic: the IBAN is the
	// IBAN registry's example for Sweden, and no bank knows the rest.
	PaymentDebtorName, PaymentDebtorIBAN, PaymentDebtorBIC, PaymentOrgID string
	// PaymentDir is where scheduled payment runs write their files for the
	// bank's file transfer (SKALIG_PAYMENT_DIR); empty: no scheduled runs
	// (skalig payments run makes them by hand).
	PaymentDir string
	// PaymentInterval is how often serve and worker make a payment run
	// when PaymentDir is set (SKALIG_PAYMENT_INTERVAL).
	PaymentInterval time.Duration
	// PaymentAccountChangeDays: a payment to an account first stated
	// fewer days ago than this, when the household was last paid to
	// another account, waits for a second person
	// (SKALIG_PAYMENT_ACCOUNT_CHANGE_DAYS; 0 turns the rule off).
	PaymentAccountChangeDays int
	// PaymentHoldAbove: a payment above this many kronor waits for a
	// second person (SKALIG_PAYMENT_HOLD_ABOVE; 0 turns the rule off).
	PaymentHoldAbove int64

	// GallringSchedule is the day of the year (MM-DD) from which serve
	// and worker prepare the year's gallring run for the municipality, to
	// be approved by two persons (SKALIG_GALLRING_SCHEDULE; "off": none).
	GallringSchedule string
	// GallringRules is a file of gallring rules (SKALIG_GALLRING_RULES;
	// empty: the law's, docs/gallring.md) the scheduled run uses.
	GallringRules string

	// MetricsTokenFile and OIDCClientSecretFile are the files the secrets
	// were read from (SKALIG_METRICS_TOKEN_FILE,
	// SKALIG_OIDC_CLIENT_SECRET_FILE), kept for Dump.
	MetricsTokenFile, OIDCClientSecretFile string

	bad []*Error // environment values that did not parse
}

// Default returns the configuration used when nothing else is set.
func Default() Config {
	return Config{Addr: "127.0.0.1:8080", LogLevel: "info", LogFormat: "text",
		Database: "skalig.db", Workers: 32, JobLease: time.Minute, Registers: "none", SimSeed: 1,
		RegisterDeadline: 24 * time.Hour, Municipality: "0821",
		OIDCClaimPersonalNumber: "personal_number", OIDCClaimRoles: "roles", OIDCClaimMunicipalities: "municipalities",
		PaymentDebtorName: "Demokommunen (syntetisk)", PaymentDebtorIBAN: "SE4550000000058398257466",
		PaymentOrgID: "2120000001", PaymentInterval: time.Hour, PaymentAccountChangeDays: 30, PaymentHoldAbove: 30000,
		GallringSchedule: "01-15"}
}

// FromEnv applies SKALIG_* variables from getenv (os.Getenv in production)
// over c.
func (c *Config) FromEnv(getenv func(string) string) {
	set := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	set(&c.Addr, "SKALIG_ADDR")
	set(&c.DebugAddr, "SKALIG_DEBUG_ADDR")
	set(&c.MetricsAddr, "SKALIG_METRICS_ADDR")
	set(&c.LogLevel, "SKALIG_LOG_LEVEL")
	set(&c.LogFormat, "SKALIG_LOG_FORMAT")
	set(&c.Database, "SKALIG_DATABASE")
	set(&c.APITokens, "SKALIG_API_TOKENS")
	set(&c.Registers, "SKALIG_REGISTERS")
	set(&c.RegistersCert, "SKALIG_REGISTERS_CERT")
	set(&c.RegistersKey, "SKALIG_REGISTERS_KEY")
	set(&c.RegistersCA, "SKALIG_REGISTERS_CA")
	set(&c.SimLatency, "SKALIG_SIM_LATENCY")
	set(&c.SimFaults, "SKALIG_SIM_FAULTS")
	set(&c.Municipality, "SKALIG_MUNICIPALITY")
	set(&c.BaseURL, "SKALIG_BASE_URL")
	set(&c.OIDCIssuer, "SKALIG_OIDC_ISSUER")
	set(&c.OIDCClientID, "SKALIG_OIDC_CLIENT_ID")
	set(&c.OIDCClientSecret, "SKALIG_OIDC_CLIENT_SECRET")
	set(&c.OIDCClaimPersonalNumber, "SKALIG_OIDC_CLAIM_PERSONAL_NUMBER")
	set(&c.OIDCClaimRoles, "SKALIG_OIDC_CLAIM_ROLES")
	set(&c.OIDCClaimMunicipalities, "SKALIG_OIDC_CLAIM_MUNICIPALITIES")
	set(&c.AuditKeyFile, "SKALIG_AUDIT_KEY_FILE")
	set(&c.MetricsToken, "SKALIG_METRICS_TOKEN")
	set(&c.PaymentDebtorName, "SKALIG_PAYMENT_DEBTOR_NAME")
	set(&c.PaymentDebtorIBAN, "SKALIG_PAYMENT_DEBTOR_IBAN")
	set(&c.PaymentDebtorBIC, "SKALIG_PAYMENT_DEBTOR_BIC")
	set(&c.PaymentOrgID, "SKALIG_PAYMENT_ORG_ID")
	set(&c.PaymentDir, "SKALIG_PAYMENT_DIR")
	set(&c.GallringSchedule, "SKALIG_GALLRING_SCHEDULE")
	set(&c.GallringRules, "SKALIG_GALLRING_RULES")
	c.bad = nil
	if f := getenv("SKALIG_METRICS_TOKEN_FILE"); f != "" {
		c.MetricsTokenFile = f
		b, err := os.ReadFile(f)
		if err != nil {
			c.bad = append(c.bad, &Error{Key: "metrics_token (SKALIG_METRICS_TOKEN_FILE)", Msg: err.Error()})
		}
		c.MetricsToken = strings.TrimSpace(string(b))
	}
	if f := getenv("SKALIG_OIDC_CLIENT_SECRET_FILE"); f != "" {
		c.OIDCClientSecretFile = f
		b, err := os.ReadFile(f)
		if err != nil {
			c.bad = append(c.bad, &Error{Key: "oidc_client_secret (SKALIG_OIDC_CLIENT_SECRET_FILE)", Msg: err.Error()})
		}
		c.OIDCClientSecret = strings.TrimSpace(string(b))
	}
	if v := getenv("SKALIG_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			c.bad = append(c.bad, &Error{Key: "workers (SKALIG_WORKERS)", Msg: fmt.Sprintf("%q is not a number", v)})
		}
		c.Workers = n
	}
	if v := getenv("SKALIG_DB_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			c.bad = append(c.bad, &Error{Key: "db_conns (SKALIG_DB_CONNS)", Msg: fmt.Sprintf("%q is not a number", v)})
		}
		c.DBConns = n
	}
	for key, dst := range map[string]*int{"SKALIG_PAYMENT_ACCOUNT_CHANGE_DAYS": &c.PaymentAccountChangeDays} {
		if v := getenv(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				c.bad = append(c.bad, &Error{Key: "payment_account_change_days (" + key + ")", Msg: fmt.Sprintf("%q is not a number", v)})
			}
			*dst = n
		}
	}
	if v := getenv("SKALIG_PAYMENT_HOLD_ABOVE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			c.bad = append(c.bad, &Error{Key: "payment_hold_above (SKALIG_PAYMENT_HOLD_ABOVE)", Msg: fmt.Sprintf("%q is not a number of kronor", v)})
		}
		c.PaymentHoldAbove = n
	}
	if v := getenv("SKALIG_SIM_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			c.bad = append(c.bad, &Error{Key: "sim_seed (SKALIG_SIM_SEED)", Msg: fmt.Sprintf("%q is not a number", v)})
		}
		c.SimSeed = n
	}
	for key, dst := range map[string]*time.Duration{"SKALIG_JOB_LEASE": &c.JobLease, "SKALIG_REGISTER_DEADLINE": &c.RegisterDeadline,
		"SKALIG_PAYMENT_INTERVAL": &c.PaymentInterval} {
		if v := getenv(key); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				c.bad = append(c.bad, &Error{Key: key, Msg: fmt.Sprintf("%q is not a duration such as 30s or 24h", v)})
			}
			*dst = d
		}
	}
}

// Token is one machine client of the case API.
type Token struct {
	Name           string
	Municipalities []string
	// Actions the client may take (skalig.ClientAction names); empty:
	// skalig.DefaultClientActions.
	Actions []string
	Secret  string
}

// clientActions are the action names a token may list.
var clientActions = []string{"submit", "read", "decide", "act_for_person"}

// Tokens parses APITokens.
func (c *Config) Tokens() ([]Token, error) {
	var out []Token
	for _, item := range strings.Split(c.APITokens, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		who, secret, ok := strings.Cut(item, "=")
		name, muns, ok2 := strings.Cut(who, "@")
		muns, acts, _ := strings.Cut(muns, "/")
		if !ok || !ok2 || name == "" || muns == "" || len(secret) < 16 {
			return nil, &Error{Key: "api_tokens (SKALIG_API_TOKENS)",
				Msg: "each token is name@0821,0880=secret (or name@*=secret, or with actions name@0821/submit,read,decide,act_for_person=secret), the secret at least 16 characters"}
		}
		t := Token{Name: name, Municipalities: strings.Split(muns, ","), Secret: secret}
		if acts != "" {
			t.Actions = strings.Split(acts, ",")
			for _, a := range t.Actions {
				if !slices.Contains(clientActions, a) {
					return nil, &Error{Key: "api_tokens (SKALIG_API_TOKENS)",
						Msg: fmt.Sprintf("token %s: unknown action %q; the actions are %s", name, a, strings.Join(clientActions, ", "))}
				}
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Error names the configuration key that is wrong.
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Key, e.Msg) }

// Validate checks every value and returns an *Error naming the first wrong one.
func (c *Config) Validate() error {
	if len(c.bad) > 0 {
		return c.bad[0]
	}
	if c.Database == "" {
		return &Error{Key: "database (SKALIG_DATABASE)", Msg: "empty; give a SQLite file or a postgres:// URL"}
	}
	if c.DBConns < 0 || c.DBConns > 1000 {
		return &Error{Key: "db_conns (SKALIG_DB_CONNS)", Msg: fmt.Sprintf("%d is not 0-1000", c.DBConns)}
	}
	if c.Workers < 0 || c.Workers > 1024 {
		return &Error{Key: "workers (SKALIG_WORKERS)", Msg: fmt.Sprintf("%d is not 0-1024", c.Workers)}
	}
	if c.JobLease < 5*time.Second {
		return &Error{Key: "job_lease (SKALIG_JOB_LEASE)", Msg: fmt.Sprintf("%s is shorter than 5s", c.JobLease)}
	}
	if c.RegisterDeadline <= 0 {
		return &Error{Key: "register_deadline (SKALIG_REGISTER_DEADLINE)", Msg: "must be positive"}
	}
	if c.Registers != "sim" && c.Registers != "none" && !strings.HasPrefix(c.Registers, "https://") {
		return &Error{Key: "registers (SKALIG_REGISTERS)", Msg: fmt.Sprintf("%q is not sim, none or an https URL", c.Registers)}
	}
	if _, err := c.Tokens(); err != nil {
		return err
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return &Error{Key: "addr (SKALIG_ADDR)", Msg: fmt.Sprintf("%q is not HOST:PORT", c.Addr)}
	}
	if c.DebugAddr != "" {
		host, _, err := net.SplitHostPort(c.DebugAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return &Error{Key: "debug_addr (SKALIG_DEBUG_ADDR)", Msg: fmt.Sprintf("%q is not a loopback HOST:PORT such as 127.0.0.1:6060", c.DebugAddr)}
		}
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			return &Error{Key: "metrics_addr (SKALIG_METRICS_ADDR)", Msg: fmt.Sprintf("%q is not HOST:PORT", c.MetricsAddr)}
		}
		if port := c.MetricsAddr[strings.LastIndex(c.MetricsAddr, ":")+1:]; port != "0" && (c.MetricsAddr == c.Addr || c.MetricsAddr == c.DebugAddr) {
			return &Error{Key: "metrics_addr (SKALIG_METRICS_ADDR)", Msg: fmt.Sprintf("%q is already the address of another listener", c.MetricsAddr)}
		}
	}
	for key, v := range map[string]string{"oidc_claim_personal_number (SKALIG_OIDC_CLAIM_PERSONAL_NUMBER)": c.OIDCClaimPersonalNumber,
		"oidc_claim_roles (SKALIG_OIDC_CLAIM_ROLES)": c.OIDCClaimRoles, "oidc_claim_municipalities (SKALIG_OIDC_CLAIM_MUNICIPALITIES)": c.OIDCClaimMunicipalities} {
		if strings.TrimSpace(v) == "" || strings.ContainsAny(v, " \t\r\n") {
			return &Error{Key: key, Msg: fmt.Sprintf("%q is not a claim name", v)}
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return &Error{Key: "metrics_token (SKALIG_METRICS_TOKEN)", Msg: "shorter than 16 characters"}
	}
	if _, err := c.Level(); err != nil {
		return &Error{Key: "log_level (SKALIG_LOG_LEVEL)", Msg: err.Error()}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return &Error{Key: "log_format (SKALIG_LOG_FORMAT)", Msg: fmt.Sprintf("%q is not text or json", c.LogFormat)}
	}
	if len(c.Municipality) != 4 || strings.Trim(c.Municipality, "0123456789") != "" {
		return &Error{Key: "municipality (SKALIG_MUNICIPALITY)", Msg: fmt.Sprintf("%q is not a four-digit kommunkod", c.Municipality)}
	}
	if err := c.validatePayments(); err != nil {
		return err
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return &Error{Key: "base_url (SKALIG_BASE_URL)", Msg: fmt.Sprintf("%q is not an address such as https://skalig.example.se", c.BaseURL)}
		}
	}
	if c.OIDCIssuer != "" {
		if c.BaseURL == "" {
			return &Error{Key: "base_url (SKALIG_BASE_URL)", Msg: "needed with SKALIG_OIDC_ISSUER: the login's callback is BASE_URL/auth/callback"}
		}
		if c.OIDCClientID == "" {
			return &Error{Key: "oidc_client_id (SKALIG_OIDC_CLIENT_ID)", Msg: "needed with SKALIG_OIDC_ISSUER"}
		}
		if u, err := url.Parse(c.OIDCIssuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return &Error{Key: "oidc_issuer (SKALIG_OIDC_ISSUER)", Msg: fmt.Sprintf("%q is not an http(s) URL", c.OIDCIssuer)}
		}
	}
	if _, err := c.AuditKey(); err != nil {
		return err
	}
	return nil
}

// AuditKey reads the key of AuditKeyFile; nil without error when none is
// set.
func (c *Config) AuditKey() (ed25519.PrivateKey, error) {
	if c.AuditKeyFile == "" {
		return nil, nil
	}
	const key = "audit_key_file (SKALIG_AUDIT_KEY_FILE)"
	b, err := os.ReadFile(c.AuditKeyFile)
	if err != nil {
		return nil, &Error{Key: key, Msg: err.Error()}
	}
	k, err := audit.ParsePrivateKey(b)
	if err != nil {
		return nil, &Error{Key: key, Msg: fmt.Sprintf("%s is not an ed25519 key (a PEM PRIVATE KEY): %v", c.AuditKeyFile, err)}
	}
	return k, nil
}

// validatePayments checks the payment keys.
func (c *Config) validatePayments() error {
	if n := len(c.PaymentDebtorName); n == 0 || n > 70 {
		return &Error{Key: "payment_debtor_name (SKALIG_PAYMENT_DEBTOR_NAME)", Msg: "give the municipality's name, at most 70 characters"}
	}
	iban := strings.ToUpper(strings.ReplaceAll(c.PaymentDebtorIBAN, " ", ""))
	if len(iban) < 15 || len(iban) > 34 || !ibanOK(iban) {
		return &Error{Key: "payment_debtor_iban (SKALIG_PAYMENT_DEBTOR_IBAN)", Msg: fmt.Sprintf("%q is not an IBAN (check digits)", c.PaymentDebtorIBAN)}
	}
	if b := c.PaymentDebtorBIC; b != "" && (len(b) != 8 && len(b) != 11 || strings.ToUpper(b) != b) {
		return &Error{Key: "payment_debtor_bic (SKALIG_PAYMENT_DEBTOR_BIC)", Msg: fmt.Sprintf("%q is not a BIC of 8 or 11 capitals", b)}
	}
	if len(c.PaymentOrgID) > 35 {
		return &Error{Key: "payment_org_id (SKALIG_PAYMENT_ORG_ID)", Msg: "at most 35 characters"}
	}
	if c.PaymentInterval < time.Minute {
		return &Error{Key: "payment_interval (SKALIG_PAYMENT_INTERVAL)", Msg: fmt.Sprintf("%s is shorter than 1m", c.PaymentInterval)}
	}
	if c.PaymentAccountChangeDays < 0 || c.PaymentAccountChangeDays > 3650 {
		return &Error{Key: "payment_account_change_days (SKALIG_PAYMENT_ACCOUNT_CHANGE_DAYS)", Msg: fmt.Sprintf("%d is not 0-3650", c.PaymentAccountChangeDays)}
	}
	if c.PaymentHoldAbove < 0 {
		return &Error{Key: "payment_hold_above (SKALIG_PAYMENT_HOLD_ABOVE)", Msg: "must be 0 (off) or a positive number of kronor"}
	}
	if _, _, _, err := c.GallringDay(); err != nil {
		return err
	}
	if _, err := c.Gallring(); err != nil {
		return err
	}
	return nil
}

// GallringDay returns the month and day of GallringSchedule; on is false
// when it is "off".
func (c *Config) GallringDay() (month time.Month, day int, on bool, err error) {
	if c.GallringSchedule == "off" {
		return 0, 0, false, nil
	}
	t, perr := time.Parse("01-02", c.GallringSchedule)
	if perr != nil || len(c.GallringSchedule) != 5 {
		return 0, 0, false, &Error{Key: "gallring_schedule (SKALIG_GALLRING_SCHEDULE)",
			Msg: fmt.Sprintf("%q är ingen dag på året; skriv MM-DD, till exempel 01-15, eller off", c.GallringSchedule)}
	}
	return t.Month(), t.Day(), true, nil
}

// Gallring returns the municipality's gallring rules: the law's, or
// GallringRules' over them.
func (c *Config) Gallring() (gallring.Rules, error) {
	if c.GallringRules == "" {
		r := gallring.Default(c.Municipality)
		return r, r.Validate()
	}
	b, err := os.ReadFile(c.GallringRules)
	if err != nil {
		return gallring.Rules{}, &Error{Key: "gallring_rules (SKALIG_GALLRING_RULES)", Msg: "kan inte läsa filen: " + err.Error()}
	}
	r, err := gallring.ParseRules(b, c.Municipality)
	if err != nil {
		return gallring.Rules{}, &Error{Key: "gallring_rules (SKALIG_GALLRING_RULES)", Msg: err.Error()}
	}
	return r, nil
}

// ibanOK checks an IBAN's ISO 13616 check digits.
func ibanOK(iban string) bool {
	r := iban[4:] + iban[:4]
	rem := 0
	for _, c := range r {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// Level parses LogLevel.
func (c *Config) Level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// Logger returns the logger the configuration asks for, writing to stderr.
func (c *Config) Logger() *slog.Logger {
	lvl, _ := c.Level()
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// Dump returns the configuration as KEY=value lines, secrets redacted (there
// are none yet; keys ending in _TOKEN, _SECRET or _PASSWORD will be).
func (c *Config) Dump() string {
	tokens := ""
	if ts, err := c.Tokens(); err == nil {
		for _, t := range ts {
			acts := ""
			if len(t.Actions) > 0 {
				acts = "/" + strings.Join(t.Actions, ",")
			}
			tokens += t.Name + "@" + strings.Join(t.Municipalities, ",") + acts + "=(dold);"
		}
	}
	rows := [][2]string{{"SKALIG_ADDR", c.Addr}, {"SKALIG_DEBUG_ADDR", c.DebugAddr}, {"SKALIG_METRICS_ADDR", c.MetricsAddr},
		{"SKALIG_METRICS_TOKEN", c.MetricsToken}, {"SKALIG_METRICS_TOKEN_FILE", c.MetricsTokenFile},
		{"SKALIG_LOG_LEVEL", c.LogLevel}, {"SKALIG_LOG_FORMAT", c.LogFormat},
		{"SKALIG_DATABASE", redactURL(c.Database)}, {"SKALIG_WORKERS", strconv.Itoa(c.Workers)},
		{"SKALIG_DB_CONNS", strconv.Itoa(c.DBConns)},
		{"SKALIG_JOB_LEASE", c.JobLease.String()}, {"SKALIG_API_TOKENS", tokens},
		{"SKALIG_REGISTERS", c.Registers}, {"SKALIG_REGISTERS_CERT", c.RegistersCert},
		{"SKALIG_REGISTERS_KEY", c.RegistersKey}, {"SKALIG_REGISTERS_CA", c.RegistersCA},
		{"SKALIG_SIM_SEED", strconv.FormatUint(c.SimSeed, 10)}, {"SKALIG_REGISTER_DEADLINE", c.RegisterDeadline.String()},
		{"SKALIG_SIM_LATENCY", c.SimLatency}, {"SKALIG_SIM_FAULTS", c.SimFaults},
		{"SKALIG_MUNICIPALITY", c.Municipality}, {"SKALIG_BASE_URL", c.BaseURL}, {"SKALIG_OIDC_ISSUER", c.OIDCIssuer},
		{"SKALIG_OIDC_CLIENT_ID", c.OIDCClientID}, {"SKALIG_OIDC_CLIENT_SECRET", c.OIDCClientSecret},
		{"SKALIG_OIDC_CLIENT_SECRET_FILE", c.OIDCClientSecretFile},
		{"SKALIG_OIDC_CLAIM_PERSONAL_NUMBER", c.OIDCClaimPersonalNumber}, {"SKALIG_OIDC_CLAIM_ROLES", c.OIDCClaimRoles},
		{"SKALIG_OIDC_CLAIM_MUNICIPALITIES", c.OIDCClaimMunicipalities},
		{"SKALIG_AUDIT_KEY_FILE", c.AuditKeyFile},
		{"SKALIG_PAYMENT_DEBTOR_NAME", c.PaymentDebtorName}, {"SKALIG_PAYMENT_DEBTOR_IBAN", c.PaymentDebtorIBAN},
		{"SKALIG_PAYMENT_DEBTOR_BIC", c.PaymentDebtorBIC}, {"SKALIG_PAYMENT_ORG_ID", c.PaymentOrgID},
		{"SKALIG_PAYMENT_DIR", c.PaymentDir}, {"SKALIG_PAYMENT_INTERVAL", c.PaymentInterval.String()},
		{"SKALIG_PAYMENT_ACCOUNT_CHANGE_DAYS", strconv.Itoa(c.PaymentAccountChangeDays)},
		{"SKALIG_PAYMENT_HOLD_ABOVE", strconv.FormatInt(c.PaymentHoldAbove, 10)},
		{"SKALIG_GALLRING_SCHEDULE", c.GallringSchedule}, {"SKALIG_GALLRING_RULES", c.GallringRules}}
	var b strings.Builder
	for _, r := range rows {
		v := r[1]
		if v != "" && (strings.HasSuffix(r[0], "_TOKEN") || strings.HasSuffix(r[0], "_SECRET") || strings.HasSuffix(r[0], "_PASSWORD")) {
			v = "(dold)"
		}
		fmt.Fprintf(&b, "%s=%s\n", r[0], v)
	}
	return b.String()
}

// redactURL hides a password in a postgres:// URL.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "(dold)")
	}
	return u.String()
}
