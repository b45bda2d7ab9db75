package devidp_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"skalig"
	"skalig/internal/auth/devidp"
)

const (
	clientID     = "skalig"
	clientSecret = "test-secret-not-real"
	redirectURI  = "http://rp.test/auth/callback"
	logoutURI    = "http://rp.test/"
	verifier     = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG" // 43 characters
)

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// idp starts the provider under the issuer path /devidp on a test server.
func idp(t *testing.T, mod ...func(*devidp.Config)) (*httptest.Server, *devidp.Server) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg := devidp.Config{
		Issuer: "http://" + srv.Listener.Addr().String() + "/devidp",
		Clients: []devidp.Client{
			{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}, PostLogoutRedirectURIs: []string{logoutURI}},
			{ID: "public", RedirectURIs: []string{redirectURI}},
		},
	}
	for _, m := range mod {
		m(&cfg)
	}
	s, err := devidp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/devidp/", s)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, s
}

// noRedirect is a client that returns every redirect to the test.
func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func authorizeQuery(mod func(url.Values)) url.Values {
	v := url.Values{
		"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid profile"},
		"state": {"st-1"}, "nonce": {"n-1"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"},
	}
	if mod != nil {
		mod(v)
	}
	return v
}

var (
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	actionRE = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

// chooseForm reads the login page's form and returns its action and the
// values to post to log in as subject.
func chooseForm(t *testing.T, page, subject string) (string, url.Values) {
	t.Helper()
	m := actionRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form on the login page:\n%s", page)
	}
	v := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(page, -1) {
		v.Set(h[1], html.UnescapeString(h[2]))
	}
	v.Set("person", subject)
	v.Set("action", "login")
	return html.UnescapeString(m[1]), v
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func post(t *testing.T, c *http.Client, u string, v url.Values, basic ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// code logs in subject through the page and returns the code.
func code(t *testing.T, srv *httptest.Server, subject string, mod func(url.Values)) string {
	t.Helper()
	c := noRedirect()
	resp, page := get(t, c, srv.URL+"/devidp/authorize?"+authorizeQuery(mod).Encode())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize: %s\n%s", resp.Status, page)
	}
	action, form := chooseForm(t, page, subject)
	resp, _ = post(t, c, action, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("choose: %s", resp.Status)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		t.Fatalf("redirected to %q, want %q", got, redirectURI)
	}
	if got := loc.Query().Get("state"); got != form.Get("state") {
		t.Errorf("state=%q, want %q", got, form.Get("state"))
	}
	if got := loc.Query().Get("iss"); got != srv.URL+"/devidp" {
		t.Errorf("iss=%q, want the issuer", got)
	}
	return loc.Query().Get("code")
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	IDToken     string `json:"id_token"`
	Error       string `json:"error"`
}

func exchange(t *testing.T, srv *httptest.Server, code, verifier string, basic bool) (int, tokenResponse) {
	t.Helper()
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {verifier}}
	var resp *http.Response
	var body string
	if basic {
		resp, body = post(t, http.DefaultClient, srv.URL+"/devidp/token", v, clientID, clientSecret)
	} else {
		v.Set("client_id", clientID)
		v.Set("client_secret", clientSecret)
		resp, body = post(t, http.DefaultClient, srv.URL+"/devidp/token", v)
	}
	var tr tokenResponse
	if err := json.Unmarshal([]byte(body), &tr); err != nil {
		t.Fatalf("token response %s: %v", body, err)
	}
	return resp.StatusCode, tr
}

