package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/store"
)

// The e-service: a draft per application, filled in step by step (saved at
// every step, so that a timeout or a closed browser loses nothing), checked
// per field, signed by the applicant and, for a couple, by the co-applicant
// with their own login, and then submitted. The receipt with the case's
// reference is shown only after Workflow.Submit has returned: the
// application is durable before the page says it was received.

// draftRole is how the person logged in relates to a draft.
type draftRole int

const (
	roleOwner   draftRole = iota + 1 // the applicant
	rolePartner                      // the co-applicant
)

// loadDraft reads the draft of the request's {id} for p. The applicant
// sees their draft in every state; the co-applicant only once the
// applicant has signed it. Anyone else gets the 404 page.
func (a *applicant) loadDraft(w http.ResponseWriter, r *http.Request, p *auth.Principal) (*store.Draft, url.Values, draftRole, bool) {
	d, err := a.drafts.Draft(r.Context(), r.PathValue("id"))
	if err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			a.s.NotFound(w, r)
		} else {
			a.s.Error(w, r, err)
		}
		return nil, nil, 0, false
	}
	var role draftRole
	switch pn := p.PersonalNumber.Canonical(); {
	case d.Applicant.Canonical() == pn:
		role = roleOwner
	case d.Partner != "" && d.Partner.Canonical() == pn && d.State != store.DraftOpen:
		role = rolePartner
	default:
		a.s.NotFound(w, r)
		return nil, nil, 0, false
	}
	v := url.Values{}
	if err := json.Unmarshal(d.Data, &v); err != nil {
		a.s.Error(w, r, fmt.Errorf("draft %s data: %w", d.ID, err))
		return nil, nil, 0, false
	}
	return d, v, role, true
}

func draftURL(id string, rest ...string) string {
	u := ApplyPath + "/" + id
	for _, s := range rest {
		u += "/" + s
	}
	return u
}

// nextApplication returns what the person may apply for now: a first
// application for the month in force when they have no case yet, else a
// monthly re-application for the month after their latest case (at the
// earliest the month in force), with that case to prefill from.
func (a *applicant) nextApplication(ctx context.Context, pn skalig.PersonalNumber) (skalig.ApplicationKind, skalig.Month, *skalig.Case, error) {
	cs, err := a.cases.CasesOfPerson(ctx, pn)
	if err != nil {
		return "", 0, nil, err
	}
	cur := a.s.MonthInForce()
	var latest *skalig.Case
	taken := map[skalig.Month]bool{}
	for _, c := range cs {
		if c.State == skalig.StateWithdrawn {
			continue
		}
		taken[c.Month] = true
		if latest == nil || c.Month > latest.Month {
			latest = c
		}
	}
	if latest == nil {
		return skalig.FirstApplication, cur, nil, nil
	}
	m := latest.Month + 1
	if m < cur {
		m = cur
	}
	for taken[m] {
		m++
	}
	return skalig.MonthlyApplication, m, latest, nil
}

// openDraft returns the person's own draft that is not yet submitted, if
// any: a person fills in one application at a time.
func openDraft(ds []*store.Draft, pn skalig.PersonalNumber) *store.Draft {
	for _, d := range ds {
		if d.Applicant.Canonical() == pn.Canonical() && d.State != store.DraftSubmitted {
			return d
		}
	}
	return nil
}

