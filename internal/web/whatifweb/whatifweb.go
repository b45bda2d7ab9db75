// Package whatifweb serves the what-if runs (internal/whatif,
// docs/whatif.md) to administrators and managers on the staff's side, under
// caseworker.Path+"/provkorning": a form to start a run (a ready-made
// example of the demo, an uploaded municipal file, routing version or
// parameter table, or the engine; the selection of months, household types
// and outcomes), the kept runs of the municipality, a run's result (the
// totals, the breakdown by household type as a table and a bar chart drawn
// on the server as SVG, the changed cases a page at a time, a CSV export)
// and one changed case side by side, decided against the candidate, line
// by line with the trace. A run is a durable job (whatif.JobRun): starting
// it keeps it queued and shows its page, where its progress shows (a
// status region and a link to look again: no script needed) until it is
// done. With an end date the form starts a shadow run instead
// (whatif.JobShadow), whose page accumulates as decisions are made.
// Showing changed cases reads case data: every case shown is logged as read
// (store.CaseStore.LogRead). Its templates are embedded here and parsed
// with the shared layout and the caseworker's partials; its messages are
// in internal/web/locales/caseworker.*.json (keys cw.whatif.*).
package whatifweb

import (
	"context"
	"embed"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	whatifexamples "skalig/examples/whatif"
	"skalig/internal/auth"
	"skalig/internal/store/whatifdb"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/whatif"

	"skalig"
)

// Path is the what-if pages' root: the form and the kept runs;
// Path+"/{id}" a run's result, Path+"/{id}/csv" its changed cases as CSV,
// Path+"/{id}/arende/{decision}" one changed case side by side.
const Path = caseworker.Path + "/provkorning"

// Roles may start and read what-if runs: administrators and managers, who
// see the configuration (caseworker.RolesAdminView). A run changes nothing
// live.
var Roles = caseworker.RolesAdminView

// PageSize is the number of changed cases a result page shows.
const PageSize = 50

// maxUpload is the largest candidate file taken.
const maxUpload = 2 << 20

// runsShown is how many kept runs the list shows.
const runsShown = 50

//go:embed templates
var templates embed.FS

type pages struct {
	*caseworker.Desk
	s      *web.Server
	runner *whatif.Runner
	reads  ReadLog
}

// ReadLog logs that a member of staff read a case (store.CaseStore).
type ReadLog interface {
	LogRead(ctx context.Context, actor, caseID, via, what string) error
}

// Mount registers the what-if pages on s, on the desk that caseworker.Mount
// returned, running with runner (its Cases and Live set) and logging the
// reads of cases in reads. Call it after caseworker.Mount and before
// s.Handler.
func Mount(s *web.Server, d *caseworker.Desk, runner *whatif.Runner, reads ReadLog) error {
	if d == nil || runner == nil || runner.Cases == nil || reads == nil {
		return errors.New("whatifweb: no caseworker desk, what-if runner or read log")
	}
	if err := s.AddPages("whatif", templates, "caseworker"); err != nil {
		return err
	}
	p := &pages{Desk: d, s: s, runner: runner, reads: reads}
	s.Handle("GET "+Path, d.Staff(Roles, p.handleIndex))
	s.Handle("POST "+Path, d.Staff(Roles, p.handleStart))
	s.Handle("GET "+Path+"/{id}", d.Staff(Roles, p.handleResult))
	s.Handle("POST "+Path+"/{id}/avsluta", d.Staff(caseworker.RolesAdminEdit, p.handleStop))
	s.Handle("GET "+Path+"/{id}/csv", d.Staff(Roles, p.handleCSV))
	s.Handle("GET "+Path+"/{id}/arende/{decision}", d.Staff(Roles, p.handleCompare))
	return nil
}

// example is a ready-made candidate of the demo.
type example struct {
	Value, File string
	Kind        whatif.Kind
	Key         string // the label's message key
}

var examples = []example{
	{"exempel-bostad", "0821-bostad+10.json", whatif.KindMunicipal, "cw.whatif.kind.example_housing"},
	{"exempel-delegation", "routing-8000.json", whatif.KindRouting, "cw.whatif.kind.example_routing"},
}

// uploadKinds are the candidates read from an uploaded file.
var uploadKinds = map[string]whatif.Kind{"kommunfil": whatif.KindMunicipal, "routning": whatif.KindRouting, "parametrar": whatif.KindParams}

var outcomes = []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected}

// choice is one box of a group of check boxes.
type choice struct {
	Value, Label, ID string
	Checked          bool
}

// indexView is the data of the form and the list of runs.
type indexView struct {
	Code, Municipality string
	Action             string
	Municipalities     []caseworker.MunicipalityChoice
	Kinds              []web.Option
	Households         []choice
	Outcomes           []choice
	Runs               []runRow
}

type runRow struct {
	URL, When, Who, Candidate, Selection string
	Status                               string
	Cases, Changed                       int
}

