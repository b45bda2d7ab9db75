package routing

import (
	"fmt"
	"slices"
	"strings"

	"skalig"
	"skalig/internal/rules"
)

// The conditions of the reforms of 2026-2027 (prop. 2025/26:201 and the
// activity requirement). Each is a rules.DatedRule: the month assessed
// decides whether it applies. They decide routing, not the amount: a
// condition not shown goes to a person with a named reason, and the robot
// never decides as if it were met.

// monthEnds returns the first and last day of m.
func monthEnds(m skalig.Month) (first, last skalig.Date) {
	return m.First(), skalig.Date{Y: int16(m.Year()), M: int8(m.Num()), D: int8(m.Days())}
}

// latestText returns the latest text value of kind for person id among the
// facts keep accepts, a caseworker's before any other source; "" when none.
// Of equally late values the smallest (in byte order) is taken, so that the
// result never depends on the order of the facts.
func latestText(fs []skalig.Fact, kind, id string, keep func(*skalig.Fact) bool) (string, *skalig.Fact) {
	pick := func(cw bool) (string, *skalig.Fact) {
		last := latest(fs, func(f *skalig.Fact) bool {
			return f.Kind == kind && f.PersonID == id && f.Value.IsText &&
				(f.Source == skalig.SourceCaseworker) == cw && (keep == nil || keep(f))
		})
		if len(last) == 0 {
			return "", nil
		}
		best := last[0]
		for _, f := range last[1:] {
			if f.Value.Text < best.Value.Text {
				best = f
			}
		}
		return strings.TrimSpace(best.Value.Text), best
	}
	if v, f := pick(true); f != nil {
		return v, f
	}
	return pick(false)
}

// evidenced accepts a fact that counts as shown: recorded by a caseworker,
// from a register, or declared by the applicant with the document itself
// as evidence (an upload).
func evidenced(f *skalig.Fact) bool {
	if f.Source == skalig.SourceCaseworker {
		return true
	}
	if _, reg := f.Source.Register(); reg {
		return true
	}
	return f.Source == skalig.SourceApplicant && f.Evidence != ""
}

// declaredSick reports whether the latest work situation of person id is
// "sick" (unable to work because of illness).
func declaredSick(fs []skalig.Fact, id string) bool {
	v, _ := latestText(fs, skalig.KindWorkSituation, id, nil)
	return v == "sick"
}

// certificate describes person id's doctor's certificate for month m: ok
// when a shown certificate covers the whole month, else why not (Swedish).
func certificate(fs []skalig.Fact, id string, m skalig.Month) (ok bool, why string) {
	first, last := monthEnds(m)
	fromText, fromFact := latestText(fs, skalig.KindMedicalCertFrom, id, evidenced)
	toText, toFact := latestText(fs, skalig.KindMedicalCertTo, id, evidenced)
	if fromFact == nil || toFact == nil {
		if d, _ := latestText(fs, skalig.KindMedicalCertTo, id, nil); d != "" {
			return false, "läkarintyget är uppgett men inte inlämnat"
		}
		return false, "läkarintyg saknas"
	}
	from, okF := skalig.ParseDate(fromText)
	to, okT := skalig.ParseDate(toText)
	switch {
	case !okF || !okT || to.Before(from):
		return false, "läkarintygets period är oläslig"
	case to.Before(first):
		return false, "läkarintyget gick ut " + to.String()
	case to.Before(last) || first.Before(from):
		return false, fmt.Sprintf("läkarintyget gäller %s–%s, inte hela %s", from, to, m)
	}
	return true, ""
}

// medicalCertificates lists, from rules.RuleMedicalCertificate, the adults
// who declare that illness keeps them from working without a doctor's
// certificate covering the month (an expired certificate counts as
// missing).
func medicalCertificates(x *caseView) []string {
	if !rules.RuleMedicalCertificate.InForce(x.in.Month) {
		return nil
	}
	var out []string
	for _, a := range x.adults {
		if !declaredSick(x.in.Facts, a.ID) {
			continue
		}
		if ok, why := certificate(x.in.Facts, a.ID, x.in.Month); !ok {
			out = append(out, x.personLabel(a.ID)+": "+why)
		}
	}
	return out
}

// PensionAge is the age from which the activity requirement does not apply
// (riktåldern för pension 2026-2027, 67 years, on the first of the month).
const PensionAge = 67

// aidBefore reports whether person id had aid in each of the n months
// before m, by the person.aid_months fact (a caseworker's before the
// system's): true, false, or unknown when the months are not known.
func aidBefore(fs []skalig.Fact, id string, m skalig.Month, n int) (had, known bool) {
	v, f := latestText(fs, skalig.KindPersonAidMonths, id, func(f *skalig.Fact) bool {
		return f.Source == skalig.SourceCaseworker || f.Source == skalig.SourceSystem
	})
	if f == nil {
		return false, false
	}
	unknown := false
	months := map[skalig.Month]bool{}
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == skalig.AidMonthsUnknown {
			unknown = true
			continue
		}
		if mo, ok := skalig.ParseMonth(s); ok {
			months[mo] = true
		}
	}
	for i := 1; i <= n; i++ {
		if !months[m-skalig.Month(i)] {
			if unknown {
				return false, false
			}
			return false, true
		}
	}
	return true, true
}

