// Package devidp is a development OpenID Connect provider, for the demo and
// the tests: its login page lists synthetic persons (applicants and staff)
// and logs in the one chosen, with no password.
//
// It speaks real OpenID Connect, so that Skälig's relying party (package
// auth) runs the same code against it as against a production provider:
// discovery, a JWKS with an RS256 key generated at start, the authorization
// code flow with PKCE S256, state and nonce all required, client_secret_basic
// and client_secret_post (or a public client), userinfo, and RP-initiated
// logout. Codes are single-use and live 60 seconds.
//
// It keeps everything in memory: one process only. Never expose it where
// real people could reach it: anyone can log in as anyone.
//
// The handler serves the paths under the issuer's path: with issuer
// http://127.0.0.1:8080/devidp, mount it as mux.Handle("/devidp/", idp)
// (with or without http.StripPrefix), or give it a listener of its own.
package devidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
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

	"github.com/go-jose/go-jose/v4"
)

// Config configures the provider.
type Config struct {
	// Issuer is the provider's absolute URL, e.g.
	// http://127.0.0.1:8080/devidp; every endpoint is under it.
	Issuer string
	// Clients are the relying parties allowed to log in.
	Clients []Client
	// Persons who can log in; nil means Persons().
	Persons []Person
	// Now is the clock for codes and tokens; nil means time.Now.
	Now func() time.Time
	// Logger logs each login; nil means slog.Default.
	Logger *slog.Logger
	// MinimalIDToken puts only sub (and the token's own claims) in the ID
	// token, leaving name, personal number, roles and municipalities to
	// userinfo, as some e-legitimation brokers do.
	MinimalIDToken bool
}

// Client is a registered relying party.
type Client struct {
	ID string
	// Secret authenticates the client at the token endpoint (HTTP Basic or
	// form). Empty: a public client, which sends only its ID (PKCE is
	// required of every client anyway).
	Secret string
	// RedirectURIs are the callback URLs allowed, compared exactly.
	RedirectURIs []string
	// PostLogoutRedirectURIs are where logout may send the browser back to.
	PostLogoutRedirectURIs []string
}

// Lifetimes.
const (
	codeTTL        = 60 * time.Second
	idTokenTTL     = 5 * time.Minute
	accessTokenTTL = 10 * time.Minute
)

// Server is the provider, an http.Handler. Create it with New.
type Server struct {
	issuer   string
	basePath string // the issuer's path, without a final slash
	clients  map[string]Client
	persons  []Person
	now      func() time.Time
	log      *slog.Logger
	key      *rsa.PrivateKey
	keyID    string
	signer   jose.Signer
	csrf     *http.CrossOriginProtection
	minimal  bool

	mu     sync.Mutex
	codes  map[string]*grant // by code
	tokens map[string]*grant // by access token
}

// grant is what a code (and then its access token) stands for.
type grant struct {
	client      string
	redirectURI string
	challenge   string
	nonce       string
	scope       string
	subject     string
	authTime    time.Time
	expires     time.Time
	used        bool   // the code was exchanged
	accessToken string // issued for the code
}

// New returns a provider with a new signing key.
func New(cfg Config) (*Server, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("devidp: issuer %q is not an absolute http(s) URL without query", cfg.Issuer)
	}
	s := &Server{
		issuer:   strings.TrimSuffix(cfg.Issuer, "/"),
		basePath: strings.TrimSuffix(u.EscapedPath(), "/"),
		clients:  map[string]Client{},
		persons:  cfg.Persons,
		now:      cfg.Now,
		log:      cfg.Logger,
		minimal:  cfg.MinimalIDToken,
		codes:    map[string]*grant{},
		tokens:   map[string]*grant{},
	}
	if s.persons == nil {
		s.persons = Persons()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, c := range cfg.Clients {
		if c.ID == "" || len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("devidp: client %q needs an ID and a redirect URI", c.ID)
		}
		s.clients[c.ID] = c
	}
	s.key, err = rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: generate key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: &s.key.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("devidp: key id: %w", err)
	}
	s.keyID = base64.RawURLEncoding.EncodeToString(tp)
	s.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.keyID, Algorithm: string(jose.RS256)}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("devidp: signer: %w", err)
	}
	s.csrf = http.NewCrossOriginProtection()
	return s, nil
}

// Issuer returns the issuer URL.
func (s *Server) Issuer() string { return s.issuer }

