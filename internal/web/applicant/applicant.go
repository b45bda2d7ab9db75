// Package applicant serves the applicant's pages on the shared web.Server:
// the start page, the e-service (/ansokan: first application, monthly
// re-application, the co-applicant's signature, the receipt) and Mina sidor
// (the person's cases, document requests, messages, the decision and its
// explanation). Its templates are embedded here and parsed with the shared
// layout at Register; its messages are in internal/web/locales/applicant.*.json.
package applicant

import (
	"embed"
	"fmt"
	"net/http"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/letters"
	"skalig/internal/municipal"
	"skalig/internal/registerutdrag"
	"skalig/internal/web"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecheck"
)

// Paths of the applicant's pages. URLs are Swedish, like the rest of the
// site; the language is not in the path.
const (
	// MinaSidorPath is the applicant's overview: every application and
	// case of the person, drafts and what waits for them.
	MinaSidorPath = "/mina-sidor"
	// RegisterutdragPath + ".pdf" or ".json" downloads the person's
	// registerutdrag (GDPR art. 15, internal/registerutdrag).
	RegisterutdragPath = "/mina-sidor/registerutdrag"
	// CasePathPrefix + a case id is a case's page on Mina sidor.
	CasePathPrefix = "/mina-sidor/arenden/"
	// ApplyPath starts an application (POST); ApplyPath + "/" + a draft
	// id is the draft.
	ApplyPath = "/ansokan"
)

// Config is what the applicant's pages (the e-service and Mina
// sidor) need from the program that wires them.
type Config struct {
	// Workflow submits applications, reads cases (every read is logged),
	// takes uploads, messages and review requests. Required.
	Workflow *workflow.Workflow
	// Drafts keeps the e-service's drafts and signatures. Required.
	Drafts skalig.DraftService
	// Require lets through only a logged-in applicant: auth's
	// RequireApplicant. Every applicant page is behind it. Required.
	Require func(http.Handler) http.Handler
	// MaxUploadBytes bounds an uploaded document; 0 is
	// casecheck.MaxDocumentBytes.
	MaxUploadBytes int64
	// Registerutdrag is the person's data beyond the case file and the
	// extract's log (store.CaseStore): with it, Mina sidor offers the
	// registerutdrag (RegisterutdragPath). Optional.
	Registerutdrag registerutdrag.Persons
	// Municipal gives the municipality's name and contact details for the
	// decision letter; nil is municipal.Default().
	Municipal *municipal.Set
	// LetterMetrics counts the decision letters served
	// (letters.NewMetrics(reg, "web")); nil counts nothing.
	LetterMetrics *letters.Metrics
}

// templates are the applicant's pages and partials, parsed with the shared
// layout by Register.
//
//go:embed templates
var templates embed.FS

// applicant serves the applicant's pages on a Server.
type applicant struct {
	s      *web.Server
	wf     *workflow.Workflow
	cases  skalig.CaseService
	drafts skalig.DraftService
	mun    *municipal.Set
	max    int64
	utdrag registerutdrag.Persons
	lm     *letters.Metrics
}

// Register adds the applicant's pages to s: the start page (which
// takes over the default one), the e-service (/ansokan: first application,
// monthly re-application, the co-applicant's signature, the receipt) and
// Mina sidor (the person's cases: timeline, document requests with upload,
// messages, the decision and its explanation, review requests). Call it
// before Handler. docs/web.md describes the pages.
//
// Applicants see only the drafts and cases where their own personnummer
// (the principal's) is the applicant's or the co-applicant's; anything else
// answers the 404 page, so that a case id says nothing about whether it
// exists.
func Register(s *web.Server, cfg Config) error {
	if cfg.Workflow == nil || cfg.Drafts == nil || cfg.Require == nil {
		return fmt.Errorf("applicant: Config needs Workflow, Drafts and Require")
	}
	if err := s.AddPages("applicant", templates); err != nil {
		return err
	}
	a := &applicant{s: s, wf: cfg.Workflow, cases: cfg.Workflow.Cases(), drafts: cfg.Drafts, max: cfg.MaxUploadBytes, lm: cfg.LetterMetrics, utdrag: cfg.Registerutdrag}
	if a.max <= 0 {
		a.max = casecheck.MaxDocumentBytes
	}
	if a.mun = cfg.Municipal; a.mun == nil {
		mun, err := municipal.Default()
		if err != nil {
			return err
		}
		a.mun = mun
	}
	req := func(pattern string, h http.HandlerFunc) { s.Handle(pattern, cfg.Require(h)) }

	s.HandleFunc("GET /{$}", a.handleStart)

	req("GET "+MinaSidorPath, a.handleOverview)
	req("GET "+CasePathPrefix+"{id}", a.handleCase)
	req("GET "+CasePathPrefix+"{id}/berakning", a.handleExplanation)
	req("GET "+CasePathPrefix+"{id}/dokument/{doc}", a.handleDocument)
	req("GET "+CasePathPrefix+"{id}/beslut.pdf", a.handleLetter(true))
	req("GET "+CasePathPrefix+"{id}/beslut.html", a.handleLetter(false))
	req("POST "+CasePathPrefix+"{id}/dokument", a.handleUpload)
	req("POST "+CasePathPrefix+"{id}/meddelanden", a.handleMessage)
	req("POST "+CasePathPrefix+"{id}/omprovning", a.handleReviewRequest)
	if cfg.Registerutdrag != nil {
		req("GET "+RegisterutdragPath+".pdf", a.handleRegisterutdrag("pdf"))
		req("GET "+RegisterutdragPath+".json", a.handleRegisterutdrag("json"))
	}
	a.afterRoutes(req)

	req("POST "+ApplyPath, a.handleStartApplication)
	req("GET "+ApplyPath+"/{id}", a.handleDraft)
	for _, st := range append(applySteps[:len(applySteps):len(applySteps)], reviewStep) {
		// Each step has its own pattern: a wildcard step would conflict
		// with the literal paths below in the ServeMux.
		req("GET "+ApplyPath+"/{id}/"+st, a.handleStep(st))
		req("POST "+ApplyPath+"/{id}/"+st, a.handleStep(st))
	}
	req("GET "+ApplyPath+"/{id}/underskrift", a.handleSign)
	req("POST "+ApplyPath+"/{id}/underskrift", a.handleSign)
	req("GET "+ApplyPath+"/{id}/kvitto", a.handleReceipt)
	req("POST "+ApplyPath+"/{id}/skicka", a.handleResubmit)
	req("POST "+ApplyPath+"/{id}/ta-tillbaka", a.handleReopen)
	req("GET "+ApplyPath+"/{id}/ta-bort", a.handleDelete)
	req("POST "+ApplyPath+"/{id}/ta-bort", a.handleDelete)
	return nil
}

