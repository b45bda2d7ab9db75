package caseworker

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// cwHead is the case summary that heads an action page.
type cwHead struct {
	ID, URL      string
	Applicant    string // personnummer and name: "Alva Testsson (19900412-1234)"
	Month        skalig.Month
	KindLabel    string
	State        string
	Version      int
	Aid          skalig.Money
	HasAid       bool
	Outcome      skalig.Outcome // what routing would decide
	OutcomeLabel string
	// Approves is what approving the calculated aid decides
	// (skalig.OutcomeFor): delvis bifall when the calculation reduced an
	// item (Reduced), else bifall.
	Approves skalig.Outcome
	Reduced  bool
	Members  []skalig.Member
	Facts    []skalig.Fact
	// aboveGuideline are the cost kinds ("electricity") that the latest
	// calculation found above the municipality's guideline.
	aboveGuideline map[string]bool

	reader string // the audit actor who reads the case: render logs the read
}

// cwCaseShown is the data of a page that shows a case's head: rendering
// it logs the read (caseworker.render).
type cwCaseShown interface{ caseHead() *cwHead }

func (v *cwDecideView) caseHead() *cwHead { return v.Head }
func (v *cwAdjustView) caseHead() *cwHead { return v.Head }
func (v *cwActionView) caseHead() *cwHead { return v.Head }

