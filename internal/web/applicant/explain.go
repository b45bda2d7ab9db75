package applicant

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/rules"
	"skalig/internal/web"
	"skalig/internal/workflow"
)

// The explanation of a decision: the decided calculation, line by line, as
// plain sentences in the page's language with their amounts, where each
// figure came from (you, Försäkringskassan and the other authorities by
// name, the riksnorm for the year, the municipality's guidelines) and the
// law. What a person changed is shown as such, with the reason they gave:
// an item a caseworker adjusted, and a decided amount other than the
// calculated one, so that the explanation always ends at the amount
// decided. Lines of 0 kr and the rounding to whole kronor are left out;
// the engine's own sentences and the versions of the rules and parameters
// stay in the sealed receipt (and the decision letter), not here.

// explainLine is one line of the explanation.
type explainLine struct {
	Sentence string
	Amount   skalig.Money
	// HasAmount is false for a line that only notes something (the
	// guidelines used, a reason for review).
	HasAmount bool
	Source    string
	Law       string // the legal reference, in Swedish
	Total     bool   // a sum: the norm, the costs, the incomes, the need, the aid
	// ByPerson marks a change a person made: Reasons are their words,
	// in Swedish.
	ByPerson bool
	Reasons  []string
}

// explanationView is the data of the explanation page.
type explanationView struct {
	CaseURL   string
	Month     skalig.Month
	Decided   bool
	Decision  *skalig.Decision
	Automated bool
	Lines     []explainLine
	Aid       skalig.Money
	Reasons   []string
	Contact   web.Contact
}

// totals are the items that sum up the lines before them.
var totals = map[string]bool{"norm": true, "reasonable_costs": true, "income_counted": true, "need": true, "aid": true}

// explainItems are the trace items with a sentence of their own (besides
// the cost and income kinds, which share one each); TestExplainKeys checks
// the catalogs have them.
var explainItems = []string{"personal_cost", "personal_cost.couple", "common_household_cost", "norm", "other_cost",
	"municipal_guidelines", "reasonable_costs", "housing_guideline", "guideline", "jobbstimulans", "income_counted",
	"child_earnings_exemption", "need", "aid", "aid.none", "surplus", "review_reason", "cost", "income",
	"income.household", "other", "decided", "decided.rejected", "granted"}

// handleExplanation is the explanation of a case's decision. Before the
// decision there is nothing to explain yet: the page says so.
func (a *applicant) handleExplanation(w http.ResponseWriter, r *http.Request) {
	p, id, ok := a.caseOf(w, r)
	if !ok {
		return
	}
	// Not Workflow.View: the explanation needs the decision and its
	// receipt only, and reading the receipt is the read that is logged.
	ctx := r.Context()
	c, err := a.cases.Case(ctx, id)
	if err != nil {
		a.s.Error(w, r, err)
		return
	}
	pg := a.s.Page(r)
	pg.Title = pg.T("explain.title", pg.Lang.Month(c.Month))
	ev := &explanationView{CaseURL: CasePathPrefix + id, Month: c.Month, Contact: a.s.Config().Contact}
	d, err := a.cases.CaseDecision(ctx, id)
	switch {
	case err == nil:
		rec, _, err := a.wf.Receipt(ctx, id, reader(p))
		if err != nil {
			a.s.Error(w, r, err)
			return
		}
		var trace []calcformat.Line
		if err := json.Unmarshal(rec.Trace, &trace); err != nil {
			a.s.Error(w, r, fmt.Errorf("receipt trace of case %s: %w", id, err))
			return
		}
		ev.Decision, ev.Decided, ev.Automated = d, true, d.DecidedBy.IsAutomated()
		ev.Reasons = d.Reasons
		adjusted, err := a.adjustmentReasons(ctx, id)
		if err != nil {
			a.s.Error(w, r, err)
			return
		}
		ev.Lines = explain(pg.Lang, trace, rec.Members, rec.Facts, rec.Month, adjusted)
		ev.Lines = append(ev.Lines, decidedLines(pg.Lang, trace, d)...)
		ev.Aid = d.Amount
	case skalig.ErrorCode(err) != skalig.ENOTFOUND:
		a.s.Error(w, r, err)
		return
	default:
		// No decision yet: nothing to explain, and nothing of the case
		// is shown; the read is logged all the same.
		if err := a.cases.LogRead(ctx, reader(p).Actor, id, "web", "explanation"); err != nil {
			a.s.Error(w, r, err)
			return
		}
	}
	pg.Data = ev
	a.s.Render(w, r, http.StatusOK, "applicant_explanation", pg)
}

