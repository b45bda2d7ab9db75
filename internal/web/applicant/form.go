package applicant

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"skalig"
	"skalig/internal/web"
)

// The e-service's form. A draft keeps the values of every field as the
// applicant typed them (url.Values as JSON), step by step; the application
// is built from them only when it is signed. Field names:
//
//	hushall      partner (yes|no), partner_pn, children (0-10)
//	barn         child.N.pn, child.N.preschool (yes), child.N.school (yes), child.N.days
//	boende       housing (rental|owned|lodger|none), rent, dwelling_size, electricity, insurance,
//	             sublet (yes|no: rented second hand), sublet_consent (yes|no)
//	inkomster    income.pN.KIND (p1 the applicant, p2 the co-applicant)
//	kostnader    cost.KIND, need.N.text, need.N.amount (N 1-3)
//	tillgangar   bank, vehicle (yes|no), vehicle_text, assets_other (yes|no), assets_other_text
//	arbete       work.pN (a situation), af.pN (yes|no), work.pN.cert_from, work.pN.cert_to (the
//	             läkarintyg's period, ÅÅÅÅ-MM-DD, when sick)
//	utbetalning  clearing, account
//	ovrigt       signal.eviction, signal.children, signal.violence (yes), signal.other_text,
//	             want_person (yes), message
//	granska      confirm (yes; never stored)

// applySteps are the steps of the e-service in order; the id is the URL's
// last segment and names the step's messages ("apply.step.<id>").
var applySteps = []string{"hushall", "barn", "boende", "inkomster", "kostnader", "tillgangar", "arbete", "utbetalning", "ovrigt"}

// reviewStep is the last page: everything at a glance, the information
// before submitting, and the signature.
const reviewStep = "granska"

// Limits of the form.
const (
	maxChildren  = 10
	maxNeeds     = 3
	maxTextBytes = 1000 // a fact's text (skalig.Fact)
	maxShortText = 200
)

// incomeKinds are the incomes asked for per adult, in the calculation
// format's names ("income." + kind is the fact).
var incomeKinds = []string{"salary_net", "unemployment_benefit", "activity_support", "sickness_benefit",
	"parental_benefit", "pension", "student_grant", "housing_allowance", "child_allowance", "maintenance_support",
	"tax_refund", "other"}

// extraCosts are the reasonable costs asked for besides housing,
// electricity and home insurance.
var extraCosts = []string{"work_travel", "union_fee", "unemployment_fund_fee"}

var (
	housingKinds   = []string{"rental", "owned", "lodger", "none"}
	workSituations = []string{"employed", "unemployed", "sick", "studying", "parental_leave", "other"}
	signalKinds    = []string{"eviction", "children", "violence"}
)

// stepOf returns the step a field belongs to, or "" for a field that is
// not kept in the draft.
func stepOf(name string) string {
	switch {
	case name == "partner" || name == "partner_pn" || name == "children":
		return "hushall"
	case strings.HasPrefix(name, "child."):
		return "barn"
	case slices.Contains([]string{"housing", "rent", "dwelling_size", "electricity", "insurance", "sublet", "sublet_consent"}, name):
		return "boende"
	case strings.HasPrefix(name, "income."):
		return "inkomster"
	case strings.HasPrefix(name, "cost."), strings.HasPrefix(name, "need."):
		return "kostnader"
	case slices.Contains([]string{"bank", "vehicle", "vehicle_text", "assets_other", "assets_other_text"}, name):
		return "tillgangar"
	case strings.HasPrefix(name, "work."), strings.HasPrefix(name, "af."):
		return "arbete"
	case name == "clearing" || name == "account":
		return "utbetalning"
	case strings.HasPrefix(name, "signal."), name == "want_person", name == "message":
		return "ovrigt"
	}
	return ""
}

// mergeStep returns the draft's values with those of step replaced by the
// posted ones: fields of other steps in the post are ignored, and a field
// of the step missing from the post (an unticked box) is cleared.
func mergeStep(draft, posted url.Values, step string) url.Values {
	out := url.Values{}
	for k, v := range draft {
		if stepOf(k) != step {
			out[k] = slices.Clone(v)
		}
	}
	for k, v := range posted {
		if stepOf(k) == step && len(v) > 0 {
			out.Set(k, strings.TrimSpace(v[0]))
		}
	}
	return out
}

