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
	// Reviews are the requests for review (omprövning) and the appeals
	// (överklagande) of the period's decisions and how they were
	// resolved (AddReviews).
	Reviews Reviews
	// Lacks says, in Swedish, what the report cannot show because the
	// data model does not record it.
	Lacks []string
}

// ReviewRow is Count requests of one kind ("review" or "appeal") and
// resolution ("" while open, "kept", "forwarded", "rejected_late") of
// decisions made under Delegation ("" for a caseworker's decision), as
// the store gives them.
type ReviewRow struct {
	Kind       string
	Resolution string
	Delegation string
	Count      int
}

// Review request kinds and resolutions (store.ReviewKind*, Resolution*;
// the store imports this package, so they are spelt out here).
const (
	ReviewKindReview = "review"
	ReviewKindAppeal = "appeal"
)

// ReviewCounts count requests by how they were resolved.
type ReviewCounts struct {
	// Received is every request; Open are not resolved yet; Kept: the
	// decision stands; Forwarded: an appeal sent to förvaltningsrätten;
	// RejectedLate: an appeal that came in too late (FL 45 §).
	Received, Open, Kept, Forwarded, RejectedLate int
	// OfAutomated are the requests about automated decisions.
	OfAutomated int
}

// Reviews are the period's review requests and appeals.
type Reviews struct {
	Requests ReviewCounts // begäran om omprövning (FL 37-39 §§)
	Appeals  ReviewCounts // överklaganden (FL 44-45 §§)
}

func (c *ReviewCounts) add(r ReviewRow) {
	c.Received += r.Count
	switch r.Resolution {
	case "":
		c.Open += r.Count
	case "kept":
		c.Kept += r.Count
	case "forwarded":
		c.Forwarded += r.Count
	case "rejected_late":
		c.RejectedLate += r.Count
	}
	if r.Delegation != "" {
		c.OfAutomated += r.Count
	}
}

// AddReviews adds the review requests and appeals of the period's
// decisions: in total, and for an automated decision under its
// delegation point (Reviewed, Appealed).
func (r *DelegationReport) AddReviews(rows []ReviewRow) {
	for _, x := range rows {
		c := &r.Reviews.Requests
		if x.Kind == ReviewKindAppeal {
			c = &r.Reviews.Appeals
		}
		c.add(x)
		for i := range r.Automated {
			if p := &r.Automated[i]; x.Delegation != "" && p.Delegation == x.Delegation {
				if x.Kind == ReviewKindAppeal {
					p.Appealed += x.Count
				} else {
					p.Reviewed += x.Count
				}
			}
		}
	}
}

// DelegationPoint is the automated decisions made under one delegation.
type DelegationPoint struct {
	Delegation string
	Decided    int
	Outcomes   OutcomeCounts
	// Reviewed and Appealed count the requests for review and the appeals
	// of these decisions (AddReviews).
	Reviewed, Appealed int
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
	"Ändrade beslut: Skälig registrerar begäran om omprövning och överklaganden och hur kommunen avgjort dem (redovisas ovan), men ett ärende har ett enda beslut: ett beslut som ändras vid omprövning och förvaltningsrättens och kammarrättens domar registreras inte. Ändrade beslut måste hämtas från verksamhetssystemet eller domstolarnas domar.",
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