// head reads what an action page shows of the case. It logs nothing: the
// read is logged when a page showing the head is rendered, whatever its
// status (caseworker.render), and not when the action ends in a redirect.
func (c *Desk) head(ctx context.Context, l *web.Lang, p *auth.Principal, cs *skalig.Case) (*cwHead, error) {
	app, err := c.cases.CaseApplication(ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	h := &cwHead{ID: cs.ID, URL: cwCaseURL(cs.ID), Month: cs.Month, KindLabel: l.T("kind." + string(cs.Kind)),
		State: l.T(cs.State.TextID()), Version: cs.Version, Members: app.Members, reader: cwActor(p)}
	for _, m := range app.Members {
		if m.Role == skalig.RoleApplicant {
			h.Applicant = cwName(l, m.Name) + " (" + cwPN(m.PersonalNumber) + ")"
		}
	}
	var calc casecalc.Calculation
	if err := c.cases.LatestRecord(ctx, cs.ID, skalig.RecordCalculation, &calc); err == nil && calc.Output != nil {
		h.Aid, h.HasAid, h.Reduced = calc.Output.Aid, true, calc.Reduced
		h.Approves = skalig.OutcomeFor(h.Aid, h.Aid, h.Reduced)
		h.aboveGuideline = map[string]bool{}
		for _, line := range calc.Output.Trace {
			if k, ok := strings.CutSuffix(line.Item, "_guideline"); ok {
				h.aboveGuideline[k] = true
			}
		}
	} else if err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	var rr casecalc.RoutingRecord
	if err := c.cases.LatestRecord(ctx, cs.ID, skalig.RecordRouting, &rr); err == nil {
		h.Outcome = rr.Outcome.Outcome
		h.OutcomeLabel = l.T("outcome." + string(rr.Outcome.Outcome))
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	if h.Facts, err = c.cases.Facts(ctx, cs.ID); err != nil {
		return nil, err
	}
	return h, nil
}

// version reads the case version the form was made on; a form without one
// is stale.
func formVersion(f *web.Form) int {
	v, err := strconv.Atoi(f.Value("version"))
	if err != nil {
		return -1
	}
	return v
}

// cwDecideView is the data of the decision page.
type cwDecideView struct {
	Head     *cwHead
	Outcomes []web.Option
	Grounds  []web.Option
	Checked  map[string]bool
	FourEyes string // when the decision may need a second signature: why
	MayAll   bool   // the staff member may reject and approve in part
	// Exceptions are the choices of an FL 25 § exception for a negative
	// decision on register facts the applicant has not seen.
	Exceptions []web.Option
}

// decide makes a caseworker's decision, or, when the municipality's
// four-eyes rule applies to it, keeps it for a second person's signature
// (proposed true): the casework policy of workflow.Decide.
func (c *Desk) decide(ctx context.Context, p *auth.Principal, cs *skalig.Case, h *cwHead, o skalig.Outcome, amount skalig.Money,
	grounds, reasons []string, note, exception string) (proposed bool, err error) {
	res, err := c.wf.Decide(ctx, workflow.DecisionRequest{CaseID: cs.ID, Version: h.Version, Actor: cwPolicyActor(p),
		Outcome: o, Amount: amount, Grounds: grounds, Reasons: reasons, NoteToSigner: note, KommuniceringException: exception})
	if err != nil {
		return false, err
	}
	return res.Proposal != nil, nil
}

// cwPolicyActor is the signed-in staff member as the casework policy
// knows them.
func cwPolicyActor(p *auth.Principal) skalig.Actor {
	roles := make([]skalig.StaffRole, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = skalig.StaffRole(r)
	}
	return skalig.PersonActor(p.Subject, roles, p.Municipalities)
}

// cwApproveView is the data of the confirmation of an approval.
type cwApproveView struct {
	Head     *cwHead
	FourEyes bool
	// Partly: approving decides delvis bifall (the calculation reduced an
	// item), which goes against the applicant in part: the kommunicering
	// rule holds, and Exceptions are its choices.
	Partly     bool
	Exceptions []web.Option
}

func (v *cwApproveView) caseHead() *cwHead { return v.Head }

// approveView is the confirmation of approving the calculated aid of h.
func (c *Desk) approveView(l *web.Lang, h *cwHead) *cwApproveView {
	v := &cwApproveView{Head: h, Partly: h.Approves == skalig.OutcomePartlyApproved}
	if v.Partly {
		v.Exceptions = kommuniceringOptions(l)
	}
	return v
}

// handleApprove approves the calculated amount: GET shows what the
// approval decides and pays, to be confirmed; a POST with bekrafta=ja
// decides. A POST without the confirmation (an old page) shows the
// confirmation rather than deciding: a decision that pays is never one
// click.
func (c *Desk) handleApprove(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return
	}
	if r.Method != http.MethodPost || r.PostForm.Get("bekrafta") != "ja" {
		if cs.State != skalig.StateAwaitingCaseworker && cs.State != skalig.StateSampled {
			c.s.Error(w, r, skalig.Errorf(skalig.ECONFLICT, "Ärendet väntar inte på ett beslut (%s).", cs.State.Swedish()))
			return
		}
		if !h.HasAid || h.Aid <= 0 {
			c.s.Error(w, r, skalig.Errorf(skalig.ECONFLICT, "Ärendet har ingen beräkning att godkänna."))
			return
		}
		v := c.approveView(l, h)
		if settings, err := c.mc.Casework(r.Context(), cs.Municipality, cs.Month); err == nil {
			v.FourEyes = settings.FourEyesOverride || settings.FourEyesReject
		}
		pg := c.Page(r, p, l.T("cw.approve.confirm.title"), v)
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		pg.Form = f
		c.render(w, r, http.StatusOK, "cw-approve", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	h.Version = formVersion(f)
	v := c.approveView(l, h)
	pg := c.Page(r, p, l.T("cw.approve.confirm.title"), v)
	exception := ""
	if v.Partly {
		exception, _ = f.OneOf("kommunicering_exception", l.T("cw.decide.kommunicering"), append([]string{""}, kommuniceringExceptions()...)...)
		if f.HasErrors() {
			c.FormError(w, r, pg, "cw-approve", f, nil)
			return
		}
	}
	// The calculated aid approved: the workflow decides bifall or delvis
	// bifall by the same rule as the proposal (skalig.OutcomeFor).
	proposed, err := c.decide(r.Context(), p, cs, h, skalig.OutcomeApproved, h.Aid, nil, nil, "", exception)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.EINVALID {
			c.FormError(w, r, pg, "cw-approve", f, err)
			return
		}
		c.s.Error(w, r, err)
		return
	}
	what := "beslut"
	if proposed {
		what = "forslag"
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), what)
}

func (c *Desk) handleDecide(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return
	}
	v := &cwDecideView{Head: h, Checked: map[string]bool{}, MayAll: p.HasAnyRole(RolesDecide...), Exceptions: kommuniceringOptions(l)}
	// The label in the page's language; the hint is the Swedish text that
	// goes into the decision, which is written in Swedish.
	for _, g := range skalig.Grounds() {
		v.Grounds = append(v.Grounds, web.Option{Value: g.Code, Label: l.T(g.LabelID()), Hint: g.Text()})
	}
	approve := "cw.decide.outcome.approved"
	if h.Approves == skalig.OutcomePartlyApproved {
		approve += ".reduced" // what granting the calculated aid decides
	}
	v.Outcomes = []web.Option{{Value: string(skalig.OutcomeApproved), Label: l.T(approve, l.Money(h.Aid))}}
	if v.MayAll {
		v.Outcomes = append(v.Outcomes,
			web.Option{Value: string(skalig.OutcomePartlyApproved), Label: l.T("cw.decide.outcome.partly_approved")},
			web.Option{Value: string(skalig.OutcomeRejected), Label: l.T("cw.decide.outcome.rejected")})
	}
	if settings, err := c.mc.Casework(r.Context(), cs.Municipality, cs.Month); err == nil {
		switch {
		case settings.FourEyesOverride && settings.FourEyesReject:
			v.FourEyes = l.T("cw.decide.four_eyes.both")
		case settings.FourEyesOverride:
			v.FourEyes = l.T("cw.decide.four_eyes.override")
		case settings.FourEyesReject:
			v.FourEyes = l.T("cw.decide.four_eyes.reject")
		}
	}
	pg := c.Page(r, p, l.T("cw.decide.title"), v)
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		if h.HasAid {
			f.Set("amount", cwAmountText(h.Aid))
		}
		pg.Form = f
		c.render(w, r, http.StatusOK, "cw-decide", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	for _, g := range f.Values["grund"] {
		v.Checked[g] = true
	}
	h.Version = formVersion(f)
	opts := []string{string(skalig.OutcomeApproved)}
	if v.MayAll {
		opts = append(opts, string(skalig.OutcomePartlyApproved), string(skalig.OutcomeRejected))
	}
	outcome, _ := f.OneOf("outcome", l.T("cw.decide.outcome"), opts...)
	var amount skalig.Money
	switch skalig.Outcome(outcome) {
	case skalig.OutcomeApproved:
		amount = h.Aid
	case skalig.OutcomePartlyApproved:
		amount, _ = f.Amount("amount", l.T("cw.decide.amount"))
	}
	// The grounds in the registry's order, whatever the order posted.
	var grounds, reasons []string
	for _, g := range skalig.Grounds() {
		if v.Checked[g.Code] {
			grounds = append(grounds, g.Code)
		}
	}
	for g := range v.Checked {
		if _, ok := skalig.LookupGround(g); !ok {
			grounds = append(grounds, g) // not a ground: the workflow says so
		}
	}
	f.Text("note_to_signer", l.T("cw.decide.note_to_signer"))
	if own, _ := f.Text("motivering", l.T("cw.decide.own")); own != "" {
		if len([]rune(own)) > 5000 {
			f.FailKey("motivering", "cw.decide.own.too_long")
		}
		reasons = append(reasons, own)
	}
	if outcome != "" {
		// The workflow's check of the grounds, asked first to show its
		// error at the form's field; Decide applies it again.
		var ge *skalig.Error
		if _, err := workflow.GroundedReasons(skalig.Outcome(outcome), grounds, reasons); errors.As(err, &ge) {
			for _, fe := range ge.Fields {
				if fe.Field == "grounds" {
					f.FailKey("grund", "cw.decide.grounds.required")
				} else {
					f.Fail("grund", fe.Message)
				}
			}
		}
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-decide", f, nil)
		return
	}
	exception := ""
	if v.MayAll {
		exception, _ = f.OneOf("kommunicering_exception", l.T("cw.decide.kommunicering"), append([]string{""}, kommuniceringExceptions()...)...)
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-decide", f, nil)
		return
	}
	proposed, err := c.decide(r.Context(), p, cs, h, skalig.Outcome(outcome), amount, grounds, reasons, f.Value("note_to_signer"), exception)
	if err != nil {
		c.FormError(w, r, pg, "cw-decide", f, err)
		return
	}
	what := "beslut"
	if proposed {
		what = "forslag"
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), what)
}

