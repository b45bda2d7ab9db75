package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/payments"
	"skalig/internal/store/paymentdb"
)

// The applicant's pages in the browser: login through the development
// provider, the e-service (single adult, couple with co-signing, monthly
// re-application), field errors, an automated decision with its
// explanation, a document request answered with an upload, Arabic right to
// left, and another person's case by URL. axe-core checks every page.

// TestApplicantAppliesAlone: Alva logs in through the provider, applies
// for the first time step by step, meets field errors, and gets the receipt
// with the case's reference. Every page is checked with axe (the start and
// Mina sidor in the three languages).
func TestApplicantAppliesAlone(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t)
	navigate(t, ctx, s.URL+"/")
	checkA11y(t, ctx)
	login(t, ctx, s, devidp.AlvaTestsson)
	wantText(t, ctx, "Mina sidor", "Välkommen, Alva Testsson.", "Ansök för november 2026")
	checkA11yLangs(t, ctx)

	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/ansokan"] button`)))
	wantText(t, ctx, "Ditt hushåll", "Steg 1 av 9")
	checkA11y(t, ctx)

	// Household, by keyboard alone: Tab to the radio group, arrow to "Nej",
	// Tab on to the number of children, type it, Enter.
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`a.skip-link`))); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40 && eval[string](t, ctx, `document.activeElement.name || ''`) != "partner"; i++ {
		pressKey(t, ctx, kb.Tab)
	}
	if f := focused(t, ctx); f.ID != "f-partner" || !f.Visible {
		t.Fatalf("the radio group is not reached by Tab with visible focus: %+v", f)
	}
	pressKey(t, ctx, kb.ArrowDown) // "Nej"
	pressKey(t, ctx, kb.Tab)       // the partner's number
	pressKey(t, ctx, kb.Tab)       // the number of children
	if f := focused(t, ctx); f.ID != "f-children" {
		t.Fatalf("focus on %+v, want the number of children", f)
	}
	pressKey(t, ctx, "0")
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
	wantText(t, ctx, "Boende", "Steg 2 av 9")

	// Housing with errors: the summary takes the focus and links the fields.
	click(t, ctx, "f-housing")
	typeInto(t, ctx, "f-rent", "72 00")
	typeInto(t, ctx, "f-electricity", "femtio")
	next(t, ctx)
	if title := eval[string](t, ctx, `document.title`); !strings.HasPrefix(title, "Fel:") {
		t.Errorf("title %q does not start with Fel:", title)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement && document.activeElement.hasAttribute('data-error-summary')`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the error summary does not take the focus: %v", err)
	}
	wantText(t, ctx, "Hyra eller avgift per månad: kontrollera mellanslagen", "Hushållsel per månad: skriv bara siffror")
	if inv := eval[string](t, ctx, `document.getElementById('f-rent').getAttribute('aria-invalid') || ''`); inv != "true" {
		t.Error("the rent field is not aria-invalid")
	}
	checkA11y(t, ctx)
	typeInto(t, ctx, "f-rent", "4 100")
	typeInto(t, ctx, "f-electricity", "350,50")
	next(t, ctx)

	wantText(t, ctx, "Dina inkomster i november 2026")
	checkA11y(t, ctx)
	typeInto(t, ctx, "f-income-p1-activity_support", "6 205")
	next(t, ctx)
	checkA11y(t, ctx) // other costs
	next(t, ctx)
	checkA11y(t, ctx) // assets
	typeInto(t, ctx, "f-bank", "0")
	click(t, ctx, "f-vehicle-1")
	click(t, ctx, "f-assets_other-1")
	next(t, ctx)
	checkA11y(t, ctx) // work
	click(t, ctx, "f-work-p1-1")
	click(t, ctx, "f-af-p1")
	next(t, ctx)
	checkA11y(t, ctx) // account
	typeInto(t, ctx, "f-clearing", "8327-9")
	typeInto(t, ctx, "f-account", "123 456 789")
	next(t, ctx)
	checkA11y(t, ctx) // anything else
	next(t, ctx)

	wantText(t, ctx, "Kontrollera och skicka", "4 100 kr", "350,50 kr", "Innan du skickar", "Försäkringskassan")
	checkA11yLangs(t, ctx)
	// Without the box ticked: an error.
	next(t, ctx)
	wantText(t, ctx, "Kryssa i rutan för att intyga att uppgifterna är riktiga.")
	checkA11y(t, ctx)
	click(t, ctx, "f-confirm")
	next(t, ctx)

	wantText(t, ctx, "Vi har tagit emot din ansökan", "Ärendenummer", "Beslut", "Senast ", "om ansökan är komplett")
	// The case number people quote: short, and the case's.
	ref := eval[string](t, ctx, `document.getElementById('case-ref').textContent`)
	c, err := s.Cases.CaseByNumber(context.Background(), ref)
	if err != nil || !regexp.MustCompile(`^2026-0821-\d{6}$`).MatchString(ref) {
		t.Fatalf("the receipt shows %q, which is no case number: %v", ref, err)
	}
	checkA11yLangs(t, ctx)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/mina-sidor/arenden/`+c.ID+`"]`)))
	wantText(t, ctx, "Ansökan för november 2026", ref, "Vi tog emot din ansökan.")
	checkA11y(t, ctx)
}

