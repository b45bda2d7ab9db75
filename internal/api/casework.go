package api

// Casework after the application through the API: withdrawal, review
// requests (omprövning) and appeals (överklagande) for the applicant (a
// client with the submit action), the review queue (read), and the
// decider's resolutions (decide and act for a named caseworker). The rules
// are the workflow's (internal/workflow/appeal.go).

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"skalig"
)

// readJSON checks the media type and decodes the body strictly into v.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		s.writeError(w, r, err)
		return false
	}
	data, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	if err := decodeStrict(data, v); err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}

type withdrawRequest struct {
	Version *int `json:"version"`
}

// handleWithdraw withdraws the application of a case not yet decided, for
// the applicant: 200 with the case, 409 when it is decided or changed.
func (s *Server) handleWithdraw(w http.ResponseWriter, r *http.Request, c *client) {
	var req withdrawRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Version == nil {
		s.writeError(w, r, errNoVersion)
		return
	}
	cs, err := s.wf.WithdrawAs(r.Context(), r.PathValue("id"), *req.Version, c.actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, caseJSON(cs))
}

type requestText struct {
	Text string `json:"text"`
}

// reviewRequestJSON is a review request or an appeal.
type reviewRequestJSON struct {
	ID           string `json:"id"`
	CaseID       string `json:"case_id"`
	Municipality string `json:"municipality"`
	Kind         string `json:"kind"`
	DecisionID   string `json:"decision_id"`
	Text         string `json:"text"`
	RequestedBy  string `json:"requested_by"`
	RequestedAt  string `json:"requested_at"`
	NotifiedAt   string `json:"decision_notified_at,omitempty"`
	Late         bool   `json:"late"`
	Resolution   string `json:"resolution,omitempty"`
	ResolvedBy   string `json:"resolved_by,omitempty"`
	ResolvedAt   string `json:"resolved_at,omitempty"`
	Note         string `json:"note,omitempty"`
}

// timeOrEmpty formats t, or "" when t is zero.
func timeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return skalig.FormatTime(t)
}

func reviewRequestOf(q *skalig.ReviewRequest) reviewRequestJSON {
	return reviewRequestJSON{ID: q.ID, CaseID: q.CaseID, Municipality: q.Municipality, Kind: q.Kind, DecisionID: q.DecisionID,
		Text: q.Text, RequestedBy: q.RequestedBy, RequestedAt: skalig.FormatTime(q.At),
		NotifiedAt: timeOrEmpty(q.NotifiedAt),
		Late:       q.Late, Resolution: q.Resolution, ResolvedBy: q.ResolvedBy,
		ResolvedAt: timeOrEmpty(q.ResolvedAt), Note: q.Note}
}

// handleAppeal records the applicant's appeal of the case's decision: 201
// with the appeal, flagged late when it came in after three weeks.
func (s *Server) handleAppeal(w http.ResponseWriter, r *http.Request, c *client) {
	var req requestText
	if !s.readJSON(w, r, &req) {
		return
	}
	q, err := s.wf.AppealAs(r.Context(), r.PathValue("id"), c.actor(), req.Text)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, reviewRequestOf(q))
}

// handleReview records the applicant's request for omprövning of the
// case's decision: 201 with the request.
func (s *Server) handleReview(w http.ResponseWriter, r *http.Request, c *client) {
	var req requestText
	if !s.readJSON(w, r, &req) {
		return
	}
	q, err := s.wf.RequestReviewAs(r.Context(), r.PathValue("id"), c.actor(), req.Text)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, reviewRequestOf(q))
}

// caseRequestsJSON is GET /api/v1/cases/{id}/requests: the case's review
// requests and appeals and the events the applicant was told of.
type caseRequestsJSON struct {
	Requests []reviewRequestJSON `json:"requests"`
	Events   []eventJSON         `json:"events"`
}

