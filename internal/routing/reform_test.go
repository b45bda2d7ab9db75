package routing

import (
	"slices"
	"strings"
	"testing"

	"skalig"
)

// The reform conditions, one table per reason: each case mutates the base
// input (a single adult, everything answered) and says whether the robot
// stops with the reason, and a substring of the detail when it does.

type reformCase struct {
	name   string
	mutate func(in *Input)
	stop   bool
	detail string
}

func runReform(t *testing.T, spec Spec, code string, cases []reformCase) {
	t.Helper()
	c := mustNew(t, spec)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := baseInput()
			tc.mutate(in)
			out := c.Route(in)
			i := slices.IndexFunc(out.Reasons, func(r Reason) bool { return r.Code == code })
			switch {
			case tc.stop && i < 0:
				t.Fatalf("Reasons=%+v, want %s", out.Reasons, code)
			case !tc.stop && i >= 0:
				t.Fatalf("Reasons=%+v, want no %s", out.Reasons, code)
			case tc.stop:
				if out.Route != RouteException {
					t.Errorf("Route=%s, want exception", out.Route)
				}
				checkDetails(t, out)
				if !strings.Contains(out.Reasons[i].Detail, tc.detail) {
					t.Errorf("Detail=%q, want it to contain %q", out.Reasons[i].Detail, tc.detail)
				}
				if out.Reasons[i].Text == "" || out.Reasons[i].Text != Text(code) {
					t.Errorf("Text=%q, want the code's text", out.Reasons[i].Text)
				}
			}
		})
	}
}

func sick(in *Input) { setText(in, skalig.KindWorkSituation, "sick") }

func TestMedicalCertificate(t *testing.T) {
	jul, jun := skalig.MonthOf(2026, 7), skalig.MonthOf(2026, 6)
	cert := func(from, to string, src func(kind, person string, v skalig.FactValue) skalig.Fact) func(*Input) {
		return func(in *Input) {
			in.Facts = append(in.Facts, src(skalig.KindMedicalCertFrom, "p1", txt(from)), src(skalig.KindMedicalCertTo, "p1", txt(to)))
		}
	}
	uploaded := func(kind, person string, v skalig.FactValue) skalig.Fact {
		f := decl(kind, person, v)
		f.Evidence = "upload:doc-1"
		return f
	}
	runReform(t, testSpec(), skalig.ReasonMedicalCertificateMissing, []reformCase{
		{"BeforeJuly2026", func(in *Input) { sick(in); toMonth(in, jun) }, false, ""},
		{"SickWithoutCertificate", func(in *Input) { sick(in); toMonth(in, jul) }, true, "sökande: läkarintyg saknas"},
		{"NotSick", func(in *Input) { toMonth(in, jul) }, false, ""},
		{"CertificateFromCaseworker", func(in *Input) { sick(in); cert("2026-06-15", "2026-09-30", cw)(in); toMonth(in, jul) }, false, ""},
		{"CertificateUploaded", func(in *Input) { sick(in); cert("2026-07-01", "2026-07-31", uploaded)(in); toMonth(in, jul) }, false, ""},
		{"CertificateOnlyDeclared", func(in *Input) { sick(in); cert("2026-07-01", "2026-07-31", decl)(in); toMonth(in, jul) }, true, "uppgett men inte inlämnat"},
		{"CertificateExpired", func(in *Input) { sick(in); cert("2026-03-01", "2026-06-30", cw)(in); toMonth(in, jul) }, true, "gick ut 2026-06-30"},
		{"CertificatePartOfMonth", func(in *Input) { sick(in); cert("2026-07-10", "2026-08-31", cw)(in); toMonth(in, jul) }, true, "inte hela 2026-07"},
		{"CertificateEndsInMonth", func(in *Input) { sick(in); cert("2026-06-01", "2026-07-20", cw)(in); toMonth(in, jul) }, true, "inte hela 2026-07"},
		{"CertificateUnreadable", func(in *Input) { sick(in); cert("snart", "2026-07-31", cw)(in); toMonth(in, jul) }, true, "oläslig"},
	})
	if !AsksForDocument(skalig.ReasonMedicalCertificateMissing) || AsksForDocument(skalig.ReasonActivityNotEvidenced) {
		t.Error("AsksForDocument: the certificate is asked for, the activity requirement is not")
	}
}

