// Package caseworker serves the staff's pages under Path (/handlaggning):
// the work queues, the case with its history and evidence, the actions on a
// case (approve, decide, sign, adjust, ask for documents, message, sample
// control), a small JSON API for the signed-in staff member, and the frame
// every staff page shares (who may enter, the navigation, the municipality
// switch, staff names, the audit trail's wording). Its templates are
// embedded here and parsed with the shared layout at Mount; its messages
// are in internal/web/locales/caseworker.*.json.
package caseworker

import (
	"context"
	"embed"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/municipal"
	"skalig/internal/registerutdrag"
	"skalig/internal/web"
	"skalig/internal/workflow"
)

// Path is the root of the caseworker's pages (handläggning).
const Path = "/handlaggning"

// Deps is what the caseworker's pages need.
type Deps struct {
	// Workflow reads and acts on cases. Required.
	Workflow *workflow.Workflow
	// Casework keeps the desk's data: staff, assignments, the work
	// queues, proposals waiting for a second signature. Required.
	Casework skalig.CaseworkService
	// Config is the municipal configuration with the versions made in the
	// administration pages over the embedded ones (configdb.MunicipalConfig).
	// Required. Give the workflow the same one, so that a change applies
	// at once.
	Config municipal.Configuration
	// Directory lists staff known beforehand (the development provider's
	// synthetic staff in the demo), offered with those seen at login when a
	// case is assigned to a colleague, and named in the history. Optional.
	Directory []skalig.StaffMember
	// Drafts and Registerutdrag (store.CaseStore) make the registerutdrag
	// page (Path+"/registerutdrag") for a request by post. Optional: the
	// page is there when both are given.
	Drafts         skalig.DraftService
	Registerutdrag registerutdrag.Persons
}