type eventJSON struct {
	At   string `json:"at"`
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// handleCaseRequests lists the case's review requests and appeals with
// the notifications of the case, oldest first.
func (s *Server) handleCaseRequests(w http.ResponseWriter, r *http.Request, c *client) {
	id := r.PathValue("id")
	if _, ok := s.caseFor(w, r, c); !ok {
		return
	}
	qs, err := s.wf.Cases().CaseReviewRequests(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ns, err := s.wf.Cases().Records(r.Context(), id, skalig.RecordNotification)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := caseRequestsJSON{Requests: []reviewRequestJSON{}, Events: []eventJSON{}}
	for i := range qs {
		out.Requests = append(out.Requests, reviewRequestOf(&qs[i]))
	}
	for _, n := range ns {
		var b struct{ Kind, Text string }
		if json.Unmarshal(n.Body, &b) == nil {
			out.Events = append(out.Events, eventJSON{At: skalig.FormatTime(n.At), Kind: b.Kind, Text: b.Text})
		}
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// handleReviewQueue is the review queue of a municipality: the open
// review requests and appeals, oldest first, with their count.
func (s *Server) handleReviewQueue(w http.ResponseWriter, r *http.Request, c *client) {
	mun := strings.TrimSpace(r.URL.Query().Get("municipality"))
	if len(mun) != 4 || strings.Trim(mun, "0123456789") != "" {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Ange kommunen.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "Ange kommunkoden med fyra siffror, t.ex. 0821."}}})
		return
	}
	if !c.may(mun) {
		s.writeError(w, r, skalig.Errorf(skalig.EFORBIDDEN, "API-nyckeln gäller inte kommunen %s.", mun))
		return
	}
	qs, err := s.wf.Cases().ReviewRequests(r.Context(), mun)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Count    int                 `json:"count"`
		Requests []reviewRequestJSON `json:"requests"`
	}{Count: len(qs), Requests: []reviewRequestJSON{}}
	for i := range qs {
		out.Requests = append(out.Requests, reviewRequestOf(&qs[i]))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

type resolveRequest struct {
	Caseworker string `json:"caseworker"`
	Note       string `json:"note"`
}

// resolveReview returns the handler that resolves a review request or an
// appeal for the caseworker named in the body: action "keep" (the
// decision stands), "forward" (the appeal goes to förvaltningsrätten; the
// answer is the case file) or "reject-late".
func (s *Server) resolveReview(action string) func(http.ResponseWriter, *http.Request, *client) {
	return func(w http.ResponseWriter, r *http.Request, c *client) { s.handleResolveReview(w, r, c, action) }
}

func (s *Server) handleResolveReview(w http.ResponseWriter, r *http.Request, c *client, action string) {
	id := r.PathValue("id")
	q, err := s.wf.Cases().ReviewRequest(r.Context(), id)
	if err != nil || !c.may(q.Municipality) {
		s.writeError(w, r, skalig.Errorf(skalig.ENOTFOUND, "Begäran finns inte."))
		return
	}
	var req resolveRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	actor := c.actor()
	if req.Caseworker != "" {
		actor = actor.For(req.Caseworker)
	}
	switch action {
	case "keep":
		err = s.wf.KeepDecision(r.Context(), id, actor, req.Note)
	case "reject-late":
		err = s.wf.RejectLateAppeal(r.Context(), id, actor, req.Note)
	case "forward":
		if _, err = s.wf.ForwardAppeal(r.Context(), id, actor, req.Note); err == nil {
			body, err := s.wf.AppealBundleOf(r.Context(), id)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			writeBytes(w, http.StatusOK, body)
			return
		}
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if q, err = s.wf.Cases().ReviewRequest(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, reviewRequestOf(q))
}

type kommuniceringRequest struct {
	Version    *int   `json:"version"`
	Caseworker string `json:"caseworker"`
	Text       string `json:"text"`
	Due        string `json:"due"`
}

// handleKommunicering sends information a negative decision would rest on
// to the applicant for comment by due (FL 25 §), for the caseworker named
// in the body: 202, the case waits for the applicant.
func (s *Server) handleKommunicering(w http.ResponseWriter, r *http.Request, c *client) {
	id := r.PathValue("id")
	cs, ok := s.caseFor(w, r, c)
	if !ok {
		return
	}
	var req kommuniceringRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Version == nil {
		s.writeError(w, r, errNoVersion)
		return
	}
	due, ok := skalig.ParseDate(req.Due)
	if !ok {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Begäran är inte giltig.",
			Fields: []skalig.FieldError{{Field: "due", Message: "Ange sista dag för yttrande som ÅÅÅÅ-MM-DD."}}})
		return
	}
	actor := c.actor()
	if req.Caseworker != "" {
		actor = actor.For(req.Caseworker)
	}
	if err := s.wf.SendForComment(r.Context(), id, *req.Version, actor, req.Text, due); err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.wf.Cases().Case(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusAccepted, caseJSON(cs))
}

// handleComment records the applicant's comment on the case's open
// kommunicering: 200 with the case, back with a person.
func (s *Server) handleComment(w http.ResponseWriter, r *http.Request, c *client) {
	var req requestText
	if !s.readJSON(w, r, &req) {
		return
	}
	id := r.PathValue("id")
	if err := s.wf.AnswerCommentAs(r.Context(), id, c.actor(), req.Text); err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.wf.Cases().Case(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, caseJSON(cs))
}