func TestActivityRequirement(t *testing.T) {
	oct := skalig.MonthOf(2026, 10)
	program := func(extent string) func(*Input) {
		return func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterAF, "af.program", "p1", txt("Kartläggning")))
			if extent != "" {
				in.Facts = append(in.Facts, reg(skalig.RegisterAF, KindAFProgramExtent, "p1", txt(extent)))
			}
		}
	}
	evidence := func(until string) func(*Input) {
		return func(in *Input) {
			in.Facts = append(in.Facts, cw(skalig.KindActivityEvidence, "p1", txt("kommunal praktik")))
			if until != "" {
				in.Facts = append(in.Facts, cw(skalig.KindActivityValidUntil, "p1", txt(until)))
			}
		}
	}
	aidMonths := func(v string) func(*Input) {
		return func(in *Input) {
			in.Facts = append(in.Facts, skalig.Fact{Kind: skalig.KindPersonAidMonths, PersonID: "p1", Period: march, Value: txt(v), Source: skalig.SourceSystem, At: fetched})
		}
	}
	then := func(fs ...func(*Input)) func(*Input) {
		return func(in *Input) {
			for _, f := range fs {
				f(in)
			}
			toMonth(in, oct)
		}
	}
	runReform(t, testSpec(), skalig.ReasonActivityNotEvidenced, []reformCase{
		{"BeforeOctober2026", func(in *Input) { toMonth(in, oct-1) }, false, ""},
		{"OnlyRegistered", then(), true, "endast inskriven hos Arbetsförmedlingen"},
		{"NotRegistered", then(func(in *Input) { dropKind(in, skalig.KindAFRegistered) }), true, "ingen aktivitet visad"},
		{"FullTimeProgram", then(program("heltid")), false, ""},
		{"PartTimeProgram", then(program("deltid")), true, "på deltid (inte heltid)"},
		{"ProgramWithoutExtent", then(program("")), true, "utan uppgift om omfattning"},
		{"EvidenceValid", then(evidence("2026-10-31")), false, ""},
		{"EvidenceExpired", then(evidence("2026-09-30")), true, "gällde till 2026-09-30"},
		{"EvidenceEndsInMonth", then(evidence("2026-10-15")), true, "gällde till 2026-10-15"},
		{"EvidenceWithoutValidity", then(evidence("")), true, "saknar giltighetstid"},
		{"EvidenceOnlyDeclared", then(func(in *Input) {
			in.Facts = append(in.Facts, decl(skalig.KindActivityEvidence, "p1", txt("praktik")), decl(skalig.KindActivityValidUntil, "p1", txt("2026-12-31")))
		}), true, "endast inskriven"},
		{"FewerThanThreeMonthsOfAid", then(aidMonths("2026-08,2026-09")), false, ""},
		{"ThreeMonthsOfAid", then(aidMonths("2026-07,2026-08,2026-09")), true, "endast inskriven"},
		{"GapInAid", then(aidMonths("2026-06,2026-07,2026-09")), false, ""},
		{"AidHistoryUnknown", then(aidMonths("unknown,2026-09")), true, "endast inskriven"},
		{"SickWithCertificateNotExemptByLaw", then(sick, func(in *Input) {
			in.Facts = append(in.Facts, cw(skalig.KindMedicalCertFrom, "p1", txt("2026-09-01")), cw(skalig.KindMedicalCertTo, "p1", txt("2026-12-31")))
		}), true, "läkarintyg visar nedsatt förmåga"},
		{"ExemptIllnessByCaseworker", then(sick, func(in *Input) {
			in.Facts = append(in.Facts, cw(skalig.KindActivityExemption, "p1", txt("illness")))
		}), false, ""},
		{"SickWithoutCertificateNotExempt", then(sick), true, "endast inskriven"},
		{"ExemptSicknessBenefit", then(func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterFK, "income.sickness_benefit", "p1", amt(6000)))
		}), false, ""},
		{"DeclaredSicknessBenefitNotExempt", then(func(in *Input) {
			in.Facts = append(in.Facts, decl("income.sickness_benefit", "p1", amt(6000)))
		}), true, "endast inskriven"},
		{"ParentalBenefitNamedNotExempt", then(func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterFK, "income.parental_benefit", "p1", amt(5000)))
		}), true, "har föräldrapenning"},
		{"StudentAidNamedNotExempt", then(func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterCSN, "income.student_grant", "p1", amt(3500)))
		}), true, "har studiestöd"},
		{"ExemptFullTimeWorkByCaseworker", then(func(in *Input) {
			in.Facts = append(in.Facts, cw(skalig.KindActivityExemption, "p1", txt("full_time_work")))
		}), false, ""},
		{"Exempt19InSchoolShown", then(func(in *Input) {
			in.Members[0].PersonalNumber = "200703012385"
			in.Facts = append(in.Facts, cw(skalig.KindInSchool, "p1", txt("yes")))
		}), false, ""},
		{"InSchoolOnlyDeclared", then(func(in *Input) {
			in.Members[0].PersonalNumber = "200703012385"
			in.Facts = append(in.Facts, decl(skalig.KindInSchool, "p1", txt("yes")))
		}), true, "skolgång som inte är visad"},
		{"ExemptByCaseworker", then(func(in *Input) {
			in.Facts = append(in.Facts, cw(skalig.KindActivityExemption, "p1", txt("care_of_small_child")))
		}), false, ""},
		{"ExemptPensionAge", then(func(in *Input) { in.Members[0].PersonalNumber = "195901152388" }), false, ""},
	})
}

