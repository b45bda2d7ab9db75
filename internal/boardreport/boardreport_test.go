package boardreport_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/boardreport"
	"skalig/internal/stats"
)

// report is a hand-counted report: 10 automated decisions under one point
// (8 bifall, 2 delvis bifall; 6 single people, 4 families with children,
// 3 of them first applications), 3 on a proposal and 2 by a person, 4
// sample draws with one discrepancy, and reviews and appeals.
func report(t *testing.T) *stats.DelegationReport {
	t.Helper()
	m := skalig.MonthOf(2026, 11)
	row := func(n, adults, children int, kind skalig.ApplicationKind, outcome skalig.Outcome, delegation string, reasons ...string) *stats.Row {
		return &stats.Row{Count: n, Kind: kind, Adults: adults, Children: children, State: skalig.StatePaid, Decided: true,
			Outcome: outcome, Delegation: delegation, Reasons: reasons}
	}
	const point = "Delegationsordning 3.1: försörjningsstöd enligt riksnormen"
	rows := []*stats.Row{
		row(5, 1, 0, skalig.MonthlyApplication, skalig.OutcomeApproved, point),
		row(1, 1, 0, skalig.FirstApplication, skalig.OutcomePartlyApproved, point),
		row(2, 2, 2, skalig.FirstApplication, skalig.OutcomeApproved, point),
		row(1, 1, 1, skalig.MonthlyApplication, skalig.OutcomeApproved, point),
		row(1, 1, 2, skalig.MonthlyApplication, skalig.OutcomePartlyApproved, point),
		row(3, 1, 0, skalig.MonthlyApplication, skalig.OutcomeApproved, "", "no_delegation"),
		row(2, 1, 0, skalig.MonthlyApplication, skalig.OutcomeRejected, "", "income_differs"),
	}
	rows[6].SampleResult = &stats.SampleResult{Declared: skalig.Kronor(7000), Verified: skalig.Kronor(6500)}
	rows = append(rows, &stats.Row{Count: 3, Kind: skalig.MonthlyApplication, Adults: 1, State: skalig.StateSampled, Reasons: []string{"sample"}})
	r, err := stats.Delegation("0821", m-1, m, rows)
	if err != nil {
		t.Fatal(err)
	}
	r.AddReviews([]stats.ReviewRow{
		{Kind: stats.ReviewKindReview, Resolution: "kept", Delegation: point, Count: 2},
		{Kind: stats.ReviewKindAppeal, Resolution: "forwarded", Count: 1},
	})
	return r
}

var opts = boardreport.Options{Municipality: "Högsby kommun", Board: "Socialnämnden i Högsby kommun",
	At: time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC)}

// The report's text says the hand-counted figures.
func TestReportContent(t *testing.T) {
	html, err := boardreport.Document(report(t), opts).HTML()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(strings.NewReplacer("\u00a0", " ").Replace(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(string(html), " "))), " ")
	for _, want := range []string{
		"Återrapportering av delegerade beslut",
		"kommunallagen (2017:725) 6 kap. 40 §", "Rapporten är gjord 2026-12-05", // 23:30 UTC is the 5th in Sweden
		"Under perioden kom 18 ansökningar in. 10 beslut fattades automatiserat enligt delegation, 3 av handläggare på beslutsförslag från Skälig och 2 av handläggare efter undantag eller stickprov.",
		"Delegationspunkt: Delegationsordning 3.1: försörjningsstöd enligt riksnormen. Beslut enligt förvaltningslagen (2017:900) 28 § (automatiserat beslutsfattande): 10, varav bifall 8, delvis bifall 2 och avslag 0. Begäran om omprövning av dessa beslut: 2. Överklaganden: 0.",
		"Alla 10 8 2 0", "Ensamstående utan barn 6 5 1 0", "Hushåll med 1–2 barn 4 3 1 0", "Hushåll med 3 eller fler barn 0 0 0 0", "Grundansökan 3 2 1 0",
		"På beslutsförslag från Skälig 3 3 0 0", "Efter undantag eller stickprov 2 0 0 2",
		"Utvalda 5", "Avvikelser 2", "uppgett sammanlagt 7 000 kr; underlagen visade 6 500 kr",
		"Begäran om omprövning 2 2 0 0 0 2", "Överklaganden 1 0 1 0 0 0",
		"Ändrade beslut",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
}

// The PDF is tagged, with its fonts embedded, its title and language set,
// the figures as tables, and the same bytes for the same report.
func TestReportPDF(t *testing.T) {
	pdf, err := boardreport.PDF(report(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := boardreport.PDF(report(t), opts)
	if !bytes.Equal(pdf, again) {
		t.Error("the same report gave different PDF bytes")
	}
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Skip("pdfinfo (Debian poppler-utils) is not installed; CI installs it")
	}
	file := filepath.Join(t.TempDir(), "rapport.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) string {
		out, err := exec.Command(name, append(args, file)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		return string(out)
	}
	info := run("pdfinfo")
	for _, s := range []string{"Tagged:          yes", "Title:           Återrapportering av delegerade beslut om ekonomiskt bistånd, Högsby kommun, 2026-10–2026-11"} {
		if !strings.Contains(info, s) {
			t.Errorf("pdfinfo lacks %q:\n%s", s, info)
		}
	}
	fonts := strings.Split(strings.TrimSpace(run("pdffonts")), "\n")
	for _, f := range fonts[2:] {
		if fs := strings.Fields(f); len(fs) < 6 || fs[len(fs)-5] != "yes" {
			t.Errorf("font not embedded: %s", f)
		}
	}
	if len(fonts) < 3 {
		t.Error("pdffonts lists no font")
	}
	st := run("pdfinfo", "-struct-text")
	for _, re := range []string{`H1 \(block\)\n\s+"Återrapportering av delegerade beslut"`, `TH:\n\s+/Scope /Column\n\s+"Avslag"`,
		`TH:\n\s+/Scope /Row\n\s+"Överklaganden"`} {
		if !regexp.MustCompile(re).MatchString(st) {
			t.Errorf("the structure tree's text lacks %s", re)
		}
	}
	meta := run("pdfinfo", "-meta")
	for _, s := range []string{"<rdf:li>sv-SE</rdf:li>", "<pdfaid:part>2</pdfaid:part>", "<pdfuaid:part>1</pdfuaid:part>"} {
		if !strings.Contains(meta, s) {
			t.Errorf("XMP metadata lacks %s", s)
		}
	}
	if !bytes.Contains(pdf, []byte("/Lang <FEFF00730076002D00530045>")) {
		t.Error("the catalog lacks /Lang sv-SE")
	}
	if os.Getenv("KEEP_PDF") != "" {
		os.WriteFile(os.Getenv("KEEP_PDF"), pdf, 0o644)
	}
}
