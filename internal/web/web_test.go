package web_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/routing"
	"skalig/internal/rules"
	"skalig/internal/web"
	"skalig/internal/web/webtest"
)

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The helpers shared with the other web packages' tests.
var (
	testConfig     = webtest.Config
	do             = webtest.Do
	mustContain    = webtest.MustContain
	mustNotContain = webtest.MustNotContain
)

type response = webtest.Response

// newServer builds a server from testConfig changed by mod (may be nil), and
// lets setup register extra routes before the handler is built.
func newServer(t testing.TB, mod func(*web.Config), setup func(*web.Server)) (http.Handler, *logBuffer) {
	t.Helper()
	cfg := testConfig(t)
	logs := &logBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if mod != nil {
		mod(&cfg)
	}
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(s)
	}
	return s.Handler(), logs
}

func get(t testing.TB, h http.Handler, target string, cookies ...*http.Cookie) response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return do(t, h, r)
}

func TestTransparency(t *testing.T) {
	h, _ := newServer(t, nil, nil)
	res := get(t, h, web.TransparencyPath)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	b := res.Body
	mustContain(t, b,
		`<html lang="sv" dir="ltr">`,
		"<title>Om automatiserad handläggning – Försörjningsstöd – Högsby kommun</title>",
		"Så fungerar den automatiserade handläggningen",
		rules.EngineVersion, "riksnorm-2026", "socialtjänstlagen (2025:400)",
		"Regler och belopp som gäller i november 2026",
		"59\u00a0200\u00a0kr", // prisbasbelopp 2026
		"Förordning (2025:872)",
		"officiell",
		// The delegation of Högsby's (example) routing configuration.
		"Nämnden har bestämt att programmet från och med januari 2023",
		"punkt 3.1 (exempel)", "Gäller: fortsatt ansökan (varje månad).",
		"Försörjningsstödet får vara högst 20\u00a0000\u00a0kr i månaden.",
		"Bara om inget har ändrats sedan förra månaden.", "Programmet får: bevilja (bifall).",
		"Programmet får bara bevilja.", "Ungefär 5 procent",
		"Hushållet har sju personer eller fler.", // a municipal exception rule
		// Högsby's housing guideline, one adult without children.
		"4\u00a0474\u00a0kr", "Riktlinjer i Högsby kommun",
		"förvaltningsrätten", "tre veckor", "26 kapitlet",
	)
	for _, reg := range skalig.RegisterNames {
		name := skalig.RegisterSwedishName(reg)
		if !strings.Contains(strings.ToLower(b), strings.ToLower(name)) {
			t.Errorf("register %s (%s) is not on the page", reg, name)
		}
		mustContain(t, b, `id="register-`+reg+`"`)
	}
}

func TestTransparencyNoDelegation(t *testing.T) {
	h, _ := newServer(t, func(c *web.Config) {
		c.Delegation = func(string, skalig.Month) (*web.Delegation, error) { return nil, nil }
	}, nil)
	b := get(t, h, web.TransparencyPath).Body
	mustContain(t, b, "Nämnden har inte låtit programmet fatta några beslut",
		"Programmet lämnar ett förslag till beslut", "Programmet lämnar bara förslag.")
	mustNotContain(t, b, "stickprov")
}

