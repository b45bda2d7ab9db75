package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/store"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// What a walk through the applicant's pages found (issue 16), each with the
// browser test that would have caught it: the explanation is the decided
// calculation, contact details where people need them, Enter in the error
// summary, deleting a draft, the case number, the co-applicant by name, the
// step indicator on a phone, validation, and one whole application with
// the keyboard alone.

// phone makes the tab a 390 px wide phone screen until the test ends.
func phone(t *testing.T, ctx context.Context) {
	t.Helper()
	setWidth(t, ctx, 390)
	t.Cleanup(func() { chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}) })
}

// setWidth makes the tab's screen width px wide (a phone below 600 px).
func setWidth(t *testing.T, ctx context.Context, px int64) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: px, Height: 844, DeviceScaleFactor: 1, Mobile: px < 600}); err != nil {
		t.Fatal(err)
	}
}

// tabTo presses Tab until the focused element matches the CSS selector sel,
// as a keyboard user moves through the page.
func tabTo(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	js := `(() => { const e = document.activeElement; return !!e && e !== document.body && e.matches(` + strconv.Quote(sel) + `); })()`
	for i := 0; i < 120; i++ {
		if eval[bool](t, ctx, js) {
			return
		}
		pressKey(t, ctx, kb.Tab)
	}
	t.Fatalf("Tab never reaches %s on %s (focus on %+v)", sel, location(t, ctx), focused(t, ctx))
}

// typeKeys types text into the focused field, key by key.
func typeKeys(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	pressKey(t, ctx, text)
}

// enter presses Enter on the focused element and waits for the next page.
func enter(t *testing.T, ctx context.Context) {
	t.Helper()
	follow(t, ctx, chromedp.KeyEvent(kb.Enter))
}

// nextByKeyboard moves to the form's main button with Tab and presses Enter.
func nextByKeyboard(t *testing.T, ctx context.Context) {
	t.Helper()
	tabTo(t, ctx, `main form button.button:not(.button-secondary)`)
	enter(t, ctx)
}

// TestApplicationByKeyboardOnly: Alva, on a 390 px phone, fills in and
// sends a whole first application with the keyboard alone (typing, Tab,
// arrows, Space and Enter; no click after the login), meets the step
// indicator on every step, and gets a receipt with a short case number and
// when the decision comes. The pages pass axe (with the region rule) on the
// phone.
func TestApplicationByKeyboardOnly(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	phone(t, ctx)
	tabTo(t, ctx, `form[action="/ansokan"] button`)
	enter(t, ctx)

	// Household: "Nej" by arrow key, no children.
	wantText(t, ctx, "Ditt hushåll", "Steg 1 av 9")
	checkA11y(t, ctx)
	tabTo(t, ctx, "#f-partner")
	pressKey(t, ctx, kb.ArrowDown)
	tabTo(t, ctx, "#f-children")
	typeKeys(t, ctx, "0")
	nextByKeyboard(t, ctx)

	// Housing: the first option by Space; the rent typed.
	wantText(t, ctx, "Boende", "Steg 2 av 9")
	tabTo(t, ctx, "#f-housing")
	pressKey(t, ctx, " ")
	if !eval[bool](t, ctx, `document.getElementById('f-housing').checked`) {
		t.Fatal("Space did not choose the housing option")
	}
	tabTo(t, ctx, "#f-rent")
	typeKeys(t, ctx, "4 100")
	nextByKeyboard(t, ctx)

	wantText(t, ctx, "Steg 3 av 9")
	tabTo(t, ctx, "#f-income-p1-activity_support")
	typeKeys(t, ctx, "6 205")
	nextByKeyboard(t, ctx)
	wantText(t, ctx, "Steg 4 av 9")
	nextByKeyboard(t, ctx) // other costs: none

	wantText(t, ctx, "Steg 5 av 9")
	tabTo(t, ctx, "#f-bank")
	typeKeys(t, ctx, "0")
	tabTo(t, ctx, "#f-vehicle")
	pressKey(t, ctx, kb.ArrowDown) // Nej
	tabTo(t, ctx, "#f-assets_other")
	pressKey(t, ctx, kb.ArrowDown) // Nej
	nextByKeyboard(t, ctx)

	wantText(t, ctx, "Steg 6 av 9")
	tabTo(t, ctx, "#f-work-p1")
	pressKey(t, ctx, kb.ArrowDown) // unemployed
	tabTo(t, ctx, "#f-af-p1")
	pressKey(t, ctx, " ") // yes
	nextByKeyboard(t, ctx)

	wantText(t, ctx, "Steg 7 av 9")
	tabTo(t, ctx, "#f-clearing")
	typeKeys(t, ctx, "8327-9")
	tabTo(t, ctx, "#f-account")
	typeKeys(t, ctx, "123 456 789")
	nextByKeyboard(t, ctx)

	// Anything else: the eviction and violence questions say whom to call,
	// also when the office is closed.
	wantText(t, ctx, "Steg 8 av 9", "Du kan också ringa oss: 0491-00 00 00", "Socialjouren", "0480-00 00 00", "112")
	checkA11y(t, ctx)
	nextByKeyboard(t, ctx)

	wantText(t, ctx, "Kontrollera och skicka", "4 100 kr", "6 205 kr")
	checkA11y(t, ctx)
	tabTo(t, ctx, "#f-confirm")
	pressKey(t, ctx, " ")
	if !eval[bool](t, ctx, `document.getElementById('f-confirm').checked`) {
		t.Fatal("Space did not tick the confirmation")
	}
	nextByKeyboard(t, ctx)

	wantText(t, ctx, "Vi har tagit emot din ansökan", "Senast ")
	ref := eval[string](t, ctx, `document.getElementById('case-ref').textContent`)
	if !regexp.MustCompile(`^\d{4}-0821-\d{6}$`).MatchString(ref) {
		t.Errorf("the receipt's case number %q is not a short case number", ref)
	}
	c, err := s.Cases.CaseByNumber(context.Background(), ref)
	if err != nil {
		t.Fatalf("the case number %s finds no case: %v", ref, err)
	}
	if id := eval[string](t, ctx, `document.getElementById('case-id').textContent`); id != c.ID {
		t.Errorf("the receipt's technical reference %q, want %s", id, c.ID)
	}
	checkA11y(t, ctx)
	// Mina sidor lists the case by its number.
	tabTo(t, ctx, `main a[href="/mina-sidor"]`)
	enter(t, ctx)
	wantText(t, ctx, ref)
}

