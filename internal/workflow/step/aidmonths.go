package step

import (
	"skalig/internal/workflow/casecalc"
	"slices"
	"strings"
	"time"

	"skalig"
)

// aidMonthFacts returns, for each adult of members without one yet for the
// case's month, the system fact of the months in which the person was
// granted försörjningsstöd before (skalig.KindPersonAidMonths): Skälig's own
// decisions for the person together with the history imported from the
// municipality's earlier system (skalig history import), from persons (by
// member id). When nothing was imported for the person and Skälig's own
// months do not already give six in a row, the history before Skälig is
// unknown and the fact says so (skalig.AidMonthsUnknown first): routing
// then stops a continued application of a person with income from work,
// instead of the person silently losing jobbstimulans. Evidence names the
// sources.
func aidMonthFacts(p casecalc.ParamSource, c *skalig.Case, members []skalig.Member, facts []skalig.Fact, persons map[string]PersonHistory, now time.Time) []skalig.Fact {
	qualifying := 6
	if ps, err := p.At(c.Month); err == nil && ps.JobbQualifying.Set {
		qualifying = int(ps.JobbQualifying.N)
	}
	var out []skalig.Fact
	for _, m := range members {
		if !NeedsAidMonths(m, facts, c.Month) {
			continue
		}
		h := persons[m.ID]
		months := slices.Clone(h.Granted)
		own := longestRun(months)
		months = append(months, h.Imported...)
		slices.Sort(months)
		months = slices.Compact(months)
		parts := make([]string, 0, len(months)+1)
		evidence := "skalig:decisions"
		if h.Known {
			evidence += "+aid_history"
		} else if own < qualifying {
			parts = append(parts, skalig.AidMonthsUnknown)
		}
		for _, mo := range months {
			parts = append(parts, mo.String())
		}
		text := strings.Join(parts, ",")
		if text == "" {
			text = "none"
		}
		out = append(out, skalig.Fact{Kind: skalig.KindPersonAidMonths, PersonID: m.ID, Period: c.Month,
			Value: skalig.TextValue(text), Source: skalig.SourceSystem, At: now.UTC().Truncate(time.Microsecond), Evidence: evidence})
	}
	return out
}

// NeedsAidMonths reports whether member m is an adult without an
// aid-months fact for month among facts.
func NeedsAidMonths(m skalig.Member, facts []skalig.Fact, month skalig.Month) bool {
	return m.Role != skalig.RoleChild && !hasPersonKind(facts, skalig.KindPersonAidMonths, m.ID, month)
}

// longestRun is the longest number of consecutive months in sorted months.
func longestRun(months []skalig.Month) int {
	best, run := 0, 0
	for i, m := range months {
		if i > 0 && m == months[i-1]+1 {
			run++
		} else if i == 0 || m != months[i-1] {
			run = 1
		}
		best = max(best, run)
	}
	return best
}

func hasPersonKind(facts []skalig.Fact, kind, person string, month skalig.Month) bool {
	for _, f := range facts {
		if f.Kind == kind && f.PersonID == person && f.Period == month {
			return true
		}
	}
	return false
}
