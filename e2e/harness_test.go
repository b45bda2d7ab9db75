package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/web"
)

// chromiumPath is Debian's Chromium (apt-get install chromium). The
// variable SKALIG_CHROMIUM may name another binary.
const chromiumPath = "/usr/bin/chromium"

// axePath is axe-core as npm ci installs it from package-lock.json.
const axePath = "node_modules/axe-core/axe.min.js"

// tabTimeout bounds each test's browser work.
const tabTimeout = 90 * time.Second

// The browser is started once for the package, by the first test that needs
// it, and closed by TestMain.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
	profileDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	browserCancel()
	if profileDir != "" {
		os.RemoveAll(profileDir)
	}
	os.Exit(code)
}

// required reports whether the browser tests must run (SKALIG_E2E=1): then a
// missing browser or axe-core fails the test instead of skipping it.
func required() bool { return os.Getenv("SKALIG_E2E") == "1" }

func chromium() string {
	if p := os.Getenv("SKALIG_CHROMIUM"); p != "" {
		return p
	}
	return chromiumPath
}

// browser returns the context of the shared browser, starting it on first
// use. It skips the test when Chromium is not installed (and SKALIG_E2E is
// not "1").
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium()); err != nil {
		msg := fmt.Sprintf("browser tests need Chromium at %s (run e2e/install.sh, or apt-get install chromium)", chromium())
		if required() {
			t.Fatalf("%s; SKALIG_E2E=1 makes this a failure", msg)
		}
		t.Skipf("%s; set SKALIG_E2E=1 to make this a failure", msg)
	}
	browserOnce.Do(func() {
		profileDir, browserErr = os.MkdirTemp("", "skalig-e2e-chromium-")
		if browserErr != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromium()),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			// A Swedish browser: without a stored choice the pages follow
			// Accept-Language, and the tests expect Swedish by default.
			chromedp.Flag("lang", "sv-SE"),
			chromedp.Flag("accept-lang", "sv-SE,sv"),
			chromedp.UserDataDir(profileDir),
			chromedp.WindowSize(1280, 900),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		browserCancel = func() { cancelCtx(); cancelAlloc() }
		start, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- chromedp.Do(ctx) }() // starts the browser
		select {
		case browserErr = <-done:
		case <-start.Done():
			browserErr = errors.New("Chromium did not start in 60 s")
		}
		browserCtx = ctx
	})
	if browserErr != nil {
		t.Fatalf("start Chromium (%s): %v", chromium(), browserErr)
	}
	return browserCtx
}

// newTab opens a tab in the shared browser for one test, in a browser
// context of its own (its own cookies, like a private window), closed when
// the test ends. Its context times out after tabTimeout.
func newTab(t *testing.T) context.Context {
	t.Helper()
	b := browser(t)
	tab, cancelTab := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tab, tabTimeout)
	t.Cleanup(func() { cancel(); cancelTab() })
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatalf("open tab: %v", err)
	}
	return ctx
}

// newTabWithoutJS opens a tab with JavaScript turned off for the page
// (Emulation.setScriptExecutionDisabled), the way a person with scripts
// blocked sees the site. The test can still evaluate its own checks.
func newTabWithoutJS(t *testing.T) context.Context {
	t.Helper()
	ctx := newTab(t)
	setScripts(t, ctx, false)
	noJS.Store(ctx, true)
	t.Cleanup(func() { noJS.Delete(ctx) })
	return ctx
}

// noJS holds the tabs whose page scripts are off.
var noJS sync.Map

// setScripts turns the page's scripts on or off.
func setScripts(t *testing.T, ctx context.Context, on bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatalf("turn scripts on=%v: %v", on, err)
	}
}

// testServer is the web server under test, in-process.
type testServer struct {
	*httptest.Server
	Web *web.Server
}

// startServer starts the web server for Högsby kommun with the test clock
// (November 2026), the components page on, and the Config changed by mod
// (may be nil); setup may register routes before the handler is built.
func startServer(t *testing.T, mod func(*web.Config), setup func(*web.Server)) *testServer {
	t.Helper()
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	ms, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{
		Params: p, Municipalities: ms, Municipality: "0821",
		Now:        func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) },
		Components: true,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Contact:    web.Contact{Name: "Socialtjänsten, Högsby kommun", Phone: "0491-290 00", Email: "socialtjansten@example.se"},
	}
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
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, Web: s}
}