// Mount registers the caseworker's pages on s, under Path: the work
// queues, the case view and its actions, and a small JSON API for the
// signed-in staff member (Path+"/api/"). It returns the desk, on which
// internal/web/admin mounts the administration of the municipal
// configuration and the parameter sets.
//
// Every page needs a staff member signed in through internal/auth (its
// Middleware puts the principal in the request's context): anyone else is
// sent to log in (GET) or refused (401), an applicant gets 403. A staff
// member sees only the cases of their municipalities: any other case is
// 404, by URL and by API, and nothing is logged as read. Every view of a
// case is written to the audit trail (workflow.View). What each role may do
// is in docs/caseworker.md. Call it before s.Handler.
func Mount(s *web.Server, d Deps) (*Desk, error) {
	if d.Workflow == nil || d.Casework == nil || d.Config == nil {
		return nil, errors.New("caseworker: Deps needs Workflow, Casework and Config")
	}
	c := &Desk{
		s: s, wf: d.Workflow, cases: d.Workflow.Cases(), desk: d.Casework, mc: d.Config,
		dir: d.Directory, drafts: d.Drafts, utdrag: d.Registerutdrag,
	}
	if err := s.AddPages("caseworker", templates); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

// Config returns the municipal configuration (Deps.Config, or the one
// Mount made).
func (c *Desk) Config() municipal.Configuration { return c.mc }

// Workflow returns the workflow the desk reads and acts through.
func (c *Desk) Workflow() *workflow.Workflow { return c.wf }

// Store returns the caseworker's storage: staff, assignments, the history
// of the configuration.
func (c *Desk) Store() skalig.CaseworkService { return c.desk }

// templates are the caseworker's pages and partials, parsed with the
// shared layout by Mount.
//
//go:embed templates
var templates embed.FS

// Desk serves the caseworker's pages, and is the frame the administration
// (internal/web/admin) is built on.
type Desk struct {
	s     *web.Server
	wf    *workflow.Workflow
	cases skalig.CaseService
	desk  skalig.CaseworkService
	mc    municipal.Configuration
	dir   []skalig.StaffMember

	drafts skalig.DraftService
	utdrag registerutdrag.Persons

	seen sync.Map // subject -> time.Time of the last SeeStaff
	open sync.Map // municipality -> *cwOpenList: the open cases, for the queues
}

// Role groups: who may do what on the caseworker's side.
var (
	// RolesWork see the queues and the cases.
	RolesWork = []auth.Role{auth.RoleCaseworker, auth.RoleFinancialAssistant, auth.RoleManager}
	// RolesAct adjust items, ask for documents, message the applicant,
	// record sample results, take a case and approve as calculated.
	RolesAct = []auth.Role{auth.RoleCaseworker, auth.RoleFinancialAssistant}
	// RolesDecide also reject and approve in part, and sign another's
	// decision (four eyes).
	RolesDecide = []auth.Role{auth.RoleCaseworker}
	// RolesDistribute assign cases to colleagues.
	RolesDistribute = []auth.Role{auth.RoleCaseworker, auth.RoleManager}
	// RolesReadLog see who has read a case.
	RolesReadLog = []auth.Role{auth.RoleManager}
	// RolesAdminView see the configuration; RolesAdminEdit change it.
	RolesAdminView = []auth.Role{auth.RoleAdministrator, auth.RoleManager}
	RolesAdminEdit = []auth.Role{auth.RoleAdministrator}
)

// handleStaff registers a page of the staff's for roles.
func (c *Desk) handleStaff(pattern string, roles []auth.Role, fn func(http.ResponseWriter, *http.Request, *auth.Principal)) {
	c.s.Handle(pattern, c.Staff(roles, fn))
}

func (c *Desk) routes() {
	h := c.handleStaff
	p := Path
	// The staff's entry: an administrator (who works with no queue) is
	// sent on to the administration, not refused.
	entry := append(slices.Clone(RolesWork), auth.RoleAdministrator)
	h("GET "+p, entry, c.handleQueues)
	h("GET "+p+"/{$}", entry, c.handleQueues)
	h("GET "+p+"/sok", RolesWork, c.handleSearch)
	h("POST "+p+"/sok", RolesWork, c.handleSearch)
	h("GET "+p+"/arenden/{id}", RolesWork, c.handleCase)
	h("POST "+p+"/arenden/{id}/tilldela", RolesWork, c.handleAssign)
	h("GET "+p+"/arenden/{id}/godkann", RolesAct, c.handleApprove)
	h("POST "+p+"/arenden/{id}/godkann", RolesAct, c.handleApprove)
	h("GET "+p+"/arenden/{id}/beslut", RolesAct, c.handleDecide)
	h("POST "+p+"/arenden/{id}/beslut", RolesAct, c.handleDecide)
	h("POST "+p+"/arenden/{id}/signera", RolesDecide, c.handleSign)
	h("GET "+p+"/arenden/{id}/justera", RolesAct, c.handleAdjust)
	h("POST "+p+"/arenden/{id}/justera", RolesAct, c.handleAdjust)
	h("GET "+p+"/arenden/{id}/komplettering", RolesAct, c.handleRequestDocuments)
	h("POST "+p+"/arenden/{id}/komplettering", RolesAct, c.handleRequestDocuments)
	h("GET "+p+"/arenden/{id}/villkor", RolesAct, c.handleConditions)
	h("POST "+p+"/arenden/{id}/villkor", RolesAct, c.handleConditions)
	h("GET "+p+"/arenden/{id}/meddelande", RolesAct, c.handleMessage)
	h("POST "+p+"/arenden/{id}/meddelande", RolesAct, c.handleMessage)
	h("GET "+p+"/arenden/{id}/stickprov", RolesAct, c.handleSample)
	h("POST "+p+"/arenden/{id}/stickprov", RolesAct, c.handleSample)
	h("GET "+p+"/arenden/{id}/dokument/{doc}", RolesWork, c.handleDocument)
	h("GET "+p+"/arenden/{id}/underlag", RolesWork, c.handleEvidence)
	h("GET "+p+"/api/arenden/{id}", RolesWork, c.handleAPICase)
	h("GET "+p+"/api/koer", RolesWork, c.handleAPIQueues)
	if c.utdrag != nil && c.drafts != nil {
		h("GET "+p+"/registerutdrag", RolesUtdrag, c.handleRegisterutdrag)
		h("POST "+p+"/registerutdrag", RolesUtdrag, c.handleRegisterutdrag)
	}
	c.afterRoutes()
	c.changeRoutes()
}

// Staff lets through a staff member with one of roles and gives fn the
// principal. Nobody signed in: to the login (GET) or 401; an applicant or a
// member of staff without the role: 403. Responses are not stored by the
// browser: they hold personal data. A POST body is limited to 1 MB.
func (c *Desk) Staff(roles []auth.Role, fn func(http.ResponseWriter, *http.Request, *auth.Principal)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		p, ok := auth.FromContext(r.Context())
		switch {
		case !ok:
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				if c.s.Config().LoginURL != nil {
					http.Redirect(w, r, c.s.Config().LoginURL(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
			}
			c.s.ErrorStatus(w, r, http.StatusUnauthorized, "")
			return
		case !p.HasAnyRole(roles...):
			c.s.Forbidden(w, r)
			return
		}
		c.see(r.Context(), p)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if err := r.ParseForm(); err != nil {
				c.s.FormError(w, r, err)
				return
			}
		}
		fn(w, r, p)
		if r.Method == http.MethodPost {
			// Whatever the POST changed, the queues show it at once. (A
			// case's municipality is one of the staff member's.)
			for _, code := range p.Municipalities {
				c.changed(code)
			}
		}
	})
}