func TestTransparencyDelegation(t *testing.T) {
	var asked skalig.Month
	h, _ := newServer(t, func(c *web.Config) {
		c.Delegation = func(code string, m skalig.Month) (*web.Delegation, error) {
			asked = m
			if code != "0821" {
				t.Errorf("code %q", code)
			}
			return &web.Delegation{
				Board: "Socialnämnden", Decision: "2026-05-12 § 45", From: skalig.MonthOf(2026, 6),
				Groups: []web.DelegatedGroup{
					{Name: "Fortsatt ansökan utan ändringar", Description: "beloppet är högst 15 000 kr i månaden",
						Kinds: []skalig.ApplicationKind{skalig.MonthlyApplication}, MaxAmount: skalig.Kronor(15000)},
					{Name: "Avslag vid inkomst över normen", Kinds: []skalig.ApplicationKind{skalig.MonthlyApplication},
						Outcomes: []skalig.Outcome{skalig.OutcomeRejected}},
				},
				SampleRate: 2.5,
				Report:     "Varje månad, i nämndens delegationsrapport.",
			}, nil
		}
	}, nil)
	b := get(t, h, web.TransparencyPath).Body
	if asked != skalig.MonthOf(2026, 11) {
		t.Errorf("Delegation asked for %v, want 2026-11", asked)
	}
	mustContain(t, b, "Socialnämnden har bestämt att programmet från och med juni 2026",
		"Fortsatt ansökan utan ändringar", "beloppet är högst 15 000 kr i månaden",
		"Programmet får: säga nej (avslag).", "får säga nej i de här ärendena", "Ungefär 2,5 procent", "2026-05-12 § 45",
		"Varje månad, i nämndens delegationsrapport.")
	mustNotContain(t, b, "Nämnden har inte låtit programmet")

	// In English, the Swedish texts of the delegation are marked as Swedish.
	en := get(t, h, web.TransparencyPath+"?lang=en").Body
	mustContain(t, en, `<bdi lang="sv">Fortsatt ansökan utan ändringar</bdi>`, "About 2.5 per cent",
		"The income support may be at most 15\u00a0000\u00a0kr a month.")
	ar := get(t, h, web.TransparencyPath+"?lang=ar").Body
	mustContain(t, ar, "\u206615\u00a0000\u00a0kr\u2069") // an isolate keeps "kr" after the number
}

func TestTransparencyDelegationError(t *testing.T) {
	h, logs := newServer(t, func(c *web.Config) {
		c.Delegation = func(string, skalig.Month) (*web.Delegation, error) {
			return nil, errors.New("routing config unreadable")
		}
	}, nil)
	res := get(t, h, web.TransparencyPath)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	mustContain(t, res.Body, "kan inte visas just nu")
	mustNotContain(t, res.Body, "routing config unreadable")
	if !strings.Contains(logs.String(), "routing config unreadable") {
		t.Error("the error was not logged")
	}
}

func TestTransparencyNoParameters(t *testing.T) {
	h, _ := newServer(t, func(c *web.Config) {
		c.Now = func() time.Time { return time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC) }
	}, nil)
	res := get(t, h, web.TransparencyPath)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	mustContain(t, res.Body, "Programmet har inga belopp för 2031 än")
}

func TestTransparencyOtherMunicipality(t *testing.T) {
	h, _ := newServer(t, nil, nil)
	if res := get(t, h, "/kommun/0821"+web.TransparencyPath); res.StatusCode != http.StatusOK {
		t.Errorf("known municipality: status %d", res.StatusCode)
	}
	if res := get(t, h, "/kommun/9999"+web.TransparencyPath); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown municipality: status %d, want 404", res.StatusCode)
	}
}