// TestStepIndicatorOnAPhone: the step indicator is one line "Steg N av 9"
// with the list of steps folded away; done steps are marked and link back,
// the current one is aria-current; on a 390 px phone the heading starts in
// the top of the screen. In the three languages, with axe.
func TestStepIndicatorOnAPhone(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	for _, width := range []int64{390, 1280} {
		setWidth(t, ctx, width)
		navigate(t, ctx, s.URL+"/mina-sidor")
		follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/ansokan"] button`)))
		click(t, ctx, "f-partner-1")
		typeInto(t, ctx, "f-children", "0")
		next(t, ctx)
		click(t, ctx, "f-housing")
		typeInto(t, ctx, "f-rent", "4100")
		next(t, ctx)
		wantText(t, ctx, "Steg 3 av 9")
		navH := eval[float64](t, ctx, `document.querySelector('nav.progress').getBoundingClientRect().height`)
		h1 := eval[float64](t, ctx, `document.querySelector('main h1').getBoundingClientRect().top`)
		if navH > 110 || h1 > 420 {
			t.Errorf("%d px: the step indicator is %.0f px high and the heading starts at %.0f px", width, navH, h1)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('nav.progress li').length`); n != 9 {
			t.Errorf("%d steps listed, want 9", n)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('nav.progress li.progress-done a').length`); n != 2 {
			t.Errorf("%d done steps link back, want 2", n)
		}
		if cur := eval[string](t, ctx, `document.querySelector('nav.progress [aria-current="step"]').textContent`); !strings.Contains(cur, "Inkomster") {
			t.Errorf("the current step is %q", cur)
		}
		// The folded list opens with the keyboard.
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`nav.progress summary`))); err != nil {
			t.Fatal(err)
		}
		pressKey(t, ctx, kb.Enter)
		if !eval[bool](t, ctx, `document.querySelector('nav.progress details').open`) {
			t.Error("Enter on the summary does not open the list of steps")
		}
		wantText(t, ctx, "Ditt hushåll (klart)", "(du är här)")
		checkA11yLangs(t, ctx)
		// Start again for the next width: delete this draft.
		navigate(t, ctx, s.URL+location(t, ctx)[len(s.URL):strings.LastIndex(location(t, ctx), "/")]+"/ta-bort")
		follow(t, ctx, chromedp.Click(chromedp.CSS(`main form button.button`)))
	}
}