// Endpoint paths, under the issuer.
const (
	pathDiscovery = "/.well-known/openid-configuration"
	pathJWKS      = "/jwks"
	pathAuthorize = "/authorize"
	pathToken     = "/token"
	pathUserInfo  = "/userinfo"
	pathLogout    = "/logout"
)

// ServeHTTP routes by the path below the issuer's path (the full path, or
// what http.StripPrefix left of it).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if s.basePath != "" && strings.HasPrefix(p, s.basePath+"/") {
		p = strings.TrimPrefix(p, s.basePath)
	}
	if p != "" && p[0] != '/' {
		p = "/" + p
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case p == pathDiscovery && isGet(r):
		s.discovery(w)
	case p == pathJWKS && isGet(r):
		s.jwks(w)
	case p == pathAuthorize && isGet(r):
		s.authorizeGet(w, r)
	case p == pathAuthorize && r.Method == http.MethodPost:
		s.csrf.Handler(http.HandlerFunc(s.authorizePost)).ServeHTTP(w, r)
	case p == pathToken && r.Method == http.MethodPost:
		s.token(w, r)
	case p == pathUserInfo && (isGet(r) || r.Method == http.MethodPost):
		s.userinfo(w, r)
	case p == pathLogout && (isGet(r) || r.Method == http.MethodPost):
		s.endSession(w, r)
	case p == pathDiscovery || p == pathJWKS || p == pathAuthorize || p == pathToken || p == pathUserInfo || p == pathLogout:
		http.Error(w, "metoden stöds inte", http.StatusMethodNotAllowed)
	default:
		http.NotFound(w, r)
	}
}

func isGet(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

func (s *Server) discovery(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.issuer,
		"authorization_endpoint":                s.issuer + pathAuthorize,
		"token_endpoint":                        s.issuer + pathToken,
		"userinfo_endpoint":                     s.issuer + pathUserInfo,
		"jwks_uri":                              s.issuer + pathJWKS,
		"end_session_endpoint":                  s.issuer + pathLogout,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(jose.RS256)},
		"scopes_supported":                      []string{"openid", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "given_name", "family_name",
			"personal_number", "roles", "municipalities"},
		"authorization_response_iss_parameter_supported": true,
	})
}

func (s *Server) jwks(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &s.key.PublicKey, KeyID: s.keyID, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authRequest is an authorization request, from the query (GET) or the
// login form (POST).
type authRequest struct {
	ClientID, RedirectURI, ResponseType, Scope, State, Nonce, Challenge, ChallengeMethod, Prompt, LoginHint string
}

func readAuthRequest(v url.Values) authRequest {
	return authRequest{
		ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), ResponseType: v.Get("response_type"),
		Scope: v.Get("scope"), State: v.Get("state"), Nonce: v.Get("nonce"),
		Challenge: v.Get("code_challenge"), ChallengeMethod: v.Get("code_challenge_method"),
		Prompt: v.Get("prompt"), LoginHint: v.Get("login_hint"),
	}
}

// check validates ar. A client or redirect URI that is not registered is
// shown on a page (never redirected to); any other fault is sent back to
// the client as an OAuth error.
func (s *Server) check(ar authRequest) (pageErr string, oauthErr, desc string) {
	c, ok := s.clients[ar.ClientID]
	if !ok {
		return "Okänd klient (client_id).", "", ""
	}
	if !slices.Contains(c.RedirectURIs, ar.RedirectURI) {
		return "Återkomstadressen (redirect_uri) är inte registrerad för klienten.", "", ""
	}
	switch {
	case ar.ResponseType != "code":
		return "", "unsupported_response_type", "only response_type=code"
	case !slices.Contains(strings.Fields(ar.Scope), "openid"):
		return "", "invalid_scope", "scope must include openid"
	case ar.Challenge == "" || ar.ChallengeMethod != "S256":
		return "", "invalid_request", "PKCE with code_challenge_method=S256 is required"
	case len(ar.Challenge) != 43:
		return "", "invalid_request", "code_challenge must be a base64url SHA-256"
	case ar.State == "":
		return "", "invalid_request", "state is required"
	case ar.Nonce == "":
		return "", "invalid_request", "nonce is required"
	case ar.Prompt == "none":
		return "", "login_required", "the development provider keeps no session"
	}
	return "", "", ""
}