func TestLawfulResidence(t *testing.T) {
	jan := skalig.MonthOf(2027, 1)
	lawful := func(v string, src func(kind, person string, v skalig.FactValue) skalig.Fact) func(*Input) {
		return func(in *Input) {
			in.Facts = append(in.Facts, src(skalig.KindLawfulResidence, "p1", txt(v)))
			toMonth(in, jan)
		}
	}
	migr := func(kind, person string, v skalig.FactValue) skalig.Fact {
		return reg(skalig.RegisterMigration, kind, person, v)
	}
	unknownToMigr := func(in *Input) {
		replaceStatus(in, skalig.RegisterMigration, "p1", skalig.RegisterUnknownPerson)
		toMonth(in, jan)
	}
	notLawful := []reformCase{
		{"Before2027", func(in *Input) {
			in.Facts = append(in.Facts, migr(skalig.KindLawfulResidence, "p1", txt("no")))
			toMonth(in, jan-1)
		}, false, ""},
		{"RegisterNo", lawful("no", migr), true, "sökande: vistas inte lagligen i Sverige enligt Migrationsverket"},
		{"CaseworkerNo", lawful("no", cw), true, "sökande: vistas inte lagligen i Sverige enligt handläggare"},
		{"RegisterYes", lawful("yes", migr), false, ""},
		{"CaseworkerYesOverRegisterNo", func(in *Input) {
			in.Facts = append(in.Facts, migr(skalig.KindLawfulResidence, "p1", txt("no")))
			lawful("yes", cw)(in)
		}, false, ""},
	}
	runReform(t, testSpec(), skalig.ReasonResidenceNotLawful, notLawful)
	runReform(t, testSpec(), skalig.ReasonResidenceUnknown, []reformCase{
		{"Before2027", func(in *Input) { toMonth(in, jan-1) }, false, ""},
		{"AnsweredWithoutFact", func(in *Input) { toMonth(in, jan) }, true, "utan uppgift om laglig vistelse"},
		{"NoAnswer", func(in *Input) {
			dropFacts(in, func(f skalig.Fact) bool { return f.Kind == skalig.RegisterStatusKind(skalig.RegisterMigration) })
			toMonth(in, jan)
		}, true, "inget svar från Migrationsverket"},
		{"UnknownToMigrationsverket", unknownToMigr, true, "okänd för Migrationsverket"},
		{"DeclaredByApplicantOnly", lawful("yes", decl), true, "sökande"},
		{"RegisterYes", lawful("yes", migr), false, ""},
		{"UnreadableValue", lawful("kanske", cw), true, "okänt värde"},
		{"ChildChecked", func(in *Input) {
			in.Members = append(in.Members, skalig.Member{ID: "c1", PersonalNumber: "201501152381", Role: skalig.RoleChild})
			lawful("yes", migr)(in)
		}, true, "barn c1"},
	})
	// The population register: a Swedish citizen is lawfully resident, a
	// child too; folkbokförd without Swedish citizenship is unknown.
	folk := func(person, citizenships string) func(*Input) {
		return func(in *Input) {
			if person != "p1" {
				in.Facts = append(in.Facts, status(skalig.RegisterMigration, person, skalig.RegisterUnknownPerson),
					status(skalig.RegisterPopulation, person, skalig.RegisterAnswered))
			}
			in.Facts = append(in.Facts, reg(skalig.RegisterPopulation, skalig.KindPopulationRegistered, person, txt("yes")),
				reg(skalig.RegisterPopulation, skalig.KindCitizenship, person, txt(citizenships)))
			unknownToMigr(in)
		}
	}
	child := func(in *Input) {
		in.Members = append(in.Members, skalig.Member{ID: "c1", PersonalNumber: "201501152381", Role: skalig.RoleChild})
	}
	runReform(t, testSpec(), skalig.ReasonResidenceUnknown, []reformCase{
		{"SwedishCitizen", folk("p1", "SE"), false, ""},
		{"DualCitizen", folk("p1", "SE,SY"), false, ""},
		{"FolkbokfordNotCitizen", folk("p1", "DE"), true, "folkbokförd men inte svensk medborgare"},
		{"ChildSwedishCitizen", func(in *Input) { child(in); folk("c1", "SE")(in); folk("p1", "SE")(in) }, false, ""},
		{"ChildUnknownToBoth", func(in *Input) {
			child(in)
			folk("p1", "SE")(in)
			in.Facts = append(in.Facts, status(skalig.RegisterMigration, "c1", skalig.RegisterUnknownPerson),
				status(skalig.RegisterPopulation, "c1", skalig.RegisterFailed))
		}, true, "barn c1: okänd för Migrationsverket, inget svar från folkbokföringen"},
	})
	// Known to neither register: a reason of its own, never lawful.
	runReform(t, testSpec(), skalig.ReasonResidenceUnregistered, []reformCase{
		{"KnownToNeither", func(in *Input) {
			replaceStatus(in, skalig.RegisterPopulation, "p1", skalig.RegisterUnknownPerson)
			unknownToMigr(in)
		}, true, "sökande: okänd för både Migrationsverket och folkbokföringen"},
		{"KnownToNeitherBefore2027", func(in *Input) {
			replaceStatus(in, skalig.RegisterPopulation, "p1", skalig.RegisterUnknownPerson)
			unknownToMigr(in)
			toMonth(in, jan-1)
		}, false, ""},
		{"SwedishCitizen", folk("p1", "SE"), false, ""},
	})
	// A municipality that does not ask the population register and takes
	// a personnummer as proof: a personnummer unknown to Migrationsverket
	// is lawful; a coordination number is still unknown; where the
	// population register answers, its answer decides.
	spec := testSpec()
	spec.ResidenceByPopulationRegister = true
	notAsked := func(in *Input) {
		dropFacts(in, func(f skalig.Fact) bool { return f.Kind == skalig.RegisterStatusKind(skalig.RegisterPopulation) })
		unknownToMigr(in)
	}
	runReform(t, spec, skalig.ReasonResidenceUnknown, []reformCase{
		{"PersonnummerUnknownToMigrationsverket", notAsked, false, ""},
		{"CoordinationNumber", func(in *Input) {
			in.Members[0].PersonalNumber = "198501752383"
			notAsked(in)
		}, true, "samordningsnummer"},
		{"PopulationRegisterAnsweredDecides", folk("p1", "NO"), true, "folkbokförd men inte svensk medborgare"},
	})
}

