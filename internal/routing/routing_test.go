package routing

import (
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
)

var (
	march    = skalig.MonthOf(2026, 3)
	fetched  = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	declared = time.Date(2026, 2, 28, 20, 0, 0, 0, time.UTC)
)

// testSpec is a configuration with one delegation of approvals up to
// 20 000 kr, a tolerance of 100 kr, a bank limit of 2 000 kr, no sampling
// and no rules.
func testSpec() Spec {
	return Spec{
		Version: "test 1", From: "2025-01", Source: "testets delegationsordning",
		Delegations: []DelegationSpec{{
			Name: "Delegationsordning, punkt 3.1 (test)", Kinds: []skalig.ApplicationKind{skalig.MonthlyApplication}, MaxAmount: 20000,
		}},
		IncomeTolerance: 100,
		BankLimit:       2000,
	}
}

// tb is what mustNew needs of a *testing.T, *testing.B or *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
}

func mustNew(tb tb, s Spec) *Config {
	tb.Helper()
	c, err := New(s)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func decl(kind, person string, v skalig.FactValue) skalig.Fact {
	return skalig.Fact{Kind: kind, PersonID: person, Period: march, Value: v, Source: skalig.SourceApplicant, At: declared}
}

func reg(name, kind, person string, v skalig.FactValue) skalig.Fact {
	return skalig.Fact{Kind: kind, PersonID: person, Period: march, Value: v, Source: skalig.RegisterSource(name), At: fetched, Evidence: "sha256:test"}
}

func status(name, person, st string) skalig.Fact {
	return skalig.Fact{Kind: skalig.RegisterStatusKind(name), PersonID: person, Period: march, Value: skalig.TextValue(st), Source: skalig.SourceSystem, At: fetched}
}

func cw(kind, person string, v skalig.FactValue) skalig.Fact {
	return skalig.Fact{Kind: kind, PersonID: person, Period: march, Value: v, Source: skalig.SourceCaseworker, At: fetched.Add(time.Hour), RecordedBy: "hl1"}
}

var amt = func(kr int64) skalig.FactValue { return skalig.AmountValue(skalig.Kronor(kr)) }
var txt = skalig.TextValue

// baseInput is a monthly re-application of a single adult that every test
// configuration may decide: all registers answered, incomes agree, official
// parameters, aid 8 000 kr, the month before decided with the same facts.
func baseInput() *Input {
	in := &Input{
		CaseID: "case-0001", Municipality: "0821", Kind: skalig.MonthlyApplication, Month: march,
		Members: []skalig.Member{{ID: "p1", PersonalNumber: "198501152385", Role: skalig.RoleApplicant}},
		Facts: []skalig.Fact{
			decl("cost.housing", "", amt(5200)),
			decl("income.housing_allowance", "p1", amt(1500)),
			reg(skalig.RegisterFK, "income.housing_allowance", "p1", amt(1500)),
			reg(skalig.RegisterAF, skalig.KindAFRegistered, "p1", txt("yes")),
			decl(skalig.KindWorkSituation, "p1", txt("unemployed")),
		},
		Calc: Calculation{Aid: skalig.Kronor(8000), Norm: skalig.Kronor(4300), Costs: skalig.Kronor(5200), Incomes: skalig.Kronor(1500), ParamStatus: "official", Reasons: []string{}},
	}
	for _, r := range skalig.RegisterNames {
		in.Facts = append(in.Facts, status(r, "p1", skalig.RegisterAnswered))
	}
	prev := &Previous{Month: march - 1, Amount: skalig.Kronor(8000)}
	for _, f := range in.Facts {
		f.Period = march - 1
		f.At = f.At.AddDate(0, -1, 0)
		prev.Facts = append(prev.Facts, f)
	}
	in.Previous = prev
	return in
}

// couple adds a partner p2 with answered registers to in.
func couple(in *Input) {
	in.Members = append(in.Members, skalig.Member{ID: "p2", PersonalNumber: "198703022388", Role: skalig.RolePartner})
	for _, r := range skalig.RegisterNames {
		in.Facts = append(in.Facts, status(r, "p2", skalig.RegisterAnswered))
	}
	in.Facts = append(in.Facts, reg(skalig.RegisterAF, skalig.KindAFRegistered, "p2", txt("yes")))
}

func findReason(o Outcome, code string) (Reason, bool) {
	for _, r := range o.Reasons {
		if r.Code == code {
			return r, true
		}
	}
	return Reason{}, false
}

func TestRouteDecide(t *testing.T) {
	c := mustNew(t, testSpec())
	o := c.Route(baseInput())
	if o.Route != RouteDecide || len(o.Reasons) != 0 {
		t.Fatalf("Route=%s, Reasons=%+v, want decide without reasons", o.Route, o.Reasons)
	}
	if o.Delegation != "Delegationsordning, punkt 3.1 (test)" {
		t.Errorf("Delegation=%q", o.Delegation)
	}
	if o.Outcome != skalig.OutcomeApproved {
		t.Errorf("Outcome=%s, want approved", o.Outcome)
	}
	if o.ConfigVersion != "test 1" {
		t.Errorf("ConfigVersion=%q", o.ConfigVersion)
	}
	if o.Sample != nil {
		t.Errorf("Sample=%+v, want nil without a seed", o.Sample)
	}
}

// TestStops checks every built-in reason: each mutation of the decidable
// base input must stop the robot with that code (and a detail naming what
// triggered it).
func TestStops(t *testing.T) {
	oct := skalig.MonthOf(2026, 10)
	for _, tc := range []struct {
		name   string
		mutate func(in *Input)
		code   string
		detail string // a substring of the detail, "" for none expected
	}{
		{"SocialEviction", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindSignalEviction, "", txt("yes"))) }, skalig.ReasonSocialRisk, "vräkningshot"},
		{"SocialChildren", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindSignalChildrenRisk, "", txt("yes"))) }, skalig.ReasonSocialRisk, "barn som far illa"},
		{"SocialViolence", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindSignalViolence, "p1", txt("yes"))) }, skalig.ReasonSocialRisk, "våld i nära relation (sökande)"},
		{"SocialOther", func(in *Input) {
			in.Facts = append(in.Facts, decl(skalig.KindSignalOther, "", txt("Vi har ingen mat")))
		}, skalig.ReasonSocialRisk, "annan signal"},
		{"InvalidNoApplicant", func(in *Input) { in.Members[0].Role = skalig.RoleChild }, skalig.ReasonInvalidInput, "precis en sökande"},
		{"InvalidNegativeAid", func(in *Input) { in.Calc.Aid = -1 }, skalig.ReasonInvalidInput, "inte ett giltigt belopp"},
		{"InvalidKind", func(in *Input) { in.Kind = "weekly" }, skalig.ReasonInvalidInput, "okänt ansökningsslag"},
		{"InvalidNoCaseID", func(in *Input) { in.CaseID = "" }, skalig.ReasonInvalidInput, "ärende-id"},
		{"FirstApplication", func(in *Input) { in.Kind = skalig.FirstApplication }, skalig.ReasonFirstApplication, ""},
		{"ProvisionalByEngine", func(in *Input) { in.Calc.Reasons = []string{"provisional_parameter"} }, skalig.ReasonProvisionalParameter, "preliminärt belopp"},
		{"ProvisionalByStatus", func(in *Input) { in.Calc.ParamStatus = "provisional" }, skalig.ReasonProvisionalParameter, "status: provisional"},
		{"SecondaryStatus", func(in *Input) { in.Calc.ParamStatus = "secondary" }, skalig.ReasonProvisionalParameter, "status: secondary"},
		{"EmptyStatus", func(in *Input) { in.Calc.ParamStatus = "" }, skalig.ReasonProvisionalParameter, "okänd"},
		{"RegisterFailed", func(in *Input) { replaceStatus(in, skalig.RegisterFK, "p1", skalig.RegisterFailed) }, skalig.ReasonRegisterUnavailable, "Försäkringskassan för sökande: svarade med fel"},
		{"RegisterMissing", func(in *Input) { dropKind(in, skalig.RegisterStatusKind(skalig.RegisterMigration)) }, skalig.ReasonRegisterUnavailable, "Migrationsverket för sökande: inget svar"},
		{"RegisterPartnerMissing", func(in *Input) {
			couple(in)
			dropFacts(in, func(f skalig.Fact) bool {
				return f.PersonID == "p2" && f.Kind == skalig.RegisterStatusKind(skalig.RegisterCSN)
			})
		}, skalig.ReasonRegisterUnavailable, "CSN för medsökande"},
		{"RegisterStatusFromApplicantIgnored", func(in *Input) {
			dropKind(in, skalig.RegisterStatusKind(skalig.RegisterSKV))
			f := status(skalig.RegisterSKV, "p1", skalig.RegisterAnswered)
			f.Source = skalig.SourceApplicant
			in.Facts = append(in.Facts, f)
		}, skalig.ReasonRegisterUnavailable, "Skatteverket"},
		{"RegisterFailedAfterAnswer", func(in *Input) {
			f := status(skalig.RegisterAkassa, "p1", skalig.RegisterFailed)
			f.At = fetched.Add(time.Minute)
			in.Facts = append(in.Facts, f)
		}, skalig.ReasonRegisterUnavailable, "arbetslöshetskassan"},
		{"RegisterTieFailedWins", func(in *Input) { in.Facts = append(in.Facts, status(skalig.RegisterFK, "p1", skalig.RegisterFailed)) }, skalig.ReasonRegisterUnavailable, "Försäkringskassan"},
		{"IncomeDiffers", func(in *Input) {
			setAmount(in, "income.housing_allowance", skalig.SourceApplicant, 5000)
			setAmount(in, "income.housing_allowance", skalig.RegisterSource(skalig.RegisterFK), 6200)
		}, skalig.ReasonIncomeDiffers, "Bostadsbidrag/bostadstillägg, sökande: uppgett 5\u00a0000\u00a0kr, Försäkringskassan 6\u00a0200\u00a0kr"},
		{"IncomeNotDeclared", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterAkassa, "income.unemployment_benefit", "p1", amt(7300)))
		}, skalig.ReasonIncomeDiffers, "inte uppgett, arbetslöshetskassan 7\u00a0300\u00a0kr"},
		{"IncomeRegisterSilent", func(in *Input) {
			in.Facts = append(in.Facts, decl("income.student_grant", "p1", amt(3000)))
		}, skalig.ReasonIncomeDiffers, "Studiebidrag, sökande: uppgett 3\u00a0000\u00a0kr, CSN 0\u00a0kr"},
		{"IncomeHousehold", func(in *Input) {
			in.Facts = append(in.Facts, decl("income.child_allowance", "", amt(1250)), reg(skalig.RegisterFK, "income.child_allowance", "p1", amt(2500)))
		}, skalig.ReasonIncomeDiffers, "Barnbidrag och flerbarnstillägg, hushållet: uppgett 1\u00a0250\u00a0kr, Försäkringskassan 2\u00a0500\u00a0kr"},
		{"OtherNeed", func(in *Input) {
			in.Facts = append(in.Facts, decl("need.other.1", "", amt(1200)), decl("need.other.1.text", "", txt("glasögon")))
		}, skalig.ReasonOtherCostClaimed, "övrigt behov 1: 1\u00a0200\u00a0kr"},
		{"OtherCostByEngine", func(in *Input) { in.Calc.Reasons = []string{"other_cost_claimed"} }, skalig.ReasonOtherCostClaimed, ""},
		{"UnknownCostKind", func(in *Input) { in.Facts = append(in.Facts, decl("cost.dog_food", "", amt(300))) }, skalig.ReasonOtherCostClaimed, "okänd kostnad cost.dog_food"},
		{"BankAboveLimit", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterSKV, skalig.KindAssetBank, "p1", amt(25000)))
		}, skalig.ReasonAssetsOrVehicle, "bankmedel 25\u00a0000\u00a0kr 2026-03 (Skatteverket; gräns 2\u00a0000\u00a0kr)"},
		{"BankSummedPerSource", func(in *Input) {
			in.Facts = append(in.Facts, decl(skalig.KindAssetBank, "p1", amt(1500)), decl(skalig.KindAssetBank, "p1", amt(1000)))
		}, skalig.ReasonAssetsOrVehicle, "bankmedel 2\u00a0500\u00a0kr"},
		{"Vehicle", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterTransport, skalig.KindAssetVehicle, "p1", txt("ABC123 Volvo 2015")))
		}, skalig.ReasonAssetsOrVehicle, "fordon (Transportstyrelsen, sökande)"},
		{"OtherAsset", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindAssetOther, "", txt("fritidshus"))) }, skalig.ReasonAssetsOrVehicle, "annan tillgång (uppgett av den sökande, hushållet)"},
		{"PermitExpired", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("expired")))
		}, skalig.ReasonResidencePermit, "har gått ut (sökande, Migrationsverket)"},
		{"PermitNone", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("none")))
		}, skalig.ReasonResidencePermit, "saknas"},
		{"PermitPending", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("pending")))
		}, skalig.ReasonResidencePermit, "prövas"},
		{"PermitUnknownStatus", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("maybe")))
		}, skalig.ReasonResidencePermit, "okänd tillståndsstatus"},
		{"PermitEndsInMonth", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("valid")), reg(skalig.RegisterMigration, skalig.KindPermitValidUntil, "p1", txt("2026-03-30")))
		}, skalig.ReasonResidencePermit, "gäller till 2026-03-30, inte hela 2026-03"},
		{"PermitDateUnreadable", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("valid")), reg(skalig.RegisterMigration, skalig.KindPermitValidUntil, "p1", txt("snart")))
		}, skalig.ReasonResidencePermit, "oläsligt slutdatum"},
		{"HousingAboveGuideline", func(in *Input) { in.Calc.Reasons = []string{"housing_above_guideline"} }, skalig.ReasonHousingAboveGuideline, ""},
		{"AFNotRegistered", func(in *Input) { setText(in, skalig.KindAFRegistered, "no") }, skalig.ReasonAFNotRegistered, "sökande"},
		{"ActivityNotEvidenced", func(in *Input) { toMonth(in, oct); dropKind(in, skalig.KindAFRegistered) }, skalig.ReasonActivityNotEvidenced, "sökande"},
		{"ActivityPartnerNotEvidenced", func(in *Input) {
			couple(in)
			toMonth(in, oct)
			dropFacts(in, func(f skalig.Fact) bool { return f.PersonID == "p2" && f.Kind == skalig.KindAFRegistered })
			in.Facts = append(in.Facts, decl(skalig.KindAFRegistered, "p2", txt("yes"))) // declared, not the register's
		}, skalig.ReasonActivityNotEvidenced, "medsökande"},
		{"MessageToCaseworker", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindMessage, "", txt("Ring mig"))) }, skalig.ReasonMessageToCaseworker, ""},
		{"EngineParameterMissing", func(in *Input) { in.Calc.Reasons = []string{"parameter_missing"} }, "parameter_missing", ""},
		{"EngineNoGuidelines", func(in *Input) { in.Calc.Reasons = []string{"no_municipal_guidelines"} }, "no_municipal_guidelines", ""},
		{"EngineCostAboveGuideline", func(in *Input) { in.Calc.Reasons = []string{"cost_above_guideline"} }, "cost_above_guideline", ""},
		{"EngineUnder18", func(in *Input) { in.Calc.Reasons = []string{"applicant_under_18"} }, "applicant_under_18", ""},
		{"EngineChildBorn", func(in *Input) { in.Calc.Reasons = []string{"child_born_during_month"} }, "child_born_during_month", ""},
		{"EngineChildEarnings", func(in *Input) { in.Calc.Reasons = []string{"child_earnings_history_missing"} }, "child_earnings_history_missing", ""},
		{"EngineUnknownReason", func(in *Input) { in.Calc.Reasons = []string{"new_engine_reason"} }, "new_engine_reason", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, testSpec())
			in := baseInput()
			tc.mutate(in)
			o := c.Route(in)
			if o.Route != RouteException {
				t.Fatalf("Route=%s, want exception; Reasons=%+v", o.Route, o.Reasons)
			}
			r, ok := findReason(o, tc.code)
			if !ok {
				t.Fatalf("Reasons=%v, want %s", o.Codes(), tc.code)
			}
			if r.Text == "" {
				t.Errorf("%s has no text", tc.code)
			}
			if !strings.Contains(r.Detail, tc.detail) {
				t.Errorf("Detail=%q, want it to contain %q", r.Detail, tc.detail)
			}
			checkDetails(t, o)
			if r.Social != (tc.code == skalig.ReasonSocialRisk) {
				t.Errorf("Social=%v", r.Social)
			}
			if o.Delegation != "" {
				t.Errorf("Delegation=%q on an exception", o.Delegation)
			}
			codes := o.Codes()
			if len(slices.Compact(slices.Sorted(slices.Values(codes)))) != len(codes) {
				t.Errorf("codes repeated: %v", codes)
			}
		})
	}
}

