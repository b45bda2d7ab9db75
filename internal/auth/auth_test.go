package auth_test

import (
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skalig/internal/auth"
	"skalig/internal/auth/devidp"
	"skalig/internal/dbtest"
)

const testSecret = "rp-test-secret-not-real"

// env is a development provider and a small relying-party app, each on a
// test server, with sessions in a fresh database (SQLite, or PostgreSQL
// with SKALIG_TEST_PG).
type env struct {
	t     *testing.T
	idp   *httptest.Server
	rp    *httptest.Server
	auth  *auth.Auth
	store *auth.SessionStore

	storeSkew atomic.Int64 // added to the session store's clock
	authSkew  atomic.Int64 // added to Auth's clock
	logs      *syncBuffer  // what Auth logged
}

// syncBuffer is a strings.Builder safe for the servers' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logged checks that Auth logged something containing want.
func (e *env) logged(want string) {
	e.t.Helper()
	if !strings.Contains(e.logs.String(), want) {
		e.t.Errorf("the log lacks %q:\n%s", want, e.logs.String())
	}
}

type envOption struct {
	rp       func(*auth.Config)
	idp      func(*devidp.Config)
	tls      bool         // the relying party on https
	idpGuard func() bool  // when set and false, the provider answers 503
	logger   *slog.Logger // nil: discard
	noStore  bool         // in-memory sessions
	errPage  func(http.ResponseWriter, *http.Request, int, string)
}

func newEnv(t *testing.T, opt envOption) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}}

	e.idp = httptest.NewUnstartedServer(nil)
	e.rp = httptest.NewUnstartedServer(nil)
	rpURL := "http://" + e.rp.Listener.Addr().String()
	if opt.tls {
		rpURL = "https://" + e.rp.Listener.Addr().String()
	}
	idpCfg := devidp.Config{
		Issuer: "http://" + e.idp.Listener.Addr().String() + "/devidp",
		Clients: []devidp.Client{{ID: "skalig", Secret: testSecret, RedirectURIs: []string{rpURL + "/auth/callback"},
			PostLogoutRedirectURIs: []string{rpURL + "/utloggad"}}},
		Logger: discardLogger(),
	}
	if opt.idp != nil {
		opt.idp(&idpCfg)
	}
	provider, err := devidp.New(idpCfg)
	if err != nil {
		t.Fatal(err)
	}
	var idpHandler http.Handler = provider
	if opt.idpGuard != nil {
		idpHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !opt.idpGuard() {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			provider.ServeHTTP(w, r)
		})
	}
	e.idp.Config.Handler = idpHandler
	e.idp.Start()
	t.Cleanup(e.idp.Close)

	cfg := auth.DefaultConfig()
	cfg.Issuer = idpCfg.Issuer
	cfg.ClientID = "skalig"
	cfg.ClientSecret = testSecret
	cfg.RedirectURL = rpURL + "/auth/callback"
	cfg.CookieSecure = opt.tls
	if opt.rp != nil {
		opt.rp(&cfg)
	}
	o := auth.Options{
		Logger:    slog.New(slog.NewTextHandler(e.logs, nil)),
		Now:       func() time.Time { return time.Now().Add(time.Duration(e.authSkew.Load())) },
		ErrorPage: opt.errPage,
	}
	if !opt.noStore {
		db := dbtest.Open(t)
		e.store, err = auth.NewSessionStore(db.SQL(), string(db.Dialect()))
		if err != nil {
			t.Fatal(err)
		}
		e.store.Now = func() time.Time { return time.Now().Add(time.Duration(e.storeSkew.Load())) }
		o.Store = e.store
	}
	e.auth, err = auth.New(cfg, o)
	if err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	e.auth.Register(mux)
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if !ok {
			io.WriteString(w, `{"anonymous":true}`)
			return
		}
		json.NewEncoder(w).Encode(p)
	})
	okHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.Handle("GET /mina-sidor", e.auth.RequireApplicant(okHandler))
	mux.Handle("POST /mina-sidor/spara", e.auth.RequireApplicant(okHandler))
	mux.Handle("GET /handlaggning", e.auth.RequireStaff()(okHandler))
	mux.Handle("GET /arenden", e.auth.RequireStaff(auth.RoleCaseworker, auth.RoleManager)(okHandler))
	mux.Handle("GET /admin", e.auth.RequireStaff(auth.RoleAdministrator)(okHandler))
	mux.HandleFunc("GET /session-info", func(w http.ResponseWriter, r *http.Request) {
		info, ok := e.auth.Session(r)
		json.NewEncoder(w).Encode(map[string]any{"ok": ok, "remaining": info.RemainingSeconds(), "warn": info.WarningSeconds(),
			"extendable": info.Extendable, "expires_at": info.ExpiresAt, "idle_minutes": info.IdleMinutes()})
	})
	mux.HandleFunc("POST /put", func(w http.ResponseWriter, r *http.Request) {
		e.auth.Sessions().Put(r.Context(), "web.value", r.FormValue("v"))
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, e.auth.Sessions().GetString(r.Context(), "web.value"))
	})
	mux.Handle("POST /form", okHandler)
	mux.Handle("GET /", okHandler)
	e.rp.Config.Handler = auth.CSRF(e.auth.Middleware(mux))
	if opt.tls {
		e.rp.StartTLS()
	} else {
		e.rp.Start()
	}
	t.Cleanup(e.rp.Close)
	return e
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// browser returns a client with a cookie jar that returns every redirect to
// the test, so that each step of the login can be checked or tampered with.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c.Transport = e.rp.Client().Transport // trusts the https test certificate
	return c
}

