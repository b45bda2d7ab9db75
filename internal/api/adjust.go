package api

// A caseworker's adjustments through the API, for a client with the decide
// and act_for_person actions acting for the caseworker named in the body:
// items and discretionary amounts (POST /api/v1/cases/{id}/adjustments),
// the reform conditions (POST .../conditions) and the import of months with
// aid from the municipality's earlier system (POST /api/v1/aid-history).
// The rules are the workflow's (internal/workflow/adjust.go, casework.go,
// history.go); these handlers only translate the request.

import (
	"encoding/json"
	"errors"
	"net/http"
	"skalig/internal/workflow/casecheck"
	"slices"
	"strconv"
	"strings"

	"skalig"
)

// adjustFactJSON is one item of an adjustment: an amount (a JSON number
// in kronor) or a text, never both.
type adjustFactJSON struct {
	Kind   string          `json:"kind"`
	Person string          `json:"person"`
	Amount json.RawMessage `json:"amount"`
	Text   *string         `json:"text"`
}

type adjustRequest struct {
	Version    *int             `json:"version"`
	Caseworker string           `json:"caseworker"`
	Reason     string           `json:"reason"`
	Facts      []adjustFactJSON `json:"facts"`
}

// maxAdjustFacts bounds the items of one adjustment.
const maxAdjustFacts = 50

// adjustFacts converts the request's items, naming a bad one by its field.
func adjustFacts(in []adjustFactJSON) ([]skalig.Fact, error) {
	if len(in) > maxAdjustFacts {
		return nil, invalidField("facts", "Ange högst "+strconv.Itoa(maxAdjustFacts)+" uppgifter i en justering.")
	}
	var fe []skalig.FieldError
	out := make([]skalig.Fact, 0, len(in))
	for i, f := range in {
		field := "facts[" + strconv.Itoa(i) + "]."
		fact := skalig.Fact{Kind: strings.TrimSpace(f.Kind), PersonID: strings.TrimSpace(f.Person)}
		switch {
		case fact.Kind == "":
			fe = append(fe, skalig.FieldError{Field: field + "kind", Message: "Ange uppgiftens slag, t.ex. need.other.1 eller norm.adjustment."})
		case !absent(f.Amount) && f.Text != nil:
			fe = append(fe, skalig.FieldError{Field: field + "amount", Message: "Ange antingen ett belopp (amount) eller en text (text), inte båda."})
		case f.Text != nil:
			fact.Value = skalig.TextValue(*f.Text)
		case absent(f.Amount):
			fe = append(fe, skalig.FieldError{Field: field + "amount", Message: "Ange beloppet i kronor, t.ex. 1450, eller en text (text)."})
		default:
			m, msg := parseAmount(f.Amount)
			if msg != "" {
				fe = append(fe, skalig.FieldError{Field: field + "amount", Message: msg})
			}
			fact.Value = skalig.AmountValue(m)
		}
		out = append(out, fact)
	}
	if len(fe) > 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: fe[0].Message, Fields: fe}
	}
	return out, nil
}

// invalidField is EINVALID with one field error.
func invalidField(field, msg string) error {
	return &skalig.Error{Code: skalig.EINVALID, Message: msg, Fields: []skalig.FieldError{{Field: field, Message: msg}}}
}

// errNoVersion is the answer to a change without the version read.
var errNoVersion = &skalig.Error{Code: skalig.EINVALID, Message: "Begäran är inte giltig.",
	Fields: []skalig.FieldError{{Field: "version", Message: "Ange ärendets version (version) som du läste."}}}

// factFields renames the workflow's "facts[i].value" to the request's
// field: "facts[i].amount" or "facts[i].text".
func factFields(err error, facts []skalig.Fact) error {
	var se *skalig.Error
	if !errors.As(err, &se) || se.Code != skalig.EINVALID {
		return err
	}
	out := *se
	out.Fields = slices.Clone(se.Fields)
	for i, f := range out.Fields {
		rest, ok := strings.CutPrefix(f.Field, "facts[")
		if !ok || !strings.HasSuffix(rest, "].value") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(rest, "].value"))
		if err != nil || n < 0 || n >= len(facts) {
			continue
		}
		name := "amount"
		if facts[n].Value.IsText {
			name = "text"
		}
		out.Fields[i].Field = "facts[" + strconv.Itoa(n) + "]." + name
	}
	return &out
}