func hasPartner(v url.Values) bool { return v.Get("partner") == "yes" }

// ownerNameKey holds, in a draft's values, the name of the person who
// started it (from their login), so that the co-applicant is told who
// applied by name, not by personnummer. It belongs to no step.
const ownerNameKey = "owner_name"

// ownerName is the name of the draft d's owner: as their login gave it
// when they signed (skalig.Signature.Name, which goes with the case), else
// when they started the draft (v), else their masked personnummer in a
// draft from before names were kept.
func ownerName(v url.Values, d *skalig.Draft) string {
	if n := d.SignerName(d.Applicant); n != "" {
		return n
	}
	if n := strings.TrimSpace(v.Get(ownerNameKey)); n != "" {
		return n
	}
	return d.Applicant.Masked()
}

// partnerName is how the applicant's page names the co-applicant of d:
// the name the co-applicant's own login gave, on this draft or on the
// household's latest earlier application that has it; else the masked
// personnummer (a partner who has never logged in).
func (a *applicant) partnerName(ctx context.Context, d *skalig.Draft) string {
	if d.Partner == "" {
		return ""
	}
	if n := d.SignerName(d.Partner); n != "" {
		return n
	}
	if cs, err := a.cases.CasesOfPerson(ctx, d.Applicant); err == nil {
		for _, c := range cs { // newest first
			app, err := a.cases.CaseApplication(ctx, c.ID)
			if err != nil {
				continue
			}
			for _, m := range app.Members {
				if m.PersonalNumber.Canonical() == d.Partner.Canonical() && m.Name != "" {
					return m.Name
				}
			}
		}
	}
	return d.Partner.Masked()
}

// childCount is the number of children the household step gave (0 when
// it is not a number 0-10).
func childCount(v url.Values) int {
	n, err := strconv.Atoi(strings.TrimSpace(v.Get("children")))
	if err != nil || n < 0 || n > maxChildren {
		return 0
	}
	return n
}

// adultIDs are the member ids of the adults: p1, and p2 for a couple.
func adultIDs(v url.Values) []string {
	if hasPartner(v) {
		return []string{"p1", "p2"}
	}
	return []string{"p1"}
}

// stepsFor returns the steps that apply to the values: the children's step
// only when there are children.
func stepsFor(v url.Values) []string {
	out := make([]string, 0, len(applySteps))
	for _, s := range applySteps {
		if s == "barn" && childCount(v) == 0 {
			continue
		}
		out = append(out, s)
	}
	return out
}

// formCheck validates the fields of one step in f (whose values are the
// whole draft), with messages in f's language. Values that parse are
// rewritten in their canonical form (personal numbers as
// ÅÅÅÅMMDD-NNNN), so that what is stored and shown is what was read.
type formCheck struct {
	f     *web.Form
	today skalig.Date
	self  skalig.PersonalNumber
}

func (c *formCheck) label(key string) string { return c.f.Lang().T(key) }

// personalNumber reads a required personnummer.
func (c *formCheck) personalNumber(name, label string) (skalig.PersonalNumber, bool) {
	s, ok := c.f.Required(name, label)
	if !ok {
		return "", false
	}
	pn, err := skalig.ParsePersonalNumber(s, c.today)
	if err != nil {
		c.f.FailKey(name, "apply.pn.invalid", web.MessageLabel(label))
		return "", false
	}
	c.f.Set(name, formatPN(pn))
	return pn, true
}

// formatPN writes pn as ÅÅÅÅMMDD-NNNN.
func formatPN(pn skalig.PersonalNumber) string {
	s := pn.Canonical()
	if len(s) != 12 {
		return s
	}
	return s[:8] + "-" + s[8:]
}

// number reads an optional whole number in [lo, hi]; required when req.
func (c *formCheck) number(name, label string, lo, hi int, req bool) (int, bool) {
	s := c.f.Value(name)
	if s == "" {
		if req {
			c.f.FailKey(name, "form.required", web.MessageLabel(label))
			return 0, false
		}
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		c.f.FailKey(name, "apply.number.range", web.MessageLabel(label), lo, hi)
		return 0, false
	}
	return n, true
}