func TestSubletConsent(t *testing.T) {
	jan := skalig.MonthOf(2027, 1)
	sublet := func(fs ...skalig.Fact) func(*Input) {
		return func(in *Input) {
			in.Facts = append(in.Facts, decl(skalig.KindSublet, "", txt("yes")))
			in.Facts = append(in.Facts, fs...)
			toMonth(in, jan)
		}
	}
	uploaded := decl(skalig.KindSubletConsent, "", txt("yes"))
	uploaded.Evidence = "upload:doc-2"
	runReform(t, testSpec(), skalig.ReasonSubletConsentMissing, []reformCase{
		{"Before2027", func(in *Input) {
			in.Facts = append(in.Facts, decl(skalig.KindSublet, "", txt("yes")))
			toMonth(in, jan-1)
		}, false, ""},
		{"NotSublet", func(in *Input) { toMonth(in, jan) }, false, ""},
		{"SubletNo", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindSublet, "", txt("no"))); toMonth(in, jan) }, false, ""},
		{"SubletWithoutConsent", sublet(), true, "saknas"},
		{"ConsentDeclaredNotShown", sublet(decl(skalig.KindSubletConsent, "", txt("yes"))), true, "uppgett men inte visat"},
		{"ConsentUploaded", sublet(uploaded), false, ""},
		{"ConsentFromCaseworker", sublet(cw(skalig.KindSubletConsent, "", txt("yes"))), false, ""},
		{"CaseworkerNoConsent", sublet(cw(skalig.KindSubletConsent, "", txt("no"))), true, "handläggare"},
	})
}

