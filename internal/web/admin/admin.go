// Package admin serves the administration of the staff's side: the
// municipal configuration (routing and delegation, guidelines, casework
// settings) as dated versions with their history, and the parameter sets
// (riksnorm and other amounts) with their status. It is built on the
// caseworker's desk (internal/web/caseworker): the same role gate,
// navigation, municipality switch and history wording, under
// caseworker.Path+"/admin" and caseworker.Path+"/parametrar". Its templates
// are embedded here and parsed with the shared layout and the caseworker's
// partials at Mount; its messages are in
// internal/web/locales/caseworker.*.json (keys cw.admin.*, cw.params.*).
package admin

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/municipal"
	"skalig/internal/routing"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/whatif"
)

// admin serves the administration on a caseworker desk.
type admin struct {
	*caseworker.Desk
	s    *web.Server
	mc   municipal.Configuration
	desk skalig.CaseworkService
	pv   ParamVersions // nil: no parameter files are loaded here
	// ps keeps the proposals of routing and guidelines versions
	// (WithProposals); nil: none here.
	ps Proposals
	// runner previews a routing change (preview.go) and starts what-if
	// runs of proposals; nil: neither.
	runner *whatif.Runner
}

// Option configures the administration.
type Option func(*admin)

// WithParamVersions lets administrators load a year's parameter file and
// approve another's version in the parameter page (paramimport.go).
func WithParamVersions(pv ParamVersions) Option { return func(a *admin) { a.pv = pv } }

// templates are the administration's pages, parsed with the shared layout
// and the caseworker's partials by Mount.
//
//go:embed templates
var templates embed.FS

// Mount registers the administration on s, on the desk that
// caseworker.Mount returned: the overview and the forms of a new version of
// the routing, the guidelines and the casework settings (seen by
// administrators and managers, changed by administrators), and the
// parameter sets (seen by staff who work on cases and administrators).
// Call it after caseworker.Mount and before s.Handler.
func Mount(s *web.Server, d *caseworker.Desk, opts ...Option) error {
	if d == nil {
		return errors.New("admin: no caseworker desk")
	}
	if err := s.AddPages("admin", templates, "caseworker"); err != nil {
		return err
	}
	c := &admin{Desk: d, s: s, mc: d.Config(), desk: d.Store()}
	for _, o := range opts {
		o(c)
	}
	h := func(pattern string, roles []auth.Role, fn func(http.ResponseWriter, *http.Request, *auth.Principal)) {
		s.Handle(pattern, d.Staff(roles, fn))
	}
	p := caseworker.Path
	h("GET "+p+"/admin", caseworker.RolesAdminView, c.handleAdmin)
	h("GET "+p+"/admin/routing", caseworker.RolesAdminView, c.handleAdminRouting)
	h("POST "+p+"/admin/routing", caseworker.RolesAdminEdit, c.handleAdminRouting)
	h("GET "+p+"/admin/regeltest", caseworker.RolesAdminView, c.handleRuleTest)
	h("POST "+p+"/admin/regeltest", caseworker.RolesAdminView, c.handleRuleTest)
	h("GET "+p+"/admin/riktlinjer", caseworker.RolesAdminView, c.handleAdminGuidelines)
	h("POST "+p+"/admin/riktlinjer", caseworker.RolesAdminEdit, c.handleAdminGuidelines)
	h("GET "+p+"/admin/handlaggning", caseworker.RolesAdminView, c.handleAdminCasework)
	h("POST "+p+"/admin/handlaggning", caseworker.RolesAdminEdit, c.handleAdminCasework)
	h("GET "+p+"/parametrar", append(slices.Clone(caseworker.RolesWork), auth.RoleAdministrator), c.handleParams)
	h("POST "+p+"/parametrar/import", caseworker.RolesAdminEdit, c.handleParamImport)
	h("POST "+p+"/parametrar/godkann", caseworker.RolesAdminEdit, c.handleParamApprove)
	c.mountProposals(h)
	return nil
}

