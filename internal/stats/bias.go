package stats

import (
	"math"

	"skalig"
)

// Measure is what the bias watch compares between a group and the rest.
type Measure string

// Measures of the bias watch.
const (
	// MeasureToPerson: the share of routed continued applications that
	// went to a person instead of an automated decision. First
	// applications are left out: they go to a person by rule
	// (first_application), and would otherwise make every group with many
	// of them look singled out.
	MeasureToPerson Measure = "to_person"
	// MeasureRejected: the share of decisions that were avslag.
	MeasureRejected Measure = "rejected"
)

// Swedish names the measure for a reader.
func (m Measure) Swedish() string {
	switch m {
	case MeasureToPerson:
		return "går till handläggare"
	case MeasureRejected:
		return "avslag"
	}
	return string(m)
}

// The bias rule (docs/statistics.md): a group is flagged for a measure when
// both it and the rest have at least MinCases cases, its rate is at least
// MinRiskRatio times the rest's, and the two-proportion z statistic
// (pooled) is at least MinZ. MinZ 2.58 is a one-sided test at 0.5 %: with
// about ten comparisons a month, a month where no group differs raises a
// false flag about once in twenty months at most (Bonferroni). MinCases
// keeps small groups from being flagged by noise; MinRiskRatio keeps a
// large month from flagging differences too small to matter.
const (
	MinCases     = 30
	MinRiskRatio = 1.25
	MinZ         = 2.58
)

// BiasCheck is one comparison of the bias watch: the group's rate of a
// measure against the rate of all other cases, with the numbers behind it.
type BiasCheck struct {
	Group   Group
	Measure Measure
	// GroupCases of the group were counted, GroupHits of them had the
	// measure (went to a person, were rejected); the same for the rest.
	GroupCases, GroupHits int
	RestCases, RestHits   int
	GroupRate, RestRate   float64
	// RiskRatio is GroupRate / RestRate: +Inf when the rest's rate is 0
	// and the group's is not; 0 when both are 0.
	RiskRatio float64
	// Z is the two-proportion z statistic (positive: the group's rate is
	// higher); 0 when it cannot be computed (all or none had the measure).
	Z float64
	// Tested is false when either side has fewer than MinCases cases.
	Tested bool
	// Flagged is true when the rule holds: Tested, RiskRatio >=
	// MinRiskRatio and Z >= MinZ.
	Flagged bool
}

// Watch runs the bias watch over the cases of a month: every group for
// MeasureRejected, the composition groups (not GroupFirst) for
// MeasureToPerson, in the order of Groups.
func Watch(cases []*Row) []BiasCheck {
	var out []BiasCheck
	for _, g := range Groups {
		if g != GroupFirst {
			out = append(out, compare(cases, g, MeasureToPerson))
		}
		out = append(out, compare(cases, g, MeasureRejected))
	}
	return out
}

// compare counts group g and the rest on measure m and applies the rule.
func compare(cases []*Row, g Group, m Measure) BiasCheck {
	b := BiasCheck{Group: g, Measure: m}
	for _, c := range cases {
		var counted, hit bool
		switch m {
		case MeasureToPerson:
			counted, hit = c.Kind == skalig.MonthlyApplication && c.Routed(), c.ToPerson()
		case MeasureRejected:
			counted, hit = c.Decided, c.Outcome == skalig.OutcomeRejected
		}
		if !counted {
			continue
		}
		if c.In(g) {
			b.GroupCases += c.Count
			if hit {
				b.GroupHits += c.Count
			}
		} else {
			b.RestCases += c.Count
			if hit {
				b.RestHits += c.Count
			}
		}
	}
	b.GroupRate = rate(b.GroupHits, b.GroupCases)
	b.RestRate = rate(b.RestHits, b.RestCases)
	switch {
	case b.RestRate > 0:
		b.RiskRatio = b.GroupRate / b.RestRate
	case b.GroupRate > 0:
		b.RiskRatio = math.Inf(1)
	}
	b.Z = zTwoProportions(b.GroupHits, b.GroupCases, b.RestHits, b.RestCases)
	b.Tested = b.GroupCases >= MinCases && b.RestCases >= MinCases
	b.Flagged = b.Tested && b.RiskRatio >= MinRiskRatio && b.Z >= MinZ
	return b
}

func rate(hits, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(hits) / float64(n)
}

// zTwoProportions is the pooled two-proportion z statistic of x1 of n1
// against x2 of n2; 0 when either n is 0 or the pooled rate is 0 or 1.
func zTwoProportions(x1, n1, x2, n2 int) float64 {
	if n1 == 0 || n2 == 0 {
		return 0
	}
	p := float64(x1+x2) / float64(n1+n2)
	if p <= 0 || p >= 1 {
		return 0
	}
	se := math.Sqrt(p * (1 - p) * (1/float64(n1) + 1/float64(n2)))
	return (rate(x1, n1) - rate(x2, n2)) / se
}