// TestReformRulesAreDated: each reform reason is silent the month before
// its rule comes into force and speaks from that month (the month decides,
// not the day of the calculation).
func TestReformRulesAreDated(t *testing.T) {
	c := mustNew(t, testSpec())
	for _, tc := range []struct {
		code   string
		from   skalig.Month
		mutate func(in *Input)
	}{
		{skalig.ReasonMedicalCertificateMissing, skalig.MonthOf(2026, 7), sick},
		{skalig.ReasonActivityNotEvidenced, skalig.MonthOf(2026, 10), func(*Input) {}},
		{skalig.ReasonResidenceUnknown, skalig.MonthOf(2027, 1), func(*Input) {}},
		{skalig.ReasonSubletConsentMissing, skalig.MonthOf(2027, 1), func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindSublet, "", txt("yes"))) }},
	} {
		for _, mo := range []skalig.Month{tc.from - 1, tc.from} {
			in := baseInput()
			tc.mutate(in)
			toMonth(in, mo)
			got := slices.Contains(c.Route(in).Codes(), tc.code)
			if want := mo >= tc.from; got != want {
				t.Errorf("%s in %s: stop=%v, want %v", tc.code, mo, got, want)
			}
		}
	}
}

// TestPopulationRegisterNeededFrom2027: no rule reads the population
// register before lawful residence is a condition, so its failure holds
// up a December 2026 case no more than its absence; from January 2027 it
// is a required source like the others.
func TestPopulationRegisterNeededFrom2027(t *testing.T) {
	c := mustNew(t, testSpec())
	jan := skalig.MonthOf(2027, 1)
	for _, mo := range []skalig.Month{jan - 1, jan} {
		in := baseInput()
		replaceStatus(in, skalig.RegisterPopulation, "p1", skalig.RegisterFailed)
		toMonth(in, mo)
		got := slices.Contains(c.Route(in).Codes(), skalig.ReasonRegisterUnavailable)
		if want := mo >= jan; got != want {
			t.Errorf("%s: register_unavailable=%v, want %v", mo, got, want)
		}
		if regs := c.RegistersAt(mo); slices.Contains(regs, skalig.RegisterPopulation) != (mo >= jan) {
			t.Errorf("%s: RegistersAt=%v", mo, regs)
		}
	}
}

// TestRegistersAtLeavesRegisterNames: RegistersAt of a nil configuration
// (every register) returns a copy; skalig.RegisterNames stays whole.
func TestRegistersAtLeavesRegisterNames(t *testing.T) {
	want := slices.Clone(skalig.RegisterNames)
	var c *Config
	regs := c.RegistersAt(skalig.MonthOf(2026, 12))
	if slices.Contains(regs, skalig.RegisterPopulation) || len(regs) != len(want)-1 {
		t.Errorf("RegistersAt=%v, want every register but folk", regs)
	}
	if !slices.Equal(skalig.RegisterNames, want) {
		t.Errorf("RegisterNames=%v after RegistersAt, want %v", skalig.RegisterNames, want)
	}
}
