package caseworker

import (
	"net/http"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
)

// The conditions page (villkor): a caseworker records what a document or
// an inquiry shows about a condition the routing checks: a läkarintyg's
// period, activity with its validity, an exemption from the activity
// requirement, lawful residence, the consent to a sublet, and a person's
// months of aid before Skälig (jobbstimulans history). Each is a caseworker
// fact with a reason (workflow.AdjustFacts), after which the case is
// calculated and routed again.

// cwConditions are the conditions in the order the page lists them.
var cwConditions = []string{"certificate", "activity", "exemption", "residence", "sublet_consent", "aid_months"}

// cwExemptions are the grounds of exemption from the activity requirement
// a caseworker may record: full-time employment and schooling at 18-20
// (exemptions of the law that no register shows), and the grounds a
// caseworker judges (rules.ActivityRequirement).
var cwExemptions = []string{"full_time_work", "school_18_20", "care_of_small_child", "studies_with_aid", "illness", "other"}

// cwConditionsView is the data of the conditions page.
type cwConditionsView struct {
	Head       *cwHead
	Conditions []string
	Exemptions []string
	Adults     []cwPersonOption
	Members    []cwPersonOption
	// PersonOptions are the members as the form's choices.
	PersonOptions []web.Option
}

type cwPersonOption struct{ ID, Label string }

func (v *cwConditionsView) caseHead() *cwHead { return v.Head }

func (c *Desk) handleConditions(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, ok := c.loadCase(w, r, p)
	if !ok {
		return
	}
	l := web.LangFrom(r.Context())
	h, err := c.head(r.Context(), l, p, cs)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	v := &cwConditionsView{Head: h, Conditions: cwConditions, Exemptions: cwExemptions}
	for _, m := range h.Members {
		o := cwPersonOption{ID: m.ID, Label: cwPersonLabel(l, h.Members, m.ID)}
		v.Members = append(v.Members, o)
		v.PersonOptions = append(v.PersonOptions, web.Option{Value: o.ID, Label: o.Label})
		if m.Role != skalig.RoleChild {
			v.Adults = append(v.Adults, o)
		}
	}
	pg := c.Page(r, p, l.T("cw.conditions.title"), v)
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		if len(v.Adults) > 0 {
			f.Set("person", v.Adults[0].ID)
		}
		pg.Form = f
		c.render(w, r, http.StatusOK, "cw-conditions", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	facts := cwConditionFacts(f, l, v)
	reason, _ := f.Required("reason", l.T("cw.adjust.reason"))
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-conditions", f, nil)
		return
	}
	for i := range facts {
		facts[i].Period = cs.Month
	}
	if _, err := c.wf.AdjustFacts(r.Context(), cs.ID, formVersion(f), cwPolicyActor(p), facts, reason); err != nil {
		c.FormError(w, r, pg, "cw-conditions", f, err)
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), "villkor")
}

// cwConditionFacts reads the condition chosen in f and returns its facts;
// the errors, in the reader's language and naming the field, are in f.
func cwConditionFacts(f *web.Form, l *web.Lang, v *cwConditionsView) []skalig.Fact {
	what, ok := f.OneOf("condition", l.T("cw.conditions.condition"), cwConditions...)
	if !ok {
		return nil
	}
	person := func(options []cwPersonOption) string {
		ids := make([]string, len(options))
		for i, o := range options {
			ids[i] = o.ID
		}
		id, _ := f.OneOf("person", l.T("cw.conditions.person"), ids...)
		return id
	}
	date := func(name string) string {
		s, ok := f.Required(name, l.T("cw.conditions."+name))
		if !ok {
			return ""
		}
		d, ok := skalig.ParseDate(s)
		if !ok {
			f.FailKey(name, "cw.conditions.date.invalid", web.MessageLabel(l.T("cw.conditions."+name)))
			return ""
		}
		return d.String()
	}
	yesNo := func(name string) string {
		s, _ := f.OneOf(name, l.T("cw.conditions."+name), "yes", "no")
		return s
	}
	text := func(kind, id, s string) skalig.Fact {
		return skalig.Fact{Kind: kind, PersonID: id, Value: skalig.TextValue(s)}
	}
	switch what {
	case "certificate":
		id, from, to := person(v.Adults), date("from"), date("to")
		if from != "" && to != "" && to < from {
			f.FailKey("to", "cw.conditions.to.before", web.MessageLabel(l.T("cw.conditions.to")))
		}
		return []skalig.Fact{text(skalig.KindMedicalCertFrom, id, from), text(skalig.KindMedicalCertTo, id, to)}
	case "activity":
		id := person(v.Adults)
		ev, _ := f.Required("evidence", l.T("cw.conditions.evidence"))
		until := date("until")
		return []skalig.Fact{text(skalig.KindActivityEvidence, id, ev), text(skalig.KindActivityValidUntil, id, until)}
	case "exemption":
		id := person(v.Adults)
		g, _ := f.OneOf("ground", l.T("cw.conditions.ground"), cwExemptions...)
		return []skalig.Fact{text(skalig.KindActivityExemption, id, g)}
	case "residence":
		return []skalig.Fact{text(skalig.KindLawfulResidence, person(v.Members), yesNo("lawful"))}
	case "sublet_consent":
		return []skalig.Fact{text(skalig.KindSubletConsent, "", yesNo("consent"))}
	case "aid_months":
		id := person(v.Adults)
		s, ok := f.Required("months", l.T("cw.conditions.months"))
		if ok {
			s = strings.Join(strings.Fields(strings.ReplaceAll(s, ",", " ")), ",")
		}
		return []skalig.Fact{text(skalig.KindPersonAidMonths, id, s)}
	}
	return nil
}