func (e *env) do(c *http.Client, method, u string, form url.Values, header ...string) (*http.Response, string) {
	e.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = e.rp.URL + u
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func location(t *testing.T, resp *http.Response) *url.URL {
	t.Helper()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("%s: no Location: %v", resp.Status, err)
	}
	return loc
}

// startLogin asks the app to log in and returns the provider's authorize
// URL it redirects to.
func (e *env) startLogin(c *http.Client, returnTo string) *url.URL {
	e.t.Helper()
	u := "/login"
	if returnTo != "" {
		u += "?return=" + url.QueryEscape(returnTo)
	}
	resp, _ := e.do(c, "GET", u, nil)
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("GET /login: %s", resp.Status)
	}
	return location(e.t, resp)
}

var (
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	actionRE = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

// choose opens the provider's login page at authorize, chooses the person
// as a person would (posting the page's form) and returns where the
// provider sends the browser: the app's callback.
func (e *env) choose(c *http.Client, authorize *url.URL, subject string) *url.URL {
	e.t.Helper()
	resp, page := e.do(c, "GET", authorize.String(), nil)
	if resp.StatusCode != http.StatusOK {
		loc, _ := resp.Location()
		e.t.Fatalf("provider's login page: %s %v", resp.Status, loc)
	}
	m := actionRE.FindStringSubmatch(page)
	if m == nil {
		e.t.Fatalf("no form on the provider's page")
	}
	form := url.Values{"person": {subject}, "action": {"login"}}
	for _, h := range hiddenRE.FindAllStringSubmatch(page, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	resp, _ = e.do(c, "POST", html.UnescapeString(m[1]), form)
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		e.t.Fatalf("choosing a person: %s", resp.Status)
	}
	return location(e.t, resp)
}

// login logs c in as subject and returns the principal the app sees.
func (e *env) login(c *http.Client, subject string) *auth.Principal {
	e.t.Helper()
	cb := e.choose(c, e.startLogin(c, "/mina-sidor"), subject)
	resp, body := e.do(c, "GET", cb.String(), nil)
	if resp.StatusCode != http.StatusSeeOther || location(e.t, resp).Path != "/mina-sidor" {
		e.t.Fatalf("callback: %s %s", resp.Status, body)
	}
	p := e.whoami(c)
	if p == nil {
		e.t.Fatalf("not logged in after the callback")
	}
	return p
}

// whoami returns the principal the app sees for c, or nil.
func (e *env) whoami(c *http.Client) *auth.Principal {
	e.t.Helper()
	resp, body := e.do(c, "GET", "/whoami", nil)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("whoami: %s", resp.Status)
	}
	if strings.Contains(body, `"anonymous"`) {
		return nil
	}
	var p auth.Principal
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		e.t.Fatal(err)
	}
	return &p
}

func (e *env) status(c *http.Client, method, path string) int {
	e.t.Helper()
	resp, _ := e.do(c, method, path, nil)
	return resp.StatusCode
}

