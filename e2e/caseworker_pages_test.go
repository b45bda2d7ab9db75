package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
)

// cwProposal is a case that waits for a person's approval of the
// calculated amount.
func (s *cwServer) cwProposal(t *testing.T) *skalig.Case {
	t.Helper()
	for _, sc := range []demo.Scenario{demo.Family, demo.First, demo.Plain} {
		for _, id := range s.byKind[sc] {
			cs := s.reload(t, id)
			if cs.State == skalig.StateAwaitingCaseworker && (slices.Contains(cs.RoutingReasons, "outside_delegation") ||
				slices.Equal(cs.RoutingReasons, []string{"first_application"})) {
				return cs
			}
		}
	}
	t.Fatal("no proposal among the households")
	return nil
}

// TestCaseworkerApprovalIsConfirmed: "Godkänn förslaget" does not decide
// and pay in one click. With JavaScript off, the button leads to a page
// that says what will be decided and paid; nothing is decided until the
// caseworker confirms there.
func TestCaseworkerApprovalIsConfirmed(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.cwProposal(t)
	ctx := newTabWithoutJS(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	follow(t, ctx, chromedp.Click(chromedp.ID("approve")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/arenden/"+c.ID+"/godkann") {
		t.Fatalf("after the approve button: %s, want the confirmation", loc)
	}
	if _, err := s.cases.CaseDecision(context.Background(), c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("the approve button decided without confirmation: %v", err)
	}
	if got := cwText(t, ctx, "#approve-consequence"); !strings.Contains(got, "betalas ut") || !strings.Contains(got, "bifall") {
		t.Errorf("the confirmation says %q, want what is decided and paid", got)
	}
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID+"/godkann")
	// Cancel goes back to the case, undecided.
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main .button-group a`)))
	if _, err := s.cases.CaseDecision(context.Background(), c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("cancel decided: %v", err)
	}
	follow(t, ctx, chromedp.Click(chromedp.ID("approve")))
	follow(t, ctx, chromedp.Click(chromedp.ID("approve-confirm")))
	if !strings.Contains(cwBodyText(t, ctx), "Beslutet är fattat") {
		t.Fatal("no confirmation of the decision")
	}
	d, err := s.cases.CaseDecision(context.Background(), c.ID)
	if err != nil || d.Outcome != skalig.OutcomeApproved || d.DecidedBy.Caseworker != devidp.SaraHandlaggarsson {
		t.Fatalf("decision %+v, %v", d, err)
	}
}

// TestCaseworkerMessageConfirmed: after a message the redirect puts the
// query before the fragment, so the page says the message was sent and
// lands at the messages.
func TestCaseworkerMessageConfirmed(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.cwProposal(t)
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	cwTypeIn(t, ctx, "f-body", "Hej! Vi har tagit emot din ansökan.")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`#meddelande button[type="submit"]`)))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "?klart=meddelande#meddelanden") {
		t.Errorf("after the message: %s, want ?klart=meddelande#meddelanden", loc)
	}
	if !strings.Contains(cwBodyText(t, ctx), "Meddelandet är skickat") {
		t.Error("no confirmation of the message")
	}
	checkA11y(t, ctx)
}

// TestCaseworkerAutoDecidedHeading: a case the robot decided does not say
// "Därför stannade Skälig": it did not stop.
func TestCaseworkerAutoDecidedHeading(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	var c *skalig.Case
	for _, sc := range []demo.Scenario{demo.Plain, demo.Family} {
		for _, id := range s.byKind[sc] {
			if d, err := s.cases.CaseDecision(context.Background(), id); c == nil && err == nil && d.DecidedBy.IsAutomated() {
				c = s.reload(t, id)
			}
		}
	}
	if c == nil {
		t.Fatal("no case decided by the robot")
	}
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	if got := cwText(t, ctx, "#reasons-heading"); got != "Så beslutade Skälig" {
		t.Errorf("heading of an automated decision: %q", got)
	}
	if strings.Contains(cwBodyText(t, ctx), "Därför stannade Skälig") {
		t.Error("an automated decision says Skälig stopped")
	}
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID)
}