// handleStartApplication starts an application: a new draft, or the one
// already under way. A monthly re-application is prefilled from the last
// one and opens on the review page: confirming takes a minute.
func (a *applicant) handleStartApplication(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ds, err := a.drafts.DraftsOfPerson(ctx, p.PersonalNumber)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	if d := openDraft(ds, p.PersonalNumber); d != nil {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	kind, month, prev, err := a.nextApplication(ctx, p.PersonalNumber)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	v := url.Values{}
	if prev != nil {
		v, err = a.prefillValues(ctx, ds, prev, p.PersonalNumber)
		if err != nil {
			a.s.Error(w, r, err)
			return
		}
	}
	data, _ := json.Marshal(v)
	d := &store.Draft{Municipality: a.s.cfg.Municipality, Applicant: p.PersonalNumber, Kind: kind, Month: month, Data: data}
	if pn, err := skalig.ParsePersonalNumber(v.Get("partner_pn"), a.today()); err == nil && hasPartner(v) {
		d.Partner = pn
	}
	if err := a.drafts.CreateDraft(ctx, d); err != nil {
		a.s.Error(w, r, err)
		return
	}
	if kind == skalig.MonthlyApplication {
		http.Redirect(w, r, draftURL(d.ID, reviewStep), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, draftURL(d.ID, applySteps[0]), http.StatusSeeOther)
}

// prefillValues returns the values of a re-application after case prev: the
// person's own submitted draft of it when there is one (every answer as
// given), else what the application of the case declared.
func (a *applicant) prefillValues(ctx context.Context, ds []*store.Draft, prev *skalig.Case, pn skalig.PersonalNumber) (url.Values, error) {
	for _, d := range ds {
		if d.CaseID == prev.ID && d.Applicant.Canonical() == pn.Canonical() {
			v := url.Values{}
			if err := json.Unmarshal(d.Data, &v); err == nil {
				return prefillFromDraft(v), nil
			}
		}
	}
	app, err := a.cases.CaseApplication(ctx, prev.ID)
	if err != nil {
		return nil, err
	}
	return prefill(app, pn), nil
}

// handleDraft sends the person to where the draft is: the first step that
// needs an answer (or the review), the page that waits for the
// co-applicant, the co-applicant's signature, or the receipt.
func (a *applicant) handleDraft(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	d, v, role, ok := a.loadDraft(w, r, p)
	if !ok {
		return
	}
	switch {
	case d.State == store.DraftSubmitted:
		http.Redirect(w, r, draftURL(d.ID, "kvitto"), http.StatusSeeOther)
	case role == rolePartner:
		http.Redirect(w, r, draftURL(d.ID, "underskrift"), http.StatusSeeOther)
	case d.State == store.DraftAwaitingSignature:
		a.renderWaiting(w, r, d)
	default:
		c := &formCheck{f: NewForm(Swedish, v), today: a.today(), self: p.PersonalNumber}
		if bad := c.checkAll(); len(bad) > 0 && d.Kind == skalig.FirstApplication {
			http.Redirect(w, r, draftURL(d.ID, bad[0]), http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, draftURL(d.ID, reviewStep), http.StatusSeeOther)
	}
}

// stepLink is one step in the progress list.
type stepLink struct {
	ID, URL       string
	Current, Done bool
}

// stepView is the data of a step page.
type stepView struct {
	DraftID     string
	Step        string
	Steps       []stepLink
	Index       int
	Total       int
	Kind        skalig.ApplicationKind
	Month       skalig.Month
	Children    []int
	Adults      []string
	IncomeKinds []string
	ExtraCosts  []string
	Needs       []int
	FromReview  bool
	Action      string
}

// handleStep serves one step: GET shows it with the saved answers; POST
// saves the answers (always, also with errors) and then, for "next",
// checks them and goes on, or shows the errors next to the fields and in a
// summary at the top.
func (a *applicant) handleStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.person(w, r)
		if !ok {
			return
		}
		d, v, role, ok := a.loadDraft(w, r, p)
		if !ok {
			return
		}
		if role != roleOwner || d.State != store.DraftOpen {
			http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
			return
		}
		if step == reviewStep {
			a.handleReview(w, r, p, d, v)
			return
		}
		if step == "barn" && childCount(v) == 0 && r.Method == http.MethodGet {
			http.Redirect(w, r, draftURL(d.ID, "boende"), http.StatusSeeOther)
			return
		}
		pg := a.s.Page(r)
		fromReview := r.URL.Query().Get("fran") == reviewStep
		if r.Method == http.MethodGet {
			pg.Form = pg.NewForm(v)
			a.renderStep(w, r, http.StatusOK, pg, d, step, fromReview)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxStepRead)
		if err := r.ParseForm(); err != nil {
			if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
				// Too large to read: the step again, with what the
				// draft holds and a message that says what to do.
				f := pg.NewForm(v)
				f.General = append(f.General, pg.T("form.too_large", maxStepBody>>10))
				pg.Form = f
				a.renderStep(w, r, http.StatusRequestEntityTooLarge, pg, d, step, fromReview)
				return
			}
			a.s.ErrorStatus(w, r, http.StatusBadRequest, "")
			return
		}
		fromReview = r.PostForm.Get("fran") == reviewStep
		action := r.PostForm.Get("action")
		nv := mergeStep(v, r.PostForm, step)
		f := pg.NewForm(nv)
		tooLarge := formSize(r.PostForm) > maxStepBody
		if (action != "later" && action != "back") || tooLarge {
			c := &formCheck{f: f, today: a.today(), self: p.PersonalNumber}
			c.check(step)
		}
		if tooLarge {
			// Over the limit: nothing is kept, and the check above names
			// the text field that is too long.
			f.General = append(f.General, pg.T("form.too_large", maxStepBody>>10))
			pg.Form = f
			a.renderStep(w, r, http.StatusRequestEntityTooLarge, pg, d, step, fromReview)
			return
		}
		if step == "hushall" {
			pruneChildren(nv)
		}
		partner := skalig.PersonalNumber("")
		if hasPartner(nv) {
			if pn, err := skalig.ParsePersonalNumber(nv.Get("partner_pn"), a.today()); err == nil {
				partner = pn
			}
		}
		data, _ := json.Marshal(nv)
		if _, err := a.drafts.SaveDraft(r.Context(), d.ID, 0, data, partner); err != nil {
			a.s.Error(w, r, err)
			return
		}
		if f.HasErrors() {
			pg.Form = f
			a.renderStep(w, r, http.StatusUnprocessableEntity, pg, d, step, fromReview)
			return
		}
		steps := stepsFor(nv)
		i := slices.Index(steps, step)
		switch {
		case action == "later":
			http.Redirect(w, r, MinaSidorPath+"?sparat=1", http.StatusSeeOther)
		case action == "back":
			if i > 0 {
				http.Redirect(w, r, draftURL(d.ID, steps[i-1]), http.StatusSeeOther)
			} else {
				http.Redirect(w, r, MinaSidorPath, http.StatusSeeOther)
			}
		case fromReview || i < 0 || i == len(steps)-1:
			http.Redirect(w, r, draftURL(d.ID, reviewStep), http.StatusSeeOther)
		default:
			http.Redirect(w, r, draftURL(d.ID, steps[i+1]), http.StatusSeeOther)
		}
	}
}