// TestNoStop checks near misses that must not stop the robot.
func TestNoStop(t *testing.T) {
	oct := skalig.MonthOf(2026, 10)
	for _, tc := range []struct {
		name   string
		mutate func(in *Input)
	}{
		{"SignalNo", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindSignalEviction, "", txt("no"))) }},
		{"IncomeWithinTolerance", func(in *Input) { setAmount(in, "income.housing_allowance", skalig.SourceApplicant, 1600) }},
		{"IncomeAssessedByCaseworker", func(in *Input) {
			setAmount(in, "income.housing_allowance", skalig.SourceApplicant, 900)
			in.Facts = append(in.Facts, cw("income.housing_allowance", "p1", amt(1500)))
		}},
		{"SalaryWithoutRegister", func(in *Input) { in.Facts = append(in.Facts, decl("income.salary_net", "p1", amt(4000))) }},
		{"IncomeOtherMonth", func(in *Input) {
			f := reg(skalig.RegisterAkassa, "income.unemployment_benefit", "p1", amt(7300))
			f.Period = march - 1
			in.Facts = append(in.Facts, f)
		}},
		{"EarnedEarlierNotAnIncome", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindEarnedEarlier, "p1", amt(3000))) }},
		{"RegisterUnknownPerson", func(in *Input) { replaceStatus(in, skalig.RegisterMigration, "p1", skalig.RegisterUnknownPerson) }},
		{"RegisterHouseholdStatus", func(in *Input) {
			dropKind(in, skalig.RegisterStatusKind(skalig.RegisterTransport))
			in.Facts = append(in.Facts, status(skalig.RegisterTransport, "", skalig.RegisterAnswered))
		}},
		{"RegisterAnsweredAfterFailure", func(in *Input) {
			f := status(skalig.RegisterFK, "p1", skalig.RegisterFailed)
			f.At = fetched.Add(-time.Minute)
			in.Facts = append(in.Facts, f)
		}},
		{"ChildNotAsked", func(in *Input) {
			in.Members = append(in.Members, skalig.Member{ID: "p3", PersonalNumber: "201501012386", Role: skalig.RoleChild})
		}},
		{"BankAtLimit", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindAssetBank, "p1", amt(2000))) }},
		{"VehicleNo", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindAssetVehicle, "", txt("no"))) }},
		{"Citizen", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("citizen")))
		}},
		{"PermitValidWholeMonth", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("valid")), reg(skalig.RegisterMigration, skalig.KindPermitValidUntil, "p1", txt("2026-03-31")))
		}},
		{"PermitValidNoEnd", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterMigration, skalig.KindPermitStatus, "p1", txt("valid")))
		}},
		{"ActivityBeforeOctober2026", func(in *Input) { toMonth(in, oct-1); dropKind(in, skalig.KindAFRegistered) }},
		{"ActivityFullTimeProgramAtAF", func(in *Input) {
			in.Facts = append(in.Facts, reg(skalig.RegisterAF, "af.program", "p1", txt("Kartläggning")),
				reg(skalig.RegisterAF, KindAFProgramExtent, "p1", txt("heltid")))
			toMonth(in, oct)
		}},
		{"ActivityEvidence", func(in *Input) {
			dropKind(in, skalig.KindAFRegistered)
			in.Facts = append(in.Facts, cw(skalig.KindActivityEvidence, "p1", txt("kommunal praktik 40 timmar i veckan")),
				cw(skalig.KindActivityValidUntil, "p1", txt("2026-12-31")))
			toMonth(in, oct)
		}},
		{"EmptyMessage", func(in *Input) { in.Facts = append(in.Facts, decl(skalig.KindMessage, "", txt(" "))) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, testSpec())
			in := baseInput()
			tc.mutate(in)
			if o := c.Route(in); o.Route == RouteException {
				t.Errorf("Route=exception, Reasons=%+v, want none", o.Reasons)
			}
		})
	}
}

