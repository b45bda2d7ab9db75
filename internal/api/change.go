package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"skalig"
	"skalig/internal/workflow"
	"skalig/internal/workflow/manualcalc"
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
func manualLines(lines []manualLineJSON) ([]manualcalc.Line, error) {
	out := make([]manualcalc.Line, 0, len(lines))
	var fe []skalig.FieldError
	for i, l := range lines {
		m, msg := parseAmount(l.Amount)
		if absent(l.Amount) {
			msg = "Ange beloppet i kronor, t.ex. 4200."
		}
		if msg != "" {
			fe = append(fe, skalig.FieldError{Field: "lines[" + strconv.Itoa(i) + "].amount", Message: msg})
		}
		out = append(out, manualcalc.Line{Kind: l.Kind, Item: l.Item, Person: l.Person, Amount: m, Basis: l.Basis})
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
	if _, ok := s.caseFor(w, r, c); !ok {
		return
	}
	var req manualCalculationRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if req.Version == nil {
		s.writeError(w, r, errNoVersion)
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
	Version                *int             `json:"version"` // a change on the decider's own initiative
	Caseworker             string           `json:"caseworker"`
	Outcome                string           `json:"outcome"`
	Amount                 json.RawMessage  `json:"amount"`
	Reasons                []string         `json:"reasons"`
	Note                   string           `json:"note"`
	AsRequested            bool             `json:"as_requested"`
	Lines                  []manualLineJSON `json:"lines"`
	ManualReason           string           `json:"manual_reason"`
	Ground                 string           `json:"ground"`
	KommuniceringException string           `json:"kommunicering_exception"`
	NoteToSigner           string           `json:"note_to_signer"`
}

type changeDecisionJSON struct {
	Decision   *decisionJSON `json:"decision"`
	Supersedes string        `json:"supersedes"`
	Payment    *paymentJSON  `json:"payment,omitempty"`
	Overpaid   skalig.Money  `json:"overpaid"`
}

// changeProposalJSON is a change waiting for a second person's signature.
type changeProposalJSON struct {
	ID         string       `json:"id"`
	Status     string       `json:"status"`
	CaseID     string       `json:"case_id"`
	Supersedes string       `json:"supersedes"`
	RequestID  string       `json:"request_id,omitempty"`
	Outcome    string       `json:"outcome"`
	Amount     skalig.Money `json:"amount"`
	ProposedBy string       `json:"proposed_by"`
	ProposedAt string       `json:"proposed_at"`
	Message    string       `json:"message"`
}

// handleChangeDecision changes the decision in force on the open review
// request or appeal of the path, for the caseworker named in the body
// (workflow.ChangeDecision, FL 38-39 §§): 201 with the new decision and
// the payment of the difference, or 202 with the proposal when the
// municipality's four-eyes rule makes the change wait for a second person.
func (s *Server) handleChangeDecision(w http.ResponseWriter, r *http.Request, c *client) {
	id := r.PathValue("id")
	q, err := s.wf.Cases().ReviewRequest(r.Context(), id)
	if err != nil || !c.may(q.Municipality) {
		s.writeError(w, r, skalig.Errorf(skalig.ENOTFOUND, "Begäran finns inte."))
		return
	}
	s.change(w, r, c, workflow.ChangeRequest{RequestID: id})
}

// handleOwnChange changes the decision in force of the case of the path
// on the decider's own initiative (workflow.ChangeDecision, FL 37-38 §§),
// for the caseworker named in the body, at the case version given: as
// handleChangeDecision.
func (s *Server) handleOwnChange(w http.ResponseWriter, r *http.Request, c *client) {
	id := r.PathValue("id")
	if _, ok := s.caseFor(w, r, c); !ok {
		return
	}
	s.change(w, r, c, workflow.ChangeRequest{CaseID: id})
}

// change reads the change of the body into base and makes it.
func (s *Server) change(w http.ResponseWriter, r *http.Request, c *client, base workflow.ChangeRequest) {
	var req changeDecisionRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	if base.CaseID != "" {
		if req.Version == nil {
			s.writeError(w, r, errNoVersion)
			return
		}
		base.Version = *req.Version
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
	var lines []manualcalc.Line
	if len(req.Lines) > 0 {
		var err error
		if lines, err = manualLines(req.Lines); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	base.Actor = c.actor()
	if req.Caseworker != "" {
		base.Actor = base.Actor.For(req.Caseworker)
	}
	base.Outcome, base.Amount, base.Reasons, base.Note, base.AsRequested = skalig.Outcome(req.Outcome), amount, req.Reasons, req.Note, req.AsRequested
	base.Lines, base.ManualReason, base.Ground, base.KommuniceringException, base.NoteToSigner = lines, req.ManualReason, req.Ground,
		req.KommuniceringException, req.NoteToSigner
	res, err := s.wf.ChangeDecision(r.Context(), base)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if p := res.Proposal; p != nil {
		s.writeJSON(w, r, http.StatusAccepted, changeProposalJSON{ID: p.ID, Status: p.Status, CaseID: p.CaseID, Supersedes: p.Supersedes,
			RequestID: p.RequestID, Outcome: string(p.Outcome), Amount: p.Amount, ProposedBy: p.ProposedBy,
			ProposedAt: skalig.FormatTime(p.ProposedAt),
			Message:    "Kommunens regel om fyra ögon gäller: ändringen väntar på att en annan handläggare signerar den."})
		return
	}
	s.writeChange(w, r, res)
}

func (s *Server) writeChange(w http.ResponseWriter, r *http.Request, res *workflow.ChangeResult) {
	out := changeDecisionJSON{Decision: decisionOf(res.Decision), Supersedes: res.Supersedes, Overpaid: res.Overpaid}
	if p := res.Payment; p != nil {
		out.Payment = &paymentJSON{ID: p.ID, Amount: p.Amount, PayOn: p.PayOn.String(), Status: string(p.Status)}
	}
	s.writeJSON(w, r, http.StatusCreated, out)
}

type signChangeRequest struct {
	Caseworker string `json:"caseworker"`
	Note       string `json:"note"`
}

// handleSignChange signs (action "sign": 201 with the changed decision) or
// returns (action "return": 200) the case's change waiting for a second
// person, for the caseworker named in the body (workflow.SignChange,
// ReturnChange).
func (s *Server) handleSignChange(action string) func(http.ResponseWriter, *http.Request, *client) {
	return func(w http.ResponseWriter, r *http.Request, c *client) {
		id := r.PathValue("id")
		if _, ok := s.caseFor(w, r, c); !ok {
			return
		}
		var req signChangeRequest
		if !s.readJSON(w, r, &req) {
			return
		}
		actor := c.actor()
		if req.Caseworker != "" {
			actor = actor.For(req.Caseworker)
		}
		if action == "return" {
			if err := s.wf.ReturnChange(r.Context(), id, actor, req.Note); err != nil {
				s.writeError(w, r, err)
				return
			}
			s.writeJSON(w, r, http.StatusOK, map[string]string{"case_id": id, "status": "returned"})
			return
		}
		res, err := s.wf.SignChange(r.Context(), id, actor)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeChange(w, r, res)
	}
}
