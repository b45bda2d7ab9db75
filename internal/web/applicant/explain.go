package applicant

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/rules"
	"skalig/internal/web"
)

// The explanation of a decision: every line of the calculation's trace as a
// plain sentence in the page's language with its amount, where the figure
// came from (you, Försäkringskassan, the riksnorm for the year, the
// municipality's guidelines, the caseworker) and the law. The engine's own
// Swedish sentence is kept under each line, so that nothing of the trace is
// lost in translation.

// explainLine is one line of the explanation.
type explainLine struct {
	Sentence string
	Amount   skalig.Money
	// HasAmount is false for a line that only notes something (the
	// guidelines used, a reason for review).
	HasAmount bool
	Source    string
	Law       string // the legal reference, in Swedish
	Parameter string
	Detail    string // the engine's sentence, in Swedish
	Total     bool   // a sum: the norm, the costs, the incomes, the need, the aid
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
	ParamSet  string
	Engine    string
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
	"child_earnings_exemption", "need", "rounding", "aid", "aid.none", "surplus", "review_reason", "cost", "income",
	"income.household", "other"}

// handleExplanation is the explanation of a case's decision. Before the
// decision there is nothing to explain yet: the page says so.
func (a *applicant) handleExplanation(w http.ResponseWriter, r *http.Request) {
	p, ok := a.person(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if !a.ownCase(w, r, p, id) {
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
		ev.ParamSet, ev.Engine, ev.Reasons = rec.ParamSet, rec.EngineVersion, d.Reasons
		ev.Lines = explain(pg.Lang, trace, rec.Members, rec.Facts, rec.Month)
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

// explain turns the trace lines into the explanation's lines, in language l.
func explain(l *web.Lang, trace []calcformat.Line, members []skalig.Member, facts []skalig.Fact, month skalig.Month) []explainLine {
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
		e := explainLine{Amount: t.Amount, HasAmount: true, Law: lawText(t.Law), Parameter: t.Parameter,
			Detail: t.Text, Total: totals[t.Item]}
		switch item := t.Item; {
		case item == "personal_cost" && couple && byID[t.Person].Role != skalig.RoleChild:
			e.Sentence = l.T("explain.item.personal_cost.couple", amt)
		case item == "personal_cost":
			e.Sentence = l.T("explain.item.personal_cost", who(t.Person), amt)
		case item == "common_household_cost", item == "norm", item == "reasonable_costs", item == "income_counted",
			item == "need", item == "surplus", item == "other_cost":
			e.Sentence = l.T("explain.item."+item, amt)
		case item == "rounding":
			e.Sentence = l.T("explain.item.rounding", amt)
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
		e.Source = explainSource(l, t, facts, month)
		out = append(out, e)
	}
	return out
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
		for _, f := range facts {
			name, ok := f.Source.Register()
			if !ok || f.PersonID != t.Person || (f.Kind != skalig.KindIncomePrefix+t.Item && f.Kind != skalig.KindCostPrefix+t.Item) {
				continue
			}
			n := web.RegisterName(l, name)
			if !contains(names, n) {
				names = append(names, n)
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
