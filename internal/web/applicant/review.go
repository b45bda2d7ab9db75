package applicant

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
)

// The end of the e-service: the review of every answer, the signatures of
// the applicant and the co-applicant, the submission and the receipt.

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
	Registers []web.RegisterView
	Version   int
	Action    string
	Editable  bool
	ConfirmID string
}

// registers are the registers asked, for the information before
// submitting (the transparency page's registerView).
func (a *applicant) registers(l *web.Lang) []web.RegisterView {
	var out []web.RegisterView
	for _, code := range skalig.RegisterNames {
		out = append(out, web.RegisterView{Code: code, Name: web.RegisterName(l, code), What: l.T("register." + code + ".what")})
	}
	return out
}

// reviewSections turns the values into the review's sections, in the
// page's language.
// reviewSections are the answers by step. owner is "" when the owner reads
// them; for the co-applicant it is the owner's name, and the answers are
// phrased for the co-applicant ("du" is the co-applicant, the owner is
// named).
func reviewSections(l *web.Lang, v url.Values, draftID string, editable bool, owner string) []reviewSection {
	who := func(id string) string {
		switch {
		case owner == "":
			return l.T("review.who." + id)
		case id == "p1":
			return owner
		}
		return l.T("review.who.you")
	}
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
		s := strings.TrimFunc(v.Get(field), web.IsSpace)
		if s == "" {
			return ""
		}
		m, err := web.ParseAmount(field, field, s)
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
			if hasPartner(v) && owner != "" {
				row(l.T("review.cosigner.pn"), v.Get("partner_pn"))
			} else if hasPartner(v) {
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
			if v.Get("housing") == "rental" && v.Get("sublet") != "" {
				row(l.T("apply.sublet.label"), yesNo(v.Get("sublet")))
				if v.Get("sublet") == "yes" && v.Get("sublet_consent") != "" {
					row(l.T("apply.sublet_consent.label"), yesNo(v.Get("sublet_consent")))
				}
			}
		case "inkomster":
			any := false
			for _, id := range adultIDs(v) {
				for _, k := range incomeKinds {
					if m := money("income." + id + "." + k); m != "" {
						row(l.T("review.income", l.T("income.kind."+k), who(id)), m)
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
				row(l.T("review.work", who(id)), choice("apply.work.", v.Get("work."+id)))
				row(l.T("review.af", who(id)), yesNo(v.Get("af."+id)))
				if from, to := v.Get("work."+id+".cert_from"), v.Get("work."+id+".cert_to"); v.Get("work."+id) == "sick" && from != "" {
					row(l.T("review.cert", who(id)), from+" – "+to)
				}
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
// cosign: the co-applicant reads it (the answers are phrased for them).
func (a *applicant) reviewData(pg *web.Page, d *skalig.Draft, v url.Values, f *web.Form, self skalig.PersonalNumber, editable, cosign bool) *reviewView {
	rv := &reviewView{DraftID: d.ID, Kind: d.Kind, Month: d.Month, Couple: hasPartner(v), Partner: v.Get("partner_pn"),
		Applicant: ownerName(v, d), Registers: a.registers(pg.Lang), Version: d.Version, Editable: editable,
		ConfirmID: web.FieldID("confirm")}
	c := &formCheck{f: web.NewForm(pg.Lang, v), today: a.today(), self: self}
	owner := ""
	if cosign {
		owner = rv.Applicant
	}
	rv.Sections = reviewSections(pg.Lang, v, d.ID, editable, owner)
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
func (a *applicant) handleReview(w http.ResponseWriter, r *http.Request, p *auth.Principal, d *skalig.Draft, v url.Values) {
	pg := a.s.Page(r)
	pg.Title = pg.T("apply.step." + reviewStep)
	if r.Method == http.MethodGet {
		pg.Form = pg.NewForm(url.Values{})
		pg.Data = a.reviewData(pg, d, v, nil, p.PersonalNumber, true, false)
		a.s.Render(w, r, http.StatusOK, "applicant_review", pg)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.s.ErrorStatus(w, r, http.StatusBadRequest, "")
		return
	}
	f := pg.NewForm(r.PostForm)
	rv := a.reviewData(pg, d, v, f, p.PersonalNumber, true, false)
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
	d, err = a.drafts.SignApplicant(r.Context(), d.ID, version, app.ContentHash(), p.Name)
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
func (a *applicant) submit(w http.ResponseWriter, r *http.Request, d *skalig.Draft, v url.Values) {
	app, err := buildApplication(v, d.Applicant, d.Municipality, d.Kind, d.Month, "eservice-"+d.ID, a.today())
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	if app.ContentHash() != d.ContentHash {
		a.s.Error(w, r, skalig.Errorf(skalig.ECONFLICT, "Ansökan har ändrats sedan den skrevs under. Gå tillbaka och skriv under igen."))
		return
	}
	// The names the signers' logins gave go with the application (not
	// part of what they signed: Member.Name).
	for i := range app.Members {
		app.Members[i].Name = d.SignerName(app.Members[i].PersonalNumber)
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

func (a *applicant) renderWaiting(w http.ResponseWriter, r *http.Request, d *skalig.Draft) {
	pg := a.s.Page(r)
	pg.Title = pg.T("waiting.title")
	pg.Data = &waitingView{DraftID: d.ID, Month: d.Month, Partner: a.partnerName(r.Context(), d),
		AllSigned: d.Signed(d.Applicant) && d.Signed(d.Partner)}
	a.s.Render(w, r, http.StatusOK, "applicant_waiting", pg)
}

// handleSign is the co-applicant's page: the application as the applicant
// signed it, the information before submitting, and their own signature
// (which submits it) or a refusal (which gives it back to the applicant).
func (a *applicant) handleSign(w http.ResponseWriter, r *http.Request) {
	p, d, v, role, ok := a.loadDraft(w, r)
	if !ok {
		return
	}
	if role != rolePartner || d.State != skalig.DraftAwaitingSignature {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	pg := a.s.Page(r)
	pg.Title = pg.T("sign.title")
	if r.Method == http.MethodGet {
		pg.Form = pg.NewForm(url.Values{})
		pg.Data = a.reviewData(pg, d, v, nil, d.Applicant, false, true)
		a.s.Render(w, r, http.StatusOK, "applicant_sign", pg)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.s.ErrorStatus(w, r, http.StatusBadRequest, "")
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
		pg.Form, pg.Data = f, a.reviewData(pg, d, v, nil, d.Applicant, false, true)
		a.s.Render(w, r, http.StatusUnprocessableEntity, "applicant_sign", pg)
		return
	}
	app, err := buildApplication(v, d.Applicant, d.Municipality, d.Kind, d.Month, "eservice-"+d.ID, a.today())
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	d, err = a.drafts.SignPartner(r.Context(), d.ID, version, p.PersonalNumber, app.ContentHash(), p.Name)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	a.submit(w, r, d, v)
}

// handleResubmit submits a draft that everyone has signed but that was not
// submitted (the server stopped in between).
func (a *applicant) handleResubmit(w http.ResponseWriter, r *http.Request) {
	_, d, v, _, ok := a.loadDraft(w, r)
	if !ok {
		return
	}
	if d.State == skalig.DraftSubmitted {
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
	_, d, _, role, ok := a.loadDraft(w, r)
	if !ok {
		return
	}
	if role != roleOwner || d.State != skalig.DraftAwaitingSignature {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	if _, err := a.drafts.Reopen(r.Context(), d.ID, 0, skalig.RoleApplicant); err != nil {
		a.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, draftURL(d.ID, reviewStep), http.StatusSeeOther)
}

// deleteView is the data of the page that asks before a draft is deleted.
type deleteView struct {
	Month  skalig.Month
	Kind   skalig.ApplicationKind
	Action string
	Back   string
}

// handleDelete deletes the applicant's open draft, once they have said so
// on its own page: GET asks (what is lost, and a way back), and only a
// POST with confirm=yes, which that page's button sends, deletes. A POST
// without it (an old page's button) shows the question.
func (a *applicant) handleDelete(w http.ResponseWriter, r *http.Request) {
	_, d, _, role, ok := a.loadDraft(w, r)
	if !ok {
		return
	}
	if role != roleOwner {
		a.s.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost || r.PostFormValue("confirm") != "yes" {
		pg := a.s.Page(r)
		pg.Title = pg.T("delete.title")
		pg.Data = &deleteView{Month: d.Month, Kind: d.Kind, Action: draftURL(d.ID, "ta-bort"), Back: draftURL(d.ID, reviewStep)}
		a.s.Render(w, r, http.StatusOK, "applicant_delete", pg)
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
	Ref       string // the case number
	ID        string // the internal reference
	DecideBy  string // the last day of the municipality's promise
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
	_, d, _, _, ok := a.loadDraft(w, r)
	if !ok {
		return
	}
	if d.State != skalig.DraftSubmitted || d.CaseID == "" {
		http.Redirect(w, r, draftURL(d.ID), http.StatusSeeOther)
		return
	}
	c, err := a.cases.Case(r.Context(), d.CaseID)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	pg := a.s.Page(r)
	pg.Title = pg.T("receipt.title")
	days := a.s.Municipality().DecisionWithin()
	pg.Data = &receiptView{Ref: caseRef(c), ID: c.ID, Month: d.Month, Kind: d.Kind, At: a.when(pg.Lang, d.SubmittedAt),
		DecideBy: pg.Lang.Date(d.SubmittedAt.In(a.s.Location()).AddDate(0, 0, days)),
		CaseURL:  CasePathPrefix + d.CaseID, CoSigned: d.Partner != "", Signers: len(d.Signatures),
		FirstKind: d.Kind == skalig.FirstApplication}
	a.s.Render(w, r, http.StatusOK, "applicant_receipt", pg)
}

// caseRef is the case number a person reads and quotes, or the internal id
// of a case from before case numbers.
func caseRef(c *skalig.Case) string {
	if c.Number != "" {
		return c.Number
	}
	return c.ID
}
