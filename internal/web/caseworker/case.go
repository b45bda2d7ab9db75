package caseworker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/calcformat"
	"skalig/internal/store"
	"skalig/internal/web"
	"skalig/internal/workflow"
)

// cwCaseView is the data of the case page.
type cwCaseView struct {
	ID, URL      string
	Municipality string
	Month        skalig.Month
	KindLabel    string
	State        string // Swedish, from the domain
	StateCode    skalig.CaseState
	Version      int
	Applicant    string // the applicant's personnummer, in full (the body only, never a title)
	Name         string // the applicant's name, or the page's "name unknown"
	Number       string // the case number people quote (the id for a case without one)
	Created      time.Time
	Days         int
	Overdue      bool
	Members      []cwMember
	Social       bool

	Assignee     string
	AssignedToMe bool
	Colleagues   []web.Option
	CanTake      bool
	CanAssign    bool

	Waiting       []string
	Route         string
	Delegation    string
	ConfigVersion string
	Sample        string
	Reasons       []cwReason
	Outcome       string // what the decision would be, in the page's language
	Aid           skalig.Money
	HasAid        bool
	// NoParams: the case could not be calculated because the month's
	// parameters are missing: a person calculates it by hand, or it is
	// calculated again when the year's table is approved.
	NoParams bool

	Comparison []cwCompareRow
	Facts      []cwFact
	Calc       *cwCalc

	Requests  []cwRequest
	Documents []cwDocument
	Messages  []cwMessage
	Notices   []string // what Skälig told the applicant (Mina sidor)
	Errors    []string
	History   []Event
	Reads     []Event
	ShowReads bool
	Earlier   []cwEarlier

	Decision      *cwDecision
	Pending       *cwPending
	CanChange     bool       // the decider may change the decision of their own accord (FL 37-38 §§)
	PendingChange *cwPending // a change of the decision waiting for a second person
	SampleResult  *cwSample
	IsSample      bool
	Open          bool // waits for a person's decision
	Decidable     bool // a decision can be made now
	CanAct        bool
	CanDecide     bool
	CanApprove    bool   // the approval of the calculated amount (confirmed on its own page)
	Todo          string // what needs doing now, in the page's language (the summary)
	TodoAmount    string // the amount the summary names: decided, proposed or calculated
	FourEyes      bool   // a decision other than the proposal needs a second signature
	RequestDocsOK bool
}

type cwMember struct {
	ID, Role, PN, Name string
	Age                int
}

// cwReason is one reason on the case page. Text is in the page's language
// for a registered code, and in Swedish (TextSv) for a municipal rule,
// whose text is the municipality's configuration. Detail, routing's
// findings in this case, is in the page's language from the recorded
// details, and the recorded Swedish text (DetailSv) for a record made
// before routing kept its details as data.
type cwReason struct {
	Code, Label, Text, Detail string
	TextSv, DetailSv, Social  bool
}

// cwReasonOf is the reason code on the case page, with text, the
// Swedish text routing recorded, used when the registry does not know the
// code, and the details routing recorded: as data (details), or only as
// Swedish text (detail).
func cwReasonOf(l *web.Lang, code, text, detail string, details []skalig.Detail, social bool) cwReason {
	r := cwReason{Code: code, Label: cwReasonLabel(l, code), Text: text, TextSv: true, Detail: detail, DetailSv: true, Social: social}
	if info, ok := skalig.LookupReason(code); ok {
		r.Text, r.TextSv = l.T(info.TextID()), false
	}
	if len(details) > 0 {
		r.Detail, r.DetailSv = l.Details(details), false
	}
	return r
}

type cwCompareRow struct {
	Label, Person        string
	Declared, Register   string
	RegisterSources      string
	Caseworker           string
	HasDeclared, HasReg  bool
	Differs              bool
	AdjustURL            string
	Difference           string
	CaseworkerRecordedBy string
}