func TestLanguage(t *testing.T) {
	h, _ := newServer(t, nil, nil)

	t.Run("Default", func(t *testing.T) {
		res := get(t, h, "/")
		mustContain(t, res.Body, `<html lang="sv" dir="ltr">`, `aria-current="true">Svenska</a>`)
		if len(res.Cookies()) != 0 {
			t.Errorf("cookie set without a choice: %v", res.Cookies())
		}
	})
	t.Run("Query", func(t *testing.T) {
		res := get(t, h, web.TransparencyPath+"?lang=ar")
		mustContain(t, res.Body, `<html lang="ar" dir="rtl">`, "كيف تعمل المعالجة الآلية")
		if got := res.Header.Get("Content-Language"); got != "ar" {
			t.Errorf("Content-Language %q", got)
		}
		var c *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == web.LangCookie {
				c = ck
			}
		}
		if c == nil || c.Value != "ar" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Fatalf("language cookie %+v", c)
		}
		// The cookie keeps the language on the next page, without ?lang=.
		next := get(t, h, web.AccessibilityPath, &http.Cookie{Name: web.LangCookie, Value: "ar"})
		mustContain(t, next.Body, `<html lang="ar" dir="rtl">`, "بيان إمكانية الوصول")
	})
	t.Run("AcceptLanguage", func(t *testing.T) {
		// No stored choice: the browser's languages decide, and nothing
		// is stored.
		r := httptest.NewRequest(http.MethodGet, web.AccessibilityPath, nil)
		r.Header.Set("Accept-Language", "de-DE,en;q=0.8")
		res := do(t, h, r)
		mustContain(t, res.Body, `<html lang="en" dir="ltr">`, `aria-current="true">English</a>`)
		if got := res.Header.Get("Content-Language"); got != "en" {
			t.Errorf("Content-Language %q", got)
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("cookie set for Accept-Language: %v", res.Cookies())
		}
		// The stored choice wins over the browser's.
		r = httptest.NewRequest(http.MethodGet, web.AccessibilityPath, nil)
		r.Header.Set("Accept-Language", "ar")
		r.AddCookie(&http.Cookie{Name: web.LangCookie, Value: "sv"})
		mustContain(t, do(t, h, r).Body, `<html lang="sv" dir="ltr">`)
		// A language the site does not have: Swedish.
		r = httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Language", "de-DE")
		mustContain(t, do(t, h, r).Body, `<html lang="sv" dir="ltr">`)
	})
	t.Run("SwitchLinks", func(t *testing.T) {
		res := get(t, h, web.TransparencyPath+"?x=1&lang=en")
		for _, l := range web.Languages {
			q := url.Values{"x": {"1"}, "lang": {l.Code}}
			want := `href="` + web.TransparencyPath + "?" + strings.ReplaceAll(q.Encode(), "&", "&amp;") + `"`
			mustContain(t, res.Body, want)
		}
		mustContain(t, res.Body, `hreflang="ar" dir="rtl">العربية</a>`)
	})
	t.Run("NoOtherHost", func(t *testing.T) {
		s, err := web.New(testConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path = "//evil.example/x"
		w := httptest.NewRecorder()
		s.NotFound(w, r)
		mustNotContain(t, w.Body.String(), `href="//evil.example`)
		mustContain(t, w.Body.String(), `href="/?lang=en"`)
	})
	t.Run("Unknown", func(t *testing.T) {
		res := get(t, h, "/?lang=xx", &http.Cookie{Name: web.LangCookie, Value: "en"})
		mustContain(t, res.Body, `<html lang="en" dir="ltr">`)
		if len(res.Cookies()) != 0 {
			t.Errorf("cookie set for an unknown language: %v", res.Cookies())
		}
	})
	t.Run("SecureCookie", func(t *testing.T) {
		h, _ := newServer(t, func(c *web.Config) { c.SecureCookies = true }, nil)
		res := get(t, h, "/?lang=en")
		if cs := res.Cookies(); len(cs) != 1 || !cs[0].Secure {
			t.Errorf("cookies %v, want one Secure", cs)
		}
	})
}

