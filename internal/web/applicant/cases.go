package applicant

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/store"
	"skalig/internal/web"
	"skalig/internal/workflow"
	"skalig/internal/workflow/step"
)

// Mina sidor: the person's applications and cases, each with its timeline,
// what the caseworker asks for (with upload), the messages, the decision
// with amount and payment date, and its explanation.

// draftRow is a draft on the overview.
type draftRow struct {
	URL     string
	Month   skalig.Month
	Kind    skalig.ApplicationKind
	State   skalig.DraftState
	Partner string // masked
	Owner   string // masked: the applicant, for the co-applicant's list
}

// caseRow is a case on the overview.
type caseRow struct {
	URL          string
	Ref          string
	Month        skalig.Month
	Kind         skalig.ApplicationKind
	State        skalig.CaseState
	ActionNeeded bool
	Decided      bool
	Amount       skalig.Money
	Outcome      skalig.Outcome
}

// overviewView is the data of Mina sidor.
type overviewView struct {
	// Registerutdrag: the person's data can be downloaded here.
	Registerutdrag bool
	Name           string
	Notice         string // a message key after an action
	Open           *draftRow
	ToSign         []draftRow
	NextKind       skalig.ApplicationKind
	NextMonth      skalig.Month
	Cases          []caseRow
}

// overviewNotices maps the query parameter an action redirects with to the
// message it shows.
var overviewNotices = map[string]string{"sparat": "mina.notice.saved", "nekad": "mina.notice.declined", "borttagen": "mina.notice.deleted"}

func (a *applicant) handleOverview(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	pg := a.s.Page(r)
	pg.Title = pg.T("mina.title")
	v := &overviewView{Name: p.Name, Registerutdrag: a.utdrag != nil}
	for q, key := range overviewNotices {
		if r.URL.Query().Get(q) != "" {
			v.Notice = key
		}
	}
	ds, err := a.drafts.DraftsOfPerson(ctx, p.PersonalNumber)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	if d := openDraft(ds, p.PersonalNumber); d != nil {
		v.Open = &draftRow{URL: draftURL(d.ID), Month: d.Month, Kind: d.Kind, State: d.State, Partner: a.partnerName(ctx, d)}
	}
	for _, d := range ds {
		if d.State == skalig.DraftAwaitingSignature && d.Partner.Canonical() == p.PersonalNumber.Canonical() {
			var vals url.Values
			_ = json.Unmarshal(d.Data, &vals) // a draft that does not read names its owner by the masked number
			v.ToSign = append(v.ToSign, draftRow{URL: draftURL(d.ID, "underskrift"), Month: d.Month, Kind: d.Kind,
				State: d.State, Owner: ownerName(vals, d)})
		}
	}
	if v.NextKind, v.NextMonth, _, err = a.nextApplication(ctx, p.PersonalNumber); err != nil {
		a.s.Error(w, r, err)
		return
	}
	cs, err := a.cases.CasesOfPerson(ctx, p.PersonalNumber)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	for _, c := range cs {
		row := caseRow{URL: CasePathPrefix + c.ID, Ref: caseRef(c), Month: c.Month, Kind: c.Kind, State: c.State}
		reqs, err := a.cases.DocumentRequests(ctx, c.ID)
		if err != nil {
			a.s.Error(w, r, err)
			return
		}
		for _, rq := range reqs {
			row.ActionNeeded = row.ActionNeeded || rq.AnsweredAt.IsZero()
		}
		row.ActionNeeded = row.ActionNeeded || c.State == skalig.StateAwaitingApplicant || c.State == skalig.StateSampled
		if !c.DecidedAt.IsZero() {
			if d, err := a.cases.CaseDecision(ctx, c.ID); err == nil {
				row.Decided, row.Amount, row.Outcome = true, d.Amount, d.Outcome
			}
		}
		v.Cases = append(v.Cases, row)
	}
	pg.Data = v
	a.s.Render(w, r, http.StatusOK, "applicant_overview", pg)
}

// timelineItem is one event of a case, for the applicant.
type timelineItem struct {
	When string
	Text string
}

// requestView is a document request on the case page.
type requestView struct {
	ID, Text, Due, Answered string
	Open, Overdue           bool
	Field                   string // the upload field's name
}

// documentView is an uploaded document on the case page.
type documentView struct {
	Name, When, Type, Size, URL string
}

// messageView is a message on the case page.
type messageView struct {
	Mine       bool
	From, When string
	Body       string
}

