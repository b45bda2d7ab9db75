package applicant

import (
	"context"
	"net/http"

	"encoding/json"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/web"
	"skalig/internal/workflow"
)

// Mina sidor after the application: withdrawing an application not yet
// decided (with a page of its own to confirm), answering a kommunicering
// (FL 25 §), and appealing a decision (FL 44 §) with the last day shown.
// The rules are the workflow's (appeal.go, kommunicering.go).

// afterRoutes registers the pages of this file.
func (a *applicant) afterRoutes(req func(string, http.HandlerFunc)) {
	req("GET "+CasePathPrefix+"{id}/ta-tillbaka", a.handleWithdraw)
	req("POST "+CasePathPrefix+"{id}/ta-tillbaka", a.handleWithdraw)
	req("POST "+CasePathPrefix+"{id}/yttrande", a.handleComment)
	req("POST "+CasePathPrefix+"{id}/overklagande", a.handleAppeal)
}

// afterView is what the case page shows of withdrawal, kommunicering and
// appeal.
type afterView struct {
	CanWithdraw  bool
	WithdrawURL  string
	Kommunicera  string // the information sent for comment, when open
	CommentDue   string
	AppealLast   string // the last day to appeal, when the decision is notified
	AppealLate   bool   // today is after it
	Appeals      []appealView
	AppealIsOpen bool
	// KommuniceringChange: the kommunicering comes before a change of
	// the decision, not before the decision.
	KommuniceringChange bool
	// Changes are the changes of the decision, in the reader's language
	// (the notice catalog), oldest first.
	Changes []string
}

// appealView is an appeal or review request the applicant follows.
type appealView struct {
	Kind, Status, When string
}

// after reads the case's withdrawal, kommunicering and appeal state.
func (a *applicant) after(ctx context.Context, l *web.Lang, c *skalig.Case) (afterView, error) {
	v := afterView{WithdrawURL: CasePathPrefix + c.ID + "/ta-tillbaka"}
	v.CanWithdraw = c.DecidedAt.IsZero() && c.State.CanTransition(skalig.StateWithdrawn)
	k, open, err := a.wf.OpenKommunicering(ctx, c.ID)
	if err != nil {
		return v, err
	}
	// Before a decision the case waits for the answer; after it, before a
	// change of the decision to the applicant's disadvantage, it does not.
	if open && (c.State == skalig.StateAwaitingApplicant || !c.DecidedAt.IsZero()) {
		v.Kommunicera, v.KommuniceringChange = k.Text, !c.DecidedAt.IsZero()
		if d, ok := skalig.ParseDate(k.Due); ok {
			v.CommentDue = l.Date(dateTime(d))
		}
	}
	last, ok, err := a.wf.AppealDeadline(ctx, c.ID)
	if err != nil {
		return v, err
	}
	if ok {
		v.AppealLast = l.Date(dateTime(last))
		v.AppealLate = last.Before(a.today())
	}
	if v.Changes, err = a.changes(ctx, l, c); err != nil {
		return v, err
	}
	rs, err := a.cases.CaseReviewRequests(ctx, c.ID)
	if err != nil {
		return v, err
	}
	for _, r := range rs {
		status := "case.appeal.status.open"
		if !r.Open() {
			status = "case.appeal.status." + r.Resolution
		}
		if r.Kind == store.ReviewKindAppeal && r.Open() {
			v.AppealIsOpen = true
		}
		v.Appeals = append(v.Appeals, appealView{Kind: l.T("case.appeal.kind." + r.Kind), Status: l.T(status), When: a.when(l, r.At)})
	}
	return v, nil
}

