package caseworker

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
	"skalig/internal/workflow"
	"skalig/internal/workflow/manualcalc"
)

// The caseworker's forms after the calculation: kommunicering (FL 25 §),
// a manual calculation of a month whose parameters or rules are missing,
// and the decider's handling of a review request or an appeal (keep,
// forward, reject as late, change the decision). The rules are the
// workflow's (kommunicering.go, manual.go, change.go, appeal.go).

// afterRoutes registers the forms of this file.
func (c *Desk) afterRoutes() {
	h := c.handleStaff
	p := Path
	h("GET "+p+"/arenden/{id}/kommunicera", RolesDecide, c.handleKommunicera)
	h("POST "+p+"/arenden/{id}/kommunicera", RolesDecide, c.handleKommunicera)
	h("GET "+p+"/arenden/{id}/berakna", RolesDecide, c.handleManual)
	h("POST "+p+"/arenden/{id}/berakna", RolesDecide, c.handleManual)
	h("GET "+p+"/omprovning", RolesWork, c.handleReviews)
	h("GET "+p+"/arenden/{id}/omprovning", RolesWork, c.handleReview)
	h("POST "+p+"/arenden/{id}/omprovning", RolesDecide, c.handleReview)
}

// kommuniceringExceptions are the options of the decision form's choice of
// an exception of FL 25 § second paragraph; "" is none.
func kommuniceringOptions(l *web.Lang) []web.Option {
	out := []web.Option{{Value: "", Label: l.T("cw.decide.kommunicering.none")}}
	for _, code := range kommuniceringExceptions() {
		out = append(out, web.Option{Value: code, Label: cwReasonLabel(l, code)})
	}
	return out
}

// kommuniceringExceptions are the codes of the exceptions of FL 25 §
// second paragraph, in the order of the law (the reason registry).
func kommuniceringExceptions() []string {
	var out []string
	for _, r := range skalig.Reasons() {
		if r.Kind == skalig.ReasonKindKommuniceringException {
			out = append(out, r.Code)
		}
	}
	return out
}

// handleKommunicera sends the information a negative decision would rest
// on to the applicant for comment with a deadline.
func (c *Desk) handleKommunicera(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, pg, l, ok := c.dueForm(w, r, p, "cw.kommunicering.title", "cw-kommunicera", 7)
	if !ok {
		return
	}
	f := web.NewForm(l, r.PostForm)
	text, _ := f.Required("text", l.T("cw.kommunicering.text"))
	due := formDue(f, l, "cw.kommunicering", c.today(), false)
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-kommunicera", f, nil)
		return
	}
	if err := c.wf.SendForComment(r.Context(), cs.ID, formVersion(f), cwPolicyActor(p), text, due); err != nil {
		c.FormError(w, r, pg, "cw-kommunicera", f, err)
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), "kommunicerad")
}

// manualRows is the number of lines the manual calculation form offers.
const manualRows = 8

// cwManualRow is a line of the manual calculation form: its index and
// its number as shown.
type cwManualRow struct{ I, N int }

// cwManualView is the data of the manual calculation page.
type cwManualView struct {
	Head    *cwHead
	Rows    []cwManualRow
	Kinds   []web.Option
	Reasons []string // why the case has no calculation
}

// handleManual calculates by hand a case whose parameters or rules are
// missing: every line with its kind, what it is, the amount and its basis.
func (c *Desk) handleManual(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return
	}
	mf := newManualForm(l)
	v := &cwManualView{Head: h, Rows: mf.Rows, Kinds: mf.Kinds}
	for _, code := range cs.RoutingReasons {
		v.Reasons = append(v.Reasons, cwReasonLabel(l, code))
	}
	pg := c.Page(r, p, l.T("cw.manual.title"), v)
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		pg.Form = f
		c.render(w, r, http.StatusOK, "cw-manual", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	reason, _ := f.Required("reason", l.T("cw.manual.reason"))
	lines, rowOf := manualLinesOf(f, l)
	if len(lines) == 0 {
		f.FailKey("lines[0].kind", "cw.manual.none")
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-manual", f, nil)
		return
	}
	_, err := c.wf.CalculateManually(r.Context(), workflow.ManualCalculationRequest{CaseID: cs.ID, Version: formVersion(f),
		Actor: cwPolicyActor(p), Lines: lines, Reason: reason})
	if err != nil {
		c.FormError(w, r, pg, "cw-manual", f, remapLines(err, rowOf))
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), "beraknad")
}

