package statistics_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/municipal"
	"skalig/internal/stats"
	"skalig/internal/store/statsdb"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/web/statistics"
	"skalig/internal/web/webtest"
)

// The store's statistics reader is what the pages read.
var _ statistics.Source = (*statsdb.Store)(nil)

var (
	mustContain    = webtest.MustContain
	mustNotContain = webtest.MustNotContain
	wantStatus     = webtest.WantStatus
)

// newEnv is the staff's desk with the statistics pages over n demo
// households of Högsby, November 2026, run through the workflow.
func newEnv(t *testing.T, n int) *webtest.StaffEnv {
	t.Helper()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	return webtest.NewStaffEnv(t, n, mun, func(s *web.Server, e *webtest.StaffEnv) error {
		d, err := caseworker.Mount(s, caseworker.Deps{Workflow: e.WF, Casework: e.Desk, Config: e.MC})
		if err != nil {
			return err
		}
		return statistics.Mount(s, d, statsdb.New(e.DB))
	})
}

// TestStatisticsPage: a manager sees the month's figures as charts with
// their tables, the same figures as stats.Month computes from the store,
// and downloads them as the CSV the command line writes.
func TestStatisticsPage(t *testing.T) {
	e := newEnv(t, 12)
	viktor := devidp.ViktorChefsson
	nov := skalig.MonthOf(2026, 11)
	rows, err := statsdb.New(e.DB).MonthCases(context.Background(), "0821", nov)
	if err != nil {
		t.Fatal(err)
	}
	f, err := stats.Month("0821", nov, rows)
	if err != nil {
		t.Fatal(err)
	}
	if f.Total.Applications != 12 {
		t.Fatalf("the demo households: %d applications, want 12", f.Total.Applications)
	}

	res := e.Get(t, viktor, "/handlaggning/statistik")
	wantStatus(t, res, 200, "statistics, the latest month")
	webtest.NoInlineScriptOrStyle(t, res.Body, "statistics")
	mustContain(t, res.Body, "Uppföljning för Högsby kommun", `<option value="2026-11" selected>november 2026</option>`,
		`aria-current="page">Statistik</a>`,
		// Every chart is an image with a title and a description in words,
		// and has its table beside it.
		`role="img" aria-labelledby="chart-applications-title chart-applications-desc"`,
		`<title id="chart-decisions-title">Beslut per väg och utfall</title>`,
		`<desc id="chart-applications-desc">Stapeldiagram: `+fmt.Sprintf("%d grundansökningar, %d fortsatta ansökningar", f.Total.First, f.Total.Monthly),
		`<caption id="ansokningar-caption">Ansökningar per hushållstyp</caption>`,
		`<th scope="row">Ansökningar</th><td class="num">12</td>`,
		fmt.Sprintf(`<th scope="row">Beslut</th><td class="num">%d</td>`, f.Total.Decided),
		fmt.Sprintf(`<th scope="row">Automatiserat beslut</th><td class="num">%d</td>`, f.Total.ByRoute[stats.RouteAutomated].Decided),
		"Tid från ansökan till beslut", "Skäl till stopp", "Stickprovskontroll", "Bevakning av skillnader mellan hushållstyper",
		`href="/handlaggning/statistik/csv?kommun=0821&amp;manad=2026-11"`)
	// Each bar's value is written at its end, and the series of a chart
	// differ by pattern, not by colour alone.
	mustContain(t, res.Body, `fill="url(#chart-decisions-hatch)"`, `fill="url(#chart-decisions-dots)"`,
		fmt.Sprintf(`>%d</text>`, f.Total.First))
	for _, r := range f.Reasons {
		mustContain(t, res.Body, "<td class=\"num\">"+r.Code+"</td>")
	}

	csv := e.Get(t, viktor, "/handlaggning/statistik/csv?kommun=0821&manad=2026-11")
	wantStatus(t, csv, 200, "CSV")
	var want bytes.Buffer
	if err := f.WriteCSV(&want); err != nil {
		t.Fatal(err)
	}
	if csv.Body != want.String() {
		t.Errorf("CSV differs from stats.Figures.WriteCSV:\n%s\nwant\n%s", csv.Body, want.String())
	}
	if ct := csv.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.Contains(csv.Header.Get("Content-Disposition"), "skalig-statistik-0821-2026-11.csv") {
		t.Errorf("CSV headers %q, %q", ct, csv.Header.Get("Content-Disposition"))
	}

	// Every language has every text.
	for _, l := range web.Languages {
		res := e.Get(t, viktor, "/handlaggning/statistik?manad=2026-11&lang="+l.Code)
		wantStatus(t, res, 200, "statistics in "+l.Code)
		mustNotContain(t, res.Body, "[cw.", "[outcome.")
	}
}

// TestStatisticsBadInput: a malformed month is named, a month without
// applications says so (and is not a table of zeros), a municipality the
// manager does not work for is not found, and staff who do not follow up
// the work may not see the pages.
func TestStatisticsBadInput(t *testing.T) {
	e := newEnv(t, 1)
	viktor := devidp.ViktorChefsson
	res := e.Get(t, viktor, "/handlaggning/statistik?manad=2026-13")
	wantStatus(t, res, http.StatusBadRequest, "a malformed month")
	mustContain(t, res.Body, "Ange månaden som ÅÅÅÅ-MM, till exempel 2026-11.")
	res = e.Get(t, viktor, "/handlaggning/statistik?manad=2025-01")
	wantStatus(t, res, 200, "a month without applications")
	mustContain(t, res.Body, "Högsby kommun har inga ansökningar för januari 2025.")
	mustNotContain(t, res.Body, "<svg", "<table")
	wantStatus(t, e.Get(t, viktor, "/handlaggning/statistik/csv?kommun=0821"), http.StatusBadRequest, "CSV without a month")
	res = e.Get(t, viktor, "/handlaggning/statistik/csv?manad=2025-01")
	wantStatus(t, res, http.StatusNotFound, "CSV of a month without applications")
	mustContain(t, res.Body, "Högsby kommun har inga ansökningar för januari 2025.")
	wantStatus(t, e.Get(t, viktor, "/handlaggning/statistik?kommun=1280"), http.StatusNotFound, "another municipality")
	wantStatus(t, e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/statistik"), http.StatusForbidden, "a caseworker")
	wantStatus(t, e.Get(t, devidp.WilmaAdminsson, "/handlaggning/statistik"), 200, "an administrator")
	res = e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning")
	mustNotContain(t, res.Body, "/handlaggning/statistik")
}