// navigate loads url in the tab and returns the HTTP status of the document.
func navigate(t *testing.T, ctx context.Context, url string) int64 {
	t.Helper()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	return res.Status
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// axeSource is axe-core's script, read once.
var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// a11yTags are the axe rule tags of WCAG 2.1 level A and AA.
var a11yTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one failed axe rule with the elements that fail it.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []string `json:"target"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

// checkA11y runs axe-core on the page in the tab with the WCAG 2.1 A and AA
// rules and the best-practice rule region, and fails the test listing every violation (rule id, impact, help
// and the CSS targets of the failing elements). axe-core is read from
// e2e/node_modules and injected into the page; a missing axe-core fails the
// test (run e2e/install.sh).
func checkA11y(t *testing.T, ctx context.Context) {
	t.Helper()
	vs := axeViolations(t, ctx)
	if len(vs) == 0 {
		return
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	var b strings.Builder
	fmt.Fprintf(&b, "%d accessibility violation(s) on %s:", len(vs), loc)
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  %s (%s): %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s\n      %s", strings.Join(n.Target, " "), strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	t.Error(b.String())
}

// axeViolations runs axe-core on the page in the tab and returns the
// violations of the WCAG 2.1 A and AA rules.
func axeViolations(t *testing.T, ctx context.Context) []Violation {
	t.Helper()
	axeOnce.Do(func() {
		b, err := os.ReadFile(axePath)
		if err != nil {
			abs, _ := filepath.Abs(axePath)
			axeErr = fmt.Errorf("axe-core is not installed at %s: run e2e/install.sh (npm ci in e2e/): %w", abs, err)
			return
		}
		axeSource = string(b)
	})
	if axeErr != nil {
		t.Fatal(axeErr)
	}
	// axe needs timers, which do not run while the page's scripts are off:
	// turn them on for the check. A page's own scripts that were skipped
	// when it loaded do not run now.
	if _, off := noJS.Load(ctx); off {
		setScripts(t, ctx, true)
		defer setScripts(t, ctx, false)
	}
	// Evaluate runs as DevTools does, outside the page's Content Security
	// Policy.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	tags, _ := json.Marshal(a11yTags)
	// The best-practice rule "region" too: all content is in a landmark,
	// so that a screen reader user who moves by landmarks misses nothing.
	script := `axe.run(document, {runOnly: {type: 'tag', values: ` + string(tags) + `}, rules: {region: {enabled: true}}, resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
			nodes: v.nodes.map(n => ({target: n.target.map(String), summary: n.failureSummary || ''}))})))`
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	return vs
}

// follow runs a (a click or a key press that navigates) and waits for the
// next page to load.
func follow(t *testing.T, ctx context.Context, a chromedp.Action[chromedp.Void]) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, a)); err != nil {
		t.Fatalf("follow a link: %v", err)
	}
}

// pressKey sends key events (kb constants or text) to the focused element.
func pressKey(t *testing.T, ctx context.Context, keys string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(keys)); err != nil {
		t.Fatalf("press %q: %v", keys, err)
	}
}

// focusInfo describes the focused element and whether its focus is
// visible: an outline of at least 2 px, or a box shadow, or a changed
// background.
type focusInfo struct {
	Tag, ID, Class, Text, Href string
	Outline                    string
	Shadow                     string
	Background                 string
	Visible                    bool
}

const focusInfoJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return {Tag: e ? 'BODY' : '', Visible: false};
	const cs = getComputedStyle(e);
	const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && cs.outlineColor !== 'rgba(0, 0, 0, 0)';
	const shadow = cs.boxShadow && cs.boxShadow !== 'none';
	const bg = cs.backgroundColor !== 'rgba(0, 0, 0, 0)' && cs.backgroundColor !== getComputedStyle(e.parentElement).backgroundColor;
	return {Tag: e.tagName, ID: e.id, Class: e.className || '', Text: (e.textContent || '').trim().slice(0, 80),
		Href: e.getAttribute('href') || '', Outline: cs.outlineStyle + ' ' + cs.outlineWidth + ' ' + cs.outlineColor,
		Shadow: cs.boxShadow, Background: cs.backgroundColor, Visible: !!(outline || shadow || bg)};
})()`

func focused(t *testing.T, ctx context.Context) focusInfo {
	t.Helper()
	return eval[focusInfo](t, ctx, focusInfoJS)
}

// get fetches url without the browser, for status and header checks.
func get(t *testing.T, url string) *http.Response {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}