type cwFact struct {
	Label, Kind, Person, Value string
	Source, SourceCode         string
	At                         time.Time
	Evidence, EvidenceURL      string
	// EvidenceSv is true when Evidence is a register error recorded in
	// Swedish that the page cannot say in its language (an older record,
	// a text cut short): shown as written, marked Swedish.
	EvidenceSv bool
	RecordedBy string
}

type cwCalc struct {
	Error                                    string
	Norm, Costs, Other, Income, Aid, Surplus skalig.Money
	ParamSet, ParamStatus, Guideline         string
	Engine, CalculatedOn                     string
	Provisional                              bool
	Lines                                    []cwTraceLine
}

type cwTraceLine struct {
	Item, Person, Text, Law, Parameter, Source string
	Amount                                     skalig.Money
}

type cwRequest struct {
	Text, Due, By string
	At            time.Time
	Answered      bool
	Overdue       bool
}

type cwDocument struct {
	Name, URL, Type, Size, By string
	At                        time.Time
}

type cwMessage struct {
	From, Body string
	FromStaff  bool
	At         time.Time
}

// Event is one entry of a history: a case's or the configuration's.
type Event struct {
	At          time.Time
	Clock       string // the time of day, in the server's time zone
	Who, What   string
	Detail      string
	ActorIsUser bool
}

type cwEarlier struct {
	ID, URL string
	Month   skalig.Month
	State   string
	Amount  string
	Linked  bool
}

type cwDecision struct {
	Outcome, Amount, By, Receipt string
	Automated                    bool
	Reasons                      []string
	At                           time.Time
}

type cwPending struct {
	Outcome, Amount, By, Note string
	Reasons                   []string
	At                        time.Time
	Mine                      bool
	CanSign                   bool
	Stale                     bool
}

type cwSample struct {
	Confirmed          bool
	Declared, Verified string
	Note, By           string
	At                 time.Time
}

