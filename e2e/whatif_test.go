package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skalig/internal/auth/devidp"
)

// TestWhatIfPages: a manager starts the demo's ready-made what-if ("what
// if the maximum housing cost rose by 10 %") with the keyboard only and
// reads the result: the totals count the municipality's decisions, the
// breakdown by household type is a table and a chart named and described
// in words; the run is in the list with the manager's name; the form names
// the field of a mistake; a changed case of an uploaded routing version opens
// side by side (a routing version uploaded). No accessibility violation in the three languages.
func TestWhatIfPages(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	var decided int
	if err := s.db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.municipality = '0821'`).Scan(&decided); err != nil {
		t.Fatal(err)
	}
	if decided == 0 {
		t.Fatal("the demo decided nothing")
	}
	ctx := newTab(t)
	s.login(t, ctx, devidp.ViktorChefsson, "/handlaggning")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.cw-nav a[href="/handlaggning/provkorning"]`)))
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/provkorning")

	// A file kind without a file: the error names the field.
	start := func(option string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#"+option))); err != nil {
			t.Fatal(err)
		}
		pressKey(t, ctx, " ")
		for i := 0; i < 40 && eval[string](t, ctx, `document.activeElement.type`) != "submit"; i++ {
			pressKey(t, ctx, kb.Tab)
		}
		if eval[string](t, ctx, `document.activeElement.type`) != "submit" {
			t.Fatal("the start button is not reached with Tab")
		}
		follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	}
	start("f-kandidat-3") // a municipal file, none uploaded
	if got := cwText(t, ctx, ".error-summary"); !strings.Contains(got, "Kandidatfil: välj en fil") {
		t.Fatalf("error summary %q", got)
	}
	checkA11y(t, ctx)

	// The ready-made example: the maximum housing cost +10 %. The run is a
	// job: its page first shows that it waits, in a status region, with a
	// link to look again (no script needed); once the workers have run it
	// the link shows the result.
	start("f-kandidat")
	if got := cwText(t, ctx, "h1"); got != "Resultat av provkörningen" {
		t.Fatalf("after starting: %q %s", got, cwBodyText(t, ctx))
	}
	if got := cwText(t, ctx, `#progress-status[role="status"]`); got != "Körningen väntar på att starta." {
		t.Fatalf("status region %q", got)
	}
	checkA11y(t, ctx)
	s.runWhatIfJobs(t)
	untilDone(t, ctx)
	if got := cwText(t, ctx, "h1"); got != "Resultat av provkörningen" {
		t.Fatalf("after starting: %q %s", got, cwBodyText(t, ctx))
	}
	if got := cwText(t, ctx, ".cw-summary div:first-child dd"); got != strconv.Itoa(decided) {
		t.Errorf("decisions shown %q, want %d", got, decided)
	}
	if got := cwBodyText(t, ctx); !strings.Contains(got, "0821-bostad+10.json") || !strings.Contains(got, "Viktor Chefsson") {
		t.Errorf("the result does not name the candidate and who ran it: %s", got)
	}
	unnamed := eval[int](t, ctx, `[...document.querySelectorAll('svg[role="img"]')].filter(s => {
		const ids = (s.getAttribute('aria-labelledby') || '').split(' ');
		return ids.length != 2 || ids.some(id => !document.getElementById(id) || !document.getElementById(id).textContent.trim());
	}).length`)
	if n := eval[int](t, ctx, `document.querySelectorAll('svg[role="img"]').length`); n != 1 || unnamed != 0 {
		t.Errorf("%d charts, %d without a title and a description", n, unnamed)
	}
	if rows := eval[int](t, ctx, `document.querySelectorAll('#households-caption ~ tbody tr').length`); rows != 5 {
		t.Errorf("%d household rows, want 5", rows)
	}
	result := eval[string](t, ctx, `location.pathname`)
	cwCheckA11yLangs(t, ctx, s.URL+result+"?kommun=0821")
	if n := eval[int](t, ctx, `document.querySelectorAll('a[download][href^="`+result+`/csv"]').length`); n != 1 {
		t.Errorf("%d CSV links", n)
	}

	// The run is kept in the list.
	navigate(t, ctx, s.URL+"/handlaggning/provkorning")
	if got := cwText(t, ctx, "#runs-caption ~ tbody tr:first-child"); !strings.Contains(got, "Viktor Chefsson") || !strings.Contains(got, "0821-bostad+10.json") {
		t.Errorf("list of runs: %q", got)
	}

	// An uploaded routing version with a delegation limit of 1 kr (the
	// example's, changed): every decision of the robot goes to a person;
	// a changed case opens side by side.
	b, err := os.ReadFile("../examples/whatif/routing-8000.json")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "routing-1.json")
	if err := os.WriteFile(file, bytes.ReplaceAll(b, []byte(`"max_amount": 8000`), []byte(`"max_amount": 1`)), 0o600); err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, s.URL+"/handlaggning/provkorning")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("f-fil"), []string{file})); err != nil {
		t.Fatal(err)
	}
	start("f-kandidat-3")
	untilDone(t, ctx)
	if n := eval[int](t, ctx, `document.querySelectorAll('#changes-caption ~ tbody a').length`); n == 0 {
		t.Fatalf("no changed case listed: %s", cwBodyText(t, ctx))
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`#changes-caption ~ tbody a`)))
	if got := cwText(t, ctx, "#summary-caption ~ tbody"); !strings.Contains(got, "beslutsförslag till handläggare") {
		t.Errorf("side by side: %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#trace-caption ~ tbody tr').length`); n == 0 {
		t.Error("side by side shows no trace lines")
	}
	cwCheckA11yLangs(t, ctx, s.URL+eval[string](t, ctx, `location.pathname + location.search`))
}

// untilDone follows a run page's link to look again, with the keyboard
// (Tab to the link, Enter), until the run is done.
func untilDone(t *testing.T, ctx context.Context) {
	t.Helper()
	for i := 0; eval[int](t, ctx, `document.querySelectorAll('#progress-status').length`) == 1; i++ {
		if i == 200 {
			t.Fatalf("the run is not done: %s", cwBodyText(t, ctx))
		}
		if got := eval[string](t, ctx, `document.querySelector('.cw-progress a').textContent`); got != "Uppdatera sidan" {
			t.Fatalf("the link to look again: %q", got)
		}
		time.Sleep(50 * time.Millisecond)
		for j := 0; j < 60 && eval[string](t, ctx, `document.activeElement.textContent`) != "Uppdatera sidan"; j++ {
			pressKey(t, ctx, kb.Tab)
		}
		if eval[string](t, ctx, `document.activeElement.textContent`) != "Uppdatera sidan" {
			t.Fatal("the link to look again is not reached with Tab")
		}
		follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	}
}