// decidedLines are the lines after the calculation when the decision
// grants another amount than the calculation gave: who decided it, the
// reasons given, and the amount granted. None when the decision grants
// the calculated amount.
func decidedLines(l *web.Lang, trace []calcformat.Line, d *skalig.Decision) []explainLine {
	var calculated skalig.Money
	for _, t := range trace {
		if t.Item == "aid" {
			calculated = t.Amount
		}
	}
	if d.Amount == calculated {
		return nil
	}
	src := l.T("explain.source.decision.person")
	if d.DecidedBy.IsAutomated() {
		src = l.T("explain.source.decision.automated")
	}
	diff := calculated - d.Amount
	e := explainLine{Amount: -diff, HasAmount: true, Source: src, ByPerson: !d.DecidedBy.IsAutomated(), Reasons: d.Reasons}
	switch {
	case d.Outcome == skalig.OutcomeRejected:
		e.Sentence = l.T("explain.item.decided.rejected", l.Money(calculated))
	case diff > 0:
		e.Sentence = l.T("explain.item.decided", l.Money(diff), l.Money(calculated))
	default:
		e.Sentence = l.T("explain.item.decided.more", l.Money(-diff), l.Money(calculated))
	}
	return []explainLine{e, {Sentence: l.T("explain.item.granted", l.Money(d.Amount)), Amount: d.Amount, HasAmount: true, Total: true,
		Source: src, ByPerson: e.ByPerson}}
}

// explain turns the trace lines into the explanation's lines, in language l.
// adjusted holds the reasons a caseworker gave by fact kind (adjustmentReasons).
func explain(l *web.Lang, trace []calcformat.Line, members []skalig.Member, facts []skalig.Fact, month skalig.Month, adjusted map[string][]string) []explainLine {
	couple := false
	byID := map[string]skalig.Member{}
	for _, m := range members {
		byID[m.ID] = m
		couple = couple || m.Role == skalig.RolePartner
	}
	who := func(id string) string {
		m, ok := byID[id]
		if !ok {
			return ""
		}
		switch m.Role {
		case skalig.RoleApplicant:
			return l.T("explain.person.applicant")
		case skalig.RolePartner:
			return l.T("explain.person.partner")
		}
		return l.T("explain.person.child", int(m.PersonalNumber.BirthDate().Y))
	}
	out := make([]explainLine, 0, len(trace))
	for _, t := range trace {
		amt := l.Money(t.Amount)
		abs := t.Amount
		if abs < 0 {
			abs = -abs
		}
		e := explainLine{Amount: t.Amount, HasAmount: true, Law: lawText(t.Law), Total: totals[t.Item]}
		switch item := t.Item; {
		case item == "rounding":
			continue // whole kronor: the aid line says the amount
		case t.Amount == 0 && !e.Total && !strings.HasSuffix(item, "guideline") && item != "municipal_guidelines" && item != "review_reason":
			continue // nothing to say: an income or cost of 0 kr
		case item == "personal_cost" && couple && byID[t.Person].Role != skalig.RoleChild:
			e.Sentence = l.T("explain.item.personal_cost.couple", amt)
		case item == "personal_cost":
			e.Sentence = l.T("explain.item.personal_cost", who(t.Person), amt)
		case item == "common_household_cost", item == "norm", item == "reasonable_costs", item == "income_counted",
			item == "need", item == "surplus", item == "other_cost":
			e.Sentence = l.T("explain.item."+item, amt)
		case item == "norm_adjustment" && t.Amount < 0:
			e.Sentence = l.T("explain.item.norm_adjustment.lower", l.Money(abs))
		case item == "norm_adjustment":
			e.Sentence = l.T("explain.item.norm_adjustment", amt)
		case item == "beyond_calculation":
			e.Sentence = l.T("explain.item.beyond_calculation", beyondText(t, facts), amt)
		case item == "aid" && t.Amount == 0:
			e.Sentence, e.HasAmount = l.T("explain.item.aid.none"), true
		case item == "aid":
			e.Sentence = l.T("explain.item.aid", amt)
		case item == "municipal_guidelines", item == "housing_guideline", item == "review_reason":
			e.Sentence, e.HasAmount = l.T("explain.item."+item), false
		case item == "jobbstimulans", item == "child_earnings_exemption":
			e.Sentence = l.T("explain.item."+item, who(t.Person), l.Money(abs))
		case strings.HasSuffix(item, "_guideline"):
			k := strings.TrimSuffix(item, "_guideline")
			e.Sentence = l.T("explain.item.guideline", costName(l, k), l.Money(abs))
		case isCostKind(item):
			e.Sentence = l.T("explain.item.cost", costName(l, item), amt)
		case isIncomeKind(item) && who(t.Person) != "":
			e.Sentence = l.T("explain.item.income", l.T("income.kind."+item), who(t.Person), amt)
		case isIncomeKind(item):
			e.Sentence = l.T("explain.item.income.household", l.T("income.kind."+item), amt)
		default:
			e.Sentence = l.T("explain.item.other", amt)
		}
		if !e.Total || t.Source != "rule" {
			e.Source = explainSource(l, t, facts, month) // a sum needs no source
		}
		if t.Source == "caseworker" {
			e.ByPerson, e.Reasons = true, lineReasons(t, facts, adjusted)
		}
		out = append(out, e)
	}
	return out
}