// redirectError sends the browser back to the client with an OAuth error.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, ar authRequest, code, desc string) {
	v := url.Values{"error": {code}, "iss": {s.issuer}}
	if desc != "" {
		v.Set("error_description", desc)
	}
	if ar.State != "" {
		v.Set("state", ar.State)
	}
	http.Redirect(w, r, withQuery(ar.RedirectURI, v), http.StatusFound)
}

func withQuery(u string, v url.Values) string {
	if strings.Contains(u, "?") {
		return u + "&" + v.Encode()
	}
	return u + "?" + v.Encode()
}

func (s *Server) authorizeGet(w http.ResponseWriter, r *http.Request) {
	ar := readAuthRequest(r.URL.Query())
	if pe, oe, desc := s.check(ar); pe != "" {
		s.errorPage(w, http.StatusBadRequest, pe)
		return
	} else if oe != "" {
		s.redirectError(w, r, ar, oe, desc)
		return
	}
	s.loginPage(w, http.StatusOK, ar, ar.LoginHint, "")
}

func (s *Server) authorizePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "Formuläret kunde inte läsas.")
		return
	}
	ar := readAuthRequest(r.PostForm)
	if pe, oe, desc := s.check(ar); pe != "" {
		s.errorPage(w, http.StatusBadRequest, pe)
		return
	} else if oe != "" {
		s.redirectError(w, r, ar, oe, desc)
		return
	}
	if r.PostForm.Get("action") == "cancel" {
		s.redirectError(w, r, ar, "access_denied", "the person cancelled the login")
		return
	}
	subject := r.PostForm.Get("person")
	person, ok := s.person(subject)
	if !ok {
		s.loginPage(w, http.StatusUnprocessableEntity, ar, "", "Välj en person att logga in som.")
		return
	}
	now := s.now()
	code := rand.Text() + rand.Text()
	s.mu.Lock()
	s.prune(now)
	s.codes[code] = &grant{
		client: ar.ClientID, redirectURI: ar.RedirectURI, challenge: ar.Challenge, nonce: ar.Nonce,
		scope: ar.Scope, subject: person.Subject, authTime: now, expires: now.Add(codeTTL),
	}
	s.mu.Unlock()
	s.log.Info("devidp login", "sub", person.Subject, "client", ar.ClientID)
	http.Redirect(w, r, withQuery(ar.RedirectURI, url.Values{"code": {code}, "state": {ar.State}, "iss": {s.issuer}}), http.StatusSeeOther)
}

func (s *Server) person(subject string) (Person, bool) {
	for _, p := range s.persons {
		if p.Subject == subject && subject != "" {
			return p, true
		}
	}
	return Person{}, false
}

// prune forgets codes and tokens past their time. s.mu is held.
func (s *Server) prune(now time.Time) {
	for k, g := range s.codes {
		if now.After(g.expires) {
			delete(s.codes, k)
		}
	}
	for k, g := range s.tokens {
		if now.After(g.expires) {
			delete(s.tokens, k)
		}
	}
}

