package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"skalig"
	"skalig/internal/whatif"
)

// whatifRequest is the JSON body of POST /api/v1/whatif.
type whatifRequest struct {
	// Municipality is the municipality whose decisions are replayed; it
	// may be left out when the client's key is for one municipality only.
	Municipality string `json:"municipality"`
	From         string `json:"from"`
	To           string `json:"to"`
	// HouseholdTypes and Outcomes filter the decisions (empty: all).
	HouseholdTypes []string         `json:"household_types"`
	Outcomes       []skalig.Outcome `json:"outcomes"`
	Candidate      struct {
		Kind string `json:"kind"` // params, municipal, routing, engine
		Name string `json:"name"` // optional: the file name, for the record
		// Content is the candidate file: a string (any kind), or for
		// municipal and routing the JSON object itself.
		Content json.RawMessage `json:"content"`
	} `json:"candidate"`
	// MaxChanges is how many changed cases the run keeps in detail (the
	// totals count them all); default 1 000, at most 100 000.
	MaxChanges int `json:"max_changes"`
	// ShadowUntil, when set ("YYYY-MM-DD", the first day no longer
	// covered, or an RFC 3339 time), starts a shadow run instead: the
	// candidate beside the live configuration on the decisions made from
	// now until then (From, To and the filters do not apply).
	ShadowUntil string `json:"shadow_until"`
}