// text reads an optional text of at most max bytes (a fact's limit);
// required when req.
func (c *formCheck) text(name, label string, max int, req bool) (string, bool) {
	s := c.f.Value(name)
	if s == "" {
		if req {
			c.f.FailKey(name, "form.required", web.MessageLabel(label))
			return "", false
		}
		return "", true
	}
	if web.HasControl(s) {
		c.f.FailKey(name, "form.control_char", web.MessageLabel(label))
		return "", false
	}
	if len(s) > max || !utf8.ValidString(s) {
		c.f.FailKey(name, "apply.text.too_long", web.MessageLabel(label), max*9/10)
		return "", false
	}
	return s, true
}

var digitsOnly = regexp.MustCompile(`^[0-9]+$`)

// accountDigits removes the spaces, hyphens and points people write in
// bank account numbers.
func accountDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// check validates step. It returns nothing: the errors are in f.
func (c *formCheck) check(step string) {
	f, v := c.f, c.f.Values
	switch step {
	case "hushall":
		f.OneOf("partner", c.label("apply.partner.label"), "yes", "no")
		if hasPartner(v) {
			if pn, ok := c.personalNumber("partner_pn", c.label("apply.partner_pn.label")); ok && pn.Canonical() == c.self.Canonical() {
				f.FailKey("partner_pn", "apply.partner_pn.self")
			}
		}
		c.number("children", c.label("apply.children.label"), 0, maxChildren, true)
	case "barn":
		seen := map[string]bool{c.self.Canonical(): true}
		if hasPartner(v) {
			if pn, err := skalig.ParsePersonalNumber(v.Get("partner_pn"), c.today); err == nil {
				seen[pn.Canonical()] = true
			}
		}
		for i := 1; i <= childCount(v); i++ {
			name := fmt.Sprintf("child.%d.pn", i)
			if pn, ok := c.personalNumber(name, c.f.Lang().T("apply.child.pn.label", i)); ok {
				if seen[pn.Canonical()] {
					f.FailKey(name, "apply.child.pn.twice", i)
				}
				seen[pn.Canonical()] = true
				// The boxes must fit the child's age by the birth date:
				// lunch at förskola is for a child under 7, school at
				// 18-20 for a child of 18, 19 or 20.
				age := pn.BirthDate().AgeOn(c.today)
				if pre := fmt.Sprintf("child.%d.preschool", i); v.Get(pre) == "yes" && age >= 7 {
					f.FailKey(pre, "apply.child.preschool.age", i, age)
				}
				if sch := fmt.Sprintf("child.%d.school", i); v.Get(sch) == "yes" && (age < 18 || age > 20) {
					f.FailKey(sch, "apply.child.school.age", i, age)
				}
			}
			c.number(fmt.Sprintf("child.%d.days", i), c.f.Lang().T("apply.child.days.label", i), 1, 31, false)
		}
	case "boende":
		h, _ := f.OneOf("housing", c.label("apply.housing.label"), housingKinds...)
		if h == "none" {
			f.OptionalAmount("rent", c.label("apply.rent.label"))
		} else {
			f.Amount("rent", c.label("apply.rent.label"))
		}
		persons := len(adultIDs(v)) + childCount(v)
		if h == "lodger" {
			c.number("dwelling_size", c.label("apply.dwelling_size.label"), persons+1, skalig.MaxMembers*2, true)
		} else {
			// Not needed, but not silently ignored when written wrong.
			c.number("dwelling_size", c.label("apply.dwelling_size.label"), persons, skalig.MaxMembers*2, false)
		}
		f.OptionalAmount("electricity", c.label("apply.electricity.label"))
		f.OptionalAmount("insurance", c.label("apply.insurance.label"))
		for _, name := range []string{"sublet", "sublet_consent"} {
			if f.Value(name) != "" {
				f.OneOf(name, c.label("apply."+name+".label"), "yes", "no")
			}
		}
	case "inkomster":
		for _, id := range adultIDs(v) {
			for _, k := range incomeKinds {
				f.OptionalAmount("income."+id+"."+k, c.f.Lang().T("income.kind."+k))
			}
		}
	case "kostnader":
		for _, k := range extraCosts {
			f.OptionalAmount("cost."+k, c.f.Lang().T("cost.kind."+k))
		}
		for i := 1; i <= maxNeeds; i++ {
			tn, an := fmt.Sprintf("need.%d.text", i), fmt.Sprintf("need.%d.amount", i)
			text, _ := c.text(tn, c.f.Lang().T("apply.need.text.label", i), maxShortText, false)
			if text != "" || f.Value(an) != "" {
				if m, ok := f.Amount(an, c.f.Lang().T("apply.need.amount.label", i)); ok && m == 0 {
					f.FailKey(an, "apply.need.amount.zero", web.MessageLabel(c.f.Lang().T("apply.need.amount.label", i)))
				}
				if text == "" && f.Error(tn) == "" {
					f.FailKey(tn, "apply.need.text.missing", web.MessageLabel(c.f.Lang().T("apply.need.text.label", i)))
				}
			}
		}
	case "tillgangar":
		f.Amount("bank", c.label("apply.bank.label"))
		if veh, _ := f.OneOf("vehicle", c.label("apply.vehicle.label"), "yes", "no"); veh == "yes" {
			c.text("vehicle_text", c.label("apply.vehicle_text.label"), maxShortText, true)
		}
		if oth, _ := f.OneOf("assets_other", c.label("apply.assets_other.label"), "yes", "no"); oth == "yes" {
			c.text("assets_other_text", c.label("apply.assets_other_text.label"), maxShortText, true)
		}
	case "arbete":
		for _, id := range adultIDs(v) {
			f.OneOf("work."+id, c.f.Lang().T("apply.work.label."+id), workSituations...)
			f.OneOf("af."+id, c.f.Lang().T("apply.af.label."+id), "yes", "no")
			c.certificate(id)
		}
	case "utbetalning":
		if s, ok := f.Required("clearing", c.label("apply.clearing.label")); ok {
			d := accountDigits(s)
			if !digitsOnly.MatchString(d) || len(d) < 4 || len(d) > 5 {
				f.FailKey("clearing", "apply.clearing.invalid", web.MessageLabel(c.label("apply.clearing.label")))
			} else {
				f.Set("clearing", d)
			}
		}
		if s, ok := f.Required("account", c.label("apply.account.label")); ok {
			d := accountDigits(s)
			if !digitsOnly.MatchString(d) || len(d) < 5 || len(d) > 12 {
				f.FailKey("account", "apply.account.invalid", web.MessageLabel(c.label("apply.account.label")))
			} else {
				f.Set("account", d)
			}
		}
	case "ovrigt":
		c.text("signal.other_text", c.label("apply.signal.other.label"), maxTextBytes, false)
		limit := maxTextBytes
		if v.Get("want_person") == "yes" {
			limit -= len(web.Swedish.T("apply.want_person.fact")) + 1
		}
		c.text("message", c.label("apply.message.label"), limit, false)
	}
}

