package whatifweb

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/routing"
	"skalig/internal/store/whatifdb"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/whatif"
)

// resultView is the data of a run's result.
type resultView struct {
	Back, CSV                       string
	ID, Candidate, Digest, Who      string
	When, Engine, Selection, Speed  string
	Key                             []keyFigure
	Routes, NewReasons, Vanished    []keyFigure
	Chart                           *chart
	Table                           []householdRow
	Changes                         []changeRow
	Page, Pages, First, Last, Total int
	Prev, Next                      string
	Truncated                       bool
	// Progress is set while the run is not done (or when it failed);
	// Shadow names a shadow run's period.
	Progress *progressView
	Shadow   string
	// Stop is the address of the form that ends a shadow run still in its
	// period (for an administrator); Stopped says it was just ended.
	Stop    string
	Stopped bool
}

// progressView is how far a run has come, for the status region.
type progressView struct {
	Heading, Text, Refresh string
	Done, Total, Percent   int
	Failed, Bar            bool
}

type keyFigure struct{ Label, Value string }

type householdRow struct {
	Label                           string
	Cases, Changed, Up, Down, Route int
	Net                             string
}

type changeRow struct {
	URL, CaseID, Month, Household string
	Decided, Candidate, Diff      string
	Reason                        string
}

func signed(l *web.Lang, m skalig.Money) string {
	switch {
	case m > 0:
		return "+" + l.Money(m)
	case m < 0:
		return "−" + l.Money(-m)
	}
	return l.Money(m)
}

func (p *pages) handleResult(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	res, ok := p.load(w, r, pr)
	if !ok {
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	code := res.Selection.Municipality
	q := url.Values{}
	if code != "" {
		q.Set("kommun", code)
	}
	base := Path + "/" + url.PathEscape(res.ID)
	v := &resultView{Back: Path + "?" + q.Encode(), CSV: base + "/csv?" + q.Encode(), ID: res.ID,
		Candidate: candidateLabel(l, res.Candidate.Kind, res.Candidate.Name), Digest: res.Candidate.Digest,
		Who: p.actorName(r, res.Actor), When: p.when(res.StartedAt), Engine: res.EngineVersion,
		Truncated: res.Truncated}
	if res.Mode != whatifdb.ModeShadow {
		// A shadow run's selection is its period, shown below.
		v.Selection = selectionText(l, res.Selection)
	}
	if d := res.Finished.Sub(res.StartedAt); d > 0 {
		v.Speed = l.T("cw.whatif.speed", seconds(l, d.Seconds()))
	}
	if res.Mode == whatifdb.ModeShadow && res.ShadowFrom != nil && res.ShadowUntil != nil {
		v.Shadow = l.T("cw.whatif.shadow_period_text", p.when(*res.ShadowFrom), p.when(*res.ShadowUntil))
		if !res.Progress.Finished() && res.ShadowUntil.After(p.runner.Cases.Now()) && pr.HasRole(auth.RoleAdministrator) {
			v.Stop = base + "/avsluta"
		}
		v.Stopped = r.URL.Query().Get("avslutad") == "1"
	}
	if pg := res.Progress; pg.Status != whatifdb.StatusDone {
		pv := &progressView{Heading: l.T("cw.whatif.progress.heading"), Refresh: base + "?" + q.Encode(),
			Done: pg.Done, Total: pg.Total, Percent: pg.Percent}
		switch {
		case pg.Status == whatifdb.StatusFailed:
			pv.Heading, pv.Text, pv.Failed = l.T("cw.whatif.progress.failed_heading"), l.T("cw.whatif.progress.failed", pg.Error), true
		case res.Mode == whatifdb.ModeShadow:
			pv.Text = l.T("cw.whatif.progress.shadow", pg.Done)
		case pg.Status == whatifdb.StatusQueued:
			pv.Text = l.T("cw.whatif.progress.queued")
		default:
			pv.Text, pv.Bar = l.T("cw.whatif.progress.running", pg.Done, pg.Total, pg.Percent), pg.Total > 0
		}
		v.Progress = pv
	}
	t := &res.Totals
	v.Key = []keyFigure{
		{l.T("cw.whatif.key.cases"), strconv.Itoa(t.Cases)},
		{l.T("cw.whatif.key.changed"), strconv.Itoa(t.Changed)},
		{l.T("cw.whatif.key.up"), l.T("cw.whatif.key.count_sum", t.Up, signed(l, t.Increase))},
		{l.T("cw.whatif.key.down"), l.T("cw.whatif.key.count_sum", t.Down, signed(l, -t.Decrease))},
		{l.T("cw.whatif.key.unchanged"), strconv.Itoa(t.Unchanged)},
		{l.T("cw.whatif.key.net"), signed(l, t.Net)},
		{l.T("cw.whatif.key.aid"), l.T("cw.whatif.from_to", l.Money(t.DecidedAid), l.Money(t.CandidateAid))},
		{l.T("cw.whatif.key.route"), strconv.Itoa(t.RouteChanged)},
		{l.T("cw.whatif.key.outcome"), strconv.Itoa(t.OutcomeChanged)},
		{l.T("cw.whatif.key.errors"), strconv.Itoa(t.Errors)},
	}
	// Named in words, as the changed cases are: the route's and the stop
	// reasons' names, not their codes.
	v.Routes = counts(t.Routes, func(k string) string {
		from, to, _ := strings.Cut(k, "→")
		return l.T("cw.whatif.from_to", text(l, routing.Route(from).TextID()), text(l, routing.Route(to).TextID()))
	})
	v.NewReasons = counts(t.NewReasons, func(k string) string { return reasonNames(l, []string{k}) })
	v.Vanished = counts(t.VanishedReasons, func(k string) string { return reasonNames(l, []string{k}) })
	for _, g := range res.ByHousehold {
		v.Table = append(v.Table, householdRow{Label: l.T("cw.whatif.household." + g.Type), Cases: g.Cases, Changed: g.Changed,
			Up: g.Up, Down: g.Down, Route: g.RouteChanged, Net: signed(l, g.Net)})
	}
	v.Chart = householdChart(l, res)

	// The changed cases, a page at a time.
	v.Total = len(res.Changes)
	v.Pages = (v.Total + PageSize - 1) / PageSize
	v.Page = 1
	if s := r.URL.Query().Get("sida"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || (n > v.Pages && v.Pages > 0) {
			p.s.ErrorStatus(w, r, http.StatusBadRequest, l.T("cw.whatif.error.page"))
			return
		}
		v.Page = n
	}
	from := (v.Page - 1) * PageSize
	to := min(from+PageSize, v.Total)
	v.First, v.Last = from+1, to
	page := func(n int) string {
		pq := url.Values{"sida": {strconv.Itoa(n)}}
		if code != "" {
			pq.Set("kommun", code)
		}
		return base + "?" + pq.Encode() + "#andrade"
	}
	if v.Page > 1 {
		v.Prev = page(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.Next = page(v.Page + 1)
	}
	if from < to {
		// Showing the changed cases reads case data: each case shown is
		// logged as read, before it is shown.
		actor := "staff:" + pr.Subject
		for _, c := range res.Changes[from:to] {
			if err := p.reads.LogRead(ctx, actor, c.CaseID, "web", "whatif:"+res.ID); err != nil {
				p.s.Error(w, r, err)
				return
			}
			v.Changes = append(v.Changes, changeRow{URL: base + "/arende/" + url.PathEscape(c.DecisionID) + "?" + q.Encode(),
				CaseID: c.CaseID, Month: c.Month, Household: l.T("cw.whatif.household." + c.Household),
				Decided: l.Money(c.DecidedAid), Candidate: l.Money(c.CandidateAid), Diff: signed(l, c.Difference), Reason: summary(l, &c)})
		}
	}
	pg := p.Page(r, pr, l.T("cw.whatif.result.title", res.ID), v)
	p.s.Render(w, r, http.StatusOK, "cw-whatif-result", pg)
}

func (p *pages) actorName(r *http.Request, actor string) string {
	return caseworker.ActorName(web.LangFrom(r.Context()), p.Names(r.Context()), actor)
}

// counts lists the counts of m by key, each labelled by name(key).
func counts(m map[string]int, name func(string) string) []keyFigure {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]keyFigure, 0, len(keys))
	for _, k := range keys {
		out = append(out, keyFigure{name(k), strconv.Itoa(m[k])})
	}
	return out
}

