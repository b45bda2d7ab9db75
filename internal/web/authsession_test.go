package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"skalig/internal/auth"
	"skalig/internal/web"
)

func TestAuthSession(t *testing.T) {
	cfg := auth.DefaultConfig()
	cfg.Issuer = "http://127.0.0.1:1/devidp"
	cfg.ClientID = "skalig"
	cfg.RedirectURL = "http://127.0.0.1:1/auth/callback"
	cfg.CookieSecure = false
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	a, err := auth.New(cfg, auth.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	session := web.AuthSession(a)
	var got, anonymous web.Session
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		anonymous = session(r)
		r = r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Subject: "s1", Name: "Ada Testsson", Kind: auth.Applicant}))
		got = session(r)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if anonymous.LoggedIn() {
		t.Errorf("nobody logged in: %+v", anonymous)
	}
	c := cfg // DefaultConfig's timeouts, which New keeps
	if got.Name != "Ada Testsson" || got.IdleTimeout != c.IdleTimeout || got.Warning != c.TimeoutWarning ||
		got.Remaining != c.IdleTimeout || !got.ExpiresAt.Equal(now.Add(c.IdleTimeout)) || !got.Extendable ||
		got.LogoutURL != auth.LogoutPath || got.ExtendURL != auth.ExtendPath || got.ScriptURL != auth.TimeoutScriptPath ||
		got.ExpiredURL != web.LoggedOutPath {
		t.Errorf("AuthSession = %+v", got)
	}
}
