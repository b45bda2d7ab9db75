package e2e

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/auth/devidp"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/drafts"
	"skalig/internal/store/paramdb"
	"skalig/internal/store/recordsdb"
	"skalig/internal/store/statsdb"
	"skalig/internal/store/whatifdb"
	"skalig/internal/web"
	"skalig/internal/web/admin"
	"skalig/internal/web/caseworker"
	"skalig/internal/web/statistics"
	"skalig/internal/web/whatifweb"
	"skalig/internal/whatif"
	"skalig/internal/workflow"
)

// cwServer is the whole program for the caseworker's side, in-process: the
// workflow with its workers and the register simulator, the web server
// with the login package, and the development identity provider, on one
// test server, with demo households submitted and worked through.
type cwServer struct {
	URL    string
	db     *store.DB
	cases  *store.CaseStore
	wf     *workflow.Workflow
	mc     *configdb.MunicipalConfig
	byKind map[demo.Scenario][]string
	// whatif runs the what-if pages' runs; its jobs run only once a test
	// calls runWhatIfJobs (so that it can see a run waiting first).
	whatif *whatif.Runner
}

// putInForce tries the proposal id in a what-if run started by the
// administrator who proposed it and puts it in force as the manager (the
// path of TestCaseworkerAdministration, without the pages). It starts the
// what-if workers.
func (s *cwServer) putInForce(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	p, err := s.mc.Proposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	kind, name, data, err := s.mc.Candidate(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	cand, err := whatif.NewCandidate(whatif.Kind(kind), name, data)
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.whatif.Start(ctx, "staff:"+devidp.WilmaAdminsson, cand, whatif.Selection{Municipality: p.Municipality}, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.runWhatIfJobs(t)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		pr, err := s.whatif.Progress(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		if pr.Finished() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the what-if run did not finish within a minute")
		}
	}
	if _, err := s.mc.PutInForce(ctx, id, devidp.ViktorChefsson, run); err != nil {
		t.Fatal(err)
	}
}

// runWhatIfJobs starts the workers of the what-if jobs, as a server's,
// until the test ends.
func (s *cwServer) runWhatIfJobs(t *testing.T) {
	t.Helper()
	q := s.db.Queue(jobs.Config{Workers: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.whatif.Handle(q)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); q.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// startCaseworker starts the program with households demo households of
// Högsby (0821) in the month in force, with the municipalities mun (nil:
// the embedded ones), and waits until the robot has done what it can.
func startCaseworker(t *testing.T, households int, mun *municipal.Set) *cwServer {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	if mun == nil {
		if mun, err = municipal.Default(); err != nil {
			t.Fatal(err)
		}
	}
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	wf, err := workflow.New(workflow.Config{Cases: cases, Params: p, Municipal: mun, Registers: sim.New(sim.Config{Seed: 1}),
		RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	s := &cwServer{db: db, cases: cases, wf: wf, mc: configdb.NewMunicipalConfig(db, mun), byKind: map[demo.Scenario][]string{}}
	month := skalig.DateOf(time.Now()).Month()
	for _, h := range demo.Generate(1, "0821", month, households) {
		c, _, err := wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		s.byKind[h.Scenario] = append(s.byKind[h.Scenario], c.ID)
	}
	wctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); wf.Run(wctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	s.settle(t)

	// The web server with the login package and the development provider,
	// wired as docs/web.md and docs/login.md say.
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	idp, err := devidp.New(devidp.Config{Issuer: ts.URL + "/devidp", Logger: logger,
		Clients: []devidp.Client{{ID: "skalig", Secret: "e2e-secret-not-real", RedirectURIs: []string{ts.URL + "/auth/callback"}}}})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := auth.NewSessionStore(db.SQL(), string(db.Dialect()))
	if err != nil {
		t.Fatal(err)
	}
	sessions.InTx = db.InTx
	var srv *web.Server
	a, err := auth.New(auth.Config{Issuer: ts.URL + "/devidp", ClientID: "skalig", ClientSecret: "e2e-secret-not-real",
		RedirectURL: ts.URL + "/auth/callback", CookieSecure: false},
		auth.Options{Store: sessions, Logger: logger, ErrorPage: func(w http.ResponseWriter, r *http.Request, status int, msg string) {
			srv.AuthError(w, r, status, msg)
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err = web.New(web.Config{Params: p, Municipalities: mun, Municipality: "0821", Logger: logger,
		Session: web.AuthSession(a), LoginURL: auth.LoginURL})
	if err != nil {
		t.Fatal(err)
	}
	var dir []store.StaffMember
	for _, p := range devidp.Persons() {
		if p.IsStaff() {
			dir = append(dir, store.StaffMember{Subject: p.Subject, Name: p.Name(), Roles: p.Roles, Municipalities: p.Municipalities})
		}
	}
	desk, err := caseworker.Mount(srv, caseworker.Deps{Workflow: wf, Casework: deskdb.New(s.db), Config: s.mc, Directory: dir,
		Drafts: drafts.New(s.db), Registerutdrag: recordsdb.New(cases.DB())})
	if err != nil {
		t.Fatal(err)
	}
	s.whatif = &whatif.Runner{Cases: whatifdb.New(db), Live: whatif.Live{Params: p, Municipal: s.mc.Lookup()}}
	if err := admin.Mount(srv, desk, admin.WithParamVersions(paramdb.New(s.db)), admin.WithWhatIf(s.whatif), admin.WithProposals(s.mc, s.whatif)); err != nil {
		t.Fatal(err)
	}
	if err := statistics.Mount(srv, desk, statsdb.New(db)); err != nil {
		t.Fatal(err)
	}
	if err := whatifweb.Mount(srv, desk, s.whatif, cases); err != nil {
		t.Fatal(err)
	}
	inner := http.NewServeMux()
	a.Register(inner)
	inner.Handle("/", srv.Routes())
	outer := http.NewServeMux()
	outer.Handle("GET /static/", srv.Routes())
	outer.Handle("/", auth.CSRF(a.Middleware(inner)))
	top := http.NewServeMux()
	top.Handle("/devidp/", idp)
	top.Handle("/", srv.Middleware(outer))
	handler = top
	return s
}

// settle waits until no job is due: every case rests with a person, waits
// for the applicant, or is done.
func (s *cwServer) settle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := s.db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state <> 'parked' AND kind NOT IN ('documents_due', 'kommunicering_due')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the workflow did not settle in 60 s")
}

// caseWhere returns a case of scenario sc that satisfies ok.
func (s *cwServer) caseWhere(t *testing.T, sc demo.Scenario, ok func(*skalig.Case) bool) *skalig.Case {
	t.Helper()
	for _, id := range s.byKind[sc] {
		c, err := s.cases.Case(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(c) {
			return c
		}
	}
	t.Fatalf("no %s case as wanted", sc)
	return nil
}

func (s *cwServer) reload(t *testing.T, id string) *skalig.Case {
	t.Helper()
	c, err := s.cases.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reads counts the audit events of reads of the case by actor.
func (s *cwServer) reads(t *testing.T, id, actor string) int {
	t.Helper()
	evs, err := s.cases.AuditEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == store.ActionRead && e.Actor == actor {
			n++
		}
	}
	return n
}

// login signs in as the development provider's person sub, starting from
// path, and ends on path.
func (s *cwServer) login(t *testing.T, ctx context.Context, sub, path string) {
	t.Helper()
	navigate(t, ctx, s.URL+path)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("p-"+sub))); err != nil {
		t.Fatalf("choose %s at the provider: %v", sub, err)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`button[value="login"]`)))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasPrefix(loc, s.URL+path) {
		t.Fatalf("after login at %s, want %s", loc, path)
	}
}

func cwText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, `(() => { const e = document.querySelector(`+cwJsString(sel)+`); return e ? e.textContent : ''; })()`)
}

// evalAwait evaluates a JavaScript expression whose value is a promise and
// decodes what it resolves to.
func cwEvalAwait[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func cwJsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func cwBodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `document.body.innerText`)
}

func cwTypeIn(t *testing.T, ctx context.Context, id, s string) {
	t.Helper()
	eval[bool](t, ctx, `(() => { const e = document.getElementById(`+cwJsString(id)+`); e.value = ''; return true; })()`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(id), s)); err != nil {
		t.Fatalf("type in #%s: %v", id, err)
	}
}

