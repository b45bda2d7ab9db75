// Package statistics serves the follow-up statistics to managers on the
// staff's side (caseworker.Path+"/statistik"): the figures of a
// municipality's month from package stats (docs/statistics.md), each shown
// as a chart drawn on the server as SVG with the table of its figures
// beside it, and the same figures as CSV. It reads through
// statsdb.Store and computes with stats.Month, as the command line and
// the API do, so every channel shows the same numbers. Its templates are
// embedded here and parsed with the shared layout and the caseworker's
// partials; its messages are in internal/web/locales/caseworker.*.json
// (keys cw.stats.*).
package statistics

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/stats"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
)

// Path is the statistics page; Path+"/csv" the figures as CSV.
const Path = caseworker.Path + "/statistik"

// Roles may see the statistics: managers (enhetschefer), who follow up the
// work, and administrators (caseworker.RolesAdminView). The figures hold
// no personal data.
var Roles = caseworker.RolesAdminView

// monthsShown is how many months with applications the month choice offers.
const monthsShown = 36

//go:embed templates
var templates embed.FS

// Source is what the pages read: the cases of a month (stats.Source) and
// the months that have applications. internal/store's StatsStore
// implements it.
type Source interface {
	stats.Source
	// Months returns the months in which municipality mun has
	// applications, the latest first, at most limit of them; none is not
	// an error.
	Months(ctx context.Context, mun string, limit int) ([]skalig.Month, error)
}

type pages struct {
	*caseworker.Desk
	s  *web.Server
	st Source
}

// Mount registers the statistics pages on s, on the desk that
// caseworker.Mount returned, reading through st. Call it after
// caseworker.Mount and before s.Handler.
func Mount(s *web.Server, d *caseworker.Desk, st Source) error {
	if d == nil || st == nil {
		return errors.New("statistics: no caseworker desk or statistics store")
	}
	if err := s.AddPages("statistics", templates, "caseworker"); err != nil {
		return err
	}
	p := &pages{Desk: d, s: s, st: st}
	s.Handle("GET "+Path, d.Staff(Roles, p.handlePage))
	s.Handle("GET "+Path+"/csv", d.Staff(Roles, p.handleCSV))
	return nil
}

// view is the data of the statistics page.
type view struct {
	Code, Municipality string
	Action             string // the month choice's form
	Municipalities     []caseworker.MunicipalityChoice
	Months             []monthOption
	Month              skalig.Month
	// Empty says why there are no figures (no applications in the month,
	// or none at all), or "".
	Empty    string
	CSV      string
	Key      []keyFigure
	Flagged  []string
	Sections []section
	Groups   []groupName
}

type monthOption struct {
	Value, Label string
	Selected     bool
}

type keyFigure struct{ Label, Value string }

type groupName struct{ Short, Long string }

// section is one figure of the page: a heading, a chart and its table.
type section struct {
	ID, Heading, Intro string
	Chart              *chart
	Table              table
}

type table struct {
	Caption string
	Head    []string // the column headings; the first heads the row headings
	Rows    []tableRow
}

type tableRow struct {
	Head    string
	Cells   []string
	Flagged bool
}

// figures reads and computes the month's figures (ENOTFOUND for a month
// without applications).
func (p *pages) figures(ctx context.Context, code string, m skalig.Month) (*stats.Figures, error) {
	rows, err := p.st.MonthCases(ctx, code, m)
	if err != nil {
		return nil, err
	}
	return stats.Month(code, m, rows)
}

// month reads ?manad=, or the latest month with applications (the month in
// force when there is none). A malformed month is EINVALID naming the field.
func (p *pages) month(r *http.Request, months []skalig.Month) (skalig.Month, error) {
	if s := r.URL.Query().Get("manad"); s != "" {
		return stats.ParseMonth("manad", s)
	}
	if len(months) > 0 {
		return months[0], nil
	}
	return p.s.MonthInForce(), nil
}