// TestCoupleCoSigns: Cecilia applies with David; David logs in with his own
// login, reads it and signs; only then is it submitted.
func TestCoupleCoSigns(t *testing.T) {
	s := startSite(t)
	cecilia := newTab(t)
	login(t, cecilia, s, devidp.CeciliaDemosson)
	follow(t, cecilia, chromedp.Click(chromedp.CSS(`form[action="/ansokan"] button`)))
	click(t, cecilia, "f-partner")
	typeInto(t, cecilia, "f-partner_pn", "19860302-9938")
	typeInto(t, cecilia, "f-children", "1")
	next(t, cecilia)
	wantText(t, cecilia, "Barn 1")
	checkA11y(t, cecilia)
	typeInto(t, cecilia, "f-child-1-pn", "20200101-9809")
	next(t, cecilia)
	wantText(t, cecilia, "skriv personnumret med 12 siffror")
	typeInto(t, cecilia, "f-child-1-pn", "20200101-9807")
	click(t, cecilia, "f-child-1-preschool")
	next(t, cecilia)
	click(t, cecilia, "f-housing")
	typeInto(t, cecilia, "f-rent", "6900")
	next(t, cecilia)
	wantText(t, cecilia, "Inkomster för din make, maka eller sambo i november 2026")
	typeInto(t, cecilia, "f-income-p2-sickness_benefit", "20454")
	next(t, cecilia)
	next(t, cecilia)
	typeInto(t, cecilia, "f-bank", "0")
	click(t, cecilia, "f-vehicle-1")
	click(t, cecilia, "f-assets_other-1")
	next(t, cecilia)
	for _, id := range []string{"f-work-p1-3", "f-af-p1-1", "f-work-p2-2", "f-af-p2-1"} {
		click(t, cecilia, id)
	}
	next(t, cecilia)
	typeInto(t, cecilia, "f-clearing", "6000")
	typeInto(t, cecilia, "f-account", "123456789")
	next(t, cecilia)
	next(t, cecilia)
	wantText(t, cecilia, "Skriv under och skicka för underskrift", "19860302-9938")
	click(t, cecilia, "f-confirm")
	next(t, cecilia)
	wantText(t, cecilia, "Ansökan väntar på underskrift", "19860302-****")
	checkA11yLangs(t, cecilia)
	if n := countCases(t, s); n != 0 {
		t.Fatalf("%d cases before David signed", n)
	}

	david := newTab(t)
	login(t, david, s, devidp.DavidDemosson)
	// David is told who applied by name, and not asked to apply himself.
	wantText(t, david, "Ansökningar som väntar på din underskrift", "Ifylld av Cecilia Demosson", "Du behöver inte ansöka själv")
	if n := eval[int](t, david, `document.querySelectorAll('main form[action="/ansokan"]').length`); n != 0 {
		t.Error("David is invited to start an application of his own while he has one to sign")
	}
	follow(t, david, chromedp.Click(chromedp.CSS(`a[href$="/underskrift"]`)))
	wantText(t, david, "Skriv under ansökan", "Cecilia Demosson har ansökt", "Du är medsökande", "20 454 kr",
		"Ditt personnummer", "Sysselsättning (du)", "Sysselsättning (Cecilia Demosson)")
	if strings.Contains(pageText(t, david), "19870914") {
		t.Error("the signing page names Cecilia by her personnummer")
	}
	checkA11yLangs(t, david)
	follow(t, david, chromedp.Click(chromedp.CSS(`button[value="sign"]`)))
	wantText(t, david, "Kryssa i rutan")
	checkA11y(t, david)
	click(t, david, "f-confirm")
	follow(t, david, chromedp.Click(chromedp.CSS(`button[value="sign"]`)))
	wantText(t, david, "Vi har tagit emot din ansökan", "Ni har båda skrivit under.")
	if n := countCases(t, s); n != 1 {
		t.Fatalf("%d cases after David signed, want 1", n)
	}
	// Cecilia sees the receipt too.
	navigate(t, cecilia, s.URL+"/mina-sidor")
	follow(t, cecilia, chromedp.Click(chromedp.CSS(`.case-item a`)))
	wantText(t, cecilia, "Ansökan för november 2026", "Vi tog emot din ansökan.")

	// Next month David is known by the name his login gave: Cecilia's
	// pages name him, not his personnummer.
	navigate(t, cecilia, s.URL+"/mina-sidor")
	follow(t, cecilia, chromedp.Click(chromedp.CSS(`form[action="/ansokan"] button`)))
	click(t, cecilia, "f-confirm")
	next(t, cecilia)
	wantText(t, cecilia, "Ansökan väntar på underskrift", "David Demosson")
	if strings.Contains(pageText(t, cecilia), "19860302-****") {
		t.Error("the waiting page names David by his personnummer")
	}
	navigate(t, cecilia, s.URL+"/mina-sidor")
	wantText(t, cecilia, "David Demosson")
	checkA11y(t, cecilia)
}

