package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/workflow/casecheck"
	"skalig/internal/workflow/step"
)

// RecordAdjustment is the record kind of a caseworker's adjustment.
const RecordAdjustment = "adjustment"

// invalidField is the EINVALID error of one field (casecheck.Invalid).
func invalidField(field, msg string) error { return casecheck.Invalid(field, msg) }

// checkVersion reads the case and refuses a stale version.
func (w *Workflow) checkVersion(ctx context.Context, caseID string, version int) (*skalig.Case, error) {
	c, err := w.cases.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if c.Version != version {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet har ändrats sedan du läste det. Läs in det igen och försök på nytt.")
	}
	return c, nil
}

// AdjustFacts records a caseworker's assessment of items of the case (an
// amount changed, an other-need item approved or refused) as caseworker
// facts with a mandatory reason, and sends the case back to be calculated
// and routed again with them. Caseworker facts count over register and
// declared ones (see casecalc.BuildInput).
//
// Only a caseworker adjusts (see policy.go); an adjustment makes any
// later decision on the case a departure from the automated proposal, and
// the adjuster cannot sign it under the four-eyes rule.
//
// Errors: ENOTFOUND; EFORBIDDEN (not a caseworker); ECONFLICT (stale
// version, or the case is not with a person); EINVALID (no reason, no
// facts, an invalid fact).
func (w *Workflow) AdjustFacts(ctx context.Context, caseID string, version int, actor skalig.Actor, facts []skalig.Fact, reason string) (*skalig.Case, error) {
	reason, err := casecheck.AdjustmentReason(facts, reason)
	if err != nil {
		return nil, err
	}
	a, c, err := w.adjuster(ctx, actor, caseID)
	if err != nil {
		return nil, err
	}
	if c.Version != version {
		return nil, errStale
	}
	caseworker := a.Subject()
	if c.State != skalig.StateAwaitingCaseworker && c.State != skalig.StateSampled {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Uppgifter kan bara justeras när ärendet väntar på en handläggare (nu: %s).", c.State.Swedish())
	}
	if err := casecheck.CheckDiscretion(facts, c.Month); err != nil {
		return nil, err
	}
	app, err := w.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if err := casecheck.CheckAdjustment(facts, app.Members); err != nil {
		return nil, err
	}
	now := w.db.Clock()
	given := len(facts)
	facts = casecheck.WithReasons(facts, reason)
	if err := casecheck.StampAdjustment(facts, given, caseworker, c.Month, now); err != nil {
		return nil, err
	}
	by := a.String()
	c, err = w.cases.Change(ctx, c, func(m *store.Moves) error {
		if err := m.AddFacts(ctx, by, facts); err != nil {
			return err
		}
		kinds := make([]string, len(facts))
		for i, f := range facts {
			kinds[i] = f.Kind
		}
		if err := m.AddRecord(ctx, by, RecordAdjustment, map[string]any{
			"caseworker": caseworker, "reason": reason, "kinds": kinds}); err != nil {
			return err
		}
		if m.Case().State == skalig.StateSampled {
			if err := w.move(ctx, m, skalig.StateAwaitingCaseworker, by, skalig.ReasonAdjusted); err != nil {
				return err
			}
		}
		if err := w.move(ctx, m, skalig.StateFetching, by); err != nil {
			return err
		}
		return m.Enqueue(ctx, JobFetch, time.Time{})
	})
	if err != nil {
		return nil, err
	}
	w.queue.Notify()
	return c, nil
}

