package api

import (
	"context"
	"net/http"
	"slices"

	"skalig"
	"skalig/internal/store/configdb"
)

// Proposals puts proposed routing and guidelines versions in force
// (configdb.MunicipalConfig): the path of the administration pages and
// the command line, whose rule (skalig.InForce.Check) the store applies.
type Proposals interface {
	Proposal(ctx context.Context, id string) (*configdb.Proposal, error)
	PutInForce(ctx context.Context, id, by, runID string) (*configdb.Proposal, error)
}

// putInForceRequest is the JSON body of POST
// /api/v1/config-proposals/{id}/put-in-force.
type putInForceRequest struct {
	// By is the member of staff (administrator or manager) for whom the
	// client acts: the second person.
	By string `json:"by"`
	// RunID is the finished what-if run of the proposal attached.
	RunID string `json:"run_id"`
}

// proposalInForceJSON is the answer: the proposal, now in force.
type proposalInForceJSON struct {
	ID           string `json:"id"`
	Municipality string `json:"municipality"`
	Kind         string `json:"kind"`
	Version      string `json:"version"`
	From         string `json:"from"`
	ProposedBy   string `json:"proposed_by"`
	Status       string `json:"status"`
	RunID        string `json:"run_id"`
	PutBy        string `json:"put_by"`
}

// handlePutInForce puts a proposal of the client's municipality in force
// for the member of staff named in the body: the client must be allowed to
// act for persons, the person must be an administrator or manager of the
// municipality seen at login, and the rule of skalig.InForce holds (a
// second person, a later month, a finished what-if run of the change).
func (s *Server) handlePutInForce(w http.ResponseWriter, r *http.Request, c *client) {
	if s.proposals == nil {
		s.writeError(w, r, skalig.Errorf(skalig.EUNAVAILABLE, "Förslag kan inte sättas i kraft i den här processen."))
		return
	}
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	p, err := s.proposals.Proposal(ctx, r.PathValue("id"))
	if err != nil || !c.may(p.Municipality) {
		s.writeError(w, r, skalig.Errorf(skalig.ENOTFOUND, "Förslaget finns inte."))
		return
	}
	data, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req putInForceRequest
	if err := decodeStrict(data, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !slices.Contains(c.actions, skalig.ClientActForPerson) {
		s.writeError(w, r, skalig.Errorf(skalig.EFORBIDDEN, "API-nyckeln får inte agera för en person (act_for_person saknas i nyckelns behörighet)."))
		return
	}
	if req.By == "" {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Ange vem som sätter förslaget i kraft.",
			Fields: []skalig.FieldError{{Field: "by", Message: "Ange personens id (som vid inloggningen)."}}})
		return
	}
	staff, err := s.wf.Staff(ctx, p.Municipality)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	known := false
	for _, m := range staff {
		if m.Subject == req.By && (slices.Contains(m.Roles, "administrator") || slices.Contains(m.Roles, "manager")) {
			known = true
		}
	}
	if !known {
		s.writeError(w, r, &skalig.Error{Code: skalig.EFORBIDDEN, Message: "Personen är inte administratör eller chef i kommunen.",
			Fields: []skalig.FieldError{{Field: "by", Message: "Personen " + req.By + " är inte administratör eller chef i kommun " + p.Municipality + "."}}})
		return
	}
	p, err = s.proposals.PutInForce(ctx, p.ID, req.By, req.RunID)
	if err != nil {
		if e, ok := err.(*skalig.Error); ok {
			for i := range e.Fields {
				if e.Fields[i].Field == "run" {
					e.Fields[i].Field = "run_id"
				}
			}
		}
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, proposalInForceJSON{ID: p.ID, Municipality: p.Municipality, Kind: p.Kind, Version: p.Version,
		From: p.From.String(), ProposedBy: p.Author, Status: p.Status, RunID: p.RunID, PutBy: p.PutBy})
}
