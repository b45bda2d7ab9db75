package routing

import (
	"slices"
	"strings"

	"skalig"
	"skalig/internal/rules"
)

// A finding is one detail of a reason (skalig.Detail, a message id and its
// arguments) with its Swedish text, made once: the text orders and
// de-duplicates the findings and is what Reason.Detail keeps.
type finding struct {
	d  skalig.Detail
	sv string
}

// found is the finding of message id with args.
func found(id string, args ...skalig.DetailArg) finding {
	return findingOf(skalig.Detail{ID: id, Args: args})
}

func findingOf(d skalig.Detail) finding { return finding{d: d, sv: d.Swedish()} }

// sortedUnique orders findings by their Swedish text and drops repeats.
func sortedUnique(s []finding) []finding {
	slices.SortFunc(s, func(a, b finding) int { return strings.Compare(a.sv, b.sv) })
	return slices.CompactFunc(s, func(a, b finding) bool { return a.sv == b.sv })
}

// personArg names a member for a caseworker: "sökande", "medsökande",
// "barn p3", or "hushållet" for a household fact.
func (x *caseView) personArg(id string) skalig.DetailArg {
	if id == "" {
		return skalig.MsgArg("detail.person.household")
	}
	switch x.role(id) {
	case skalig.RoleApplicant:
		return skalig.MsgArg("detail.person.applicant")
	case skalig.RolePartner:
		return skalig.MsgArg("detail.person.partner")
	case skalig.RoleChild:
		return skalig.MsgArg("detail.person.child", skalig.TextArg(id))
	}
	return skalig.MsgArg("detail.person.other", skalig.TextArg(id))
}

// sourceArg names a fact source for a caseworker.
func sourceArg(s skalig.FactSource) skalig.DetailArg {
	if name, ok := s.Register(); ok {
		return skalig.RegisterArg(name)
	}
	switch s {
	case skalig.SourceApplicant:
		return skalig.MsgArg("detail.source.applicant")
	case skalig.SourceCaseworker:
		return skalig.MsgArg("detail.source.caseworker")
	case skalig.SourceSystem:
		return skalig.MsgArg("detail.source.system")
	}
	return skalig.TextArg(string(s))
}

// incomeArg names an income kind.
func incomeArg(kind string) skalig.DetailArg {
	if _, ok := rules.ParseIncomeKind(kind); ok {
		return skalig.MsgArg("detail.income." + kind)
	}
	return skalig.TextArg(kind)
}

// kindArg names an application kind.
func kindArg(k skalig.ApplicationKind) skalig.DetailArg {
	switch k {
	case skalig.FirstApplication, skalig.MonthlyApplication:
		return skalig.MsgArg("detail.kind." + string(k))
	}
	return skalig.TextArg(string(k))
}

// outcomeArg names a decision's outcome.
func outcomeArg(o skalig.Outcome) skalig.DetailArg {
	switch o {
	case skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected:
		return skalig.MsgArg("detail.outcome." + string(o))
	}
	return skalig.TextArg(string(o))
}