func TestSocialFirst(t *testing.T) {
	c := mustNew(t, testSpec())
	in := baseInput()
	in.Kind = skalig.FirstApplication
	in.Calc.ParamStatus = "provisional"
	in.Facts = append(in.Facts, decl(skalig.KindSignalChildrenRisk, "", txt("yes")), decl(skalig.KindSignalEviction, "", txt("yes")))
	o := c.Route(in)
	if got := o.Codes(); !slices.Equal(got, []string{skalig.ReasonSocialRisk, skalig.ReasonFirstApplication, skalig.ReasonProvisionalParameter}) {
		t.Fatalf("Codes=%v", got)
	}
	if !o.Social() || !o.Reasons[0].Social {
		t.Errorf("Social=%v", o.Social())
	}
	if d := o.Reasons[0].Detail; d != "barn som far illa eller riskerar att fara illa; vräkningshot" {
		t.Errorf("Detail=%q", d)
	}
	checkDetails(t, o)
}

func TestOutcome(t *testing.T) {
	for _, tc := range []struct {
		aid     int64
		reduced bool
		want    skalig.Outcome
	}{
		{8000, false, skalig.OutcomeApproved},
		{8000, true, skalig.OutcomePartlyApproved},
		{0, false, skalig.OutcomeRejected},
		{0, true, skalig.OutcomeRejected},
	} {
		in := baseInput()
		in.Calc.Aid, in.Calc.Reduced = skalig.Kronor(tc.aid), tc.reduced
		if got := mustNew(t, testSpec()).Route(in).Outcome; got != tc.want {
			t.Errorf("aid %d reduced %v: Outcome=%s, want %s", tc.aid, tc.reduced, got, tc.want)
		}
	}
}

