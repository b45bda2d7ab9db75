package applicant

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/auth/devidp"
	"skalig/internal/dbtest"
	"skalig/internal/letters"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/payments"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/drafts"
	"skalig/internal/store/paymentdb"
	"skalig/internal/store/recordsdb"
	"skalig/internal/web"
	"skalig/internal/workflow"
)

// appEnv is the web server with the applicant's pages on a fresh database,
// the workflow with the register simulator, and a stand-in for the login:
// the header X-Test-Sub names the development provider's person the
// request comes from.
type appEnv struct {
	t      *testing.T
	db     *store.DB
	cases  *store.CaseStore
	drafts *drafts.Store
	wf     *workflow.Workflow
	srv    *web.Server
	ts     *httptest.Server
	reg    *prometheus.Registry // the letter metrics
}

// testMunicipalities is the embedded Högsby without sample control, so
// that a case the robot may decide is never drawn for a sample by chance.
func testMunicipalities(t testing.TB) *municipal.Set {
	t.Helper()
	b, err := os.ReadFile("../../municipal/data/0821.json")
	if err != nil {
		t.Fatal(err)
	}
	b = regexp.MustCompile(`"sample_rate": [0-9.]+,`).ReplaceAll(b, []byte(`"sample_rate": 0,`))
	ms, err := municipal.Parse(map[string][]byte{"0821.json": b})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func newAppEnv(t *testing.T) *appEnv {
	t.Helper()
	e := &appEnv{t: t, db: dbtest.Open(t)}
	e.cases = store.NewCaseStore(e.db)
	e.drafts = drafts.New(e.db)
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	ms := testMunicipalities(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.wf, err = workflow.New(workflow.Config{Cases: e.cases, Params: p, Municipal: ms, Registers: sim.New(sim.Config{Seed: 1}),
		RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, err = web.New(web.Config{Params: p, Municipalities: ms, Municipality: "0821", Logger: quiet,
		Now:      func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) },
		LoginURL: auth.LoginURL,
		Contact:  web.Contact{Name: "Socialtjänsten", Phone: "0491-290 00"},
		Session: func(r *http.Request) web.Session {
			if p, ok := auth.FromContext(r.Context()); ok {
				return web.Session{Name: p.Name, LogoutURL: "/logout", IdleTimeout: 20 * time.Minute}
			}
			return web.Session{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	require := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := auth.FromContext(r.Context()); !ok {
				http.Redirect(w, r, auth.LoginURL(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	e.reg = prometheus.NewRegistry()
	lm, err := letters.NewMetrics(e.reg, "web")
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(e.srv, Config{Workflow: e.wf, Drafts: e.drafts, Require: require, MaxUploadBytes: 1 << 20, Municipal: ms,
		LetterMetrics: lm, Registerutdrag: recordsdb.New(e.cases.DB())}); err != nil {
		t.Fatal(err)
	}
	pages := e.srv.Routes()
	e.ts = httptest.NewServer(e.srv.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sub := r.Header.Get("X-Test-Sub"); sub != "" {
			pp, ok := devidp.Lookup(sub)
			if !ok {
				t.Errorf("no person %s", sub)
			}
			r = r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Subject: sub, Name: pp.Name(),
				PersonalNumber: pp.PersonalNumber, Kind: auth.Applicant}))
		}
		pages.ServeHTTP(w, r)
	})))
	t.Cleanup(e.ts.Close)
	return e
}

// resp is an answer to a test request.
type resp struct {
	status   int
	location string
	body     string
}

// do sends a request as the person sub ("" for nobody), with a form body
// for POST. Redirects are returned, not followed.
func (e *appEnv) do(sub, method, path string, form url.Values) resp {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return e.send(sub, req)
}

func (e *appEnv) send(sub string, req *http.Request) resp {
	e.t.Helper()
	if sub != "" {
		req.Header.Set("X-Test-Sub", sub)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
}

// post posts form and wants a redirect; it returns where to.
func (e *appEnv) post(sub, path string, form url.Values) string {
	e.t.Helper()
	r := e.do(sub, "POST", path, form)
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("POST %s: status %d, want 303\n%s", path, r.status, errorsOf(r.body))
	}
	return r.location
}

// get wants 200 and returns the page.
func (e *appEnv) get(sub, path string) string {
	e.t.Helper()
	r := e.do(sub, "GET", path, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: status %d (Location %q)\n%s", path, r.status, r.location, errorsOf(r.body))
	}
	return r.body
}

var errorRE = regexp.MustCompile(`(?s)<p class="error-message"[^>]*>.*?</p>|<div class="error-summary".*?</div>`)

// errorsOf returns the error messages of a page, for failure messages.
func errorsOf(page string) string {
	return strings.Join(errorRE.FindAllString(page, -1), "\n")
}

// run runs the workers until no job is due.
func (e *appEnv) run() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.wf.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state <> 'parked' AND kind NOT IN ('documents_due', 'kommunicering_due')`).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d jobs still due after 30 s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// single is a single adult's answers, step by step.
var single = []struct {
	step string
	form url.Values
}{
	{"hushall", url.Values{"partner": {"no"}, "children": {"0"}}},
	{"boende", url.Values{"housing": {"rental"}, "rent": {"4 100"}, "electricity": {"350,50"}}},
	{"inkomster", url.Values{"income.p1.activity_support": {"6205"}}},
	{"kostnader", url.Values{}},
	{"tillgangar", url.Values{"bank": {"0"}, "vehicle": {"no"}, "assets_other": {"no"}}},
	{"arbete", url.Values{"work.p1": {"unemployed"}, "af.p1": {"yes"}}},
	{"utbetalning", url.Values{"clearing": {"8327-9"}, "account": {"123 456 789"}}},
	{"ovrigt", url.Values{}},
}

// apply fills in and submits an application as sub with steps, and
// returns the case.
func (e *appEnv) apply(sub string, steps []struct {
	step string
	form url.Values
}) *skalig.Case {
	e.t.Helper()
	loc := e.post(sub, "/ansokan", url.Values{})
	id := strings.Split(strings.TrimPrefix(loc, "/ansokan/"), "/")[0]
	for i, s := range steps {
		want := draftURL(id, reviewStep)
		if i+1 < len(steps) {
			want = draftURL(id, steps[i+1].step)
		}
		if got := e.post(sub, draftURL(id, s.step), s.form); got != want {
			e.t.Fatalf("after %s: to %s, want %s", s.step, got, want)
		}
	}
	e.get(sub, draftURL(id, reviewStep))
	if got := e.post(sub, draftURL(id, reviewStep), url.Values{"confirm": {"yes"}, "version": {e.version(id)}}); got != draftURL(id, "kvitto") {
		e.t.Fatalf("submit: to %s", got)
	}
	d, err := e.drafts.Draft(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := e.cases.Case(context.Background(), d.CaseID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *appEnv) version(draftID string) string {
	d, err := e.drafts.Draft(context.Background(), draftID)
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprint(d.Version)
}

func TestStartPage(t *testing.T) {
	e := newAppEnv(t)
	page := e.get("", "/")
	if !strings.Contains(page, `href="/login?return=%2Fmina-sidor"`) {
		t.Errorf("start page without the login link:\n%s", page)
	}
	if page := e.get(devidp.AlvaTestsson, "/?lang=ar"); !strings.Contains(page, `href="/mina-sidor"`) || !strings.Contains(page, `dir="rtl"`) {
		t.Errorf("start page for a logged-in applicant in Arabic lacks Mina sidor or rtl")
	}
	if r := e.do("", "GET", "/mina-sidor", nil); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
		t.Errorf("Mina sidor without login: %d %s", r.status, r.location)
	}
}

func TestApplySingle(t *testing.T) {
	e := newAppEnv(t)
	alva := devidp.AlvaTestsson
	page := e.get(alva, "/mina-sidor")
	if !strings.Contains(page, "Ansök för november 2026") || !strings.Contains(page, "inte ansökt") {
		t.Fatalf("Mina sidor of a new applicant:\n%s", page)
	}

	loc := e.post(alva, "/ansokan", url.Values{})
	id := strings.Split(strings.TrimPrefix(loc, "/ansokan/"), "/")[0]
	if loc != draftURL(id, "hushall") {
		t.Fatalf("start: to %s", loc)
	}
	// Starting again goes to the same draft.
	if again := e.post(alva, "/ansokan", url.Values{}); again != draftURL(id) {
		t.Errorf("second start: to %s, want the draft", again)
	}
	e.get(alva, draftURL(id, "hushall"))

	t.Run("FieldErrors", func(t *testing.T) {
		r := e.do(alva, "POST", draftURL(id, "boende"), url.Values{"housing": {"rental"}, "rent": {"72 00"}, "electricity": {"abc"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", r.status)
		}
		for _, want := range []string{
			"Hyra eller avgift per månad: kontrollera mellanslagen",
			"Hushållsel per månad: skriv bara siffror",
			`href="#f-rent"`, `aria-invalid="true"`, "<title>Fel:",
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		// What was typed is kept (the draft saved it too).
		if !strings.Contains(r.body, `value="72 00"`) {
			t.Error("the value typed is lost")
		}
		r = e.do(alva, "POST", draftURL(id, "hushall")+"?lang=en", url.Values{"partner": {"yes"}, "partner_pn": {"19900412-9823"}, "children": {"x"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "write the personal identity number with 12 digits") ||
			!strings.Contains(r.body, "How many children live with you: write a number from 0 to 10.") {
			t.Errorf("household errors in English: %d\n%s", r.status, errorsOf(r.body))
		}
		if r := e.do(alva, "POST", draftURL(id, "utbetalning"), url.Values{"clearing": {"12"}, "account": {"12ab"}}); r.status != 422 ||
			!strings.Contains(r.body, "Clearingnummer: skriv 4 eller 5 siffror") || !strings.Contains(r.body, "Kontonummer: skriv bara siffror") {
			t.Errorf("account errors: %d\n%s", r.status, errorsOf(r.body))
		}
	})

	// "Save and continue later" saves without checking.
	if got := e.post(alva, draftURL(id, "tillgangar"), url.Values{"bank": {"mycket"}, "action": {"later"}}); got != "/mina-sidor?sparat=1" {
		t.Errorf("later: to %s", got)
	}
	if page := e.get(alva, "/mina-sidor?sparat=1"); !strings.Contains(page, "Din ansökan är sparad") || !strings.Contains(page, "Fortsätt med ansökan") {
		t.Error("Mina sidor does not offer to continue the saved draft")
	}
	// The review lists what is missing, and refuses to submit.
	page = e.get(alva, draftURL(id, reviewStep))
	if !strings.Contains(page, "Det här behöver du fylla i eller rätta") {
		t.Error("the review does not show the missing answers")
	}
	r := e.do(alva, "POST", draftURL(id, reviewStep), url.Values{"version": {e.version(id)}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Kryssa i rutan") || !strings.Contains(r.body, "Rätta: Ditt hushåll") {
		t.Errorf("submit of an incomplete draft: %d\n%s", r.status, errorsOf(r.body))
	}

	for i, s := range single {
		want := draftURL(id, reviewStep)
		if i+1 < len(single) {
			want = draftURL(id, single[i+1].step)
		}
		if got := e.post(alva, draftURL(id, s.step), s.form); got != want {
			t.Fatalf("after %s: to %s, want %s", s.step, got, want)
		}
	}
	page = e.get(alva, draftURL(id, reviewStep))
	for _, want := range []string{"4\u00a0100\u00a0kr", "350,50\u00a0kr", "Försäkringskassan", "Innan du skickar", "Skriv under och skicka ansökan"} {
		if !strings.Contains(page, want) {
			t.Errorf("the review lacks %q", want)
		}
	}
	// No receipt before the application is submitted.
	if r := e.do(alva, "GET", draftURL(id, "kvitto"), nil); r.status != http.StatusSeeOther {
		t.Errorf("receipt before submit: %d", r.status)
	}
	if got := e.post(alva, draftURL(id, reviewStep), url.Values{"confirm": {"yes"}, "version": {e.version(id)}}); got != draftURL(id, "kvitto") {
		t.Fatalf("submit: to %s", got)
	}
	d, err := e.drafts.Draft(context.Background(), id)
	if err != nil || d.State != skalig.DraftSubmitted {
		t.Fatalf("draft %+v, %v", d, err)
	}
	receipt := e.get(alva, draftURL(id, "kvitto"))
	if !strings.Contains(receipt, d.CaseID) || !strings.Contains(receipt, "Vi har tagit emot din ansökan") {
		t.Errorf("receipt lacks the reference %s", d.CaseID)
	}
	app, err := e.cases.CaseApplication(context.Background(), d.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range app.Facts {
		got[f.Kind+"/"+f.PersonID] = f.Value.String()
	}
	for k, v := range map[string]string{"cost.housing/": "4100", "cost.electricity/": "350.50", "income.activity_support/p1": "6205",
		"asset.bank/": "0", "payment.account/": "83279-123456789", "work.situation/p1": "unemployed", "af.registered/p1": "yes"} {
		if got[k] != v {
			t.Errorf("fact %s = %q, want %q", k, got[k], v)
		}
	}
	if app.Kind != skalig.FirstApplication || app.Month != skalig.MonthOf(2026, 11) || len(app.Members) != 1 {
		t.Errorf("application %+v", app)
	}
	// A second submission of the same draft is the same case.
	if r := e.do(alva, "POST", draftURL(id, "skicka"), url.Values{}); r.location != draftURL(id, "kvitto") {
		t.Errorf("resubmit: %d %s", r.status, r.location)
	}
	overview := e.get(alva, "/mina-sidor")
	if !strings.Contains(overview, CasePathPrefix+d.CaseID) || !strings.Contains(overview, "Ansök för december 2026") {
		t.Errorf("Mina sidor after submitting lacks the case or the next month")
	}
}

func TestCaseAccess(t *testing.T) {
	e := newAppEnv(t)
	c := e.apply(devidp.AlvaTestsson, single)
	bo := devidp.BoProvsson
	for _, path := range []string{CasePathPrefix + c.ID, CasePathPrefix + c.ID + "/berakning", CasePathPrefix + "NOPE",
		CasePathPrefix + c.ID + "/beslut.pdf", CasePathPrefix + c.ID + "/beslut.html", CasePathPrefix + "NOPE/beslut.pdf"} {
		r := e.do(bo, "GET", path, nil)
		if r.status != http.StatusNotFound || !strings.Contains(r.body, "Sidan finns inte") {
			t.Errorf("Bo GET %s: %d", path, r.status)
		}
	}
	for _, path := range []string{"/meddelanden", "/omprovning"} {
		if r := e.do(bo, "POST", CasePathPrefix+c.ID+path, url.Values{"body": {"hej"}}); r.status != http.StatusNotFound {
			t.Errorf("Bo POST %s: %d", path, r.status)
		}
	}
	ds, _ := e.drafts.DraftsOfPerson(context.Background(), mustPN(t, devidp.AlvaTestsson))
	if r := e.do(bo, "GET", draftURL(ds[0].ID, "kvitto"), nil); r.status != http.StatusNotFound {
		t.Errorf("Bo GET Alva's receipt: %d", r.status)
	}
	if r := e.do(bo, "GET", "/mina-sidor", nil); strings.Contains(r.body, c.ID) {
		t.Error("Bo's Mina sidor shows Alva's case")
	}
	// Alva's own case has no decision yet: no letter, and no link to one.
	if r := e.do(devidp.AlvaTestsson, "GET", CasePathPrefix+c.ID+"/beslut.pdf", nil); r.status != http.StatusNotFound {
		t.Errorf("the letter of an undecided case: %d, want 404", r.status)
	}
	if page := e.get(devidp.AlvaTestsson, CasePathPrefix+c.ID); strings.Contains(page, "/beslut.pdf") {
		t.Error("an undecided case's page links to a letter")
	}
}

// letterOf downloads the decision letter of case id as sub and checks the
// headers: the PDF as an attachment, the HTML with a policy that allows
// only its own style sheet.
func (e *appEnv) letterOf(sub, id string, pdf bool) []byte {
	e.t.Helper()
	path := CasePathPrefix + id + "/beslut.html"
	if pdf {
		path = CasePathPrefix + id + "/beslut.pdf"
	}
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	req.Header.Set("X-Test-Sub", sub)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d\n%s", path, res.StatusCode, errorsOf(string(body)))
	}
	h := res.Header
	switch {
	case pdf && (h.Get("Content-Type") != "application/pdf" || h.Get("Content-Disposition") != `attachment; filename="beslut-`+id+`.pdf"` ||
		!bytes.HasPrefix(body, []byte("%PDF-1.7"))):
		e.t.Errorf("the PDF letter: %v, starts %q", h, body[:min(len(body), 16)])
	case !pdf && (!strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
		h.Get("Content-Security-Policy") != "default-src 'none'; style-src "+letters.StyleSource()+"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"):
		e.t.Errorf("the HTML letter: %v", h)
	}
	return body
}

// testPN returns a synthetic personnummer (birth numbers 980-999, the
// test series) for the date, with its check digit: YYYYMMDD-NNNN.
func testPN(yyyymmdd string, serial int) string {
	nine := yyyymmdd[2:] + fmt.Sprintf("%03d", serial)
	sum := 0
	for i, c := range nine {
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return fmt.Sprintf("%s-%03d%d", yyyymmdd, serial, (10-sum%10)%10)
}

func mustPN(t *testing.T, sub string) skalig.PersonalNumber {
	p, ok := devidp.Lookup(sub)
	if !ok {
		t.Fatalf("no %s", sub)
	}
	return p.PersonalNumber
}

func TestCoupleSigns(t *testing.T) {
	e := newAppEnv(t)
	cecilia, david := devidp.CeciliaDemosson, devidp.DavidDemosson
	loc := e.post(cecilia, "/ansokan", url.Values{})
	id := strings.Split(strings.TrimPrefix(loc, "/ansokan/"), "/")[0]
	steps := []struct {
		step string
		form url.Values
	}{
		{"hushall", url.Values{"partner": {"yes"}, "partner_pn": {"198603029938"}, "children": {"2"}}},
		{"barn", url.Values{"child.1.pn": {testPN("20180315", 982)}, "child.2.pn": {testPN("20220601", 990)}, "child.2.preschool": {"yes"}, "child.2.days": {"15"}}},
		{"boende", url.Values{"housing": {"rental"}, "rent": {"6 900"}}},
		{"inkomster", url.Values{"income.p1.student_grant": {"10596"}, "income.p2.sickness_benefit": {"20 454"}}},
		{"kostnader", url.Values{"need.1.text": {"Glasögon"}, "need.1.amount": {"1450"}}},
		{"tillgangar", url.Values{"bank": {"500"}, "vehicle": {"no"}, "assets_other": {"no"}}},
		{"arbete", url.Values{"work.p1": {"studying"}, "af.p1": {"no"}, "work.p2": {"sick"}, "af.p2": {"no"}}},
		{"utbetalning", url.Values{"clearing": {"6000"}, "account": {"123456789"}}},
		{"ovrigt", url.Values{"message": {"Vi har flyttat."}}},
	}
	for i, s := range steps {
		want := draftURL(id, reviewStep)
		if i+1 < len(steps) {
			want = draftURL(id, steps[i+1].step)
		}
		r := e.do(cecilia, "POST", draftURL(id, s.step), s.form)
		if r.status != http.StatusSeeOther || r.location != want {
			t.Fatalf("after %s: %d to %s, want %s\n%s", s.step, r.status, r.location, want, errorsOf(r.body))
		}
	}
	// Before Cecilia signs, David sees nothing.
	if r := e.do(david, "GET", draftURL(id, "underskrift"), nil); r.status != http.StatusNotFound {
		t.Errorf("David before Cecilia signed: %d", r.status)
	}
	if got := e.post(cecilia, draftURL(id, reviewStep), url.Values{"confirm": {"yes"}, "version": {e.version(id)}}); got != draftURL(id) {
		t.Fatalf("Cecilia signs: to %s", got)
	}
	if page := e.get(cecilia, draftURL(id)); !strings.Contains(page, "Nu behöver din make, maka eller sambo (19860302-****) skriva under") {
		t.Errorf("waiting page:\n%s", page)
	}
	// David finds it on Mina sidor and declines first.
	if page := e.get(david, "/mina-sidor"); !strings.Contains(page, draftURL(id, "underskrift")) {
		t.Fatal("David's Mina sidor lacks the application to sign")
	}
	page := e.get(david, draftURL(id, "underskrift"))
	// Cecilia by name, and the answers phrased for David.
	for _, want := range []string{"Cecilia Demosson har ansökt", "Glasögon", "Skriv under och skicka ansökan", "Skatteverket",
		"Ditt personnummer", "Sysselsättning (du)", "Sysselsättning (Cecilia Demosson)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the signing page lacks %q", want)
		}
	}
	if strings.Contains(page, "19870914-9846") || strings.Contains(page, "Personen med personnummer") {
		t.Error("the signing page names Cecilia by her personnummer")
	}
	if r := e.do(david, "POST", draftURL(id, "underskrift"), url.Values{"action": {"sign"}, "version": {e.version(id)}}); r.status != 422 {
		t.Errorf("sign without the box: %d", r.status)
	}
	if got := e.post(david, draftURL(id, "underskrift"), url.Values{"action": {"decline"}, "version": {e.version(id)}}); got != "/mina-sidor?nekad=1" {
		t.Errorf("decline: to %s", got)
	}
	// Cecilia signs again; David signs and the application is submitted.
	if got := e.post(cecilia, draftURL(id, reviewStep), url.Values{"confirm": {"yes"}, "version": {e.version(id)}}); got != draftURL(id) {
		t.Fatalf("Cecilia signs again: to %s", got)
	}
	if got := e.post(david, draftURL(id, "underskrift"), url.Values{"action": {"sign"}, "confirm": {"yes"}, "version": {e.version(id)}}); got != draftURL(id, "kvitto") {
		t.Fatalf("David signs: to %s", got)
	}
	d, _ := e.drafts.Draft(context.Background(), id)
	for _, sub := range []string{cecilia, david} {
		if page := e.get(sub, draftURL(id, "kvitto")); !strings.Contains(page, d.CaseID) || !strings.Contains(page, "Ni har båda skrivit under") {
			t.Errorf("%s's receipt lacks the case", sub)
		}
		e.get(sub, CasePathPrefix+d.CaseID)
	}
	app, err := e.cases.CaseApplication(context.Background(), d.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(app.Members) != 4 || app.Members[1].Role != skalig.RolePartner || app.ContentHash() != d.ContentHash {
		t.Errorf("members %+v, hash %s vs signed %s", app.Members, app.ContentHash(), d.ContentHash)
	}
	// Each signer's name as their login gave it went with the case; the
	// children have none.
	if app.Members[0].Name != "Cecilia Demosson" || app.Members[1].Name != "David Demosson" || app.Members[2].Name != "" {
		t.Errorf("names of the case's members: %q, %q, %q", app.Members[0].Name, app.Members[1].Name, app.Members[2].Name)
	}
}

func TestMonthlyPrefilled(t *testing.T) {
	e := newAppEnv(t)
	alva := devidp.AlvaTestsson
	first := e.apply(alva, single)
	loc := e.post(alva, "/ansokan", url.Values{})
	id := strings.Split(strings.TrimPrefix(loc, "/ansokan/"), "/")[0]
	if loc != draftURL(id, reviewStep) {
		t.Fatalf("monthly opens on %s, want the review", loc)
	}
	page := e.get(alva, loc)
	for _, want := range []string{"Fortsatt ansökan för december 2026", "4\u00a0100\u00a0kr", "6\u00a0205\u00a0kr", "83279", "Vi har fyllt i det du skrev förra månaden"} {
		if !strings.Contains(page, want) {
			t.Errorf("the monthly review lacks %q", want)
		}
	}
	if strings.Contains(page, "Det här behöver du fylla i") {
		t.Errorf("the prefilled monthly has problems:\n%s", page)
	}
	// Change the income, then submit.
	if got := e.post(alva, draftURL(id, "inkomster")+"?fran=granska", url.Values{"fran": {"granska"}, "income.p1.activity_support": {"6 300"}}); got != draftURL(id, reviewStep) {
		t.Errorf("change from the review: to %s", got)
	}
	if got := e.post(alva, draftURL(id, reviewStep), url.Values{"confirm": {"yes"}, "version": {e.version(id)}}); got != draftURL(id, "kvitto") {
		t.Fatalf("submit: %s", got)
	}
	d, _ := e.drafts.Draft(context.Background(), id)
	c, _ := e.cases.Case(context.Background(), d.CaseID)
	if c.Kind != skalig.MonthlyApplication || c.Month != first.Month+1 {
		t.Errorf("monthly case %+v", c)
	}
}

func TestAutomatedDecisionExplained(t *testing.T) {
	e := newAppEnv(t)
	elin := devidp.ElinExempelsson
	// A monthly application as the registers say (the demo's way), so that
	// the robot may decide.
	pn := mustPN(t, elin)
	month := skalig.MonthOf(2026, 11)
	app := &skalig.Application{Municipality: "0821", Kind: skalig.MonthlyApplication, Month: month, IdempotencyKey: "test-elin",
		Members: []skalig.Member{{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant}}}
	add := func(kind string, v skalig.FactValue) {
		app.Facts = append(app.Facts, skalig.Fact{Kind: kind, PersonID: "p1", Period: month, Value: v, Source: skalig.SourceApplicant})
	}
	for _, f := range sim.ProfileOf(1, pn, month).Facts { // Elin's aktivitetsstöd
		if strings.HasPrefix(f.Kind, skalig.KindIncomePrefix) && !f.Value.IsText {
			add(f.Kind, f.Value)
		}
	}
	add(skalig.KindWorkSituation, skalig.TextValue("unemployed"))
	add(skalig.KindAFRegistered, skalig.TextValue("yes"))
	app.Facts = append(app.Facts,
		skalig.Fact{Kind: "cost.housing", Period: month, Value: skalig.AmountValue(skalig.Kronor(4100)), Source: skalig.SourceApplicant},
		skalig.Fact{Kind: skalig.KindAssetBank, Period: month, Value: skalig.AmountValue(0), Source: skalig.SourceApplicant},
		skalig.Fact{Kind: skalig.KindPaymentAccount, Period: month, Value: skalig.TextValue("8327-123456"), Source: skalig.SourceApplicant})
	c, _, err := e.wf.Submit(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	e.run()
	// The robot ordered the payment; the bank's answer makes the case paid.
	ctx := context.Background()
	pay := payments.New(payments.Config{Cases: e.cases, Debtor: payments.Debtor{Name: "Test", IBAN: "SE4550000000058398257466"}})
	_, run, err := pay.Run(ctx, t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := paymentdb.New(e.cases).RunPayments(ctx, run.ID)
	answer, _ := payments.SimulatedNotification(run, ps, payments.Debtor{IBAN: "SE4550000000058398257466"}, run.CreatedAt, nil)
	if _, err := pay.Import(ctx, answer, "test"); err != nil {
		t.Fatal(err)
	}
	c, _ = e.cases.Case(context.Background(), c.ID)
	if c.State != skalig.StatePaid {
		t.Fatalf("case %s, want paid (reasons %v)", c.State, c.RoutingReasons)
	}
	page := e.get(elin, CasePathPrefix+c.ID)
	// The decision letter, linked from the decision: the bytes
	// internal/letters makes of the stored decision, the same at every
	// download.
	if !strings.Contains(page, `href="`+CasePathPrefix+c.ID+`/beslut.pdf"`) || !strings.Contains(page, `href="`+CasePathPrefix+c.ID+`/beslut.html"`) {
		t.Error("the case page does not link to the decision letter")
	}
	pdf := e.letterOf(elin, c.ID, true)
	mun, _ := municipal.Default()
	in, err := letters.Load(ctx, e.wf, mun, c.ID, workflow.Reader{Actor: "test", Via: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := letters.Render(in, true); !bytes.Equal(pdf, want) || !bytes.Equal(e.letterOf(elin, c.ID, true), pdf) {
		t.Error("the downloaded letter is not the letter of the stored decision, or differs between downloads")
	}
	html := string(e.letterOf(elin, c.ID, false))
	for _, want := range []string{"Beslut: bifall.", "Ärendenummer: " + caseRef(c), "Beslutet har fattats automatiskt"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML letter lacks %q", want)
		}
	}
	reads, err := e.cases.AuditEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range reads {
		if ev.Actor == "applicant" && strings.Contains(string(ev.Data), `"letter"`) {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d reads of the letter by the applicant in the audit trail, want 3", n)
	}
	if got := letterCount(t, e.reg, "approved", "pdf"); got != 2 {
		t.Errorf("skalig_letters_total{approved,pdf,web} = %v, want 2", got)
	}
	for _, want := range []string{"Beslutet är fattat automatiskt", "bevilja (bifall)", "Be om att en handläggare prövar", "förvaltningsrätten",
		"Vi tog emot din ansökan.", "Uppgifter från andra myndigheter kom in.", "Vi räknade ut beloppet.", "Beslutet fattades.",
		"Utbetalningen skickades till banken.", "Pengarna skickades"} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	for _, l := range web.Languages {
		page := e.get(elin, CasePathPrefix+c.ID+"/berakning?lang="+l.Code)
		for _, want := range map[string][]string{
			"sv": {"Riksnormen för 2026", "Uppgift från Försäkringskassan", "Du har skrivit det i ansökan", "socialtjänstlagen (2025:400)", "Försörjningsstöd för månaden, behovet minus inkomsterna"},
			"en": {"The national standard amount (riksnorm) for 2026", "Information from", "Income support for the month"},
			"ar": {"المعيار الوطني", "إعانة المعيشة للشهر", `dir="rtl"`},
		}[l.Code] {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the explanation lacks %q", l.Code, want)
			}
		}
		if strings.Contains(page, "[explain.") || strings.Contains(page, "[income.") {
			t.Errorf("%s: a message key is missing", l.Code)
		}
	}
	// Asking for a review.
	if got := e.post(elin, CasePathPrefix+c.ID+"/omprovning", url.Values{"review_text": {"Jag har fått ett arbete."}}); !strings.Contains(got, "skickat=omprovning") {
		t.Errorf("review: to %s", got)
	}
	if page := e.get(elin, CasePathPrefix+c.ID+"?skickat=omprovning"); !strings.Contains(page, "Du har bett om att en handläggare prövar ärendet") ||
		!strings.Contains(page, "Jag har fått ett arbete.") {
		t.Error("the case page does not show the review request")
	}
}

// pngBytes is the smallest PNG there is: enough for a type check by content.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82")

func (e *appEnv) upload(sub, caseID, requestID, name string, body []byte) resp {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	field := "file.other"
	if requestID != "" {
		mw.WriteField("request", requestID)
		field = "file." + requestID
	}
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(body)
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+CasePathPrefix+caseID+"/dokument", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.send(sub, req)
}

func TestDocumentRequestUploadAndMessages(t *testing.T) {
	e := newAppEnv(t)
	alva := devidp.AlvaTestsson
	c := e.apply(alva, single)
	e.run() // a first application goes to a caseworker
	c, _ = e.cases.Case(context.Background(), c.ID)
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("state %s", c.State)
	}
	rq, err := e.wf.RequestDocuments(context.Background(), c.ID, c.Version, "hl-1", "Hyresavi för november.", skalig.DateOf(time.Now().AddDate(0, 0, 7)))
	if err != nil {
		t.Fatal(err)
	}
	page := e.get(alva, CasePathPrefix+c.ID)
	for _, want := range []string{"Hyresavi för november.", "väntar på dig", "Handläggaren bad om dokument.", `enctype="multipart/form-data"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if page := e.get(alva, "/mina-sidor"); !strings.Contains(page, "Du behöver göra något") {
		t.Error("Mina sidor does not say that something is needed")
	}
	// A text file named .png is refused by its content.
	r := e.upload(alva, c.ID, rq.ID, "hyra.png", []byte("just text, not a picture"))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Filen måste vara en PDF, JPEG eller PNG.") || !strings.Contains(r.body, `href="#f-file-`+rq.ID+`"`) {
		t.Errorf("text upload: %d\n%s", r.status, errorsOf(r.body))
	}
	r = e.upload(alva, c.ID, rq.ID, "hyra.pdf", bytes.Repeat([]byte("%PDF-1.4 "), 200000))
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "Filen är för stor") {
		t.Errorf("large upload: %d\n%s", r.status, errorsOf(r.body))
	}
	r = e.upload(alva, c.ID, rq.ID, "hyresavi.png", pngBytes)
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", r.status, errorsOf(r.body))
	}
	page = e.get(alva, CasePathPrefix+c.ID+"?skickat=dokument")
	for _, want := range []string{"Tack! Vi har tagit emot dokumentet.", "hyresavi.png", "Du skickade dokument", "hos en handläggare"} {
		if !strings.Contains(page, want) {
			t.Errorf("after the upload the page lacks %q", want)
		}
	}
	docs, _ := e.cases.Documents(context.Background(), c.ID)
	if len(docs) != 1 || docs[0].MediaType != "image/png" {
		t.Fatalf("documents %+v", docs)
	}
	if r := e.do(alva, "GET", CasePathPrefix+c.ID+"/dokument/"+docs[0].ID, nil); r.status != 200 || r.body != string(pngBytes) {
		t.Errorf("download: %d", r.status)
	}
	if r := e.do(devidp.BoProvsson, "GET", CasePathPrefix+c.ID+"/dokument/"+docs[0].ID, nil); r.status != 404 {
		t.Errorf("Bo downloads Alva's document: %d", r.status)
	}
	// Messages both ways.
	if r := e.do(alva, "POST", CasePathPrefix+c.ID+"/meddelanden", url.Values{"body": {" "}}); r.status != 422 || !strings.Contains(r.body, "skriv ett meddelande") {
		t.Errorf("empty message: %d", r.status)
	}
	e.post(alva, CasePathPrefix+c.ID+"/meddelanden", url.Values{"body": {"När kommer beslutet?"}})
	if _, err := e.wf.Message(context.Background(), c.ID, "caseworker:hl-1", "I morgon."); err != nil {
		t.Fatal(err)
	}
	page = e.get(alva, CasePathPrefix+c.ID+"?lang=en")
	for _, want := range []string{"När kommer beslutet?", "I morgon.", "The caseworker", "You got a message from the caseworker."} {
		if !strings.Contains(page, want) {
			t.Errorf("messages: the page lacks %q", want)
		}
	}
	// No explanation before the decision.
	if page := e.get(alva, CasePathPrefix+c.ID+"/berakning"); !strings.Contains(page, "när beslutet är fattat") {
		t.Error("explanation before the decision")
	}
}