// handleWithdraw asks the applicant to confirm withdrawing the
// application (GET) and withdraws it (POST): the case closes and nothing
// is paid.
func (a *applicant) handleWithdraw(w http.ResponseWriter, r *http.Request) {
	p, id, ok := a.caseOf(w, r)
	if !ok {
		return
	}
	c, err := a.cases.Case(r.Context(), id)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	pg := a.s.Page(r)
	pg.Title = pg.T("withdraw.title")
	pg.Data = struct {
		Case   *skalig.Case
		Action string
		Back   string
	}{c, CasePathPrefix + id + "/ta-tillbaka", CasePathPrefix + id}
	if r.Method == http.MethodGet {
		pg.Form = pg.NewForm(nil)
		a.s.Render(w, r, http.StatusOK, "applicant_withdraw", pg)
		return
	}
	if err := r.ParseForm(); err != nil {
		a.s.ErrorStatus(w, r, http.StatusBadRequest, "")
		return
	}
	f := pg.NewForm(r.PostForm)
	if f.Value("confirm") != "yes" {
		f.FailKey("confirm", "withdraw.confirm.required")
		pg.Form = f
		a.s.Render(w, r, http.StatusUnprocessableEntity, "applicant_withdraw", pg)
		return
	}
	if err := a.wf.Withdraw(r.Context(), id, p.PersonalNumber); err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			a.s.NotFound(w, r)
			return
		}
		if e := f.AddError(err); e != nil {
			a.s.Error(w, r, e)
			return
		}
		pg.Form = f
		a.s.Render(w, r, http.StatusConflict, "applicant_withdraw", pg)
		return
	}
	http.Redirect(w, r, CasePathPrefix+id+"?skickat=aterkallad", http.StatusSeeOther)
}

// handleComment records the applicant's answer to the open kommunicering.
func (a *applicant) handleComment(w http.ResponseWriter, r *http.Request) {
	a.caseText(w, r, "comment_text", "case.kommunicering.label", "yttrande#kommunicering",
		func(ctx context.Context, id string, pn skalig.PersonalNumber, text string) error {
			return a.wf.AnswerComment(ctx, id, pn, text)
		})
}

// handleAppeal records the applicant's appeal of the decision.
func (a *applicant) handleAppeal(w http.ResponseWriter, r *http.Request) {
	a.caseText(w, r, "appeal_text", "case.appeal.label", "overklagande#overklagande",
		func(ctx context.Context, id string, pn skalig.PersonalNumber, text string) error {
			_, err := a.wf.Appeal(ctx, id, pn, text)
			return err
		})
}

// caseText handles a form of the case page with one text field: the text
// goes to do; errors are shown on the case page at field.
func (a *applicant) caseText(w http.ResponseWriter, r *http.Request, field, labelKey, done string,
	do func(context.Context, string, skalig.PersonalNumber, string) error) {
	p, id, ok := a.ownCaseForm(w, r)
	if !ok {
		return
	}
	pg := a.s.Page(r)
	f := pg.NewForm(r.PostForm)
	text, ok := f.Required(field, pg.T(labelKey))
	if !ok {
		a.caseFormError(w, r, p, id, f, nil, field)
		return
	}
	if err := do(r.Context(), id, p.PersonalNumber, text); err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			a.s.NotFound(w, r)
			return
		}
		a.caseFormError(w, r, p, id, f, err, field)
		return
	}
	http.Redirect(w, r, CasePathPrefix+id+"?skickat="+done, http.StatusSeeOther)
}

// changes tells the changes of the case's decision (workflow.ChangeDecision)
// in the reader's language, with the notices the applicant was sent in
// Swedish (skalig.NoticeText): the new outcome and amount, why, and what
// it means for the money and the appeal.
func (a *applicant) changes(ctx context.Context, l *web.Lang, c *skalig.Case) ([]string, error) {
	rs, err := a.cases.Records(ctx, c.ID, workflow.RecordDecisionChanged)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		var x struct {
			Kind           string       `json:"kind"`
			Outcome        string       `json:"outcome"`
			Amount         skalig.Money `json:"amount"`
			DifferencePaid skalig.Money `json:"difference_paid"`
			Overpaid       skalig.Money `json:"overpaid"`
			Note           string       `json:"note"`
			Resolved       bool         `json:"resolved"`
		}
		if err := json.Unmarshal(r.Body, &x); err != nil {
			return nil, err
		}
		id := "notice.change.review"
		switch x.Kind {
		case store.ReviewKindAppeal:
			id = "notice.change.appeal"
		case "":
			id = "notice.change.own"
		}
		t := l.T(id, l.Month(c.Month), l.T("outcome."+x.Outcome), l.Money(x.Amount), x.Note)
		switch {
		case x.DifferencePaid > 0:
			t += " " + l.T("notice.change.difference_paid", l.Money(x.DifferencePaid))
		case x.Overpaid > 0:
			t += " " + l.T("notice.change.overpaid", l.Money(x.Overpaid))
		}
		if x.Kind == store.ReviewKindAppeal && !x.Resolved {
			t += " " + l.T("notice.change.appeal_continues")
		} else {
			t += " " + l.T("notice.change.appeal_rights")
		}
		out = append(out, t)
	}
	return out, nil
}
