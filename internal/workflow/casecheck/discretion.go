package casecheck

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"skalig"
)

// CheckDiscretion checks the discretionary facts of an adjustment before
// they are stored, with a Swedish message naming the field: amounts where
// amounts belong, no negative approval (only the norm may be lowered), and
// months of aid that parse and lie before the month.
func CheckDiscretion(facts []skalig.Fact, month skalig.Month) error {
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
			ms, err := AidMonths(f.Value.Text)
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
		case Discretionary(f.Kind):
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

// Discretionary reports whether kind is one whose caseworker fact is a
// discretionary decision with a reason (KindReasonSuffix).
func Discretionary(kind string) bool {
	switch {
	case kind == skalig.KindNormAdjustment:
		return true
	case strings.HasPrefix(kind, skalig.KindBeyondPrefix), strings.HasPrefix(kind, skalig.KindOtherNeedPrefix):
		return !strings.HasSuffix(kind, ".text")
	case strings.HasPrefix(kind, skalig.KindCostPrefix):
		return strings.HasSuffix(kind, skalig.KindApprovedSuffix)
	}
	return false
}

// AidMonths parses a list of months "2026-01,2026-02"; "none" and the
// unknown token are no months.
func AidMonths(text string) ([]skalig.Month, error) {
	var out []skalig.Month
	for _, s := range strings.Split(text, ",") {
		s = strings.TrimSpace(s)
		if s == "" || s == "none" || s == skalig.AidMonthsUnknown {
			continue
		}
		m, ok := skalig.ParseMonth(s)
		if !ok {
			return nil, fmt.Errorf("månad med bistånd är inte ÅÅÅÅ-MM: %q", s)
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// WithReasons returns facts with, for every discretionary amount (an other
// need decided, a cost approved above a guideline, a norm adjustment, aid
// beyond the calculation) that has no reason fact of its own among facts,
// a reason fact (kind + skalig.KindReasonSuffix) holding the adjustment's
// reason: the calculation cites who (RecordedBy) and why in its trace, and
// the receipt keeps both as facts.
func WithReasons(facts []skalig.Fact, reason string) []skalig.Fact {
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
		if f.Value.IsText || !Discretionary(f.Kind) || has[f.Kind+skalig.KindReasonSuffix] {
			continue
		}
		has[f.Kind+skalig.KindReasonSuffix] = true
		out = append(out, skalig.Fact{Kind: f.Kind + skalig.KindReasonSuffix, PersonID: f.PersonID, Period: f.Period,
			Value: skalig.TextValue(reason), Evidence: f.Evidence})
	}
	return out
}