func sessionCookie(t *testing.T, resp *http.Response, name string) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("%s: no %s cookie set (Set-Cookie %q)", resp.Request.URL.Path, name, resp.Header.Values("Set-Cookie"))
	return nil
}

func TestLoginApplicant(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()

	// Not logged in: sent to log in, and back afterwards.
	resp, _ := e.do(c, "GET", "/mina-sidor", nil)
	if resp.StatusCode != http.StatusSeeOther || location(t, resp).String() != e.rp.URL+"/login?return=%2Fmina-sidor" {
		t.Fatalf("anonymous /mina-sidor: %s %v", resp.Status, resp.Header.Get("Location"))
	}
	if got := e.status(c, "POST", "/mina-sidor/spara"); got != http.StatusUnauthorized {
		t.Errorf("anonymous POST: %d, want 401", got)
	}

	resp, _ = e.do(c, "GET", "/login?return=%2Fmina-sidor", nil)
	before := sessionCookie(t, resp, "skalig_session")
	authorize := location(t, resp)
	q := authorize.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("state") == "" || q.Get("nonce") == "" ||
		q.Get("client_id") != "skalig" || !strings.Contains(q.Get("scope"), "openid") {
		t.Errorf("authorize request %v", q)
	}
	cb := e.choose(c, authorize, devidp.AlvaTestsson)
	resp, _ = e.do(c, "GET", cb.String(), nil)
	if resp.StatusCode != http.StatusSeeOther || location(t, resp).Path != "/mina-sidor" {
		t.Fatalf("callback: %s", resp.Status)
	}
	after := sessionCookie(t, resp, "skalig_session")
	if after.Value == before.Value {
		t.Errorf("the session token was not renewed at login (session fixation)")
	}
	if !after.HttpOnly || after.SameSite != http.SameSiteLaxMode || after.Path != "/" || after.Secure || after.Domain != "" || after.MaxAge != 0 {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, a session cookie", after)
	}
	if resp.Header.Get("Cache-Control") == "" {
		t.Errorf("callback response cacheable")
	}

	p := e.whoami(c)
	if p == nil || p.Kind != auth.Applicant || p.PersonalNumber != "199004129822" || p.Name != "Alva Testsson" ||
		p.Subject != devidp.AlvaTestsson || p.Issuer != e.idp.URL+"/devidp" || len(p.Roles) != 0 || p.LoginAt.IsZero() {
		t.Fatalf("principal %+v", p)
	}
	if got := e.status(c, "GET", "/mina-sidor"); got != http.StatusOK {
		t.Errorf("/mina-sidor: %d", got)
	}
	for _, path := range []string{"/handlaggning", "/arenden", "/admin"} {
		if got := e.status(c, "GET", path); got != http.StatusForbidden {
			t.Errorf("applicant at %s: %d, want 403", path, got)
		}
	}

	if logs := e.logs.String(); !strings.Contains(logs, "msg=login") || strings.Contains(logs, "199004129822") {
		t.Errorf("the login is not logged, or logged with the full personal number:\n%s", logs)
	}

	// The cookie from before the login is worth nothing now.
	c2 := e.browser()
	u, _ := url.Parse(e.rp.URL)
	c2.Jar.SetCookies(u, []*http.Cookie{{Name: "skalig_session", Value: before.Value}})
	if p := e.whoami(c2); p != nil {
		t.Errorf("the pre-login token gives %+v", p)
	}
}