func TestDelegation(t *testing.T) {
	monthly := []skalig.ApplicationKind{skalig.MonthlyApplication}
	for _, tc := range []struct {
		name     string
		dels     []DelegationSpec
		mutate   func(in *Input)
		route    Route
		delegate string // want Delegation on decide
		code     string // want the one reason on propose
		detail   string
	}{
		{"NoDelegation", nil, nil, RoutePropose, "", skalig.ReasonNoDelegation, ""},
		{"AmountAboveLimit", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 5000}}, nil, RoutePropose, "", skalig.ReasonOutsideDelegation, "p 3.1: beloppet 8\u00a0000\u00a0kr är högre än gränsen 5\u00a0000\u00a0kr"},
		{"AmountAtLimit", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 8000}}, nil, RouteDecide, "p 3.1", "", ""},
		{"RejectionByDefault", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000}}, func(in *Input) { in.Calc.Aid = 0 }, RoutePropose, "", skalig.ReasonOutsideDelegation, "omfattar inte avslag"},
		{"ReductionByDefault", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000}}, func(in *Input) { in.Calc.Reduced = true }, RoutePropose, "", skalig.ReasonOutsideDelegation, "omfattar inte delvis bifall"},
		{"RejectionDelegated", []DelegationSpec{
			{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000},
			{Name: "p 3.4 avslag", Kinds: monthly, Outcomes: []skalig.Outcome{skalig.OutcomeRejected}, MaxAmount: 1},
		}, func(in *Input) { in.Calc.Aid = 0 }, RouteDecide, "p 3.4 avslag", "", ""},
		{"ReductionDelegated", []DelegationSpec{
			{Name: "p 3.3", Kinds: monthly, Outcomes: []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved}, MaxAmount: 20000},
		}, func(in *Input) { in.Calc.Reduced = true }, RouteDecide, "p 3.3", "", ""},
		{"FirstMatchWins", []DelegationSpec{
			{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000, UnchangedOnly: true},
			{Name: "p 3.2", Kinds: monthly, MaxAmount: 10000},
		}, nil, RouteDecide, "p 3.1", "", ""},
		{"UnchangedOnlyFallsThrough", []DelegationSpec{
			{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000, UnchangedOnly: true},
			{Name: "p 3.2", Kinds: monthly, MaxAmount: 10000},
		}, func(in *Input) { in.Previous = nil }, RouteDecide, "p 3.2", "", ""},
		{"UnchangedNoPrevious", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000, UnchangedOnly: true}},
			func(in *Input) { in.Previous = nil }, RoutePropose, "", skalig.ReasonOutsideDelegation, "ingen tidigare beslutad månad"},
		{"UnchangedGap", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000, UnchangedOnly: true}},
			func(in *Input) { in.Previous.Month = march - 2 }, RoutePropose, "", skalig.ReasonOutsideDelegation, "senast beslutade månad är 2026-01"},
		{"UnchangedChangedRent", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000, UnchangedOnly: true}},
			func(in *Input) { setAmount(in, "cost.housing", skalig.SourceApplicant, 5400) }, RoutePropose, "", skalig.ReasonOutsideDelegation, "ändrade uppgifter sedan 2026-02 (cost.housing)"},
		{"UnchangedNewFact", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000, UnchangedOnly: true}},
			func(in *Input) {
				in.Facts = append(in.Facts, decl(skalig.KindPaymentAccount, "", txt("8327-9 1234567")))
			}, RoutePropose, "", skalig.ReasonOutsideDelegation, "(payment.account)"},
		{"UnchangedIgnoresTimesAndStatus", []DelegationSpec{{Name: "p 3.1", Kinds: monthly, MaxAmount: 20000, UnchangedOnly: true}},
			func(in *Input) {
				in.Previous.Facts = slices.DeleteFunc(in.Previous.Facts, func(f skalig.Fact) bool { return f.Source == skalig.SourceSystem })
				in.Facts = append(in.Facts, cw(skalig.KindWorkSituation, "p1", txt("unemployed")))
			}, RouteDecide, "p 3.1", "", ""},
		{"MultipleDelegationsDetail", []DelegationSpec{
			{Name: "p 3.1", Kinds: monthly, MaxAmount: 5000},
			{Name: "p 3.2", Kinds: monthly, MaxAmount: 6000},
		}, nil, RoutePropose, "", skalig.ReasonOutsideDelegation, "p 3.1: beloppet 8\u00a0000\u00a0kr är högre än gränsen 5\u00a0000\u00a0kr; p 3.2: beloppet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testSpec()
			s.Delegations = tc.dels
			in := baseInput()
			if tc.mutate != nil {
				tc.mutate(in)
			}
			o := mustNew(t, s).Route(in)
			if o.Route != tc.route {
				t.Fatalf("Route=%s, want %s; Reasons=%+v", o.Route, tc.route, o.Reasons)
			}
			if o.Delegation != tc.delegate {
				t.Errorf("Delegation=%q, want %q", o.Delegation, tc.delegate)
			}
			checkDetails(t, o)
			if tc.route == RoutePropose {
				if len(o.Reasons) != 1 || o.Reasons[0].Code != tc.code || !strings.Contains(o.Reasons[0].Detail, tc.detail) {
					t.Errorf("Reasons=%+v, want one %s with detail containing %q", o.Reasons, tc.code, tc.detail)
				}
			} else if len(o.Reasons) != 0 {
				t.Errorf("Reasons=%+v on decide", o.Reasons)
			}
		})
	}
}

