package caseworker

import (
	"net/http"
	"strconv"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
	"skalig/internal/workflow"
)

// The decider's change of a decided case on their own initiative (FL
// 37-38 §§), and the second person's signature of a change that the
// municipality's four-eyes rule makes a proposal (on a review request, an
// appeal or the decider's own initiative). The rules are the workflow's
// (change.go): these pages translate the form and show the result.

// changeRoutes registers the pages of this file.
func (c *Desk) changeRoutes() {
	h := c.handleStaff
	p := Path
	h("GET "+p+"/arenden/{id}/andra", RolesDecide, c.handleOwnChange)
	h("POST "+p+"/arenden/{id}/andra", RolesDecide, c.handleOwnChange)
	h("GET "+p+"/arenden/{id}/andring", RolesDecide, c.handleSignChange)
	h("POST "+p+"/arenden/{id}/andring", RolesDecide, c.handleSignChange)
}

// changeGroundOptions are the choices of a ground of FL 37 § second
// paragraph; "" is none (a change that does not go against the
// applicant).
func changeGroundOptions(l *web.Lang) []web.Option {
	out := []web.Option{{Value: "", Label: l.T("cw.change.ground.none")}}
	for _, r := range skalig.Reasons() {
		if r.Kind == skalig.ReasonKindChangeGround {
			out = append(out, web.Option{Value: r.Code, Label: cwReasonLabel(l, r.Code)})
		}
	}
	return out
}

// changeFields reads the fields of a change shared by the review page and
// the own-initiative page: the new decision's outcome and amount (aid is
// the calculated aid an approval grants), the ground, the FL 25 §
// exception and the note to a second signer.
func changeFields(f *web.Form, l *web.Lang, aid skalig.Money, req *workflow.ChangeRequest) (rowOf []int) {
	outcome, _ := f.OneOf("outcome", l.T("cw.decide.outcome"), string(skalig.OutcomeApproved), string(skalig.OutcomePartlyApproved), string(skalig.OutcomeRejected))
	req.Outcome = skalig.Outcome(outcome)
	// A new calculation by hand (an omprövning that grants more than the
	// case's calculation, or a case without one): the change rests on it,
	// and bifall grants its total (workflow.ChangeDecision).
	req.Lines, rowOf = manualLinesOf(f, l)
	if len(req.Lines) > 0 {
		req.ManualReason = f.Value("manual_reason")
	}
	switch req.Outcome {
	case skalig.OutcomeApproved:
		if len(req.Lines) == 0 {
			req.Amount = aid
		}
	case skalig.OutcomePartlyApproved:
		req.Amount, _ = f.Amount("amount", l.T("cw.decide.amount"))
	}
	req.Ground = f.Value("ground")
	req.KommuniceringException = f.Value("kommunicering_exception")
	req.NoteToSigner = f.Value("note_to_signer")
	return rowOf
}

// remapChange is remapLines for a change's form, where the manual
// calculation's reason is the field manual_reason.
func remapChange(err error, rowOf []int) error {
	err = remapLines(err, rowOf)
	if se, ok := err.(*skalig.Error); ok {
		for i := range se.Fields {
			if se.Fields[i].Field == "reason" {
				se.Fields[i].Field = "manual_reason"
			}
		}
	}
	return err
}

// cwChangeView is the data of the own-initiative change page.
type cwChangeView struct {
	Head       *cwHead
	Manual     manualForm
	Decision   *skalig.Decision
	Outcomes   []web.Option
	Grounds    []web.Option
	Exceptions []web.Option
}

func (v *cwChangeView) caseHead() *cwHead { return v.Head }