// manualLinesOf reads the filled rows of a manual calculation's lines
// (lines[i].kind, .item, .amount, .basis) from f, and the form row of each
// line (empty rows are skipped).
func manualLinesOf(f *web.Form, l *web.Lang) (lines []manualcalc.Line, rowOf []int) {
	for i := range manualRows {
		n := func(s string) string { return fmt.Sprintf("lines[%d].%s", i, s) }
		kind, item, amount, basis := f.Value(n("kind")), strings.TrimSpace(f.Value(n("item"))), strings.TrimSpace(f.Value(n("amount"))), strings.TrimSpace(f.Value(n("basis")))
		if kind == "" && item == "" && amount == "" && basis == "" {
			continue
		}
		m, _ := f.Amount(n("amount"), l.T("cw.manual.amount_n", i+1))
		if amount == "" {
			f.FailKey(n("amount"), "cw.manual.amount.required", i+1)
		}
		lines = append(lines, manualcalc.Line{Kind: kind, Item: item, Amount: m, Basis: basis})
		rowOf = append(rowOf, i)
	}
	return lines, rowOf
}

// manualForm is what a form with a manual calculation's lines needs: the
// rows and the kinds to choose from.
type manualForm struct {
	Rows  []cwManualRow
	Kinds []web.Option
}

func newManualForm(l *web.Lang) manualForm {
	var m manualForm
	for i := range manualRows {
		m.Rows = append(m.Rows, cwManualRow{I: i, N: i + 1})
	}
	m.Kinds = []web.Option{{Value: "", Label: l.T("cw.manual.kind.choose")}}
	for _, k := range manualcalc.Kinds {
		m.Kinds = append(m.Kinds, web.Option{Value: k, Label: l.T("cw.manual.kind." + k)})
	}
	return m
}

// remapLines renames the fields lines[k]... of err to the form rows they
// came from (empty rows are skipped).
func remapLines(err error, rowOf []int) error {
	se, ok := err.(*skalig.Error)
	if !ok {
		return err
	}
	out := *se
	out.Fields = nil
	for _, fe := range se.Fields {
		if rest, ok := strings.CutPrefix(fe.Field, "lines["); ok {
			if j := strings.Index(rest, "]"); j > 0 {
				if k, err := strconv.Atoi(rest[:j]); err == nil && k < len(rowOf) {
					fe.Field = fmt.Sprintf("lines[%d]%s", rowOf[k], rest[j+1:])
				}
			}
		}
		if fe.Field == "lines" {
			fe.Field = "lines[0].kind"
		}
		out.Fields = append(out.Fields, fe)
	}
	return &out
}

// cwReviewItem is a review request or appeal in the decider's queue.
type cwReviewItem struct {
	ID, URL, CaseURL string
	// Who is the case's applicant, by name, with the case number and the
	// month (the queue lists it; whatCase).
	Who        string
	Kind       string
	Text       string
	At         string
	Late       bool
	ForwardBy  string // FL 45 §: the last day to forward an appeal
	Resolution string
}

// cwReviewsView is the data of the review queue: the open requests and
// the changes of decisions waiting for a second person's signature.
type cwReviewsView struct {
	Items   []cwReviewItem
	Changes []cwChangeItem
}

// cwChangeItem is a change waiting for a second person, in the queue.
type cwChangeItem struct {
	URL, Who, Outcome, Amount, By, At string
	Mine                              bool
}