func countCases(t *testing.T, s *siteServer) int {
	t.Helper()
	var n int
	if err := s.DB.SQL().QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMonthlyReapplication: after a month with a decision, the next month's
// application is prefilled; Bo confirms it with a few clicks, without
// JavaScript.
func TestMonthlyReapplication(t *testing.T) {
	s := startSite(t)
	s.submitMonthly(t, devidp.BoProvsson, skalig.FirstApplication)
	s.runJobs(t)
	ctx := newTabWithoutJS(t)
	login(t, ctx, s, devidp.BoProvsson)
	wantText(t, ctx, "Ansök för december 2026", "ifylld med det du skrev förra gången")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/ansokan"] button`)))
	wantText(t, ctx, "Fortsatt ansökan för december 2026", "Vi har fyllt i det du skrev förra månaden", "4 100 kr", "123456")
	checkA11yLangs(t, ctx)
	// Change one thing from the review, and come back to it.
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/boende?fran=granska"]`)))
	click(t, ctx, "f-housing")
	typeInto(t, ctx, "f-rent", "4 250")
	next(t, ctx)
	wantText(t, ctx, "Kontrollera och skicka", "4 250 kr")
	click(t, ctx, "f-confirm")
	next(t, ctx)
	wantText(t, ctx, "Vi har tagit emot din ansökan", "fortsatt ansökan")
	cs, err := s.Cases.CasesOfPerson(context.Background(), person(t, devidp.BoProvsson).PersonalNumber)
	if err != nil || len(cs) != 2 || cs[0].Kind != skalig.MonthlyApplication || cs[0].Month != skalig.MonthOf(2026, 12) {
		t.Fatalf("cases %+v, %v", cs, err)
	}
}

// TestAutomatedDecisionExplained: Elin's monthly case is decided by the
// robot; Mina sidor says so, shows the amount and payment date, how to ask
// for a review and how to appeal, and the explanation gives every line with
// its source and law, in Swedish, English and Arabic (right to left).
func TestAutomatedDecisionExplained(t *testing.T) {
	s := startSite(t)
	c := s.submitMonthly(t, devidp.ElinExempelsson, skalig.MonthlyApplication)
	s.runJobs(t)
	// The robot ordered the payment; the bank's answer makes the case paid.
	pay := payments.New(payments.Config{Cases: s.Cases, Debtor: payments.Debtor{Name: "Test", IBAN: "SE4550000000058398257466"}})
	_, run, err := pay.Run(context.Background(), t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := paymentdb.New(s.Cases).RunPayments(context.Background(), run.ID)
	answer, _ := payments.SimulatedNotification(run, ps, payments.Debtor{IBAN: "SE4550000000058398257466"}, run.CreatedAt, nil)
	if _, err := pay.Import(context.Background(), answer, "test"); err != nil {
		t.Fatal(err)
	}
	if c, _ = s.Cases.Case(context.Background(), c.ID); c.State != skalig.StatePaid {
		t.Fatalf("case %s %v, want paid by the robot", c.State, c.RoutingReasons)
	}
	ctx := newTab(t)
	login(t, ctx, s, devidp.ElinExempelsson)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/mina-sidor/arenden/`+c.ID+`"]`)))
	wantText(t, ctx, "Beslutet är fattat automatiskt", "bevilja (bifall)", "Utbetalning", "förvaltningsrätten", "tre veckor",
		"Be om att en handläggare prövar beslutet", "Beslutet fattades.", "Pengarna skickades till ditt konto.")
	checkA11yLangs(t, ctx)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/berakning"]`)))
	wantText(t, ctx, "Så räknade vi ut beloppet för november 2026", "Riksnormen för 2026", "Uppgift från Försäkringskassan",
		"Du har skrivit det i ansökan.", "socialtjänstlagen (2025:400)", "Försörjningsstöd för månaden")
	lines := eval[int](t, ctx, `document.querySelectorAll('.explain-line').length`)
	if lines < 6 {
		t.Errorf("%d lines in the explanation", lines)
	}
	checkA11yLangs(t, ctx)

	// Arabic, right to left, kept across pages.
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.lang-switch a[lang="ar"]`)))
	if d := eval[string](t, ctx, `getComputedStyle(document.querySelector('main h1')).direction`); d != "rtl" {
		t.Errorf("ar: direction %q", d)
	}
	if !eval[bool](t, ctx, `(() => { const h = document.querySelector('main h1'); const r = document.createRange(); r.selectNodeContents(h);
		return Math.abs(r.getBoundingClientRect().right - h.getBoundingClientRect().right) < 2; })()`) {
		t.Error("ar: the heading is not aligned to the right")
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/mina-sidor/arenden/`+c.ID+`"]`)))
	if got := eval[string](t, ctx, `document.documentElement.dir`); got != "rtl" {
		t.Errorf("the language was not kept: dir %q", got)
	}
	wantText(t, ctx, "اتُّخذ القرار آلياً")

	// Ask for a review.
	navigate(t, ctx, s.URL+"/mina-sidor/arenden/"+c.ID+"?lang=sv")
	typeInto(t, ctx, "f-review_text", "Jag har fått ett arbete.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action$="/omprovning"] button`)))
	wantText(t, ctx, "Du har bett om att en handläggare prövar ärendet")
	checkA11y(t, ctx)
}