func TestLoginStaff(t *testing.T) {
	e := newEnv(t, envOption{})
	for _, tt := range []struct {
		subject      string
		roles        []auth.Role
		in, notIn    string
		arenden, adm int
	}{
		{devidp.SaraHandlaggarsson, []auth.Role{auth.RoleCaseworker}, "0821", "0880", 200, 403},
		{devidp.WilmaAdminsson, []auth.Role{auth.RoleAdministrator}, "0821", "0880", 403, 200},
		{devidp.UllaEkonomsson, []auth.Role{auth.RoleFinancialAssistant}, "0821", "0880", 403, 403},
		{devidp.ViktorChefsson, []auth.Role{auth.RoleManager}, "0821", "0880", 200, 403},
		{devidp.YusufKalmarsson, []auth.Role{auth.RoleCaseworker}, "0880", "0821", 200, 403},
	} {
		t.Run(tt.subject, func(t *testing.T) {
			c := e.browser()
			p := e.login(c, tt.subject)
			if p.Kind != auth.Staff || p.PersonalNumber != "" || len(p.Roles) != len(tt.roles) || p.Roles[0] != tt.roles[0] {
				t.Errorf("principal %+v", p)
			}
			if !p.InMunicipality(tt.in) || p.InMunicipality(tt.notIn) {
				t.Errorf("InMunicipality(%s)=%v, InMunicipality(%s)=%v", tt.in, p.InMunicipality(tt.in), tt.notIn, p.InMunicipality(tt.notIn))
			}
			if got := e.status(c, "GET", "/mina-sidor"); got != http.StatusForbidden {
				t.Errorf("staff at /mina-sidor: %d, want 403", got)
			}
			if got := e.status(c, "GET", "/handlaggning"); got != http.StatusOK {
				t.Errorf("/handlaggning: %d", got)
			}
			if got := e.status(c, "GET", "/arenden"); got != tt.arenden {
				t.Errorf("/arenden: %d, want %d", got, tt.arenden)
			}
			if got := e.status(c, "GET", "/admin"); got != tt.adm {
				t.Errorf("/admin: %d, want %d", got, tt.adm)
			}
		})
	}
}

// TestApplicantNeverStaff: whatever a principal's fields hold, an applicant
// has no role and no municipality, and staff of one municipality are not in
// another.
func TestApplicantNeverStaff(t *testing.T) {
	a := &auth.Principal{Subject: "a", Kind: auth.Applicant, PersonalNumber: "199004129822",
		Roles: auth.Roles, Municipalities: []string{"0821", "0880"}}
	for _, r := range auth.Roles {
		if a.HasRole(r) {
			t.Errorf("applicant HasRole(%s)", r)
		}
	}
	if a.HasAnyRole() || a.InMunicipality("0821") || a.IsStaff() {
		t.Errorf("applicant has staff access")
	}
	kalmar := &auth.Principal{Subject: "y", Kind: auth.Staff, Roles: []auth.Role{auth.RoleCaseworker}, Municipalities: []string{"0880"}}
	if kalmar.InMunicipality("0821") || !kalmar.InMunicipality("0880") || kalmar.InMunicipality("") {
		t.Errorf("InMunicipality wrong for staff of 0880")
	}
	var nobody *auth.Principal
	if nobody.HasRole(auth.RoleCaseworker) || nobody.InMunicipality("0821") || nobody.IsApplicant() {
		t.Errorf("nil principal has access")
	}

	e := newEnv(t, envOption{noStore: true})
	staff := e.auth.RequireStaff()(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Errorf("applicant let through") }))
	w := httptest.NewRecorder()
	staff.ServeHTTP(w, httptest.NewRequest("GET", "/", nil).WithContext(auth.WithPrincipal(t.Context(), a)))
	if w.Code != http.StatusForbidden {
		t.Errorf("RequireStaff for an applicant with roles: %d", w.Code)
	}
}

func TestCoupleAndCoordinationNumber(t *testing.T) {
	e := newEnv(t, envOption{})
	cecilia, _ := devidp.Lookup(devidp.CeciliaDemosson)
	c1, c2 := e.browser(), e.browser()
	p1, p2 := e.login(c1, cecilia.Subject), e.login(c2, cecilia.Partner)
	if p1.PersonalNumber == p2.PersonalNumber || p2.Subject != devidp.DavidDemosson || p1.Kind != auth.Applicant || p2.Kind != auth.Applicant {
		t.Errorf("couple %+v %+v", p1, p2)
	}
	if p := e.login(e.browser(), devidp.JamalProvnummer); !p.PersonalNumber.IsCoordination() {
		t.Errorf("samordningsnummer lost: %+v", p)
	}
}

func TestCallbackWrongState(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	cb := e.choose(c, e.startLogin(c, ""), devidp.AlvaTestsson)

	for _, state := range []string{"forged", ""} {
		bad := *cb
		q := bad.Query()
		q.Set("state", state)
		bad.RawQuery = q.Encode()
		resp, body := e.do(c, "GET", bad.String(), nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Logga in igen") {
			t.Errorf("state %q: %s", state, resp.Status)
		}
		e.logged("unknown or expired state")
		if e.whoami(c) != nil {
			t.Fatalf("logged in with state %q", state)
		}
	}
	// A callback in another browser (no session) is refused too.
	if resp, _ := e.do(e.browser(), "GET", cb.String(), nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback without the session: %s", resp.Status)
	}
	// The right state still works.
	if resp, _ := e.do(c, "GET", cb.String(), nil); resp.StatusCode != http.StatusSeeOther || e.whoami(c) == nil {
		t.Errorf("the right state: %s", resp.Status)
	}
}