// see records the staff member in the staff table, at most every ten
// minutes per process: names in the history and colleagues come from it.
func (c *Desk) see(ctx context.Context, p *auth.Principal) {
	now := time.Now()
	if t, ok := c.seen.Load(p.Subject); ok && now.Sub(t.(time.Time)) < 10*time.Minute {
		return
	}
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	err := c.desk.SeeStaff(ctx, skalig.StaffMember{Subject: p.Subject, Name: p.Name, Roles: roles, Municipalities: p.Municipalities})
	if err != nil {
		c.s.Logger().WarnContext(ctx, "see staff", "request_id", web.RequestID(ctx), "err", err)
		return
	}
	c.seen.Store(p.Subject, now)
}

// cwReader is how the staff member appears in the audit trail when reading.
func cwReader(p *auth.Principal) workflow.Reader {
	return workflow.Reader{Actor: cwActor(p), Via: "web"}
}

// cwActor is the audit actor of a staff member's own actions (reads,
// assignments, configuration); the workflow writes "caseworker:<subject>"
// for the actions it takes for them.
func cwActor(p *auth.Principal) string { return "staff:" + p.Subject }

// loadCase returns the case of the request's {id} when the staff member
// works for its municipality. Otherwise the 404 page is written (the same
// as for a case that does not exist: staff of another municipality learn
// nothing), and nothing is logged as read.
func (c *Desk) loadCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) (*skalig.Case, bool) {
	cs, err := c.cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			c.s.NotFound(w, r)
		} else {
			c.s.Error(w, r, err)
		}
		return nil, false
	}
	if !p.InMunicipality(cs.Municipality) {
		c.s.NotFound(w, r)
		return nil, false
	}
	return cs, true
}

// Municipality returns the municipality the request is about: ?kommun= when
// the staff member works for it (404 otherwise), else their first.
func (c *Desk) Municipality(w http.ResponseWriter, r *http.Request, p *auth.Principal) (string, bool) {
	code := r.URL.Query().Get("kommun")
	if code == "" {
		code = r.PostForm.Get("kommun")
	}
	if code == "" {
		if len(p.Municipalities) == 0 {
			c.s.Forbidden(w, r)
			return "", false
		}
		return p.Municipalities[0], true
	}
	if !p.InMunicipality(code) {
		c.s.NotFound(w, r)
		return "", false
	}
	return code, true
}

// MunicipalityName names the municipality with code, or "kommun <code>"
// when Skälig has no file for it.
func (c *Desk) MunicipalityName(code string) string {
	if m, err := c.s.Config().Municipalities.Get(code); err == nil {
		return m.Name
	}
	return "kommun " + code
}

// MunicipalityChoice is one municipality in the switch of a page, for
// staff working for several.
type MunicipalityChoice struct {
	Code, Name, URL string
	Current         bool
}

