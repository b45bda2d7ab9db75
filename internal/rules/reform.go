package rules

import "skalig"

// DatedRule is a rule of the law with the date it came into force: like a
// parameter, it applies to a month from its first month on, and the month
// assessed (not the day of the calculation) decides. A later change is a
// new DatedRule, never an edit of one in force, so that a receipt replays
// under the rules of its month.
type DatedRule struct {
	Code string       // stable code: "medical_certificate"
	From skalig.Month // the first month the rule applies to
	// Law is the legal reference as a trace or a reason cites it. A
	// paragraph not yet confirmed from the text in force says so.
	Law string
	// Swedish describes the rule in one sentence for a reader.
	Swedish string
}

// InForce reports whether r applies to month m.
func (r DatedRule) InForce(m skalig.Month) bool { return m >= r.From }

// The reform rules of the activity requirement (prop. 2025/26:207) and of
// the reformed försörjningsstöd (prop. 2025/26:201, adopted May 2026). The conditions are checked by routing
// (internal/routing) through ActivityRequirement and LawfulResidence, the
// norm rules by the calculation.
//
// Legal references: the amended Socialtjänstlag (2025:400) is cited as the
// text in force from the rule's first day with the bill it comes from. The
// chapter and paragraph numbers of the amendments are not cited: they were
// searched for and are not in the material Skälig was written from (the
// consolidated SoL 2025:400 in se-lex/sfs is a placeholder without text,
// and no SFS 2026 amendment to it is stored; civictechsweden/g0vse holds
// the government's summaries of prop. 2025/26:201 and 2025/26:207 and of
// their lagrådsremisser, without the law text). Each Law below therefore
// carries the marker "paragraf att verifiera"; docs/routing.md ("Legal
// references of the reforms") records what was searched. A wrong citation
// is worse than an honest gap.
var (
	// RuleMedicalCertificate: a person who because of illness is not at
	// the labour market's disposal, or does not take part in the
	// activities the committee has directed, shall give a doctor's
	// certificate showing that the ability is reduced by illness (in force
	// 2026-07-01).
	RuleMedicalCertificate = DatedRule{Code: "medical_certificate", From: skalig.MonthOf(2026, 7),
		Law:     "SoL (2025:400) i lydelse från 1 juli 2026, läkarintyg vid nedsatt arbetsförmåga på grund av sjukdom (prop. 2025/26:201; paragraf att verifiera)",
		Swedish: "Den som inte kan arbeta på grund av sjukdom ska lämna läkarintyg för att få försörjningsstöd (från 1 juli 2026)."}
	// RuleActivityRequirement: a person who has received försörjningsstöd
	// for at least three consecutive months shall take part in activities,
	// normally full time and adapted to the person's ability; the law came
	// into force 2026-07-01 and is first applied to aid for October 2026.
	// The exemptions are ActivityRequirement's.
	RuleActivityRequirement = DatedRule{Code: "activity_requirement", From: skalig.MonthOf(2026, 10),
		Law:     "SoL (2025:400) i lydelse från 1 juli 2026, aktivitetskrav (prop. 2025/26:207; tillämpas första gången på försörjningsstöd för oktober 2026; paragraf att verifiera)",
		Swedish: "Den som har fått försörjningsstöd i minst tre månader i följd ska delta i aktiviteter, normalt på heltid och anpassat efter förmågan (från oktober 2026)."}
	// RuleLawfulResidence: ekonomiskt bistånd other than emergency aid only
	// to persons lawfully in Sweden (2027-01-01).
	RuleLawfulResidence = DatedRule{Code: "lawful_residence", From: skalig.MonthOf(2027, 1),
		Law:     "SoL (2025:400) i lydelse från 1 januari 2027, ekonomiskt bistånd utöver nödbistånd endast till den som vistas lagligen i Sverige (prop. 2025/26:201; paragraf att verifiera)",
		Swedish: "Ekonomiskt bistånd utöver nödbistånd ges bara till den som vistas lagligen i Sverige (från 1 januari 2027)."}
	// RuleSubletConsent: försörjningsstöd for housing rented second hand
	// only with the consent or permission the sublet needs (2027-01-01).
	RuleSubletConsent = DatedRule{Code: "sublet_consent", From: skalig.MonthOf(2027, 1),
		Law:     "SoL (2025:400) i lydelse från 1 januari 2027, boendekostnad vid andrahandsupplåtelse (prop. 2025/26:201; paragraf att verifiera)",
		Swedish: "Försörjningsstöd till boendekostnad för en bostad som hyrs i andra hand lämnas bara om det finns samtycke eller tillstånd till andrahandsupplåtelsen (från 1 januari 2027)."}
	// RuleNormReform: the rebuilt riksnorm (a reference value from price
	// surveys, changed cost items), the riksnorm as a ceiling, limits on aid
	// beyond it and the limit for larger households (2027-01-01). Skälig
	// does not encode them (the ordinance text is not in it): see
	// NormReformNotEncoded.
	RuleNormReform = DatedRule{Code: "norm_reform", From: NormReformFrom,
		Law:     "SoL (2025:400) och SoF (2025:468) i lydelse från 1 januari 2027 (prop. 2025/26:201; paragraf att verifiera)",
		Swedish: "Riksnormen byggs om och blir ett tak, bistånd utöver normen begränsas och försörjningsstödet för större hushåll begränsas (från 1 januari 2027)."}
)

// DatedRules lists every dated rule in the order they came into force.
var DatedRules = []DatedRule{RuleMedicalCertificate, RuleActivityRequirement, RuleLawfulResidence, RuleSubletConsent, RuleNormReform}

// LargeHouseholdChildren is the number of children from which the reform of
// 2027 limits försörjningsstöd for larger households (the government's
// proposal: from the fourth child). It only names the reason
// LargeHouseholdNotEncoded; the limit itself is not calculated.
const LargeHouseholdChildren = 4

// normReform marks a month under RuleNormReform for a person's review: the
// calculation under the tables loaded is shown, but a person decides under
// the reformed rules (NormReformNotEncoded), and a household with
// LargeHouseholdChildren or more children is named too
// (LargeHouseholdNotEncoded). Never a guess at the new amounts.
func (c *calc) normReform() {
	if !RuleNormReform.InForce(c.in.Month) {
		return
	}
	c.res.Reasons.Add(NormReformNotEncoded)
	children := 0
	for i := range c.in.People {
		if c.in.People[i].Role == Child {
			children++
		}
	}
	if children >= LargeHouseholdChildren {
		c.res.Reasons.Add(LargeHouseholdNotEncoded)
	}
}