// caseView is the data of a case's page.
type caseView struct {
	Ref, ExplainURL, Action string
	Case                    *skalig.Case
	StateText               string // the catalog key of the text under the state
	Notice                  string
	Waiting                 []string
	Timeline                []timelineItem
	Requests                []requestView
	Documents               []documentView
	Messages                []messageView
	Decision                *skalig.Decision
	Automated               bool
	PayOn                   string
	Paid                    bool
	CanUpload               bool
	ReviewRequested         bool
	GeneralUploadField      string
	Contact                 web.Contact
	// LetterURL + ".pdf" or ".html" is the decision letter.
	LetterURL string
	After     afterView // withdrawal, kommunicering, appeal (after.go)
}

var caseNotices = map[string]string{"dokument": "case.notice.uploaded", "meddelande": "case.notice.message", "omprovning": "case.notice.review",
	"aterkallad": "case.notice.withdrawn", "yttrande": "case.notice.comment", "overklagande": "case.notice.appeal"}

// handleCase is a case's page.
func (a *applicant) handleCase(w http.ResponseWriter, r *http.Request) {
	p, id, ok := a.caseOf(w, r)
	if !ok {
		return
	}
	pg := a.s.Page(r)
	pg.Form = pg.NewForm(nil)
	a.renderCase(w, r, http.StatusOK, pg, p, id)
}

func (a *applicant) renderCase(w http.ResponseWriter, r *http.Request, status int, pg *web.Page, p *auth.Principal, id string) {
	ctx := r.Context()
	view, err := a.wf.View(ctx, id, reader(p))
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	c := view.Case
	l := pg.Lang
	pg.Title = pg.T("case.title", l.Month(c.Month))
	cv := &caseView{Ref: caseRef(c), Case: c, ExplainURL: CasePathPrefix + c.ID + "/berakning", Action: CasePathPrefix + c.ID,
		LetterURL: CasePathPrefix + c.ID + "/beslut",
		Waiting:   web.RegisterNamesIn(l, view.WaitingFor), Decision: view.Decision, CanUpload: !c.State.Final(), GeneralUploadField: "file.other",
		Contact: a.s.Config().Contact}
	for q, key := range caseNotices {
		if r.URL.Query().Get("skickat") == q {
			cv.Notice = key
		}
	}
	if view.Decision != nil {
		cv.Automated = view.Decision.DecidedBy.IsAutomated()
	}
	if view.Payment != nil {
		cv.PayOn, cv.Paid = l.Date(dateTime(view.Payment.PayOn)), true
	}
	cv.Timeline = a.timeline(l, view)
	reqs, err := a.cases.DocumentRequests(ctx, c.ID)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	today := a.today()
	for _, rq := range reqs {
		rv := requestView{ID: rq.ID, Text: requestText(l, rq), Due: l.Date(dateTime(rq.Due)), Open: rq.AnsweredAt.IsZero(),
			Field: "file." + rq.ID}
		rv.Overdue = rv.Open && rq.Due.Before(today)
		if !rv.Open {
			rv.Answered = a.when(l, rq.AnsweredAt)
		}
		cv.Requests = append(cv.Requests, rv)
	}
	docs, err := a.cases.Documents(ctx, c.ID)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	for _, d := range docs {
		cv.Documents = append(cv.Documents, documentView{Name: d.Name, When: a.when(l, d.At), Type: documentType(d.MediaType),
			Size: l.T("case.doc.size", (d.Size+1023)/1024), URL: CasePathPrefix + c.ID + "/dokument/" + d.ID})
	}
	msgs, err := a.cases.Messages(ctx, c.ID)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	for _, m := range msgs {
		mv := messageView{Mine: m.From == "applicant", When: a.when(l, m.At), Body: m.Body}
		switch {
		case mv.Mine:
			mv.From = l.T("case.msg.from_you")
		case strings.HasPrefix(m.From, "caseworker"):
			mv.From = l.T("case.msg.from_caseworker")
		default:
			mv.From = l.T("case.msg.from_system")
		}
		cv.Messages = append(cv.Messages, mv)
	}
	recs, err := a.cases.Records(ctx, c.ID, skalig.ReasonReviewRequested)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	cv.ReviewRequested = len(recs) > 0
	if cv.After, err = a.after(ctx, l, c); err != nil {
		a.s.Error(w, r, err)
		return
	}
	cv.StateText = "case.state." + string(c.State) + ".text"
	if c.State == skalig.StateAwaitingApplicant && cv.After.Kommunicera != "" &&
		!slices.ContainsFunc(cv.Requests, func(rv requestView) bool { return rv.Open }) {
		// Waiting for the applicant's comment (kommunicering), not for
		// documents: say so, not "the caseworker needs more from you".
		cv.StateText = "case.state.awaiting_applicant.comment"
	}
	pg.Data = cv
	a.s.Render(w, r, status, "applicant_case", pg)
}

// dateTime is d at noon UTC, for the Lang.Date formatter.
func dateTime(d skalig.Date) time.Time {
	return time.Date(int(d.Y), time.Month(d.M), int(d.D), 12, 0, 0, 0, time.UTC)
}