func TestNilConfig(t *testing.T) {
	var c *Config
	o := c.Route(baseInput())
	if o.Route != RoutePropose || o.Codes()[0] != skalig.ReasonNoDelegation || o.ConfigVersion != "" || o.Sample != nil {
		t.Errorf("Outcome=%+v, want a proposal for want of a delegation", o)
	}
	in := baseInput()
	dropKind(in, skalig.RegisterStatusKind(skalig.RegisterCSN))
	if o := c.Route(in); o.Route != RouteException {
		t.Errorf("Route=%s, want exception: a nil config requires every register", o.Route)
	}
	if o := c.Route(nil); o.Route != RouteException || o.Codes()[0] != skalig.ReasonInvalidInput {
		t.Errorf("Route(nil)=%+v", o)
	}
}

func TestRegistersConfigured(t *testing.T) {
	s := testSpec()
	s.Registers = []string{skalig.RegisterFK, skalig.RegisterAF}
	in := baseInput()
	dropKind(in, skalig.RegisterStatusKind(skalig.RegisterTransport))
	if o := mustNew(t, s).Route(in); o.Route != RouteDecide {
		t.Errorf("Route=%s, Reasons=%+v: ts is not required", o.Route, o.Reasons)
	}
	dropKind(in, skalig.RegisterStatusKind(skalig.RegisterFK))
	if o := mustNew(t, s).Route(in); o.Route != RouteException {
		t.Errorf("Route=%s: fk is required", o.Route)
	}
}