// pruneChildren drops the answers about children beyond the number given.
func pruneChildren(v url.Values) {
	n := childCount(v)
	for k := range v {
		var i int
		var rest string
		if _, err := fmt.Sscanf(k, "child.%d.%s", &i, &rest); err == nil && i > n {
			delete(v, k)
		}
	}
}

func (a *applicant) renderStep(w http.ResponseWriter, r *http.Request, status int, pg *Page, d *store.Draft, step string, fromReview bool) {
	v := pg.Form.Values
	steps := stepsFor(v)
	if !slices.Contains(steps, step) {
		steps = applySteps
	}
	sv := &stepView{DraftID: d.ID, Step: step, Kind: d.Kind, Month: d.Month, Total: len(steps) + 1,
		Adults: adultIDs(v), IncomeKinds: incomeKinds, ExtraCosts: extraCosts, FromReview: fromReview,
		Action: draftURL(d.ID, step)}
	for i, s := range steps {
		if s == step {
			sv.Index = i + 1
		}
		sv.Steps = append(sv.Steps, stepLink{ID: s, URL: draftURL(d.ID, s), Current: s == step, Done: sv.Index == 0})
	}
	sv.Steps = append(sv.Steps, stepLink{ID: reviewStep, URL: draftURL(d.ID, reviewStep)})
	for i := 1; i <= childCount(v); i++ {
		sv.Children = append(sv.Children, i)
	}
	for i := 1; i <= maxNeeds; i++ {
		sv.Needs = append(sv.Needs, i)
	}
	pg.Title = pg.T("apply.step." + step)
	pg.Data = sv
	a.s.Render(w, r, status, "applicant_step", pg)
}

