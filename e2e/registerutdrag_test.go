package e2e

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/store/recordsdb"
)

// TestRegisterutdragDownload: Alva finds "Dina uppgifter" on Mina sidor
// (accessible in every language), downloads her registerutdrag as a PDF by
// the link, and as JSON: both hold her case, and each download is in the
// audit trail.
func TestRegisterutdragDownload(t *testing.T) {
	s := startSite(t)
	c := s.submitMonthly(t, devidp.AlvaTestsson, skalig.MonthlyApplication)
	s.runJobs(t)
	ctx := newTab(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	wantText(t, ctx, "Dina uppgifter", "artikel 15", "Hämta registerutdrag som PDF", "Hämta registerutdrag som JSON-fil")
	checkA11yLangs(t, ctx)

	// The PDF by the link, as the browser downloads it.
	dir := t.TempDir()
	// The tab has a browser context of its own: the download behaviour is
	// set on the browser, for that context.
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		BrowserContextID: chromedp.FromContext(ctx).BrowserContextID}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="/mina-sidor/registerutdrag.pdf"]`))); err != nil {
		t.Fatal(err)
	}
	var pdf []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "registerutdrag-") && strings.HasSuffix(e.Name(), ".pdf") {
				pdf, _ = os.ReadFile(dir + "/" + e.Name())
			}
		}
		if len(pdf) > 0 && strings.HasSuffix(strings.TrimSpace(string(pdf)), "%%EOF") {
			break
		}
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("no PDF downloaded (%d bytes)", len(pdf))
	}

	type result struct {
		Status int      `json:"status"`
		Type   string   `json:"type"`
		PN     string   `json:"pn"`
		Cases  []string `json:"cases"`
	}
	res := cwEvalAwait[result](t, ctx, `fetch('/mina-sidor/registerutdrag.json').then(async r => { const j = await r.json();
		return {status: r.status, type: r.headers.get('content-type'), pn: j.personal_number, cases: j.cases.map(c => c.id)}; })`)
	if res.Status != http.StatusOK || res.Type != "application/json" || res.PN != person(t, devidp.AlvaTestsson).PersonalNumber.Canonical() ||
		len(res.Cases) != 1 || res.Cases[0] != c.ID {
		t.Errorf("JSON: %+v", res)
	}
	var n int
	if _, err := s.DB.SealAudit(context.Background()); err != nil { // PostgreSQL: chain the pending events
		t.Fatal(err)
	}
	if err := s.DB.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE action = $1`, recordsdb.ActionRegisterutdrag).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d registerutdrag logged, want 2", n)
	}
}

// TestCaseworkerRegisterutdrag: Sara opens the registerutdrag page from the
// menu; an empty form gets the error summary naming the field; both pages
// pass the accessibility check.
func TestCaseworkerRegisterutdrag(t *testing.T) {
	s := startCaseworker(t, 2, nil)
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/handlaggning/registerutdrag"]`)))
	if h1 := cwText(t, ctx, "h1"); h1 != "Registerutdrag för en begäran per post" {
		t.Fatalf("h1 %q", h1)
	}
	checkA11y(t, ctx)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`button[value="pdf"]`)))
	if txt := cwText(t, ctx, ".error-summary"); !strings.Contains(txt, "Personnummer") {
		t.Errorf("error summary %q", txt)
	}
	checkA11y(t, ctx)
}