// MunicipalityChoices returns the municipality switch of a page at path
// with query q, or nil for staff working for one municipality.
func (c *Desk) MunicipalityChoices(p *auth.Principal, current, path string, q url.Values) []MunicipalityChoice {
	if len(p.Municipalities) < 2 {
		return nil
	}
	var out []MunicipalityChoice
	for _, code := range p.Municipalities {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("kommun", code)
		out = append(out, MunicipalityChoice{Code: code, Name: c.MunicipalityName(code), URL: path + "?" + v.Encode(), Current: code == current})
	}
	return out
}

// Names maps staff subjects to names: the directory and those seen.
func (c *Desk) Names(ctx context.Context) map[string]string {
	out := map[string]string{}
	for _, m := range c.dir {
		out[m.Subject] = m.Name
	}
	if staff, err := c.desk.Staff(ctx, ""); err == nil {
		for _, m := range staff {
			if m.Name != "" {
				out[m.Subject] = m.Name
			}
		}
	}
	return out
}

// colleagues returns who a case of municipality may be given to: staff of
// it who act on cases (caseworkers, financial assistants), by name.
func (c *Desk) colleagues(ctx context.Context, municipality string) []skalig.StaffMember {
	bySub := map[string]skalig.StaffMember{}
	for _, m := range c.dir {
		if slices.Contains(m.Municipalities, municipality) {
			bySub[m.Subject] = m
		}
	}
	if staff, err := c.desk.Staff(ctx, municipality); err == nil {
		for _, m := range staff {
			bySub[m.Subject] = m
		}
	}
	var out []skalig.StaffMember
	for _, m := range bySub {
		if slices.Contains(m.Roles, string(auth.RoleCaseworker)) || slices.Contains(m.Roles, string(auth.RoleFinancialAssistant)) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b skalig.StaffMember) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ActorName names an audit actor for a reader: a member of staff by name,
// the applicant, or Skälig itself.
func ActorName(l *web.Lang, names map[string]string, actor string) string {
	kind, id, _ := strings.Cut(actor, ":")
	switch kind {
	case "staff", "caseworker":
		if n, ok := names[id]; ok {
			return n
		}
		return id
	case "applicant":
		return l.T("cw.actor.applicant")
	case "worker", "system":
		return l.T("cw.actor.system")
	case "api":
		return l.T("cw.actor.api", id)
	}
	return actor
}

// cwCaseURL is the path of a case's page.
func cwCaseURL(id string) string { return Path + "/arenden/" + url.PathEscape(id) }

// cwLocalReturn returns s when it is a path of the caseworker's pages (a safe
// place to go back to after a POST), else def.
func cwLocalReturn(s, def string) string {
	if strings.HasPrefix(s, Path) && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\r\n") {
		return s
	}
	return def
}

