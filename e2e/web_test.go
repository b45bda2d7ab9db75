package e2e

import (
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skalig"
	"skalig/internal/web"
)

func delegation(string, skalig.Month) (*web.Delegation, error) {
	return &web.Delegation{
		Board: "Socialnämnden", Decision: "2026-05-12 § 45", From: skalig.MonthOf(2026, 6),
		Groups: []web.DelegatedGroup{
			{Name: "Fortsatt ansökan utan ändringar", Description: "hushållet och inkomsterna är desamma som förra månaden"},
			{Name: "Belopp under gränsen", Description: "försörjningsstödet är högst 15 000 kr i månaden"},
		},
		SampleRate: 5,
		Report:     "Varje månad, i nämndens delegationsrapport.",
	}, nil
}

// TestTransparencyAccessible: the transparency page in Swedish, English and
// Arabic has no WCAG 2.1 A/AA violation, with and without a delegation, and
// Arabic is right to left.
func TestTransparencyAccessible(t *testing.T) {
	for _, withDelegation := range []bool{false, true} {
		srv := startServer(t, func(c *web.Config) {
			if withDelegation {
				c.Delegation = delegation
			}
		}, nil)
		ctx := newTab(t)
		for _, l := range web.Languages {
			if st := navigate(t, ctx, srv.URL+web.TransparencyPath+"?lang="+l.Code); st != http.StatusOK {
				t.Fatalf("%s: status %d", l.Code, st)
			}
			lang := eval[string](t, ctx, `document.documentElement.lang`)
			dir := eval[string](t, ctx, `document.documentElement.dir`)
			if lang != l.Code || dir != l.Dir {
				t.Errorf("%s: <html lang=%q dir=%q>", l.Code, lang, dir)
			}
			if l == web.Arabic {
				// The layout really flows right to left: the computed direction,
				// and the heading's text starts at the right edge.
				if d := eval[string](t, ctx, `getComputedStyle(document.querySelector('main h1')).direction`); d != "rtl" {
					t.Errorf("ar: computed direction %q", d)
				}
				if !eval[bool](t, ctx, `(() => { const h = document.querySelector('main h1'); const r = document.createRange(); r.selectNodeContents(h);
					const tr = r.getBoundingClientRect(), hr = h.getBoundingClientRect(); return Math.abs(tr.right - hr.right) < 2; })()`) {
					t.Error("ar: the heading is not aligned to the right")
				}
			}
			checkA11y(t, ctx)
		}
	}
}

// TestLanguageKeptAcrossPages: a language chosen with the switch is kept when
// following an ordinary link, without ?lang= in it.
func TestLanguageKeptAcrossPages(t *testing.T) {
	srv := startServer(t, nil, nil)
	ctx := newTab(t)
	navigate(t, ctx, srv.URL+web.TransparencyPath)
	// Choose English with the language switch.
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.lang-switch a[lang="en"]`)))
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != "en" {
		t.Fatalf("after the switch: lang %q", got)
	}
	// Follow the footer link to the accessibility statement: no lang in it.
	href := eval[string](t, ctx, `document.querySelector('.footer-links a[href="/tillganglighet"]').getAttribute('href')`)
	if strings.Contains(href, "lang=") {
		t.Fatalf("footer link %q carries the language", href)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.footer-links a[href="/tillganglighet"]`)))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, web.AccessibilityPath) {
		t.Fatalf("at %s", loc)
	}
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != "en" {
		t.Errorf("language not kept: lang %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('h1').textContent`); got != web.English.T("a11y.heading") {
		t.Errorf("h1 %q", got)
	}
	checkA11y(t, ctx)
	// And to Arabic, then home through the brand link.
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.lang-switch a[lang="ar"]`)))
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a.brand`)))
	if got := eval[string](t, ctx, `document.documentElement.dir`); got != "rtl" {
		t.Errorf("start page after choosing Arabic: dir %q", got)
	}
	checkA11y(t, ctx)
}

