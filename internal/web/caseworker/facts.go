package caseworker

import (
	"net/url"
	"sort"
	"strings"

	"skalig"
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
			Label: web.FactLabelIn(l, k.kind, facts), Person: cwPersonLabel(l, members, k.person),
			HasDeclared: s.HasDeclared, HasReg: s.HasRegister,
		}
		if s.HasDeclared {
			row.Declared = l.Money(s.Declared)
		}
		if s.HasRegister {
			row.Register = l.Money(s.Register)
			var ns []string
			for _, r := range s.Registers {
				ns = append(ns, web.RegisterNameIn(l, r))
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