// letterCount is skalig_letters_total{outcome, format, via="web"} in reg.
func letterCount(t *testing.T, reg *prometheus.Registry, outcome, format string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if mf.GetName() == "skalig_letters_total" && l["outcome"] == outcome && l["format"] == format && l["via"] == "web" {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no skalig_letters_total{outcome=%q,format=%q,via=\"web\"}", outcome, format)
	return 0
}

// TestDeleteDraftAsksFirst: "Ta bort ansökan" is a link to a page that
// asks, with a way back; only that page's button (confirm=yes) deletes.
func TestDeleteDraftAsksFirst(t *testing.T) {
	e := newAppEnv(t)
	alva := devidp.AlvaTestsson
	loc := e.post(alva, "/ansokan", url.Values{})
	id := strings.Split(strings.TrimPrefix(loc, "/ansokan/"), "/")[0]
	review := e.get(alva, draftURL(id, reviewStep))
	if strings.Contains(review, `action="/ansokan/`+id+`/ta-bort"`) || !strings.Contains(review, `href="/ansokan/`+id+`/ta-bort"`) {
		t.Error("the review page deletes at once instead of linking to the question")
	}
	page := e.get(alva, draftURL(id, "ta-bort"))
	for _, want := range []string{"Vill du ta bort ansökan", "kan inte hämtas tillbaka", `name="confirm" value="yes"`, `href="` + draftURL(id, reviewStep) + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the question lacks %q", want)
		}
	}
	// A POST without the answer asks again and deletes nothing.
	if r := e.do(alva, "POST", draftURL(id, "ta-bort"), url.Values{}); r.status != http.StatusOK || !strings.Contains(r.body, "Vill du ta bort ansökan") {
		t.Errorf("POST without confirm: status %d", r.status)
	}
	if _, err := e.drafts.Draft(context.Background(), id); err != nil {
		t.Fatalf("the draft is gone without the answer: %v", err)
	}
	// Another person cannot delete it.
	if r := e.do(devidp.BoProvsson, "POST", draftURL(id, "ta-bort"), url.Values{"confirm": {"yes"}}); r.status != http.StatusNotFound {
		t.Errorf("Bo deleting Alva's draft: status %d, want 404", r.status)
	}
	if got := e.post(alva, draftURL(id, "ta-bort"), url.Values{"confirm": {"yes"}}); got != MinaSidorPath+"?borttagen=1" {
		t.Errorf("delete: to %s", got)
	}
	if _, err := e.drafts.Draft(context.Background(), id); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("after delete: %v, want ENOTFOUND", err)
	}
}

// TestWaitingRegistersInTheReadersLanguage: a case submitted but not yet
// answered by the registers names what it waits for in the page's
// language (the Swedish name, and in English and Arabic what it is).
func TestWaitingRegistersInTheReadersLanguage(t *testing.T) {
	e := newAppEnv(t)
	c := e.apply(devidp.AlvaTestsson, single) // the jobs are not run: nothing has answered
	for lang, want := range map[string]string{
		"sv": "Vi väntar på svar från:",
		"en": "Arbetsförmedlingen (the Swedish Public Employment Service)",
		"ar": "Arbetsförmedlingen (مكتب العمل)",
	} {
		page := e.get(devidp.AlvaTestsson, CasePathPrefix+c.ID+"?lang="+lang)
		if !strings.Contains(page, want) {
			t.Errorf("%s: the case page lacks %q:\n%s", lang, want, page)
		}
		if lang != "sv" && strings.Contains(page, `lang="sv">Arbetsförmedlingen<`) {
			t.Errorf("%s: the register's name is left in Swedish", lang)
		}
	}
}