func TestCallbackReplay(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	cb := e.choose(c, e.startLogin(c, ""), devidp.AlvaTestsson)
	if resp, _ := e.do(c, "GET", cb.String(), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: %s", resp.Status)
	}
	// The same callback again: its state is used up.
	if resp, _ := e.do(c, "GET", cb.String(), nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback: %s", resp.Status)
	}
	// The used code injected into another browser's login, with that
	// browser's own state: the provider refuses it (used, and PKCE).
	victim := e.browser()
	st := e.startLogin(victim, "").Query().Get("state")
	inj := *cb
	q := inj.Query()
	q.Set("state", st)
	inj.RawQuery = q.Encode()
	if resp, _ := e.do(victim, "GET", inj.String(), nil); resp.StatusCode != http.StatusBadRequest || e.whoami(victim) != nil {
		t.Errorf("replayed code in another session: %s", resp.Status)
	}
	e.logged("code already used")
}

// TestCodeInjection: a fresh code stolen from one login and put into
// another browser's callback fails PKCE, as its verifier is not that
// browser's.
func TestCodeInjection(t *testing.T) {
	e := newEnv(t, envOption{})
	attacker, victim := e.browser(), e.browser()
	stolen := e.choose(attacker, e.startLogin(attacker, ""), devidp.BoProvsson)
	st := e.startLogin(victim, "").Query().Get("state")
	inj := *stolen
	q := inj.Query()
	q.Set("state", st)
	inj.RawQuery = q.Encode()
	if resp, _ := e.do(victim, "GET", inj.String(), nil); resp.StatusCode != http.StatusBadRequest || e.whoami(victim) != nil {
		t.Errorf("injected code: %s", resp.Status)
	}
	e.logged("code_verifier does not match code_challenge")
}

func TestMissingPKCE(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	authorize := e.startLogin(c, "")
	q := authorize.Query()
	q.Del("code_challenge")
	q.Del("code_challenge_method")
	authorize.RawQuery = q.Encode()
	resp, _ := e.do(c, "GET", authorize.String(), nil)
	cb := location(t, resp)
	if cb.Query().Get("error") != "invalid_request" {
		t.Fatalf("provider answered %v", cb)
	}
	resp, body := e.do(c, "GET", cb.String(), nil)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "Inloggningstjänsten") || e.whoami(c) != nil {
		t.Errorf("callback with the provider's error: %s", resp.Status)
	}
}

func TestWrongNonce(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	authorize := e.startLogin(c, "")
	q := authorize.Query()
	q.Set("nonce", "not-the-nonce-of-this-login")
	authorize.RawQuery = q.Encode()
	cb := e.choose(c, authorize, devidp.AlvaTestsson)
	if resp, _ := e.do(c, "GET", cb.String(), nil); resp.StatusCode != http.StatusBadRequest || e.whoami(c) != nil {
		t.Errorf("wrong nonce: %s", resp.Status)
	}
	e.logged("nonce does not match")
}