// RequestDocuments asks the applicant for documents by due (komplettering).
// A case with a person waits for the applicant; a sampled case already waits
// for documents and stays sampled.
//
// Errors: ENOTFOUND; ECONFLICT; EINVALID (no text, a date in the past).
func (w *Workflow) RequestDocuments(ctx context.Context, caseID string, version int, caseworker, text string, due skalig.Date) (*store.DocumentRequest, error) {
	text, err := casecheck.DocumentRequest(caseworker, text, due, skalig.DateOf(w.db.Clock()))
	if err != nil {
		return nil, err
	}
	c, err := w.checkVersion(ctx, caseID, version)
	if err != nil {
		return nil, err
	}
	if c.State != skalig.StateAwaitingCaseworker && c.State != skalig.StateSampled && c.State != skalig.StateAwaitingApplicant {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Komplettering kan bara begäras när ärendet är hos en handläggare (nu: %s).", c.State.Swedish())
	}
	actor := "caseworker:" + caseworker
	r := &store.DocumentRequest{CaseID: c.ID, Text: text, Due: due, RequestedBy: actor}
	_, err = w.cases.Change(ctx, c, func(m *store.Moves) error {
		if err := m.AddDocumentRequest(ctx, r); err != nil {
			return err
		}
		if err := m.Enqueue(ctx, JobDocumentsDue, step.DocumentsDueAt(due)); err != nil {
			return err
		}
		if err := m.AddRecord(ctx, actor, store.RecordNotification, map[string]any{
			"kind": "document_request", "request_id": r.ID, "channel": "mina_sidor",
			"text": "Handläggaren behöver fler handlingar från dig senast " + due.String() + ": " + text}); err != nil {
			return err
		}
		if c.State == skalig.StateAwaitingCaseworker {
			return w.move(ctx, m, skalig.StateAwaitingApplicant, actor, skalig.ReasonDocumentsRequested)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Upload stores a document the applicant (or a caseworker for them)
// uploaded, checking its type by content, never by name. When it answers
// the last open request of a case waiting for the applicant, or comes in for
// a sample control, the case goes to a caseworker to look at it.
//
// Errors: ENOTFOUND; EINVALID (field "file": empty, too large, not PDF,
// JPEG or PNG); ECONFLICT (the case is closed).
func (w *Workflow) Upload(ctx context.Context, caseID, requestID, uploader, name, mediaType string, body []byte) (*store.Document, error) {
	name, detected, err := casecheck.Document(name, body)
	if err != nil {
		return nil, err
	}
	c, err := w.cases.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if c.State.Final() {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet är avslutat; kontakta handläggaren.")
	}
	shown, err := w.certificateShown(ctx, c, requestID)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	d := &store.Document{CaseID: c.ID, RequestID: requestID, Name: name, MediaType: detected, Size: int64(len(body)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: uploader}
	_, err = w.cases.Update(ctx, c.ID, func(m *store.Moves) error {
		if err := m.AddDocument(ctx, d, body); err != nil {
			return err
		}
		if len(shown) > 0 {
			for i := range shown {
				shown[i].Evidence, shown[i].At = step.UploadEvidencePrefix+d.ID, m.Now().UTC().Truncate(time.Microsecond)
			}
			if err := m.AddFacts(ctx, uploader, shown); err != nil {
				return err
			}
		}
		switch m.Case().State {
		case skalig.StateSampled:
			return w.move(ctx, m, skalig.StateAwaitingCaseworker, uploader, skalig.ReasonDocumentsReceived)
		case skalig.StateAwaitingApplicant:
			open, err := m.OpenDocumentRequests(ctx)
			if err != nil || open > 0 {
				return err
			}
			return w.move(ctx, m, skalig.StateAwaitingCaseworker, uploader, skalig.ReasonDocumentsReceived)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Message sends a message in the case: from is "applicant",
// "caseworker:<id>" or "system".
//
// Errors: ENOTFOUND; EINVALID (field "body").
func (w *Workflow) Message(ctx context.Context, caseID, from, body string) (*store.Message, error) {
	body, err := casecheck.Message(from, body)
	if err != nil {
		return nil, err
	}
	if _, err := w.cases.Case(ctx, caseID); err != nil {
		return nil, err
	}
	m := &store.Message{CaseID: caseID, From: from, Body: body}
	if _, err := w.cases.Update(ctx, caseID, func(mv *store.Moves) error { return mv.AddMessage(ctx, m) }); err != nil {
		return nil, err
	}
	return m, nil
}

// RequestReview records that the applicant pn asks a caseworker to review
// the case (an automated decision, or anything else): a message with the
// reason and a review-request record; for a decided case also a request
// for omprövning in the review queue (store.ReviewRequests, appeal.go).
//
// Errors: ENOTFOUND; EFORBIDDEN (pn is not in the case); EINVALID (text).
func (w *Workflow) RequestReview(ctx context.Context, caseID string, pn skalig.PersonalNumber, text string) error {
	ok, err := w.cases.IsCasePerson(ctx, caseID, pn)
	if err != nil {
		return err
	}
	if !ok {
		return skalig.Errorf(skalig.ENOTFOUND, "Ärendet finns inte.")
	}
	text = strings.TrimSpace(text)
	if text == "" {
		text = "Jag vill att en handläggare prövar mitt ärende."
	}
	if utf8.RuneCountInString(text) > 5000 {
		return invalidField("text", "Skriv högst 5 000 tecken.")
	}
	if skalig.ContainsControl(text) {
		return invalidField("text", skalig.ControlCharMessage)
	}
	c, err := w.cases.Case(ctx, caseID)
	if err != nil {
		return err
	}
	_, err = w.cases.Change(ctx, c, func(m *store.Moves) error {
		if err := m.AddMessage(ctx, &store.Message{From: "applicant", Body: text}); err != nil {
			return err
		}
		if err := m.AddRecord(ctx, "applicant", skalig.ReasonReviewRequested, map[string]any{"text": text}); err != nil {
			return err
		}
		if c.DecidedAt.IsZero() {
			return nil // not decided: the caseworker reads the message before deciding
		}
		// Decided: a request for omprövning, in the review queue (appeal.go);
		// with one open already, the message joins it.
		_, err := w.addRequestTo(ctx, m, store.ReviewKindReview, text, "applicant")
		if skalig.ErrorCode(err) == skalig.ECONFLICT {
			return nil
		}
		return err
	})
	return err
}

// RecordSampleResult records the result of a sample control: confirmed, or
// a discrepancy with the declared and the verified amounts. The case stays
// with the caseworker, who then decides.
//
// Errors: ENOTFOUND; ECONFLICT (stale, not a sampled case, already
// recorded); EINVALID.
func (w *Workflow) RecordSampleResult(ctx context.Context, caseID string, version int, caseworker string, confirmed bool, note string, declared, verified skalig.Money) error {
	note, err := casecheck.SampleResult(caseworker, confirmed, note, declared, verified)
	if err != nil {
		return err
	}
	c, err := w.checkVersion(ctx, caseID, version)
	if err != nil {
		return err
	}
	if c.State != skalig.StateSampled && !slices.Contains(c.RoutingReasons, skalig.ReasonSample) {
		return skalig.Errorf(skalig.ECONFLICT, "Ärendet är inte utvalt till stickprovskontroll.")
	}
	_, err = w.cases.Change(ctx, c, func(m *store.Moves) error {
		return m.SetSampleResult(ctx, &store.SampleResult{CaseID: c.ID, Caseworker: caseworker,
			Confirmed: confirmed, Declared: declared, Verified: verified, Note: note})
	})
	return err
}
