package admin

import (
	"encoding/json"
	"net/http"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/municipal"
	"skalig/internal/routing"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/whatif"
)

// The preview of a routing change: the what-if engine (internal/whatif)
// re-routes the municipality's decided cases of the last recentDays with
// the changed version in place of the one each was routed with, as a
// routing candidate, and the form shows how many would go another way and
// a short table of them. Nothing is saved. Every case in the table is
// logged as read by the administrator.

// recentDays is how far back the preview reads decided cases: the months
// of the last 30 days.
const recentDays = 30

// previewRows is how many changed cases the preview's table shows.
const previewRows = 20

// WithWhatIf lets the routing form preview a change on the recent decided
// cases with runner (its Cases and Live set). Without it, the form saves
// without a preview.
func WithWhatIf(runner *whatif.Runner) Option { return func(a *admin) { a.runner = runner } }

// previewView is what a change would route differently.
type previewView struct {
	From, To                     skalig.Month
	Cases, Changed, RouteChanged int
	OutcomeChanged, Up, Down     int
	Net                          string
	Routes                       []previewRoute
	Rows                         []previewRow
	More                         int // changed cases not in the table
}

type previewRoute struct {
	From, To string
	N        int
}

type previewRow struct {
	Number, URL, Month             string
	Route, CandidateRoute          string
	Outcome, CandidateOutcome      string
	RouteChanged, OutcomeChanged   bool
	Decided, Candidate, Difference string
}

func routeLabel(l *web.Lang, r routing.Route) string {
	return l.T("cw.admin.preview.route." + string(r))
}

// preview runs the routing version body (checked) over the municipality's
// recent decided cases.
func (c *admin) preview(r *http.Request, p *auth.Principal, code string, body []byte) (*previewView, error) {
	cand, err := whatif.RoutingCandidate("förhandsgranskning", body)
	if err != nil {
		return nil, err
	}
	return c.evaluate(r, p, code, cand)
}

// previewGuidelines recalculates the municipality's recent decided cases
// with the guidelines version body (checked) in place of the guidelines
// each was calculated with: a municipal candidate whose only guidelines
// version applies to every month, with the routing of set (the
// configuration in force) as it is.
func (c *admin) previewGuidelines(r *http.Request, p *auth.Principal, code string, set *municipal.Set, body []byte) (*previewView, error) {
	if set == nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Kommunens konfiguration kunde inte läsas, så ändringen kan inte förhandsgranskas.")
	}
	m, err := set.Get(code)
	if err != nil {
		return nil, err
	}
	var g map[string]json.RawMessage
	if err := json.Unmarshal(body, &g); err != nil {
		return nil, err
	}
	g["version"], _ = json.Marshal("förhandsgranskning")
	g["from"], _ = json.Marshal("2000-01")
	file := map[string]any{"code": m.Code, "name": m.Name, "guidelines": []any{g}}
	if len(m.Routing) > 0 {
		file["routing"] = m.Routing
	}
	data, err := json.Marshal(file)
	if err != nil {
		return nil, err
	}
	cand, err := whatif.MunicipalCandidate("förhandsgranskning", data)
	if err != nil {
		return nil, err
	}
	return c.evaluate(r, p, code, cand)
}

// evaluate runs cand over the municipality's decided cases of the months
// of the last recentDays, with the what-if engine, keeping nothing.
func (c *admin) evaluate(r *http.Request, p *auth.Principal, code string, cand *whatif.Candidate) (*previewView, error) {
	if c.runner == nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Förhandsgranskningen är inte påslagen i den här installationen.")
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	now := c.s.Now().In(c.s.Location())
	since := now.AddDate(0, 0, -recentDays)
	v := &previewView{From: skalig.MonthOf(since.Year(), int(since.Month())), To: c.s.MonthInForce()}
	res, err := c.runner.Evaluate(ctx, cand, whatif.Selection{From: v.From.String(), To: v.To.String(), Municipality: code}, nil)
	if err != nil {
		return nil, err
	}
	t := res.Totals
	v.Cases, v.Changed, v.RouteChanged, v.OutcomeChanged, v.Up, v.Down = t.Cases, t.Changed, t.RouteChanged, t.OutcomeChanged, t.Up, t.Down
	v.Net = l.Money(t.Net)
	if t.Net > 0 {
		v.Net = "+" + v.Net
	} else if t.Net < 0 {
		v.Net = "−" + l.Money(-t.Net)
	}
	for _, ch := range res.Changes {
		if ch.Route != ch.CandidateRoute {
			found := false
			for i := range v.Routes {
				if v.Routes[i].From == routeLabel(l, ch.Route) && v.Routes[i].To == routeLabel(l, ch.CandidateRoute) {
					v.Routes[i].N++
					found = true
				}
			}
			if !found {
				v.Routes = append(v.Routes, previewRoute{From: routeLabel(l, ch.Route), To: routeLabel(l, ch.CandidateRoute), N: 1})
			}
		}
	}
	cases := c.Workflow().Cases()
	actor := "staff:" + p.Subject
	for i, ch := range res.Changes {
		if i == previewRows {
			v.More = len(res.Changes) - previewRows
			break
		}
		cs, err := cases.Case(ctx, ch.CaseID)
		if err != nil {
			return nil, err
		}
		// The table shows the case: logged as read, before it is shown.
		if err := cases.LogRead(ctx, actor, cs.ID, "web", "config-preview"); err != nil {
			return nil, err
		}
		row := previewRow{Number: cs.Number, Month: ch.Month,
			Route: routeLabel(l, ch.Route), CandidateRoute: routeLabel(l, ch.CandidateRoute),
			Outcome: l.T("outcome." + string(ch.Outcome)), CandidateOutcome: l.T("outcome." + string(ch.CandidateOutcome)),
			RouteChanged: ch.Route != ch.CandidateRoute, OutcomeChanged: ch.Outcome != ch.CandidateOutcome,
			Decided: l.Money(ch.DecidedAid), Candidate: l.Money(ch.CandidateAid)}
		if row.Number == "" {
			row.Number = cs.ID
		}
		if p.HasAnyRole(caseworker.RolesWork...) {
			row.URL = caseworker.Path + "/arenden/" + cs.ID // only who may open the case gets a link
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}
