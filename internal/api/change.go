package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"skalig"
	"skalig/internal/workflow"
)

// manualLineJSON is one line of a manual calculation in the API: the
// amount as exact kronor text, like every stored amount of the case API.
type manualLineJSON struct {
	Kind   string          `json:"kind"`
	Item   string          `json:"item"`
	Person string          `json:"person,omitempty"`
	Amount json.RawMessage `json:"amount"`
	Basis  string          `json:"basis"`
}

type manualCalculationRequest struct {
	Version    *int             `json:"version"`
	Caseworker string           `json:"caseworker"`
	Reason     string           `json:"reason"`
	Lines      []manualLineJSON `json:"lines"`
}

// manualLines converts lines, naming a bad amount by its field.
func manualLines(lines []manualLineJSON) ([]workflow.ManualLine, error) {
	out := make([]workflow.ManualLine, 0, len(lines))
	var fe []skalig.FieldError
	for i, l := range lines {
		m, msg := parseAmount(l.Amount)
		if absent(l.Amount) {
			msg = "Ange beloppet i kronor, t.ex. 4200."
		}
		if msg != "" {
			fe = append(fe, skalig.FieldError{Field: "lines[" + strconv.Itoa(i) + "].amount", Message: msg})
		}
		out = append(out, workflow.ManualLine{Kind: l.Kind, Item: l.Item, Person: l.Person, Amount: m, Basis: l.Basis})
	}
	if len(fe) > 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: fe[0].Message, Fields: fe}
	}
	return out, nil
}

// handleManualCalculation records a manual calculation of a case whose
// parameters or rules are missing, for the caseworker named in the body
// (workflow.CalculateManually): 200 with the calculation, on which the
// caseworker then decides (POST .../decision).
func (s *Server) handleManualCalculation(w http.ResponseWriter, r *http.Request, c *client) {
	id := r.PathValue("id")
	cs, err := s.wf.Cases().Case(r.Context(), id)
	if err != nil || !c.may(cs.Municipality) {
		s.writeError(w, r, skalig.Errorf(skalig.ENOTFOUND, "Ärendet finns inte."))
		return
	}
	var req manualCalculationRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Version == nil {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Begäran är inte giltig.",
			Fields: []skalig.FieldError{{Field: "version", Message: "Ange ärendets version (version) som du läste."}}})
		return
	}
	lines, err := manualLines(req.Lines)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	actor := c.actor()
	if req.Caseworker != "" {
		actor = actor.For(req.Caseworker)
	}
	calc, err := s.wf.CalculateManually(r.Context(), workflow.ManualCalculationRequest{CaseID: id, Version: *req.Version,
		Actor: actor, Lines: lines, Reason: req.Reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, &calculationJSON{Calculation: calc, Facts: factsOf(calc.Facts)})
}

type changeDecisionRequest struct {
	Caseworker   string           `json:"caseworker"`
	Outcome      string           `json:"outcome"`
	Amount       json.RawMessage  `json:"amount"`
	Reasons      []string         `json:"reasons"`
	Note         string           `json:"note"`
	AsRequested  bool             `json:"as_requested"`
	Lines        []manualLineJSON `json:"lines"`
	ManualReason string           `json:"manual_reason"`
}

type changeDecisionJSON struct {
	Decision   *decisionJSON `json:"decision"`
	Supersedes string        `json:"supersedes"`
	Payment    *paymentJSON  `json:"payment,omitempty"`
	Overpaid   skalig.Money  `json:"overpaid"`
}

// handleChangeDecision changes the decision in force on the open review
// request or appeal of the path, for the caseworker named in the body
// (workflow.ChangeDecision, FL 38-39 §§): 201 with the new decision and
// the payment of the difference.
func (s *Server) handleChangeDecision(w http.ResponseWriter, r *http.Request, c *client) {
	id := r.PathValue("id")
	q, err := s.wf.Cases().ReviewRequest(r.Context(), id)
	if err != nil || !c.may(q.Municipality) {
		s.writeError(w, r, skalig.Errorf(skalig.ENOTFOUND, "Begäran finns inte."))
		return
	}
	var req changeDecisionRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	amount, msg := parseAmount(req.Amount)
	if absent(req.Amount) {
		msg = "Ange beloppet i kronor, t.ex. 7200, eller 0 vid avslag."
	}
	if msg != "" {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Beslutet är inte giltigt.",
			Fields: []skalig.FieldError{{Field: "amount", Message: msg}}})
		return
	}
	var lines []workflow.ManualLine
	if len(req.Lines) > 0 {
		if lines, err = manualLines(req.Lines); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	actor := c.actor()
	if req.Caseworker != "" {
		actor = actor.For(req.Caseworker)
	}
	res, err := s.wf.ChangeDecision(r.Context(), workflow.ChangeRequest{RequestID: id, Actor: actor, Outcome: skalig.Outcome(req.Outcome),
		Amount: amount, Reasons: req.Reasons, Note: req.Note, AsRequested: req.AsRequested, Lines: lines, ManualReason: req.ManualReason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := changeDecisionJSON{Decision: decisionOf(res.Decision), Supersedes: res.Supersedes, Overpaid: res.Overpaid}
	if p := res.Payment; p != nil {
		out.Payment = &paymentJSON{ID: p.ID, Amount: p.Amount, PayOn: p.PayOn.String(), Status: string(p.Status)}
	}
	s.writeJSON(w, r, http.StatusCreated, out)
}