// TestWorksWithoutJavaScript: with scripts turned off, the page shows all its
// content, the language switch works, and a form posts and shows its errors.
func TestWorksWithoutJavaScript(t *testing.T) {
	srv := startServer(t, func(c *web.Config) { c.Delegation = delegation }, nil)
	ctx := newTabWithoutJS(t)
	navigate(t, ctx, srv.URL+web.TransparencyPath)
	if eval[bool](t, ctx, `document.documentElement.classList.contains('js')`) {
		t.Fatal("the page's script ran")
	}
	for _, sel := range []string{"#steg", "#register", "#delegation", "#regler", "#person", "#uppgifter", "table.table", ".lang-switch"} {
		if !eval[bool](t, ctx, `(() => { const e = document.querySelector('`+sel+`'); return !!e && e.getClientRects().length > 0; })()`) {
			t.Errorf("%s is not shown", sel)
		}
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.lang-switch a[lang="ar"]`)))
	if got := eval[string](t, ctx, `document.documentElement.dir`); got != "rtl" {
		t.Errorf("language switch without JavaScript: dir %q", got)
	}
	checkA11y(t, ctx)

	// A form: post it empty; the errors come back from the server.
	navigate(t, ctx, srv.URL+web.ComponentsPath+"?lang=sv")
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("f-rent"), "7 2OO")); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form button[type="submit"]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('.error-summary li').length`); n != 4 {
		t.Errorf("error summary has %d items, want 4", n)
	}
	if v := eval[string](t, ctx, `document.getElementById('f-rent').value`); v != "7 2OO" {
		t.Errorf("typed value not kept: %q", v)
	}
	checkA11y(t, ctx)
}

// TestKeyboard: the first Tab reaches the skip link, which is visible when
// focused and moves focus to the main content; tabbing reaches the language
// switch, with a visible focus at every stop.
func TestKeyboard(t *testing.T) {
	srv := startServer(t, nil, nil)
	ctx := newTab(t)
	for _, l := range []*web.Lang{web.Swedish, web.Arabic} {
		navigate(t, ctx, srv.URL+web.TransparencyPath+"?lang="+l.Code)
		pressKey(t, ctx, kb.Tab)
		f := focused(t, ctx)
		if f.Class != "skip-link" || f.Href != "#main" {
			t.Fatalf("%s: first Tab focuses %+v, want the skip link", l.Code, f)
		}
		if !f.Visible {
			t.Errorf("%s: skip link focus not visible: %+v", l.Code, f)
		}
		if !eval[bool](t, ctx, `(() => { const r = document.activeElement.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && r.top >= 0; })()`) {
			t.Errorf("%s: the focused skip link is off screen", l.Code)
		}
		pressKey(t, ctx, kb.Enter)
		if id := eval[string](t, ctx, `document.activeElement.id`); id != "main" {
			t.Errorf("%s: after the skip link, focus is on #%s, want #main", l.Code, id)
		}

		navigate(t, ctx, srv.URL+web.TransparencyPath+"?lang="+l.Code)
		reached := false
		for i := 0; i < 8 && !reached; i++ {
			pressKey(t, ctx, kb.Tab)
			f := focused(t, ctx)
			if !f.Visible {
				t.Errorf("%s: Tab %d: focus not visible on %+v", l.Code, i+1, f)
			}
			reached = strings.Contains(f.Href, "lang=")
		}
		if !reached {
			t.Errorf("%s: 8 Tabs did not reach the language switch", l.Code)
		}
		// Enter on a language link switches the language.
		f = focused(t, ctx)
		follow(t, ctx, chromedp.KeyEvent(kb.Enter))
		if got := eval[string](t, ctx, `document.documentElement.lang`); !strings.Contains(f.Href, "lang="+got) {
			t.Errorf("%s: Enter on %s gave lang %q", l.Code, f.Href, got)
		}
	}
}

