package routing

import (
	"cmp"
	"slices"
	"strings"
	"unsafe"

	"skalig"
)

// caseView is an Input with the lookups the checks share, made once per
// Route: one pass over the members and one over the facts.
type caseView struct {
	in      *Input
	adults  []skalig.Member // applicant first, then partner
	invalid []finding       // what makes the input unusable
	// byKind are the facts of the case ordered by kind, the facts of one
	// kind in stored order: a check reads the facts of the kinds it
	// needs (ofKind, withPrefix), not every fact of the case.
	byKind []*skalig.Fact
	// buf is latest's result, reused from call to call.
	buf []*skalig.Fact
	// unchanged is unchangedSincePrevious, once done.
	unchanged struct {
		done, yes bool
		detail    skalig.Detail
	}
}

func newCaseView(in *Input) *caseView {
	x := &caseView{in: in}
	applicants := 0
	for i, m := range in.Members {
		if m.ID == "" || slices.ContainsFunc(in.Members[:i], func(o skalig.Member) bool { return o.ID == m.ID }) {
			x.invalid = append(x.invalid, found("detail.invalid.member_id", skalig.TextArg(m.ID)))
			continue
		}
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
	x.byKind = make([]*skalig.Fact, len(in.Facts))
	for i := range in.Facts {
		x.byKind[i] = &in.Facts[i]
	}
	slices.SortFunc(x.byKind, byKindThenOrder)
	return x
}

// byKindThenOrder orders facts of one slice by kind and, within a kind, by
// their place in the slice (their addresses), the order they are stored in:
// a stable sort, by the cheaper unstable one.
func byKindThenOrder(a, b *skalig.Fact) int {
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return cmp.Compare(uintptr(unsafe.Pointer(a)), uintptr(unsafe.Pointer(b)))
}

// engine reports whether the engine gave the review reason code.
func (x *caseView) engine(code string) bool { return slices.Contains(x.in.Calc.Reasons, code) }

// role is the role of member id ("" for no member): the first member with
// the id.
func (x *caseView) role(id string) skalig.MemberRole {
	for _, m := range x.in.Members {
		if m.ID == id {
			return m.Role
		}
	}
	return ""
}

// ofKind returns the facts of kind, in stored order.
func (x *caseView) ofKind(kind string) []*skalig.Fact {
	i, _ := slices.BinarySearchFunc(x.byKind, kind, func(f *skalig.Fact, k string) int { return strings.Compare(f.Kind, k) })
	j := i
	for j < len(x.byKind) && x.byKind[j].Kind == kind {
		j++
	}
	return x.byKind[i:j]
}

// withPrefix returns the facts whose kind starts with prefix, ordered by
// kind and, within a kind, in stored order.
func (x *caseView) withPrefix(prefix string) []*skalig.Fact {
	i, _ := slices.BinarySearchFunc(x.byKind, prefix, func(f *skalig.Fact, k string) int { return strings.Compare(f.Kind, k) })
	j := i
	for j < len(x.byKind) && strings.HasPrefix(x.byKind[j].Kind, prefix) {
		j++
	}
	return x.byKind[i:j]
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
// that the result never depends on the order of the facts. The result is
// valid until the next call.
func (x *caseView) latest(fs []*skalig.Fact, keep func(*skalig.Fact) bool) []*skalig.Fact {
	out := x.buf[:0]
	for _, f := range fs {
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
	x.buf = out
	return out
}

func quote(s string) string { return "\u201d" + s + "\u201d" }