// TestErrorSummaryEnter: with the keyboard, Enter on a link in the error
// summary moves the focus to its field and does not send the form again,
// on two steps; without JavaScript the links are plain anchors to the
// fields.
func TestErrorSummaryEnter(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/ansokan"] button`)))
	// Household: "abc" children.
	typeInto(t, ctx, "f-children", "abc")
	next(t, ctx)
	enterOnSummaryLink(t, ctx, "f-children")
	click(t, ctx, "f-partner-1")
	typeInto(t, ctx, "f-children", "0")
	next(t, ctx)
	// Housing: a bad rent.
	click(t, ctx, "f-housing")
	typeInto(t, ctx, "f-rent", "femtio")
	next(t, ctx)
	enterOnSummaryLink(t, ctx, "f-rent")

	// Without JavaScript: the links go to the fields' ids.
	nojs := newTabWithoutJS(t)
	login(t, nojs, s, devidp.AlvaTestsson)
	navigate(t, nojs, location(t, ctx))
	typeInto(t, nojs, "f-rent", "femtio")
	next(t, nojs)
	if href := eval[string](t, nojs, `document.querySelector('[data-error-summary] a').getAttribute('href')`); href != "#f-rent" {
		t.Errorf("the summary link goes to %q, want #f-rent", href)
	}
	if err := chromedp.Do(nojs, chromedp.Focus(chromedp.CSS(`[data-error-summary] a`))); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, nojs, `!!document.getElementById('f-rent')`) {
		t.Error("the summary's link target #f-rent is no field")
	}
	eval[bool](t, nojs, `(window.skaligSamePage = true)`)
	pressKey(t, nojs, kb.Enter)
	time.Sleep(700 * time.Millisecond)
	if !eval[bool](t, nojs, `window.skaligSamePage === true`) {
		t.Error("without JS, Enter on the summary link sent the form again")
	}
	if f := focused(t, nojs); f.ID != "f-rent" {
		t.Errorf("without JS, after Enter on the summary link the focus is on %+v, want #f-rent", f)
	}
	// The form's buttons still send it.
	typeInto(t, nojs, "f-rent", "4100")
	next(t, nojs)
	wantText(t, nojs, "Steg 3 av 9")
	checkA11y(t, nojs)
}

// enterOnSummaryLink tabs from the summary to its link for field id,
// presses Enter (real key events: down, press, up) and checks that the
// focus is in the field and the page was not sent again.
func enterOnSummaryLink(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement && document.activeElement.hasAttribute('data-error-summary')`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("the error summary does not take the focus: %v", err)
	}
	eval[bool](t, ctx, `(window.skaligSamePage = true)`)
	tabTo(t, ctx, `[data-error-summary] a[href="#`+id+`"]`)
	pressKey(t, ctx, kb.Enter)
	// Give a wrongly sent form the time to load a new page.
	time.Sleep(700 * time.Millisecond)
	if !eval[bool](t, ctx, `window.skaligSamePage === true`) {
		t.Fatalf("Enter on the summary link for %s sent the form again", id)
	}
	if f := focused(t, ctx); f.ID != id {
		t.Errorf("after Enter on the summary link the focus is on %+v, want #%s", f, id)
	}
}

// TestDeleteDraftConfirmed: "Ta bort ansökan" is apart from the send
// button and asks first, with a way back; only "Ja, ta bort ansökan"
// deletes. Without JavaScript.
func TestDeleteDraftConfirmed(t *testing.T) {
	s := startSite(t)
	ctx := newTabWithoutJS(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/ansokan"] button`)))
	review := strings.Replace(location(t, ctx), "/hushall", "/granska", 1)
	navigate(t, ctx, review)
	// Not a button beside "Skriv under och skicka".
	if n := eval[int](t, ctx, `document.querySelectorAll('main form[action$="/ta-bort"]').length`); n != 0 {
		t.Errorf("the review page has %d forms that delete at once", n)
	}
	gap := eval[float64](t, ctx, `document.querySelector('main a[href$="/ta-bort"]').getBoundingClientRect().top -
		document.querySelector('main form button.button').getBoundingClientRect().bottom`)
	if gap < 40 {
		t.Errorf("the delete link is %.0f px under the send button", gap)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main a[href$="/ta-bort"]`)))
	wantText(t, ctx, "Vill du ta bort ansökan för november 2026?", "kan inte hämtas tillbaka", "Nej, gå tillbaka till ansökan")
	checkA11yLangs(t, ctx)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main a.button-secondary`)))
	wantText(t, ctx, "Kontrollera och skicka")
	var n int
	s.DB.SQL().QueryRow(`SELECT COUNT(*) FROM drafts`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d drafts after going back, want 1", n)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main a[href$="/ta-bort"]`)))
	follow(t, ctx, chromedp.Click(chromedp.CSS(`main form button.button-warning`)))
	s.DB.SQL().QueryRow(`SELECT COUNT(*) FROM drafts`).Scan(&n)
	if n != 0 {
		t.Errorf("%d drafts after deleting, want 0", n)
	}
}

