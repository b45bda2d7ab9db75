package caseworker

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
	"skalig/internal/workflow/casecheck"
)

// The conditions page (villkor): a caseworker records what a document or
// an inquiry shows about a condition the routing checks: a läkarintyg's
// period, activity with its validity, an exemption from the activity
// requirement, lawful residence, the consent to a sublet, and a person's
// months of aid before Skälig (jobbstimulans history). Each is a caseworker
// fact with a reason (workflow.AdjustFacts), after which the case is
// calculated and routed again.

// cwConditions are the conditions in the order the page lists them, and
// cwExemptions the grounds of exemption from the activity requirement a
// caseworker may record: casecheck.Conditions and
// casecheck.ActivityExemptions, which the workflow checks again in AdjustFacts.
var (
	cwConditions = casecheck.Conditions
	cwExemptions = casecheck.ActivityExemptions
)

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
	cs, h, l, ok := c.caseHead(w, r, p)
	if !ok {
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
	cond := cwCondition(f, l, v)
	reason, _ := f.Required("reason", l.T("cw.adjust.reason"))
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-conditions", f, nil)
		return
	}
	if _, err := c.wf.RecordCondition(r.Context(), cs.ID, formVersion(f), cwPolicyActor(p), cond, reason); err != nil {
		c.FormError(w, r, pg, "cw-conditions", f, cwConditionFields(err, cond.What))
		return
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), "villkor")
}

// cwCondition reads the condition chosen in f for workflow.RecordCondition,
// which holds the rules (casecheck.Condition: which facts, the dates, the
// grounds, who in the household). The checks here only give the reader a
// message in their language naming the form's field first; the errors are
// in f.
func cwCondition(f *web.Form, l *web.Lang, v *cwConditionsView) casecheck.Condition {
	what, ok := f.OneOf("condition", l.T("cw.conditions.condition"), cwConditions...)
	if !ok {
		return casecheck.Condition{}
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
	c := casecheck.Condition{What: what}
	switch what {
	case "certificate":
		c.Person, c.From, c.To = person(v.Adults), date("from"), date("to")
		if c.From != "" && c.To != "" && c.To < c.From {
			f.FailKey("to", "cw.conditions.to.before", web.MessageLabel(l.T("cw.conditions.to")))
		}
	case "activity":
		c.Person = person(v.Adults)
		c.Evidence, _ = f.Required("evidence", l.T("cw.conditions.evidence"))
		c.Until = date("until")
	case "exemption":
		c.Person = person(v.Adults)
		c.Ground, _ = f.OneOf("ground", l.T("cw.conditions.ground"), cwExemptions...)
	case "residence":
		c.Person, c.Answer = person(v.Members), yesNo("lawful")
	case "sublet_consent":
		c.Answer = yesNo("consent")
	case "aid_months":
		c.Person = person(v.Adults)
		c.Months, _ = f.Required("months", l.T("cw.conditions.months"))
	}
	return c
}

// cwConditionFields names the form's field of a casecheck.Condition error:
// the yes/no answer is "lawful" or "consent" on the page.
func cwConditionFields(err error, what string) error {
	var se *skalig.Error
	if !errors.As(err, &se) || len(se.Fields) == 0 {
		return err
	}
	out := *se
	out.Fields = slices.Clone(se.Fields)
	for i := range out.Fields {
		if out.Fields[i].Field == "answer" {
			out.Fields[i].Field = map[string]string{"residence": "lawful", "sublet_consent": "consent"}[what]
		}
	}
	return &out
}