// cwAdminView is the data of the administration overview.
type cwAdminView struct {
	Code, Municipality string
	Municipalities     []caseworker.MunicipalityChoice
	Month              skalig.Month
	Known              bool // Skälig has a configuration for the municipality
	CanEdit            bool
	Routing            *cwRoutingSummary
	RoutingErr         string
	Guidelines         *cwGuidelinesSummary
	GuidelinesErr      string
	Casework           municipal.CaseworkSettings
	Versions           []cwVersionRow
	Proposals          []cwProposalRow
	Changes            []caseworker.Event
	EditRouting        string
	EditGuidelines     string
	EditCasework       string
}

type cwRoutingSummary struct {
	Version, Source string
	From            skalig.Month
	Delegations     []cwGroupSummary
	SampleRate      string
	IncomeTolerance skalig.Money
	BankLimit       skalig.Money
	Registers       string
	Rules           []routing.RuleSpec
}

type cwGroupSummary struct {
	Name  string
	Lines []string
}

type cwGuidelinesSummary struct {
	Version, Source string
	Housing         [][]string
	HousingCols     []string
	Electricity     []string
	WorkTravel      string
}

type cwVersionRow struct {
	Kind, Version, Author, Reason string
	From                          skalig.Month
	At                            time.Time
	Embedded, InForce             bool
}