// TestExplanationIsTheDecision: a caseworker adjusts Alva's rent (with a
// reason) and decides a lower amount than the calculation (with a reason);
// the explanation on Mina sidor ends at the amount decided, shows both
// changes as a person's with their reasons, names the authorities, and
// has no engine sentences, versions, rounding or 0 kr lines. The appeal
// text gives the postal address; the accessibility statement gives the
// contact details and its date. On a phone and a desktop, in three
// languages.
func TestExplanationIsTheDecision(t *testing.T) {
	s := startSite(t)
	bg := context.Background()
	c := s.submitMonthly(t, devidp.AlvaTestsson, skalig.FirstApplication)
	s.runJobs(t)
	c, _ = s.Cases.Case(bg, c.ID)
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("a first application is %s, want awaiting_caseworker", c.State)
	}
	caseworker := func(sub string) skalig.Actor {
		return skalig.PersonActor(sub, []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"})
	}
	rent := skalig.Fact{Kind: skalig.KindCostPrefix + "housing", Value: skalig.AmountValue(skalig.Kronor(3900))}
	if _, err := s.WF.AdjustFacts(bg, c.ID, c.Version, caseworker("hl-1"), []skalig.Fact{rent}, "Hyresavtalet visar 3 900 kr i månaden."); err != nil {
		t.Fatal(err)
	}
	s.runJobs(t)
	c, _ = s.Cases.Case(bg, c.ID)
	var calc casecalc.Calculation
	if err := s.Cases.LatestRecord(bg, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
		t.Fatalf("no calculation: %v", err)
	}
	cut := skalig.Kronor(1230)
	if calc.Output.Aid <= cut {
		t.Fatalf("calculated aid %s is too small for the test", calc.Output.Aid.Swedish())
	}
	decided := calc.Output.Aid - cut
	res, err := s.WF.Decide(bg, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-2"),
		Outcome: skalig.OutcomePartlyApproved, Amount: decided,
		Reasons:                []string{"Kostnaden för garageplatsen ingår i hyran men är inte en skälig boendekostnad."},
		KommuniceringException: skalig.ReasonKommuniceringUnnecessary})
	if err != nil || res.Decision == nil {
		t.Fatalf("decide: %+v, %v", res, err)
	}
	s.runJobs(t)

	ctx := newTab(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	navigate(t, ctx, s.URL+"/mina-sidor/arenden/"+c.ID+"/berakning")
	money := func(m skalig.Money) string { return strings.ReplaceAll(m.Swedish(), "\u00a0", " ") }
	wantText(t, ctx, "Beviljat försörjningsstöd för månaden: "+money(decided),
		"En handläggare beslutade om 1 230 kr mindre än uträkningen ("+money(calc.Output.Aid)+")",
		"Kostnaden för garageplatsen ingår i hyran", "Hyresavtalet visar 3 900 kr i månaden.", "Ändrat av en person",
		"Beslut av en handläggare.")
	last := eval[string](t, ctx, `[...document.querySelectorAll('.explain-line')].pop().innerText`)
	if !strings.Contains(strings.ReplaceAll(last, "\u00a0", " "), money(decided)) {
		t.Errorf("the explanation ends at %q, not at the decided %s", last, money(decided))
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.explain-person').length`); n < 3 {
		t.Errorf("%d lines marked as a person's change, want the rent, the cut and the total", n)
	}
	text := pageText(t, ctx)
	for _, bad := range []string{"riksnorm-2026", "rules/", "Avrundning", "Inkomsten minskar försörjningsstödet", "en annan myndighet",
		"I beräkningen:", "Uträknat enligt reglerna för försörjningsstöd"} {
		if strings.Contains(text, bad) {
			t.Errorf("the explanation says %q", bad)
		}
	}
	if zero := eval[int](t, ctx, `[...document.querySelectorAll('.explain-line:not(.explain-total) .explain-sentence')].filter(e => /(^|\s)0\s?kr\.$/.test(e.innerText.trim())).length`); zero != 0 {
		t.Errorf("%d lines of 0 kr", zero)
	}
	// The appeal says where to send it.
	wantText(t, ctx, "Skicka överklagandet till:", "Box 00 (exempel)", "579 00 Högsby")
	checkA11yLangs(t, ctx)
	phone(t, ctx)
	checkA11y(t, ctx)
	wantText(t, ctx, "Beviljat försörjningsstöd för månaden")

	// The accessibility statement: contact details and its date.
	navigate(t, ctx, s.URL+"/tillganglighet")
	wantText(t, ctx, "Kontakta oss", "0491-00 00 00", "ekonomiskt.bistand@example.se", "Box 00 (exempel)",
		"Telefontid", "Socialjouren", "granskades senast 1 november 2026")
	if strings.Contains(pageText(t, ctx), "Socialtjänsten\n") {
		t.Error("the contact is only \"Socialtjänsten\"")
	}
	if tel := eval[string](t, ctx, `document.querySelector('main .contact a[href^="tel:"]').getAttribute('href')`); tel != "tel:0491000000" {
		t.Errorf("the phone link is %q", tel)
	}
	checkA11yLangs(t, ctx)
	// Every page's footer says whom to call.
	if f := eval[string](t, ctx, `document.querySelector('footer').innerText`); !strings.Contains(f, "0491-00 00 00") {
		t.Errorf("the footer lacks the phone number: %q", f)
	}
}

