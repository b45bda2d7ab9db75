package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/auth/devidp"
	"skalig/internal/dbtest"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/drafts"
	"skalig/internal/store/recordsdb"
	"skalig/internal/web"
	"skalig/internal/web/applicant"
	"skalig/internal/workflow"
)

// siteServer is the whole site as cmd/skalig wires it, in-process: the web
// pages with the applicant's pages, login through internal/auth against
// the development provider under /devidp (real OpenID Connect over HTTP),
// sessions in a fresh database, and the workflow with the register
// simulator (run on demand with runJobs). The month in force is November
// 2026; Högsby's routing has no sample control, so that a case the robot
// may decide is never drawn by chance.
type siteServer struct {
	*httptest.Server
	DB     *store.DB
	Cases  *store.CaseStore
	Drafts *drafts.Store
	WF     *workflow.Workflow
}

// hogsbyWithoutSamples is the embedded Högsby configuration with
// sample_rate 0.
func hogsbyWithoutSamples(tb testing.TB) *municipal.Set {
	tb.Helper()
	b, err := os.ReadFile("../internal/municipal/data/0821.json")
	if err != nil {
		tb.Fatal(err)
	}
	b = regexp.MustCompile(`"sample_rate": [0-9.]+,`).ReplaceAll(b, []byte(`"sample_rate": 0,`))
	ms, err := municipal.Parse(map[string][]byte{"0821.json": b})
	if err != nil {
		tb.Fatal(err)
	}
	return ms
}