// certificate reads the optional period of adult id's läkarintyg: two
// dates ÅÅÅÅ-MM-DD, both or none, the last not before the first.
func (c *formCheck) certificate(id string) {
	f := c.f
	from, to := "work."+id+".cert_from", "work."+id+".cert_to"
	fromLabel, toLabel := c.label("apply.cert_from.label"), c.label("apply.cert_to.label")
	var dates [2]skalig.Date
	ok := true
	for i, x := range [][2]string{{from, fromLabel}, {to, toLabel}} {
		s := f.Value(x[0])
		if s == "" {
			if f.Value(from) != "" || f.Value(to) != "" {
				f.FailKey(x[0], "form.required", web.MessageLabel(x[1]))
			}
			ok = false
			continue
		}
		d, good := skalig.ParseDate(s)
		if !good {
			f.FailKey(x[0], "apply.date.invalid", web.MessageLabel(x[1]))
			ok = false
			continue
		}
		dates[i] = d
	}
	if ok && dates[1].Before(dates[0]) {
		f.FailKey(to, "apply.cert_to.before", web.MessageLabel(toLabel))
	}
}

// checkAll validates every step that applies, in order, and returns the
// steps with errors (f holds them all).
func (c *formCheck) checkAll() []string {
	var bad []string
	for _, s := range stepsFor(c.f.Values) {
		n := len(c.f.Errors())
		c.check(s)
		if len(c.f.Errors()) > n {
			bad = append(bad, s)
		}
	}
	return bad
}