// TestDocumentRequestAnswered: the caseworker asks Alva for a document;
// she finds the request on Mina sidor, tries a file that is not a PDF,
// JPEG or PNG (refused by its content), then uploads a PNG; the case goes
// back to the caseworker. She also writes a message.
func TestDocumentRequestAnswered(t *testing.T) {
	s := startSite(t)
	c := s.submitMonthly(t, devidp.AlvaTestsson, skalig.FirstApplication)
	s.runJobs(t)
	c, _ = s.Cases.Case(context.Background(), c.ID)
	rq, err := s.WF.RequestDocuments(context.Background(), c.ID, c.Version, "hl-1", "Hyresavi för november.", skalig.DateOf(time.Now().AddDate(0, 0, 7)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "hyresavi.png")
	png := filepath.Join(dir, "hyresavi-foto.png")
	if err := os.WriteFile(fake, []byte("det här är text, inte en bild"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	wantText(t, ctx, "Du behöver göra något")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`.case-item a`)))
	wantText(t, ctx, "väntar på dig", "Hyresavi för november.", "Handläggaren bad om dokument.")
	checkA11yLangs(t, ctx)
	field := "f-file-" + rq.ID
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID(field), []string{fake})); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button.button:not(.button-secondary)`)))
	wantText(t, ctx, "Filen måste vara en PDF, JPEG eller PNG.")
	checkA11y(t, ctx)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID(field), []string{png})); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button.button:not(.button-secondary)`)))
	wantText(t, ctx, "Tack! Vi har tagit emot dokumentet.", "hyresavi-foto.png", "hos en handläggare", "Ett dokument skickades in.")
	checkA11y(t, ctx)
	if c, _ = s.Cases.Case(context.Background(), c.ID); c.State != skalig.StateAwaitingCaseworker {
		t.Errorf("after the upload the case is %s", c.State)
	}
	typeInto(t, ctx, "f-body", "Hyresavin är från bostadsbolaget.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action$="/meddelanden"] button`)))
	wantText(t, ctx, "Ditt meddelande är skickat.", "Hyresavin är från bostadsbolaget.")
	msgs, _ := s.Cases.Messages(context.Background(), c.ID)
	if len(msgs) != 1 || msgs[0].From != "applicant" {
		t.Errorf("messages %+v", msgs)
	}
}