func (p *pages) handlePage(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	code, ok := p.Municipality(w, r, pr)
	if !ok {
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	months, err := p.st.Months(ctx, code, monthsShown)
	if err != nil {
		p.s.Error(w, r, err)
		return
	}
	v := &view{Code: code, Municipality: p.MunicipalityName(code), Action: Path,
		Municipalities: p.MunicipalityChoices(pr, code, Path, r.URL.Query())}
	m, err := p.month(r, months)
	status := http.StatusOK
	if err != nil {
		// A malformed month: say so, and offer the months there are.
		v.Empty, status = l.T("cw.stats.month_invalid"), http.StatusBadRequest
		if len(months) > 0 {
			m = months[0]
		}
	}
	v.Month = m
	found := false
	for _, mo := range months {
		v.Months = append(v.Months, monthOption{Value: mo.String(), Label: l.Month(mo), Selected: mo == m})
		found = found || mo == m
	}
	if !found && err == nil {
		v.Months = append([]monthOption{{Value: m.String(), Label: l.Month(m), Selected: true}}, v.Months...)
	}
	if err == nil {
		f, ferr := p.figures(ctx, code, m)
		switch {
		case skalig.ErrorCode(ferr) == skalig.ENOTFOUND:
			v.Empty = l.T("cw.stats.empty", v.Municipality, l.Month(m))
		case ferr != nil:
			p.s.Error(w, r, ferr)
			return
		default:
			q := url.Values{"kommun": {code}, "manad": {m.String()}}
			v.CSV = Path + "/csv?" + q.Encode()
			fill(l, v, f)
		}
	}
	pg := p.Page(r, pr, l.T("cw.stats.title"), v)
	p.s.Render(w, r, status, "cw-stats", pg)
}

// handleCSV writes the month's figures as CSV (stats.Figures.WriteCSV, the
// format of docs/statistics.md), as a download.
func (p *pages) handleCSV(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	code, ok := p.Municipality(w, r, pr)
	if !ok {
		return
	}
	m, err := stats.ParseMonth("manad", r.URL.Query().Get("manad"))
	if err != nil {
		p.s.ErrorStatus(w, r, http.StatusBadRequest, web.LangFrom(r.Context()).T("cw.stats.month_invalid"))
		return
	}
	f, err := p.figures(r.Context(), code, m)
	if skalig.ErrorCode(err) == skalig.ENOTFOUND {
		l := web.LangFrom(r.Context())
		p.s.ErrorStatus(w, r, http.StatusNotFound, l.T("cw.stats.empty", p.MunicipalityName(code), l.Month(m)))
		return
	}
	if err != nil {
		p.s.Error(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := f.WriteCSV(&b); err != nil {
		p.s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="skalig-statistik-%s-%s.csv"`, code, m))
	w.Write(b.Bytes())
}

// hours writes a duration for a reader, in the language's way: whole
// seconds under a minute ("45 s"), minutes with one decimal under an hour
// ("12,5 min"), else hours with one decimal ("36,0 h").
func hours(l *web.Lang, d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + " s"
	case d < time.Hour:
		return web.Percent(l, math.Round(d.Minutes()*10)/10) + " min"
	}
	return web.Percent(l, math.Round(d.Hours()*10)/10) + " h"
}

func share(l *web.Lang, r float64) string { return web.Percent(l, math.Round(r*1000)/10) + " %" }

// number writes a decimal number in the language's way; in a right to left
// language as a left-to-right isolate, so that a minus sign stays before
// the number.
func number(l *web.Lang, x float64) string {
	s := web.Percent(l, x)
	if l.RTL() {
		return "\u2066" + s + "\u2069"
	}
	return s
}

// fill computes the page's sections from the figures.
func fill(l *web.Lang, v *view, f *stats.Figures) {
	tot := &f.Total
	all := func(fn func(c *stats.Counts) string) []string {
		out := []string{fn(tot)}
		for i := range f.Groups {
			out = append(out, fn(&f.Groups[i].Counts))
		}
		return out
	}
	head := []string{l.T("cw.stats.figure"), l.T("cw.stats.total")}
	for _, g := range f.Groups {
		head = append(head, l.T("cw.stats.group_short."+string(g.Group)))
		v.Groups = append(v.Groups, groupName{Short: l.T("cw.stats.group_short." + string(g.Group)), Long: l.T("cw.stats.group." + string(g.Group))})
	}
	itoa := strconv.Itoa
	row := func(key string, fn func(c *stats.Counts) string) tableRow {
		return tableRow{Head: l.T(key), Cells: all(fn)}
	}

	v.Key = []keyFigure{
		{l.T("cw.stats.applications"), itoa(tot.Applications)},
		{l.T("cw.stats.decided"), itoa(tot.Decided)},
		{l.T("cw.stats.automated_share"), share(l, ratio(tot.ByRoute[stats.RouteAutomated].Decided, tot.Decided))},
		{l.T("cw.stats.median"), hours(l, tot.ToDecision.Median)},
		{l.T("cw.stats.paid"), l.Money(tot.Paid)},
	}
	for _, b := range f.Bias {
		if b.Flagged {
			v.Flagged = append(v.Flagged, l.T("cw.stats.bias.flag", l.T("cw.stats.group."+string(b.Group)), l.T("cw.stats.measure."+string(b.Measure)),
				share(l, b.GroupRate), share(l, b.RestRate)))
		}
	}

	// Applications.
	v.Sections = append(v.Sections, section{ID: "ansokningar", Heading: l.T("cw.stats.s.applications"), Intro: l.T("cw.stats.s.applications.intro"),
		Chart: newChart("chart-applications", l.T("cw.stats.s.applications"),
			l.T("cw.stats.s.applications.desc", tot.First, tot.Monthly, tot.Withdrawn, tot.Open), nil, []barRow{
				counts(l.T("cw.stats.first"), tot.First), counts(l.T("cw.stats.continued"), tot.Monthly),
				counts(l.T("cw.stats.withdrawn"), tot.Withdrawn), counts(l.T("cw.stats.open"), tot.Open)}),
		Table: table{Caption: l.T("cw.stats.s.applications.caption"), Head: head, Rows: []tableRow{
			row("cw.stats.applications", func(c *stats.Counts) string { return itoa(c.Applications) }),
			row("cw.stats.first", func(c *stats.Counts) string { return itoa(c.First) }),
			row("cw.stats.continued", func(c *stats.Counts) string { return itoa(c.Monthly) }),
			row("cw.stats.withdrawn", func(c *stats.Counts) string { return itoa(c.Withdrawn) }),
			row("cw.stats.open", func(c *stats.Counts) string { return itoa(c.Open) }),
		}}})

	// Decisions by route and outcome.
	outcomes := []string{}
	for _, o := range stats.Outcomes {
		outcomes = append(outcomes, l.T("outcome."+string(o)))
	}
	var routeRows []barRow
	rows := []tableRow{
		row("cw.stats.routed", func(c *stats.Counts) string { return itoa(c.Routed) }),
		row("cw.stats.to_person", func(c *stats.Counts) string { return itoa(c.ToPerson) }),
		row("cw.stats.decided", func(c *stats.Counts) string { return itoa(c.Decided) }),
	}
	for _, o := range stats.Outcomes {
		rows = append(rows, tableRow{Head: l.T("cw.stats.outcome_all", l.T("outcome."+string(o))),
			Cells: all(func(c *stats.Counts) string { return itoa(c.ByOutcome.Of(o)) })})
	}
	rows = append(rows, row("cw.stats.changes", func(c *stats.Counts) string { return itoa(c.Changes) }))
	desc := ""
	for _, rt := range stats.Routes {
		rc := tot.ByRoute[rt]
		routeRows = append(routeRows, counts(l.T("cw.stats.route."+string(rt)), rc.Approved, rc.PartlyApproved, rc.Rejected))
		rows = append(rows, tableRow{Head: l.T("cw.stats.route." + string(rt)), Cells: all(func(c *stats.Counts) string { return itoa(c.ByRoute[rt].Decided) })})
		for _, o := range stats.Outcomes {
			rows = append(rows, tableRow{Head: l.T("cw.stats.route_outcome", l.T("cw.stats.route."+string(rt)), l.T("outcome."+string(o))),
				Cells: all(func(c *stats.Counts) string { return itoa(c.ByRoute[rt].Of(o)) })})
		}
		desc += l.T("cw.stats.s.decisions.desc_route", l.T("cw.stats.route."+string(rt)), rc.Decided, rc.Approved, rc.PartlyApproved, rc.Rejected) + " "
	}
	v.Sections = append(v.Sections, section{ID: "beslut", Heading: l.T("cw.stats.s.decisions"), Intro: l.T("cw.stats.s.decisions.intro"),
		Chart: newChart("chart-decisions", l.T("cw.stats.s.decisions"), desc, outcomes, routeRows),
		Table: table{Caption: l.T("cw.stats.s.decisions.caption"), Head: head, Rows: rows}})

	// Time to decision, by household type.
	timeRows := []barRow{timeRow(l, l.T("cw.stats.total"), tot)}
	for i := range f.Groups {
		timeRows = append(timeRows, timeRow(l, l.T("cw.stats.group_short."+string(f.Groups[i].Group)), &f.Groups[i].Counts))
	}
	v.Sections = append(v.Sections, section{ID: "tid", Heading: l.T("cw.stats.s.time"), Intro: l.T("cw.stats.s.time.intro"),
		Chart: newChart("chart-time", l.T("cw.stats.s.time"), l.T("cw.stats.s.time.desc", hours(l, tot.ToDecision.Median), hours(l, tot.ToDecision.P90), tot.ToDecision.Count),
			[]string{l.T("cw.stats.median"), l.T("cw.stats.p90")}, timeRows),
		Table: table{Caption: l.T("cw.stats.s.time.caption"), Head: head, Rows: []tableRow{
			row("cw.stats.decided", func(c *stats.Counts) string { return itoa(c.ToDecision.Count) }),
			row("cw.stats.median", func(c *stats.Counts) string { return hours(l, c.ToDecision.Median) }),
			row("cw.stats.p90", func(c *stats.Counts) string { return hours(l, c.ToDecision.P90) }),
		}}})

	// Amounts, by household type.
	moneyRow := func(label string, c *stats.Counts) barRow {
		return barRow{Label: label, Values: []float64{float64(c.Granted), float64(c.Paid), float64(c.ExecutedPaid)},
			Texts: []string{l.Money(c.Granted), l.Money(c.Paid), l.Money(c.ExecutedPaid)}}
	}
	amountRows := []barRow{moneyRow(l.T("cw.stats.total"), tot)}
	for i := range f.Groups {
		amountRows = append(amountRows, moneyRow(l.T("cw.stats.group_short."+string(f.Groups[i].Group)), &f.Groups[i].Counts))
	}
	v.Sections = append(v.Sections, section{ID: "belopp", Heading: l.T("cw.stats.s.amounts"), Intro: l.T("cw.stats.s.amounts.intro"),
		Chart: newChart("chart-amounts", l.T("cw.stats.s.amounts"), l.T("cw.stats.s.amounts.desc", l.Money(tot.Granted), l.Money(tot.Paid), l.Money(tot.ExecutedPaid)),
			[]string{l.T("cw.stats.granted"), l.T("cw.stats.paid"), l.T("cw.stats.executed_kr")}, amountRows),
		Table: table{Caption: l.T("cw.stats.s.amounts.caption"), Head: head, Rows: []tableRow{
			row("cw.stats.granted", func(c *stats.Counts) string { return l.Money(c.Granted) }),
			row("cw.stats.payments", func(c *stats.Counts) string { return itoa(c.Payments) }),
			row("cw.stats.paid", func(c *stats.Counts) string { return l.Money(c.Paid) }),
			row("cw.stats.executed", func(c *stats.Counts) string { return itoa(c.Executed) }),
			row("cw.stats.executed_kr", func(c *stats.Counts) string { return l.Money(c.ExecutedPaid) }),
		}}})

	// Stop reasons.
	reasons := section{ID: "skal", Heading: l.T("cw.stats.s.reasons"), Intro: l.T("cw.stats.s.reasons.intro"),
		Table: table{Caption: l.T("cw.stats.s.reasons.caption"), Head: []string{l.T("cw.stats.reason"), l.T("cw.stats.code"), l.T("cw.stats.cases")}}}
	var reasonRows []barRow
	desc = ""
	for _, rc := range f.Reasons {
		label := caseworker.ReasonLabel(l, rc.Code)
		reasonRows = append(reasonRows, counts(label, rc.Cases))
		reasons.Table.Rows = append(reasons.Table.Rows, tableRow{Head: label, Cells: []string{rc.Code, itoa(rc.Cases)}})
		desc += label + ": " + itoa(rc.Cases) + ". "
	}
	if len(f.Reasons) > 0 {
		reasons.Chart = newChart("chart-reasons", l.T("cw.stats.s.reasons"), desc, nil, reasonRows)
	}
	v.Sections = append(v.Sections, reasons)

	// Sample controls.
	s := f.Samples
	v.Sections = append(v.Sections, section{ID: "stickprov", Heading: l.T("cw.stats.s.samples"), Intro: l.T("cw.stats.s.samples.intro"),
		Chart: newChart("chart-samples", l.T("cw.stats.s.samples"), l.T("cw.stats.s.samples.desc", s.Drawn, s.Recorded, s.Confirmed, s.Discrepancies), nil, []barRow{
			counts(l.T("cw.stats.sample.drawn"), s.Drawn), counts(l.T("cw.stats.sample.recorded"), s.Recorded),
			counts(l.T("cw.stats.sample.confirmed"), s.Confirmed), counts(l.T("cw.stats.sample.discrepancies"), s.Discrepancies)}),
		Table: table{Caption: l.T("cw.stats.s.samples.caption"), Head: []string{l.T("cw.stats.figure"), l.T("cw.stats.total")}, Rows: []tableRow{
			{Head: l.T("cw.stats.sample.drawn"), Cells: []string{itoa(s.Drawn)}},
			{Head: l.T("cw.stats.sample.recorded"), Cells: []string{itoa(s.Recorded)}},
			{Head: l.T("cw.stats.sample.confirmed"), Cells: []string{itoa(s.Confirmed)}},
			{Head: l.T("cw.stats.sample.discrepancies"), Cells: []string{itoa(s.Discrepancies)}},
			{Head: l.T("cw.stats.sample.declared"), Cells: []string{l.Money(s.Declared)}},
			{Head: l.T("cw.stats.sample.verified"), Cells: []string{l.Money(s.Verified)}},
		}}})

	// The bias watch.
	bias := section{ID: "bevakning", Heading: l.T("cw.stats.s.bias"),
		Intro: l.T("cw.stats.s.bias.intro", web.Percent(l, stats.MinRiskRatio), web.Percent(l, stats.MinZ), stats.MinCases),
		Table: table{Caption: l.T("cw.stats.s.bias.caption"), Head: []string{l.T("cw.stats.bias.comparison"), l.T("cw.stats.bias.group"),
			l.T("cw.stats.bias.group_share"), l.T("cw.stats.bias.rest"), l.T("cw.stats.bias.rest_share"), l.T("cw.stats.bias.ratio"),
			l.T("cw.stats.bias.z"), l.T("cw.stats.bias.result")}}}
	var biasRows []barRow
	for _, b := range f.Bias {
		label := l.T("cw.stats.bias.label", l.T("cw.stats.group_short."+string(b.Group)), l.T("cw.stats.measure."+string(b.Measure)))
		result := l.T("cw.stats.bias.not_flagged")
		switch {
		case b.Flagged:
			result = l.T("cw.stats.bias.flagged")
		case !b.Tested:
			result = l.T("cw.stats.bias.too_few")
		}
		biasRows = append(biasRows, barRow{Label: label, Values: []float64{b.GroupRate, b.RestRate},
			Texts: []string{share(l, b.GroupRate) + flagMark(b.Flagged), share(l, b.RestRate)}})
		rr := "∞"
		if !math.IsInf(b.RiskRatio, 1) {
			rr = number(l, math.Round(b.RiskRatio*100)/100)
		}
		bias.Table.Rows = append(bias.Table.Rows, tableRow{Head: label, Flagged: b.Flagged, Cells: []string{
			l.T("cw.stats.bias.of", b.GroupHits, b.GroupCases), share(l, b.GroupRate),
			l.T("cw.stats.bias.of", b.RestHits, b.RestCases), share(l, b.RestRate), rr,
			number(l, math.Round(b.Z*100)/100), result}})
	}
	bias.Chart = newChart("chart-bias", l.T("cw.stats.s.bias"), l.T("cw.stats.s.bias.desc", len(v.Flagged), len(f.Bias)),
		[]string{l.T("cw.stats.bias.group_share"), l.T("cw.stats.bias.rest_share")}, biasRows)
	v.Sections = append(v.Sections, bias)
}

// flagMark marks a flagged share in the chart with a word-free sign the
// legend of the table explains ("!"), besides the table's own column.
func flagMark(flagged bool) string {
	if flagged {
		return " !"
	}
	return ""
}

func timeRow(l *web.Lang, label string, c *stats.Counts) barRow {
	return barRow{Label: label, Values: []float64{c.ToDecision.Median.Hours(), c.ToDecision.P90.Hours()},
		Texts: []string{hours(l, c.ToDecision.Median), hours(l, c.ToDecision.P90)}}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
