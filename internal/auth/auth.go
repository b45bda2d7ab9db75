// Package auth logs people in to Skälig through OpenID Connect and keeps
// their sessions.
//
// Login is the authorization code flow with PKCE (S256), state and nonce,
// against any provider named by its issuer URL: an e-legitimation broker for
// applicants, the municipality's staff directory (Entra ID or similar) for
// staff, or the bundled development provider (package devidp). The ID token
// is verified with go-oidc; its claims (and, when the token lacks them, the
// userinfo response) give a Principal: an applicant identified by a verified
// personnummer, or staff with roles and municipalities.
//
// Sessions are alexedwards/scs sessions, kept in the database by
// SessionStore so that several skalig serve processes share them, in an
// HTTP-only, SameSite=Lax cookie that is Secure and __Host- prefixed outside
// a local http demo. A session ends after Config.IdleTimeout without a
// request and at the latest Config.Lifetime after login; Session tells the
// page when, so that it can warn and offer to extend (POST /session/extend).
// The token is renewed at login, against session fixation.
//
// Every non-GET handler must be behind CSRF (http.CrossOriginProtection).
//
// Wiring, in cmd/skalig:
//
//	a, err := auth.New(cfg, auth.Options{Store: store})
//	mux := http.NewServeMux()
//	a.Register(mux) // GET /login, GET <callback>, POST /logout, POST /session/extend, GET /session/timeout.js
//	mux.Handle("GET /mina-sidor/", a.RequireApplicant(minaSidor))
//	mux.Handle("GET /handlaggning/", a.RequireStaff(auth.RoleCaseworker, auth.RoleManager)(queues))
//	handler := auth.CSRF(a.Middleware(mux))
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"skalig"
)

// Paths that Register mounts. The callback's path is that of
// Config.RedirectURL.
const (
	LoginPath         = "/login"
	LogoutPath        = "/logout"
	ExtendPath        = "/session/extend"
	TimeoutScriptPath = "/session/timeout.js"
)

// Session keys. Other packages may keep their own keys in the same session
// (the language chosen, say); keys starting with "auth." belong to this
// package.
const (
	keyPrincipal = "auth.principal" // JSON of Principal
	// keyProvider marks a session that a login at the provider began, for
	// RP-initiated logout. The ID token itself is not kept: it holds the
	// personal number, and logout must not put it in a URL (id_token_hint).
	keyProvider = "auth.provider"
	keyPending  = "auth.login." // + state: JSON of pending
)

// pendingTTL is how long a started login may take at the provider.
const pendingTTL = 15 * time.Minute

// maxPending is how many logins may be under way in one browser at once
// (several tabs); the oldest are dropped.
const maxPending = 5

// Options are what New needs besides the operator's Config.
type Options struct {
	// Store keeps the sessions: a *SessionStore in production and in the
	// demo. Nil keeps them in memory, for tests only: one process, and
	// expired sessions are never swept.
	Store scs.Store
	// Logger logs logins, logouts and failures; nil means slog.Default.
	Logger *slog.Logger
	// HTTPClient makes the calls to the provider (discovery, keys, token,
	// userinfo); nil means a client with a 15-second timeout.
	HTTPClient *http.Client
	// Now is the clock for checking ID tokens, the age of a started login
	// and the expiry shown to the page; nil means time.Now. (The session
	// store has its own clock, SessionStore.Now.)
	Now func() time.Time
	// ErrorPage writes a page for a failed login or a refused request:
	// status and a Swedish message safe to show. Nil means a plain page.
	// The web layer sets it to render its own layout.
	ErrorPage func(w http.ResponseWriter, r *http.Request, status int, message string)
}

// Auth is the relying party and the session manager. Create it with New;
// it is safe for concurrent use.
type Auth struct {
	cfg          Config
	sm           *scs.SessionManager
	log          *slog.Logger
	client       *http.Client
	now          func() time.Time
	errorPage    func(w http.ResponseWriter, r *http.Request, status int, message string)
	callbackPath string

	mu   sync.Mutex
	prov *provider // discovered at the first login
}