// TestAnotherPersonsCase: Bo cannot open Alva's case, its explanation or
// her draft by URL: the 404 page, in every language, with no violation.
func TestAnotherPersonsCase(t *testing.T) {
	s := startSite(t)
	c := s.submitMonthly(t, devidp.AlvaTestsson, skalig.MonthlyApplication)
	d := &skalig.Draft{Municipality: "0821", Applicant: person(t, devidp.AlvaTestsson).PersonalNumber, Kind: skalig.MonthlyApplication,
		Month: skalig.MonthOf(2026, 12), Data: []byte(`{}`)}
	if err := s.Drafts.CreateDraft(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	login(t, ctx, s, devidp.BoProvsson)
	for _, path := range []string{"/mina-sidor/arenden/" + c.ID, "/mina-sidor/arenden/" + c.ID + "/berakning", "/ansokan/" + d.ID + "/granska"} {
		if st := navigate(t, ctx, s.URL+path); st != http.StatusNotFound {
			t.Errorf("Bo GET %s: status %d, want 404", path, st)
		}
		wantText(t, ctx, "Sidan finns inte")
		if strings.Contains(pageText(t, ctx), "Alva") {
			t.Errorf("%s tells Bo about Alva", path)
		}
	}
	checkA11yLangs(t, ctx)
	navigate(t, ctx, s.URL+"/mina-sidor")
	if strings.Contains(pageText(t, ctx), c.ID) {
		t.Error("Bo's Mina sidor lists Alva's case")
	}
}
