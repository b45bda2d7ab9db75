package caseworker

import (
	"net/url"
	"sort"
	"strings"

	"skalig"
	"skalig/internal/rules"
	"skalig/internal/web"
)

// The facts of a case as the caseworker reads them: people, labels,
// values, sources, and the comparison of what was declared with what the
// registers answered.

// cwPN writes a personal number as YYYYMMDD-NNNN.
func cwPN(pn skalig.PersonalNumber) string {
	s := pn.Canonical()
	if len(s) != 12 {
		return s
	}
	return s[:8] + "-" + s[8:]
}

// cwName is a person's name as the pages show it: "Namn okänt" when the
// case has none (an application an API client submitted).
func cwName(l *web.Lang, name string) string {
	if name == "" {
		return l.T("cw.name.unknown")
	}
	return name
}

// cwNumber is the case number people quote, or the internal id of a case
// that has none.
func cwNumber(cs *skalig.Case) string {
	if cs.Number == "" {
		return cs.ID
	}
	return cs.Number
}

// cwRoleLabel names a household member's role.
func cwRoleLabel(l *web.Lang, r skalig.MemberRole) string { return l.T("cw.role." + string(r)) }

// cwPersonLabel names a member by role and id for fact tables.
func cwPersonLabel(l *web.Lang, members []skalig.Member, id string) string {
	if id == "" {
		return l.T("cw.person.household")
	}
	for _, m := range members {
		if m.ID == id {
			return cwRoleLabel(l, m.Role) + " (" + id + ")"
		}
	}
	return id
}

// cwFactLabel names a fact kind for the caseworker, in the page's
// language: a kind of its own ("cw.fact.<kind>" in the catalogs), an income
// or a cost by the calculation's name for it, an other need, a register's
// answer; the kind itself when nothing names it.
func cwFactLabel(l *web.Lang, kind string) string {
	if l.Has("cw.fact." + kind) {
		return l.T("cw.fact." + kind)
	}
	if k, ok := strings.CutPrefix(kind, skalig.KindIncomePrefix); ok {
		if ik, ok := rules.ParseIncomeKind(k); ok && l.Has("income.kind."+ik.String()) {
			k = l.T("income.kind." + ik.String())
		}
		return l.T("cw.fact.income", k)
	}
	if ck, ok := cwApprovedCost(kind); ok {
		return l.T("cw.discretion.approved.heading", cwFactLabel(l, skalig.KindCostPrefix+ck.String()))
	}
	if k, ok := strings.CutPrefix(kind, skalig.KindCostPrefix); ok {
		if ck, _, ok := rules.ParseCostKind(k); ok && l.Has("cost.kind."+ck.String()) {
			k = l.T("cost.kind." + ck.String())
		}
		return l.T("cw.fact.cost", k)
	}
	if k, ok := strings.CutPrefix(kind, skalig.KindOtherNeedPrefix); ok {
		if n, ok := strings.CutSuffix(k, ".text"); ok {
			return l.T("cw.fact.other_need.text", n)
		}
		return l.T("cw.fact.other_need", k)
	}
	if k, ok := strings.CutPrefix(kind, skalig.KindRegisterStatusPrefix); ok {
		if src, ok := strings.CutSuffix(k, ".status"); ok {
			return l.T("cw.fact.register_status", cwRegisterName(l, src))
		}
	}
	return kind
}

// cwFactLabelIn is cwFactLabel with what the case's facts tell: an other
// need is named by what the applicant wrote it is for ("Annat behov 1:
// Glasögon"), not only by its number.
func cwFactLabelIn(l *web.Lang, kind string, facts []skalig.Fact) string {
	if n, ok := strings.CutPrefix(kind, skalig.KindOtherNeedPrefix); ok && !strings.Contains(n, ".") {
		text := ""
		for _, f := range facts { // the latest counts
			if f.Kind == kind+".text" && f.Value.IsText && strings.TrimSpace(f.Value.Text) != "" {
				text = strings.TrimSpace(f.Value.Text)
			}
		}
		if text != "" {
			return l.T("cw.fact.other_need.named", n, text)
		}
	}
	return cwFactLabel(l, kind)
}

// cwRegisterName names register src in the page's language.
func cwRegisterName(l *web.Lang, src string) string {
	if l.Has("register." + src + ".name") {
		return l.T("register."+src+".name", skalig.RegisterSwedishName(src))
	}
	return skalig.RegisterSwedishName(src)
}

// cwSourceLabel names a fact source for the caseworker, in the page's
// language.
func cwSourceLabel(l *web.Lang, s skalig.FactSource) string {
	switch s {
	case skalig.SourceApplicant, skalig.SourceCaseworker, skalig.SourceSystem:
		return l.T("cw.source." + string(s))
	}
	if n, ok := s.Register(); ok {
		return web.Capitalize(cwRegisterName(l, n))
	}
	return string(s)
}