func (p *pages) index(r *http.Request, pr *auth.Principal, code string, f *web.Form) (*indexView, error) {
	ctx := r.Context()
	l := web.LangFrom(ctx)
	v := &indexView{Code: code, Municipality: p.MunicipalityName(code), Action: Path + "?" + url.Values{"kommun": {code}}.Encode(),
		Municipalities: p.MunicipalityChoices(pr, code, Path, r.URL.Query())}
	for _, e := range examples {
		v.Kinds = append(v.Kinds, web.Option{Value: e.Value, Label: l.T(e.Key)})
	}
	for _, k := range []string{"kommunfil", "routning", "parametrar"} {
		v.Kinds = append(v.Kinds, web.Option{Value: k, Label: l.T("cw.whatif.kind." + k)})
	}
	v.Kinds = append(v.Kinds, web.Option{Value: "motor", Label: l.T("cw.whatif.kind.motor")})
	for _, t := range whatif.HouseholdTypes {
		v.Households = append(v.Households, choice{Value: t, Label: l.T("cw.whatif.household." + t), ID: "f-household_types-" + t,
			Checked: slices.Contains(f.Values["household_types"], t)})
	}
	for _, o := range outcomes {
		v.Outcomes = append(v.Outcomes, choice{Value: string(o), Label: l.T("cw.whatif.outcome." + string(o)), ID: "f-outcomes-" + string(o),
			Checked: slices.Contains(f.Values["outcomes"], string(o))})
	}
	runs, err := p.runner.Cases.Runs(ctx, code, runsShown)
	if err != nil {
		return nil, err
	}
	names := p.Names(ctx)
	for _, run := range runs {
		v.Runs = append(v.Runs, runRow{URL: runURL(run.ID, code), When: p.when(run.StartedAt),
			Who: caseworker.ActorName(l, names, run.Actor), Candidate: candidateLabel(l, whatif.Kind(run.CandidateKind), run.CandidateName),
			Status: statusText(l, run.Mode, run.Status), Cases: run.Cases, Changed: run.Changed})
	}
	return v, nil
}

// statusText names a run's status (and a shadow run as such) for a reader.
func statusText(l *web.Lang, mode, status string) string {
	t := l.T("cw.whatif.status." + status)
	if mode == whatifdb.ModeShadow {
		t = l.T("cw.whatif.mode.shadow") + ": " + t
	}
	return t
}

func runURL(id, code string) string {
	return Path + "/" + url.PathEscape(id) + "?" + url.Values{"kommun": {code}}.Encode()
}

func candidateLabel(l *web.Lang, k whatif.Kind, name string) string {
	return l.T("cw.whatif.candidate_kind."+string(k)) + ": " + name
}

func (p *pages) handleIndex(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	code, ok := p.Municipality(w, r, pr)
	if !ok {
		return
	}
	l := web.LangFrom(r.Context())
	f := web.NewForm(l, url.Values{"kandidat": {examples[0].Value}})
	v, err := p.index(r, pr, code, f)
	if err != nil {
		p.s.Error(w, r, err)
		return
	}
	pg := p.Page(r, pr, l.T("cw.whatif.title"), v)
	pg.Form = f
	p.s.Render(w, r, http.StatusOK, "cw-whatif", pg)
}

// handleStart reads the form, runs the candidate over the selection within
// the request and shows the kept run.
func (p *pages) handleStart(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	l := web.LangFrom(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+(64<<10))
	var tooLarge bool
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mb *http.MaxBytesError
			if !errors.As(err, &mb) {
				p.s.ErrorStatus(w, r, http.StatusBadRequest, l.T("cw.whatif.error.unreadable"))
				return
			}
			tooLarge = true
		}
	} else if err := r.ParseForm(); err != nil {
		p.s.ErrorStatus(w, r, http.StatusBadRequest, l.T("cw.whatif.error.unreadable"))
		return
	}
	code, ok := p.Municipality(w, r, pr)
	if !ok {
		return
	}
	f := web.NewForm(l, r.PostForm)
	if tooLarge {
		f.FailKey("fil", "cw.whatif.error.file_too_large", maxUpload>>20)
	}
	cand := p.candidate(r, f, code)
	sel := whatif.Selection{From: f.Value("from"), To: f.Value("to"), Municipality: code,
		HouseholdTypes: f.Values["household_types"]}
	for _, o := range f.Values["outcomes"] {
		sel.Outcomes = append(sel.Outcomes, skalig.Outcome(o))
	}
	if err := sel.Validate(); err != nil {
		if e := f.AddError(err); e != nil {
			p.s.Error(w, r, e)
			return
		}
	}
	if f.HasErrors() {
		p.formError(w, r, pr, code, f)
		return
	}
	// A shadow run when an end date is given: the candidate beside the
	// live configuration on the decisions to come until then.
	var until time.Time
	if v := strings.TrimSpace(f.Value("skugga_till")); v != "" {
		if d, ok := skalig.ParseDate(v); ok {
			until = time.Date(int(d.Y), time.Month(d.M), int(d.D), 0, 0, 0, 0, p.s.Location())
		} else {
			f.FailKey("skugga_till", "cw.whatif.error.shadow_until")
		}
	}
	if f.HasErrors() {
		p.formError(w, r, pr, code, f)
		return
	}
	actor := "staff:" + pr.Subject
	var id string
	var err error
	if !until.IsZero() {
		id, err = p.runner.StartShadow(r.Context(), actor, cand, code, time.Time{}, until, 0)
		if skalig.ErrorCode(err) == skalig.EINVALID {
			f.FailKey("skugga_till", "cw.whatif.error.shadow_until")
			p.formError(w, r, pr, code, f)
			return
		}
	} else {
		id, err = p.runner.Start(r.Context(), actor, cand, sel, 0)
	}
	if err != nil {
		if skalig.ErrorCode(err) == skalig.EINVALID {
			if e := f.AddError(err); e == nil {
				p.formError(w, r, pr, code, f)
				return
			}
		}
		p.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, runURL(id, code), http.StatusSeeOther)
}