// TestValidationGaps: "abc" as the number of people in the home is
// refused with a message naming the field; a child born 2015 cannot have
// lunch at förskola or be 18-20 in school; "7.200,00" is 7 200 kr; each
// checkbox's hint sits under its own label and describes its box. Desktop
// and phone, with axe.
func TestValidationGaps(t *testing.T) {
	s := startSite(t)
	ctx := newTab(t)
	login(t, ctx, s, devidp.AlvaTestsson)
	phone(t, ctx)
	follow(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/ansokan"] button`)))
	click(t, ctx, "f-partner-1")
	typeInto(t, ctx, "f-children", "1")
	next(t, ctx)

	typeInto(t, ctx, "f-child-1-pn", "20150612-9806")
	click(t, ctx, "f-child-1-preschool")
	click(t, ctx, "f-child-1-school")
	// The hints belong to their own box.
	for _, box := range []string{"f-child-1-preschool", "f-child-1-school"} {
		ok := eval[bool](t, ctx, `(() => { const b = document.getElementById('`+box+`');
			const ids = (b.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
			return ids.length > 0 && ids.every(id => { const h = document.getElementById(id); return h && b.closest('.choice').contains(h); }); })()`)
		if !ok {
			t.Errorf("the hint of #%s is not tied to it (aria-describedby, inside its choice)", box)
		}
	}
	checkA11y(t, ctx)
	next(t, ctx)
	wantText(t, ctx, "Barn 1: rutan om lunch i förskolan gäller barn under 7 år", "Barn 1: rutan om skola gäller barn som är 18-20 år")
	checkA11y(t, ctx)
	click(t, ctx, "f-child-1-preschool")
	click(t, ctx, "f-child-1-school")
	next(t, ctx)

	click(t, ctx, "f-housing")
	typeInto(t, ctx, "f-rent", "7.200,00")
	typeInto(t, ctx, "f-dwelling_size", "abc")
	next(t, ctx)
	wantText(t, ctx, "Hur många bor i bostaden, sammanlagt?")
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-error-summary] a').length`); n != 1 {
		t.Errorf("%d errors, want only the number of people", n)
	}
	if href := eval[string](t, ctx, `document.querySelector('[data-error-summary] a').getAttribute('href')`); href != "#f-dwelling_size" {
		t.Errorf("the error is about %s, want the number of people", href)
	}
	typeInto(t, ctx, "f-dwelling_size", "")
	next(t, ctx)
	wantText(t, ctx, "Steg 4 av 10")
	review := strings.Replace(location(t, ctx), "/inkomster", "/granska", 1)
	navigate(t, ctx, review)
	wantText(t, ctx, "7 200 kr")
}