func documentType(mediaType string) string {
	switch mediaType {
	case "application/pdf":
		return "PDF"
	case "image/jpeg":
		return "JPEG"
	case "image/png":
		return "PNG"
	}
	return mediaType
}

// timeline turns the case's history (its audit events) into what happened,
// in the applicant's words: received, registers asked, calculated, with a
// caseworker, waiting for you, decided, paid. Reads of the case are left
// out.
func (a *applicant) timeline(l *web.Lang, v *workflow.CaseView) []timelineItem {
	var out []timelineItem
	last := ""
	add := func(at time.Time, key string) {
		if key == "" || key == last {
			return
		}
		last = key
		out = append(out, timelineItem{When: a.when(l, at), Text: l.T(key)})
	}
	for _, e := range v.History {
		var data map[string]any
		_ = json.Unmarshal(e.Data, &data)
		str := func(k string) string { s, _ := data[k].(string); return s }
		switch e.Action {
		case store.ActionSubmitted:
			add(e.At, "timeline.received")
		case store.ActionTransition:
			add(e.At, map[string]string{
				string(skalig.StateFetching):           map[bool]string{true: "timeline.fetching", false: "timeline.refetching"}[str("from") == string(skalig.StateSubmitted)],
				string(skalig.StateAwaitingCaseworker): "timeline.caseworker",
				string(skalig.StateAwaitingApplicant):  "timeline.waiting_for_you",
				string(skalig.StateSampled):            "timeline.sampled",
				string(skalig.StateDecided):            "timeline.decided",
				string(skalig.StatePaid):               "timeline.paid",
				string(skalig.StateClosed):             "timeline.closed",
				string(skalig.StateWithdrawn):          "timeline.withdrawn",
			}[str("to")])
		case store.ActionPaymentHeld:
			add(e.At, "timeline.payment_held")
		case store.ActionPaymentInRun:
			add(e.At, "timeline.payment_sent")
		case store.ActionPaymentRejected:
			add(e.At, "timeline.payment_rejected")
		case store.ActionFactsAdded:
			if e.Actor == "worker:fetch" {
				add(e.At, "timeline.registers")
			}
		case store.ActionRecorded:
			switch str("kind") {
			case skalig.RecordCalculation:
				add(e.At, "timeline.calculated")
			case skalig.ReasonReviewRequested, workflow.RecordReviewRequest:
				add(e.At, "timeline.review_requested")
			case workflow.RecordAppeal:
				add(e.At, "timeline.appeal")
			case workflow.RecordAppealForwarded:
				add(e.At, "timeline.appeal_forwarded")
			case workflow.RecordReviewResolved:
				add(e.At, "timeline.review_resolved")
			case workflow.RecordDecisionChanged:
				add(e.At, "timeline.decision_changed")
			case workflow.RecordKommunicering:
				add(e.At, "timeline.kommunicering")
			case workflow.RecordKommuniceringAnswer:
				add(e.At, "timeline.kommunicering_answer")
			}
		case store.ActionDocumentRequested:
			add(e.At, "timeline.documents_requested")
		case store.ActionDocumentUploaded:
			add(e.At, "timeline.document_uploaded")
		case store.ActionMessage:
			if strings.HasPrefix(e.Actor, "caseworker") {
				add(e.At, "timeline.message_in")
			} else if e.Actor == "applicant" {
				add(e.At, "timeline.message_out")
			}
		}
	}
	return out
}

