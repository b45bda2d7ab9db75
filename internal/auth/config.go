package auth

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"
)

// Config is what an operator sets to connect Skälig to an OpenID Connect
// provider and to shape its sessions. DefaultConfig gives the defaults; New
// fills any zero duration, claim name or scope list from them and then calls
// Validate.
type Config struct {
	// Issuer is the provider's issuer URL, exactly as its discovery document
	// (Issuer + "/.well-known/openid-configuration") states it.
	Issuer string
	// ClientID and ClientSecret are the client registered at the provider.
	// An empty secret makes Skälig a public client (PKCE alone); the secret
	// is sent by HTTP Basic or in the form, whichever the provider accepts.
	ClientID     string
	ClientSecret string
	// RedirectURL is the absolute URL of the callback as registered at the
	// provider, e.g. https://skalig.example.se/auth/callback. Its path is
	// where Register mounts the callback handler.
	RedirectURL string
	// PostLogoutRedirectURL, when set and the provider advertises an
	// end_session_endpoint, makes logout also end the provider's session
	// (RP-initiated logout), after which the provider sends the browser here.
	// Empty: logout ends Skälig's session only.
	PostLogoutRedirectURL string
	// Scopes are asked for at login; "openid" must be among them.
	Scopes []string

	// PersonalNumberClaim names the claim with the applicant's personnummer
	// or samordningsnummer (any form ParsePersonalNumber reads).
	PersonalNumberClaim string
	// RolesClaim names the claim listing a staff member's roles; values are
	// the Role names (caseworker, financial_assistant, manager,
	// administrator), others are ignored.
	RolesClaim string
	// MunicipalitiesClaim names the claim listing the municipality codes
	// (four digits) a staff member works for.
	MunicipalitiesClaim string

	// IdleTimeout ends a session after this long without a request. The
	// page warns TimeoutWarning before (WCAG 2.2.1).
	IdleTimeout time.Duration
	// TimeoutWarning is how long before the idle timeout the page warns and
	// offers to extend the session; at least 20 seconds (WCAG 2.2.1).
	TimeoutWarning time.Duration
	// Lifetime ends a session this long after login, whatever the activity.
	Lifetime time.Duration

	// CookieSecure marks the session cookie Secure and names it with the
	// __Host- prefix. It must be true when RedirectURL is https and false
	// when it is http (a local demo only): a Secure cookie is never sent
	// back over http.
	CookieSecure bool
}

// Default values.
const (
	DefaultIdleTimeout         = 20 * time.Minute
	DefaultTimeoutWarning      = 2 * time.Minute
	DefaultLifetime            = 8 * time.Hour
	DefaultPersonalNumberClaim = "personal_number"
	DefaultRolesClaim          = "roles"
	DefaultMunicipalitiesClaim = "municipalities"
)

// DefaultConfig returns the defaults: scopes openid and profile, the claim
// names of the development provider, a 20-minute idle timeout with a warning
// 2 minutes before, an 8-hour lifetime and Secure cookies.
func DefaultConfig() Config {
	return Config{
		Scopes:              []string{"openid", "profile"},
		PersonalNumberClaim: DefaultPersonalNumberClaim,
		RolesClaim:          DefaultRolesClaim,
		MunicipalitiesClaim: DefaultMunicipalitiesClaim,
		IdleTimeout:         DefaultIdleTimeout,
		TimeoutWarning:      DefaultTimeoutWarning,
		Lifetime:            DefaultLifetime,
		CookieSecure:        true,
	}
}

// withDefaults returns c with every zero duration, claim name and scope
// list taken from DefaultConfig. CookieSecure is left as given: Validate
// checks it against RedirectURL.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if len(c.Scopes) == 0 {
		c.Scopes = d.Scopes
	}
	if c.PersonalNumberClaim == "" {
		c.PersonalNumberClaim = d.PersonalNumberClaim
	}
	if c.RolesClaim == "" {
		c.RolesClaim = d.RolesClaim
	}
	if c.MunicipalitiesClaim == "" {
		c.MunicipalitiesClaim = d.MunicipalitiesClaim
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.TimeoutWarning == 0 {
		c.TimeoutWarning = d.TimeoutWarning
	}
	if c.Lifetime == 0 {
		c.Lifetime = d.Lifetime
	}
	return c
}

// ConfigError names the configuration field that is wrong, with a message
// in Swedish and in English for the operator.
type ConfigError struct {
	Field string // the Config field, e.g. "Issuer"
	SV    string
	EN    string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("auth config %s: %s (%s)", e.Field, e.SV, e.EN)
}