func TestPersons(t *testing.T) {
	ps := devidp.Persons()
	today := skalig.Date{Y: 2026, M: 4, D: 1}
	subjects, numbers := map[string]bool{}, map[skalig.PersonalNumber]bool{}
	var applicants, couples int
	staffIn := map[string]map[string]bool{} // role -> municipality
	for _, p := range ps {
		if subjects[p.Subject] {
			t.Errorf("subject %s twice", p.Subject)
		}
		subjects[p.Subject] = true
		if p.GivenName == "" || p.FamilyName == "" || p.Description == "" {
			t.Errorf("%s: missing name or description", p.Subject)
		}
		if p.IsStaff() {
			if p.PersonalNumber != "" {
				t.Errorf("%s: staff with a personal number", p.Subject)
			}
			if len(p.Municipalities) == 0 {
				t.Errorf("%s: staff without a municipality", p.Subject)
			}
			for _, r := range p.Roles {
				if staffIn[r] == nil {
					staffIn[r] = map[string]bool{}
				}
				for _, m := range p.Municipalities {
					staffIn[r][m] = true
				}
			}
			continue
		}
		applicants++
		pn, err := skalig.ParsePersonalNumber(p.PersonalNumber.Canonical(), today)
		if err != nil || pn != p.PersonalNumber {
			t.Errorf("%s: personal number %s: %v", p.Subject, p.PersonalNumber.Canonical(), err)
		}
		if serial := p.PersonalNumber.Canonical()[8:11]; serial < "980" || serial > "999" {
			t.Errorf("%s: birth number %s is not in Skatteverket's test series 980-999", p.Subject, serial)
		}
		if numbers[p.PersonalNumber] {
			t.Errorf("personal number of %s twice", p.Subject)
		}
		numbers[p.PersonalNumber] = true
		if p.Partner != "" {
			q, ok := devidp.Lookup(p.Partner)
			if !ok || q.Partner != p.Subject {
				t.Errorf("%s: partner %s does not name them back", p.Subject, p.Partner)
			}
			couples++
		}
	}
	if applicants < 12 || couples/2 < 2 {
		t.Errorf("%d applicants and %d couples, want at least 12 and 2", applicants, couples/2)
	}
	for _, r := range []string{"caseworker", "financial_assistant", "manager", "administrator"} {
		if !staffIn[r][devidp.Hogsby] {
			t.Errorf("no %s in %s", r, devidp.Hogsby)
		}
	}
	if !staffIn["caseworker"][devidp.Kalmar] {
		t.Errorf("no caseworker in %s", devidp.Kalmar)
	}
	if p, _ := devidp.Lookup(devidp.YusufKalmarsson); slices.Contains(p.Municipalities, devidp.Hogsby) {
		t.Errorf("the Kalmar caseworker is in Högsby too")
	}

	// Persons returns a copy.
	ps[len(ps)-1].Roles[0] = "changed"
	if p, _ := devidp.Lookup(ps[len(ps)-1].Subject); p.Roles[0] == "changed" {
		t.Errorf("Persons shares its slices")
	}
}

func TestDiscovery(t *testing.T) {
	srv, s := idp(t)
	ctx := oidc.ClientContext(context.Background(), srv.Client())
	p, err := oidc.NewProvider(ctx, s.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	var meta struct {
		PKCE       []string `json:"code_challenge_methods_supported"`
		Auth       []string `json:"token_endpoint_auth_methods_supported"`
		EndSession string   `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(meta.PKCE, []string{"S256"}) || !slices.Contains(meta.Auth, "client_secret_basic") || !slices.Contains(meta.Auth, "client_secret_post") {
		t.Errorf("metadata %+v", meta)
	}
	if meta.EndSession != s.Issuer()+"/logout" {
		t.Errorf("end_session_endpoint=%q", meta.EndSession)
	}
	resp, body := get(t, http.DefaultClient, srv.URL+"/devidp/jwks")
	if resp.StatusCode != 200 || !strings.Contains(body, `"alg":"RS256"`) || strings.Contains(body, `"d":`) {
		t.Errorf("jwks: %s %s", resp.Status, body)
	}
}

func TestLoginPage(t *testing.T) {
	srv, _ := idp(t)
	resp, page := get(t, http.DefaultClient, srv.URL+"/devidp/authorize?"+authorizeQuery(nil).Encode())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize: %s", resp.Status)
	}
	for _, want := range []string{`<html lang="sv">`, `<legend>Sökande</legend>`, `<legend>Personal</legend>`,
		`<button type="submit" name="action" value="login">Logga in</button>`, "Alva Testsson, 19900412-9822", "Handläggare i Högsby (0821)"} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	// Every radio button has a label.
	radios := regexp.MustCompile(`<input type="radio" name="person" id="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(radios) != len(devidp.Persons()) {
		t.Errorf("%d radio buttons, want %d", len(radios), len(devidp.Persons()))
	}
	for _, r := range radios {
		if !strings.Contains(page, `<label for="`+r[1]+`">`) {
			t.Errorf("radio %s has no label", r[1])
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("no frame-ancestors in CSP")
	}

	t.Run("NobodyChosen", func(t *testing.T) {
		action, form := chooseForm(t, page, "")
		resp, body := post(t, noRedirect(), action, form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "Välj en person") {
			t.Errorf("%s\n%s", resp.Status, body)
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		action, form := chooseForm(t, page, "")
		form.Set("action", "cancel")
		resp, _ := post(t, noRedirect(), action, form)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-1" {
			t.Errorf("%s %s", resp.Status, loc)
		}
	})
	t.Run("LoginHint", func(t *testing.T) {
		_, page := get(t, http.DefaultClient, srv.URL+"/devidp/authorize?"+authorizeQuery(func(v url.Values) { v.Set("login_hint", devidp.BoProvsson) }).Encode())
		if !strings.Contains(page, `value="`+devidp.BoProvsson+`" checked`) {
			t.Errorf("login_hint did not preselect")
		}
	})
}

func TestAuthorizeErrors(t *testing.T) {
	srv, _ := idp(t)
	for _, tt := range []struct {
		name  string
		mod   func(url.Values)
		page  bool   // shown on a page, not redirected
		error string // OAuth error in the redirect
	}{
		{"UnknownClient", func(v url.Values) { v.Set("client_id", "other") }, true, ""},
		{"UnregisteredRedirect", func(v url.Values) { v.Set("redirect_uri", "http://evil.test/cb") }, true, ""},
		{"NoPKCE", func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, false, "invalid_request"},
		{"PlainPKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, false, "invalid_request"},
		{"NoState", func(v url.Values) { v.Del("state") }, false, "invalid_request"},
		{"NoNonce", func(v url.Values) { v.Del("nonce") }, false, "invalid_request"},
		{"NoOpenID", func(v url.Values) { v.Set("scope", "profile") }, false, "invalid_scope"},
		{"Implicit", func(v url.Values) { v.Set("response_type", "id_token") }, false, "unsupported_response_type"},
		{"PromptNone", func(v url.Values) { v.Set("prompt", "none") }, false, "login_required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, noRedirect(), srv.URL+"/devidp/authorize?"+authorizeQuery(tt.mod).Encode())
			if tt.page {
				if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(body, `lang="sv"`) {
					t.Errorf("%s, Location %q", resp.Status, resp.Header.Get("Location"))
				}
				return
			}
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), redirectURI) || loc.Query().Get("error") != tt.error {
				t.Errorf("%s, Location %q, want error=%s", resp.Status, loc, tt.error)
			}
		})
	}
}