// buildApplication makes the application of a draft whose values have
// passed checkAll: the members (the applicant p1, the co-applicant p2, the
// children c1...) and the facts declared, all for month. The same values
// always give the same application, so that both signatures cover the
// same ContentHash.
func buildApplication(v url.Values, self skalig.PersonalNumber, municipality string, kind skalig.ApplicationKind,
	month skalig.Month, key string, today skalig.Date) (*skalig.Application, error) {
	app := &skalig.Application{Municipality: municipality, Kind: kind, Month: month, IdempotencyKey: key}
	app.Members = append(app.Members, skalig.Member{ID: "p1", PersonalNumber: self, Role: skalig.RoleApplicant})
	if hasPartner(v) {
		pn, err := skalig.ParsePersonalNumber(v.Get("partner_pn"), today)
		if err != nil {
			return nil, err
		}
		app.Members = append(app.Members, skalig.Member{ID: "p2", PersonalNumber: pn, Role: skalig.RolePartner})
	}
	add := func(kind, person string, val skalig.FactValue) {
		app.Facts = append(app.Facts, skalig.Fact{Kind: kind, PersonID: person, Period: month, Value: val, Source: skalig.SourceApplicant})
	}
	text := func(kind, person, s string) { add(kind, person, skalig.TextValue(s)) }
	amount := func(kind, person, field string, always bool) error {
		s := strings.TrimFunc(v.Get(field), web.IsSpace)
		if s == "" && !always {
			return nil
		}
		m, err := web.ParseAmount(field, field, s)
		if err != nil {
			return err
		}
		if m > 0 || always {
			add(kind, person, skalig.AmountValue(m))
		}
		return nil
	}
	for i := 1; i <= childCount(v); i++ {
		id := fmt.Sprintf("c%d", i)
		pn, err := skalig.ParsePersonalNumber(v.Get(fmt.Sprintf("child.%d.pn", i)), today)
		if err != nil {
			return nil, err
		}
		app.Members = append(app.Members, skalig.Member{ID: id, PersonalNumber: pn, Role: skalig.RoleChild})
		if v.Get(fmt.Sprintf("child.%d.preschool", i)) == "yes" {
			text(skalig.KindLunchAtHome, id, "no")
		}
		if v.Get(fmt.Sprintf("child.%d.school", i)) == "yes" {
			text(skalig.KindInSchool, id, "yes")
		}
		if d := strings.TrimSpace(v.Get(fmt.Sprintf("child.%d.days", i))); d != "" {
			if n, err := strconv.Atoi(d); err == nil && n < month.Days() {
				text(skalig.KindDaysPresent, id, strconv.Itoa(n))
			}
		}
	}
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if v.Get("housing") != "none" {
		keep(amount(skalig.KindCostPrefix+"housing", "", "rent", false))
	}
	if v.Get("housing") == "lodger" {
		text(skalig.KindDwellingSize, "", strings.TrimSpace(v.Get("dwelling_size")))
	}
	if v.Get("housing") == "rental" && v.Get("sublet") == "yes" {
		// The consent is shown by the document, which the applicant sends
		// when asked (routing: sublet_consent_missing from 2027).
		text(skalig.KindSublet, "", "yes")
		if c := v.Get("sublet_consent"); c == "yes" || c == "no" {
			text(skalig.KindSubletConsent, "", c)
		}
	}
	keep(amount(skalig.KindCostPrefix+"electricity", "", "electricity", false))
	keep(amount(skalig.KindCostPrefix+"home_insurance", "", "insurance", false))
	for _, k := range extraCosts {
		keep(amount(skalig.KindCostPrefix+k, "", "cost."+k, false))
	}
	for _, id := range adultIDs(v) {
		for _, k := range incomeKinds {
			keep(amount(skalig.KindIncomePrefix+k, id, "income."+id+"."+k, false))
		}
	}
	n := 0
	for i := 1; i <= maxNeeds; i++ {
		t := strings.TrimSpace(v.Get(fmt.Sprintf("need.%d.text", i)))
		if t == "" {
			continue
		}
		n++
		keep(amount(fmt.Sprintf("%s%d", skalig.KindOtherNeedPrefix, n), "", fmt.Sprintf("need.%d.amount", i), true))
		text(fmt.Sprintf("%s%d.text", skalig.KindOtherNeedPrefix, n), "", t)
	}
	keep(amount(skalig.KindAssetBank, "", "bank", true))
	if v.Get("vehicle") == "yes" {
		text(skalig.KindAssetVehicle, "", v.Get("vehicle_text"))
	}
	if v.Get("assets_other") == "yes" {
		text(skalig.KindAssetOther, "", v.Get("assets_other_text"))
	}
	for _, id := range adultIDs(v) {
		text(skalig.KindWorkSituation, id, v.Get("work."+id))
		text(skalig.KindAFRegistered, id, v.Get("af."+id))
		// The läkarintyg's period as declared: the certificate itself is
		// asked for in Mina sidor (routing: medical_certificate_missing).
		if from, to := v.Get("work."+id+".cert_from"), v.Get("work."+id+".cert_to"); v.Get("work."+id) == "sick" && from != "" && to != "" {
			text(skalig.KindMedicalCertFrom, id, from)
			text(skalig.KindMedicalCertTo, id, to)
		}
	}
	text(skalig.KindPaymentAccount, "", accountDigits(v.Get("clearing"))+"-"+accountDigits(v.Get("account")))
	signals := map[string]string{"eviction": skalig.KindSignalEviction, "children": skalig.KindSignalChildrenRisk, "violence": skalig.KindSignalViolence}
	for _, s := range signalKinds {
		if v.Get("signal."+s) == "yes" {
			text(signals[s], "", "yes")
		}
	}
	if t := strings.TrimSpace(v.Get("signal.other_text")); t != "" {
		text(skalig.KindSignalOther, "", t)
	}
	msg := strings.TrimSpace(v.Get("message"))
	if v.Get("want_person") == "yes" {
		msg = strings.TrimSpace(web.Swedish.T("apply.want_person.fact") + " " + msg)
	}
	if msg != "" {
		text(skalig.KindMessage, "", msg)
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return app, nil
}

// amountValue writes m as a person types it into an amount field: "7 200",
// "350,50".
func amountValue(m skalig.Money) string {
	s := strings.TrimSuffix(m.Swedish(), "\u00a0kr")
	return strings.ReplaceAll(s, "\u00a0", " ")
}

// prefill returns the values of a monthly re-application made from an
// earlier application in which me was the applicant or the co-applicant:
// the household, housing, incomes, costs, assets, work and account as they
// were. Needs, signals and messages, which concern one month, are left out.
// me becomes the applicant (p1) and the other adult the co-applicant.
func prefill(app *skalig.Application, me skalig.PersonalNumber) url.Values {
	v := url.Values{}
	ids := map[string]string{}
	children := 0
	for _, m := range app.Members {
		switch {
		case m.PersonalNumber.Canonical() == me.Canonical():
			ids[m.ID] = "p1"
		case m.Role == skalig.RoleChild:
			children++
			ids[m.ID] = fmt.Sprintf("c%d", children)
			v.Set(fmt.Sprintf("child.%d.pn", children), formatPN(m.PersonalNumber))
		default:
			ids[m.ID] = "p2"
			v.Set("partner", "yes")
			v.Set("partner_pn", formatPN(m.PersonalNumber))
		}
	}
	if v.Get("partner") == "" {
		v.Set("partner", "no")
	}
	v.Set("children", strconv.Itoa(children))
	child := func(id string) string { return strings.TrimPrefix(id, "c") }
	housing := ""
	for _, f := range app.Facts {
		if f.Source != skalig.SourceApplicant {
			continue
		}
		id := ids[f.PersonID]
		switch {
		case strings.HasPrefix(f.Kind, skalig.KindIncomePrefix) && !f.Value.IsText && id != "":
			k := strings.TrimPrefix(f.Kind, skalig.KindIncomePrefix)
			if slices.Contains(incomeKinds, k) && (id == "p1" || id == "p2") {
				v.Set("income."+id+"."+k, amountValue(f.Value.Amount))
			}
		case f.Kind == skalig.KindCostPrefix+"housing":
			v.Set("rent", amountValue(f.Value.Amount))
		case f.Kind == skalig.KindCostPrefix+"electricity":
			v.Set("electricity", amountValue(f.Value.Amount))
		case f.Kind == skalig.KindCostPrefix+"home_insurance":
			v.Set("insurance", amountValue(f.Value.Amount))
		case strings.HasPrefix(f.Kind, skalig.KindCostPrefix) && slices.Contains(extraCosts, strings.TrimPrefix(f.Kind, skalig.KindCostPrefix)):
			v.Set(f.Kind, amountValue(f.Value.Amount))
		case f.Kind == skalig.KindDwellingSize:
			v.Set("dwelling_size", f.Value.Text)
			housing = "lodger"
		case f.Kind == skalig.KindAssetBank:
			v.Set("bank", amountValue(f.Value.Amount))
		case f.Kind == skalig.KindAssetVehicle:
			v.Set("vehicle", "yes")
			v.Set("vehicle_text", f.Value.Text)
		case f.Kind == skalig.KindAssetOther:
			v.Set("assets_other", "yes")
			v.Set("assets_other_text", f.Value.Text)
		case f.Kind == skalig.KindWorkSituation && (id == "p1" || id == "p2"):
			v.Set("work."+id, f.Value.Text)
		case f.Kind == skalig.KindAFRegistered && (id == "p1" || id == "p2"):
			v.Set("af."+id, f.Value.Text)
		case f.Kind == skalig.KindMedicalCertFrom && (id == "p1" || id == "p2"):
			v.Set("work."+id+".cert_from", f.Value.Text)
		case f.Kind == skalig.KindMedicalCertTo && (id == "p1" || id == "p2"):
			v.Set("work."+id+".cert_to", f.Value.Text)
		case f.Kind == skalig.KindSublet:
			v.Set("sublet", f.Value.Text)
		case f.Kind == skalig.KindSubletConsent:
			v.Set("sublet_consent", f.Value.Text)
		case f.Kind == skalig.KindPaymentAccount:
			if c, a, ok := strings.Cut(f.Value.Text, "-"); ok {
				v.Set("clearing", c)
				v.Set("account", a)
			}
		case f.Kind == skalig.KindLunchAtHome && strings.HasPrefix(id, "c") && f.Value.Text == "no":
			v.Set("child."+child(id)+".preschool", "yes")
		case f.Kind == skalig.KindInSchool && strings.HasPrefix(id, "c") && f.Value.Text == "yes":
			v.Set("child."+child(id)+".school", "yes")
		case f.Kind == skalig.KindDaysPresent && strings.HasPrefix(id, "c"):
			v.Set("child."+child(id)+".days", f.Value.Text)
		}
	}
	for _, k := range []string{"vehicle", "assets_other"} {
		if v.Get(k) == "" {
			v.Set(k, "no")
		}
	}
	// How the household lives is not a fact of the application; a rent
	// is most often a rented home, and the review shows the guess for the
	// applicant to correct.
	switch {
	case housing != "":
		v.Set("housing", housing)
	case v.Get("rent") == "":
		v.Set("housing", "none")
	default:
		v.Set("housing", "rental")
	}
	return v
}

// prefillFromDraft returns the values of an earlier draft of me for a new
// month: everything but what concerns one month (needs, signals, the
// message), and nothing of a draft in which me was not the applicant.
func prefillFromDraft(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if strings.HasPrefix(k, "need.") || strings.HasPrefix(k, "signal.") || k == "message" || k == "want_person" || stepOf(k) == "" {
			continue
		}
		out[k] = slices.Clone(vs)
	}
	return out
}