// TestFormErrorsWithJavaScript: with the script, the error summary takes the
// focus, and its links move focus to the field.
func TestFormErrorsWithJavaScript(t *testing.T) {
	srv := startServer(t, nil, nil)
	ctx := newTab(t)
	for _, l := range web.Languages {
		navigate(t, ctx, srv.URL+web.ComponentsPath+"?lang="+l.Code)
		checkA11y(t, ctx)
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("f-rent"), "72 00")); err != nil {
			t.Fatal(err)
		}
		follow(t, ctx, chromedp.Submit(chromedp.ID("f-rent")))
		if !eval[bool](t, ctx, `document.documentElement.classList.contains('js')`) {
			t.Errorf("%s: the page's script did not run", l.Code)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement && document.activeElement.hasAttribute('data-error-summary')`,
			chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Errorf("%s: the error summary did not take the focus: %v", l.Code, err)
		}
		if got := eval[string](t, ctx, `document.title`); !strings.HasPrefix(got, l.T("form.title_prefix")) {
			t.Errorf("%s: title %q does not start with the error prefix", l.Code, got)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.error-summary a[href="#f-rent"]`))); err != nil {
			t.Fatal(err)
		}
		if id := eval[string](t, ctx, `document.activeElement.id`); id != "f-rent" {
			t.Errorf("%s: the summary link focused #%s, want #f-rent", l.Code, id)
		}
		if got := eval[string](t, ctx, `document.getElementById('f-rent').getAttribute('aria-describedby')`); got != "f-rent-hint f-rent-error" {
			t.Errorf("%s: aria-describedby %q", l.Code, got)
		}
		checkA11y(t, ctx)
	}
}

// TestErrorPages: the 404, 403 and 500 pages render in every language with
// no accessibility violation; the 500 page shows the request id and nothing
// of the failure.
func TestErrorPages(t *testing.T) {
	srv := startServer(t, nil, func(s *web.Server) {
		s.HandleFunc("GET /test/panic", func(http.ResponseWriter, *http.Request) { panic("hemlig detalj") })
		s.HandleFunc("GET /test/forbidden", func(w http.ResponseWriter, r *http.Request) {
			s.Error(w, r, skalig.Errorf(skalig.EFORBIDDEN, "Ärendet tillhör en annan kommun"))
		})
	})
	ctx := newTab(t)
	for _, l := range web.Languages {
		for _, c := range []struct {
			path   string
			status int64
			key    string
		}{
			{"/finns-inte", 404, "error.404.heading"},
			{"/test/forbidden", 403, "error.403.heading"},
			{"/test/panic", 500, "error.500.heading"},
		} {
			if st := navigate(t, ctx, srv.URL+c.path+"?lang="+l.Code); st != c.status {
				t.Errorf("%s %s: status %d, want %d", l.Code, c.path, st, c.status)
			}
			if h1 := eval[string](t, ctx, `document.querySelector('h1').textContent`); h1 != l.T(c.key) {
				t.Errorf("%s %s: h1 %q", l.Code, c.path, h1)
			}
			if c.status == 500 {
				id := eval[string](t, ctx, `document.getElementById('request-id').textContent`)
				if len(id) != 32 {
					t.Errorf("%s: request id %q", l.Code, id)
				}
				if body := eval[string](t, ctx, `document.body.innerText`); strings.Contains(body, "hemlig") || strings.Contains(body, "goroutine") {
					t.Errorf("%s: the 500 page shows the failure", l.Code)
				}
			}
			checkA11y(t, ctx)
		}
	}
}