// person returns the applicant logged in. Require guarantees one; a
// request without (a wiring mistake) gets the 401 page.
func (a *applicant) person(w http.ResponseWriter, r *http.Request) (*auth.Principal, bool) {
	p, ok := auth.FromContext(r.Context())
	if !ok || !p.IsApplicant() || p.PersonalNumber.Validate() != nil {
		a.s.Error(w, r, skalig.Errorf(skalig.EUNAUTHORIZED, "Logga in för att se sidan."))
		return nil, false
	}
	return p, true
}

// reader is how a read of a case by p is written in the audit trail: as
// "applicant", one of the case's own persons, with no part of the
// personnummer. The actor is in the hashed, never removed part of an audit
// event, so a birth date there would outlive gallring (docs/audit.md); the
// case id says whose case was read.
func reader(p *auth.Principal) workflow.Reader {
	return workflow.Reader{Actor: "applicant", Via: "web"}
}

// ownCase checks that the case exists and p is its applicant or
// co-applicant; otherwise it answers the 404 page (also for a case that
// exists: another person's case is not there for p).
func (a *applicant) ownCase(w http.ResponseWriter, r *http.Request, p *auth.Principal, id string) bool {
	ok, err := a.cases.IsCasePerson(r.Context(), id, p.PersonalNumber)
	if err != nil {
		a.s.Error(w, r, err)
		return false
	}
	if !ok {
		a.s.NotFound(w, r)
		return false
	}
	return true
}

// caseOf reads the case id of the path and checks that the signed-in
// person is one of the case's persons (ownCase); otherwise the answer is
// written and ok is false.
func (a *applicant) caseOf(w http.ResponseWriter, r *http.Request) (p *auth.Principal, id string, ok bool) {
	if p, ok = a.person(w, r); !ok {
		return nil, "", false
	}
	id = r.PathValue("id")
	if !a.ownCase(w, r, p, id) {
		return nil, "", false
	}
	return p, id, true
}

// ownCaseForm is caseOf for a small form posted to the case (64 kB at
// most), with the form parsed.
func (a *applicant) ownCaseForm(w http.ResponseWriter, r *http.Request) (p *auth.Principal, id string, ok bool) {
	if p, id, ok = a.caseOf(w, r); !ok {
		return nil, "", false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.s.ErrorStatus(w, r, http.StatusBadRequest, "")
		return nil, "", false
	}
	return p, id, true
}

// when formats an instant for the page: "22 november 2026 kl. 10.05".
func (a *applicant) when(l *web.Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(a.s.Location())
	clock := t.Format("15:04")
	if l == web.Swedish {
		clock = t.Format("15.04")
	}
	return l.T("time.at", l.Date(t), clock)
}

// today is the date in the server's time zone.
func (a *applicant) today() skalig.Date { return skalig.DateOf(a.s.Now().In(a.s.Location())) }

// startView is the data of the start page.
type startView struct {
	LoggedIn, Applicant, Staff bool
	LoginURL                   string
}

// handleStart is the start page: what the service is, and the way in.
func (a *applicant) handleStart(w http.ResponseWriter, r *http.Request) {
	p := a.s.Page(r)
	p.Title = p.T("start.title")
	v := &startView{}
	if pr, ok := auth.FromContext(r.Context()); ok {
		v.LoggedIn, v.Applicant, v.Staff = true, pr.IsApplicant(), pr.IsStaff()
	}
	if a.s.Config().LoginURL != nil {
		v.LoginURL = a.s.Config().LoginURL(MinaSidorPath)
	}
	p.Data = v
	a.s.Render(w, r, http.StatusOK, "applicant_start", p)
}