func startSite(tb testing.TB) *siteServer {
	tb.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := dbtest.Open(tb)
	s := &siteServer{Server: httptest.NewUnstartedServer(nil), DB: db, Cases: store.NewCaseStore(db), Drafts: drafts.New(db)}
	base := "http://" + s.Listener.Addr().String()
	p, err := params.Default()
	if err != nil {
		tb.Fatal(err)
	}
	ms := hogsbyWithoutSamples(tb)
	s.WF, err = workflow.New(workflow.Config{Cases: s.Cases, Params: p, Municipal: ms, Registers: sim.New(sim.Config{Seed: 1}),
		RegisterDeadline: time.Minute, RegisterTimeout: 5 * time.Second, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	const secret = "e2e-client-secret-made-up"
	idp, err := devidp.New(devidp.Config{Issuer: base + "/devidp", Logger: quiet, Clients: []devidp.Client{{
		ID: "skalig", Secret: secret, RedirectURIs: []string{base + "/auth/callback"},
		PostLogoutRedirectURIs: []string{base + web.LoggedOutPath}}}})
	if err != nil {
		tb.Fatal(err)
	}
	sessions, err := auth.NewSessionStore(db.SQL(), string(db.Dialect()))
	if err != nil {
		tb.Fatal(err)
	}
	sessions.InTx = db.InTx
	acfg := auth.DefaultConfig()
	acfg.Issuer, acfg.ClientID, acfg.ClientSecret = base+"/devidp", "skalig", secret
	acfg.RedirectURL, acfg.PostLogoutRedirectURL, acfg.CookieSecure = base+"/auth/callback", base+web.LoggedOutPath, false
	var srv *web.Server
	a, err := auth.New(acfg, auth.Options{Store: sessions, Logger: quiet,
		ErrorPage: func(w http.ResponseWriter, r *http.Request, status int, msg string) { srv.AuthError(w, r, status, msg) }})
	if err != nil {
		tb.Fatal(err)
	}
	srv, err = web.New(web.Config{Params: p, Municipalities: ms, Municipality: "0821", Logger: quiet,
		Now:     func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) },
		Session: web.AuthSession(a), LoginURL: auth.LoginURL})
	if err != nil {
		tb.Fatal(err)
	}
	if err := applicant.Register(srv, applicant.Config{Workflow: s.WF, Drafts: s.Drafts, Require: a.RequireApplicant, Municipal: ms,
		Registerutdrag: recordsdb.New(s.Cases.DB())}); err != nil {
		tb.Fatal(err)
	}
	inner := http.NewServeMux()
	a.Register(inner)
	inner.Handle("/", srv.Routes())
	outer := http.NewServeMux()
	outer.Handle("GET /static/", srv.Routes())
	outer.Handle("/", auth.CSRF(a.Middleware(inner)))
	root := http.NewServeMux()
	root.Handle("/devidp/", idp)
	root.Handle("/", srv.Middleware(outer))
	s.Config.Handler = root
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// runJobs runs the workflow until no job is due: the cases rest with a
// person, or are decided and paid.
func (s *siteServer) runJobs(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.WF.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := s.DB.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state <> 'parked' AND kind NOT IN ('documents_due', 'kommunicering_due')`).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d jobs still due after 30 s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// person returns a person of the development provider.
func person(tb testing.TB, sub string) devidp.Person {
	tb.Helper()
	p, ok := devidp.Lookup(sub)
	if !ok {
		tb.Fatalf("no person %s", sub)
	}
	return p
}

// submitMonthly submits a monthly application for sub as the registers
// have it (a single adult, the rent given), the way the demo makes its
// applications, and returns the case.
func (s *siteServer) submitMonthly(tb testing.TB, sub string, kind skalig.ApplicationKind) *skalig.Case {
	tb.Helper()
	pn := person(tb, sub).PersonalNumber
	month := skalig.MonthOf(2026, 11)
	app := &skalig.Application{Municipality: "0821", Kind: kind, Month: month, IdempotencyKey: "e2e-" + sub + "-" + string(kind),
		Members: []skalig.Member{{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant}}}
	add := func(kind, person string, v skalig.FactValue) {
		app.Facts = append(app.Facts, skalig.Fact{Kind: kind, PersonID: person, Period: month, Value: v, Source: skalig.SourceApplicant})
	}
	for _, f := range sim.ProfileOf(1, pn, month).Facts {
		if strings.HasPrefix(f.Kind, skalig.KindIncomePrefix) && !f.Value.IsText {
			add(f.Kind, "p1", f.Value)
		}
	}
	add(skalig.KindCostPrefix+"housing", "", skalig.AmountValue(skalig.Kronor(4100)))
	add(skalig.KindAssetBank, "", skalig.AmountValue(0))
	add(skalig.KindWorkSituation, "p1", skalig.TextValue("unemployed"))
	add(skalig.KindAFRegistered, "p1", skalig.TextValue("yes"))
	add(skalig.KindPaymentAccount, "", skalig.TextValue("8327-123456"))
	c, _, err := s.WF.Submit(context.Background(), app)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// login logs the tab in as sub through the development provider's page,
// as a person would: the provider lists the persons, one is chosen, "Logga
// in" is pressed, and the browser comes back to Mina sidor.
func login(t *testing.T, ctx context.Context, s *siteServer, sub string) {
	t.Helper()
	if st := navigate(t, ctx, s.URL+"/login?return=/mina-sidor"); st != http.StatusOK {
		t.Fatalf("the provider's login page: status %d", st)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("p-"+sub))); err != nil {
		t.Fatalf("choose %s: %v", sub, err)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`button[value="login"]`)))
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/mina-sidor") {
		t.Fatalf("after login at %s, want Mina sidor", loc)
	}
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// typeInto replaces the value of the field with id by text, typed as keys.
func typeInto(t *testing.T, ctx context.Context, id, text string) {
	t.Helper()
	if !eval[bool](t, ctx, `(() => { const e = document.getElementById(`+strconv.Quote(id)+`); if (!e) return false; e.value = ''; return true; })()`) {
		t.Fatalf("no field #%s on %s", id, location(t, ctx))
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		t.Fatalf("type into #%s: %v", id, err)
	}
}

// click clicks the element with id (a radio button, a checkbox).
func click(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(id))); err != nil {
		t.Fatalf("click #%s: %v", id, err)
	}
}

// next presses the form's main button ("Spara och fortsätt", or the
// submit of a one-button form) and waits for the next page.
func next(t *testing.T, ctx context.Context) {
	t.Helper()
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form button.button:not(.button-secondary)`)))
}

// pageText is the text of <main>, with no-break spaces as spaces ("4 100
// kr") and without the isolates around amounts in Arabic.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s := eval[string](t, ctx, `document.querySelector('main').innerText`)
	return strings.NewReplacer("\u00a0", " ", "\u2066", "", "\u2069", "").Replace(s)
}

// wantText fails unless main has every text.
func wantText(t *testing.T, ctx context.Context, texts ...string) {
	t.Helper()
	got := pageText(t, ctx)
	for _, w := range texts {
		if !strings.Contains(got, w) {
			t.Errorf("%s: the page lacks %q", location(t, ctx), w)
		}
	}
}

// checkA11yLangs runs axe on the page in each language, by the language
// switch's links, and returns to Swedish.
func checkA11yLangs(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, l := range []string{"en", "ar", "sv"} {
		follow(t, ctx, chromedp.Click(chromedp.CSS(`.lang-switch a[lang="`+l+`"]`)))
		if got := eval[string](t, ctx, `document.documentElement.lang`); got != l {
			t.Errorf("after switching to %s: lang %q", l, got)
		}
		checkA11y(t, ctx)
	}
}