func (c *Desk) reviewItem(l *web.Lang, q *skalig.ReviewRequest) cwReviewItem {
	it := cwReviewItem{ID: q.ID, URL: cwCaseURL(q.CaseID) + "/omprovning", CaseURL: cwCaseURL(q.CaseID), Kind: l.T("cw.review.kind." + q.Kind),
		Text: q.Text, At: skalig.DateOf(q.At.In(c.s.Location())).String(), Late: q.Late}
	if q.Kind == skalig.ReviewKindAppeal {
		it.ForwardBy = skalig.DateOf(q.At.In(c.s.Location()).AddDate(0, 0, workflow.ForwardWithinDays)).String()
	}
	if !q.Open() {
		it.Resolution = l.T("cw.review.resolution." + q.Resolution)
	}
	return it
}

// whatCase names the case in a list: the applicant's name, the case
// number and the month ("Alva Testsson, 2026-0821-000055, december 2026").
func (c *Desk) whatCase(ctx context.Context, l *web.Lang, caseID string) (string, error) {
	cs, err := c.cases.Case(ctx, caseID)
	if err != nil {
		return "", err
	}
	app, err := c.cases.CaseApplication(ctx, caseID)
	if err != nil {
		return "", err
	}
	name := ""
	for _, m := range app.Members {
		if m.Role == skalig.RoleApplicant {
			name = m.Name
		}
	}
	return l.T("cw.reviews.case", cwName(l, name), cwNumber(cs), l.Month(cs.Month)), nil
}

// handleReviews lists the municipality's open review requests and appeals.
func (c *Desk) handleReviews(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	l := web.LangFrom(r.Context())
	v := &cwReviewsView{}
	for _, m := range p.Municipalities {
		qs, err := c.cases.ReviewRequests(r.Context(), m)
		if err != nil {
			c.s.Error(w, r, err)
			return
		}
		for i := range qs {
			it := c.reviewItem(l, &qs[i])
			if it.Who, err = c.whatCase(r.Context(), l, qs[i].CaseID); err != nil {
				c.s.Error(w, r, err)
				return
			}
			v.Items = append(v.Items, it)
		}
		pcs, err := c.wf.PendingChanges(r.Context(), m)
		if err != nil {
			c.s.Error(w, r, err)
			return
		}
		names := c.Names(r.Context())
		for _, pc := range pcs {
			who, err := c.whatCase(r.Context(), l, pc.CaseID)
			if err != nil {
				c.s.Error(w, r, err)
				return
			}
			v.Changes = append(v.Changes, cwChangeItem{URL: cwCaseURL(pc.CaseID) + "/andring", Who: who, Outcome: l.T("outcome." + string(pc.Outcome)),
				Amount: l.Money(pc.Amount), By: ActorName(l, names, "caseworker:"+pc.ProposedBy),
				At: skalig.DateOf(pc.ProposedAt.In(c.s.Location())).String(), Mine: pc.ProposedBy == p.Subject})
		}
	}
	c.render(w, r, http.StatusOK, "cw-reviews", c.Page(r, p, l.T("cw.reviews.title"), v))
}

// cwReviewView is the data of a review request's page.
type cwReviewView struct {
	Head     *cwHead
	Item     *cwReviewItem // nil: the case has no request
	Appeal   bool
	Open     bool
	Decision *skalig.Decision
	Outcomes []web.Option
	Actions  []web.Option
	// The change's ground (FL 37 §), FL 25 § exception and whether a
	// change waits for a second person.
	Grounds       []web.Option
	Exceptions    []web.Option
	PendingChange bool
	Manual        manualForm
}

func (v *cwReviewView) caseHead() *cwHead { return v.Head }
func (v *cwManualView) caseHead() *cwHead { return v.Head }