// handleWhatIf starts a what-if run over the decisions of the client's
// municipality (or a shadow run on those to come) and answers 202 with
// the queued run and its progress, and its address in Location: the
// workers evaluate it (a durable job), and GET /api/v1/whatif/{id} reads
// how far it has come and, when done, its result. The run is kept and
// audited as "api:<client>". It only reads cases.
func (s *Server) handleWhatIf(w http.ResponseWriter, r *http.Request, c *client) {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req whatifRequest
	if err := decodeStrict(data, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Municipality == "" && len(c.mun) == 1 && c.mun[0] != "*" {
		req.Municipality = c.mun[0]
	}
	if req.Municipality == "" {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Kommun saknas.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "Ange kommunkoden vars beslut ska provköras."}}})
		return
	}
	if !c.may(req.Municipality) {
		s.writeError(w, r, &skalig.Error{Code: skalig.EFORBIDDEN, Message: "API-nyckeln gäller inte den kommunen.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "API-nyckeln gäller inte kommun " + req.Municipality + "."}}})
		return
	}
	sel := whatif.Selection{Municipality: req.Municipality, From: req.From, To: req.To,
		HouseholdTypes: req.HouseholdTypes, Outcomes: req.Outcomes}
	if err := sel.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	cand, err := req.candidate()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if cand.Kind == whatif.KindMunicipal && cand.Municipality() != req.Municipality {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Kandidaten gäller en annan kommun.",
			Fields: []skalig.FieldError{{Field: "candidate.content", Message: "Kommunfilen gäller kommun " + cand.Municipality() + ", inte " + req.Municipality + "."}}})
		return
	}
	max := req.MaxChanges
	if max <= 0 {
		max = 1000
	}
	if max > 100_000 {
		max = 100_000
	}
	if s.whatif == nil {
		s.writeError(w, r, skalig.Errorf(skalig.EUNAVAILABLE, "Provkörningar är inte igång i den här processen."))
		return
	}
	var id string
	if req.ShadowUntil != "" {
		until, ok := parseUntil(req.ShadowUntil, s.whatif.Cases.Now())
		if !ok {
			s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Slutdatumet är inte giltigt.",
				Fields: []skalig.FieldError{{Field: "shadow_until", Message: "Ange slutdatumet som ÅÅÅÅ-MM-DD."}}})
			return
		}
		id, err = s.whatif.StartShadow(r.Context(), "api:"+c.name, cand, req.Municipality, time.Time{}, until, max)
		if fe, ok := err.(*skalig.Error); ok {
			for i := range fe.Fields {
				if fe.Fields[i].Field == "until" {
					fe.Fields[i].Field = "shadow_until"
				}
			}
		}
	} else {
		id, err = s.whatif.Start(r.Context(), "api:"+c.name, cand, sel, max)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := whatif.Load(r.Context(), s.whatif.Cases, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/whatif/"+id)
	s.writeJSON(w, r, http.StatusAccepted, res)
}

// parseUntil reads a shadow run's end: a date (the first day no longer
// covered, midnight UTC) or an RFC 3339 time.
func parseUntil(v string, now time.Time) (time.Time, bool) {
	if d, ok := skalig.ParseDate(v); ok {
		return time.Date(int(d.Y), time.Month(d.M), int(d.D), 0, 0, 0, 0, time.UTC), true
	}
	t, err := time.Parse(time.RFC3339, v)
	return t, err == nil
}

// handleWhatIfRun answers with a kept run of the client's municipality:
// its progress and its result so far (all of it once the progress's
// status is done). The cases it lists are logged as read.
func (s *Server) handleWhatIfRun(w http.ResponseWriter, r *http.Request, c *client) {
	if s.whatif == nil {
		s.writeError(w, r, skalig.Errorf(skalig.EUNAVAILABLE, "Provkörningar är inte igång i den här processen."))
		return
	}
	res, err := whatif.Load(r.Context(), s.whatif.Cases, r.PathValue("id"))
	if err == nil && (res.Selection.Municipality == "" || !c.may(res.Selection.Municipality)) {
		err = skalig.Errorf(skalig.ENOTFOUND, "Provkörningen finns inte.")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, ch := range res.Changes {
		if err := s.wf.Cases().LogRead(r.Context(), c.actor().String(), ch.CaseID, "api", "whatif:"+res.ID); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.writeJSON(w, r, http.StatusOK, res)
}

// handleWhatIfStop ends a shadow run of the client's municipality before
// its period is over (whatif.Runner.StopShadow, audited as
// "api:<client>") and answers with the run: decisions made from now on
// are not compared, and the run is done at its job's next look.
func (s *Server) handleWhatIfStop(w http.ResponseWriter, r *http.Request, c *client) {
	if s.whatif == nil {
		s.writeError(w, r, skalig.Errorf(skalig.EUNAVAILABLE, "Provkörningar är inte igång i den här processen."))
		return
	}
	id := r.PathValue("id")
	run, err := s.whatif.Cases.RunByID(r.Context(), id)
	if err == nil && (run.Municipality == "" || !c.may(run.Municipality)) {
		err = skalig.Errorf(skalig.ENOTFOUND, "Provkörningen finns inte.")
	}
	if err == nil {
		err = s.whatif.StopShadow(r.Context(), "api:"+c.name, id)
	}
	var res *whatif.Result
	if err == nil {
		res, err = whatif.Load(r.Context(), s.whatif.Cases, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, res)
}

// candidate reads the request's candidate.
func (req *whatifRequest) candidate() (*whatif.Candidate, error) {
	invalid := func(msg string) error {
		return &skalig.Error{Code: skalig.EINVALID, Message: "Kandidaten är inte giltig.",
			Fields: []skalig.FieldError{{Field: "candidate.content", Message: msg}}}
	}
	content := bytes.TrimSpace(req.Candidate.Content)
	if len(content) > 0 && content[0] == '"' {
		var s string
		if err := json.Unmarshal(content, &s); err != nil {
			return nil, invalid("Innehållet är inte en giltig JSON-sträng.")
		}
		content = []byte(s)
	}
	name := req.Candidate.Name
	if name == "" {
		name = "api"
	}
	var mk func(string, []byte) (*whatif.Candidate, error)
	switch whatif.Kind(req.Candidate.Kind) {
	case whatif.KindEngine:
		return whatif.EngineCandidate(), nil
	case whatif.KindParams:
		mk = whatif.ParamsCandidate
	case whatif.KindMunicipal:
		mk = whatif.MunicipalCandidate
	case whatif.KindRouting:
		mk = whatif.RoutingCandidate
	default:
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Kandidaten är inte giltig.",
			Fields: []skalig.FieldError{{Field: "candidate.kind", Message: "Ange params, municipal, routing eller engine."}}}
	}
	if len(content) == 0 || bytes.Equal(content, []byte("null")) {
		return nil, invalid("Ange kandidatens fil.")
	}
	cand, err := mk(name, content)
	if err != nil {
		e := invalid(skalig.ErrorMessage(err)).(*skalig.Error)
		var ce *skalig.Error
		if errors.As(err, &ce) {
			// A routing version's problems, each on its field inside the
			// content: "candidate.content.rules[0].expression".
			for _, fe := range ce.Fields {
				e.Fields = append(e.Fields, skalig.FieldError{Field: "candidate.content." + fe.Field, Message: fe.Message})
			}
		}
		return nil, e
	}
	return cand, nil
}