// provider is what discovery found.
type provider struct {
	oidc       *oidc.Provider
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string
}

// pending is a login under way: what the callback must check.
type pending struct {
	Verifier string    `json:"verifier"`
	Nonce    string    `json:"nonce"`
	Return   string    `json:"return"`
	At       time.Time `json:"at"`
}

// New returns an Auth for cfg, after filling defaults and validating it.
// It does not contact the provider: discovery happens at the first login,
// so that Skälig starts while the provider is away, and so that a provider
// served by the same process (the development provider in the demo) can be
// used.
func New(cfg Config, opt Options) (*Auth, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.RedirectURL) // checked by Validate
	a := &Auth{
		cfg:          cfg,
		log:          opt.Logger,
		client:       opt.HTTPClient,
		now:          opt.Now,
		errorPage:    opt.ErrorPage,
		callbackPath: u.EscapedPath(),
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.client == nil {
		a.client = &http.Client{Timeout: 15 * time.Second}
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.errorPage == nil {
		a.errorPage = defaultErrorPage
	}

	sm := scs.New()
	sm.IdleTimeout = cfg.IdleTimeout
	sm.Lifetime = cfg.Lifetime
	sm.HashTokenInStore = true
	if opt.Store != nil {
		sm.Store = opt.Store
	} else {
		sm.Store = memstore.NewWithCleanupInterval(0) // no cleanup goroutine left running
	}
	sm.Cookie.Name = CookieName(cfg.CookieSecure)
	sm.Cookie.HttpOnly = true
	sm.Cookie.Path = "/"
	sm.Cookie.Domain = ""
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.CookieSecure
	// A session cookie (no Expires): closing the browser ends the session
	// on the device, which matters on shared computers.
	sm.Cookie.Persist = false
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		a.log.Error("session", "error", err, "path", r.URL.Path)
		a.errorPage(w, r, http.StatusInternalServerError, "Internt fel. Försök igen om en stund.")
	}
	a.sm = sm
	return a, nil
}

// CookieName returns the session cookie's name: with the __Host- prefix
// when secure, which makes the browser refuse it unless it is Secure, for
// this host only and for the path /.
func CookieName(secure bool) string {
	if secure {
		return "__Host-skalig_session"
	}
	return "skalig_session"
}

// Middleware loads the session of each request (and saves it after), and
// puts the principal, if someone is logged in, in the request's context
// for FromContext. Put it around the whole mux, inside CSRF.
//
// With an idle timeout, every request from a logged-in browser moves the
// expiry forward and so writes to the session store: mount static files
// outside it.
func (a *Auth) Middleware(next http.Handler) http.Handler {
	return a.sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := a.principal(r.Context()); p != nil {
			r = r.WithContext(WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	}))
}

func (a *Auth) principal(ctx context.Context) *Principal {
	b := a.sm.GetBytes(ctx, keyPrincipal)
	if b == nil {
		return nil
	}
	var p Principal
	if err := json.Unmarshal(b, &p); err != nil {
		a.log.Error("session: unreadable principal", "error", err)
		return nil
	}
	return &p
}

// Router is where Register mounts the login's routes: an *http.ServeMux,
// or anything with its Handle and HandleFunc (httpx.Mux, which records the
// patterns for the authorization test).
type Router interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request))
}

// Register mounts the handlers on mux: GET /login, GET on the path of
// RedirectURL, POST /logout, POST /session/extend and GET
// /session/timeout.js. mux must be inside Middleware.
func (a *Auth) Register(mux Router) {
	mux.HandleFunc("GET "+LoginPath, a.handleLogin)
	mux.HandleFunc("GET "+a.callbackPath, a.handleCallback)
	mux.Handle("POST "+LogoutPath, CSRF(http.HandlerFunc(a.handleLogout)))
	mux.Handle("POST "+ExtendPath, CSRF(http.HandlerFunc(a.handleExtend)))
	mux.HandleFunc("GET "+TimeoutScriptPath, serveTimeoutScript)
}

