package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/stats"
	"skalig/internal/store/statsdb"
)

// TestStatisticsPages: a manager opens the statistics of the month, sees
// each figure as a chart with its table beside it, in the three languages
// without an accessibility violation, also without JavaScript and at the
// width of a phone; the figures are those stats.Month computes from the
// store, and the month is chosen with a plain form.
func TestStatisticsPages(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	month := skalig.DateOf(time.Now()).Month()
	f, err := stats.Month("0821", month, mustRows(t, s, month))
	if err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	s.login(t, ctx, devidp.ViktorChefsson, "/handlaggning")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.cw-nav a[href="/handlaggning/statistik"]`)))
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/statistik")

	// The key figures and the tables say what the store holds.
	if got := cwText(t, ctx, ".cw-summary div:first-child dd"); got != strconv.Itoa(f.Total.Applications) {
		t.Errorf("applications shown %q, want %d", got, f.Total.Applications)
	}
	charts := eval[int](t, ctx, `document.querySelectorAll('figure.stats-chart svg[role="img"]').length`)
	tables := eval[int](t, ctx, `document.querySelectorAll('.stats-section table').length`)
	if charts < 6 || tables != 7 {
		t.Errorf("%d charts and %d tables, want at least 6 charts (one per figure with data) and 7 tables", charts, tables)
	}
	// Every chart is named by its title and described in words.
	unnamed := eval[int](t, ctx, `[...document.querySelectorAll('svg[role="img"]')].filter(s => {
		const ids = (s.getAttribute('aria-labelledby') || '').split(' ');
		return ids.length != 2 || ids.some(id => !document.getElementById(id) || !document.getElementById(id).textContent.trim());
	}).length`)
	if unnamed != 0 {
		t.Errorf("%d charts without a title and a description", unnamed)
	}
	decided := eval[string](t, ctx, `[...document.querySelectorAll('#beslut-caption ~ tbody tr')].find(r => r.querySelector('th').textContent == 'Beslut').querySelector('td').textContent`)
	if decided != strconv.Itoa(f.Total.Decided) {
		t.Errorf("decisions shown %q, want %d", decided, f.Total.Decided)
	}

	// Without JavaScript: the same page, and the month is chosen with the form.
	nojs := newTabWithoutJS(t)
	s.login(t, nojs, devidp.ViktorChefsson, "/handlaggning/statistik")
	follow(t, nojs, chromedp.Click(chromedp.CSS(`form.stats-month button[type="submit"]`)))
	if loc := eval[string](t, nojs, `location.search`); !strings.Contains(loc, "manad="+month.String()) {
		t.Errorf("after choosing the month: %s", loc)
	}
	if n := eval[int](t, nojs, `document.querySelectorAll('figure.stats-chart svg').length`); n < 6 {
		t.Errorf("without JavaScript: %d charts", n)
	}
	checkA11y(t, nojs)

	// At the width of a phone the page does not scroll sideways.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, s.URL+"/handlaggning/statistik")
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 320 {
		t.Errorf("page is %d px wide at 320 px", w)
	}
	checkA11y(t, ctx)
}

func mustRows(t *testing.T, s *cwServer, m skalig.Month) []*stats.Row {
	t.Helper()
	rows, err := statsdb.New(s.db).MonthCases(context.Background(), "0821", m)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
