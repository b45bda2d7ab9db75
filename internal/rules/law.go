package rules

import "skalig"

// NewLawFrom is the first month assessed under the new Socialtjänstlag
// (2025:400) and Socialtjänstförordning (2025:468). A trace cites the text in
// force on the first day of the month assessed.
var NewLawFrom = skalig.MonthOf(2025, 7)

// laws holds the legal references for one legal regime. Each string is what
// the trace shows in its "law" field.
type laws struct {
	right         string // right to aid; need reduced by all income
	norm          string // riksnorm amounts
	normExtra     string // more than seven persons; adult sharing a household (lodger)
	costs         string // reasonable costs outside the norm
	other         string // livsföring i övrigt
	normAdjust    string // a higher or lower norm for special reasons
	beyond        string // aid beyond the right to aid
	childEarnings string // children's own earnings
	jobb          string // jobbstimulans
	guidance      string // Socialstyrelsen's general advice
	rounding      string // Skälig's own rounding rule: no legal text
	aid           string // the resulting aid
}

var oldLaws = laws{
	right:         "SoL (2001:453) 4 kap. 1 §",
	norm:          "SoF (2001:937) 2 kap. 1 §",
	normExtra:     "SoF (2001:937) 2 kap. 1 §; SOSFS 2013:1",
	costs:         "SoL (2001:453) 4 kap. 3 §",
	other:         "SoL (2001:453) 4 kap. 1 §",
	normAdjust:    "SoL (2001:453) 4 kap. 3 §",
	beyond:        "SoL (2001:453) 4 kap. 2 §",
	childEarnings: "SoL (2001:453) 4 kap. 1 a §",
	jobb:          "SoL (2001:453) 4 kap. 1 b §",
	guidance:      "SOSFS 2013:1",
	rounding:      roundingLaw,
	aid:           "SoL (2001:453) 4 kap. 1 och 3 §§",
}

// The paragraph numbers of SoL (2025:400) were read from the consolidated
// text of the law (chapter 12 "Insatser för ekonomiska behov"): 1 § right to
// ekonomiskt bistånd, 7 § what försörjningsstöd covers, 8 § särskild
// beräkningsregel (jobbstimulans), 9 § children's and school youth's earnings;
// SoF (2025:468) 12 kap. 2 § the tables, 3 § more than seven persons and an
// adult in a shared household. See docs/calculation.md.
var newLaws = laws{
	right:         "SoL (2025:400) 12 kap. 1 §",
	norm:          "SoF (2025:468) 12 kap. 2 §",
	normExtra:     "SoF (2025:468) 12 kap. 3 §",
	costs:         "SoL (2025:400) 12 kap. 7 §",
	other:         "SoL (2025:400) 12 kap. 1 §",
	normAdjust:    "SoL (2025:400) 12 kap. 7 § tredje stycket",
	beyond:        "SoL (2025:400) 12 kap. 2 §",
	childEarnings: "SoL (2025:400) 12 kap. 9 §",
	jobb:          "SoL (2025:400) 12 kap. 8 §",
	guidance:      "SOSFS 2013:1",
	rounding:      roundingLaw,
	aid:           "SoL (2025:400) 12 kap. 1 och 7 §§",
}

const roundingLaw = "ingen lagregel: Skäligs avrundningsregel (hela kronor, 50 öre uppåt)"

// NormReformFrom is the first month under the reformed försörjningsstöd
// (prop. 2025/26:201, from 2027-01-01): a rebuilt riksnorm and limits on aid
// beyond it. Skälig has not encoded those rules: a person's norm adjustment
// for such a month is not applied and goes to a person
// (NormAdjustmentNotEncoded) instead of a guess.
var NormReformFrom = skalig.MonthOf(2027, 1)

func lawsAt(m skalig.Month) *laws {
	if m >= NewLawFrom {
		return &newLaws
	}
	return &oldLaws
}
