// Package webtest helps the tests of the web pages: a server configuration
// for Högsby kommun at a fixed clock, requests and their answers, and the
// staff environment that the caseworker's and the administration's tests
// share (a workflow that has run demo households, staff chosen per
// request). It is for tests only.
package webtest

import (
	"context"
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
	"skalig/internal/auth"
	"skalig/internal/auth/devidp"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/deskdb"
	"skalig/internal/web"
	"skalig/internal/workflow"
)

// November2026 is the test clock: a month with an official riksnorm.
var November2026 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// Config returns a web.Config for Högsby kommun at November2026.
func Config(t testing.TB) web.Config {
	t.Helper()
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	ms, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	return web.Config{
		Params: p, Municipalities: ms, Municipality: "0821",
		Now:        func() time.Time { return November2026 },
		Components: true,
		Logger:     slog.New(slog.DiscardHandler),
	}
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body string
}

// Do serves r with h.
func Do(t testing.TB, h http.Handler, r *http.Request) Response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return Response{res, string(b)}
}

// MustContain fails t when body lacks one of wants.
func MustContain(t testing.TB, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("body does not contain %q", w)
		}
	}
}

// MustNotContain fails t when body has one of nots.
func MustNotContain(t testing.TB, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("body contains %q", n)
		}
	}
}

// WantStatus stops t when res has another status than want.
func WantStatus(t testing.TB, res Response, want int, what string) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, want, res.Body)
	}
}

// StaffHeader names the development provider's person a request of a
// StaffEnv comes from.
const StaffHeader = "X-Test-Staff"

// StaffEnv is the staff's pages over a workflow that has run demo
// households through the register simulator, with staff chosen per request
// by StaffHeader (a devidp subject).
type StaffEnv struct {
	DB     *store.DB
	Cases  *store.CaseStore
	WF     *workflow.Workflow
	MC     *configdb.MunicipalConfig
	Desk   *deskdb.Store
	H      http.Handler
	ByKind map[demo.Scenario][]string
}

// Mount registers the pages under test on s, over the workflow and stores
// of e.
type Mount func(s *web.Server, e *StaffEnv) error

// NewStaffEnv submits households demo applications for Högsby in November
// 2026 to a fresh database, runs the workers until no job is due, and
// serves the pages mount registers, with the real clock.
func NewStaffEnv(t *testing.T, households int, mun *municipal.Set, mount Mount) *StaffEnv {
	t.Helper()
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	mc := configdb.NewMunicipalConfig(db, mun)
	wf, err := workflow.New(workflow.Config{Cases: cases, Params: p, Municipal: mun, Registers: sim.New(sim.Config{Seed: 1}),
		RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e := &StaffEnv{DB: db, Cases: cases, WF: wf, MC: mc, Desk: deskdb.New(db), ByKind: map[demo.Scenario][]string{}}
	for _, hh := range demo.Generate(1, "0821", skalig.MonthOf(2026, 11), households) {
		c, _, err := wf.Submit(context.Background(), hh.App)
		if err != nil {
			t.Fatal(err)
		}
		e.ByKind[hh.Scenario] = append(e.ByKind[hh.Scenario], c.ID)
	}
	e.Run(t)
	cfg := Config(t)
	cfg.Now = time.Now
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := mount(s, e); err != nil {
		t.Fatal(err)
	}
	inner := s.Handler()
	e.H = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sub := r.Header.Get(StaffHeader); sub != "" {
			r = r.WithContext(auth.WithPrincipal(r.Context(), Principal(t, sub)))
		}
		inner.ServeHTTP(w, r)
	})
	return e
}

// Principal is the principal of a person of the development provider.
func Principal(t testing.TB, sub string) *auth.Principal {
	t.Helper()
	p, ok := devidp.Lookup(sub)
	if !ok {
		t.Fatalf("no dev person %s", sub)
	}
	pr := &auth.Principal{Subject: p.Subject, Name: p.Name(), Kind: auth.Applicant, PersonalNumber: p.PersonalNumber}
	if p.IsStaff() {
		pr.Kind, pr.Municipalities, pr.PersonalNumber = auth.Staff, p.Municipalities, ""
		for _, r := range p.Roles {
			pr.Roles = append(pr.Roles, auth.Role(r))
		}
	}
	return pr
}

// Run runs the workers until no job is due.
func (e *StaffEnv) Run(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.WF.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := e.DB.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state <> 'parked' AND kind NOT IN ('documents_due', 'kommunicering_due')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("jobs still due after 60 s")
}

// Get requests target as staff ("" for nobody).
func (e *StaffEnv) Get(t testing.TB, staff, target string) Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if staff != "" {
		r.Header.Set(StaffHeader, staff)
	}
	return Do(t, e.H, r)
}

// Post posts form to target as staff.
func (e *StaffEnv) Post(t testing.TB, staff, target string, form url.Values) Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(StaffHeader, staff)
	return Do(t, e.H, r)
}

// CaseIn returns a case of scenario sc in state st.
func (e *StaffEnv) CaseIn(t testing.TB, sc demo.Scenario, st skalig.CaseState) *skalig.Case {
	t.Helper()
	for _, id := range e.ByKind[sc] {
		c, err := e.Cases.Case(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.State == st {
			return c
		}
	}
	t.Fatalf("no %s case in %s", sc, st)
	return nil
}

// Reads counts the reads of a case logged for actor.
func (e *StaffEnv) Reads(t testing.TB, caseID, actor string) int {
	t.Helper()
	evs, err := e.Cases.AuditEvents(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Action == store.ActionRead && ev.Actor == actor {
			n++
		}
	}
	return n
}

var (
	scriptRE      = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	inlineStyleRE = regexp.MustCompile(`(?i)\sstyle\s*=`)
	handlerAttrRE = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
)

// NoInlineScriptOrStyle fails t when body has what the Content Security
// Policy would block: an inline script, an event handler attribute or a
// style attribute.
func NoInlineScriptOrStyle(t testing.TB, body, what string) {
	t.Helper()
	for _, m := range scriptRE.FindAllStringSubmatch(body, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("%s: inline script %q", what, m[0])
		}
	}
	if inlineStyleRE.MatchString(body) {
		t.Errorf("%s: style attribute", what)
	}
	if m := handlerAttrRE.FindString(body); m != "" {
		t.Errorf("%s: event handler attribute %q", what, m)
	}
}
