package auth

import (
	_ "embed"
	"html/template"
	"net/http"
	"time"
)

// SessionInfo is what a page needs to show the idle timeout and to warn
// before it ends (WCAG 2.2.1 Timing Adjustable). See docs/login.md for the
// markup that uses it.
type SessionInfo struct {
	// ExpiresAt is when the session ends unless another request comes
	// first: the idle timeout from now, or the end of its lifetime if that
	// is sooner.
	ExpiresAt time.Time
	// Remaining is ExpiresAt less now.
	Remaining time.Duration
	// IdleTimeout is Config.IdleTimeout, for the notice "after 20 minutes
	// without activity".
	IdleTimeout time.Duration
	// Warning is how long before ExpiresAt the page should warn.
	Warning time.Duration
	// Extendable is false when the session's lifetime, not idleness, ends
	// it: extending cannot help, the person must log in again.
	Extendable bool
}

// RemainingSeconds is Remaining in whole seconds, for a data attribute.
func (s SessionInfo) RemainingSeconds() int { return int(s.Remaining / time.Second) }

// WarningSeconds is Warning in whole seconds, for a data attribute.
func (s SessionInfo) WarningSeconds() int { return int(s.Warning / time.Second) }

// Session returns the timing of the request's session, and false when
// nobody is logged in. r must have passed through Middleware. The expiry is
// what this response's cookie and store row will carry: every request from
// the browser moves it forward.
func (a *Auth) Session(r *http.Request) (SessionInfo, bool) {
	if _, ok := FromContext(r.Context()); !ok {
		return SessionInfo{}, false
	}
	now := a.now()
	exp := now.Add(a.cfg.IdleTimeout)
	extendable := true
	if d := a.sm.Deadline(r.Context()); !d.IsZero() && d.Before(exp) {
		exp, extendable = d, false
	}
	return SessionInfo{
		ExpiresAt:   exp,
		Remaining:   exp.Sub(now),
		IdleTimeout: a.cfg.IdleTimeout,
		Warning:     a.cfg.TimeoutWarning,
		Extendable:  extendable,
	}, true
}

// timeoutScript counts down to the idle timeout and opens the warning
// dialog; see docs/login.md for the markup it expects. It holds no text of
// its own: every word is in the page, in the page's language.
//
//go:embed timeout.js
var timeoutScript []byte

func serveTimeoutScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(timeoutScript)
}

// defaultCSRF is the protection CSRF applies.
var defaultCSRF = mustCSRF()

func mustCSRF() *http.CrossOriginProtection {
	c, err := NewCSRF()
	if err != nil {
		panic(err)
	}
	return c
}

// NewCSRF returns Go's cross-origin protection with a Swedish refusal page,
// trusting also the given origins ("https://skalig.example.se"): needed
// when a proxy in front changes the Host header, so that the browser's
// Origin no longer matches it.
func NewCSRF(trustedOrigins ...string) (*http.CrossOriginProtection, error) {
	c := http.NewCrossOriginProtection()
	for _, o := range trustedOrigins {
		if err := c.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defaultErrorPage(w, r, http.StatusForbidden,
			"Formuläret skickades från en annan webbplats och stoppades av säkerhetsskäl. Gå tillbaka, ladda om sidan och försök igen.")
	}))
	return c, nil
}

// CSRF refuses a cross-origin browser request with a method other than
// GET, HEAD or OPTIONS (http.CrossOriginProtection: the Sec-Fetch-Site
// header, or Origin against Host), with 403 and a Swedish page. Put it
// around every handler; GET handlers must not change anything.
func CSRF(next http.Handler) http.Handler { return defaultCSRF.Handler(next) }

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – Skälig</title>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="/login">Logga in</a> · <a href="/">Till startsidan</a></p>
</main>
</body>
</html>
`))

func defaultErrorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	title := "Något gick fel"
	switch status {
	case http.StatusBadRequest:
		title = "Inloggningen kunde inte slutföras"
	case http.StatusUnauthorized:
		title = "Du är inte inloggad"
	case http.StatusForbidden:
		title = "Åtkomst nekad"
	case http.StatusServiceUnavailable, http.StatusBadGateway:
		title = "Tjänsten är inte tillgänglig"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	errorTemplate.Execute(w, struct{ Title, Message string }{title, message})
}