// TestNoInlineScriptOrStyle checks every page for what the Content Security
// Policy would block: inline scripts, event handler attributes and style
// attributes.
func TestNoInlineScriptOrStyle(t *testing.T) {
	h, _ := newServer(t, func(c *web.Config) { c.Session = loggedIn }, nil)
	for _, path := range []string{"/", web.TransparencyPath, web.AccessibilityPath, web.ComponentsPath, "/finns-inte", web.LoggedOutPath} {
		for _, l := range web.Languages {
			res := get(t, h, path+"?lang="+l.Code)
			if got := res.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
				t.Errorf("%s: CSP %q", path, got)
			}
			webtest.NoInlineScriptOrStyle(t, res.Body, path)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h, _ := newServer(t, nil, nil)
	res := get(t, h, "/")
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
		"Cache-Control":          "no-store",
		"Content-Type":           "text/html; charset=utf-8",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if id := res.Header.Get("X-Request-Id"); len(id) != 32 {
		t.Errorf("X-Request-Id %q", id)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Request-Id", "caller-id-1")
	if got := do(t, h, r).Header.Get("X-Request-Id"); got != "caller-id-1" {
		t.Errorf("caller's request id not kept: %q", got)
	}
	r.Header.Set("X-Request-Id", "<script>")
	if got := do(t, h, r).Header.Get("X-Request-Id"); got == "<script>" {
		t.Error("unsafe request id echoed")
	}
}

func TestErrorPages(t *testing.T) {
	h, logs := newServer(t, nil, func(s *web.Server) {
		s.HandleFunc("GET /test/panic", func(http.ResponseWriter, *http.Request) {
			panic("secret panic detail 4711")
		})
		s.HandleFunc("GET /test/internal", func(w http.ResponseWriter, r *http.Request) {
			s.Error(w, r, errors.New("database password wrong 4712"))
		})
		s.HandleFunc("GET /test/forbidden", func(w http.ResponseWriter, r *http.Request) {
			s.Error(w, r, skalig.Errorf(skalig.EFORBIDDEN, "Ärendet tillhör en annan kommun"))
		})
		s.HandleFunc("GET /test/notfound", func(w http.ResponseWriter, r *http.Request) {
			s.Error(w, r, skalig.Errorf(skalig.ENOTFOUND, "Ärendet finns inte"))
		})
		s.HandleFunc("GET /test/internal-code", func(w http.ResponseWriter, r *http.Request) {
			s.Error(w, r, skalig.Errorf(skalig.EINTERNAL, "intern detalj 4713"))
		})
	})

	t.Run("NotFound", func(t *testing.T) {
		for _, l := range web.Languages {
			res := get(t, h, "/finns-inte?lang="+l.Code)
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d", l.Code, res.StatusCode)
			}
			mustContain(t, res.Body, `<html lang="`+l.Code+`" dir="`+l.Dir+`">`, "<h1>"+l.T("error.404.heading")+"</h1>")
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		res := do(t, h, httptest.NewRequest(http.MethodPost, web.TransparencyPath, nil))
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("status %d Allow %q", res.StatusCode, res.Header.Get("Allow"))
		}
		mustContain(t, res.Body, "Det går inte att göra så här")
	})
	t.Run("Panic", func(t *testing.T) {
		res := get(t, h, "/test/panic?lang=en")
		if res.StatusCode != http.StatusInternalServerError {
			t.Fatalf("status %d", res.StatusCode)
		}
		id := res.Header.Get("X-Request-Id")
		mustContain(t, res.Body, "Something went wrong on our side", `<code class="request-id" id="request-id">`+id+`</code>`)
		mustNotContain(t, res.Body, "secret panic detail", "goroutine", ".go:")
		if l := logs.String(); !strings.Contains(l, "secret panic detail 4711") || !strings.Contains(l, "request_id="+id) {
			t.Errorf("panic not logged with the request id:\n%s", l)
		}
	})
	t.Run("Internal", func(t *testing.T) {
		for _, path := range []string{"/test/internal", "/test/internal-code"} {
			res := get(t, h, path)
			if res.StatusCode != http.StatusInternalServerError {
				t.Errorf("%s: status %d", path, res.StatusCode)
			}
			mustContain(t, res.Body, "Något gick fel hos oss", res.Header.Get("X-Request-Id"))
			mustNotContain(t, res.Body, "4712", "4713")
		}
	})
	t.Run("Forbidden", func(t *testing.T) {
		res := get(t, h, "/test/forbidden?lang=ar")
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
		mustContain(t, res.Body, "ليس لديك صلاحية لهذه الصفحة", `<bdi lang="sv">Ärendet tillhör en annan kommun</bdi>`)
		mustNotContain(t, res.Body, `id="request-id"`)
	})
	t.Run("DomainNotFound", func(t *testing.T) {
		res := get(t, h, "/test/notfound")
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", res.StatusCode)
		}
		mustContain(t, res.Body, "Ärendet finns inte")
	})
}

