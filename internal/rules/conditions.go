package rules

import (
	"slices"

	"skalig"
)

// The conditions of the reforms that concern one person in one month: the
// activity requirement (RuleActivityRequirement) and lawful residence
// (RuleLawfulResidence). Like the calculation they are pure: routing
// (internal/routing) gathers what the facts show into an ActivityPerson or
// a Residence, and the functions here say what the rule makes of it. Only
// shown evidence goes in: a value the applicant merely declared is kept
// apart (it names what a caseworker should look at, never satisfies a
// condition). The legislation cases in testdata/cases (kind "rule") test
// them.

// Finding is what a condition rule makes of one person in one month.
type Finding struct {
	Rule string // the DatedRule's code
	// Outcome is the rule's answer: for the activity requirement one of
	// ActivityNotInForce, ActivityNotApplicable, ActivityExempt, ActivityMet,
	// ActivityNotMet; for lawful residence one of ResidenceNotInForce,
	// ResidenceLawful, ResidenceNotLawful, ResidenceUnknown,
	// ResidenceUnregistered.
	Outcome string
	// Ground is a stable code of the ground of the outcome
	// ("pension_age", "swedish_citizen"), "" when none.
	Ground string
	// Swedish says why, in Swedish, for the caseworker ("sökande:" is
	// prefixed by routing): Detail's Swedish text.
	Swedish string
	// Detail says why as a message of the detail catalogs
	// (locales/details.LANG.json) and its arguments, for a page in any
	// language; empty when Swedish is.
	Detail skalig.Detail
	// Law is the legal reference in force for the month.
	Law string
}

// Outcomes of ActivityRequirement.
const (
	ActivityNotInForce    = "not_in_force"   // the month is before the rule's first month
	ActivityNotApplicable = "not_applicable" // not three months of aid in a row before the month
	ActivityExempt        = "exempt"         // a ground of the law exempts the person
	ActivityMet           = "met"            // activity is shown for the whole month
	ActivityNotMet        = "not_met"        // neither: a person looks at it
)

// PensionAge is the riktålder för pension in 2026-2027 (67 years): from
// the first month the person has reached it, the activity requirement
// does not apply. A later riktålder is a new dated value, not an edit.
const PensionAge = 67

// Activity exemption grounds (Finding.Ground), as the government's
// account of the bill lists them (prop. 2025/26:207; see docs/routing.md
// "Legal references of the reforms"), and the caseworker's.
const (
	ExemptUnder18           = "under_18"
	ExemptSchool18to20      = "school_18_20"
	ExemptFullTimeProgram   = "full_time_program"
	ExemptPensionAge        = "pension_age"
	ExemptSicknessBenefit   = "sickness_benefit"
	ExemptCaseworkerRecords = "caseworker"
)

// ActivityPerson is what the activity requirement looks at for one adult
// in one month. Dates are texts "YYYY-MM-DD" as the facts carry them.
type ActivityPerson struct {
	BirthDate string `json:"birth_date"`
	// AidBefore says whether the person had försörjningsstöd in each of
	// the three months before: "yes", "no", or "unknown" (not known:
	// the requirement is taken to apply).
	AidBefore string `json:"aid_before"`
	// InSchool is "shown" when it is shown (a caseworker, or declared with
	// the document) that the person attends grundskola, gymnasieskola or
	// comparable basic education, "declared" when only declared, "" when
	// neither.
	InSchool string `json:"in_school,omitempty"`
	// Exemption is a ground a caseworker recorded (activity.exemption),
	// "" when none.
	Exemption string `json:"exemption,omitempty"`
	// AFRegistered is Arbetsförmedlingen's "yes" or "no" ("" unknown);
	// Program and ProgramExtent its program for the month and the extent
	// it reports ("heltid", "deltid").
	AFRegistered  string `json:"af_registered,omitempty"`
	Program       string `json:"program,omitempty"`
	ProgramExtent string `json:"program_extent,omitempty"`
	// Benefits are the benefits above 0 kr for the month from a register
	// or a caseworker: "sickness_benefit" (sjukpenning or sjukersättning),
	// "parental_benefit", "student_grant" (studiemedel or studiehjälp).
	Benefits []string `json:"benefits,omitempty"`
	// SickCertified is true when the person declares illness and a
	// shown läkarintyg covers the month.
	SickCertified bool `json:"sick_certified,omitempty"`
	// Evidence is activity evidence shown ("" none) and EvidenceUntil the
	// last day it covers ("" none given).
	Evidence      string `json:"evidence,omitempty"`
	EvidenceUntil string `json:"evidence_until,omitempty"`
}