func (c *admin) handleAdmin(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	code, ok := c.Municipality(w, r, p)
	if !ok {
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	mo := c.s.MonthInForce()
	v := &cwAdminView{Code: code, Municipality: c.MunicipalityName(code), Month: mo, CanEdit: p.HasAnyRole(caseworker.RolesAdminEdit...),
		Municipalities: c.MunicipalityChoices(p, code, caseworker.Path+"/admin", r.URL.Query())}
	q := "?kommun=" + url.QueryEscape(code)
	v.EditRouting, v.EditGuidelines, v.EditCasework = caseworker.Path+"/admin/routing"+q, caseworker.Path+"/admin/riktlinjer"+q, caseworker.Path+"/admin/handlaggning"+q
	mun, err := c.s.Config().Municipalities.Get(code)
	v.Known = err == nil
	if v.Known {
		set, err := c.mc.Set(ctx, code)
		if err != nil {
			c.s.Error(w, r, err)
			return
		}
		if rc, err := set.Routing(code, mo); err != nil {
			v.RoutingErr = skalig.ErrorMessage(err)
		} else {
			v.Routing = cwRoutingSummaryOf(l, rc)
		}
		if g, err := set.Guidelines(code, mo); err != nil {
			v.GuidelinesErr = skalig.ErrorMessage(err)
		} else {
			gv := &cwGuidelinesSummary{Version: g.Version, Source: g.Source}
			if len(g.MaxHousing[0]) > 0 {
				n := max(len(g.MaxHousing[0]), len(g.MaxHousing[1]))
				for ch := range n {
					key := "transparency.guidelines.children"
					if ch == n-1 {
						key = "transparency.guidelines.children_more"
					}
					gv.HousingCols = append(gv.HousingCols, l.T(key, ch))
				}
				for a := range 2 {
					var row []string
					for ch := range n {
						row = append(row, l.Money(web.MoneyAt(g.MaxHousing[a], ch)))
					}
					gv.Housing = append(gv.Housing, row)
				}
			}
			for _, m := range g.MaxElectricity {
				gv.Electricity = append(gv.Electricity, l.Money(m))
			}
			if g.WorkTravel > 0 {
				gv.WorkTravel = l.Money(g.WorkTravel)
			}
			v.Guidelines = gv
		}
		// Every version, embedded and stored, by kind and month.
		for _, g := range mun.Guidelines {
			fm, _ := skalig.ParseMonth(g.From)
			v.Versions = append(v.Versions, cwVersionRow{Kind: l.T("cw.admin.kind.guidelines"), Version: g.Version, From: fm, Embedded: true})
		}
		if len(mun.Routing) > 0 {
			var specs []routing.Spec
			if json.Unmarshal(mun.Routing, &specs) == nil {
				for _, s := range specs {
					fm, _ := skalig.ParseMonth(s.From)
					v.Versions = append(v.Versions, cwVersionRow{Kind: l.T("cw.admin.kind.routing"), Version: s.Version, From: fm, Embedded: true})
				}
			}
		}
	}
	v.Casework, _ = c.mc.Casework(ctx, code, mo)
	if v.Proposals, err = c.proposalRows(ctx, l, code); err != nil {
		c.s.Error(w, r, err)
		return
	}
	stored, err := c.mc.Versions(ctx, code, "")
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	names := c.Names(ctx)
	for _, s := range stored {
		v.Versions = append(v.Versions, cwVersionRow{Kind: l.T("cw.admin.kind." + s.Kind), Version: s.Version, From: s.From,
			Author: caseworker.ActorName(l, names, "staff:"+s.Author), Reason: s.Reason, At: s.At})
	}
	slices.SortStableFunc(v.Versions, func(a, b cwVersionRow) int {
		if a.Kind != b.Kind {
			return strings.Compare(a.Kind, b.Kind)
		}
		return int(a.From) - int(b.From)
	})
	// In force: the last version of each kind from this month or before.
	for i := range v.Versions {
		if v.Versions[i].From > mo {
			continue
		}
		last := true
		for j := i + 1; j < len(v.Versions); j++ {
			if v.Versions[j].Kind == v.Versions[i].Kind && v.Versions[j].From <= mo {
				last = false
			}
		}
		v.Versions[i].InForce = last
	}
	changes, err := c.mc.Changes(ctx, code)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	for _, e := range changes {
		ev := caseworker.EventOf(l, names, e)
		var d map[string]string
		if json.Unmarshal(e.Data, &d) == nil {
			ev.Detail = l.T("cw.admin.change", l.T("cw.admin.kind."+d["kind"]), d["version"], d["from"], d["reason"])
		}
		v.Changes = append(v.Changes, ev)
	}
	pg := c.Page(r, p, l.T("cw.admin.title"), v)
	c.s.Render(w, r, http.StatusOK, "cw-admin", pg)
}

// cwRoutingSummaryOf describes a routing configuration for the overview.
func cwRoutingSummaryOf(l *web.Lang, rc *routing.Config) *cwRoutingSummary {
	spec := rc.Spec()
	s := &cwRoutingSummary{Version: rc.Version(), From: rc.From(), Source: spec.Source, SampleRate: web.Percent(l, spec.SampleRate*100),
		IncomeTolerance: skalig.Kronor(spec.IncomeTolerance), BankLimit: skalig.Kronor(spec.BankLimit), Rules: spec.Rules,
		Registers: strings.Join(rc.Registers(), ", ")}
	if d := web.NewDelegationView(l, web.RoutingDelegation(rc)); d != nil {
		for _, g := range d.Groups {
			s.Delegations = append(s.Delegations, cwGroupSummary{Name: g.Name, Lines: g.Lines})
		}
	}
	return s
}

// cwConfigForm is the data of the pages that make a new version.
type cwConfigForm struct {
	Code, Municipality string
	Current            string // the version in force that the form starts from
	CanEdit            bool
	Earliest           skalig.Month
	Back               string
	Action             string
}

// newVersionForm fills the fields every version has: a new form (values
// nil) starts from the next month; a posted form keeps what was posted (an
// empty month is a mistake to name, not next month without a word).
func (c *admin) newVersionForm(l *web.Lang, values url.Values) *web.Form {
	f := web.NewForm(l, values)
	if values == nil && f.Value("from") == "" {
		f.Set("from", (c.s.MonthInForce() + 1).String())
	}
	return f
}

// readVersion reads the fields of a new version: name, first month and
// reason.
func (c *admin) readVersion(l *web.Lang, f *web.Form) (version string, from skalig.Month, reason string) {
	version, _ = f.Required("version", l.T("cw.admin.version"))
	if s, ok := f.Required("from", l.T("cw.admin.from")); ok {
		m, ok := skalig.ParseMonth(s)
		switch {
		case !ok:
			f.FailKey("from", "cw.admin.from.invalid")
		case m < c.s.MonthInForce():
			f.FailKey("from", "cw.admin.from.past", c.s.MonthInForce().String())
		default:
			from = m
		}
	}
	reason, _ = f.Required("reason", l.T("cw.admin.reason"))
	return version, from, reason
}

// kronorField reads a whole number of kronor, 0 when empty.
func kronorField(f *web.Form, name, label string) int64 {
	s := strings.TrimSpace(f.Value(name))
	if s == "" {
		return 0
	}
	m, ok := f.Amount(name, label)
	if !ok {
		return 0
	}
	if m%100 != 0 {
		f.FailKey(name, "cw.admin.whole_kronor", web.MessageLabel(label))
		return 0
	}
	return int64(m / 100)
}

// jsonText indents v for a text area.
func jsonText(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// addVersion stores a new version and answers: back to the overview, or
// the form with the errors.
func (c *admin) addVersion(w http.ResponseWriter, r *http.Request, p *auth.Principal, pg *web.Page, page string, f *web.Form,
	v *municipal.Change) {
	v.Author = p.Subject
	if err := c.mc.AddVersion(r.Context(), v, c.s.MonthInForce()); err != nil {
		c.FormError(w, r, pg, page, f, err)
		return
	}
	caseworker.RedirectDone(w, r, caseworker.Path+"/admin?kommun="+url.QueryEscape(v.Municipality), "konfiguration")
}

func (c *admin) configForm(r *http.Request, p *auth.Principal, code, action string) *cwConfigForm {
	return &cwConfigForm{Code: code, Municipality: c.MunicipalityName(code), CanEdit: p.HasAnyRole(caseworker.RolesAdminEdit...),
		Earliest: c.s.MonthInForce(), Back: caseworker.Path + "/admin?kommun=" + url.QueryEscape(code),
		Action: caseworker.Path + action + "?kommun=" + url.QueryEscape(code)}
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// decodeField reads a JSON list from a text area (empty is none), refusing
// unknown keys.
func decodeField(s string, v any) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// handleAdminCasework shows the casework settings (four eyes, overdue
// limit) as a form for a new version.
func (c *admin) handleAdminCasework(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	code, ok := c.Municipality(w, r, p)
	if !ok {
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	if _, err := c.s.Config().Municipalities.Get(code); err != nil {
		c.s.NotFound(w, r)
		return
	}
	v := c.configForm(r, p, code, "/admin/handlaggning")
	cur, _ := c.mc.Casework(ctx, code, c.s.MonthInForce())
	pg := c.Page(r, p, l.T("cw.admin.casework.title"), v)
	if r.Method == http.MethodGet {
		f := c.newVersionForm(l, nil)
		if cur.FourEyesOverride {
			f.Set("four_eyes_override", "yes")
		}
		if cur.FourEyesReject {
			f.Set("four_eyes_reject", "yes")
		}
		f.Set("overdue_days", strconv.Itoa(cur.OverdueDays))
		pg.Form = f
		c.s.Render(w, r, http.StatusOK, "cw-admin-casework", pg)
		return
	}
	f := c.newVersionForm(l, r.PostForm)
	version, from, reason := c.readVersion(l, f)
	s := municipal.CaseworkSettings{FourEyesOverride: f.Value("four_eyes_override") == "yes", FourEyesReject: f.Value("four_eyes_reject") == "yes"}
	if d, err := strconv.Atoi(f.Value("overdue_days")); err != nil || d < 1 || d > 90 {
		f.FailKey("overdue_days", "cw.admin.casework.overdue.invalid")
	} else {
		s.OverdueDays = d
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-admin-casework", f, nil)
		return
	}
	b, _ := json.Marshal(s)
	c.addVersion(w, r, p, pg, "cw-admin-casework", f, &municipal.Change{Municipality: code, Kind: municipal.KindCasework,
		Version: version, From: from, Body: b, Reason: reason})
}