func TestDocsListEveryCode(t *testing.T) {
	b, err := readDocs()
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, r := range skalig.Reasons() {
		switch r.Kind {
		case skalig.ReasonKindStop, skalig.ReasonKindReview, skalig.ReasonKindSample, skalig.ReasonKindProposal:
		default:
			continue // not routing's
		}
		if r.Code == skalig.ReasonException || r.Code == skalig.ReasonProposal {
			continue // the workflow's, when routing gives no code
		}
		code := r.Code
		if !strings.Contains(doc, "`"+code+"`") {
			t.Errorf("docs/routing.md does not list %s", code)
		}
		if !strings.Contains(doc, Text(code)) {
			t.Errorf("docs/routing.md does not give the text of %s: %s", code, Text(code))
		}
	}
	for _, v := range celVars {
		if !strings.Contains(doc, "`"+v.name+"`") {
			t.Errorf("docs/routing.md does not document the CEL variable %s", v.name)
		}
	}
}

// Helpers that edit an input.

func dropFacts(in *Input, drop func(skalig.Fact) bool) { in.Facts = slices.DeleteFunc(in.Facts, drop) }

func dropKind(in *Input, kind string) {
	dropFacts(in, func(f skalig.Fact) bool { return f.Kind == kind })
}

func replaceStatus(in *Input, name, person, st string) {
	dropFacts(in, func(f skalig.Fact) bool { return f.Kind == skalig.RegisterStatusKind(name) && f.PersonID == person })
	in.Facts = append(in.Facts, status(name, person, st))
}

func setAmount(in *Input, kind string, src skalig.FactSource, kr int64) {
	for i := range in.Facts {
		if in.Facts[i].Kind == kind && in.Facts[i].Source == src {
			in.Facts[i].Value = amt(kr)
			return
		}
	}
	panic("no fact " + kind)
}

func setText(in *Input, kind, text string) {
	for i := range in.Facts {
		if in.Facts[i].Kind == kind {
			in.Facts[i].Value = txt(text)
		}
	}
}

// toMonth moves the case and its facts to month mo.
func toMonth(in *Input, mo skalig.Month) {
	in.Month = mo
	for i := range in.Facts {
		in.Facts[i].Period = mo
	}
	if in.Previous != nil {
		in.Previous.Month = mo - 1
	}
}
