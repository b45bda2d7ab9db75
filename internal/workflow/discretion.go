package workflow

import (
	"context"
	"slices"
	"strings"
	"time"

	"skalig"
)

// aidMonthFacts returns, for each adult of members without one yet for the
// case's month, the system fact of the months in which the person was
// granted försörjningsstöd before (skalig.KindPersonAidMonths): Skälig's own
// decisions for the person together with the history imported from the
// municipality's earlier system (skalig history import). When nothing was
// imported for the person and Skälig's own months do not already give six
// in a row, the history before Skälig is unknown and the fact says so
// (skalig.AidMonthsUnknown first): routing then stops a continued application
// of a person with income from work, instead of the person silently losing
// jobbstimulans. Evidence names the sources.
func (w *Workflow) aidMonthFacts(ctx context.Context, c *skalig.Case, members []skalig.Member, facts []skalig.Fact, now time.Time) ([]skalig.Fact, error) {
	qualifying := 6
	if ps, err := w.params.At(c.Month); err == nil && ps.JobbQualifying.Set {
		qualifying = int(ps.JobbQualifying.N)
	}
	var out []skalig.Fact
	for _, m := range members {
		if m.Role == skalig.RoleChild || hasPersonKind(facts, skalig.KindPersonAidMonths, m.ID, c.Month) {
			continue
		}
		granted, err := w.cases.GrantedMonths(ctx, []skalig.PersonalNumber{m.PersonalNumber}, c.Month)
		if err != nil {
			return nil, err
		}
		var months []skalig.Month
		for _, g := range granted {
			months = append(months, g.Month)
		}
		own := longestRun(months)
		imported, known, err := w.cases.AidHistoryOf(ctx, m.PersonalNumber, c.Month)
		if err != nil {
			return nil, err
		}
		months = append(months, imported...)
		slices.Sort(months)
		months = slices.Compact(months)
		parts := make([]string, 0, len(months)+1)
		evidence := "skalig:decisions"
		if known {
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
	return out, nil
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