// Validate checks c and returns a *ConfigError naming the first wrong field.
// It does not contact the provider: discovery happens at the first login.
func (c *Config) Validate() error {
	bad := func(field, sv, en string) error { return &ConfigError{Field: field, SV: sv, EN: en} }

	if c.Issuer == "" {
		return bad("Issuer", "utfärdarens URL saknas", "the issuer URL is required")
	}
	if err := checkURL(c.Issuer, c.CookieSecure); err != "" {
		return bad("Issuer", "ogiltig URL: "+err, "invalid URL: "+err)
	}
	if c.ClientID == "" {
		return bad("ClientID", "klient-id saknas", "the client ID is required")
	}
	if c.RedirectURL == "" {
		return bad("RedirectURL", "återkomstadressen saknas", "the redirect URL is required")
	}
	if err := checkURL(c.RedirectURL, c.CookieSecure); err != "" {
		return bad("RedirectURL", "ogiltig URL: "+err, "invalid URL: "+err)
	}
	if u, _ := url.Parse(c.RedirectURL); u.Path == "" || u.Path == "/" {
		return bad("RedirectURL", "adressen behöver en sökväg, t.ex. /auth/callback", "the URL needs a path, e.g. /auth/callback")
	} else if u.RawQuery != "" || u.Fragment != "" {
		return bad("RedirectURL", "adressen får inte ha frågedel eller fragment", "the URL must have no query or fragment")
	}
	if c.PostLogoutRedirectURL != "" {
		if err := checkURL(c.PostLogoutRedirectURL, c.CookieSecure); err != "" {
			return bad("PostLogoutRedirectURL", "ogiltig URL: "+err, "invalid URL: "+err)
		}
	}
	if !slices.Contains(c.Scopes, "openid") {
		return bad("Scopes", `"openid" måste finnas bland omfången`, `"openid" must be among the scopes`)
	}
	for _, f := range []struct{ name, v string }{
		{"PersonalNumberClaim", c.PersonalNumberClaim}, {"RolesClaim", c.RolesClaim}, {"MunicipalitiesClaim", c.MunicipalitiesClaim},
	} {
		if f.v == "" {
			return bad(f.name, "anspråkets namn saknas", "the claim name is required")
		}
	}
	if c.IdleTimeout < time.Minute || c.IdleTimeout > 24*time.Hour {
		return bad("IdleTimeout", fmt.Sprintf("%v: välj mellan 1 minut och 24 timmar", c.IdleTimeout), "choose between 1 minute and 24 hours")
	}
	if c.TimeoutWarning < 20*time.Second || c.TimeoutWarning >= c.IdleTimeout {
		return bad("TimeoutWarning", fmt.Sprintf("%v: minst 20 sekunder (WCAG 2.2.1) och kortare än IdleTimeout", c.TimeoutWarning),
			"at least 20 seconds (WCAG 2.2.1) and shorter than IdleTimeout")
	}
	if c.Lifetime < c.IdleTimeout {
		return bad("Lifetime", fmt.Sprintf("%v: får inte vara kortare än IdleTimeout", c.Lifetime), "must not be shorter than IdleTimeout")
	}
	https := c.RedirectURL[:min(len(c.RedirectURL), 6)] == "https:"
	if https && !c.CookieSecure {
		return bad("CookieSecure", "måste vara på när RedirectURL är https", "must be true when RedirectURL is https")
	}
	if !https && c.CookieSecure {
		return bad("CookieSecure", "RedirectURL är http: en Secure-kaka skickas aldrig tillbaka; sätt CookieSecure=false uttryckligen (endast lokal demo)",
			"RedirectURL is http: a Secure cookie is never sent back; set CookieSecure=false explicitly (local demo only)")
	}
	return nil
}

// checkURL returns what is wrong with the absolute URL s, or "". Plain http
// is allowed for a loopback host, or when secure is false (a local demo).
func checkURL(s string, secure bool) string {
	u, err := url.Parse(s)
	if err != nil {
		return err.Error()
	}
	if u.Host == "" {
		return fmt.Sprintf("%q är ingen absolut URL / is not an absolute URL", s)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if secure && !isLoopback(u.Hostname()) {
			return fmt.Sprintf("%q: https krävs / https is required", s)
		}
	default:
		return fmt.Sprintf("%q: https krävs / https is required", s)
	}
	return ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