// handleStop ends a shadow run before its period is over (an
// administrator's action, audited by whatif.Runner.StopShadow) and shows
// the run again.
func (p *pages) handleStop(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	res, ok := p.load(w, r, pr)
	if !ok {
		return
	}
	if err := p.runner.StopShadow(r.Context(), "staff:"+pr.Subject, res.ID); err != nil {
		p.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, runURL(res.ID, res.Selection.Municipality)+"&avslutad=1", http.StatusSeeOther)
}

func (p *pages) formError(w http.ResponseWriter, r *http.Request, pr *auth.Principal, code string, f *web.Form) {
	l := web.LangFrom(r.Context())
	v, err := p.index(r, pr, code, f)
	if err != nil {
		p.s.Error(w, r, err)
		return
	}
	pg := p.Page(r, pr, l.T("cw.whatif.title"), v)
	p.FormError(w, r, pg, "cw-whatif", f, nil)
}

// candidate reads the form's candidate, recording the errors on the
// fields "kandidat" and "fil".
func (p *pages) candidate(r *http.Request, f *web.Form, code string) *whatif.Candidate {
	l := f.Lang()
	choice := f.Value("kandidat")
	if choice == "motor" {
		return whatif.EngineCandidate()
	}
	for _, e := range examples {
		if e.Value == choice {
			b, err := fs.ReadFile(whatifexamples.Files, e.File)
			if err == nil {
				var c *whatif.Candidate
				if c, err = whatif.NewCandidate(e.Kind, e.File, b); err == nil {
					return p.sameMunicipality(f, c, code)
				}
			}
			f.Fail("kandidat", skalig.ErrorMessage(err))
			return nil
		}
	}
	kind, ok := uploadKinds[choice]
	if !ok {
		f.FailKey("kandidat", "cw.whatif.error.kind")
		return nil
	}
	if f.Error("fil") != "" {
		return nil
	}
	var file io.ReadCloser
	name := ""
	if r.MultipartForm != nil {
		if fh := r.MultipartForm.File["fil"]; len(fh) > 0 && fh[0].Size > 0 {
			name = fh[0].Filename
			var err error
			if file, err = fh[0].Open(); err != nil {
				f.FailKey("fil", "cw.whatif.error.file")
				return nil
			}
		}
	}
	if file == nil {
		f.FailKey("fil", "cw.whatif.error.file")
		return nil
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxUpload+1))
	if err != nil || len(b) > maxUpload {
		f.FailKey("fil", "cw.whatif.error.file_too_large", maxUpload>>20)
		return nil
	}
	c, err := whatif.NewCandidate(kind, name, b)
	if err != nil {
		f.Fail("fil", l.T("cw.whatif.error.file_invalid", skalig.ErrorMessage(err)))
		return nil
	}
	return p.sameMunicipality(f, c, code)
}

// sameMunicipality fails a municipal file of another municipality than the
// run's.
func (p *pages) sameMunicipality(f *web.Form, c *whatif.Candidate, code string) *whatif.Candidate {
	if m := c.Municipality(); m != "" && m != code {
		f.FailKey("fil", "cw.whatif.error.other_municipality", p.MunicipalityName(m), p.MunicipalityName(code))
		return nil
	}
	return c
}

// load reads the run of the request's {id} when the staff member works
// for its municipality (runs of every municipality, from the command line:
// administrators only); otherwise the 404 page is written.
func (p *pages) load(w http.ResponseWriter, r *http.Request, pr *auth.Principal) (*whatif.Result, bool) {
	res, err := whatif.Load(r.Context(), p.runner.Cases, r.PathValue("id"))
	if err != nil {
		p.s.Error(w, r, err)
		return nil, false
	}
	mun := res.Selection.Municipality
	if (mun != "" && !pr.InMunicipality(mun)) || (mun == "" && !pr.HasRole(auth.RoleAdministrator)) {
		p.s.NotFound(w, r)
		return nil, false
	}
	return res, true
}

// when writes a time in the server's zone.
func (p *pages) when(t time.Time) string { return t.In(p.s.Location()).Format("2006-01-02 15:04") }
