package applicant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
	"skalig/internal/workflow"
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

// loadDraft reads the draft of the request's {id} for the signed-in
// person p. The applicant sees their draft in every state; the
// co-applicant only once the applicant has signed it. Anyone else gets the
// 404 page.
func (a *applicant) loadDraft(w http.ResponseWriter, r *http.Request) (*auth.Principal, *skalig.Draft, url.Values, draftRole, bool) {
	p, ok := a.person(w, r)
	if !ok {
		return nil, nil, nil, 0, false
	}
	d, err := a.drafts.Draft(r.Context(), r.PathValue("id"))
	if err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			a.s.NotFound(w, r)
		} else {
			a.s.Error(w, r, err)
		}
		return nil, nil, nil, 0, false
	}
	var role draftRole
	switch pn := p.PersonalNumber.Canonical(); {
	case d.Applicant.Canonical() == pn:
		role = roleOwner
	case d.Partner != "" && d.Partner.Canonical() == pn && d.State != skalig.DraftOpen:
		role = rolePartner
	default:
		a.s.NotFound(w, r)
		return nil, nil, nil, 0, false
	}
	v := url.Values{}
	if err := json.Unmarshal(d.Data, &v); err != nil {
		a.s.Error(w, r, fmt.Errorf("draft %s data: %w", d.ID, err))
		return nil, nil, nil, 0, false
	}
	return p, d, v, role, true
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
	if m > workflow.LatestApplicationMonth(a.today()) {
		// The e-service offers the month in force and the next one only.
		return "", m, latest, nil
	}
	return skalig.MonthlyApplication, m, latest, nil
}

// openDraft returns the person's own draft that is not yet submitted, if
// any: a person fills in one application at a time.
func openDraft(ds []*skalig.Draft, pn skalig.PersonalNumber) *skalig.Draft {
	for _, d := range ds {
		if d.Applicant.Canonical() == pn.Canonical() && d.State != skalig.DraftSubmitted {
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
	if kind == "" {
		http.Redirect(w, r, MinaSidorPath, http.StatusSeeOther)
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
	if p.Name != "" {
		v.Set(ownerNameKey, p.Name) // for the co-applicant's pages
	}
	data, _ := json.Marshal(v)
	d := &skalig.Draft{Municipality: a.s.Config().Municipality, Applicant: p.PersonalNumber, Kind: kind, Month: month, Data: data}
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
func (a *applicant) prefillValues(ctx context.Context, ds []*skalig.Draft, prev *skalig.Case, pn skalig.PersonalNumber) (url.Values, error) {
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
	p, d, v, role, ok := a.loadDraft(w, r)
	if !ok {
		return
	}
	switch {
	case d.State == skalig.DraftSubmitted:
		http.Redirect(w, r, draftURL(d.ID, "kvitto"), http.StatusSeeOther)
	case role == rolePartner:
		http.Redirect(w, r, draftURL(d.ID, "underskrift"), http.StatusSeeOther)
	case d.State == skalig.DraftAwaitingSignature:
		a.renderWaiting(w, r, d)
	default:
		c := &formCheck{f: web.NewForm(web.Swedish, v), today: a.today(), self: p.PersonalNumber}
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
		p, d, v, role, ok := a.loadDraft(w, r)
		if !ok {
			return
		}
		if role != roleOwner || d.State != skalig.DraftOpen {
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

func (a *applicant) renderStep(w http.ResponseWriter, r *http.Request, status int, pg *web.Page, d *skalig.Draft, step string, fromReview bool) {
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