// handleOwnChange changes the decision of a decided case on the decider's
// own initiative (workflow.ChangeDecision without a request).
func (c *Desk) handleOwnChange(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return
	}
	v := &cwChangeView{Head: h, Grounds: changeGroundOptions(l), Exceptions: kommuniceringOptions(l), Manual: newManualForm(l)}
	var err error
	if v.Decision, err = c.cases.CaseDecision(r.Context(), cs.ID); err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		c.s.Error(w, r, err)
		return
	}
	v.Outcomes = []web.Option{
		{Value: string(skalig.OutcomeApproved), Label: l.T("cw.decide.outcome.approved", l.Money(h.Aid))},
		{Value: string(skalig.OutcomePartlyApproved), Label: l.T("cw.decide.outcome.partly_approved")},
		{Value: string(skalig.OutcomeRejected), Label: l.T("cw.decide.outcome.rejected")}}
	pg := c.Page(r, p, l.T("cw.change.title"), v)
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		pg.Form = f
		c.render(w, r, http.StatusOK, "cw-change", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	req := workflow.ChangeRequest{CaseID: cs.ID, Version: formVersion(f), Actor: cwPolicyActor(p)}
	req.Note, _ = f.Required("note", l.T("cw.change.note"))
	rowOf := changeFields(f, l, h.Aid, &req)
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-change", f, nil)
		return
	}
	req.Reasons = nonEmptyText(req.Note)
	res, err := c.wf.ChangeDecision(r.Context(), req)
	if err != nil {
		c.FormError(w, r, pg, "cw-change", f, remapChange(err, rowOf))
		return
	}
	done := "andrat"
	if res.Proposal != nil {
		done = "andring_foreslagen"
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), done)
}

// cwChangeSignView is the data of the page of a change waiting for a
// second person.
type cwChangeSignView struct {
	Head     *cwHead
	Decision *skalig.Decision
	Outcome  string
	Amount   string
	By       string
	Note     string
	Signer   string // the note to the signer
	Ground   string
	Mine     bool
	Request  bool // on a review request or an appeal
}

func (v *cwChangeSignView) caseHead() *cwHead { return v.Head }

// handleSignChange shows the case's change waiting for a second person
// and signs it (beslut=signera, confirmed with bekrafta=ja) or returns it
// with a note (beslut=tillbaka).
func (c *Desk) handleSignChange(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return
	}
	pp, req, err := c.wf.PendingChange(r.Context(), cs.ID)
	if skalig.ErrorCode(err) == skalig.ENOTFOUND {
		c.s.NotFound(w, r)
		return
	} else if err != nil {
		c.s.Error(w, r, err)
		return
	}
	names := c.Names(r.Context())
	v := &cwChangeSignView{Head: h, Outcome: l.T("outcome." + string(pp.Outcome)), Amount: l.Money(pp.Amount),
		By: ActorName(l, names, "caseworker:"+pp.ProposedBy), Note: req.Note, Signer: pp.NoteToSigner,
		Mine: pp.ProposedBy == p.Subject, Request: pp.RequestID != ""}
	if req.Ground != "" {
		v.Ground = cwReasonLabel(l, req.Ground)
	}
	if v.Decision, err = c.cases.CaseDecision(r.Context(), cs.ID); err != nil {
		c.s.Error(w, r, err)
		return
	}
	pg := c.Page(r, p, l.T("cw.change.sign.title"), v)
	if r.Method == http.MethodGet {
		pg.Form = web.NewForm(l, nil)
		c.render(w, r, http.StatusOK, "cw-change-sign", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	action, _ := f.OneOf("beslut", l.T("cw.change.sign.action"), "signera", "tillbaka")
	var note string
	if action == "tillbaka" {
		note, _ = f.Required("note", l.T("cw.pending.return_note"))
	} else if action == "signera" && f.Value("bekrafta") != "ja" {
		f.FailKey("beslut", "cw.change.sign.confirm")
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-change-sign", f, nil)
		return
	}
	actor := cwPolicyActor(p)
	done := "andrat"
	if action == "tillbaka" {
		err, done = c.wf.ReturnChange(r.Context(), cs.ID, actor, note), "andring_tillbaka"
	} else {
		_, err = c.wf.SignChange(r.Context(), cs.ID, actor)
	}
	if err != nil {
		c.FormError(w, r, pg, "cw-change-sign", f, err)
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), done)
}