// handleSign signs (beslut=signera) or returns (beslut=tillbaka) the
// decision another caseworker prepared under the four-eyes rule.
func (c *Desk) handleSign(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, ok := c.loadCase(w, r, p)
	if !ok {
		return
	}
	switch r.PostForm.Get("beslut") {
	case "signera":
		if _, err := c.wf.SignProposal(r.Context(), cs.ID, cwPolicyActor(p)); err != nil {
			c.s.Error(w, r, err)
			return
		}
		RedirectDone(w, r, cwCaseURL(cs.ID), "signerat")
	case "tillbaka":
		note := strings.TrimSpace(r.PostForm.Get("note"))
		if err := c.wf.ReturnProposal(r.Context(), cs.ID, cwPolicyActor(p), note); err != nil {
			c.s.Error(w, r, err)
			return
		}
		RedirectDone(w, r, cwCaseURL(cs.ID), "tillbaka")
	default:
		c.s.ErrorStatus(w, r, http.StatusBadRequest, "")
	}
}

// cwAdjustView is the data of the page that adjusts an item.
type cwAdjustView struct {
	Head                           *cwHead
	Kind, KindLabel                string
	Person, PersonLabel            string
	Declared, Register, Caseworker string
	IsNeed                         bool
	NeedText                       string
	Items                          []cwAdjustItem     // the items to choose from, when none is chosen
	Links                          []cwDiscretionLink // the forms for discretionary amounts, when none is chosen
	Discretion                     string             // "norm", "beyond", "approved": the form of a discretionary amount
	BeyondRows                     []string           // the numbers of the rows of the form for aid beyond
	Granted                        []string           // aid beyond already granted, "text: amount"
}