// LoginURL returns the path that starts a login and then returns to
// returnTo (a local path; anything else returns to /).
func LoginURL(returnTo string) string {
	ret := safeReturn(returnTo)
	if ret == "/" {
		return LoginPath
	}
	return LoginPath + "?" + url.Values{"return": {ret}}.Encode()
}

// safeReturn returns s when it is a local path (so that nobody can make the
// login send a person to another site), else "/".
func safeReturn(s string) string {
	if s == "" || s[0] != '/' || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") || strings.ContainsAny(s, "\r\n\t\\") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return s
}

// discover returns the provider, running discovery the first time. A
// failed discovery is tried again at the next login.
func (a *Auth) discover(ctx context.Context) (*provider, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prov != nil {
		return a.prov, nil
	}
	dctx, cancel := context.WithTimeout(oidc.ClientContext(context.WithoutCancel(ctx), a.client), 15*time.Second)
	defer cancel()
	op, err := oidc.NewProvider(dctx, a.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", a.cfg.Issuer, err)
	}
	var meta struct {
		EndSession string   `json:"end_session_endpoint"`
		PKCE       []string `json:"code_challenge_methods_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discover %s: %w", a.cfg.Issuer, err)
	}
	if len(meta.PKCE) > 0 && !slices.Contains(meta.PKCE, "S256") {
		a.log.Warn("auth: the provider does not list PKCE S256; sending it anyway", "issuer", a.cfg.Issuer)
	}
	a.prov = &provider{
		oidc: op,
		oauth: oauth2.Config{
			ClientID:     a.cfg.ClientID,
			ClientSecret: a.cfg.ClientSecret,
			Endpoint:     op.Endpoint(),
			RedirectURL:  a.cfg.RedirectURL,
			Scopes:       a.cfg.Scopes,
		},
		verifier:   op.VerifierContext(oidc.ClientContext(context.Background(), a.client), &oidc.Config{ClientID: a.cfg.ClientID, Now: a.now}),
		endSession: meta.EndSession,
	}
	return a.prov, nil
}

// handleLogin starts a login: it keeps a new state, PKCE verifier and
// nonce in the session and sends the browser to the provider.
func (a *Auth) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	prov, err := a.discover(ctx)
	if err != nil {
		a.log.Error("auth: login unavailable", "error", err)
		a.errorPage(w, r, http.StatusServiceUnavailable, "Inloggningen fungerar inte just nu. Försök igen om en stund.")
		return
	}
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	a.prunePending(ctx)
	b, _ := json.Marshal(pending{Verifier: verifier, Nonce: nonce, Return: safeReturn(r.URL.Query().Get("return")), At: a.now().UTC()})
	a.sm.Put(ctx, keyPending+state, b)
	target := prov.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// prunePending drops started logins that are too old, and the oldest
// beyond maxPending.
func (a *Auth) prunePending(ctx context.Context) {
	type entry struct {
		key string
		at  time.Time
	}
	var live []entry
	for _, k := range a.sm.Keys(ctx) {
		if !strings.HasPrefix(k, keyPending) {
			continue
		}
		var p pending
		if err := json.Unmarshal(a.sm.GetBytes(ctx, k), &p); err != nil || a.now().Sub(p.At) > pendingTTL {
			a.sm.Remove(ctx, k)
			continue
		}
		live = append(live, entry{k, p.At})
	}
	for len(live) >= maxPending {
		oldest := 0
		for i, e := range live {
			if e.at.Before(live[oldest].at) {
				oldest = i
			}
		}
		a.sm.Remove(ctx, live[oldest].key)
		live = append(live[:oldest], live[oldest+1:]...)
	}
}

// handleCallback finishes a login: it checks the state against the
// session, exchanges the code with the PKCE verifier, verifies the ID token
// and its nonce, builds the principal and renews the session token.
func (a *Auth) handleCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	state := q.Get("state")
	var pend pending
	found := false
	if state != "" && len(state) < 200 {
		if b := a.sm.PopBytes(ctx, keyPending+state); b != nil {
			found = json.Unmarshal(b, &pend) == nil && a.now().Sub(pend.At) <= pendingTTL
		}
	}
	if !found {
		a.log.Warn("auth: callback with an unknown or expired state", "state_given", state != "")
		a.errorPage(w, r, http.StatusBadRequest, "Inloggningen kunde inte slutföras: den tog för lång tid, startades i en annan webbläsare eller har redan använts. Logga in igen.")
		return
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			a.errorPage(w, r, http.StatusUnauthorized, "Inloggningen avbröts. Du kan logga in igen när du vill.")
			return
		}
		a.log.Warn("auth: the provider returned an error", "error", e, "description", q.Get("error_description"))
		a.errorPage(w, r, http.StatusBadGateway, "Inloggningstjänsten kunde inte logga in dig. Försök igen om en stund.")
		return
	}
	code := q.Get("code")
	if code == "" {
		a.errorPage(w, r, http.StatusBadRequest, "Inloggningen kunde inte slutföras. Logga in igen.")
		return
	}
	p, err := a.finish(ctx, code, pend)
	if err != nil {
		status, msg := http.StatusBadRequest, "Inloggningen kunde inte slutföras. Logga in igen."
		if e := (*skalig.Error)(nil); errors.As(err, &e) {
			msg = e.Message
			if e.Code == skalig.EFORBIDDEN {
				status = http.StatusForbidden
			}
		}
		a.log.Warn("auth: login refused", "error", err)
		a.errorPage(w, r, status, msg)
		return
	}

	// Someone else was logged in in this browser: nothing of theirs stays.
	// An anonymous session keeps its values (the language chosen).
	if prev := a.principal(ctx); prev != nil && (prev.Subject != p.Subject || prev.Issuer != p.Issuer) {
		if err := a.sm.Clear(ctx); err != nil {
			a.errorPage(w, r, http.StatusInternalServerError, "Internt fel. Försök igen om en stund.")
			return
		}
	}
	for _, k := range a.sm.Keys(ctx) {
		if strings.HasPrefix(k, keyPending) {
			a.sm.Remove(ctx, k)
		}
	}
	// A new token for the new privilege (OWASP: against session fixation).
	if err := a.sm.RenewToken(ctx); err != nil {
		a.log.Error("auth: renew session token", "error", err)
		a.errorPage(w, r, http.StatusInternalServerError, "Internt fel. Försök igen om en stund.")
		return
	}
	b, _ := json.Marshal(p)
	a.sm.Put(ctx, keyPrincipal, b)
	a.sm.Put(ctx, keyProvider, true)
	a.log.Info("login", "principal", p)
	http.Redirect(w, r, pend.Return, http.StatusSeeOther)
}

// finish exchanges the code and turns the verified ID token into a
// principal. Refusals the person should read are *skalig.Error.
func (a *Auth) finish(ctx context.Context, code string, pend pending) (*Principal, error) {
	prov, err := a.discover(ctx)
	if err != nil {
		return nil, err
	}
	cctx := oidc.ClientContext(ctx, a.client)
	tok, err := prov.oauth.Exchange(cctx, code, oauth2.VerifierOption(pend.Verifier))
	if err != nil {
		return nil, fmt.Errorf("exchange code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("token response without id_token")
	}
	idt, err := prov.verifier.Verify(cctx, raw)
	if err != nil {
		return nil, fmt.Errorf("verify id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pend.Nonce)) != 1 {
		return nil, fmt.Errorf("verify id token: nonce does not match the login")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("id token claims: %w", err)
	}
	if a.needUserInfo(claims) && prov.oidc.UserInfoEndpoint() != "" {
		ui, err := prov.oidc.UserInfo(cctx, oauth2.StaticTokenSource(tok))
		switch {
		case err != nil:
			a.log.Warn("auth: userinfo", "error", err)
		case ui.Subject != idt.Subject:
			return nil, fmt.Errorf("userinfo: subject %q is not the ID token's %q", ui.Subject, idt.Subject)
		default:
			var uc map[string]any
			if err := ui.Claims(&uc); err == nil {
				for k, v := range uc {
					if _, ok := claims[k]; !ok {
						claims[k] = v
					}
				}
			}
		}
	}
	p, err := principalFromClaims(a.cfg, claims, a.now(), a.log)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// needUserInfo reports whether the ID token lacks what decides the kind of
// principal: neither a personal number nor roles, or roles without
// municipalities.
func (a *Auth) needUserInfo(claims map[string]any) bool {
	_, pn := claims[a.cfg.PersonalNumberClaim]
	_, roles := claims[a.cfg.RolesClaim]
	_, ms := claims[a.cfg.MunicipalitiesClaim]
	return (!pn && !roles) || (roles && !ms)
}

// handleLogout ends the session, and the provider's too when
// PostLogoutRedirectURL is set and the provider supports it.
func (a *Auth) handleLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	p, _ := FromContext(ctx)
	viaProvider := a.sm.GetBool(ctx, keyProvider)
	if err := a.sm.Destroy(ctx); err != nil {
		a.log.Error("auth: logout", "error", err)
		a.errorPage(w, r, http.StatusInternalServerError, "Internt fel. Försök igen om en stund.")
		return
	}
	if p != nil {
		a.log.Info("logout", "principal", p)
	}
	if a.cfg.PostLogoutRedirectURL != "" && viaProvider {
		if prov, err := a.discover(ctx); err == nil && prov.endSession != "" {
			// OpenID Connect RP-Initiated Logout 1.0 with client_id in
			// place of id_token_hint: the ID token holds the personal
			// number, and a URL ends up in browser history, proxy and
			// provider logs. Nothing in this URL names the person.
			v := url.Values{
				"post_logout_redirect_uri": {a.cfg.PostLogoutRedirectURL},
				"client_id":                {a.cfg.ClientID},
			}
			sep := "?"
			if strings.Contains(prov.endSession, "?") {
				sep = "&"
			}
			http.Redirect(w, r, prov.endSession+sep+v.Encode(), http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, safeReturn(r.FormValue("return")), http.StatusSeeOther)
}

// handleExtend renews the idle timeout: loading the session already moved
// its expiry forward. A script asking for JSON gets the new expiry; a form
// is sent back to the page it came from.
func (a *Auth) handleExtend(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	info, ok := a.Session(r)
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	if !ok {
		if wantJSON {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"logged_in": false})
			return
		}
		a.errorPage(w, r, http.StatusUnauthorized, "Du är inte inloggad längre. Logga in igen.")
		return
	}
	// Mark the session changed even without an idle timeout, so that it is
	// saved with its new expiry.
	a.sm.Put(r.Context(), "auth.extended_at", a.now().Unix())
	if wantJSON {
		writeJSON(w, http.StatusOK, map[string]any{
			"logged_in":  true,
			"expires_at": info.ExpiresAt.UTC().Format(time.RFC3339),
			"expires_in": info.RemainingSeconds(),
			"warn_at":    info.WarningSeconds(),
			"extendable": info.Extendable,
		})
		return
	}
	http.Redirect(w, r, safeReturn(r.FormValue("return")), http.StatusSeeOther)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// RequireApplicant lets through only a logged-in applicant. Anyone not
// logged in is sent to log in (GET, HEAD) or refused with 401; staff are
// refused with 403. Responses are marked no-store: they hold personal data.
func (a *Auth) RequireApplicant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := FromContext(r.Context())
		switch {
		case !ok:
			a.unauthenticated(w, r)
		case !p.IsApplicant():
			a.errorPage(w, r, http.StatusForbidden, "Sidan är för dig som söker ekonomiskt bistånd. Du är inloggad som personal.")
		default:
			w.Header().Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r)
		}
	})
}

func (a *Auth) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, LoginURL(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	a.errorPage(w, r, http.StatusUnauthorized, "Du är inte inloggad, eller har loggats ut efter en tid utan aktivitet. Logga in igen.")
}
