package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/letters"
	"skalig/internal/workflow"
)

// fetched is what the page's fetch of a link gave.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"` // base64
}

// TestDecisionLetterDownloaded: Elin's monthly case is decided by the
// robot; on Mina sidor the decision links to the decision letter. The PDF
// link gives the tagged PDF as a download (the bytes internal/letters makes
// of the stored decision; pdfinfo says tagged, pdffonts every font
// embedded), and the HTML link opens the letter as a page of its own,
// which passes axe.
func TestDecisionLetterDownloaded(t *testing.T) {
	s := startSite(t)
	c := s.submitMonthly(t, devidp.ElinExempelsson, skalig.MonthlyApplication)
	s.runJobs(t)
	d, err := s.Cases.CaseDecision(context.Background(), c.ID)
	if err != nil || !d.DecidedBy.IsAutomated() {
		t.Fatalf("case %s not decided by the robot: %v %v", c.ID, d, err)
	}
	ctx := newTab(t)
	login(t, ctx, s, devidp.ElinExempelsson)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/mina-sidor/arenden/`+c.ID+`"]`)))
	wantText(t, ctx, "Beslutsbrev", "Ladda ner beslutsbrevet (PDF)")
	checkA11y(t, ctx)

	// The PDF, fetched the way the link asks for it, with the session.
	href := eval[string](t, ctx, `document.querySelector('#beslutsbrev a[href$=".pdf"]').getAttribute('href')`)
	if href != "/mina-sidor/arenden/"+c.ID+"/beslut.pdf" {
		t.Fatalf("the PDF link is %q", href)
	}
	if !eval[bool](t, ctx, `document.querySelector('#beslutsbrev a[href$=".pdf"]').hasAttribute('download')`) {
		t.Error("the PDF link is not a download")
	}
	f, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](`fetch(`+"`"+href+"`"+`).then(async r => {
		const b = new Uint8Array(await r.arrayBuffer()); let s = '';
		for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
		return {status: r.status, type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition'), body: btoa(s)};
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := base64.StdEncoding.DecodeString(f.Body)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != 200 || f.Type != "application/pdf" || f.Disposition != `attachment; filename="beslut-`+c.ID+`.pdf"` {
		t.Errorf("the PDF: status %d, %s, %s", f.Status, f.Type, f.Disposition)
	}
	in, err := letters.Load(context.Background(), s.WF, hogsbyWithoutSamples(t), c.ID, workflow.Reader{Actor: "e2e", Via: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if want, err := letters.Render(in, true); err != nil || !bytes.Equal(pdf, want) {
		t.Errorf("the downloaded PDF (%d bytes) is not the letter of the stored decision (%d bytes): %v", len(pdf), len(want), err)
	}
	if _, err := exec.LookPath("pdfinfo"); err == nil {
		file := filepath.Join(t.TempDir(), "beslut.pdf")
		if err := os.WriteFile(file, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		info, err := exec.Command("pdfinfo", file).CombinedOutput()
		if err != nil || !strings.Contains(string(info), "Tagged:          yes") || !strings.Contains(string(info), "Title:           Beslut om försörjningsstöd") {
			t.Errorf("pdfinfo: %v\n%s", err, info)
		}
		fonts, err := exec.Command("pdffonts", file).CombinedOutput()
		lines := strings.Split(strings.TrimSpace(string(fonts)), "\n")
		if err != nil || len(lines) < 3 {
			t.Fatalf("pdffonts: %v\n%s", err, fonts)
		}
		for _, l := range lines[2:] {
			if fs := strings.Fields(l); len(fs) < 6 || fs[len(fs)-5] != "yes" {
				t.Errorf("a font is not embedded: %s", l)
			}
		}
	} else if required() {
		t.Error("pdfinfo (Debian poppler-utils) is not installed")
	}

	// The HTML letter, opened from the link: a page of its own.
	follow(t, ctx, chromedp.Click(chromedp.CSS(`#beslutsbrev a[href$=".html"]`)))
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/mina-sidor/arenden/"+c.ID+"/beslut.html") {
		t.Fatalf("at %s, want the HTML letter", loc)
	}
	wantText(t, ctx, "Beslut om försörjningsstöd", "Beslut: bifall.", "Ärendenummer: "+c.Number,
		"Beslutet har fattats automatiskt", "Om du inte är nöjd med beslutet", "Skicka överklagandet till oss")
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "sv-SE" {
		t.Errorf("the letter's language is %q", lang)
	}
	checkA11y(t, ctx)
}
