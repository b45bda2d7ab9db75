package caseworker

// The discretionary amounts of the page Justera: a norm adjustment for
// special reasons (SoL 12 kap. 7 § third paragraph), aid beyond the
// calculation (12 kap. 2 §) and the amount approved for a cost above the
// municipality's guideline. The rules are the workflow's
// (workflow.AdjustFacts, the same as POST /api/v1/cases/{id}/adjustments);
// these handlers only read the form and name the fields of its errors.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/rules"
	"skalig/internal/web"
)

// cwBeyondKind is the page's name of the form for aid beyond the
// calculation (the facts it records are beyond.N).
const cwBeyondKind = "beyond"

// cwBeyondRows is the number of items of aid beyond the form offers at once.
const cwBeyondRows = 3

// cwDiscretionLink is a link of the choice page to one of the forms.
type cwDiscretionLink struct {
	Label, URL string
}

// cwDiscretionLinks lists the forms for discretionary amounts: the norm,
// aid beyond, and an approval per cost of the month: "above the guideline"
// for a cost the latest calculation found above it, a higher amount for
// the others.
func cwDiscretionLinks(l *web.Lang, cs *skalig.Case, h *cwHead) []cwDiscretionLink {
	base := cwCaseURL(cs.ID) + "/justera?post="
	out := []cwDiscretionLink{
		{Label: l.T("cw.discretion.norm.link"), URL: base + skalig.KindNormAdjustment},
		{Label: l.T("cw.discretion.beyond.link"), URL: base + cwBeyondKind},
	}
	seen := map[rules.CostKind]bool{}
	for _, f := range h.Facts {
		if f.Period != cs.Month || f.Value.IsText || !strings.HasPrefix(f.Kind, skalig.KindCostPrefix) {
			continue
		}
		k, _, ok := rules.ParseCostKind(strings.TrimPrefix(f.Kind, skalig.KindCostPrefix))
		if !ok || k == rules.OtherCost || k == rules.BeyondCost || seen[k] {
			continue
		}
		seen[k] = true
		kind := skalig.KindCostPrefix + k.String() + skalig.KindApprovedSuffix
		key := "cw.discretion.approved.link.within"
		if h.aboveGuideline[k.String()] {
			key = "cw.discretion.approved.link"
		}
		out = append(out, cwDiscretionLink{Label: l.T(key, web.FactLabel(l, skalig.KindCostPrefix+k.String())), URL: base + kind})
	}
	return out
}

// cwFieldsOf renames the workflow's fields "facts[i].value" (and
// ".kind", ".person") of err to the form's fields names[i], and "reason"
// to reason, so that the error summary links to the field.
func cwFieldsOf(err error, names []string, reason string) error {
	var se *skalig.Error
	if !errors.As(err, &se) || se.Code != skalig.EINVALID {
		return err
	}
	out := *se
	out.Fields = append([]skalig.FieldError(nil), se.Fields...)
	for i, f := range out.Fields {
		if f.Field == "reason" {
			out.Fields[i].Field = reason
			continue
		}
		rest, ok := strings.CutPrefix(f.Field, "facts[")
		if !ok {
			continue
		}
		n, _, _ := strings.Cut(rest, "]")
		if k, err := strconv.Atoi(n); err == nil && k >= 0 && k < len(names) {
			out.Fields[i].Field = names[k]
		}
	}
	if len(out.Fields) > 0 {
		out.Message = out.Fields[0].Message
	}
	return &out
}