// buildCase makes the case page's data from the workflow's view.
func (c *Desk) buildCase(ctx context.Context, l *web.Lang, p *auth.Principal, v *workflow.CaseView) (*cwCaseView, error) {
	cs := v.Case
	names := c.Names(ctx)
	settings, err := c.mc.Casework(ctx, cs.Municipality, cs.Month)
	if err != nil {
		c.s.Logger().WarnContext(ctx, "casework settings", "municipality", cs.Municipality, "err", err)
	}
	cv := &cwCaseView{
		ID: cs.ID, URL: cwCaseURL(cs.ID), Municipality: c.MunicipalityName(cs.Municipality), Month: cs.Month, Number: cwNumber(cs),
		KindLabel: l.T("kind." + string(cs.Kind)), State: l.T(cs.State.TextID()), StateCode: cs.State, Version: cs.Version,
		Created: cs.CreatedAt, Days: c.daysSince(cs.CreatedAt), Waiting: web.RegisterNamesIn(l, v.WaitingFor),
		Social: slices.Contains(cs.RoutingReasons, skalig.ReasonSocialRisk),
	}
	cv.Open = cs.State == skalig.StateAwaitingCaseworker || cs.State == skalig.StateSampled
	cv.Overdue = cv.Days > settings.OverdueDays && !cwIsDecided(cs.State)
	cv.IsSample = cs.State == skalig.StateSampled || slices.Contains(cs.RoutingReasons, skalig.ReasonSample)
	cv.CanAct = p.HasAnyRole(RolesAct...)
	cv.CanDecide = p.HasAnyRole(RolesDecide...)
	cv.CanTake = cv.CanAct
	cv.CanAssign = p.HasAnyRole(RolesDistribute...)
	cv.RequestDocsOK = cv.CanAct && (cv.Open || cs.State == skalig.StateAwaitingApplicant)
	cv.ShowReads = p.HasAnyRole(RolesReadLog...)
	cv.FourEyes = settings.FourEyesOverride || settings.FourEyesReject
	app := v.Application
	for _, m := range app.Members {
		mv := cwMember{ID: m.ID, Role: cwRoleLabel(l, m.Role), PN: cwPN(m.PersonalNumber), Name: m.Name,
			Age: m.PersonalNumber.BirthDate().AgeOn(cs.Month.First())}
		if m.Role == skalig.RoleApplicant {
			cv.Applicant, cv.Name = mv.PN, cwName(l, m.Name)
		}
		cv.Members = append(cv.Members, mv)
	}

	if a, err := c.desk.Assignment(ctx, cs.ID); err == nil {
		cv.Assignee = names[a.Assignee]
		if cv.Assignee == "" {
			cv.Assignee = a.Assignee
		}
		cv.AssignedToMe = a.Assignee == p.Subject
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	if cv.CanAssign {
		for _, m := range c.colleagues(ctx, cs.Municipality) {
			cv.Colleagues = append(cv.Colleagues, web.Option{Value: m.Subject, Label: m.Name})
		}
	}

	// Routing: why the robot stopped, in plain words.
	if rr := v.Routing; rr != nil {
		o := rr.Outcome
		cv.Route, cv.Delegation, cv.ConfigVersion = l.T(o.Route.TextID()), o.Delegation, o.ConfigVersion
		cv.Outcome = l.T("outcome." + string(o.Outcome))
		if d := o.Sample; d != nil {
			key := "cw.reasons.sample_not_drawn"
			if d.Drawn {
				key = "cw.reasons.sample_drawn"
			}
			cv.Sample = l.T(key, strconv.FormatFloat(d.Value, 'f', 4, 64), strconv.FormatFloat(d.Rate, 'f', -1, 64))
		}
		for _, r := range o.Reasons {
			cv.Reasons = append(cv.Reasons, cwReasonOf(l, r.Code, r.Text, r.Detail, r.Details, r.Social))
		}
	}
	// Casework reasons on the case that routing did not give.
	for _, code := range cs.RoutingReasons {
		found := false
		for _, r := range cv.Reasons {
			found = found || r.Code == code
		}
		if !found && code != skalig.ReasonProposal && code != skalig.ReasonException {
			cv.Reasons = append(cv.Reasons, cwReasonOf(l, code, "", "", nil, code == skalig.ReasonSocialRisk))
		}
	}

	cv.Comparison = cwComparison(l, cs, app.Members, v.Facts, names)
	for _, f := range v.Facts {
		fv := cwFact{
			Label: web.FactLabel(l, f.Kind), Kind: f.Kind, Person: cwPersonLabel(l, app.Members, f.PersonID),
			Value: web.FactKindValue(l, f.Kind, f.Value), Source: web.SourceLabel(l, f.Source), SourceCode: string(f.Source), At: f.At,
			Evidence: web.EvidenceLabel(l, f.Evidence),
		}
		if f.Period != cs.Month {
			fv.Label += " (" + f.Period.String() + ")"
		}
		fv.EvidenceSv = strings.HasPrefix(f.Evidence, skalig.FetchEvidencePrefix) && fv.Evidence == f.Evidence
		if strings.HasPrefix(f.Evidence, "sha256:") {
			fv.EvidenceURL = cwCaseURL(cs.ID) + "/underlag?ref=" + url.QueryEscape(f.Evidence)
		}
		if f.RecordedBy != "" {
			fv.RecordedBy = names[f.RecordedBy]
			if fv.RecordedBy == "" {
				fv.RecordedBy = f.RecordedBy
			}
		}
		cv.Facts = append(cv.Facts, fv)
	}

	if calc := v.Calculation; calc != nil {
		cl := &cwCalc{Error: calc.Error, ParamSet: calc.ParamSet, ParamStatus: calc.ParamStatus, Guideline: calc.GuidelineVersion,
			Engine: calc.EngineVersion, CalculatedOn: calc.CalculatedOn, Provisional: calc.ParamStatus == "provisional"}
		if o := calc.Output; o != nil {
			cl.Norm, cl.Costs, cl.Other, cl.Income, cl.Aid, cl.Surplus = o.Norm, o.ReasonableCosts, o.OtherCosts, o.IncomeCounted, o.Aid, o.Surplus
			for _, line := range o.Trace {
				cl.Lines = append(cl.Lines, cwTraceLineOf(l, app.Members, line, names))
			}
			cv.Aid, cv.HasAid = o.Aid, true
		}
		cv.NoParams = calc.Output == nil && len(calc.ParamsMissing) > 0
		cv.Calc = cl
	}
	if !cv.HasAid {
		// Without a calculation there is no outcome to speak of: routing's
		// "aid 0" is no proposal to reject.
		cv.Outcome = ""
	}

	reqs, err := c.cases.DocumentRequests(ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	today := c.today()
	for _, r := range reqs {
		cv.Requests = append(cv.Requests, cwRequest{Text: r.Text, Due: r.Due.String(), By: ActorName(l, names, r.RequestedBy),
			At: r.At, Answered: !r.AnsweredAt.IsZero(), Overdue: r.AnsweredAt.IsZero() && r.Due.Before(today)})
	}
	docs, err := c.cases.Documents(ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		cv.Documents = append(cv.Documents, cwDocument{Name: d.Name, URL: cwCaseURL(cs.ID) + "/dokument/" + url.PathEscape(d.ID),
			Type: strings.TrimPrefix(strings.TrimPrefix(d.MediaType, "application/"), "image/"), Size: cwSizeText(d.Size),
			By: ActorName(l, names, d.UploadedBy), At: d.At})
	}
	msgs, err := c.cases.Messages(ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		kind, _, _ := strings.Cut(m.From, ":")
		cv.Messages = append(cv.Messages, cwMessage{From: ActorName(l, names, m.From), Body: m.Body, At: m.At,
			FromStaff: kind == "caseworker" || kind == "staff"})
	}
	for _, n := range v.Notifications {
		var body struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(n.Body, &body) == nil && body.Text != "" {
			cv.Notices = append(cv.Notices, body.Text)
		}
	}
	for _, e := range v.Errors {
		var body struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(e.Body, &body) == nil && body.Text != "" {
			cv.Errors = append(cv.Errors, body.Text)
		}
	}
	for i := len(v.History) - 1; i >= 0; i-- { // newest first
		e := v.History[i]
		ev := EventOf(l, names, e)
		ev.At = ev.At.In(c.s.Location())
		ev.Clock = ev.At.Format("15:04:05")
		if e.Action == store.ActionRead {
			cv.Reads = append(cv.Reads, ev)
			continue
		}
		cv.History = append(cv.History, ev)
	}

	if d := v.Decision; d != nil {
		dv := &cwDecision{Outcome: l.T("outcome." + string(d.Outcome)), Amount: l.Money(d.Amount), Automated: d.DecidedBy.IsAutomated(),
			Reasons: d.Reasons, At: d.DecidedAt, Receipt: d.ReceiptHash}
		if dv.Automated {
			dv.By = d.DecidedBy.Delegation
		} else {
			dv.By = ActorName(l, names, "caseworker:"+d.DecidedBy.Caseworker)
		}
		cv.Decision = dv
	}
	if v.Decision != nil {
		cv.CanChange = cv.CanDecide && (cs.State == skalig.StatePaid || cs.State == skalig.StateClosed)
		if pc, _, err := c.wf.PendingChange(ctx, cs.ID); err == nil {
			cv.PendingChange = &cwPending{Outcome: l.T("outcome." + string(pc.Outcome)), Amount: l.Money(pc.Amount),
				Note: pc.NoteToSigner, At: pc.ProposedAt, Mine: pc.ProposedBy == p.Subject, By: ActorName(l, names, "caseworker:"+pc.ProposedBy)}
			cv.PendingChange.CanSign = cv.CanDecide && !cv.PendingChange.Mine
		} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
			return nil, err
		}
	}
	if a, err := c.desk.PendingApproval(ctx, cs.ID); err == nil && v.Decision == nil {
		cv.Pending = &cwPending{Outcome: l.T("outcome." + string(a.Outcome)), Amount: l.Money(a.Amount), Reasons: a.Reasons,
			Note: a.NoteToSigner, At: a.ProposedAt, Mine: a.ProposedBy == p.Subject,
			By: ActorName(l, names, "caseworker:"+a.ProposedBy), Stale: a.CaseVersion != cs.Version}
		cv.Pending.CanSign = cv.CanDecide && !cv.Pending.Mine && !cv.Pending.Stale && cv.Open
	} else if err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	if r, err := c.cases.SampleResult(ctx, cs.ID); err == nil {
		cv.SampleResult = &cwSample{Confirmed: r.Confirmed, Declared: l.Money(r.Declared), Verified: l.Money(r.Verified), Note: r.Note,
			By: ActorName(l, names, "caseworker:"+r.Caseworker), At: r.At}
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	cv.Decidable = cv.Open && cv.HasAid && cv.Pending == nil && v.Decision == nil
	cv.CanApprove = cv.Decidable && cv.CanAct && cv.Aid > 0

	cv.Todo, cv.TodoAmount = cwTodo(l, cv)

	earlier, err := c.earlier(ctx, l, p, cs, app.Members)
	if err != nil {
		return nil, err
	}
	cv.Earlier = earlier
	return cv, nil
}

// cwTodo says what needs doing on the case now, for the summary at the top
// of the case page, and the amount it concerns.
func cwTodo(l *web.Lang, cv *cwCaseView) (todo, amount string) {
	if cv.HasAid {
		amount = l.Money(cv.Aid)
	}
	switch {
	case cv.Decision != nil:
		return l.T("cw.todo.decided", cv.Decision.Outcome), cv.Decision.Amount
	case cv.Pending != nil && cv.Pending.CanSign:
		return l.T("cw.todo.sign", cv.Pending.By), cv.Pending.Amount
	case cv.Pending != nil:
		return l.T("cw.todo.awaiting_signature"), cv.Pending.Amount
	case cv.Open && cv.HasAid && cv.Outcome != "":
		return l.T("cw.todo.decide_proposal", cv.Outcome), amount
	case cv.Open && cv.HasAid:
		return l.T("cw.todo.decide"), amount
	case cv.Open && cv.NoParams:
		return l.T("cw.todo.no_params"), amount
	case cv.Open:
		return l.T("cw.todo.no_calc"), amount
	case cv.StateCode == skalig.StateAwaitingApplicant:
		return l.T("cw.todo.applicant"), amount
	}
	return l.T("cw.todo.nothing"), amount
}

// cwIsDecided reports whether a case in state s has its decision.
func cwIsDecided(s skalig.CaseState) bool {
	switch s {
	case skalig.StateDecided, skalig.StateNotified, skalig.StatePaid, skalig.StateClosed, skalig.StateWithdrawn:
		return true
	}
	return false
}

// cwTraceLineOf is one line of the calculation trace for the page.
func cwTraceLineOf(l *web.Lang, members []skalig.Member, line calcformat.Line, names map[string]string) cwTraceLine {
	t := cwTraceLine{Item: line.Item, Text: line.NamePersons(names), Law: line.Law, Parameter: line.Parameter, Source: web.TraceSource(l, line.Source), Amount: line.Amount}
	if line.Person != "" {
		t.Person = cwPersonLabel(l, members, line.Person)
	}
	return t
}

// earlier lists the household's other cases in the case's municipality,
// newest month first: those of the applicant and the partner, with the
// amount granted where a decision granted aid. Cases of other
// municipalities are not shown: secrecy applies between municipalities,
// and Skälig offers no lookup in another municipality's cases (no legal
// basis is documented for one; see docs/caseworker.md).
func (c *Desk) earlier(ctx context.Context, l *web.Lang, p *auth.Principal, cs *skalig.Case, members []skalig.Member) ([]cwEarlier, error) {
	seen := map[string]bool{cs.ID: true}
	var pns []skalig.PersonalNumber
	var others []*skalig.Case
	for _, m := range members {
		if m.Role == skalig.RoleChild {
			continue
		}
		pns = append(pns, m.PersonalNumber)
		list, err := c.cases.CasesOfPersonIn(ctx, cs.Municipality, m.PersonalNumber)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			if !seen[o.ID] {
				seen[o.ID] = true
				others = append(others, o)
			}
		}
	}
	granted, err := c.cases.GrantedMonths(ctx, pns, skalig.MonthOf(9999, 12))
	if err != nil {
		return nil, err
	}
	amounts := map[string]skalig.Money{}
	for _, g := range granted {
		amounts[g.CaseID] = g.Amount
	}
	sort.SliceStable(others, func(i, j int) bool {
		if others[i].Month != others[j].Month {
			return others[i].Month > others[j].Month
		}
		return others[i].ID > others[j].ID
	})
	if len(others) > 24 {
		others = others[:24]
	}
	var out []cwEarlier
	for _, o := range others {
		e := cwEarlier{ID: o.ID, Month: o.Month, State: o.State.Swedish(), Linked: p.InMunicipality(o.Municipality)}
		if e.Linked {
			e.URL = cwCaseURL(o.ID)
		}
		if a, ok := amounts[o.ID]; ok {
			e.Amount = l.Money(a)
		}
		out = append(out, e)
	}
	return out, nil
}

// cwSizeText writes a file size: "12 kB", "1,2 MB".
func cwSizeText(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strconv.FormatInt((n+500)/1000, 10) + " kB"
	}
	return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/1e6), ".", ",", 1)
}