type cwAdjustItem struct {
	Label, URL string
}

// handleAdjust changes an item of the case (an amount, or an other-need
// item approved or refused) with a mandatory reason: the adjustment is a
// caseworker fact, and the case is calculated and routed again.
func (c *Desk) handleAdjust(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	v := &cwAdjustView{Head: h, Kind: q.Get("post"), Person: q.Get("person")}
	if c.handleDiscretion(w, r, p, cs, v) {
		return
	}
	found := false
	var declared, register, cw skalig.Money
	var hasD, hasR, hasC bool
	for _, fct := range h.Facts {
		if fct.Period != cs.Month || !cwAdjustable(fct.Kind) {
			continue
		}
		if fct.Kind == v.Kind && fct.PersonID == v.Person && !fct.Value.IsText {
			found = true
			_, isReg := fct.Source.Register()
			switch {
			case fct.Source == skalig.SourceApplicant:
				declared, hasD = declared+fct.Value.Amount, true
			case isReg:
				register, hasR = register+fct.Value.Amount, true
			case fct.Source == skalig.SourceCaseworker:
				cw, hasC = fct.Value.Amount, true
			}
		}
		if fct.Kind == v.Kind+".text" && fct.Value.IsText {
			v.NeedText = fct.Value.Text
		}
	}
	if !found {
		// No item chosen (or not one of the case's): list them.
		seen := map[string]bool{}
		for _, row := range cwComparison(l, cs, h.Members, h.Facts, nil) {
			if !seen[row.AdjustURL] {
				seen[row.AdjustURL] = true
				v.Items = append(v.Items, cwAdjustItem{Label: row.Label + ", " + row.Person, URL: row.AdjustURL})
			}
		}
		if r.Method == http.MethodPost {
			c.s.ErrorStatus(w, r, http.StatusBadRequest, "")
			return
		}
		v.Kind = ""
		v.Links = cwDiscretionLinks(l, cs, h)
		pg := c.Page(r, p, l.T("cw.adjust.title"), v)
		pg.Form = web.NewForm(l, nil)
		c.render(w, r, http.StatusOK, "cw-adjust", pg)
		return
	}
	v.KindLabel, v.PersonLabel = web.FactLabelIn(l, v.Kind, h.Facts), cwPersonLabel(l, h.Members, v.Person)
	v.IsNeed = strings.HasPrefix(v.Kind, skalig.KindOtherNeedPrefix)
	if hasD {
		v.Declared = l.Money(declared)
	}
	if hasR {
		v.Register = l.Money(register)
	}
	if hasC {
		v.Caseworker = l.Money(cw)
	}
	pg := c.Page(r, p, l.T("cw.adjust.title"), v)
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		f.Set("post", v.Kind)
		f.Set("person", v.Person)
		switch {
		case hasC:
			f.Set("amount", cwAmountText(cw))
		case hasR:
			f.Set("amount", cwAmountText(register))
		case hasD:
			f.Set("amount", cwAmountText(declared))
		}
		pg.Form = f
		c.render(w, r, http.StatusOK, "cw-adjust", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	var amount skalig.Money
	if v.IsNeed {
		choice, _ := f.OneOf("need", l.T("cw.adjust.need"), "approve", "refuse")
		if choice == "approve" {
			amount, _ = f.Amount("amount", l.T("cw.adjust.amount"))
		}
	} else {
		amount, _ = f.Amount("amount", l.T("cw.adjust.amount"))
	}
	reason, _ := f.Required("reason", l.T("cw.adjust.reason"))
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-adjust", f, nil)
		return
	}
	fact := skalig.Fact{Kind: v.Kind, PersonID: v.Person, Period: cs.Month, Value: skalig.AmountValue(amount)}
	if _, err := c.wf.AdjustFacts(r.Context(), cs.ID, formVersion(f), cwPolicyActor(p), []skalig.Fact{fact}, reason); err != nil {
		c.FormError(w, r, pg, "cw-adjust", f, err)
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), "justerad")
}

