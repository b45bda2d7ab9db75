package web

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"skalig"
	"skalig/internal/rules"
)

// The names of facts as the staff's pages show them, in the page's
// language: kinds, values, sources and registers ("cw.fact.*", "cw.value.*",
// "cw.source.*" and "register.*" in the catalogs).

// FactLabel names a fact kind for the caseworker, in the page's
// language: a kind of its own ("cw.fact.<kind>" in the catalogs), an income
// or a cost by the calculation's name for it, an other need, a register's
// answer; the kind itself when nothing names it.
func FactLabel(l *Lang, kind string) string {
	if l.Has("cw.fact." + kind) {
		return l.T("cw.fact." + kind)
	}
	if k, ok := strings.CutPrefix(kind, skalig.KindIncomePrefix); ok {
		if ik, ok := rules.ParseIncomeKind(k); ok && l.Has("income.kind."+ik.String()) {
			k = l.T("income.kind." + ik.String())
		}
		return l.T("cw.fact.income", k)
	}
	if ck, ok := ApprovedCost(kind); ok {
		return l.T("cw.discretion.approved.heading", FactLabel(l, skalig.KindCostPrefix+ck.String()))
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
			return l.T("cw.fact.register_status", RegisterNameIn(l, src))
		}
	}
	return kind
}

// FactLabelIn is FactLabel with what the case's facts tell: an other
// need is named by what the applicant wrote it is for ("Annat behov 1:
// Glasögon"), not only by its number.
func FactLabelIn(l *Lang, kind string, facts []skalig.Fact) string {
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
	return FactLabel(l, kind)
}

// RegisterNameIn names register src in the page's language as running
// text names it (RegisterName is the capitalised form of a heading).
func RegisterNameIn(l *Lang, src string) string {
	if l.Has("register." + src + ".name") {
		return l.T("register."+src+".name", skalig.RegisterSwedishName(src))
	}
	return skalig.RegisterSwedishName(src)
}

// RegisterNamesIn is RegisterNameIn of each of srcs.
func RegisterNamesIn(l *Lang, srcs []string) []string {
	out := make([]string, len(srcs))
	for i, src := range srcs {
		out[i] = RegisterNameIn(l, src)
	}
	return out
}

// SourceLabel names a fact source for the caseworker, in the page's
// language.
func SourceLabel(l *Lang, s skalig.FactSource) string {
	switch s {
	case skalig.SourceApplicant, skalig.SourceCaseworker, skalig.SourceSystem:
		return l.T("cw.source." + string(s))
	}
	if n, ok := s.Register(); ok {
		return Capitalize(RegisterNameIn(l, n))
	}
	return string(s)
}

// FactValue writes a fact's value for a reader: an amount as money, a
// coded value (yes, unemployed, answered, unknown_person, …) in the page's
// language ("cw.value.<code>" in the catalogs), other text as written.
func FactValue(l *Lang, v skalig.FactValue) string {
	if !v.IsText {
		return l.Money(v.Amount)
	}
	if IsCode(v.Text) && l.Has("cw.value."+v.Text) {
		return l.T("cw.value." + v.Text)
	}
	if strings.Contains(v.Text, ",") { // a list: "unknown,2026-05"
		parts := strings.Split(v.Text, ",")
		for i, p := range parts {
			if IsCode(p) && l.Has("cw.value."+p) {
				parts[i] = l.T("cw.value." + p)
			}
		}
		return strings.Join(parts, l.T(skalig.DetailSepComma))
	}
	return v.Text
}

// IsCode reports whether s looks like a code rather than words: lower
// case ASCII letters and underscores.
func IsCode(s string) bool {
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

// TraceSource names the source of a line of the calculation trace
// (parameter, rule, applicant, register, caseworker) in the page's
// language.
func TraceSource(l *Lang, src string) string {
	if IsCode(src) && l.Has("cw.trace.source."+src) {
		return l.T("cw.trace.source." + src)
	}
	return src
}

// ApprovedCost returns the cost kind whose amount above the guideline
// kind ("cost.housing.approved") approves.
func ApprovedCost(kind string) (rules.CostKind, bool) {
	name, ok := strings.CutSuffix(strings.TrimPrefix(kind, skalig.KindCostPrefix), skalig.KindApprovedSuffix)
	if !ok || !strings.HasPrefix(kind, skalig.KindCostPrefix) {
		return 0, false
	}
	k, _, ok := rules.ParseCostKind(name)
	return k, ok && k != rules.OtherCost && k != rules.BeyondCost
}

// FactKindValue is FactValue knowing the fact's kind: a citizenship's
// country codes ("SE,FI") are written as the countries' names.
func FactKindValue(l *Lang, kind string, v skalig.FactValue) string {
	if kind == skalig.KindCitizenship && v.IsText {
		return CountryNames(l, v.Text)
	}
	return FactValue(l, v)
}

// CountryNames writes a list of ISO 3166-1 alpha-2 codes ("SE,FI") by the
// countries' names in the page's language (CLDR's, golang.org/x/text); a
// code without a name stays as written.
func CountryNames(l *Lang, codes string) string {
	names := display.Regions(l.tag)
	var out []string
	for _, c := range strings.Split(codes, ",") {
		c = strings.TrimSpace(c)
		if r, err := language.ParseRegion(c); err == nil && len(c) == 2 {
			if n := names.Name(r); n != "" {
				c = n
			}
		}
		out = append(out, c)
	}
	return strings.Join(out, l.T(skalig.DetailSepComma))
}

// EvidenceLabel names what a fact rests on when it is not a register's
// answer: Skälig's own records ("skalig:decisions+aid_history") by their
// names ("cw.evidence.skalig.<part>"); why a register was given up on
// ("fetch:timeout: Frågan till …", skalig.FetchEvidenceDetail) in l's
// language; anything else as written.
func EvidenceLabel(l *Lang, ev string) string {
	if d, ok := skalig.FetchEvidenceDetail(ev); ok {
		return l.Details([]skalig.Detail{d})
	}
	rest, ok := strings.CutPrefix(ev, "skalig:")
	if !ok {
		return ev
	}
	parts := strings.Split(rest, "+")
	for i, p := range parts {
		if !l.Has("cw.evidence.skalig." + p) {
			return ev
		}
		parts[i] = l.T("cw.evidence.skalig." + p)
	}
	return strings.Join(parts, l.T(skalig.DetailSepComma))
}