func cwClick(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// checkA11yLangs runs axe on the page at path in the three languages.
func cwCheckA11yLangs(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	for _, l := range web.Languages {
		if st := navigate(t, ctx, url+sep+"lang="+l.Code); st != http.StatusOK {
			t.Fatalf("%s (%s): status %d", url, l.Code, st)
		}
		if got := eval[string](t, ctx, `document.documentElement.dir`); got != l.Dir {
			t.Errorf("%s: dir %q", l.Code, got)
		}
		checkA11y(t, ctx)
	}
	navigate(t, ctx, url+sep+"lang=sv")
}

// TestCaseworkerClearsExceptionByAdjusting: a caseworker finds a case where
// the declared income differs from the register in the exception queue,
// adjusts the item with a reason, and the robot recalculates and re-routes
// it: the exception is cleared.
func TestCaseworkerClearsExceptionByAdjusting(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.caseWhere(t, demo.IncomeDiffers, func(c *skalig.Case) bool {
		return c.State == skalig.StateAwaitingCaseworker && slices.Contains(c.RoutingReasons, "income_differs")
	})
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning")
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning")

	// The exception queue groups by reason: follow the income reason.
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.cw-reasons a[href*="orsak=income_differs"]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('a[data-queue-link][href$="`+c.ID+`"]').length`); n != 1 {
		t.Fatalf("the case is not in the income_differs queue")
	}
	// j moves through the queue with a visible focus; Enter opens the case.
	for range eval[int](t, ctx, `Array.from(document.querySelectorAll('a[data-queue-link]')).findIndex(a => a.href.endsWith('`+c.ID+`'))`) + 1 {
		pressKey(t, ctx, "j")
	}
	if f := focused(t, ctx); !strings.HasSuffix(f.Href, c.ID) || !f.Visible {
		t.Fatalf("after j: focus on %+v, want the case's link, visibly", f)
	}
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID)
	if n := eval[int](t, ctx, `document.querySelectorAll('tr.cw-differs').length`); n < 1 {
		t.Fatal("no difference highlighted between declared and register")
	}
	if !strings.Contains(cwBodyText(t, ctx), "SoL (2025:400)") {
		t.Error("the trace has no legal reference")
	}

	// Adjust the differing item: first without a reason.
	follow(t, ctx, chromedp.Click(chromedp.CSS(`tr.cw-differs a[href*="/justera"]`)))
	checkA11y(t, ctx)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('.error-summary li').length`); n != 1 {
		t.Fatalf("error summary has %d items, want 1 (the reason)", n)
	}
	checkA11y(t, ctx)
	cwTypeIn(t, ctx, "f-reason", "Försäkringskassans uppgift om bostadsbidrag gäller; sökanden har glömt att ange det.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwBodyText(t, ctx), "Uppgiften är justerad") {
		t.Fatal("no confirmation after the adjustment")
	}
	s.settle(t)
	c2 := s.reload(t, c.ID)
	if slices.Contains(c2.RoutingReasons, "income_differs") || c2.State == skalig.StateFetching {
		t.Fatalf("after the adjustment: %s %v, want the exception cleared", c2.State, c2.RoutingReasons)
	}
	navigate(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID)
	body := cwBodyText(t, ctx)
	for _, want := range []string{"Bedömt av handläggare", "Sara Handläggarsson", "Uppgifter tillagda"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	navigate(t, ctx, s.URL+"/handlaggning?ko=undantag&orsak=income_differs")
	if n := eval[int](t, ctx, `document.querySelectorAll('a[data-queue-link][href$="`+c.ID+`"]').length`); n != 0 {
		t.Error("the case is still in the income_differs queue")
	}
}

// TestCaseworkerApprovesProposal: a proposal (no delegation covers it) is
// approved with the keyboard: "a" moves the focus to the approve button,
// Enter presses it. The decision names the caseworker in its receipt.
func TestCaseworkerApprovesProposal(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	var c *skalig.Case
	for _, sc := range []demo.Scenario{demo.Family, demo.First} {
		for _, id := range s.byKind[sc] {
			cs := s.reload(t, id)
			if c == nil && cs.State == skalig.StateAwaitingCaseworker && (slices.Contains(cs.RoutingReasons, "outside_delegation") ||
				slices.Equal(cs.RoutingReasons, []string{"first_application"})) {
				c = cs
			}
		}
	}
	if c == nil {
		t.Fatal("no proposal among the households")
	}
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	pressKey(t, ctx, "a")
	if f := focused(t, ctx); f.ID != "approve" || !f.Visible {
		t.Fatalf("after a: focus on %+v, want the approve button, visibly", f)
	}
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	// The approval is confirmed on a page of its own before it pays.
	follow(t, ctx, chromedp.Click(chromedp.ID("approve-confirm")))
	if !strings.Contains(cwBodyText(t, ctx), "Beslutet är fattat") {
		t.Fatal("no confirmation of the decision")
	}
	checkA11y(t, ctx)
	d, err := s.cases.CaseDecision(context.Background(), c.ID)
	if err != nil || d.Outcome != skalig.OutcomeApproved || d.DecidedBy.Caseworker != devidp.SaraHandlaggarsson {
		t.Fatalf("decision %+v, %v", d, err)
	}
	rec, err := s.cases.Receipt(context.Background(), d.ReceiptHash)
	if err != nil || rec.DecidedBy.Caseworker != devidp.SaraHandlaggarsson || !rec.Verify() {
		t.Fatalf("receipt %+v, %v", rec, err)
	}
	if got := cwText(t, ctx, "#decision-outcome"); !strings.Contains(got, "bifall") {
		t.Errorf("decision shown as %q", got)
	}
}

// TestCaseworkerRejectsWithReasons: with JavaScript off, a caseworker
// rejects an application for another need with structured grounds and own
// words; the decision carries them as its statement of reasons.
func TestCaseworkerRejectsWithReasons(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.caseWhere(t, demo.OtherNeed, func(c *skalig.Case) bool { return c.State == skalig.StateAwaitingCaseworker })
	ctx := newTabWithoutJS(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/beslut"]`)))
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID+"/beslut")
	cwClick(t, ctx, `input[name="outcome"][value="rejected"]`)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwText(t, ctx, ".error-summary"), "välj minst ett skäl") {
		t.Fatalf("a rejection without grounds was not refused: %s", cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)
	cwClick(t, ctx, `input[name="outcome"][value="rejected"]`)
	cwClick(t, ctx, `input[name="grund"][value="other_need"]`)
	cwTypeIn(t, ctx, "f-motivering", "Synundersökningen visar att du inte behöver nya glasögon.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	// FL 25 §: the rejection rests on register facts the applicant has not
	// seen; the caseworker names why kommunicering is not needed.
	if !strings.Contains(cwText(t, ctx, ".error-summary"), "25 § förvaltningslagen") {
		t.Fatalf("a rejection without kommunicering was not refused: %s", cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)
	cwClick(t, ctx, `input[name="kommunicering_exception"][value="kommunicering_unnecessary"]`)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if !strings.Contains(cwBodyText(t, ctx), "Beslutet är fattat") {
		t.Fatalf("no confirmation: %s", cwBodyText(t, ctx))
	}
	d, err := s.cases.CaseDecision(context.Background(), c.ID)
	if err != nil || d.Outcome != skalig.OutcomeRejected || d.Amount != 0 || len(d.Reasons) != 2 ||
		!strings.Contains(d.Reasons[1], "glasögon") || d.DecidedBy.Caseworker != devidp.SaraHandlaggarsson {
		t.Fatalf("decision %+v, %v", d, err)
	}
	body := cwBodyText(t, ctx)
	if !strings.Contains(body, "avslag") || !strings.Contains(body, "Synundersökningen") {
		t.Error("the case page does not show the rejection and its reasons")
	}
}

// TestCaseworkerRequestsDocumentsAndSeesUpload: a caseworker asks for
// documents with a deadline; the applicant uploads one (through the
// workflow, as the applicant's pages do); the case comes back to the
// caseworker with the document.
func TestCaseworkerRequestsDocumentsAndSeesUpload(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.caseWhere(t, demo.Message, func(c *skalig.Case) bool { return c.State == skalig.StateAwaitingCaseworker })
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	follow(t, ctx, chromedp.KeyEvent("d")) // the shortcut follows the link to the request form
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/komplettering") {
		t.Fatalf("d opened %s, want the request form", loc)
	}
	checkA11y(t, ctx)
	cwTypeIn(t, ctx, "f-text", "Kontoutdrag för november för alla dina konton.")
	due := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
	eval[bool](t, ctx, `(() => { document.getElementById('f-due').value = `+cwJsString(due)+`; return true; })()`)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if st := s.reload(t, c.ID).State; st != skalig.StateAwaitingApplicant {
		t.Fatalf("state %s, want awaiting_applicant", st)
	}
	navigate(t, ctx, s.URL+"/handlaggning?ko=vantar")
	if n := eval[int](t, ctx, `document.querySelectorAll('a[data-queue-link][href$="`+c.ID+`"]').length`); n != 1 {
		t.Error("the case is not in the queue of cases waiting for the applicant")
	}

	reqs, err := s.cases.DocumentRequests(context.Background(), c.ID)
	if err != nil || len(reqs) != 1 || reqs[0].Due.String() != due {
		t.Fatalf("requests %+v, %v", reqs, err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	if _, err := s.wf.Upload(context.Background(), c.ID, reqs[0].ID, "applicant", "kontoutdrag-november.pdf", "application/pdf", pdf); err != nil {
		t.Fatal(err)
	}
	if st := s.reload(t, c.ID).State; st != skalig.StateAwaitingCaseworker {
		t.Fatalf("after the upload: %s, want awaiting_caseworker", st)
	}
	navigate(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID)
	if got := cwText(t, ctx, "#documents a"); got != "kontoutdrag-november.pdf" {
		t.Fatalf("document link %q", got)
	}
	href := eval[string](t, ctx, `document.querySelector('#documents a').href`)
	got := cwEvalAwait[string](t, ctx, `fetch(`+cwJsString(href)+`).then(r => r.text())`)
	if got != string(pdf) {
		t.Errorf("the document reads %q", got)
	}
	if !strings.Contains(cwBodyText(t, ctx), "Besvarad") {
		t.Error("the request is not marked answered")
	}
	checkA11y(t, ctx)
}

// TestCaseworkerRecordsSampleResult: in a municipality that samples every
// case, a caseworker records a discrepancy found in the sample control.
func TestCaseworkerRecordsSampleResult(t *testing.T) {
	s := startCaseworker(t, 4, cwSampleAll(t))
	c := s.caseWhere(t, demo.Plain, func(c *skalig.Case) bool { return c.State == skalig.StateSampled })
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning?ko=stickprov")
	if n := eval[int](t, ctx, `document.querySelectorAll('a[data-queue-link][href$="`+c.ID+`"]').length`); n != 1 {
		t.Fatal("the case is not in the sample queue")
	}
	navigate(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/stickprov"]`)))
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID+"/stickprov")
	cwClick(t, ctx, `input[name="result"][value="discrepancy"]`)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('.error-summary li').length`); n != 3 {
		t.Fatalf("error summary has %d items, want 3 (amounts and note)", n)
	}
	cwClick(t, ctx, `input[name="result"][value="discrepancy"]`)
	cwTypeIn(t, ctx, "f-declared", "4 200")
	cwTypeIn(t, ctx, "f-verified", "3 950")
	cwTypeIn(t, ctx, "f-note", "Hyresavin visar 3 950 kr.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if got := cwText(t, ctx, "#sample-result"); !strings.Contains(got, "Avvikelse") || !strings.Contains(got, "3\u00a0950") {
		t.Fatalf("sample result shown as %q", got)
	}
	r, err := s.cases.SampleResult(context.Background(), c.ID)
	if err != nil || r.Confirmed || r.Declared != skalig.Kronor(4200) || r.Verified != skalig.Kronor(3950) || r.Caseworker != devidp.SaraHandlaggarsson {
		t.Fatalf("sample result %+v, %v", r, err)
	}
}

// TestCaseworkerOtherMunicipality: a caseworker of Kalmar cannot open a
// Högsby case, by URL or by the API, and the attempt is not a read.
func TestCaseworkerOtherMunicipality(t *testing.T) {
	s := startCaseworker(t, 4, nil)
	id := s.byKind[demo.Plain][0]
	ctx := newTab(t)
	s.login(t, ctx, devidp.YusufKalmarsson, "/handlaggning")
	checkA11y(t, ctx)
	if st := navigate(t, ctx, s.URL+"/handlaggning/arenden/"+id); st != http.StatusNotFound {
		t.Errorf("by URL: status %d, want 404", st)
	}
	if h1 := cwText(t, ctx, "h1"); h1 != web.Swedish.T("error.404.heading") {
		t.Errorf("h1 %q", h1)
	}
	checkA11y(t, ctx)
	type apiResult struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	res := cwEvalAwait[apiResult](t, ctx, `fetch('/handlaggning/api/arenden/`+id+`').then(async r => ({status: r.status, body: await r.text()}))`)
	if res.Status != http.StatusNotFound || strings.Contains(res.Body, "0821") {
		t.Errorf("by API: %d %s", res.Status, res.Body)
	}
	if n := s.reads(t, id, "staff:"+devidp.YusufKalmarsson); n != 0 {
		t.Errorf("%d reads logged for the other municipality's caseworker", n)
	}
	// The same API for Högsby's caseworker answers, and logs the read.
	ctx2 := newTab(t)
	s.login(t, ctx2, devidp.SaraHandlaggarsson, "/handlaggning")
	res = cwEvalAwait[apiResult](t, ctx2, `fetch('/handlaggning/api/arenden/`+id+`').then(async r => ({status: r.status, body: await r.text()}))`)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `"municipality":"0821"`) {
		t.Errorf("Högsby's caseworker, by API: %d %s", res.Status, res.Body)
	}
	if n := s.reads(t, id, "staff:"+devidp.SaraHandlaggarsson); n != 1 {
		t.Errorf("%d API reads logged, want 1", n)
	}
}

// TestCaseworkerViewsAudited: every view of a case is in the audit trail,
// and a manager sees who viewed it.
func TestCaseworkerViewsAudited(t *testing.T) {
	s := startCaseworker(t, 4, nil)
	id := s.byKind[demo.First][0]
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+id)
	navigate(t, ctx, s.URL+"/handlaggning/arenden/"+id)
	navigate(t, ctx, s.URL+"/handlaggning/arenden/"+id+"/beslut")
	if n := s.reads(t, id, "staff:"+devidp.SaraHandlaggarsson); n != 3 {
		t.Errorf("%d reads by the caseworker, want 3 (two views and the decision form)", n)
	}
	if eval[int](t, ctx, `document.querySelectorAll('#reads').length`) != 0 {
		t.Error("a caseworker sees the read log")
	}
	mctx := newTab(t)
	s.login(t, mctx, devidp.ViktorChefsson, "/handlaggning/arenden/"+id)
	rows := eval[[]string](t, mctx, `Array.from(document.querySelectorAll('#reads tbody tr')).map(r => r.innerText)`)
	var sara, viktor int
	for _, r := range rows {
		if strings.Contains(r, "Sara Handläggarsson") {
			sara++
		}
		if strings.Contains(r, "Viktor Chefsson") {
			viktor++
		}
	}
	if sara != 3 || viktor != 1 {
		t.Errorf("read log rows: Sara %d, Viktor %d, want 3 and 1: %q", sara, viktor, rows)
	}
	cwCheckA11yLangs(t, mctx, s.URL+"/handlaggning/arenden/"+id)
	if n := s.reads(t, id, "staff:"+devidp.ViktorChefsson); n != 5 {
		t.Errorf("%d reads by the manager, want 5 (one, three languages and back to Swedish)", n)
	}
}

// TestCaseworkerAdministration: an administrator proposes a change of the
// sample rate from next month, with a reason; the change is validated,
// tried in a what-if run, refused when she puts it in force herself, and
// put in force by the manager with the run attached (in the audit
// trail), with the keyboard. The pages and the parameter sets are
// accessible.
func TestCaseworkerAdministration(t *testing.T) {
	s := startCaseworker(t, 1, nil)
	ctx := newTab(t)
	s.login(t, ctx, devidp.WilmaAdminsson, "/handlaggning/admin")
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/admin")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href^="/handlaggning/admin/routing"]`)))
	checkA11y(t, ctx)
	cwTypeIn(t, ctx, "f-version", "stickprov 10")
	cwTypeIn(t, ctx, "f-sample_rate", "10")
	cwClick(t, ctx, `details.cw-advanced summary`)
	cwTypeIn(t, ctx, "f-rules", `[{"name": "trasig", "expression": "calc.nope > 1", "reason": "x"}]`)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[value="save"]`)))
	summary := cwText(t, ctx, ".error-summary")
	if !strings.Contains(summary, "Regel 1 (trasig), villkor: fältet calc.nope finns inte") || !strings.Contains(summary, "Varför görs ändringen") {
		t.Fatalf("error summary %q", summary)
	}
	checkA11y(t, ctx)
	cwTypeIn(t, ctx, "f-rules", `[]`)
	cwTypeIn(t, ctx, "f-reason", "Nämnden beslutade 2026-11-20 § 7 om fler stickprov.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[value="save"]`)))
	// A change of the rules is a proposal: it is tried in a what-if run
	// and put in force by a second person.
	if !strings.Contains(cwBodyText(t, ctx), "Förslaget är sparat.") {
		t.Fatalf("not proposed: %s", cwBodyText(t, ctx))
	}
	proposal := eval[string](t, ctx, `location.pathname`) + "?kommun=0821"
	next := skalig.DateOf(time.Now()).Month() + 1
	if rc, _ := s.mc.Routing(context.Background(), "0821", next); rc.Version() == "stickprov 10" {
		t.Fatal("a proposal is in force")
	}
	cwCheckA11yLangs(t, ctx, s.URL+proposal)
	s.runWhatIfJobs(t)
	tabToText(t, ctx, "Provkör förslaget")
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	untilDone(t, ctx)
	if got := cwText(t, ctx, "h1"); got != "Resultat av provkörningen" {
		t.Fatalf("after trying: %q", got)
	}
	// Wilma proposed it and ran it: she may not put it in force.
	navigate(t, ctx, s.URL+proposal)
	tabToText(t, ctx, "Sätt i kraft")
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	if got := cwText(t, ctx, ".error-summary"); !strings.Contains(got, "En annan person") {
		t.Fatalf("the proposer put it in force: %q %s", got, cwBodyText(t, ctx))
	}
	checkA11y(t, ctx)
	// Viktor, the manager, puts it in force with the run chosen.
	vctx := newTab(t)
	s.login(t, vctx, devidp.ViktorChefsson, proposal)
	if n := eval[int](t, vctx, `document.querySelectorAll('input[name="provkorning"]:checked').length`); n != 1 {
		t.Fatalf("%d runs chosen, want the finished run", n)
	}
	checkA11y(t, vctx)
	tabToText(t, vctx, "Sätt i kraft")
	follow(t, vctx, chromedp.KeyEvent(kb.Enter))
	if !strings.Contains(cwBodyText(t, vctx), "Ändringen är satt i kraft") {
		t.Fatalf("not in force: %s", cwBodyText(t, vctx))
	}
	rc, err := s.mc.Routing(context.Background(), "0821", next)
	if err != nil || rc.Version() != "stickprov 10" || rc.Spec().SampleRate != 0.1 || len(rc.Spec().Rules) != 0 {
		t.Fatalf("next month's routing: %v, %v", rc.Version(), err)
	}
	if got := cwText(t, vctx, "#changes"); !strings.Contains(got, "Viktor Chefsson") || !strings.Contains(got, "fler stickprov") {
		t.Errorf("the change log shows %q", got)
	}
	var data string
	if err := s.db.SQL().QueryRow(`SELECT data FROM audit_trail WHERE action = 'config.put_in_force'`).Scan(&data); err != nil || !strings.Contains(data, `"run_id"`) {
		t.Errorf("the audit event of putting it in force: %s, %v", data, err)
	}
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/parametrar")
}