// ActivityRequirement applies RuleActivityRequirement to p for month m.
//
// The requirement applies to a person who has had försörjningsstöd for at
// least three consecutive months (when that is not known it is taken to
// apply). It may not be placed on (the exemptions): a person under 18; a
// person of 18-20 who attends grundskola, gymnasieskola or comparable basic
// education; a person with full-time occupation (a full-time programme at
// Arbetsförmedlingen, which judges whether a participant has sufficient
// occupation; full-time employment, which no register shows, a caseworker
// records); a person who has reached the riktålder för pension; a person
// with sjukpenning or sjukersättning. The bill also exempts "certain other
// social insurance benefits" without naming them in the material at hand:
// parental benefit is therefore not taken as an exemption, but named for
// the caseworker, as are illness with a läkarintyg (the activities are
// adapted to the person's ability, not waived by law) and student aid.
// Otherwise activity evidence valid through the last day of the month
// satisfies it; mere registration at Arbetsförmedlingen does not.
func ActivityRequirement(m skalig.Month, p ActivityPerson) Finding {
	r := RuleActivityRequirement
	f := Finding{Rule: r.Code, Law: r.Law}
	if !r.InForce(m) {
		f.Outcome = ActivityNotInForce
		return f
	}
	say := func(outcome string, d skalig.Detail) Finding {
		f.Outcome, f.Detail, f.Swedish = outcome, d, d.Swedish()
		return f
	}
	if p.AidBefore == "no" {
		return say(ActivityNotApplicable, skalig.NewDetail("detail.activity.not_applicable"))
	}
	exempt := func(ground string, args ...skalig.DetailArg) Finding {
		f.Ground = ground
		return say(ActivityExempt, skalig.NewDetail("detail.activity."+ground, args...))
	}
	first, last := m.First(), lastDayOf(m)
	if b, ok := skalig.ParseDate(p.BirthDate); ok {
		age := b.AgeOn(first)
		switch {
		case age < 18:
			return exempt(ExemptUnder18)
		case age <= 20 && p.InSchool == "shown":
			return exempt(ExemptSchool18to20)
		case age >= PensionAge:
			return exempt(ExemptPensionAge)
		}
	}
	if p.Exemption != "" && p.Exemption != "no" {
		return exempt(ExemptCaseworkerRecords, skalig.TextArg(p.Exemption))
	}
	if slices.Contains(p.Benefits, "sickness_benefit") {
		return exempt(ExemptSicknessBenefit)
	}
	if p.AFRegistered == "yes" && p.Program != "" && p.ProgramExtent == "heltid" {
		return exempt(ExemptFullTimeProgram)
	}
	var why []skalig.DetailArg
	add := func(id string, args ...skalig.DetailArg) {
		why = append(why, skalig.MsgArg("detail.activity."+id, args...))
	}
	switch {
	case p.AFRegistered == "yes" && p.Program != "" && p.ProgramExtent != "":
		add("program_part_time", skalig.TextArg(p.ProgramExtent))
	case p.AFRegistered == "yes" && p.Program != "":
		add("program_no_extent")
	case p.AFRegistered == "yes":
		add("only_registered")
	}
	if p.Evidence != "" && p.Evidence != "no" {
		until, ok := skalig.ParseDate(p.EvidenceUntil)
		switch {
		case p.EvidenceUntil == "":
			add("evidence_no_until")
		case !ok:
			add("evidence_unreadable")
		case until.Before(last):
			add("evidence_expired", skalig.DateArg(until))
		default:
			return say(ActivityMet, skalig.NewDetail("detail.activity.met", skalig.DateArg(until)))
		}
	}
	if len(why) == 0 {
		add("none")
	}
	// What a caseworker should weigh: not exemptions by the law as the
	// material at hand states it.
	if b, ok := skalig.ParseDate(p.BirthDate); ok && b.AgeOn(first) <= 20 && p.InSchool == "declared" {
		add("school_declared")
	}
	if p.SickCertified {
		add("sick_certified")
	}
	if slices.Contains(p.Benefits, "parental_benefit") {
		add("parental_benefit")
	}
	if slices.Contains(p.Benefits, "student_grant") {
		add("student_grant")
	}
	return say(ActivityNotMet, skalig.NewDetail("detail.list", skalig.ListArg(skalig.DetailSepComma, why...)))
}

// lastDayOf returns the last day of m.
func lastDayOf(m skalig.Month) skalig.Date {
	return skalig.Date{Y: int16(m.Year()), M: int8(m.Num()), D: int8(m.Days())}
}
