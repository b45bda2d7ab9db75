package skalig

// The fact vocabulary: the stable kind codes (Fact.Kind) that the e-service,
// the register connectors, the caseworker workspace, the calculation and
// routing agree on. docs/facts.md explains each with an example.
//
// Amounts are Money (FactValue.Amount); yes/no, codes, dates and free text
// are texts (FactValue.Text). A fact about one person has PersonID set to the
// member's id; a fact about the household has PersonID "".
//
// Incomes and costs use the names of the calculation format
// (docs/calc-format.md) after a prefix, so that "income.salary_net" is the
// calculation's "salary_net" and "cost.housing" its "housing".
const (
	// KindIncomePrefix + an income kind of the calculation format
	// ("income.salary_net", "income.housing_allowance"): an income for the
	// month, net, per person (or the household for household benefits).
	KindIncomePrefix = "income."
	// KindEarnedEarlier is what a child earned from work earlier in the same
	// calendar year (the calculation's earned_earlier_this_year); amount.
	KindEarnedEarlier = "income.salary_net.earned_earlier_this_year"
	// KindCostPrefix + a cost kind of the calculation format
	// ("cost.housing", "cost.electricity"): a reasonable cost for the month.
	KindCostPrefix = "cost."
	// KindOtherNeedPrefix + a number ("need.other.1") is an amount asked for
	// another need (livsföring i övrigt); "need.other.1.text" says what it
	// is. Such needs always go to a person.
	KindOtherNeedPrefix = "need.other."

	// Discretion: amounts a caseworker decided (docs/calc-format.md
	// "approved", "norm_adjustment", "beyond:"). Each is a caseworker fact,
	// recorded with who (RecordedBy); KindReasonSuffix after its kind holds
	// why. A caseworker fact of an other need (KindOtherNeedPrefix + N) is
	// the amount approved for that need (0: refused); the applicant's fact
	// of the same kind stays what was applied for.
	//
	// KindCostPrefix + a cost kind + KindApprovedSuffix
	// ("cost.housing.approved") is the amount approved for a cost above the
	// municipality's guideline; it replaces the cost in the calculation.
	KindApprovedSuffix = ".approved"
	// KindReasonSuffix after a discretionary kind ("norm.adjustment.reason",
	// "need.other.1.reason") is the caseworker's reason, a text.
	KindReasonSuffix = ".reason"
	// KindNormAdjustment is a higher (positive) or lower (negative) norm for
	// special reasons (SoL 12 kap. 7 § third paragraph); amount.
	KindNormAdjustment = "norm.adjustment"
	// KindBeyondPrefix + a number ("beyond.1") is aid beyond the
	// calculation (SoL 12 kap. 2 §) that a caseworker approved; amount.
	// "beyond.1.text" says what it is for.
	KindBeyondPrefix = "beyond."
	// KindPersonAidMonths is the months in which a person (an adult) was
	// granted försörjningsstöd before the month ("2026-01,2026-02", or
	// "none"): recorded by the system at calculation from Skälig's decisions
	// and the imported history, or entered by a caseworker. Jobbstimulans
	// is worked out per person from it.
	KindPersonAidMonths = "person.aid_months"
	// AidMonthsUnknown, first in a person.aid_months text
	// ("unknown,2026-05"), says that the person's months before Skälig are
	// not known (no history was imported): the months listed are Skälig's
	// own. Routing stops a continued application of such a person with
	// income from work.
	AidMonthsUnknown = "unknown"

	// Person attributes that the calculation needs beyond the birth date
	// (read from the personnummer). Texts.
	KindLunchAtHome = "person.lunch_at_home" // "yes"/"no" (a child 0-6)
	KindDaysPresent = "person.days_present"  // "15": days a child lives in the household (växelvis boende)
	KindInSchool    = "person.in_school"     // "yes"/"no" (a young person 18-20)

	// KindDwellingSize is the number of persons in the home when the
	// household shares it with others (the lodger rule); text "5".
	KindDwellingSize = "household.dwelling_size"

	// Assets and vehicles. A declared or registered asset stops the robot.
	KindAssetBank      = "asset.bank"      // amount: money in bank accounts
	KindAssetOther     = "asset.other"     // text: property, shares, ...
	KindAssetVehicle   = "asset.vehicle"   // text: registration number, make, year
	KindPaymentAccount = "payment.account" // text: "clearing-account" for the payment

	// Work and activity.
	KindWorkSituation = "work.situation" // text: employed, unemployed, sick, studying, parental_leave, other
	KindAFRegistered  = "af.registered"  // "yes"/"no": registered at Arbetsförmedlingen
	// KindAFProgramExtent is the extent (omfattning) of the person's program
	// or activity at Arbetsförmedlingen, as the register reports it:
	// "heltid" or "deltid". A full-time program satisfies the activity
	// requirement; mere registration does not.
	KindAFProgramExtent  = "af.program_extent"
	KindActivityEvidence = "activity.evidence" // text: what evidences the activity requirement (from 2026-10)
	// KindActivityValidUntil is the last day ("YYYY-MM-DD") the activity
	// evidence of the person (activity.evidence) covers. Evidence without
	// it, or that ends before the last day of the month, has expired: it
	// no longer satisfies the activity requirement.
	KindActivityValidUntil = "activity.valid_until"
	// KindActivityExemption is an exemption from the activity requirement
	// that a caseworker recorded for the person (text: the ground, e.g.
	// "care_of_small_child", "studies_with_aid", "illness").
	KindActivityExemption = "activity.exemption"

	// The doctor's certificate (läkarintyg, required from 2026-07-01 of a
	// person who is unable to work because of illness, prop. 2025/26:201):
	// the first and last day ("YYYY-MM-DD") of the period the certificate
	// covers. A certificate that ends before the month has expired and
	// counts as missing. Declared by the applicant, the period counts only
	// with the certificate itself as evidence (Fact.Evidence an upload); a
	// caseworker records it after reading the certificate.
	KindMedicalCertFrom = "medical_certificate.from"
	KindMedicalCertTo   = "medical_certificate.to"

	// KindSublet is "yes" when the household rents its home second hand
	// (andrahandsuthyrning), and KindSubletConsent "yes" when the landlord's
	// consent or the hyresnämnd's permission to the sublet is shown (from
	// 2027-01-01 housing costs of a sublet are paid only then; prop.
	// 2025/26:201). The consent counts with evidence (an upload) or from a
	// caseworker.
	KindSublet        = "housing.sublet"
	KindSubletConsent = "housing.sublet_consent"

	// Residence permit (Migrationsverket). Texts.
	KindPermitStatus     = "permit.status"      // "valid", "expired", "pending", "none", "citizen"
	KindPermitValidUntil = "permit.valid_until" // "YYYY-MM-DD"
	// KindLawfulResidence says whether the person resides lawfully in
	// Sweden on the first day of the month (required for ekonomiskt bistånd
	// other than emergency aid from 2027-01-01, prop. 2025/26:201): "yes"
	// or "no", from Migrationsverket's answer (citizenship, a permit in
	// force, an extension applied for in time) or a caseworker. Without it
	// the residence is unknown, and unknown goes to a person.
	KindLawfulResidence = "residence.lawful"

	// The population register (Skatteverket's folkbokföring,
	// RegisterPopulation), per month, judged on its first day. Texts.
	// KindPopulationRegistered is "yes" when the person is folkbokförd
	// (registered as living in Sweden), "no" when not (never, or
	// avregistrerad: emigrated). KindCitizenship lists the citizenships the
	// register holds for the person, as ISO 3166-1 alpha-2 codes in byte
	// order separated by commas ("SE", "SE,SY"); none when the register
	// holds none (stateless, or not known). A Swedish citizen resides
	// lawfully in Sweden (rules.LawfulResidence). KindPersonName is the
	// person's name as registered ("Alva Testsson"), for the last month
	// asked only: shown to a caseworker, never used by a rule.
	KindPopulationRegistered = "population.registered"
	KindCitizenship          = "population.citizenship"
	KindPersonName           = "person.name"

	// Social-risk signals declared in the application: "yes". Each routes
	// the case to social work, first in the queue.
	KindSignalEviction     = "signal.eviction_notice"
	KindSignalChildrenRisk = "signal.children_at_risk"
	KindSignalViolence     = "signal.violence"
	KindSignalOther        = "signal.other" // free text

	// KindMessage is free text from the applicant to the caseworker.
	KindMessage = "message.to_caseworker"

	// KindRegisterStatusPrefix + a register name + ".status"
	// ("register.fk.status") is a system fact recording how a source
	// answered for a person: RegisterAnswered, RegisterUnknownPerson or
	// RegisterFailed. A source without an answered status was never read,
	// and its silence never means "no income".
	KindRegisterStatusPrefix = "register."
)

