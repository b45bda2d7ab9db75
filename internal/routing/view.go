package routing

import (
	"strings"

	"skalig"
)

// caseView is an Input with the lookups the checks share, made once per
// Route.
type caseView struct {
	in      *Input
	roles   map[string]skalig.MemberRole // member id → role
	adults  []skalig.Member              // applicant first, then partner
	engine  map[string]bool              // the engine's reason codes
	invalid []string                     // what makes the input unusable, in Swedish
}

func newCaseView(in *Input) *caseView {
	x := &caseView{in: in, roles: make(map[string]skalig.MemberRole, len(in.Members)), engine: map[string]bool{}}
	applicants := 0
	for _, m := range in.Members {
		if _, dup := x.roles[m.ID]; dup || m.ID == "" {
			x.invalid = append(x.invalid, "ogiltigt eller upprepat medlems-id "+quote(m.ID))
			continue
		}
		x.roles[m.ID] = m.Role
		switch m.Role {
		case skalig.RoleApplicant:
			applicants++
			x.adults = append([]skalig.Member{m}, x.adults...)
		case skalig.RolePartner:
			x.adults = append(x.adults, m)
		case skalig.RoleChild:
		default:
			x.invalid = append(x.invalid, "okänd roll "+quote(string(m.Role)))
		}
	}
	if applicants != 1 {
		x.invalid = append(x.invalid, "hushållet ska ha precis en sökande")
	}
	if in.CaseID == "" {
		x.invalid = append(x.invalid, "ärende-id saknas")
	}
	if !in.Kind.Valid() {
		x.invalid = append(x.invalid, "okänt ansökningsslag "+quote(string(in.Kind)))
	}
	if _, ok := skalig.ParseMonth(in.Month.String()); !ok {
		x.invalid = append(x.invalid, "ogiltig månad")
	}
	if in.Calc.Aid < 0 || in.Calc.Aid > skalig.MaxMoney {
		x.invalid = append(x.invalid, "beräknat bistånd "+in.Calc.Aid.Swedish()+" är inte ett giltigt belopp")
	}
	for _, r := range in.Calc.Reasons {
		x.engine[r] = true
	}
	return x
}

// personLabel names a member for a caseworker: "sökande", "medsökande",
// "barn p3", or "hushållet" for a household fact.
func (x *caseView) personLabel(id string) string {
	if id == "" {
		return "hushållet"
	}
	switch x.roles[id] {
	case skalig.RoleApplicant:
		return "sökande"
	case skalig.RolePartner:
		return "medsökande"
	case skalig.RoleChild:
		return "barn " + id
	}
	return "person " + id
}

// sourceLabel names a fact source for a caseworker.
func sourceLabel(s skalig.FactSource) string {
	if name, ok := s.Register(); ok {
		return skalig.RegisterSwedishName(name)
	}
	switch s {
	case skalig.SourceApplicant:
		return "uppgett av den sökande"
	case skalig.SourceCaseworker:
		return "registrerat av handläggare"
	case skalig.SourceSystem:
		return "systemet"
	}
	return string(s)
}

// isNo reports whether v is an explicit "no": a declared "no" is the absence
// of the thing, anything else (including an amount) its presence.
func isNo(v skalig.FactValue) bool {
	if !v.IsText {
		return false
	}
	t := strings.ToLower(strings.TrimSpace(v.Text))
	return t == "no" || t == "nej"
}

// isYes reports whether v is an explicit "yes".
func isYes(v skalig.FactValue) bool {
	if !v.IsText {
		return false
	}
	t := strings.ToLower(strings.TrimSpace(v.Text))
	return t == "yes" || t == "ja"
}

// latest returns the facts among fs that match keep and have the latest At.
// Several facts may share that time; callers then take the fail-safe one, so
// that the result never depends on the order of the facts.
func latest(fs []skalig.Fact, keep func(*skalig.Fact) bool) []*skalig.Fact {
	var out []*skalig.Fact
	for i := range fs {
		f := &fs[i]
		if !keep(f) {
			continue
		}
		switch {
		case len(out) == 0 || f.At.After(out[0].At):
			out = append(out[:0], f)
		case f.At.Equal(out[0].At):
			out = append(out, f)
		}
	}
	return out
}

func quote(s string) string { return "\u201d" + s + "\u201d" }

func kindSwedish(k skalig.ApplicationKind) string {
	switch k {
	case skalig.FirstApplication:
		return "grundansökan"
	case skalig.MonthlyApplication:
		return "fortsatt ansökan"
	}
	return string(k)
}