// tokenError writes an RFC 6749 section 5.2 error.
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="devidp"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// clientAuth authenticates the client by HTTP Basic (client_secret_basic)
// or by the form (client_secret_post, or client_id alone for a public
// client).
func (s *Server) clientAuth(r *http.Request) (Client, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return Client{}, errors.New("malformed basic credentials")
		}
		if r.PostForm.Get("client_secret") != "" {
			return Client{}, errors.New("more than one client authentication method")
		}
		if fid := r.PostForm.Get("client_id"); fid != "" && fid != id {
			return Client{}, errors.New("client_id does not match the basic credentials")
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, ok := s.clients[id]
	if !ok {
		return Client{}, errors.New("unknown client")
	}
	if c.Secret == "" {
		if secret != "" {
			return Client{}, errors.New("a public client has no secret")
		}
		return c, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return Client{}, errors.New("wrong client secret")
	}
	return c, nil
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	c, err := s.clientAuth(r)
	if err != nil {
		tokenError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	code, verifier := r.PostForm.Get("code"), r.PostForm.Get("code_verifier")
	now := s.now()

	s.mu.Lock()
	g, ok := s.codes[code]
	var fault string
	switch {
	case !ok || now.After(g.expires):
		fault = "unknown or expired code"
	case g.used:
		// A replayed code: refuse, and revoke what the first use gave
		// (RFC 6749 section 4.1.2).
		fault = "code already used"
		delete(s.tokens, g.accessToken)
	case g.client != c.ID:
		fault = "code issued to another client"
	case g.redirectURI != r.PostForm.Get("redirect_uri"):
		fault = "redirect_uri does not match the authorization request"
	case verifier == "":
		fault = "code_verifier is required (PKCE)"
	case !pkceMatches(verifier, g.challenge):
		fault = "code_verifier does not match code_challenge"
	}
	if fault != "" {
		s.mu.Unlock()
		tokenError(w, http.StatusBadRequest, "invalid_grant", fault)
		return
	}
	g.used = true
	access := rand.Text() + rand.Text()
	g.accessToken = access
	s.tokens[access] = &grant{client: g.client, subject: g.subject, scope: g.scope, expires: now.Add(accessTokenTTL)}
	s.mu.Unlock()

	person, ok := s.person(g.subject)
	if !ok {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the person is gone")
		return
	}
	claims := personClaims(person)
	if s.minimal {
		claims = map[string]any{"sub": person.Subject}
	}
	claims["iss"] = s.issuer
	claims["aud"] = c.ID
	claims["azp"] = c.ID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(idTokenTTL).Unix()
	claims["auth_time"] = g.authTime.Unix()
	claims["nonce"] = g.nonce
	claims["at_hash"] = atHash(access)
	idToken, err := s.sign(claims)
	if err != nil {
		s.log.Error("devidp: sign id token", "error", err)
		tokenError(w, http.StatusInternalServerError, "server_error", "cannot sign")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(accessTokenTTL / time.Second),
		"id_token":     idToken,
		"scope":        g.scope,
	})
}

// pkceMatches reports whether BASE64URL(SHA256(verifier)) is challenge
// (RFC 7636 section 4.6).
func pkceMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// atHash is the at_hash claim: the left half of SHA-256 of the access
// token, base64url.
func atHash(access string) string {
	sum := sha256.Sum256([]byte(access))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// personClaims are the claims about p, in the ID token and from userinfo.
func personClaims(p Person) map[string]any {
	c := map[string]any{
		"sub":         p.Subject,
		"name":        p.Name(),
		"given_name":  p.GivenName,
		"family_name": p.FamilyName,
	}
	if p.PersonalNumber != "" {
		c["personal_number"] = p.PersonalNumber.Canonical()
	}
	if len(p.Roles) > 0 {
		c["roles"] = p.Roles
		c["municipalities"] = p.Municipalities
	}
	return c
}

func (s *Server) sign(claims map[string]any) (string, error) {
	b, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := s.signer.Sign(b)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		token, ok = strings.CutPrefix(auth, "bearer ")
	}
	w.Header().Set("Cache-Control", "no-store")
	s.mu.Lock()
	g, found := s.tokens[token]
	valid := ok && found && !s.now().After(g.expires)
	s.mu.Unlock()
	if !valid {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	person, found := s.person(g.subject)
	if !found {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	writeJSON(w, http.StatusOK, personClaims(person))
}

// endSession is RP-initiated logout. The provider keeps no session of its
// own, so it only sends the browser back to a registered
// post_logout_redirect_uri, or shows that the person is logged out.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "Begäran kunde inte läsas.")
		return
	}
	back := r.Form.Get("post_logout_redirect_uri")
	if back != "" {
		clientID := r.Form.Get("client_id")
		if clientID == "" {
			clientID = s.audience(r.Form.Get("id_token_hint"))
		}
		if c, ok := s.clients[clientID]; ok && slices.Contains(c.PostLogoutRedirectURIs, back) {
			v := url.Values{}
			if st := r.Form.Get("state"); st != "" {
				v.Set("state", st)
			}
			target := back
			if len(v) > 0 {
				target = withQuery(back, v)
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
	}
	s.messagePage(w, http.StatusOK, "Du är utloggad", "Du är utloggad från utvecklingsinloggningen. Du kan stänga fliken.")
}

// audience returns the aud of an ID token this provider signed, or "".
func (s *Server) audience(raw string) string {
	if raw == "" {
		return ""
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return ""
	}
	b, err := jws.Verify(&s.key.PublicKey)
	if err != nil {
		return ""
	}
	var c struct {
		Aud string `json:"aud"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.Aud
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