// cwAmountText writes an amount as a form field holds it: "7200", "350,50".
func cwAmountText(m skalig.Money) string {
	kr, ore := int64(m)/100, int64(m)%100
	if ore < 0 {
		ore = -ore
	}
	if ore == 0 {
		return strconv.FormatInt(kr, 10)
	}
	return strconv.FormatInt(kr, 10) + "," + strconv.FormatInt(100+ore, 10)[1:]
}

// cwActionView is the data of the pages that ask for documents, message
// the applicant and record a sample result.
type cwActionView struct {
	Head     *cwHead
	Requests []cwRequest
	Messages []cwMessage
	Result   *cwSample
}

// formDue reads the due date of a form (field "due", its label and errors
// "<prefix>.due…"): a date not before today, or after it when
// todayAllowed is false. The zero date when it is missing or refused.
func formDue(f *web.Form, l *web.Lang, prefix string, today skalig.Date, todayAllowed bool) skalig.Date {
	s, ok := f.Required("due", l.T(prefix+".due"))
	if !ok {
		return skalig.Date{}
	}
	d, ok := skalig.ParseDate(s)
	switch {
	case !ok:
		f.FailKey("due", prefix+".due.invalid")
	case d.Before(today) || (d == today && !todayAllowed):
		f.FailKey("due", prefix+".due.past")
	default:
		return d
	}
	return skalig.Date{}
}

// caseHead loads the case of a case action and its head in the page's
// language; ok is false when the request is answered (no such case, not
// the caseworker's, an error).
func (c *Desk) caseHead(w http.ResponseWriter, r *http.Request, p *auth.Principal) (cs *skalig.Case, h *cwHead, l *web.Lang, ok bool) {
	if cs, ok = c.loadCase(w, r, p); !ok {
		return nil, nil, nil, false
	}
	l = web.LangFrom(r.Context())
	h, err := c.head(r.Context(), l, p, cs)
	if err != nil {
		c.s.Error(w, r, err)
		return nil, nil, nil, false
	}
	return cs, h, l, true
}