func TestToken(t *testing.T) {
	srv, s := idp(t)
	ctx := oidc.ClientContext(context.Background(), srv.Client())
	p, err := oidc.NewProvider(ctx, s.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	verify := p.Verifier(&oidc.Config{ClientID: clientID})

	t.Run("Basic", func(t *testing.T) {
		st, tr := exchange(t, srv, code(t, srv, devidp.AlvaTestsson, nil), verifier, true)
		if st != http.StatusOK || tr.TokenType != "Bearer" {
			t.Fatalf("%d %+v", st, tr)
		}
		idt, err := verify.Verify(ctx, tr.IDToken)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if err := idt.VerifyAccessToken(tr.AccessToken); err != nil {
			t.Errorf("at_hash: %v", err)
		}
		var c map[string]any
		idt.Claims(&c)
		if idt.Subject != devidp.AlvaTestsson || idt.Nonce != "n-1" || c["personal_number"] != "199004129822" || c["name"] != "Alva Testsson" {
			t.Errorf("claims %v", c)
		}
		if _, ok := c["roles"]; ok {
			t.Errorf("an applicant with roles: %v", c)
		}

		req, _ := http.NewRequest("GET", srv.URL+"/devidp/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ui map[string]any
		json.NewDecoder(resp.Body).Decode(&ui)
		resp.Body.Close()
		if resp.StatusCode != 200 || ui["sub"] != devidp.AlvaTestsson || ui["personal_number"] != "199004129822" {
			t.Errorf("userinfo %s %v", resp.Status, ui)
		}
	})
	t.Run("Post", func(t *testing.T) {
		st, tr := exchange(t, srv, code(t, srv, devidp.SaraHandlaggarsson, nil), verifier, false)
		if st != http.StatusOK {
			t.Fatalf("%d %+v", st, tr)
		}
		idt, err := verify.Verify(ctx, tr.IDToken)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Roles          []string `json:"roles"`
			Municipalities []string `json:"municipalities"`
			PN             string   `json:"personal_number"`
		}
		idt.Claims(&c)
		if !slices.Equal(c.Roles, []string{"caseworker"}) || !slices.Equal(c.Municipalities, []string{"0821"}) || c.PN != "" {
			t.Errorf("staff claims %+v", c)
		}
	})
	t.Run("Public", func(t *testing.T) {
		c := code(t, srv, devidp.BoProvsson, func(v url.Values) { v.Set("client_id", "public") })
		v := url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {redirectURI}, "code_verifier": {verifier}, "client_id": {"public"}}
		if resp, body := post(t, http.DefaultClient, srv.URL+"/devidp/token", v); resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s", resp.Status, body)
		}
	})
	t.Run("Replay", func(t *testing.T) {
		c := code(t, srv, devidp.AlvaTestsson, nil)
		st, first := exchange(t, srv, c, verifier, true)
		if st != http.StatusOK {
			t.Fatalf("first: %d", st)
		}
		if st, tr := exchange(t, srv, c, verifier, true); st != http.StatusBadRequest || tr.Error != "invalid_grant" {
			t.Errorf("replayed code: %d %+v", st, tr)
		}
		// The replay revoked the access token the first use gave.
		req, _ := http.NewRequest("GET", srv.URL+"/devidp/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+first.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("userinfo after replay: %s", resp.Status)
		}
	})
	for _, tt := range []struct {
		name     string
		verifier string
	}{
		{"NoVerifier", ""},
		{"WrongVerifier", strings.Repeat("x", 43)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if st, tr := exchange(t, srv, code(t, srv, devidp.AlvaTestsson, nil), tt.verifier, true); st != http.StatusBadRequest || tr.Error != "invalid_grant" {
				t.Errorf("%d %+v", st, tr)
			}
		})
	}
	t.Run("WrongSecret", func(t *testing.T) {
		v := url.Values{"grant_type": {"authorization_code"}, "code": {code(t, srv, devidp.AlvaTestsson, nil)}, "redirect_uri": {redirectURI}, "code_verifier": {verifier}}
		resp, body := post(t, http.DefaultClient, srv.URL+"/devidp/token", v, clientID, "wrong")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "invalid_client") {
			t.Errorf("%s %s", resp.Status, body)
		}
	})
	t.Run("WrongRedirect", func(t *testing.T) {
		v := url.Values{"grant_type": {"authorization_code"}, "code": {code(t, srv, devidp.AlvaTestsson, nil)}, "redirect_uri": {"http://rp.test/other"}, "code_verifier": {verifier}}
		resp, body := post(t, http.DefaultClient, srv.URL+"/devidp/token", v, clientID, clientSecret)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "invalid_grant") {
			t.Errorf("%s %s", resp.Status, body)
		}
	})
	t.Run("ExpiredCode", func(t *testing.T) {
		var skew atomic.Int64
		srv, _ := idp(t, func(c *devidp.Config) { c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) } })
		c := code(t, srv, devidp.AlvaTestsson, nil)
		skew.Store(int64(61 * time.Second))
		if st, tr := exchange(t, srv, c, verifier, true); st != http.StatusBadRequest || tr.Error != "invalid_grant" {
			t.Errorf("%d %+v", st, tr)
		}
	})
}