// caseFor reads the case of the path ({id}) for client c: a case of a
// municipality c does not serve is not there for it (404, as a case that
// does not exist); any other failure is written as itself. ok is false
// when the answer is written.
func (s *Server) caseFor(w http.ResponseWriter, r *http.Request, c *client) (*skalig.Case, bool) {
	cs, err := s.wf.Cases().Case(r.Context(), r.PathValue("id"))
	if err == nil && !c.may(cs.Municipality) || skalig.ErrorCode(err) == skalig.ENOTFOUND {
		err = skalig.Errorf(skalig.ENOTFOUND, "Ärendet finns inte.")
	}
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	return cs, true
}

// actorFor is the client acting for the caseworker named in a body.
func (c *client) actorFor(caseworker string) skalig.Actor {
	a := c.actor()
	if caseworker = strings.TrimSpace(caseworker); caseworker != "" {
		a = a.For(caseworker)
	}
	return a
}

// handleAdjust records the caseworker's adjustment of items of the case
// (workflow.AdjustFacts): amounts of incomes and costs, the amount approved
// for another need or a cost above a guideline, a norm adjustment, aid
// beyond the calculation. 202 with the case, which is calculated and
// routed again.
func (s *Server) handleAdjust(w http.ResponseWriter, r *http.Request, c *client) {
	cs, ok := s.caseFor(w, r, c)
	if !ok {
		return
	}
	var req adjustRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Version == nil {
		s.writeError(w, r, errNoVersion)
		return
	}
	facts, err := adjustFacts(req.Facts)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err = s.wf.AdjustFacts(r.Context(), cs.ID, *req.Version, c.actorFor(req.Caseworker), facts, req.Reason)
	if err != nil {
		s.writeError(w, r, factFields(err, facts))
		return
	}
	s.writeJSON(w, r, http.StatusAccepted, caseJSON(cs))
}

type conditionRequest struct {
	Version    *int   `json:"version"`
	Caseworker string `json:"caseworker"`
	Reason     string `json:"reason"`
	Condition  string `json:"condition"`
	Person     string `json:"person"`
	From       string `json:"from"`
	To         string `json:"to"`
	Until      string `json:"until"`
	Evidence   string `json:"evidence"`
	Ground     string `json:"ground"`
	Answer     string `json:"answer"`
	Months     string `json:"months"`
}

// handleCondition records what the caseworker found out about a condition
// of the case (workflow.RecordCondition): a läkarintyg's period, activity
// with its validity, an exemption, lawful residence, consent to a sublet,
// a person's months with aid. 202 with the case, which is calculated and
// routed again.
func (s *Server) handleCondition(w http.ResponseWriter, r *http.Request, c *client) {
	cs, ok := s.caseFor(w, r, c)
	if !ok {
		return
	}
	var req conditionRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Version == nil {
		s.writeError(w, r, errNoVersion)
		return
	}
	cond := casecheck.Condition{What: req.Condition, Person: req.Person, From: req.From, To: req.To, Until: req.Until,
		Evidence: req.Evidence, Ground: req.Ground, Answer: req.Answer, Months: req.Months}
	cs, err := s.wf.RecordCondition(r.Context(), cs.ID, *req.Version, c.actorFor(req.Caseworker), cond, req.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusAccepted, caseJSON(cs))
}

type aidHistoryRequest struct {
	Caseworker   string `json:"caseworker"`
	Municipality string `json:"municipality"`
	CSV          string `json:"csv"`
}

// handleAidHistory imports months with aid per person from the
// municipality's earlier system (docs/history.md) for the caseworker or
// administrator named in the body (workflow.ImportAidHistoryAs), as the
// history of the municipality named in the body (or the actor's one
// municipality): 200 with the number of persons.
func (s *Server) handleAidHistory(w http.ResponseWriter, r *http.Request, c *client) {
	var req aidHistoryRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.CSV) == "" {
		s.writeError(w, r, invalidField("csv", "Ange filens innehåll (csv): rubriken personnummer,månader och en rad per person."))
		return
	}
	n, err := s.wf.ImportAidHistoryAs(r.Context(), c.actorFor(req.Caseworker), req.Municipality, []byte(req.CSV))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, struct {
		Persons int `json:"persons"`
	}{n})
}