// reviewRow is one answer on the review page.
type reviewRow struct {
	Label, Value string
	// Swedish marks a value typed by the applicant (a free text), shown as
	// it is.
	Free bool
}

// reviewSection is one step's answers on the review page, with the link to
// change them and, when they do not pass, what is wrong.
type reviewSection struct {
	Step, EditURL string
	Rows          []reviewRow
	Problems      []string
}

// reviewView is the data of the review page and of the co-applicant's page.
type reviewView struct {
	DraftID   string
	Kind      skalig.ApplicationKind
	Month     skalig.Month
	Sections  []reviewSection
	Problems  []reviewSection // sections with errors, for the summary
	Couple    bool
	Partner   string // the co-applicant's personnummer as ÅÅÅÅMMDD-NNNN
	Applicant string
	Registers []registerView
	Version   int
	Action    string
	Editable  bool
	ConfirmID string
}

// registers are the registers asked, for the information before
// submitting (the transparency page's registerView).
func (a *applicant) registers(l *Lang) []registerView {
	var out []registerView
	for _, code := range skalig.RegisterNames {
		out = append(out, registerView{Code: code, Name: registerName(l, code), What: l.T("register." + code + ".what")})
	}
	return out
}

// reviewSections turns the values into the review's sections, in the
// page's language.
func reviewSections(l *Lang, v url.Values, draftID string, editable bool) []reviewSection {
	yesNo := func(s string) string {
		switch s {
		case "yes":
			return l.T("apply.yes")
		case "no":
			return l.T("apply.no")
		}
		return l.T("review.missing")
	}
	money := func(field string) string {
		s := strings.TrimFunc(v.Get(field), isSpace)
		if s == "" {
			return ""
		}
		m, err := ParseAmount(field, field, s)
		if err != nil {
			return s
		}
		return l.Money(m)
	}
	choice := func(prefix, s string) string {
		if s == "" {
			return l.T("review.missing")
		}
		return l.T(prefix + s)
	}
	var out []reviewSection
	for _, step := range stepsFor(v) {
		sec := reviewSection{Step: step}
		if editable {
			sec.EditURL = draftURL(draftID, step) + "?fran=" + reviewStep
		}
		row := func(label, value string) { sec.Rows = append(sec.Rows, reviewRow{Label: label, Value: value}) }
		free := func(label, value string) {
			sec.Rows = append(sec.Rows, reviewRow{Label: label, Value: value, Free: true})
		}
		switch step {
		case "hushall":
			row(l.T("review.partner"), yesNo(v.Get("partner")))
			if hasPartner(v) {
				row(l.T("apply.partner_pn.label"), v.Get("partner_pn"))
			}
			row(l.T("review.children"), v.Get("children"))
		case "barn":
			for i := 1; i <= childCount(v); i++ {
				parts := []string{v.Get(fmt.Sprintf("child.%d.pn", i))}
				if v.Get(fmt.Sprintf("child.%d.preschool", i)) == "yes" {
					parts = append(parts, l.T("review.child.preschool"))
				}
				if v.Get(fmt.Sprintf("child.%d.school", i)) == "yes" {
					parts = append(parts, l.T("review.child.school"))
				}
				if d := v.Get(fmt.Sprintf("child.%d.days", i)); d != "" {
					parts = append(parts, l.T("review.child.days", d))
				}
				row(l.T("review.child", i), strings.Join(parts, ", "))
			}
		case "boende":
			row(l.T("apply.housing.label"), choice("apply.housing.", v.Get("housing")))
			if m := money("rent"); m != "" {
				row(l.T("apply.rent.label"), m)
			}
			if v.Get("housing") == "lodger" {
				row(l.T("apply.dwelling_size.label"), v.Get("dwelling_size"))
			}
			for _, f := range []string{"electricity", "insurance"} {
				if m := money(f); m != "" {
					row(l.T("apply."+f+".label"), m)
				}
			}
		case "inkomster":
			any := false
			for _, id := range adultIDs(v) {
				for _, k := range incomeKinds {
					if m := money("income." + id + "." + k); m != "" {
						row(l.T("review.income", l.T("income.kind."+k), l.T("review.who."+id)), m)
						any = true
					}
				}
			}
			if !any {
				row(l.T("review.incomes"), l.T("review.none"))
			}
		case "kostnader":
			any := false
			for _, k := range extraCosts {
				if m := money("cost." + k); m != "" {
					row(l.T("cost.kind."+k), m)
					any = true
				}
			}
			for i := 1; i <= maxNeeds; i++ {
				if t := v.Get(fmt.Sprintf("need.%d.text", i)); t != "" {
					free(l.T("review.need", money(fmt.Sprintf("need.%d.amount", i))), t)
					any = true
				}
			}
			if !any {
				row(l.T("review.costs"), l.T("review.none"))
			}
		case "tillgangar":
			row(l.T("apply.bank.label"), money("bank"))
			row(l.T("apply.vehicle.label"), yesNo(v.Get("vehicle")))
			if v.Get("vehicle") == "yes" {
				free(l.T("apply.vehicle_text.label"), v.Get("vehicle_text"))
			}
			row(l.T("apply.assets_other.label"), yesNo(v.Get("assets_other")))
			if v.Get("assets_other") == "yes" {
				free(l.T("apply.assets_other_text.label"), v.Get("assets_other_text"))
			}
		case "arbete":
			for _, id := range adultIDs(v) {
				row(l.T("review.work", l.T("review.who."+id)), choice("apply.work.", v.Get("work."+id)))
				row(l.T("review.af", l.T("review.who."+id)), yesNo(v.Get("af."+id)))
			}
		case "utbetalning":
			row(l.T("apply.clearing.label"), v.Get("clearing"))
			row(l.T("apply.account.label"), v.Get("account"))
		case "ovrigt":
			var sig []string
			for _, s := range signalKinds {
				if v.Get("signal."+s) == "yes" {
					sig = append(sig, l.T("apply.signal."+s))
				}
			}
			if len(sig) > 0 {
				row(l.T("review.signals"), strings.Join(sig, "; "))
			}
			if t := v.Get("signal.other_text"); t != "" {
				free(l.T("apply.signal.other.label"), t)
			}
			row(l.T("review.want_person"), yesNo(map[bool]string{true: "yes", false: "no"}[v.Get("want_person") == "yes"]))
			if t := v.Get("message"); t != "" {
				free(l.T("apply.message.label"), t)
			}
		}
		out = append(out, sec)
	}
	return out
}