// dueForm starts a case action whose form has a due date: it loads the case
// and its head, and on GET renders tmpl with the form filled in (the case's
// version, due dueDays from today). ok is false when the request is
// answered.
func (c *Desk) dueForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, titleKey, tmpl string, dueDays int) (cs *skalig.Case, pg *web.Page, l *web.Lang, ok bool) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return nil, nil, nil, false
	}
	pg = c.Page(r, p, l.T(titleKey), &cwActionView{Head: h})
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		f.Set("due", skalig.DateOf(c.now().In(c.s.Location()).AddDate(0, 0, dueDays)).String())
		pg.Form = f
		c.render(w, r, http.StatusOK, tmpl, pg)
		return nil, nil, nil, false
	}
	return cs, pg, l, true
}

func (c *Desk) handleRequestDocuments(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, pg, l, ok := c.dueForm(w, r, p, "cw.documents.title", "cw-documents", 14)
	if !ok {
		return
	}
	f := web.NewForm(l, r.PostForm)
	text, _ := f.Required("text", l.T("cw.documents.text"))
	due := formDue(f, l, "cw.documents", c.today(), true)
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-documents", f, nil)
		return
	}
	if _, err := c.wf.RequestDocuments(r.Context(), cs.ID, formVersion(f), p.Subject, text, due); err != nil {
		c.FormError(w, r, pg, "cw-documents", f, err)
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), "komplettering")
}

func (c *Desk) handleMessage(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return
	}
	v := &cwActionView{Head: h}
	if msgs, err := c.cases.Messages(r.Context(), cs.ID); err == nil {
		names := c.Names(r.Context())
		for _, m := range msgs {
			kind, _, _ := strings.Cut(m.From, ":")
			v.Messages = append(v.Messages, cwMessage{From: ActorName(l, names, m.From), Body: m.Body, At: m.At,
				FromStaff: kind == "caseworker" || kind == "staff"})
		}
	}
	pg := c.Page(r, p, l.T("cw.message.title"), v)
	if r.Method == http.MethodGet {
		pg.Form = web.NewForm(l, nil)
		c.render(w, r, http.StatusOK, "cw-message", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	body, _ := f.Required("body", l.T("cw.message.body"))
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-message", f, nil)
		return
	}
	if _, err := c.wf.Message(r.Context(), cs.ID, "caseworker:"+p.Subject, body); err != nil {
		c.FormError(w, r, pg, "cw-message", f, err)
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID)+"#meddelanden", "meddelande")
}

func (c *Desk) handleSample(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
		return
	}
	v := &cwActionView{Head: h}
	if res, err := c.cases.SampleResult(r.Context(), cs.ID); err == nil {
		v.Result = &cwSample{Confirmed: res.Confirmed, Declared: l.Money(res.Declared), Verified: l.Money(res.Verified), Note: res.Note, At: res.At}
	}
	pg := c.Page(r, p, l.T("cw.sample.title"), v)
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		pg.Form = f
		c.render(w, r, http.StatusOK, "cw-sample", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	result, _ := f.OneOf("result", l.T("cw.sample.result"), "confirmed", "discrepancy")
	var declared, verified skalig.Money
	if result == "discrepancy" {
		declared, _ = f.Amount("declared", l.T("cw.sample.declared"))
		verified, _ = f.Amount("verified", l.T("cw.sample.verified"))
		f.Required("note", l.T("cw.sample.note"))
	} else {
		declared, _ = f.OptionalAmount("declared", l.T("cw.sample.declared"))
		verified, _ = f.OptionalAmount("verified", l.T("cw.sample.verified"))
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-sample", f, nil)
		return
	}
	if err := c.wf.RecordSampleResult(r.Context(), cs.ID, formVersion(f), p.Subject, result == "confirmed", f.Value("note"), declared, verified); err != nil {
		c.FormError(w, r, pg, "cw-sample", f, err)
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), "stickprov")
}