// TestCaseworkerCaseSummaryAndSections: the case page starts with what
// needs doing, the amount and the reasons, visible without scrolling, and
// a list of its sections to jump between; every link lands on a heading.
func TestCaseworkerCaseSummaryAndSections(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.caseWhere(t, demo.IncomeDiffers, func(c *skalig.Case) bool {
		return c.State == skalig.StateAwaitingCaseworker && slices.Contains(c.RoutingReasons, "income_differs")
	})
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	if got := cwText(t, ctx, "#glance-todo"); !strings.Contains(got, "Fatta beslut") && !strings.Contains(got, "Skälig kan inte räkna") {
		t.Errorf("the summary says to do %q", got)
	}
	if got := cwText(t, ctx, "#glance-reasons"); got == "" || got == "Inga" {
		t.Errorf("the summary names no reason for an exception: %q", got)
	}
	if top := eval[float64](t, ctx, `document.getElementById('glance-todo').getBoundingClientRect().bottom`); top > eval[float64](t, ctx, `window.innerHeight`) {
		t.Errorf("the summary is below the first screen (at %.0f px)", top)
	}
	links := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('nav.cw-sections a')).map(a => a.getAttribute('href'))`)
	if len(links) < 8 {
		t.Fatalf("the section list has %d links", len(links))
	}
	for _, h := range links {
		if ok := eval[bool](t, ctx, `(() => { const e = document.querySelector(`+cwJsString(h)+`); return !!e && /^H[23]$/.test(e.tagName); })()`); !ok {
			t.Errorf("section link %s lands on no heading", h)
		}
	}
	// Following a link scrolls the section's heading into view.
	cwClick(t, ctx, `nav.cw-sections a[href="#history-heading"]`)
	if y := eval[float64](t, ctx, `document.getElementById('history-heading').getBoundingClientRect().top`); y < 0 || y > 200 {
		t.Errorf("after the history link the heading is at %.0f px", y)
	}
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID)
}

// TestCaseworkerNoRawCodes: what a caseworker reads on a case page is in
// their language: fact values, trace sources and the history carry no
// codes (yes, unemployed, answered, unknown_person, parameter, rule,
// draft.submitted, routing, …), in Swedish, English and Arabic; the public
// transparency page cites the law in Swedish.
func TestCaseworkerNoRawCodes(t *testing.T) {
	s := startCaseworker(t, 16, nil)
	c := s.caseWhere(t, demo.IncomeDiffers, func(c *skalig.Case) bool { return c.State == skalig.StateAwaitingCaseworker })
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	// A code: lower-case ASCII words joined by _ or ., or one of the
	// single-word codes the issue found on screen.
	const codes = `/^(?:[a-z]+(?:[._][a-z]+)+|yes|no|answered|failed|none|unemployed|employed|citizen|parameter|rule|applicant|register|caseworker|routing|calculation|notification)$/`
	cells := `Array.from(document.querySelectorAll('.cw-facts td:nth-child(2), .cw-trace td.source .cw-meta, .cw-history td:nth-child(3)'))`
	for _, lang := range []string{"sv", "en", "ar"} {
		navigate(t, ctx, s.URL+"/handlaggning/arenden/"+c.ID+"?lang="+lang)
		if n := eval[int](t, ctx, cells+`.length`); n < 10 {
			t.Fatalf("%s: only %d cells to check", lang, n)
		}
		raw := eval[[]string](t, ctx, `(() => { const re = `+codes+`; const joined = /^[a-z]+(?:[._][a-z]+)+$/; const out = [];
			for (const e of `+cells+`) {
				const text = e.textContent.trim();
				if (re.test(text)) out.push(text);
				for (const w of text.split(/[\s:,;()→]+/)) if (joined.test(w)) out.push(w + ' in ' + text);
			}
			return out; })()`)
		if len(raw) > 0 {
			t.Errorf("%s: codes on screen: %v", lang, raw)
		}
		if body := cwBodyText(t, ctx); strings.Contains(body, "Sparat: routing") || strings.Contains(body, "draft.submitted") {
			t.Errorf("%s: the history shows codes", lang)
		}
	}
	navigate(t, ctx, s.URL+"/om-automatiserad-handlaggning")
	if strings.Contains(cwBodyText(t, ctx), "in the wording of") {
		t.Error("the transparency page cites the law in English")
	}
}

// TestCaseworkerSearchesCase: from the queues a caseworker searches for a
// household by personnummer and by case number; the term never appears in
// the address bar or the page title; the case page's title names the case
// number, not the personnummer.
func TestCaseworkerSearchesCase(t *testing.T) {
	s := startCaseworker(t, 8, nil)
	c := s.cwProposal(t)
	app, err := s.cases.CaseApplication(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	pn := app.Members[0].PersonalNumber.Canonical()
	pnText := pn[:8] + "-" + pn[8:]
	ctx := newTab(t)
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning")
	follow(t, ctx, chromedp.Click(chromedp.ID("search-link")))
	cwCheckA11yLangs(t, ctx, s.URL+"/handlaggning/sok")
	for _, q := range []string{pnText, c.Number} {
		navigate(t, ctx, s.URL+"/handlaggning/sok")
		cwTypeIn(t, ctx, "f-q", q)
		follow(t, ctx, chromedp.Click(chromedp.ID("search-submit")))
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		title := eval[string](t, ctx, `document.title`)
		if strings.Contains(loc, pn[:8]) || strings.Contains(loc, "?") || strings.Contains(title, pn[:8]) {
			t.Errorf("search for %s: address %s, title %q", q, loc, title)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#search-results a[href$="`+c.ID+`"]').length`); n != 1 {
			t.Fatalf("search for %s: the case is not in the results", q)
		}
		// One case is "1 ärende", not "1 ärenden" (a plural message).
		if h := strings.TrimSpace(cwText(t, ctx, "#results-heading")); q == c.Number && h != "Sökresultat: 1 ärende" {
			t.Errorf("search for %s: heading %q, want %q", q, h, "Sökresultat: 1 ärende")
		}
		checkA11y(t, ctx)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`#search-results a[href$="`+c.ID+`"]`)))
	if title := eval[string](t, ctx, `document.title`); strings.Contains(title, pn[:8]) || !strings.Contains(title, c.Number) {
		t.Errorf("case page title %q, want the case number and no personnummer", title)
	}
	// By the applicant's name, in upper case: the case is found, and the
	// results name the applicant.
	navigate(t, ctx, s.URL+"/handlaggning/sok")
	cwTypeIn(t, ctx, "f-q", strings.ToUpper(app.Members[0].Name))
	follow(t, ctx, chromedp.Click(chromedp.ID("search-submit")))
	if n := eval[int](t, ctx, `document.querySelectorAll('#search-results a[href$="`+c.ID+`"]').length`); n != 1 {
		t.Fatalf("search for %s: the case is not in the results", app.Members[0].Name)
	}
	if !strings.Contains(cwText(t, ctx, "#search-results"), app.Members[0].Name) {
		t.Errorf("the results do not name %s", app.Members[0].Name)
	}
	checkA11y(t, ctx)
	// Digits that are no number: a clear message.
	navigate(t, ctx, s.URL+"/handlaggning/sok")
	cwTypeIn(t, ctx, "f-q", "12345")
	follow(t, ctx, chromedp.Click(chromedp.ID("search-submit")))
	if n := eval[int](t, ctx, `document.querySelectorAll('.error-summary li').length`); n != 1 {
		t.Fatalf("error summary has %d items, want 1", n)
	}
	checkA11y(t, ctx)
}

// TestAdministratorEntersByTheStaffLink: an administrator who follows the
// staff link (/handlaggning, as the start page and the demo give it) lands
// on the administration, not on "Du har inte behörighet".
func TestAdministratorEntersByTheStaffLink(t *testing.T) {
	s := startCaseworker(t, 1, nil)
	ctx := newTab(t)
	s.login(t, ctx, devidp.WilmaAdminsson, "/handlaggning")
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/handlaggning/admin") {
		t.Fatalf("the administrator landed on %s, want /handlaggning/admin (page: %s)", loc, cwText(t, ctx, "h1"))
	}
	if h := cwText(t, ctx, "h1"); strings.Contains(h, "behörighet") {
		t.Fatalf("heading %q", h)
	}
	checkA11y(t, ctx)
}
