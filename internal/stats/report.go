package stats

import (
	"sort"

	"skalig"
)

// DelegationReport is the report to the board of the decisions it
// delegated (kommunallagen 6 kap. 40 §) for the cases of the months From
// to To: the automated decisions under each delegation point, counted by
// outcome and household group; the decisions made by persons; the sample
// controls; and what the data cannot tell (Lacks).
type DelegationReport struct {
	Municipality string
	From, To     skalig.Month
	// Cases is the number of cases (applications) in the period.
	Cases int
	// Automated are the automated decisions, one entry per delegation
	// point as the delegation order cites it, in the order of the point.
	Automated []DelegationPoint
	// Proposal and Person are the decisions made by caseworkers: on a
	// proposal of Skälig, or after an exception or a sample control.
	Proposal, Person RouteCounts
	Samples          Samples
	// Lacks says, in Swedish, what the report cannot show because the
	// data model does not record it.
	Lacks []string
}

// DelegationPoint is the automated decisions made under one delegation.
type DelegationPoint struct {
	Delegation string
	Decided    int
	Outcomes   OutcomeCounts
	// ByGroup has one entry per group of Groups, in that order.
	ByGroup []GroupOutcomes
}

// GroupOutcomes are the decisions of one household group by outcome.
type GroupOutcomes struct {
	Group    Group
	Decided  int
	Outcomes OutcomeCounts
}

// reportLacks is what Skälig does not record and the board's report
// therefore cannot show.
var reportLacks = []string{
	"Överklagade och ändrade beslut: Skälig registrerar inte överklaganden, domar eller omprövningar, och ett ärende har ett enda beslut. Ändrade beslut måste hämtas från verksamhetssystemet eller förvaltningsrättens domar.",
	"Delegationspunkt för handläggares beslut: Skälig sparar vem som beslutade men inte enligt vilken punkt i delegationsordningen. Handläggarnas beslut redovisas därför samlat.",
}

// Delegation computes the board's report of municipality mun for the
// cases of months from to to. A period without cases is ENOTFOUND naming
// the field from.
func Delegation(mun string, from, to skalig.Month, cases []*Row) (*DelegationReport, error) {
	if len(cases) == 0 {
		return nil, &skalig.Error{Code: skalig.ENOTFOUND, Message: "Det finns inga ärenden för perioden.",
			Fields: []skalig.FieldError{{Field: "from", Message: "Kommun " + mun + " har inga ansökningar för " + from.String() + "–" + to.String() + "."}}}
	}
	r := &DelegationReport{Municipality: mun, From: from, To: to, Samples: samples(cases), Lacks: reportLacks}
	points := map[string]*DelegationPoint{}
	for _, c := range cases {
		r.Cases += c.Count
		n := c.Count
		switch c.Route() {
		case RouteAutomated:
			p := points[c.Delegation]
			if p == nil {
				p = &DelegationPoint{Delegation: c.Delegation}
				for _, g := range Groups {
					p.ByGroup = append(p.ByGroup, GroupOutcomes{Group: g})
				}
				points[c.Delegation] = p
			}
			p.Decided += n
			p.Outcomes.add(c.Outcome, n)
			for i, g := range Groups {
				if c.In(g) {
					p.ByGroup[i].Decided += n
					p.ByGroup[i].Outcomes.add(c.Outcome, n)
				}
			}
		case RouteProposal:
			r.Proposal.Decided += n
			r.Proposal.add(c.Outcome, n)
		case RoutePerson:
			r.Person.Decided += n
			r.Person.add(c.Outcome, n)
		}
	}
	for _, p := range points {
		r.Automated = append(r.Automated, *p)
	}
	sort.Slice(r.Automated, func(i, j int) bool { return r.Automated[i].Delegation < r.Automated[j].Delegation })
	return r, nil
}

// ParsePeriod reads the months from and to (YYYY-MM, fields "from" and
// "to") and checks that from is not after to and the period is at most
// MaxPeriodMonths long.
func ParsePeriod(from, to string) (skalig.Month, skalig.Month, error) {
	f, err := ParseMonth("from", from)
	if err != nil {
		return 0, 0, err
	}
	t, err := ParseMonth("to", to)
	if err != nil {
		return 0, 0, err
	}
	if t < f {
		return 0, 0, &skalig.Error{Code: skalig.EINVALID, Message: "Perioden är inte giltig.",
			Fields: []skalig.FieldError{{Field: "to", Message: "Slutmånaden kan inte vara före startmånaden."}}}
	}
	if int(t-f) >= MaxPeriodMonths {
		return 0, 0, &skalig.Error{Code: skalig.EINVALID, Message: "Perioden är för lång.",
			Fields: []skalig.FieldError{{Field: "to", Message: "En rapport omfattar högst 36 månader."}}}
	}
	return f, t, nil
}

// MaxPeriodMonths bounds the period of one report.
const MaxPeriodMonths = 36