func TestCancelAndSlowLogin(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	authorize := e.startLogin(c, "")
	// The person presses Avbryt: the provider sends access_denied.
	_, page := e.do(c, "GET", authorize.String(), nil)
	form := url.Values{"action": {"cancel"}}
	for _, h := range hiddenRE.FindAllStringSubmatch(page, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	resp, _ := e.do(c, "POST", html.UnescapeString(actionRE.FindStringSubmatch(page)[1]), form)
	resp, body := e.do(c, "GET", location(t, resp).String(), nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "avbröts") {
		t.Errorf("cancelled: %s %s", resp.Status, body)
	}

	// A login left for longer than 15 minutes at the provider.
	cb := e.choose(c, e.startLogin(c, ""), devidp.AlvaTestsson)
	e.authSkew.Store(int64(16 * time.Minute))
	if resp, _ := e.do(c, "GET", cb.String(), nil); resp.StatusCode != http.StatusBadRequest || e.whoami(c) != nil {
		t.Errorf("a login 16 minutes old: %s", resp.Status)
	}
	e.logged("unknown or expired state")
}

func TestUserInfoClaims(t *testing.T) {
	e := newEnv(t, envOption{idp: func(c *devidp.Config) { c.MinimalIDToken = true }})
	if p := e.login(e.browser(), devidp.AlvaTestsson); p.PersonalNumber != "199004129822" || p.Name != "Alva Testsson" {
		t.Errorf("applicant from userinfo: %+v", p)
	}
	if p := e.login(e.browser(), devidp.ZeldaSamverkansson); !p.InMunicipality("0821") || !p.InMunicipality("0880") || !p.HasRole(auth.RoleManager) {
		t.Errorf("staff from userinfo: %+v", p)
	}
}

func TestLoginRefused(t *testing.T) {
	persons := []devidp.Person{
		{Subject: "no-number", GivenName: "Utan", FamilyName: "Nummer"},
		{Subject: "bad-number", GivenName: "Fel", FamilyName: "Nummer", PersonalNumber: "199004129820"},
		{Subject: "no-municipality", GivenName: "Utan", FamilyName: "Kommun", Roles: []string{"caseworker"}},
	}
	e := newEnv(t, envOption{idp: func(c *devidp.Config) { c.Persons = persons }})
	for _, tt := range []struct {
		subject string
		status  int
		text    string
	}{
		{"no-number", 400, "personnummer"},
		{"bad-number", 400, "Personnumret"},
		{"no-municipality", 403, "kommun"},
	} {
		c := e.browser()
		cb := e.choose(c, e.startLogin(c, ""), tt.subject)
		resp, body := e.do(c, "GET", cb.String(), nil)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.text) || e.whoami(c) != nil {
			t.Errorf("%s: %s, want %d with %q", tt.subject, resp.Status, tt.status, tt.text)
		}
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	e.login(c, devidp.AlvaTestsson)
	u, _ := url.Parse(e.rp.URL)
	old := c.Jar.Cookies(u)

	resp, _ := e.do(c, "POST", "/logout", url.Values{"return": {"/utloggad"}})
	if resp.StatusCode != http.StatusSeeOther || location(t, resp).Path != "/utloggad" {
		t.Fatalf("logout: %s %v", resp.Status, resp.Header.Get("Location"))
	}
	if ck := sessionCookie(t, resp, "skalig_session"); ck.MaxAge >= 0 {
		t.Errorf("logout did not delete the cookie: %+v", ck)
	}
	if e.whoami(c) != nil {
		t.Errorf("still logged in after logout")
	}
	// The old token is gone from the store.
	c2 := e.browser()
	c2.Jar.SetCookies(u, old)
	if e.whoami(c2) != nil {
		t.Errorf("the token from before logout still works")
	}
}

func TestProviderLogout(t *testing.T) {
	e := newEnv(t, envOption{rp: func(c *auth.Config) {
		c.PostLogoutRedirectURL = strings.TrimSuffix(c.RedirectURL, "/auth/callback") + "/utloggad"
	}})
	c := e.browser()
	e.login(c, devidp.AlvaTestsson)
	resp, _ := e.do(c, "POST", "/logout", nil)
	end := location(t, resp)
	if end.Path != "/devidp/logout" || end.Query().Get("client_id") != "skalig" {
		t.Fatalf("logout went to %v", end)
	}
	// Issue 12, violation 5: the URL carried id_token_hint, whose payload
	// holds the personal number. Only the client and where to come back.
	for k := range end.Query() {
		if k != "client_id" && k != "post_logout_redirect_uri" {
			t.Errorf("the logout URL has %s: %v", k, end)
		}
	}
	alva, _ := devidp.Lookup(devidp.AlvaTestsson)
	pn := alva.PersonalNumber.Canonical()
	for _, bad := range []string{pn, pn[2:], pn[2:8] + "-" + pn[8:], pn[:8] + "-" + pn[8:], "eyJ", "personal_number"} {
		if strings.Contains(end.String(), bad) {
			t.Errorf("the logout URL holds %q: %v", bad, end)
		}
	}
	resp, _ = e.do(c, "GET", end.String(), nil)
	if got := location(t, resp).String(); got != e.rp.URL+"/utloggad" {
		t.Errorf("the provider sent us to %q", got)
	}
	if e.whoami(c) != nil {
		t.Errorf("still logged in")
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	e.login(c, devidp.AlvaTestsson)
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "http://evil.example"},
	} {
		for _, path := range []string{"/logout", "/session/extend", "/form"} {
			resp, body := e.do(c, "POST", path, url.Values{}, h...)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "annan webbplats") {
				t.Errorf("POST %s with %s: %s, want 403", path, h, resp.Status)
			}
		}
	}
	if e.whoami(c) == nil {
		t.Fatalf("a cross-origin logout logged us out")
	}
	// Same origin, and non-browser clients (no such headers), pass.
	if resp, _ := e.do(c, "POST", "/form", url.Values{}, "Sec-Fetch-Site", "same-origin"); resp.StatusCode != http.StatusOK {
		t.Errorf("same-origin POST: %s", resp.Status)
	}
	if resp, _ := e.do(c, "POST", "/form", url.Values{}, "Origin", e.rp.URL); resp.StatusCode != http.StatusOK {
		t.Errorf("POST with our own Origin: %s", resp.Status)
	}
	// GET is never refused.
	if got := e.status(c, "GET", "/mina-sidor"); got != http.StatusOK {
		t.Errorf("GET: %d", got)
	}

	trusted, err := auth.NewCSRF("https://skalig.example.se")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "http://internal:8080/form", nil)
	req.Header.Set("Origin", "https://skalig.example.se")
	if err := trusted.Check(req); err != nil {
		t.Errorf("trusted origin refused: %v", err)
	}
	if _, err := auth.NewCSRF("not an origin/"); err == nil {
		t.Errorf("a malformed origin was accepted")
	}
}