// seconds writes a duration in seconds with two decimals, with a decimal
// comma except in English: "0,03".
func seconds(l *web.Lang, s float64) string {
	f := strconv.FormatFloat(s, 'f', 2, 64)
	if l != web.English {
		f = strings.Replace(f, ".", ",", 1)
	}
	return f
}

// selectionText describes a selection for a reader.
func selectionText(l *web.Lang, s whatif.Selection) string {
	var parts []string
	switch {
	case s.From == "" && s.To == "":
		parts = append(parts, l.T("cw.whatif.selection.all_months"))
	case s.To == "":
		parts = append(parts, l.T("cw.whatif.selection.from", s.From))
	case s.From == "":
		parts = append(parts, l.T("cw.whatif.selection.to", s.To))
	default:
		parts = append(parts, l.T("cw.whatif.selection.months", s.From, s.To))
	}
	if len(s.HouseholdTypes) > 0 {
		var h []string
		for _, t := range s.HouseholdTypes {
			h = append(h, l.T("cw.whatif.household."+t))
		}
		parts = append(parts, l.T("cw.whatif.selection.households", strings.Join(h, ", ")))
	}
	if len(s.Outcomes) > 0 {
		var o []string
		for _, x := range s.Outcomes {
			o = append(o, l.T("cw.whatif.outcome."+string(x)))
		}
		parts = append(parts, l.T("cw.whatif.selection.outcomes", strings.Join(o, ", ")))
	}
	return strings.Join(parts, "; ")
}

// handleCSV writes the run's changed cases as CSV (whatif.WriteCSV, the
// format of docs/whatif.md), as a download; every case in it is logged as
// read.
func (p *pages) handleCSV(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	res, ok := p.load(w, r, pr)
	if !ok {
		return
	}
	actor := "staff:" + pr.Subject
	for _, c := range res.Changes {
		if err := p.reads.LogRead(r.Context(), actor, c.CaseID, "web", "whatif-csv:"+res.ID); err != nil {
			p.s.Error(w, r, err)
			return
		}
	}
	var b bytes.Buffer
	if err := whatif.WriteCSV(&b, res); err != nil {
		p.s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="skalig-provkorning-%s.csv"`, res.ID))
	w.Write(b.Bytes())
}