// reviewData checks every step and returns the review's view; f holds the
// errors.
func (a *applicant) reviewData(pg *Page, d *store.Draft, v url.Values, f *Form, self skalig.PersonalNumber, editable bool) *reviewView {
	rv := &reviewView{DraftID: d.ID, Kind: d.Kind, Month: d.Month, Couple: hasPartner(v), Partner: v.Get("partner_pn"),
		Applicant: formatPN(d.Applicant), Registers: a.registers(pg.Lang), Version: d.Version, Editable: editable,
		ConfirmID: FieldID("confirm")}
	c := &formCheck{f: NewForm(pg.Lang, v), today: a.today(), self: self}
	rv.Sections = reviewSections(pg.Lang, v, d.ID, editable)
	for i := range rv.Sections {
		sec := &rv.Sections[i]
		n := len(c.f.Errors())
		c.check(sec.Step)
		for _, e := range c.f.Errors()[n:] {
			sec.Problems = append(sec.Problems, e.Message)
		}
		if len(sec.Problems) > 0 && f != nil {
			// The summary lists the sections to correct (Problems); the
			// pseudo-field marks the form as having errors.
			f.Fail("_steps", sec.Problems[0])
			rv.Problems = append(rv.Problems, *sec)
		}
	}
	return rv
}