// registerAmount reports whether a register (or a caseworker) gives person
// id an amount above zero of kind for month m.
func registerAmount(fs []skalig.Fact, kind, id string, m skalig.Month) bool {
	for i := range fs {
		f := &fs[i]
		if f.Kind != kind || f.PersonID != id || f.Period != m || f.Value.IsText || f.Value.Amount <= 0 {
			continue
		}
		if _, reg := f.Source.Register(); reg || f.Source == skalig.SourceCaseworker {
			return true
		}
	}
	return false
}

// registerText returns the latest text of kind for person id from register
// src for month m, "" when none.
func registerText(fs []skalig.Fact, src, kind, id string, m skalig.Month) string {
	s := skalig.RegisterSource(src)
	v := ""
	for _, f := range latest(fs, func(f *skalig.Fact) bool {
		return f.Kind == kind && f.Source == s && f.PersonID == id && f.Period == m && f.Value.IsText
	}) {
		if v == "" || f.Value.Text < v {
			v = strings.TrimSpace(f.Value.Text)
		}
	}
	return v
}

// activityExemption returns the ground on which person a is exempt from the
// activity requirement in month m, "" when none is shown: pension age, a
// caseworker's recorded exemption, illness with a doctor's certificate
// covering the month, sickness benefit or compensation, parental benefit
// (care of a small child), or studies with student aid (CSN).
func activityExemption(x *caseView, a skalig.Member, m skalig.Month) string {
	fs := x.in.Facts
	if b := a.PersonalNumber.BirthDate(); b.Y != 0 && b.AgeOn(m.First()) >= PensionAge {
		return "pensionsålder"
	}
	if v, f := latestText(fs, skalig.KindActivityExemption, a.ID, func(f *skalig.Fact) bool { return f.Source == skalig.SourceCaseworker }); f != nil && v != "" && !isNo(f.Value) {
		return "undantag enligt handläggare (" + v + ")"
	}
	if declaredSick(fs, a.ID) {
		if ok, _ := certificate(fs, a.ID, m); ok {
			return "sjukdom med läkarintyg"
		}
	}
	switch {
	case registerAmount(fs, skalig.KindIncomePrefix+"sickness_benefit", a.ID, m):
		return "sjukpenning eller sjukersättning"
	case registerAmount(fs, skalig.KindIncomePrefix+"parental_benefit", a.ID, m):
		return "föräldrapenning (vård av barn)"
	case registerAmount(fs, skalig.KindIncomePrefix+"student_grant", a.ID, m), registerAmount(fs, "csn.loan", a.ID, m):
		return "studier med studiemedel"
	}
	return ""
}

// activityShown returns whether person a satisfies the activity
// requirement in month m by activity, and else why not: a full-time
// program or activity by Arbetsförmedlingen's extent (omfattning), or
// evidence of activity valid through the month (from a caseworker, or
// declared with the document as evidence). Mere registration at
// Arbetsförmedlingen no longer satisfies it.
func activityShown(x *caseView, a skalig.Member, m skalig.Month) (bool, string) {
	fs := x.in.Facts
	_, last := monthEnds(m)
	reg := afRegistered(fs, a.ID)
	program := registerText(fs, skalig.RegisterAF, "af.program", a.ID, m)
	extent := registerText(fs, skalig.RegisterAF, KindAFProgramExtent, a.ID, m)
	if reg == "yes" && program != "" && extent == "heltid" {
		return true, ""
	}
	why := []string{}
	switch {
	case reg == "yes" && program != "" && extent != "":
		why = append(why, "program hos Arbetsförmedlingen på "+extent+" (inte heltid)")
	case reg == "yes" && program != "":
		why = append(why, "program hos Arbetsförmedlingen utan uppgift om omfattning")
	case reg == "yes":
		why = append(why, "endast inskriven hos Arbetsförmedlingen, vilket inte räcker")
	}
	ev, evf := latestText(fs, skalig.KindActivityEvidence, a.ID, evidenced)
	if evf != nil && ev != "" && !isNo(evf.Value) {
		until, uf := latestText(fs, skalig.KindActivityValidUntil, a.ID, evidenced)
		d, ok := skalig.ParseDate(until)
		switch {
		case uf == nil:
			why = append(why, "aktivitetsintyget saknar giltighetstid")
		case !ok:
			why = append(why, "aktivitetsintygets giltighetstid är oläslig")
		case d.Before(last):
			why = append(why, "aktivitetsintyget gällde till "+d.String())
		default:
			return true, ""
		}
	}
	if len(why) == 0 {
		why = append(why, "ingen aktivitet visad")
	}
	return false, strings.Join(why, ", ")
}