// handleDiscretion serves the forms of v.Kind (a norm adjustment, aid
// beyond, an approval above the guideline). It reports false when v.Kind
// is none of them.
func (c *Desk) handleDiscretion(w http.ResponseWriter, r *http.Request, p *auth.Principal, cs *skalig.Case, v *cwAdjustView) bool {
	approved, isApproved := web.ApprovedCost(v.Kind)
	if v.Kind != skalig.KindNormAdjustment && v.Kind != cwBeyondKind && !isApproved {
		return false
	}
	l := web.LangFrom(r.Context())
	v.Person = ""
	switch {
	case v.Kind == skalig.KindNormAdjustment:
		v.Discretion, v.KindLabel = "norm", l.T("cw.discretion.norm.heading")
	case v.Kind == cwBeyondKind:
		v.Discretion, v.KindLabel = "beyond", l.T("cw.discretion.beyond.heading")
		for i := 1; i <= cwBeyondRows; i++ {
			v.BeyondRows = append(v.BeyondRows, strconv.Itoa(i))
		}
	default:
		v.Discretion = "approved"
		v.KindLabel = l.T("cw.discretion.approved.heading", web.FactLabel(l, skalig.KindCostPrefix+approved.String()))
	}
	// What is already granted, the caseworker's latest fact per kind.
	latest := map[string]skalig.Fact{}
	for _, f := range v.Head.Facts {
		if f.Period == cs.Month && f.Source == skalig.SourceCaseworker {
			latest[f.Kind] = f
		}
	}
	if f, ok := latest[v.Kind]; ok && !f.Value.IsText && v.Kind != cwBeyondKind {
		v.Caseworker = l.Money(f.Value.Amount)
	}
	for kind, f := range latest {
		if n, ok := strings.CutPrefix(kind, skalig.KindBeyondPrefix); ok && !f.Value.IsText && v.Kind == cwBeyondKind {
			if _, err := strconv.Atoi(n); err == nil {
				v.Granted = append(v.Granted, latest[kind+".text"].Value.Text+": "+l.Money(f.Value.Amount))
			}
		}
	}
	pg := c.Page(r, p, l.T("cw.adjust.title"), v)
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		f.Set("version", strconv.Itoa(cs.Version))
		f.Set("post", v.Kind)
		if fct, ok := latest[v.Kind]; ok && !fct.Value.IsText {
			a := fct.Value.Amount
			if a < 0 {
				f.Set("direction", "lower")
				a = -a
			} else {
				f.Set("direction", "raise")
			}
			f.Set("amount", cwAmountText(a))
		}
		pg.Form = f
		c.render(w, r, http.StatusOK, "cw-adjust", pg)
		return true
	}
	f := web.NewForm(l, r.PostForm)
	var facts []skalig.Fact
	var names []string
	reasonField := "reason"
	var reason string
	switch v.Discretion {
	case "norm":
		dir, _ := f.OneOf("direction", l.T("cw.discretion.norm.direction"), "raise", "lower")
		amount, _ := f.Amount("amount", l.T("cw.discretion.norm.amount"))
		reason, _ = f.Required("reason", l.T("cw.discretion.reason"))
		if dir == "lower" {
			amount = -amount
		}
		facts = []skalig.Fact{{Kind: skalig.KindNormAdjustment, Value: skalig.AmountValue(amount)}}
		names = []string{"amount"}
	case "approved":
		amount, _ := f.Amount("amount", l.T("cw.discretion.approved.amount"))
		reason, _ = f.Required("reason", l.T("cw.discretion.reason"))
		facts = []skalig.Fact{{Kind: v.Kind, Value: skalig.AmountValue(amount)}}
		names = []string{"amount"}
	case "beyond":
		next := 1
		for kind := range latest {
			n, _, _ := strings.Cut(strings.TrimPrefix(kind, skalig.KindBeyondPrefix), ".")
			if k, err := strconv.Atoi(n); err == nil && strings.HasPrefix(kind, skalig.KindBeyondPrefix) && k >= next {
				next = k + 1
			}
		}
		var reasons []string
		for _, i := range v.BeyondRows {
			tn, an, rn := "text"+i, "amount"+i, "reason"+i
			if f.Value(tn) == "" && f.Value(an) == "" && f.Value(rn) == "" {
				continue
			}
			text, _ := f.Required(tn, l.T("cw.discretion.beyond.text", i))
			amount, _ := f.Amount(an, l.T("cw.discretion.beyond.amount", i))
			why, _ := f.Required(rn, l.T("cw.discretion.beyond.reason", i))
			kind := skalig.KindBeyondPrefix + strconv.Itoa(next)
			next++
			facts = append(facts,
				skalig.Fact{Kind: kind, Value: skalig.AmountValue(amount)},
				skalig.Fact{Kind: kind + ".text", Value: skalig.TextValue(text)},
				skalig.Fact{Kind: kind + skalig.KindReasonSuffix, Value: skalig.TextValue(why)})
			names = append(names, an, tn, rn)
			reasons = append(reasons, why)
			if reasonField == "reason" {
				reasonField = rn
			}
		}
		if len(facts) == 0 && !f.HasErrors() {
			f.FailKey("text1", "form.required", web.MessageLabel(l.T("cw.discretion.beyond.text", "1")))
		}
		reason = strings.Join(reasons, " ")
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-adjust", f, nil)
		return true
	}
	if _, err := c.wf.AdjustFacts(r.Context(), cs.ID, formVersion(f), cwPolicyActor(p), facts, reason); err != nil {
		c.FormError(w, r, pg, "cw-adjust", f, cwFieldsOf(err, names, reasonField))
		return true
	}
	RedirectDone(w, r, cwCaseURL(cs.ID), "justerad")
	return true
}