// handleDocument sends a document of the case back to the person.
func (a *applicant) handleDocument(w http.ResponseWriter, r *http.Request) {
	p, id, ok := a.caseOf(w, r)
	if !ok {
		return
	}
	d, body, err := a.cases.DocumentBody(r.Context(), r.PathValue("doc"))
	if err != nil || d.CaseID != id {
		if err == nil || skalig.ErrorCode(err) == skalig.ENOTFOUND {
			a.s.NotFound(w, r)
		} else {
			a.s.Error(w, r, err)
		}
		return
	}
	if err := a.cases.LogRead(r.Context(), reader(p).Actor, id, "web", "document"); err != nil {
		a.s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", d.MediaType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(d.Name))
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

// caseFormError shows the case page again with the error of a form on it.
func (a *applicant) caseFormError(w http.ResponseWriter, r *http.Request, p *auth.Principal, id string, f *web.Form, err error, field string) {
	var se *skalig.Error
	if errors.As(err, &se) && se.Code == skalig.EINVALID {
		if len(se.Fields) > 0 {
			f.Fail(field, se.Fields[0].Message)
		} else {
			f.Fail(field, se.Message)
		}
	} else if e := f.AddError(err); e != nil {
		a.s.Error(w, r, e)
		return
	}
	pg := a.s.Page(r)
	pg.Form = f
	a.renderCase(w, r, http.StatusUnprocessableEntity, pg, p, id)
}

// handleUpload takes a document for the case (for a request, or of the
// person's own accord) and gives it to Workflow.Upload, which checks the
// type by content and the size.
func (a *applicant) handleUpload(w http.ResponseWriter, r *http.Request) {
	p, id, ok := a.caseOf(w, r)
	if !ok {
		return
	}
	pg := a.s.Page(r)
	f := pg.NewForm(nil)
	r.Body = http.MaxBytesReader(w, r.Body, a.max+(64<<10))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			f.General = append(f.General, pg.T("case.upload.too_large", a.max>>20))
			pg.Form = f
			a.renderCase(w, r, http.StatusRequestEntityTooLarge, pg, p, id)
			return
		}
		// A part that cannot be read: most often a file name with a
		// control character (NUL) in the part's header. Which request
		// it answered is unknown; the message names the file field.
		f.FailKey("file.other", "case.upload.unreadable")
		pg.Form = f
		a.renderCase(w, r, http.StatusBadRequest, pg, p, id)
		return
	}
	defer r.MultipartForm.RemoveAll()
	reqID := r.FormValue("request")
	field := "file.other"
	if reqID != "" {
		field = "file." + reqID
	}
	f.Values = url.Values(r.MultipartForm.Value)
	file, hdr, err := r.FormFile(field)
	if err != nil {
		f.FailKey(field, "case.upload.choose")
		pg.Form = f
		a.renderCase(w, r, http.StatusUnprocessableEntity, pg, p, id)
		return
	}
	defer file.Close()
	if web.HasControl(hdr.Filename) {
		f.FailKey(field, "case.upload.bad_name")
		pg.Form = f
		a.renderCase(w, r, http.StatusUnprocessableEntity, pg, p, id)
		return
	}
	body, err := io.ReadAll(io.LimitReader(file, a.max+1))
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	if int64(len(body)) > a.max {
		f.Fail(field, pg.T("case.upload.too_large", a.max>>20))
		pg.Form = f
		a.renderCase(w, r, http.StatusRequestEntityTooLarge, pg, p, id)
		return
	}
	if _, err := a.wf.Upload(r.Context(), id, reqID, "applicant", hdr.Filename, hdr.Header.Get("Content-Type"), body); err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			a.s.NotFound(w, r)
			return
		}
		a.caseFormError(w, r, p, id, f, err, field)
		return
	}
	http.Redirect(w, r, CasePathPrefix+id+"?skickat=dokument#dokument", http.StatusSeeOther)
}

// handleMessage sends the person's message to the caseworker.
func (a *applicant) handleMessage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := a.ownCaseForm(w, r)
	if !ok {
		return
	}
	pg := a.s.Page(r)
	f := pg.NewForm(r.PostForm)
	body, ok := f.Text("body", pg.T("case.msg.label"))
	if ok && body == "" {
		f.FailKey("body", "case.msg.empty")
	}
	if f.HasErrors() {
		a.caseFormError(w, r, p, id, f, nil, "body")
		return
	}
	if _, err := a.wf.Message(r.Context(), id, "applicant", body); err != nil {
		a.caseFormError(w, r, p, id, f, err, "body")
		return
	}
	http.Redirect(w, r, CasePathPrefix+id+"?skickat=meddelande#meddelanden", http.StatusSeeOther)
}

// handleReviewRequest asks for a caseworker to review the case (an automated
// decision, or anything else).
func (a *applicant) handleReviewRequest(w http.ResponseWriter, r *http.Request) {
	p, id, ok := a.ownCaseForm(w, r)
	if !ok {
		return
	}
	pg := a.s.Page(r)
	f := pg.NewForm(r.PostForm)
	text, ok := f.Text("review_text", pg.T("case.review.label"))
	if !ok {
		a.caseFormError(w, r, p, id, f, nil, "review_text")
		return
	}
	if text == "" {
		text = web.Swedish.T("case.review.default")
	}
	if err := a.wf.RequestReview(r.Context(), id, p.PersonalNumber, text); err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			a.s.NotFound(w, r)
			return
		}
		a.caseFormError(w, r, p, id, f, err, "review_text")
		return
	}
	http.Redirect(w, r, CasePathPrefix+id+"?skickat=omprovning#omprovning", http.StatusSeeOther)
}

// requestText is a document request's text in the reader's language: the
// robot's requests (a läkarintyg, a sublet consent) from the catalogue, a
// caseworker's as written.
func requestText(l *web.Lang, rq store.DocumentRequest) string {
	if rq.RequestedBy != step.RobotRequester {
		return rq.Text
	}
	for code, sv := range step.DocumentRequestTexts {
		if sv == rq.Text && l.Has("request.auto."+code) {
			return l.T("request.auto." + code)
		}
	}
	return rq.Text
}