func TestIdleTimeout(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	e.login(c, devidp.AlvaTestsson)

	// 19 minutes idle: still logged in, and the request starts the idle
	// time again.
	e.storeSkew.Store(int64(19 * time.Minute))
	if e.whoami(c) == nil {
		t.Fatalf("logged out after 19 minutes")
	}
	// 21 minutes after that request: logged out.
	e.storeSkew.Store(int64(19*time.Minute + 21*time.Minute))
	if e.whoami(c) != nil {
		t.Fatalf("still logged in after 21 minutes idle")
	}
	resp, _ := e.do(c, "GET", "/mina-sidor", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(location(t, resp).Path, "/login") {
		t.Errorf("after the timeout: %s", resp.Status)
	}
	if n, err := e.store.DeleteExpired(t.Context()); err != nil || n < 1 {
		t.Errorf("DeleteExpired()=%d, %v; want the idle session removed", n, err)
	}
}

func TestSessionInfoAndExtend(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()

	// Not logged in.
	resp, body := e.do(c, "POST", "/session/extend", url.Values{}, "Accept", "application/json")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"logged_in":false`) {
		t.Errorf("extend anonymous: %s %s", resp.Status, body)
	}

	e.login(c, devidp.AlvaTestsson)
	var info struct {
		OK         bool `json:"ok"`
		Remaining  int  `json:"remaining"`
		Warn       int  `json:"warn"`
		Extendable bool `json:"extendable"`
		Idle       int  `json:"idle_minutes"`
	}
	_, body = e.do(c, "GET", "/session-info", nil)
	json.Unmarshal([]byte(body), &info)
	if !info.OK || info.Remaining < 1190 || info.Remaining > 1200 || info.Warn != 120 || !info.Extendable || info.Idle != 20 {
		t.Errorf("session info %+v", info)
	}

	resp, body = e.do(c, "POST", "/session/extend", url.Values{}, "Accept", "application/json")
	var ext struct {
		LoggedIn   bool   `json:"logged_in"`
		ExpiresAt  string `json:"expires_at"`
		ExpiresIn  int    `json:"expires_in"`
		Extendable bool   `json:"extendable"`
	}
	json.Unmarshal([]byte(body), &ext)
	if resp.StatusCode != http.StatusOK || !ext.LoggedIn || ext.ExpiresIn < 1190 || !ext.Extendable || ext.ExpiresAt == "" {
		t.Errorf("extend: %s %s", resp.Status, body)
	}
	// Without a script: a form, sent back to the page.
	resp, _ = e.do(c, "POST", "/session/extend", url.Values{"return": {"/ansokan?steg=3"}})
	if resp.StatusCode != http.StatusSeeOther || location(t, resp).RequestURI() != "/ansokan?steg=3" {
		t.Errorf("extend by form: %s %v", resp.Status, resp.Header.Get("Location"))
	}
	resp, _ = e.do(c, "POST", "/session/extend", url.Values{"return": {"https://evil.example/"}})
	if location(t, resp).String() != e.rp.URL+"/" {
		t.Errorf("extend returned to %v", resp.Header.Get("Location"))
	}

	// Ten minutes before the lifetime ends, extending cannot help.
	e.authSkew.Store(int64(auth.DefaultLifetime - 10*time.Minute))
	_, body = e.do(c, "GET", "/session-info", nil)
	json.Unmarshal([]byte(body), &info)
	if info.Extendable || info.Remaining > 600 || info.Remaining < 590 {
		t.Errorf("near the end of the lifetime: %+v", info)
	}

	resp, body = e.do(c, "GET", auth.TimeoutScriptPath, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(body, "session-timeout-dialog") {
		t.Errorf("timeout script: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
}

func TestSessionValuesAcrossLogin(t *testing.T) {
	e := newEnv(t, envOption{})
	c := e.browser()
	e.do(c, "POST", "/put", url.Values{"v": {"en"}}) // say, the language chosen before login
	e.login(c, devidp.AlvaTestsson)
	if _, v := e.do(c, "GET", "/get", nil); v != "en" {
		t.Errorf("anonymous value after login: %q, want it kept", v)
	}
	e.do(c, "POST", "/put", url.Values{"v": {"alvas-draft"}})
	// Someone else logs in in the same browser without logging out.
	if p := e.login(c, devidp.BoProvsson); p.Subject != devidp.BoProvsson {
		t.Fatalf("principal %+v", p)
	}
	if _, v := e.do(c, "GET", "/get", nil); v != "" {
		t.Errorf("Bo sees Alva's session value %q", v)
	}
}

func TestSecureCookie(t *testing.T) {
	e := newEnv(t, envOption{tls: true})
	c := e.browser()
	resp, _ := e.do(c, "GET", "/login", nil)
	ck := sessionCookie(t, resp, "__Host-skalig_session")
	if !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %+v", ck)
	}
	cb := e.choose(c, location(t, resp), devidp.AlvaTestsson)
	if resp, _ := e.do(c, "GET", cb.String(), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback over https: %s", resp.Status)
	}
	if p := e.whoami(c); p == nil || p.Subject != devidp.AlvaTestsson {
		t.Errorf("principal over https %+v", p)
	}
}

func TestProviderDown(t *testing.T) {
	var up atomic.Bool
	var pages atomic.Int32
	e := newEnv(t, envOption{idpGuard: up.Load, errPage: func(w http.ResponseWriter, r *http.Request, status int, msg string) {
		pages.Add(1)
		w.WriteHeader(status)
		io.WriteString(w, "egen sida: "+msg)
	}})
	c := e.browser()
	resp, body := e.do(c, "GET", "/login", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "egen sida: Inloggningen fungerar inte just nu") || pages.Load() != 1 {
		t.Errorf("provider down: %s %s", resp.Status, body)
	}
	up.Store(true)
	if p := e.login(c, devidp.AlvaTestsson); p.Subject != devidp.AlvaTestsson {
		t.Errorf("after the provider came back: %+v", p)
	}
}

func TestNew(t *testing.T) {
	_, err := auth.New(auth.Config{Issuer: "https://idp.example.se", ClientID: "c", RedirectURL: "https://s.example.se/auth/callback"}, auth.Options{})
	var ce *auth.ConfigError
	if !asConfigError(err, &ce) || ce.Field != "CookieSecure" {
		t.Errorf("New with a zero CookieSecure and https: %v", err)
	}
	a, err := auth.New(auth.Config{Issuer: "https://idp.example.se", ClientID: "c", RedirectURL: "https://s.example.se/auth/callback", CookieSecure: true}, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := a.Config(); cfg.IdleTimeout != 20*time.Minute || cfg.PersonalNumberClaim != "personal_number" || cfg.Lifetime != auth.DefaultLifetime {
		t.Errorf("defaults not filled: %+v", cfg)
	}
}

func asConfigError(err error, target **auth.ConfigError) bool {
	ce, ok := err.(*auth.ConfigError)
	if ok {
		*target = ce
	}
	return ok
}