func (c *Desk) handleCase(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	if _, ok := c.loadCase(w, r, p); !ok {
		return
	}
	v, err := c.wf.View(r.Context(), r.PathValue("id"), cwReader(p))
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	l := web.LangFrom(r.Context())
	cv, err := c.buildCase(r.Context(), l, p, v)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	// The title names the case by its number, never by personnummer: titles
	// end up in browser history, tab lists and screen shares.
	pg := c.Page(r, p, l.T("cw.case.title", cwNumber(v.Case)), cv)
	pg.Form = web.NewForm(l, nil)
	c.s.Render(w, r, http.StatusOK, "cw-case", pg)
}

// handleDocument sends a document of the case, as an attachment, so that
// the browser never runs it in the site's origin.
func (c *Desk) handleDocument(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, ok := c.loadCase(w, r, p)
	if !ok {
		return
	}
	d, body, err := c.cases.DocumentBody(r.Context(), r.PathValue("doc"))
	if err != nil || d.CaseID != cs.ID {
		c.s.NotFound(w, r)
		return
	}
	if err := c.cases.LogRead(r.Context(), cwActor(p), cs.ID, "web", "document:"+d.ID); err != nil {
		c.s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", d.MediaType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(d.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// handleEvidence sends a register answer that a fact of the case refers to,
// as plain text.
func (c *Desk) handleEvidence(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, ok := c.loadCase(w, r, p)
	if !ok {
		return
	}
	ref := r.URL.Query().Get("ref")
	facts, err := c.cases.Facts(r.Context(), cs.ID)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	found := false
	for _, f := range facts {
		found = found || (ref != "" && f.Evidence == ref)
	}
	if !found {
		c.s.NotFound(w, r)
		return
	}
	body, _, err := c.cases.Evidence(r.Context(), ref)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	if err := c.cases.LogRead(r.Context(), cwActor(p), cs.ID, "web", "evidence"); err != nil {
		c.s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", "inline")
	w.Write(body)
}