// adjustmentReasons returns the reasons caseworkers gave for their
// adjustments of case id (workflow.AdjustFacts), by fact kind.
func (a *applicant) adjustmentReasons(ctx context.Context, id string) (map[string][]string, error) {
	recs, err := a.cases.Records(ctx, id, workflow.RecordAdjustment)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range recs {
		var body struct {
			Reason string   `json:"reason"`
			Kinds  []string `json:"kinds"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || body.Reason == "" {
			continue
		}
		for _, k := range body.Kinds {
			if !contains(out[k], body.Reason) {
				out[k] = append(out[k], body.Reason)
			}
		}
	}
	return out, nil
}

// lineReasons are the reasons a caseworker gave for the facts behind trace
// line t: their adjustments of its kind, and the reason facts the receipt
// keeps for a discretionary amount.
func lineReasons(t calcformat.Line, facts []skalig.Fact, adjusted map[string][]string) []string {
	var out []string
	add := func(r string) {
		if r != "" && !contains(out, r) {
			out = append(out, r)
		}
	}
	// The discretionary kinds behind the line: the norm adjustment, the item
	// of aid beyond, the amount approved above a guideline. Their reasons
	// are the reason facts, one per item.
	behind := map[string]bool{
		skalig.KindCostPrefix + t.Item + skalig.KindApprovedSuffix: true,
	}
	switch t.Item {
	case "norm_adjustment":
		behind[skalig.KindNormAdjustment] = true
	case "beyond_calculation":
		if k := beyondKind(t, facts); k != "" {
			behind[k] = true
		}
	}
	discretionary := t.Item == "norm_adjustment" || t.Item == "beyond_calculation"
	for kind, rs := range adjusted {
		if !discretionary && (kind == t.Item || strings.HasSuffix(kind, "."+t.Item)) {
			for _, r := range rs {
				add(r)
			}
		}
	}
	for _, f := range facts {
		if f.Source != skalig.SourceCaseworker || !f.Value.IsText || !strings.HasSuffix(f.Kind, skalig.KindReasonSuffix) {
			continue
		}
		kind := strings.TrimSuffix(f.Kind, skalig.KindReasonSuffix)
		if (behind[kind] || !discretionary && (kind == t.Item || strings.HasSuffix(kind, "."+t.Item))) &&
			(f.PersonID == "" || t.Person == "" || f.PersonID == t.Person) {
			add(f.Value.Text)
		}
	}
	slices.Sort(out)
	return out
}

// beyondKind is the fact kind ("beyond.N") of the item of aid beyond the
// calculation that trace line t is about: the one whose text the line
// names, "(text)".
func beyondKind(t calcformat.Line, facts []skalig.Fact) string {
	for _, f := range facts {
		if id, ok := strings.CutSuffix(f.Kind, ".text"); ok && strings.HasPrefix(id, skalig.KindBeyondPrefix) && f.Value.IsText &&
			f.Value.Text != "" && strings.Contains(t.Text, "("+f.Value.Text+")") {
			return id
		}
	}
	return ""
}

// beyondText is what the item of aid beyond of trace line t is for.
func beyondText(t calcformat.Line, facts []skalig.Fact) string {
	k := beyondKind(t, facts)
	for _, f := range facts {
		if k != "" && f.Kind == k+".text" && f.Value.IsText {
			return f.Value.Text
		}
	}
	return "–"
}

func isCostKind(item string) bool {
	k, _, ok := rules.ParseCostKind(item)
	return ok && k != rules.OtherCost
}

func isIncomeKind(item string) bool {
	_, ok := rules.ParseIncomeKind(item)
	return ok
}

// costName names a cost kind of the calculation format in l.
func costName(l *web.Lang, kind string) string { return l.T("cost.kind." + kind) }

// explainSource says where a line's figure came from, in plain words. A
// register figure is named by the register that gave it, found among the
// facts the calculation used.
func explainSource(l *web.Lang, t calcformat.Line, facts []skalig.Fact, month skalig.Month) string {
	switch t.Source {
	case "applicant":
		return l.T("explain.source.applicant")
	case "caseworker":
		return l.T("explain.source.caseworker")
	case "parameter":
		return l.T("explain.source.parameter", month.Year())
	case "register":
		var names []string
		for _, samePerson := range []bool{true, false} {
			for _, f := range facts {
				name, ok := f.Source.Register()
				if !ok || samePerson && f.PersonID != t.Person || (f.Kind != skalig.KindIncomePrefix+t.Item && f.Kind != skalig.KindCostPrefix+t.Item) {
					continue
				}
				n := web.RegisterName(l, name)
				if !contains(names, n) {
					names = append(names, n)
				}
			}
			if len(names) > 0 {
				break
			}
		}
		if len(names) == 0 {
			if reg, ok := incomeRegister[t.Item]; ok {
				names = append(names, web.RegisterName(l, reg))
			}
		}
		if len(names) == 0 {
			return l.T("explain.source.register_unknown")
		}
		return l.T("explain.source.register", strings.Join(names, ", "))
	}
	if strings.HasSuffix(t.Item, "guideline") || t.Item == "municipal_guidelines" {
		return l.T("explain.source.guidelines")
	}
	return l.T("explain.source.rule")
}

// incomeRegister is the authority that pays (and reports) each kind of
// income, to name it when the receipt's facts do not: the explanation
// never says only "another authority".
var incomeRegister = map[string]string{
	"activity_support": skalig.RegisterFK, "child_allowance": skalig.RegisterFK, "housing_allowance": skalig.RegisterFK,
	"maintenance_support": skalig.RegisterFK, "parental_benefit": skalig.RegisterFK, "sickness_benefit": skalig.RegisterFK,
	"pension": skalig.RegisterFK, "student_grant": skalig.RegisterCSN, "unemployment_benefit": skalig.RegisterAkassa,
	"salary_net": skalig.RegisterSKV, "tax_refund": skalig.RegisterSKV,
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// lawText writes the engine's legal reference in words: "SoL (2025:400)
// 12 kap. 1 §" is "socialtjänstlagen (2025:400) 12 kap. 1 §".
func lawText(law string) string {
	r := strings.NewReplacer("SoL (", "socialtjänstlagen (", "SoF (", "socialtjänstförordningen (",
		"SOSFS 2013:1", "Socialstyrelsens allmänna råd (SOSFS 2013:1)")
	return r.Replace(law)
}