func TestStatic(t *testing.T) {
	h, _ := newServer(t, nil, nil)
	page := get(t, h, "/").Body
	m := regexp.MustCompile(`href="(/static/skalig\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no stylesheet link")
	}
	res := get(t, h, m[1])
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("css: status %d type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("hashed URL Cache-Control %q", cc)
	}
	if cc := get(t, h, "/static/skalig.css").Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("unhashed URL Cache-Control %q", cc)
	}
	for _, p := range []string{"/static/skalig.js", "/static/favicon.svg"} {
		if res := get(t, h, p); res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", p, res.StatusCode)
		}
	}
	for _, p := range []string{"/static/nope.css", "/static/../web.go", "/static/%2e%2e/web.go"} {
		if res := get(t, h, p); res.StatusCode == http.StatusOK {
			t.Errorf("%s: status 200", p)
		}
	}
	if res := get(t, h, "/favicon.ico"); res.StatusCode != http.StatusMovedPermanently {
		t.Errorf("favicon.ico: status %d", res.StatusCode)
	}
}

func TestHandle(t *testing.T) {
	t.Run("TakeOverHome", func(t *testing.T) {
		h, _ := newServer(t, nil, func(s *web.Server) {
			s.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
				p := s.Page(r)
				p.Title = "Egen"
				io.WriteString(w, "own home "+p.Lang.Code)
			})
		})
		if got := get(t, h, "/?lang=en").Body; got != "own home en" {
			t.Errorf("home = %q", got)
		}
	})
	t.Run("Mistakes", func(t *testing.T) {
		s, err := web.New(testConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		mustPanic(t, "no method", func() { s.HandleFunc("/x", nil) })
		mustPanic(t, "twice", func() { s.HandleFunc("GET "+web.TransparencyPath, nil) })
		s.Handler()
		mustPanic(t, "after Handler", func() { s.HandleFunc("GET /late", nil) })
	})
	t.Run("Config", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.Municipality = "9999"
		if _, err := web.New(cfg); err == nil {
			t.Error("unknown municipality accepted")
		}
		cfg = testConfig(t)
		cfg.Params = nil
		if _, err := web.New(cfg); err == nil {
			t.Error("nil Params accepted")
		}
	})
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", name)
		}
	}()
	f()
}

func loggedIn(*http.Request) web.Session {
	return web.Session{
		Name: "Ada Testsson", LogoutURL: "/logout", ExtendURL: "/session/extend",
		ScriptURL: "/session/timeout.js", ExpiredURL: web.LoggedOutPath,
		IdleTimeout: 20 * time.Minute, Remaining: 20 * time.Minute, Warning: 2 * time.Minute,
		ExpiresAt: time.Date(2026, 11, 22, 13, 32, 0, 0, time.UTC), Extendable: true,
		CSRFName: "csrf", CSRFToken: "tok-123",
	}
}

func TestSessionLayout(t *testing.T) {
	h, _ := newServer(t, func(c *web.Config) { c.Session = loggedIn }, nil)
	b := get(t, h, web.TransparencyPath+"?x=1").Body
	mustContain(t, b,
		"Du loggas ut efter 20 minuter utan aktivitet.",
		"senast kl. 14.32", // Stockholm time
		"Inloggad som Ada Testsson",
		`<form method="post" action="/logout"><input type="hidden" name="csrf" value="tok-123">`,
		`<section id="session-timeout" class="idle-notice" aria-labelledby="idle-notice" data-remaining="1200" data-warn="120" data-expired-url="/utloggad">`,
		`<form method="post" action="/session/extend"><input type="hidden" name="csrf" value="tok-123"><input type="hidden" name="return" value="/om-automatiserad-handlaggning">`,
		"Förläng inloggningen",
		`<dialog id="session-timeout-dialog"`, `<span data-countdown dir="ltr">2:00</span>`,
		`<p data-not-extendable hidden>`, `<button type="submit" class="button" autofocus>Fortsätt vara inloggad</button>`,
		`<script src="/session/timeout.js" defer></script>`)
	en := get(t, h, web.TransparencyPath+"?lang=en").Body
	mustContain(t, en, "You will be logged out after 20 minutes without activity.", "at 14:32 at the latest")
	// Not logged in: none of it.
	h2, _ := newServer(t, nil, nil)
	mustNotContain(t, get(t, h2, web.TransparencyPath).Body, "loggas ut efter", "<dialog", "session-timeout", "timeout.js")
}

func TestLoggedOut(t *testing.T) {
	h, _ := newServer(t, func(c *web.Config) {
		c.LoginURL = func(returnTo string) string { return "/login?return=" + url.QueryEscape(returnTo) }
	}, nil)
	res := get(t, h, web.LoggedOutPath+"?lang=ar")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	mustContain(t, res.Body, "تم تسجيل خروجك", `href="/login?return=%2F"`)
	// Still logged in (another tab kept the session): go home.
	h2, _ := newServer(t, func(c *web.Config) { c.Session = loggedIn }, nil)
	if res := get(t, h2, web.LoggedOutPath); res.StatusCode != http.StatusSeeOther {
		t.Errorf("logged in: status %d, want 303", res.StatusCode)
	}
}

func TestAuthError(t *testing.T) {
	cfg := testConfig(t)
	logs := &logBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	cfg.LoginURL = func(returnTo string) string { return "/login?return=" + url.QueryEscape(returnTo) }
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Called outside the middleware, as the login package may be mounted.
	r := httptest.NewRequest(http.MethodGet, "/mina-sidor?lang=en", nil)
	w := httptest.NewRecorder()
	s.AuthError(w, r, http.StatusUnauthorized, "Du behöver logga in för att se sidan")
	b := w.Body.String()
	if w.Code != http.StatusUnauthorized {
		t.Errorf("status %d", w.Code)
	}
	mustContain(t, b, `<html lang="en" dir="ltr">`, "You need to log in", `<bdi lang="sv">Du behöver logga in för att se sidan</bdi>`,
		`href="/login?return=%2Fmina-sidor%3Flang%3Den"`)

	w = httptest.NewRecorder()
	s.AuthError(w, httptest.NewRequest(http.MethodGet, "/auth/callback", nil), http.StatusBadGateway, "Inloggningstjänsten svarar inte: 4714")
	id := w.Header().Get("X-Request-Id")
	if w.Code != http.StatusBadGateway || id == "" || !strings.Contains(w.Body.String(), id) {
		t.Errorf("status %d, request id %q", w.Code, id)
	}
	mustNotContain(t, w.Body.String(), "4714")
	if !strings.Contains(logs.String(), "4714") {
		t.Error("the 5xx message was not logged")
	}
}

func TestRoutesAndMiddleware(t *testing.T) {
	s, err := web.New(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	inner := http.NewServeMux()
	inner.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "login "+web.LangFrom(r.Context()).Code+" "+web.RequestID(r.Context()))
	})
	inner.Handle("/", s.Routes())
	h := s.Middleware(inner)
	if res := get(t, h, "/login?lang=ar"); !strings.HasPrefix(res.Body, "login ar ") || res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("login through the middleware: %q", res.Body)
	}
	if res := get(t, h, web.TransparencyPath); res.StatusCode != http.StatusOK {
		t.Errorf("a page through Routes: status %d", res.StatusCode)
	}
	if res := get(t, h, "/nope"); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "Sidan finns inte") {
		t.Errorf("404 through Routes: status %d", res.StatusCode)
	}
}

func TestComponentsForm(t *testing.T) {
	h, _ := newServer(t, nil, nil)
	post := func(form url.Values, lang string) response {
		r := httptest.NewRequest(http.MethodPost, web.ComponentsPath+"?lang="+lang, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		return do(t, h, r)
	}

	t.Run("Errors", func(t *testing.T) {
		res := post(url.Values{"name": {""}, "rent": {"7 2OO"}, "electricity": {"72 00"}}, "sv")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.StatusCode)
		}
		b := res.Body
		mustContain(t, b,
			"<title>Fel: Formulärdelar",
			`role="alert"`, "Det finns fel som du behöver rätta",
			`<a href="#f-name">Namn: du behöver fylla i det här.</a>`,
			`<a href="#f-rent">Hyra per månad: skriv bara siffror`,
			`<a href="#f-electricity">Hushållsel per månad: kontrollera mellanslagen`,
			`<a href="#f-housing">Hur bor du: välj ett av alternativen.</a>`,
			`<a href="#f-consent">`,
			`id="f-rent-error"`, `aria-describedby="f-rent-hint f-rent-error" aria-invalid="true"`,
			`value="7 2OO"`, // what was typed is kept
		)
		// The summary lists the errors in the order of the fields.
		order := []string{"#f-name", "#f-rent", "#f-electricity", "#f-housing", "#f-consent"}
		last := -1
		for _, o := range order {
			i := strings.Index(b, `href="`+o+`"`)
			if i < last {
				t.Errorf("%s is out of order in the summary", o)
			}
			last = i
		}
	})
	t.Run("ErrorsInArabic", func(t *testing.T) {
		b := post(url.Values{"rent": {"abc"}}, "ar").Body
		mustContain(t, b, "الإيجار في الشهر: اكتب أرقامًا فقط", `<html lang="ar" dir="rtl">`)
	})
	t.Run("Valid", func(t *testing.T) {
		res := post(url.Values{"name": {"Ada"}, "rent": {"7\u00a0200 kr"}, "electricity": {"350,5"},
			"housing": {"rental"}, "consent": {"yes"}}, "sv")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		mustContain(t, res.Body, "Allt stämmer", "7\u00a0200\u00a0kr", "350,50\u00a0kr", "Hyresrätt", `value="rental" checked`)
		mustNotContain(t, res.Body, `role="alert"`, "aria-invalid")
	})
	t.Run("CrossOrigin", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, web.ComponentsPath, strings.NewReader("name=x"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		if res := do(t, h, r); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST: status %d, want 403", res.StatusCode)
		}
	})
	t.Run("Off", func(t *testing.T) {
		h, _ := newServer(t, func(c *web.Config) { c.Components = false }, nil)
		if res := get(t, h, web.ComponentsPath); res.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404 when Components is off", res.StatusCode)
		}
	})
}

func TestDevDir(t *testing.T) {
	h, _ := newServer(t, func(c *web.Config) { c.DevDir = "." }, nil)
	if res := get(t, h, web.AccessibilityPath); res.StatusCode != http.StatusOK {
		t.Errorf("status %d", res.StatusCode)
	}
	if res := get(t, h, "/static/skalig.css"); res.StatusCode != http.StatusOK {
		t.Errorf("static from disk: status %d", res.StatusCode)
	}
}

func TestMonthInForce(t *testing.T) {
	if _, err := time.LoadLocation("Europe/Stockholm"); err != nil {
		t.Skip("no time zone data for Europe/Stockholm")
	}
	cfg := testConfig(t)
	// 23:30 UTC on 31 October is already November in Stockholm.
	cfg.Now = func() time.Time { return time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC) }
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.MonthInForce(); got != skalig.MonthOf(2026, 11) {
		t.Errorf("MonthInForce = %v, want 2026-11", got)
	}
}

func BenchmarkTransparency(b *testing.B) {
	h, _ := newServer(b, func(c *web.Config) { c.Logger = slog.New(slog.DiscardHandler) }, nil)
	r := httptest.NewRequest(http.MethodGet, web.TransparencyPath, nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

func TestRoutingDelegation(t *testing.T) {
	if d := web.RoutingDelegation(nil); d != nil {
		t.Errorf("RoutingDelegation(nil) = %+v", d)
	}
	c, err := routing.ParseVersion([]byte(`{"version": "v1", "from": "2026-01", "source": "Socialnämnden 2025-12-10 § 7",
		"delegations": [{"name": "punkt 1", "kinds": ["monthly"], "outcomes": ["approved", "partly_approved"], "max_amount": 9000, "unchanged_only": true}],
		"sample_rate": 0.1, "sample_seed": "seed-seed-seed",
		"rules": [{"name": "r", "expression": "household.size >= 9", "reason": "Stort hushåll."}]}`))
	if err != nil {
		t.Fatal(err)
	}
	d := web.RoutingDelegation(c)
	if d.Decision != "Socialnämnden 2025-12-10 § 7" || d.Version != "v1" || d.From != skalig.MonthOf(2026, 1) ||
		d.SampleRate != 10 || len(d.Rules) != 1 || d.Rules[0] != "Stort hushåll." || len(d.Groups) != 1 {
		t.Fatalf("RoutingDelegation = %+v", d)
	}
	g := d.Groups[0]
	if g.Name != "punkt 1" || g.MaxAmount != skalig.Kronor(9000) || !g.UnchangedOnly || len(g.Kinds) != 1 || len(g.Outcomes) != 2 {
		t.Errorf("group = %+v", g)
	}
	if !d.MayReduce() || d.MayReject() {
		t.Errorf("MayReduce %v MayReject %v", d.MayReduce(), d.MayReject())
	}
}