// Register status values (texts of register.<source>.status facts).
const (
	RegisterAnswered      = "answered"
	RegisterUnknownPerson = "unknown_person"
	RegisterFailed        = "failed"
)

// Register source names (RegisterSource(name) is the fact source).
const (
	RegisterFK        = "fk"     // Försäkringskassan, also Pensionsmyndigheten
	RegisterCSN       = "csn"    // Centrala studiestödsnämnden
	RegisterAF        = "af"     // Arbetsförmedlingen
	RegisterSKV       = "skv"    // Skatteverket
	RegisterAkassa    = "akassa" // the unemployment funds
	RegisterMigration = "migr"   // Migrationsverket
	RegisterTransport = "ts"     // Transportstyrelsen
	// RegisterPopulation is Skatteverket's population register
	// (folkbokföringen, as Navet gives it): not a source of the combined
	// service SSBTEK but a service of its own, asked through the same port
	// (docs/registers.md).
	RegisterPopulation = "folk"
)

// RegisterNames lists every register source in the order of registries.md.
var RegisterNames = []string{RegisterAF, RegisterCSN, RegisterFK, RegisterSKV, RegisterAkassa, RegisterTransport, RegisterMigration, RegisterPopulation}

// RegisterStatusKind returns the kind of the status fact of source name:
// "register.fk.status".
func RegisterStatusKind(name string) string { return KindRegisterStatusPrefix + name + ".status" }

var registerSwedish = map[string]string{
	RegisterAF: "Arbetsförmedlingen", RegisterCSN: "CSN", RegisterFK: "Försäkringskassan",
	RegisterSKV: "Skatteverket", RegisterAkassa: "arbetslöshetskassan", RegisterTransport: "Transportstyrelsen",
	RegisterMigration: "Migrationsverket", RegisterPopulation: "Skatteverket (folkbokföringen)",
}

// RegisterSwedishName names a register source for a reader: "Försäkringskassan".
func RegisterSwedishName(name string) string {
	if n, ok := registerSwedish[name]; ok {
		return n
	}
	return name
}