// cwAPICase is the JSON of a case for the signed-in staff member.
type cwAPICase struct {
	ID           string   `json:"id"`
	Municipality string   `json:"municipality"`
	Month        string   `json:"month"`
	Kind         string   `json:"kind"`
	State        string   `json:"state"`
	Version      int      `json:"version"`
	Reasons      []string `json:"routing_reasons"`
	// Aid and Decision.Amount are JSON numbers of kronor, like every
	// amount of the API (docs/calc-format.md, Amounts).
	Aid      *skalig.Money `json:"aid,omitempty"`
	Decision *struct {
		Outcome string       `json:"outcome"`
		Amount  skalig.Money `json:"amount"`
	} `json:"decision,omitempty"`
	Facts int `json:"facts"`
}

// handleAPICase answers the case as JSON, read (and logged) like the page.
func (c *Desk) handleAPICase(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, err := c.cases.Case(r.Context(), r.PathValue("id"))
	if err != nil || !p.InMunicipality(cs.Municipality) {
		cwJSONError(w, r, http.StatusNotFound, skalig.ENOTFOUND, "Ärendet finns inte.")
		return
	}
	v, err := c.wf.View(r.Context(), cs.ID, workflow.Reader{Actor: cwActor(p), Via: "api"})
	if err != nil {
		cwJSONError(w, r, http.StatusInternalServerError, skalig.EINTERNAL, "Internt fel. Felkod: "+web.RequestID(r.Context()))
		return
	}
	out := cwAPICase{ID: cs.ID, Municipality: cs.Municipality, Month: cs.Month.String(), Kind: string(cs.Kind), State: string(v.Case.State),
		Version: v.Case.Version, Reasons: v.Case.RoutingReasons, Facts: len(v.Facts)}
	if out.Reasons == nil {
		out.Reasons = []string{}
	}
	if v.Calculation != nil && v.Calculation.Output != nil {
		aid := v.Calculation.Output.Aid
		out.Aid = &aid
	}
	if d := v.Decision; d != nil {
		out.Decision = &struct {
			Outcome string       `json:"outcome"`
			Amount  skalig.Money `json:"amount"`
		}{string(d.Outcome), d.Amount}
	}
	cwWriteJSON(w, http.StatusOK, out)
}

// handleAPIQueues answers the counts of the queues as JSON.
func (c *Desk) handleAPIQueues(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	code := r.URL.Query().Get("kommun")
	if code == "" && len(p.Municipalities) > 0 {
		code = p.Municipalities[0]
	}
	if !p.InMunicipality(code) {
		cwJSONError(w, r, http.StatusNotFound, skalig.ENOTFOUND, "Kommunen finns inte.")
		return
	}
	v, err := c.queues(r.Context(), web.Swedish, code, p.Subject, cwQueueFilter{Queue: cwQAll}, false)
	if err != nil {
		cwJSONError(w, r, http.StatusInternalServerError, skalig.EINTERNAL, "Internt fel. Felkod: "+web.RequestID(r.Context()))
		return
	}
	out := struct {
		Municipality string         `json:"municipality"`
		Queues       map[string]int `json:"queues"`
		Exceptions   map[string]int `json:"exceptions_by_reason"`
		At           string         `json:"at"`
	}{Municipality: code, Queues: map[string]int{}, Exceptions: map[string]int{}, At: c.now().UTC().Format(time.RFC3339)}
	for _, t := range v.Tabs {
		out.Queues[t.Key] = t.Count
	}
	for _, rc := range v.Reasons {
		out.Exceptions[rc.Code] = rc.Count
	}
	cwWriteJSON(w, http.StatusOK, out)
}

func cwWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func cwJSONError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	cwWriteJSON(w, status, map[string]string{"code": code, "message": msg, "request_id": web.RequestID(r.Context())})
}