// handleReview shows every answer with links to change them, what happens
// next, and the signature; POST signs and submits (or, for a couple, sends
// it to the co-applicant to sign).
func (a *applicant) handleReview(w http.ResponseWriter, r *http.Request, p *auth.Principal, d *store.Draft, v url.Values) {
	pg := a.s.Page(r)
	pg.Title = pg.T("apply.step." + reviewStep)
	if r.Method == http.MethodGet {
		pg.Form = pg.NewForm(url.Values{})
		pg.Data = a.reviewData(pg, d, v, nil, p.PersonalNumber, true)
		a.s.Render(w, r, http.StatusOK, "applicant_review", pg)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.s.FormError(w, r, err)
		return
	}
	f := pg.NewForm(r.PostForm)
	rv := a.reviewData(pg, d, v, f, p.PersonalNumber, true)
	if f.Value("confirm") != "yes" {
		f.FailKey("confirm", "apply.confirm.error")
	}
	version, _ := strconv.Atoi(f.Value("version"))
	if f.HasErrors() {
		pg.Form, pg.Data = f, rv
		a.s.Render(w, r, http.StatusUnprocessableEntity, "applicant_review", pg)
		return
	}
	app, err := buildApplication(v, p.PersonalNumber, d.Municipality, d.Kind, d.Month, "eservice-"+d.ID, a.today())
	if err == nil {
		err = app.Validate()
	}
	if err != nil {
		if e := f.AddError(err); e != nil {
			a.s.Error(w, r, e)
			return
		}
		pg.Form, pg.Data = f, rv
		a.s.Render(w, r, http.StatusUnprocessableEntity, "applicant_review", pg)
		return
	}
	d, err = a.drafts.SignApplicant(r.Context(), d.ID, version, app.ContentHash())
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	if d.Partner != "" {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	a.submit(w, r, d, v)
}

// submit submits a draft everyone has signed and shows the receipt. The
// idempotency key is the draft's, so that submitting again (a retry, a
// double click, a crash before the draft was marked) gives the same case.
func (a *applicant) submit(w http.ResponseWriter, r *http.Request, d *store.Draft, v url.Values) {
	app, err := buildApplication(v, d.Applicant, d.Municipality, d.Kind, d.Month, "eservice-"+d.ID, a.today())
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	if app.ContentHash() != d.ContentHash {
		a.s.Error(w, r, skalig.Errorf(skalig.ECONFLICT, "Ansökan har ändrats sedan den skrevs under. Gå tillbaka och skriv under igen."))
		return
	}
	c, _, err := a.wf.Submit(r.Context(), app)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	if _, err := a.drafts.MarkSubmitted(r.Context(), d.ID, c.ID); err != nil {
		a.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, draftURL(d.ID, "kvitto"), http.StatusSeeOther)
}

// waitingView is the data of the page that waits for the co-applicant.
type waitingView struct {
	DraftID   string
	Month     skalig.Month
	Partner   string
	AllSigned bool
}

func (a *applicant) renderWaiting(w http.ResponseWriter, r *http.Request, d *store.Draft) {
	pg := a.s.Page(r)
	pg.Title = pg.T("waiting.title")
	pg.Data = &waitingView{DraftID: d.ID, Month: d.Month, Partner: d.Partner.Masked(),
		AllSigned: d.Signed(d.Applicant) && d.Signed(d.Partner)}
	a.s.Render(w, r, http.StatusOK, "applicant_waiting", pg)
}

// handleSign is the co-applicant's page: the application as the applicant
// signed it, the information before submitting, and their own signature
// (which submits it) or a refusal (which gives it back to the applicant).
func (a *applicant) handleSign(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	d, v, role, ok := a.loadDraft(w, r, p)
	if !ok {
		return
	}
	if role != rolePartner || d.State != store.DraftAwaitingSignature {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	pg := a.s.Page(r)
	pg.Title = pg.T("sign.title")
	if r.Method == http.MethodGet {
		pg.Form = pg.NewForm(url.Values{})
		pg.Data = a.reviewData(pg, d, v, nil, d.Applicant, false)
		a.s.Render(w, r, http.StatusOK, "applicant_sign", pg)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.s.FormError(w, r, err)
		return
	}
	f := pg.NewForm(r.PostForm)
	version, _ := strconv.Atoi(f.Value("version"))
	if f.Value("action") == "decline" {
		if _, err := a.drafts.Reopen(r.Context(), d.ID, version, skalig.RolePartner); err != nil {
			a.s.Error(w, r, err)
			return
		}
		http.Redirect(w, r, MinaSidorPath+"?nekad=1", http.StatusSeeOther)
		return
	}
	if f.Value("confirm") != "yes" {
		f.FailKey("confirm", "sign.confirm.error")
		pg.Form, pg.Data = f, a.reviewData(pg, d, v, nil, d.Applicant, false)
		a.s.Render(w, r, http.StatusUnprocessableEntity, "applicant_sign", pg)
		return
	}
	app, err := buildApplication(v, d.Applicant, d.Municipality, d.Kind, d.Month, "eservice-"+d.ID, a.today())
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	d, err = a.drafts.SignPartner(r.Context(), d.ID, version, p.PersonalNumber, app.ContentHash())
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	a.submit(w, r, d, v)
}

// handleResubmit submits a draft that everyone has signed but that was not
// submitted (the server stopped in between).
func (a *applicant) handleResubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	d, v, _, ok := a.loadDraft(w, r, p)
	if !ok {
		return
	}
	if d.State == store.DraftSubmitted {
		http.Redirect(w, r, draftURL(d.ID, "kvitto"), http.StatusSeeOther)
		return
	}
	if !d.Signed(d.Applicant) || (d.Partner != "" && !d.Signed(d.Partner)) {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	a.submit(w, r, d, v)
}

// handleReopen lets the applicant take back a draft that waits for the
// co-applicant, to change it; the signatures go.
func (a *applicant) handleReopen(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	d, _, role, ok := a.loadDraft(w, r, p)
	if !ok {
		return
	}
	if role != roleOwner || d.State != store.DraftAwaitingSignature {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	if _, err := a.drafts.Reopen(r.Context(), d.ID, 0, skalig.RoleApplicant); err != nil {
		a.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, draftURL(d.ID, reviewStep), http.StatusSeeOther)
}

// handleDelete deletes the applicant's open draft.
func (a *applicant) handleDelete(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	d, _, role, ok := a.loadDraft(w, r, p)
	if !ok {
		return
	}
	if role != roleOwner {
		a.s.NotFound(w, r)
		return
	}
	if err := a.drafts.DeleteDraft(r.Context(), d.ID); err != nil {
		a.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, MinaSidorPath+"?borttagen=1", http.StatusSeeOther)
}

// receiptView is the data of the receipt page.
type receiptView struct {
	Ref       string
	Month     skalig.Month
	Kind      skalig.ApplicationKind
	At        string
	CaseURL   string
	CoSigned  bool
	Signers   int
	FirstKind bool
}

// handleReceipt is the receipt: the case's reference, once Submit has
// returned it. A draft not yet submitted has no receipt.
func (a *applicant) handleReceipt(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	d, _, _, ok := a.loadDraft(w, r, p)
	if !ok {
		return
	}
	if d.State != store.DraftSubmitted || d.CaseID == "" {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	pg := a.s.Page(r)
	pg.Title = pg.T("receipt.title")
	pg.Data = &receiptView{Ref: d.CaseID, Month: d.Month, Kind: d.Kind, At: a.when(pg.Lang, d.SubmittedAt),
		CaseURL: CasePathPrefix + d.CaseID, CoSigned: d.Partner != "", Signers: len(d.Signatures),
		FirstKind: d.Kind == skalig.FirstApplication}
	a.s.Render(w, r, http.StatusOK, "applicant_receipt", pg)
}

// A step of the e-service may send maxStepBody; up to maxStepRead is read
// of one that sends more, so that the answer can name the field that is
// too long (formCheck.text) instead of showing a page that names nothing.
const (
	maxStepBody = 256 << 10
	maxStepRead = 1 << 20
)

// formSize is the size of the values of a form as posted.
func formSize(v url.Values) int {
	n := 0
	for k, vs := range v {
		for _, s := range vs {
			n += len(k) + len(s) + 2
		}
	}
	return n
}
