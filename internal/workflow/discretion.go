package workflow

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"skalig"
)

// withReasons returns facts with, for every discretionary amount (an other
// need decided, a cost approved above a guideline, a norm adjustment, aid
// beyond the calculation) that has no reason fact of its own among facts,
// a reason fact (kind + skalig.KindReasonSuffix) holding the adjustment's
// reason: the calculation cites who (RecordedBy) and why in its trace, and
// the receipt keeps both as facts.
func withReasons(facts []skalig.Fact, reason string) []skalig.Fact {
	for len(reason) > 1000 { // a fact's text is at most 1000 bytes
		_, n := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-n]
	}
	has := map[string]bool{}
	for _, f := range facts {
		has[f.Kind] = true
	}
	out := append([]skalig.Fact(nil), facts...)
	for _, f := range facts {
		if f.Value.IsText || !discretionary(f.Kind) || has[f.Kind+skalig.KindReasonSuffix] {
			continue
		}
		has[f.Kind+skalig.KindReasonSuffix] = true
		out = append(out, skalig.Fact{Kind: f.Kind + skalig.KindReasonSuffix, PersonID: f.PersonID, Period: f.Period,
			Value: skalig.TextValue(reason), Evidence: f.Evidence})
	}
	return out
}

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
func aidMonthFacts(p ParamSource, c *skalig.Case, members []skalig.Member, facts []skalig.Fact, persons map[string]PersonHistory, now time.Time) []skalig.Fact {
	qualifying := 6
	if ps, err := p.At(c.Month); err == nil && ps.JobbQualifying.Set {
		qualifying = int(ps.JobbQualifying.N)
	}
	var out []skalig.Fact
	for _, m := range members {
		if !needsAidMonths(m, facts, c.Month) {
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

// needsAidMonths reports whether member m is an adult without an
// aid-months fact for month among facts.
func needsAidMonths(m skalig.Member, facts []skalig.Fact, month skalig.Month) bool {
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

// checkDiscretion checks the discretionary facts of an adjustment before
// they are stored, with a Swedish message naming the field: amounts where
// amounts belong, no negative approval (only the norm may be lowered), and
// months of aid that parse and lie before the month.
func checkDiscretion(facts []skalig.Fact, month skalig.Month) error {
	var fe []skalig.FieldError
	for i, f := range facts {
		field := "facts[" + strconv.Itoa(i) + "].value"
		period := f.Period
		if period == 0 {
			period = month
		}
		switch {
		case f.Kind == skalig.KindPersonAidMonths:
			if !f.Value.IsText || f.PersonID == "" {
				fe = append(fe, skalig.FieldError{Field: field, Message: "Ange månaderna med bistånd för en person som text, t.ex. 2026-01,2026-02 eller none."})
				continue
			}
			ms, err := aidMonths(f.Value.Text)
			if err != nil {
				fe = append(fe, skalig.FieldError{Field: field, Message: "Månaderna ska skrivas ÅÅÅÅ-MM och skiljas med kommatecken, eller none."})
				continue
			}
			for _, m := range ms {
				if m >= period {
					fe = append(fe, skalig.FieldError{Field: field, Message: "Månaden " + m.String() + " ligger inte före den månad som prövas (" + period.String() + ")."})
					break
				}
			}
		case f.Kind == skalig.KindMedicalCertFrom || f.Kind == skalig.KindMedicalCertTo || f.Kind == skalig.KindActivityValidUntil:
			if _, ok := skalig.ParseDate(strings.TrimSpace(f.Value.Text)); !f.Value.IsText || !ok || f.PersonID == "" {
				fe = append(fe, skalig.FieldError{Field: field, Message: "Ange ett datum ÅÅÅÅ-MM-DD för en person i hushållet."})
			}
		case f.Kind == skalig.KindLawfulResidence || f.Kind == skalig.KindSubletConsent:
			if v := strings.TrimSpace(f.Value.Text); !f.Value.IsText || (v != "yes" && v != "no") {
				fe = append(fe, skalig.FieldError{Field: field, Message: "Ange yes eller no."})
			}
		case strings.HasSuffix(f.Kind, skalig.KindReasonSuffix) || strings.HasSuffix(f.Kind, ".text"):
		case discretionary(f.Kind):
			switch {
			case f.Value.IsText:
				fe = append(fe, skalig.FieldError{Field: field, Message: "Ange ett belopp i kronor."})
			case f.Kind != skalig.KindNormAdjustment && f.Value.Amount < 0:
				fe = append(fe, skalig.FieldError{Field: field, Message: "Det beviljade beloppet får inte vara negativt (0 kr är ett avslag)."})
			}
		}
	}
	if len(fe) > 0 {
		return &skalig.Error{Code: skalig.EINVALID, Message: fe[0].Message, Fields: fe}
	}
	return nil
}