// sampleAll returns the municipalities with Högsby drawing every case for
// sample control.
func cwSampleAll(t *testing.T) *municipal.Set {
	t.Helper()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mun.Get("0821")
	var specs []map[string]any
	if err := json.Unmarshal(m.Routing, &specs); err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		s["sample_rate"] = 1.0
	}
	file, _ := json.Marshal(map[string]any{"code": m.Code, "name": m.Name, "guidelines": m.Guidelines, "routing": specs})
	set, err := municipal.Parse(map[string][]byte{"0821.json": file})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestCaseworkerPhoneWidth: the queue and the case page need no sideways
// scrolling at 320 px (WCAG 1.4.10), except inside the table regions.
func TestCaseworkerPhoneWidth(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.caseWhere(t, demo.IncomeDiffers, func(c *skalig.Case) bool { return c.State == skalig.StateAwaitingCaseworker })
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, l := range web.Languages {
		for _, p := range []string{"/handlaggning", "/handlaggning/arenden/" + c.ID, "/handlaggning/arenden/" + c.ID + "/beslut"} {
			navigate(t, ctx, s.URL+p+"?lang="+l.Code)
			if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 320 {
				wide := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('body *')).filter(e => !(e.parentElement && e.parentElement.closest('.table-wrap')) && (e.getBoundingClientRect().right > 321 || e.getBoundingClientRect().left < -1)).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`)
				t.Errorf("%s %s: page is %d px wide at 320 px: %q", l.Code, p, w, wide)
			}
		}
	}
}

// TestCaseworkerRecordsCondition: from the case page a caseworker records a
// läkarintyg's period on Registrera villkor (accessible in every language);
// a date that is no date is named in the error summary, and the period is
// then a caseworker fact.
func TestCaseworkerRecordsCondition(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.caseWhere(t, demo.IncomeDiffers, func(c *skalig.Case) bool { return c.State == skalig.StateAwaitingCaseworker })
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/villkor"]`)))
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID+"/villkor")
	cwClick(t, ctx, `input[name="condition"][value="certificate"]`)
	cwClick(t, ctx, `input[name="person"][value="p1"]`)
	cwTypeIn(t, ctx, "f-from", "första november")
	cwTypeIn(t, ctx, "f-to", c.Month.First().String())
	cwTypeIn(t, ctx, "f-reason", "Läkarintyget har kommit in.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	if got := cwText(t, ctx, ".error-summary"); !strings.Contains(got, "Läkarintyget gäller från") {
		t.Fatalf("error summary %q, want the field named", got)
	}
	cwClick(t, ctx, `input[name="condition"][value="certificate"]`)
	cwClick(t, ctx, `input[name="person"][value="p1"]`)
	cwTypeIn(t, ctx, "f-from", c.Month.First().String())
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
	facts, err := s.cases.Facts(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range facts {
		if f.Kind == skalig.KindMedicalCertFrom && f.Source == skalig.SourceCaseworker && f.Value.Text == c.Month.First().String() {
			found = true
		}
	}
	if !found {
		t.Fatal("the certificate's period is not a caseworker fact")
	}
}

// tabToText moves the focus with Tab to the control whose text is label.
func tabToText(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	for i := 0; i < 80 && strings.TrimSpace(eval[string](t, ctx, `document.activeElement.textContent`)) != label; i++ {
		pressKey(t, ctx, kb.Tab)
	}
	if got := strings.TrimSpace(eval[string](t, ctx, `document.activeElement.textContent`)); got != label {
		t.Fatalf("%q is not reached with Tab (at %q)", label, got)
	}
}
