package api

import (
	"bytes"
	"encoding/json"
	"net/http"

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
	// MaxChanges is how many changed cases the answer lists (the totals
	// count them all); default 1 000, at most 100 000.
	MaxChanges int `json:"max_changes"`
}

// handleWhatIf runs a what-if run over the decisions of the client's
// municipality and answers with its result; the run is kept and audited
// as "api:<client>". It only reads cases.
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
	runner := *s.whatif
	runner.MaxChanges = max
	res, err := runner.Run(r.Context(), "api:"+c.name, cand, sel, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, res)
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
		return nil, invalid(skalig.ErrorMessage(err))
	}
	return cand, nil
}
