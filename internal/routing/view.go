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
	invalid []finding                    // what makes the input unusable
}

func newCaseView(in *Input) *caseView {
	x := &caseView{in: in, roles: make(map[string]skalig.MemberRole, len(in.Members)), engine: map[string]bool{}}
	applicants := 0
	for _, m := range in.Members {
		if _, dup := x.roles[m.ID]; dup || m.ID == "" {
			x.invalid = append(x.invalid, found("detail.invalid.member_id", skalig.TextArg(m.ID)))
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
			x.invalid = append(x.invalid, found("detail.invalid.role", skalig.TextArg(string(m.Role))))
		}
	}
	if applicants != 1 {
		x.invalid = append(x.invalid, found("detail.invalid.applicants"))
	}
	if in.CaseID == "" {
		x.invalid = append(x.invalid, found("detail.invalid.case_id"))
	}
	if !in.Kind.Valid() {
		x.invalid = append(x.invalid, found("detail.invalid.kind", skalig.TextArg(string(in.Kind))))
	}
	if _, ok := skalig.ParseMonth(in.Month.String()); !ok {
		x.invalid = append(x.invalid, found("detail.invalid.month"))
	}
	if in.Calc.Aid < 0 || in.Calc.Aid > skalig.MaxMoney {
		x.invalid = append(x.invalid, found("detail.invalid.aid", skalig.MoneyArg(in.Calc.Aid)))
	}
	for _, r := range in.Calc.Reasons {
		x.engine[r] = true
	}
	return x
}

// person is the finding that names member id (personArg).
func (x *caseView) person(id string) finding { return findingOf(*x.personArg(id).Msg) }

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