// RedirectDone sends the browser back to path after a successful POST, with
// ?klart=what so that the page says what was done.
func RedirectDone(w http.ResponseWriter, r *http.Request, path, what string) {
	path, frag, hasFrag := strings.Cut(path, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	to := path + sep + "klart=" + url.QueryEscape(what)
	if hasFrag {
		to += "#" + frag // the query before the fragment, or the server never sees it
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// cwDoneKeys are the messages of ?klart= after an action.
var cwDoneKeys = map[string]string{
	"tilldelad":           "cw.done.assigned",
	"beslut":              "cw.done.decided",
	"forslag":             "cw.done.proposed",
	"signerat":            "cw.done.signed",
	"tillbaka":            "cw.done.returned",
	"justerad":            "cw.done.adjusted",
	"villkor":             "cw.done.conditions",
	"komplettering":       "cw.done.documents",
	"meddelande":          "cw.done.message",
	"stickprov":           "cw.done.sample",
	"konfiguration":       "cw.done.config",
	"kommunicerad":        "cw.done.kommunicering",
	"beraknad":            "cw.done.manual",
	"provad":              "cw.done.review",
	"overlamnad":          "cw.done.forwarded",
	"andrat":              "cw.done.changed",
	"andring_foreslagen":  "cw.done.change_proposed",
	"andring_tillbaka":    "cw.done.change_returned",
	"parametrar_inlasta":  "cw.done.params_loaded",
	"parametrar_godkanda": "cw.done.params_approved",
	"forslag-sparat":      "cw.done.config_proposed",
	"i-kraft":             "cw.done.config_in_force",
}

// cwDoneMessage is the page's message for ?klart=, or "".
func cwDoneMessage(p *web.Page, r *http.Request) string {
	if k, ok := cwDoneKeys[r.URL.Query().Get("klart")]; ok {
		return p.T(k)
	}
	return ""
}

// now is the server's clock.
func (c *Desk) now() time.Time { return c.s.Now() }

// today is the server's date in its time zone.
func (c *Desk) today() skalig.Date { return skalig.DateOf(c.now().In(c.s.Location())) }

// daysSince counts whole days from t to now.
func (c *Desk) daysSince(t time.Time) int {
	if t.IsZero() {
		return 0
	}
	return int(c.now().Sub(t) / (24 * time.Hour))
}

// cwPage is the data every caseworker page has besides its own: the
// staff navigation and who is signed in.
type cwPage struct {
	Nav  []cwNavItem
	Done string // what was just done (after a POST), or ""
	Data any
}

type cwNavItem struct {
	URL, Label string
	Current    bool
}

// Page returns the Page for a caseworker page with the staff navigation.
func (c *Desk) Page(r *http.Request, p *auth.Principal, title string, data any) *web.Page {
	pg := c.s.Page(r)
	pg.Title = title
	var nav []cwNavItem
	add := func(path, key string, roles []auth.Role) {
		if p.HasAnyRole(roles...) {
			cur := r.URL.Path == path || (path != Path && strings.HasPrefix(r.URL.Path, path))
			if path == Path {
				cur = r.URL.Path == Path || r.URL.Path == Path+"/" || strings.HasPrefix(r.URL.Path, Path+"/arenden")
			}
			nav = append(nav, cwNavItem{URL: path, Label: pg.T(key), Current: cur})
		}
	}
	add(Path, "cw.nav.queues", RolesWork)
	if c.utdrag != nil && c.drafts != nil {
		add(Path+"/registerutdrag", "cw.nav.utdrag", RolesUtdrag)
	}
	add(Path+"/statistik", "cw.nav.stats", RolesAdminView)
	add(Path+"/omprovning", "cw.nav.reviews", RolesWork)
	add(Path+"/provkorning", "cw.nav.whatif", RolesAdminView)
	add(Path+"/admin", "cw.nav.admin", RolesAdminView)
	add(Path+"/parametrar", "cw.nav.params", append(slices.Clone(RolesWork), auth.RoleAdministrator))
	pg.Data = &cwPage{Nav: nav, Done: cwDoneMessage(pg, r), Data: data}
	return pg
}

// FormError renders page with the form's errors (422), or the 500 page
// when err is not the person's to act on.
func (c *Desk) FormError(w http.ResponseWriter, r *http.Request, pg *web.Page, page string, f *web.Form, err error) {
	if err != nil {
		if e := f.AddError(err); e != nil {
			c.s.Error(w, r, e)
			return
		}
	}
	pg.Form = f
	c.render(w, r, http.StatusUnprocessableEntity, page, pg)
}

// render renders a caseworker page. When the page shows a case's head (its
// data is a cwCaseShown), the read is logged first, whatever the status:
// every response that shows a case's personal data is in its read log, the
// 422 answer of a form as much as the form itself. A read that cannot be
// logged is not shown.
func (c *Desk) render(w http.ResponseWriter, r *http.Request, status int, page string, pg *web.Page) {
	if cp, ok := pg.Data.(*cwPage); ok {
		if v, ok := cp.Data.(cwCaseShown); ok {
			if h := v.caseHead(); h != nil {
				if err := c.cases.LogRead(r.Context(), h.reader, h.ID, "web", "case"); err != nil {
					c.s.Error(w, r, err)
					return
				}
			}
		}
	}
	c.s.Render(w, r, status, page, pg)
}