// TestIdleWarning: a logged-in page says in text when the session ends and
// offers to extend it, without JavaScript; with it, the login package's
// script (internal/auth/timeout.js, read from disk here) opens the warning
// dialog before the end, and the dialog is accessible.
func TestIdleWarning(t *testing.T) {
	script, err := os.ReadFile("../internal/auth/timeout.js")
	if err != nil {
		t.Fatalf("the login package's idle-timeout script: %v", err)
	}
	var extended atomic.Int32
	srv := startServer(t, func(c *web.Config) {
		c.Session = func(*http.Request) web.Session {
			return web.Session{Name: "Ada Testsson", LogoutURL: "/logout", ExtendURL: "/session/extend",
				ScriptURL: "/session/timeout.js", ExpiredURL: web.LoggedOutPath, Extendable: true,
				IdleTimeout: 20 * time.Minute, Remaining: 5 * time.Second, Warning: 4 * time.Second,
				ExpiresAt: time.Date(2026, 11, 22, 13, 32, 0, 0, time.UTC)}
		}
	}, func(s *web.Server) {
		s.HandleFunc("GET /session/timeout.js", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			w.Write(script)
		})
		s.HandleFunc("POST /session/extend", func(w http.ResponseWriter, r *http.Request) {
			extended.Add(1)
			if r.Header.Get("Accept") != "application/json" {
				http.Redirect(w, r, r.FormValue("return"), http.StatusSeeOther)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"logged_in":true,"expires_in":1200,"warn_at":120,"extendable":true}`)
		})
	})

	t.Run("WithoutJavaScript", func(t *testing.T) {
		ctx := newTabWithoutJS(t)
		navigate(t, ctx, srv.URL+web.TransparencyPath)
		if got := eval[string](t, ctx, `document.getElementById('idle-notice').innerText`); !strings.HasPrefix(got, "Du loggas ut efter 20 minuter utan aktivitet.") {
			t.Errorf("notice %q", got)
		}
		checkA11y(t, ctx)
		// The notice's button extends the session with a plain form post and
		// comes back to the page.
		follow(t, ctx, chromedp.Click(chromedp.CSS(`#session-timeout button`)))
		if got := eval[string](t, ctx, `location.pathname`); got != web.TransparencyPath || extended.Load() != 1 {
			t.Errorf("after extending: at %s, extended %d times", got, extended.Load())
		}
		time.Sleep(1500 * time.Millisecond)
		if eval[bool](t, ctx, `document.getElementById('session-timeout-dialog').open`) {
			t.Error("the dialog opened without JavaScript")
		}
	})
	t.Run("WithJavaScript", func(t *testing.T) {
		ctx := newTab(t)
		navigate(t, ctx, srv.URL+web.TransparencyPath+"?lang=ar")
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("session-timeout-dialog"))); err != nil {
			t.Fatalf("the warning dialog did not open: %v", err)
		}
		if got := eval[string](t, ctx, `document.activeElement.textContent`); got != web.Arabic.T("session.warning.stay") {
			t.Errorf("focus in the dialog is on %q", got)
		}
		checkA11y(t, ctx)
		// Stay logged in: extended in the background, the dialog closes.
		before := extended.Load()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#session-timeout-dialog button[autofocus]`)),
			chromedp.WaitNotVisible(chromedp.ID("session-timeout-dialog"))); err != nil {
			t.Errorf("the dialog did not close: %v", err)
		}
		if got := eval[string](t, ctx, `location.pathname`); got != web.TransparencyPath || extended.Load() != before+1 {
			t.Errorf("staying logged in: at %s, extended %d times", got, extended.Load()-before)
		}
	})
}

// TestPhoneWidth: on a 320 px wide screen the page needs no sideways
// scrolling (WCAG 1.4.10), except inside the focusable table regions.
func TestPhoneWidth(t *testing.T) {
	srv := startServer(t, func(c *web.Config) { c.Delegation = delegation }, nil)
	ctx := newTab(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, l := range web.Languages {
		navigate(t, ctx, srv.URL+web.TransparencyPath+"?lang="+l.Code)
		w := eval[int](t, ctx, `document.documentElement.scrollWidth`)
		if w > 320 {
			t.Errorf("%s: page is %d px wide at 320 px", l.Code, w)
		}
		checkA11y(t, ctx)
	}
}

// TestHarnessFindsViolations makes sure the accessibility check can fail: a
// page with an image without alt text, an unlabelled field and low contrast
// has those violations, also with the page's scripts off.
func TestHarnessFindsViolations(t *testing.T) {
	srv := startServer(t, nil, func(s *web.Server) {
		s.HandleFunc("GET /test/bad", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, `<!doctype html><html lang="sv"><head><title>Dålig</title></head><body><main>`+
				`<h1>Dålig sida</h1><img src="/static/favicon.svg"><input type="text">`+
				`<p class="lead"><a href="/">x</a></p></main></body></html>`)
		})
	})
	for _, scripts := range []bool{true, false} {
		ctx := newTab(t)
		if !scripts {
			ctx = newTabWithoutJS(t)
		}
		navigate(t, ctx, srv.URL+"/test/bad")
		ids := map[string]bool{}
		for _, v := range axeViolations(t, ctx) {
			ids[v.ID] = true
			if len(v.Nodes) == 0 || len(v.Nodes[0].Target) == 0 {
				t.Errorf("violation %s has no target", v.ID)
			}
		}
		for _, want := range []string{"image-alt", "label"} {
			if !ids[want] {
				t.Errorf("scripts=%v: axe did not report %s (got %v)", scripts, want, ids)
			}
		}
	}
}
