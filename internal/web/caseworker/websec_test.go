package caseworker_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
)

// pnText is a personal number as the caseworker's pages write it.
func pnText(pn skalig.PersonalNumber) string {
	s := pn.Canonical()
	return s[:8] + "-" + s[8:]
}

// section returns the part of body from the element with id to the end of
// its section.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element %q", id)
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		t.Fatalf("section %q does not end", id)
	}
	return body[i : i+j]
}

// TestCaseworkerEarlierOwnMunicipality is the attack of issue 12, violation
// 3: the same person applies in Högsby (0821) and in Kalmar (0880); a Högsby
// caseworker's case page listed the Kalmar case under "Hushållets tidigare
// månader" (month, state, amount) and nothing was logged in Kalmar's case.
func TestCaseworkerEarlierOwnMunicipality(t *testing.T) {
	e := newCWEnv(t, 4)
	ctx := context.Background()
	id := e.ByKind[demo.Plain][0]
	app, err := e.Cases.CaseApplication(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	other := *app
	other.ID, other.Municipality, other.IdempotencyKey = "", "0880", "websec-kalmar"
	kc, _, err := e.WF.Submit(ctx, &other)
	if err != nil {
		t.Fatal(err)
	}
	// An own case of the household in Högsby, for contrast: it is listed.
	own := *app
	own.ID, own.IdempotencyKey = "", "websec-hogsby"
	own.Kind = skalig.MonthlyApplication
	if _, _, err := e.WF.Submit(ctx, &own); err != nil {
		t.Fatal(err)
	}
	e.Run(t)

	sara := devidp.SaraHandlaggarsson
	res := e.Get(t, sara, "/handlaggning/arenden/"+id)
	wantStatus(t, res, 200, "case")
	earlier := section(t, res.Body, "earlier-heading")
	if n := strings.Count(earlier, `<tr><th scope="row">`); n != 1 {
		t.Errorf("%d earlier cases listed, want 1 (the Högsby case only):\n%s", n, earlier)
	}
	if n := e.Reads(t, kc.ID, "staff:"+sara); n != 0 {
		t.Errorf("%d reads of the Kalmar case by a Högsby caseworker", n)
	}
	// And the other way round.
	yusuf := devidp.YusufKalmarsson
	res = e.Get(t, yusuf, "/handlaggning/arenden/"+kc.ID)
	wantStatus(t, res, 200, "Kalmar case")
	if earlier := section(t, res.Body, "earlier-heading"); strings.Contains(earlier, `<tr><th scope="row">`) {
		t.Errorf("the Kalmar caseworker sees Högsby cases:\n%s", earlier)
	}
	if n := e.Reads(t, id, "staff:"+yusuf); n != 0 {
		t.Errorf("%d reads of the Högsby case by a Kalmar caseworker", n)
	}
}

// TestCaseworkerFormErrorLogsRead is the attack of issue 12, violation 4: the
// 422 answers of the action forms show the case (personnummer, amount) and
// must log the read like the form itself.
func TestCaseworkerFormErrorLogsRead(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	c := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	app, err := e.Cases.CaseApplication(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var pn skalig.PersonalNumber
	for _, m := range app.Members {
		if m.Role == skalig.RoleApplicant {
			pn = m.PersonalNumber
		}
	}
	facts, _ := e.Cases.Facts(ctx, c.ID)
	var kind, person string
	for _, f := range facts {
		if _, reg := f.Source.Register(); reg && strings.HasPrefix(f.Kind, "income.") && f.Period == c.Month {
			kind, person = f.Kind, f.PersonID
		}
	}
	sara := devidp.SaraHandlaggarsson
	base := "/handlaggning/arenden/" + c.ID
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"beslut", url.Values{"version": {itoa(c.Version)}}},
		{"justera", url.Values{"version": {itoa(c.Version)}, "post": {kind}, "person": {person}, "amount": {"100"}}},
		{"komplettering", url.Values{"version": {itoa(c.Version)}, "text": {""}}},
		{"meddelande", url.Values{"body": {""}}},
	} {
		before := e.Reads(t, c.ID, "staff:"+sara)
		res := e.Post(t, sara, base+"/"+tc.path, tc.form)
		wantStatus(t, res, 422, tc.path)
		mustContain(t, res.Body, pnText(pn))
		if n := e.Reads(t, c.ID, "staff:"+sara) - before; n != 1 {
			t.Errorf("%s: 422 logged %d reads, want 1", tc.path, n)
		}
	}
	// A form that succeeds shows nothing (a redirect) and logs no read.
	before := e.Reads(t, c.ID, "staff:"+sara)
	res := e.Post(t, sara, base+"/meddelande", url.Values{"body": {"Hej! Vi tittar på ditt ärende."}})
	wantStatus(t, res, 303, "message")
	if n := e.Reads(t, c.ID, "staff:"+sara) - before; n != 0 {
		t.Errorf("a redirect logged %d reads", n)
	}
}

// TestCaseworkerFreeTextNUL is issue 12, violation 9, on the caseworker's
// side: a text with a NUL byte is refused naming the field, and never
// reaches the database (PostgreSQL refuses NUL in text: a 500).
func TestCaseworkerFreeTextNUL(t *testing.T) {
	e := newCWEnv(t, 16)
	c := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c.ID
	sara := devidp.SaraHandlaggarsson
	res := e.Post(t, sara, base+"/meddelande", url.Values{"body": {"Hej\x00då"}})
	wantStatus(t, res, 422, "message with NUL")
	mustContain(t, res.Body, "Meddelande till sökanden: texten innehåller ett tecken som inte är tillåtet")
	res = e.Post(t, sara, base+"/komplettering", url.Values{"version": {itoa(c.Version)}, "text": {"Hyresavi\x00"}, "due": {"2099-01-01"}})
	wantStatus(t, res, 422, "request with NUL")
	mustContain(t, res.Body, "texten innehåller ett tecken som inte är tillåtet")
	res = e.Post(t, sara, base+"/beslut", url.Values{"version": {itoa(c.Version)}, "outcome": {"rejected"}, "grund": {"income"},
		"motivering": {"Inkomst\x00"}})
	wantStatus(t, res, 422, "decision with NUL")
	mustContain(t, res.Body, "Egen motivering: texten innehåller ett tecken som inte är tillåtet")
	if msgs, _ := e.Cases.Messages(context.Background(), c.ID); len(msgs) != 0 {
		t.Errorf("%d messages kept", len(msgs))
	}
}

// TestCaseworkerBodyTooLarge: a form over the limit is told so in Swedish
// (413), not given a page that names nothing.
func TestCaseworkerBodyTooLarge(t *testing.T) {
	e := newCWEnv(t, 4)
	id := e.ByKind[demo.Plain][0]
	res := e.Post(t, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+id+"/meddelande", url.Values{"body": {strings.Repeat("x", 2<<20)}})
	wantStatus(t, res, 413, "2 MB message")
	mustContain(t, res.Body, "Det du skickade är för stort, mer än 1024 kB. Korta de längsta texterna och försök igen.")
}
