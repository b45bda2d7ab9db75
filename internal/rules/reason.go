package rules

import (
	"skalig"
)

// Reason is a stable machine code for why a calculation needs a person's
// review. The engine only reports reasons that come from the calculation
// itself; routing adds the others (register differences, first application,
// and so on).
type Reason uint8

// Review reasons of the calculation.
const (
	ProvisionalParameter Reason = iota
	ParameterMissing
	OtherCostClaimed
	NoMunicipalGuidelines
	HousingAboveGuideline
	CostAboveGuideline
	ApplicantUnder18
	ChildBornDuringMonth
	ChildEarningsHistoryMissing
	NormAdjustmentNotEncoded
	NormAdjustmentTooLow
	NormReformNotEncoded
	LargeHouseholdNotEncoded
	numReasons
)

// reasonCodes are the reasons' codes, from the registry of the root package.
var reasonCodes = [...]string{
	skalig.ReasonProvisionalParameter,
	skalig.ReasonParameterMissing,
	skalig.ReasonOtherCostClaimed,
	skalig.ReasonNoMunicipalGuidelines,
	skalig.ReasonHousingAboveGuideline,
	skalig.ReasonCostAboveGuideline,
	skalig.ReasonApplicantUnder18,
	skalig.ReasonChildBornDuringMonth,
	skalig.ReasonChildEarningsHistoryMissing,
	skalig.ReasonNormAdjustmentNotEncoded,
	skalig.ReasonNormAdjustmentTooLow,
	skalig.ReasonNormReformNotEncoded,
	skalig.ReasonLargeHouseholdNotEncoded,
}

// reasonTexts are the Swedish lines the calculation's trace gives for each
// reason (item review_reason). They are part of the receipt, which Replay
// recomputes field by field, so they stay as they were written; the texts
// shown to people, in every language, are the registry's
// (skalig.ReasonText, locales/reasons.*.json).
var reasonTexts = [...]string{
	"Beräkningen bygger på ett preliminärt belopp som ännu inte är fastställt. En handläggare måste pröva ansökan.",
	"Ett belopp som behövs för beräkningen saknas i Skäligs tabeller för månaden. En handläggare måste fastställa det.",
	"Ansökan gäller andra behov (livsföring i övrigt). Sådana behov prövas alltid av en handläggare.",
	"Kommunen har ingen riktlinje för en kostnad i ansökan. En handläggare måste bedöma om kostnaden är skälig.",
	"Boendekostnaden är högre än kommunens riktlinje. En handläggare bedömer om en övergångstid gäller.",
	"En kostnad är högre än kommunens riktlinje. En handläggare bedömer om den ska godtas.",
	"Den sökande eller medsökande är under 18 år. En handläggare måste pröva ansökan.",
	"Ett barn är fött under månaden. En handläggare bedömer barnets kostnader för månaden.",
	"Det saknas uppgift om vad barnet har tjänat tidigare i år. En handläggare måste kontrollera att gränsen på ett prisbasbelopp inte är passerad.",
	"En handläggare har satt en högre eller lägre norm för en månad från januari 2027. Reglerna för bistånd utöver riksnormen ändras den 1 januari 2027 (prop. 2025/26:201) och finns ännu inte i Skälig, så justeringen räknas inte med. En handläggare prövar den enligt de nya reglerna.",
	"Den lägre norm som har satts är större än hela riksnormen. Sänkningen har begränsats till riksnormen; en handläggare måste rätta den.",
	"Från januari 2027 byggs riksnormen om och blir ett tak för försörjningsstödet, och bistånd utöver normen begränsas (prop. 2025/26:201). De nya reglerna finns ännu inte i Skälig, så beräkningen visar bara vad de tabeller som finns ger. En handläggare prövar ansökan enligt de nya reglerna.",
	"Hushållet har fyra eller fler barn. Från januari 2027 begränsas försörjningsstödet för större hushåll (prop. 2025/26:201). Begränsningen finns ännu inte i Skälig; en handläggare prövar den.",
}

// Code returns the stable machine code, e.g. "provisional_parameter".
func (r Reason) Code() string { return reasonCodes[r] }

// Swedish returns the plain Swedish explanation of the reason.
func (r Reason) Swedish() string { return reasonTexts[r] }

// ParseReason parses a reason code.
func ParseReason(s string) (Reason, bool) {
	for i, c := range reasonCodes {
		if c == s {
			return Reason(i), true
		}
	}
	return 0, false
}

// Reasons is a set of review reasons; the zero value is empty.
type Reasons uint32

// Add adds r to the set.
func (rs *Reasons) Add(r Reason) { *rs |= 1 << r }

// Has reports whether r is in the set.
func (rs Reasons) Has(r Reason) bool { return rs&(1<<r) != 0 }

// List returns the reasons in their fixed order.
func (rs Reasons) List() []Reason {
	var out []Reason
	for r := Reason(0); r < numReasons; r++ {
		if rs.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// Codes returns the codes of the reasons in their fixed order (never nil).
func (rs Reasons) Codes() []string {
	out := []string{}
	for _, r := range rs.List() {
		out = append(out, r.Code())
	}
	return out
}