func TestStripPrefix(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	s, err := devidp.New(devidp.Config{Issuer: "http://" + srv.Listener.Addr().String() + "/dev/idp",
		Clients: []devidp.Client{{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}}}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/dev/idp/", http.StripPrefix("/dev/idp", s))
	srv.Config.Handler = mux
	srv.Start()
	defer srv.Close()
	if _, err := oidc.NewProvider(oidc.ClientContext(context.Background(), srv.Client()), s.Issuer()); err != nil {
		t.Errorf("discovery behind StripPrefix: %v", err)
	}
	resp, page := get(t, http.DefaultClient, srv.URL+"/dev/idp/authorize?"+authorizeQuery(nil).Encode())
	if resp.StatusCode != 200 || !strings.Contains(page, `action="`+s.Issuer()+`/authorize"`) {
		t.Errorf("%s", resp.Status)
	}
}

func TestEndSession(t *testing.T) {
	srv, _ := idp(t)
	resp, _ := get(t, noRedirect(), srv.URL+"/devidp/logout?"+url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {logoutURI}, "state": {"s"}}.Encode())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != logoutURI+"?state=s" {
		t.Errorf("registered: %s %q", resp.Status, resp.Header.Get("Location"))
	}
	resp, body := get(t, noRedirect(), srv.URL+"/devidp/logout?"+url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {"http://evil.test/"}}.Encode())
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" || !strings.Contains(body, "Du är utloggad") {
		t.Errorf("unregistered: %s %q", resp.Status, resp.Header.Get("Location"))
	}
}

func TestNew(t *testing.T) {
	for _, issuer := range []string{"", "devidp", "ftp://x/y", "http://x/y?z=1"} {
		if _, err := devidp.New(devidp.Config{Issuer: issuer}); err == nil {
			t.Errorf("New(Issuer %q) succeeded", issuer)
		}
	}
	if _, err := devidp.New(devidp.Config{Issuer: "http://x", Clients: []devidp.Client{{ID: "c"}}}); err == nil {
		t.Errorf("a client without redirect URIs was accepted")
	}
}
