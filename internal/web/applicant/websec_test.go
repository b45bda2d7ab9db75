package applicant

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
)

// TestApplicantBadInput is the attack of issue 12, violation 9, on the
// applicant's side: free text with NUL bytes was accepted (and PostgreSQL
// refuses NUL in text), a NUL in an upload's file name and a step over
// 256 kB got a page that named no field. Each is now refused with a
// Swedish message that names the field, and nothing is kept.
func TestApplicantBadInput(t *testing.T) {
	e := newAppEnv(t)
	alva := devidp.AlvaTestsson
	c := e.apply(alva, single)
	e.run()
	ctx := context.Background()
	before, _ := e.cases.Messages(ctx, c.ID)

	t.Run("MessageNUL", func(t *testing.T) {
		r := e.do(alva, "POST", CasePathPrefix+c.ID+"/meddelanden", url.Values{"body": {"Hej\x00där"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Skriv till handläggaren: texten innehåller ett tecken som inte är tillåtet") {
			t.Errorf("status %d\n%s", r.status, errorsOf(r.body))
		}
		if msgs, _ := e.cases.Messages(ctx, c.ID); len(msgs) != len(before) {
			t.Errorf("a message with NUL was kept")
		}
	})
	t.Run("ReviewNUL", func(t *testing.T) {
		r := e.do(alva, "POST", CasePathPrefix+c.ID+"/omprovning", url.Values{"review_text": {"Titta\x00här"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Vad vill du att handläggaren tittar på: texten innehåller ett tecken") {
			t.Errorf("status %d\n%s", r.status, errorsOf(r.body))
		}
	})
	t.Run("UploadNameNUL", func(t *testing.T) {
		// Go's multipart reader refuses the part's header: the case
		// page with the field named, not a page that names nothing.
		r := e.upload(alva, c.ID, "", "hyra\x00.png", pngBytes)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Välj fil: filen kunde inte tas emot") ||
			!strings.Contains(r.body, `href="#f-file-other"`) {
			t.Errorf("status %d\n%s", r.status, errorsOf(r.body))
		}
		// A name with a C1 control character reaches the handler.
		r = e.upload(alva, c.ID, "", "hyra\u0085.png", pngBytes)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Välj fil: filnamnet innehåller ett tecken som inte är tillåtet") {
			t.Errorf("U+0085: status %d\n%s", r.status, errorsOf(r.body))
		}
		if docs, _ := e.cases.Documents(ctx, c.ID); len(docs) != 0 {
			t.Errorf("%d documents kept", len(docs))
		}
	})

	// The e-service: a draft at its last step.
	loc := e.post(devidp.BoProvsson, "/ansokan", url.Values{})
	id := strings.Split(strings.TrimPrefix(loc, "/ansokan/"), "/")[0]
	for _, s := range single[:len(single)-1] {
		e.post(devidp.BoProvsson, draftURL(id, s.step), s.form)
	}
	t.Run("StepTextNUL", func(t *testing.T) {
		r := e.do(devidp.BoProvsson, "POST", draftURL(id, "ovrigt"), url.Values{"message": {"Jag\x00behöver"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Något mer som handläggaren ska veta: texten innehåller ett tecken som inte är tillåtet") {
			t.Errorf("status %d\n%s", r.status, errorsOf(r.body))
		}
	})
	t.Run("StepTooLarge", func(t *testing.T) {
		big := strings.Repeat("lång text ", 30<<10) // 300 kB
		r := e.do(devidp.BoProvsson, "POST", draftURL(id, "ovrigt"), url.Values{"message": {big}})
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "Något mer som handläggaren ska veta: texten är för lång") ||
			!strings.Contains(r.body, "Det du skickade är för stort, mer än 256 kB") {
			t.Errorf("status %d\n%s", r.status, errorsOf(r.body))
		}
		d, err := e.drafts.Draft(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(d.Data), "lång text") {
			t.Errorf("the draft kept the text over the limit")
		}
		// Over what is read at all: the step, not a page that names nothing.
		r = e.do(devidp.BoProvsson, "POST", draftURL(id, "ovrigt"), url.Values{"message": {strings.Repeat("x", 2<<20)}})
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "Det du skickade är för stort") {
			t.Errorf("2 MB: status %d\n%s", r.status, errorsOf(r.body))
		}
	})
	_ = skalig.StateAwaitingCaseworker
}