// KindAFProgramExtent is the register fact of the extent (omfattning) of a
// person's program or activity at Arbetsförmedlingen.
const KindAFProgramExtent = skalig.KindAFProgramExtent

// activityMissing lists, from rules.RuleActivityRequirement, the adults to
// whom the activity requirement applies (aid in each of the three months
// before, or months not known) who neither are exempt by the law's
// exemptions nor show activity (see activityShown).
func activityMissing(x *caseView) []string {
	m := x.in.Month
	if !rules.RuleActivityRequirement.InForce(m) {
		return nil
	}
	var out []string
	for _, a := range x.adults {
		if had, known := aidBefore(x.in.Facts, a.ID, m, 3); known && !had {
			continue // not three months of aid in a row: the requirement does not apply yet
		}
		if activityExemption(x, a, m) != "" {
			continue
		}
		if ok, why := activityShown(x, a, m); !ok {
			out = append(out, x.personLabel(a.ID)+": "+why)
		}
	}
	return out
}

// residence returns the lawful-residence findings from
// rules.RuleLawfulResidence: persons Migrationsverket (or a caseworker)
// says do not reside lawfully, and persons whose residence is not known.
// A person with a Swedish personnummer whom Migrationsverket does not know
// counts as lawfully resident through the population register only when
// the municipality's configuration says so
// (lawful_residence_by_population_register).
func (c *Config) residence(x *caseView) (notLawful, unknown []string) {
	m := x.in.Month
	if !rules.RuleLawfulResidence.InForce(m) {
		return nil, nil
	}
	for _, p := range x.in.Members {
		v, f := latestText(x.in.Facts, skalig.KindLawfulResidence, p.ID, evidenced)
		switch {
		case f != nil && isYes(f.Value):
			continue
		case f != nil && isNo(f.Value):
			notLawful = append(notLawful, x.personLabel(p.ID)+" ("+sourceLabel(f.Source)+")")
			continue
		case f != nil:
			unknown = append(unknown, x.personLabel(p.ID)+": okänt värde "+quote(v))
			continue
		}
		st := registerStatus(x.in.Facts, skalig.RegisterMigration, p.ID)
		switch {
		case st == skalig.RegisterUnknownPerson && !p.PersonalNumber.IsCoordination() && c.spec.ResidenceByPopulationRegister:
			continue
		case st == skalig.RegisterUnknownPerson && p.PersonalNumber.IsCoordination():
			unknown = append(unknown, x.personLabel(p.ID)+": samordningsnummer, okänd för Migrationsverket")
		case st == skalig.RegisterUnknownPerson:
			unknown = append(unknown, x.personLabel(p.ID)+": okänd för Migrationsverket")
		case st == skalig.RegisterAnswered:
			unknown = append(unknown, x.personLabel(p.ID)+": Migrationsverket svarade utan uppgift om laglig vistelse")
		default:
			unknown = append(unknown, x.personLabel(p.ID)+": inget svar från Migrationsverket")
		}
	}
	return sortedUnique(notLawful), sortedUnique(unknown)
}

// subletConsent returns, from rules.RuleSubletConsent, why the housing cost
// of a home rented second hand may not be paid: the household says it
// sublets and no consent or permission is shown (declared with the
// document, from a caseworker), or the consent is declared "no".
func subletConsent(x *caseView) []string {
	if !rules.RuleSubletConsent.InForce(x.in.Month) {
		return nil
	}
	if _, sf := latestText(x.in.Facts, skalig.KindSublet, "", nil); sf == nil || !isYes(sf.Value) {
		return nil
	}
	v, f := latestText(x.in.Facts, skalig.KindSubletConsent, "", evidenced)
	switch {
	case f != nil && isYes(f.Value):
		return nil
	case f != nil:
		return []string{"samtycke eller tillstånd till andrahandsupplåtelsen saknas (" + sourceLabel(f.Source) + ": " + quote(v) + ")"}
	}
	if _, df := latestText(x.in.Facts, skalig.KindSubletConsent, "", nil); df != nil && isYes(df.Value) {
		return []string{"samtycke till andrahandsupplåtelsen är uppgett men inte visat"}
	}
	return []string{"samtycke eller tillstånd till andrahandsupplåtelsen saknas"}
}

// documentReasons are the stops that the applicant can answer with a
// document: the workflow asks for it at once (a document request) while the
// case waits with a person.
var documentReasons = []string{skalig.ReasonMedicalCertificateMissing, skalig.ReasonSubletConsentMissing}

// AsksForDocument reports whether a stop with code is answered by a
// document from the applicant (see documentReasons).
func AsksForDocument(code string) bool { return slices.Contains(documentReasons, code) }