// handleReview shows the case's open review request or appeal (the
// oldest, when there are several) with the decider's actions: keep the
// decision (omprövning), forward the appeal to förvaltningsrätten, reject
// a late appeal, or change the decision. Without an open one it shows the
// case's latest request and its resolution.
func (c *Desk) handleReview(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, ok := c.loadCase(w, r, p)
	if !ok {
		return
	}
	l := web.LangFrom(r.Context())
	qs, err := c.cases.CaseReviewRequests(r.Context(), cs.ID)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	var q *skalig.ReviewRequest
	for i := range qs {
		if qs[i].Open() {
			q = &qs[i]
			break
		}
	}
	if q == nil && len(qs) > 0 {
		q = &qs[len(qs)-1]
	}
	h, err := c.head(r.Context(), l, p, cs)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	if q == nil {
		v := &cwReviewView{Head: h}
		pg := c.Page(r, p, l.T("cw.review.title"), v)
		pg.Form = web.NewForm(l, r.PostForm)
		status := http.StatusOK
		if r.Method == http.MethodPost {
			pg.Form.FailKey("action", "cw.review.nothing_open")
			status = http.StatusUnprocessableEntity
		}
		c.render(w, r, status, "cw-review", pg)
		return
	}
	it := c.reviewItem(l, q)
	v := &cwReviewView{Head: h, Item: &it, Appeal: q.Kind == skalig.ReviewKindAppeal, Open: q.Open(),
		Grounds: changeGroundOptions(l), Exceptions: kommuniceringOptions(l), Manual: newManualForm(l)}
	if _, _, err := c.wf.PendingChange(r.Context(), cs.ID); err == nil {
		v.PendingChange = true
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		c.s.Error(w, r, err)
		return
	}
	if v.Decision, err = c.cases.CaseDecision(r.Context(), cs.ID); err != nil {
		c.s.Error(w, r, err)
		return
	}
	v.Outcomes = []web.Option{
		{Value: string(skalig.OutcomeApproved), Label: l.T("cw.decide.outcome.approved", l.Money(h.Aid))},
		{Value: string(skalig.OutcomePartlyApproved), Label: l.T("cw.decide.outcome.partly_approved")},
		{Value: string(skalig.OutcomeRejected), Label: l.T("cw.decide.outcome.rejected")}}
	if v.Appeal {
		v.Actions = append(v.Actions, web.Option{Value: "forward", Label: l.T("cw.review.action.forward")})
		if q.Late {
			v.Actions = append(v.Actions, web.Option{Value: "reject_late", Label: l.T("cw.review.action.reject_late")})
		}
	} else {
		v.Actions = append(v.Actions, web.Option{Value: "keep", Label: l.T("cw.review.action.keep")})
	}
	v.Actions = append(v.Actions, web.Option{Value: "change", Label: l.T("cw.review.action.change")})
	pg := c.Page(r, p, l.T("cw.review.title"), v)
	if r.Method == http.MethodGet {
		pg.Form = web.NewForm(l, nil)
		c.render(w, r, http.StatusOK, "cw-review", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	vals := make([]string, len(v.Actions))
	for i, a := range v.Actions {
		vals[i] = a.Value
	}
	action, _ := f.OneOf("action", l.T("cw.review.action"), vals...)
	note, _ := f.Text("note", l.T("cw.review.note"))
	change := workflow.ChangeRequest{RequestID: q.ID, Note: note, AsRequested: f.Value("as_requested") == "yes", Reasons: nonEmptyText(note)}
	var rowOf []int
	if action == "change" {
		rowOf = changeFields(f, l, h.Aid, &change)
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-review", f, nil)
		return
	}
	actor := cwPolicyActor(p)
	done := "provad"
	switch action {
	case "keep":
		err = c.wf.KeepDecision(r.Context(), q.ID, actor, note)
	case "forward":
		_, err = c.wf.ForwardAppeal(r.Context(), q.ID, actor, note)
		done = "overlamnad"
	case "reject_late":
		err = c.wf.RejectLateAppeal(r.Context(), q.ID, actor, note)
	case "change":
		change.Actor = actor
		var res *workflow.ChangeResult
		if res, err = c.wf.ChangeDecision(r.Context(), change); err == nil && res.Proposal != nil {
			done = "andring_foreslagen"
		} else {
			done = "andrat"
		}
	}
	if err != nil {
		c.FormError(w, r, pg, "cw-review", f, remapChange(err, rowOf))
		return
	}
	RedirectDone(w, r, Path+"/omprovning", done)
}

func nonEmptyText(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return []string{strings.TrimSpace(s)}
}