// cwFactValue writes a fact's value for a reader: an amount as money, a
// coded value (yes, unemployed, answered, unknown_person, …) in the page's
// language ("cw.value.<code>" in the catalogs), other text as written.
func cwFactValue(l *web.Lang, v skalig.FactValue) string {
	if !v.IsText {
		return l.Money(v.Amount)
	}
	if cwIsCode(v.Text) && l.Has("cw.value."+v.Text) {
		return l.T("cw.value." + v.Text)
	}
	if strings.Contains(v.Text, ",") { // a list: "unknown,2026-05"
		parts := strings.Split(v.Text, ",")
		for i, p := range parts {
			if cwIsCode(p) && l.Has("cw.value."+p) {
				parts[i] = l.T("cw.value." + p)
			}
		}
		return strings.Join(parts, ", ")
	}
	return v.Text
}

// cwIsCode reports whether s looks like a code rather than words: lower
// case ASCII letters and underscores.
func cwIsCode(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// cwTraceSource names the source of a line of the calculation trace
// (parameter, rule, applicant, register, caseworker) in the page's
// language.
func cwTraceSource(l *web.Lang, src string) string {
	if cwIsCode(src) && l.Has("cw.trace.source."+src) {
		return l.T("cw.trace.source." + src)
	}
	return src
}

// cwAdjustable reports whether a caseworker may adjust facts of kind: an
// income, a cost or another need of the month.
func cwAdjustable(kind string) bool {
	if strings.HasSuffix(kind, ".text") || kind == skalig.KindEarnedEarlier {
		return false
	}
	return strings.HasPrefix(kind, skalig.KindIncomePrefix) || strings.HasPrefix(kind, skalig.KindCostPrefix) ||
		strings.HasPrefix(kind, skalig.KindOtherNeedPrefix) || kind == skalig.KindAssetBank
}

// cwComparison puts the declared and the register figures of the month side
// by side, per kind and person, with the caseworker's where there is one.
func cwComparison(l *web.Lang, cs *skalig.Case, members []skalig.Member, facts []skalig.Fact, names map[string]string) []cwCompareRow {
	type key struct{ kind, person string }
	m := map[key]*skalig.SourceSums{}
	var order []key
	for _, f := range facts {
		if f.Period != cs.Month || f.Value.IsText || !cwAdjustable(f.Kind) {
			continue
		}
		k := key{f.Kind, f.PersonID}
		s := m[k]
		if s == nil {
			s = &skalig.SourceSums{}
			m[k] = s
			order = append(order, k)
		}
		s.Add(&f)
	}
	sort.SliceStable(order, func(i, j int) bool {
		gi, gj := cwKindGroup(order[i].kind), cwKindGroup(order[j].kind)
		if gi != gj {
			return gi < gj
		}
		if order[i].kind != order[j].kind {
			return order[i].kind < order[j].kind
		}
		return order[i].person < order[j].person
	})
	var out []cwCompareRow
	for _, k := range order {
		s := m[k]
		row := cwCompareRow{
			Label: cwFactLabelIn(l, k.kind, facts), Person: cwPersonLabel(l, members, k.person),
			HasDeclared: s.HasDeclared, HasReg: s.HasRegister,
		}
		if s.HasDeclared {
			row.Declared = l.Money(s.Declared)
		}
		if s.HasRegister {
			row.Register = l.Money(s.Register)
			var ns []string
			for _, r := range s.Registers {
				ns = append(ns, skalig.RegisterSwedishName(r))
			}
			row.RegisterSources = strings.Join(ns, ", ")
		}
		if s.HasCaseworker {
			row.Caseworker = l.Money(s.Caseworker)
			row.CaseworkerRecordedBy = names[s.CaseworkerBy]
			if row.CaseworkerRecordedBy == "" {
				row.CaseworkerRecordedBy = s.CaseworkerBy
			}
		}
		if s.HasRegister && s.Declared != s.Register && (s.HasDeclared || strings.HasPrefix(k.kind, skalig.KindIncomePrefix)) {
			row.Differs = true
			d := s.Register - s.Declared
			sign := "+"
			if d < 0 {
				sign, d = "−", -d
			}
			row.Difference = sign + l.Money(d)
		}
		v := url.Values{"post": {k.kind}}
		if k.person != "" {
			v.Set("person", k.person)
		}
		row.AdjustURL = cwCaseURL(cs.ID) + "/justera?" + v.Encode()
		out = append(out, row)
	}
	return out
}

// cwKindGroup orders incomes, costs, other needs and assets.
func cwKindGroup(kind string) int {
	switch {
	case strings.HasPrefix(kind, skalig.KindIncomePrefix):
		return 0
	case strings.HasPrefix(kind, skalig.KindCostPrefix):
		return 1
	case strings.HasPrefix(kind, skalig.KindOtherNeedPrefix):
		return 2
	}
	return 3
}
