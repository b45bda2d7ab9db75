package routing

import (
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
func (x *caseView) latestText(kind, id string, keep func(*skalig.Fact) bool) (string, *skalig.Fact) {
	fs := x.ofKind(kind)
	if len(fs) == 0 {
		return "", nil
	}
	pick := func(cw bool) (string, *skalig.Fact) {
		last := x.latest(fs, func(f *skalig.Fact) bool {
			return f.PersonID == id && f.Value.IsText &&
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
func (x *caseView) declaredSick(id string) bool {
	v, _ := x.latestText(skalig.KindWorkSituation, id, nil)
	return v == "sick"
}

// certificate describes person id's doctor's certificate for month m: ok
// when a shown certificate covers the whole month, else why not.
func (x *caseView) certificate(id string, m skalig.Month) (ok bool, why skalig.DetailArg) {
	first, last := monthEnds(m)
	fromText, fromFact := x.latestText(skalig.KindMedicalCertFrom, id, evidenced)
	toText, toFact := x.latestText(skalig.KindMedicalCertTo, id, evidenced)
	if fromFact == nil || toFact == nil {
		if d, _ := x.latestText(skalig.KindMedicalCertTo, id, nil); d != "" {
			return false, skalig.MsgArg("detail.cert.not_submitted")
		}
		return false, skalig.MsgArg("detail.cert.missing")
	}
	from, okF := skalig.ParseDate(fromText)
	to, okT := skalig.ParseDate(toText)
	switch {
	case !okF || !okT || to.Before(from):
		return false, skalig.MsgArg("detail.cert.unreadable")
	case to.Before(first):
		return false, skalig.MsgArg("detail.cert.expired", skalig.DateArg(to))
	case to.Before(last) || first.Before(from):
		return false, skalig.MsgArg("detail.cert.partial", skalig.DateArg(from), skalig.DateArg(to), skalig.MonthArg(m))
	}
	return true, skalig.DetailArg{}
}

// medicalCertificates lists, from rules.RuleMedicalCertificate, the adults
// who declare that illness keeps them from working without a doctor's
// certificate covering the month (an expired certificate counts as
// missing).
func medicalCertificates(x *caseView) []finding {
	if !rules.RuleMedicalCertificate.InForce(x.in.Month) {
		return nil
	}
	var out []finding
	for _, a := range x.adults {
		if !x.declaredSick(a.ID) {
			continue
		}
		if ok, why := x.certificate(a.ID, x.in.Month); !ok {
			out = append(out, found("detail.person_finding", x.personArg(a.ID), why))
		}
	}
	return out
}

// aidBefore reports whether person id had aid in each of the n months
// before m, by the person.aid_months fact (a caseworker's before the
// system's): true, false, or unknown when the months are not known.
func (x *caseView) aidBefore(id string, m skalig.Month, n int) (had, known bool) {
	v, f := x.latestText(skalig.KindPersonAidMonths, id, func(f *skalig.Fact) bool {
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
func (x *caseView) registerAmount(kind, id string, m skalig.Month) bool {
	for _, f := range x.ofKind(kind) {
		if f.PersonID != id || f.Period != m || f.Value.IsText || f.Value.Amount <= 0 {
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
func (x *caseView) registerText(src, kind, id string, m skalig.Month) string {
	fs := x.ofKind(kind)
	if len(fs) == 0 {
		return ""
	}
	s := skalig.RegisterSource(src)
	v := ""
	for _, f := range x.latest(fs, func(f *skalig.Fact) bool {
		return f.Source == s && f.PersonID == id && f.Period == m && f.Value.IsText
	}) {
		if v == "" || f.Value.Text < v {
			v = strings.TrimSpace(f.Value.Text)
		}
	}
	return v
}

// KindAFProgramExtent is the register fact of the extent (omfattning) of a
// person's program or activity at Arbetsförmedlingen.
const KindAFProgramExtent = skalig.KindAFProgramExtent

// activityPerson gathers what the facts show about adult a for month m
// into the input of rules.ActivityRequirement: only shown evidence (a
// register, a caseworker, a document) counts, a declared value is kept
// apart.
func activityPerson(x *caseView, a skalig.Member, m skalig.Month) rules.ActivityPerson {
	p := rules.ActivityPerson{AidBefore: "unknown"}
	if b := a.PersonalNumber.BirthDate(); b.Y != 0 {
		p.BirthDate = b.String()
	}
	if had, known := x.aidBefore(a.ID, m, 3); known {
		p.AidBefore = "no"
		if had {
			p.AidBefore = "yes"
		}
	}
	if v, f := x.latestText(skalig.KindInSchool, a.ID, evidenced); f != nil && isYes(f.Value) {
		p.InSchool = "shown"
	} else if v, f = x.latestText(skalig.KindInSchool, a.ID, nil); f != nil && v == "yes" {
		p.InSchool = "declared"
	}
	if v, f := x.latestText(skalig.KindActivityExemption, a.ID, func(f *skalig.Fact) bool { return f.Source == skalig.SourceCaseworker }); f != nil && !isNo(f.Value) {
		p.Exemption = v
	}
	p.AFRegistered = x.afRegistered(a.ID)
	p.Program = x.registerText(skalig.RegisterAF, "af.program", a.ID, m)
	p.ProgramExtent = x.registerText(skalig.RegisterAF, KindAFProgramExtent, a.ID, m)
	for _, b := range []struct{ name, kind string }{
		{"sickness_benefit", skalig.KindIncomePrefix + "sickness_benefit"},
		{"parental_benefit", skalig.KindIncomePrefix + "parental_benefit"},
		{"student_grant", skalig.KindIncomePrefix + "student_grant"},
		{"student_grant", "csn.loan"},
	} {
		if x.registerAmount(b.kind, a.ID, m) && !slices.Contains(p.Benefits, b.name) {
			p.Benefits = append(p.Benefits, b.name)
		}
	}
	if x.declaredSick(a.ID) {
		p.SickCertified, _ = x.certificate(a.ID, m)
	}
	if ev, evf := x.latestText(skalig.KindActivityEvidence, a.ID, evidenced); evf != nil && ev != "" && !isNo(evf.Value) {
		p.Evidence = ev
		p.EvidenceUntil, _ = x.latestText(skalig.KindActivityValidUntil, a.ID, evidenced)
	}
	return p
}

// activityMissing lists, from rules.RuleActivityRequirement, the adults to
// whom the activity requirement applies who are neither exempt nor show
// activity (rules.ActivityRequirement), with why.
func activityMissing(x *caseView) []finding {
	m := x.in.Month
	if !rules.RuleActivityRequirement.InForce(m) {
		return nil
	}
	var out []finding
	for _, a := range x.adults {
		if f := rules.ActivityRequirement(m, activityPerson(x, a, m)); f.Outcome == rules.ActivityNotMet {
			out = append(out, found("detail.person_finding", x.personArg(a.ID), skalig.DetailAsArg(f.Detail)))
		}
	}
	return out
}

// residence returns the lawful-residence findings of
// rules.LawfulResidence for every member: persons Migrationsverket or a
// caseworker says do not reside lawfully, persons known to neither
// Migrationsverket nor the population register, and persons whose
// residence is otherwise not known. The municipality's
// lawful_residence_by_population_register is the rule's assumption for a
// deployment that does not ask the population register.
func (c *Config) residence(x *caseView) (notLawful, unregistered, unknown []finding) {
	m := x.in.Month
	if !rules.RuleLawfulResidence.InForce(m) {
		return nil, nil, nil
	}
	for _, p := range x.in.Members {
		r := rules.Residence{
			Migration:            x.registerStatus(skalig.RegisterMigration, p.ID),
			Population:           x.registerStatus(skalig.RegisterPopulation, p.ID),
			Registered:           x.registerText(skalig.RegisterPopulation, skalig.KindPopulationRegistered, p.ID, m),
			Coordination:         p.PersonalNumber.IsCoordination(),
			AssumeByPersonnummer: c.spec.ResidenceByPopulationRegister,
		}
		if v, f := x.latestText(skalig.KindLawfulResidence, p.ID, evidenced); f != nil {
			r.Lawful, r.LawfulBy = v, "register"
			if f.Source == skalig.SourceCaseworker {
				r.LawfulBy = "caseworker"
			}
			if isYes(f.Value) {
				r.Lawful = "yes"
			} else if isNo(f.Value) {
				r.Lawful = "no"
			}
		}
		if cs := x.registerText(skalig.RegisterPopulation, skalig.KindCitizenship, p.ID, m); cs != "" {
			r.Citizenships = strings.Split(cs, ",")
		}
		f := rules.LawfulResidence(m, r)
		var label finding
		switch f.Outcome {
		case rules.ResidenceNotLawful, rules.ResidenceUnregistered, rules.ResidenceUnknown:
			label = found("detail.person_finding", x.personArg(p.ID), skalig.DetailAsArg(f.Detail))
		}
		switch f.Outcome {
		case rules.ResidenceNotLawful:
			notLawful = append(notLawful, label)
		case rules.ResidenceUnregistered:
			unregistered = append(unregistered, label)
		case rules.ResidenceUnknown:
			unknown = append(unknown, label)
		}
	}
	return sortedUnique(notLawful), sortedUnique(unregistered), sortedUnique(unknown)
}

// subletConsent returns, from rules.RuleSubletConsent, why the housing cost
// of a home rented second hand may not be paid: the household says it
// sublets and no consent or permission is shown (declared with the
// document, from a caseworker), or the consent is declared "no".
func subletConsent(x *caseView) []finding {
	if !rules.RuleSubletConsent.InForce(x.in.Month) {
		return nil
	}
	if _, sf := x.latestText(skalig.KindSublet, "", nil); sf == nil || !isYes(sf.Value) {
		return nil
	}
	v, f := x.latestText(skalig.KindSubletConsent, "", evidenced)
	switch {
	case f != nil && isYes(f.Value):
		return nil
	case f != nil:
		return []finding{found("detail.sublet.refused", sourceArg(f.Source), skalig.TextArg(v))}
	}
	if _, df := x.latestText(skalig.KindSubletConsent, "", nil); df != nil && isYes(df.Value) {
		return []finding{found("detail.sublet.not_shown")}
	}
	return []finding{found("detail.sublet.missing")}
}

// documentReasons are the stops that the applicant can answer with a
// document: the workflow asks for it at once (a document request) while the
// case waits with a person.
var documentReasons = []string{skalig.ReasonMedicalCertificateMissing, skalig.ReasonSubletConsentMissing}

// AsksForDocument reports whether a stop with code is answered by a
// document from the applicant (see documentReasons).
func AsksForDocument(code string) bool { return slices.Contains(documentReasons, code) }
