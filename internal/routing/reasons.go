package routing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/rules"
)

// Reason codes. The codes are stable: they are stored on cases, counted in
// follow-up statistics and listed in docs/routing.md. Besides these, a stop
// may carry an engine review reason code of internal/rules (each has its own
// code and text) and "municipal:<rule name>" for a municipal rule.
const (
	// Stops: the case goes to a person (Route exception).
	CodeSocialRisk            = "social_risk"
	CodeInvalidInput          = "invalid_input"
	CodeFirstApplication      = "first_application"
	CodeProvisionalParameter  = "provisional_parameter"
	CodeRegisterUnavailable   = "register_unavailable"
	CodeIncomeDiffers         = "income_differs"
	CodeOtherCostClaimed      = "other_cost_claimed"
	CodeAssetsOrVehicle       = "assets_or_vehicle"
	CodeResidencePermit       = "residence_permit"
	CodeHousingAboveGuideline = "housing_above_guideline"
	CodeAFNotRegistered       = "af_not_registered"
	CodeActivityNotEvidenced  = "activity_not_evidenced"
	CodeMessageToCaseworker   = "message_to_caseworker"
	CodeAidHistoryUnknown     = "aid_history_unknown"
	CodeRuleError             = "rule_error"

	// The reforms of 2026-2027 (reform.go; each a rules.DatedRule).
	// CodeMedicalCertificateMissing: an adult declares illness without a
	// doctor's certificate covering the month (from 2026-07); the workflow
	// also asks the applicant for it (AsksForDocument).
	CodeMedicalCertificateMissing = "medical_certificate_missing"
	// CodeResidenceNotLawful: Migrationsverket or a caseworker says a member
	// does not reside lawfully in Sweden (from 2027-01); only emergency aid.
	CodeResidenceNotLawful = "residence_not_lawful"
	// CodeResidenceUnknown: whether a member resides lawfully is not known
	// (from 2027-01); never assumed.
	CodeResidenceUnknown = "residence_unknown"
	// CodeSubletConsentMissing: the home is rented second hand and the
	// consent or permission is not shown (from 2027-01); the workflow asks
	// the applicant for it (AsksForDocument).
	CodeSubletConsentMissing = "sublet_consent_missing"

	// CodeMunicipalPrefix + a rule's name is the code of a municipal rule.
	CodeMunicipalPrefix = "municipal:"

	// CodeParametersMissing is set by the workflow, not by Config.Route: the
	// month's parameters (riksnorm, prisbasbelopp) are not in Skälig, so
	// the case could not be calculated. The case waits with a person and
	// is calculated again when an administrator's table for the year is
	// approved (skalig params import/approve, docs/parameters.md).
	CodeParametersMissing = "parameters_missing"

	// Not stops: the reason of a sample, and of a proposal.
	CodeSample            = "sample"
	CodeNoDelegation      = "no_delegation"
	CodeOutsideDelegation = "outside_delegation"

	// Casework after routing, set by the workflow: why a case was withdrawn,
	// and why a decided case is back in a caseworker queue (review requests
	// and appeals, internal/workflow/appeal.go). They are not stops.
	CodeWithdrawnByApplicant = "withdrawn_by_applicant"
	CodeReviewRequested      = "review_requested"
	CodeAppealReceived       = "appeal_received"
	CodeAppealLate           = "appeal_late"

	// Kommunicering (FL 25 §, internal/workflow/kommunicering.go): why a
	// case waits for the applicant's comment and why it came back.
	CodeKommuniceringSent     = "kommunicering_sent"
	CodeKommuniceringAnswered = "kommunicering_answered"
	CodeKommuniceringExpired  = "kommunicering_expired"

	// The exceptions of FL 25 § second paragraph: why a negative decision
	// was made without kommunicering. A person names one; it is recorded.
	CodeKommuniceringUnnecessary = "kommunicering_unnecessary"
	CodeKommuniceringEnforcement = "kommunicering_enforcement"
	CodeKommuniceringUrgent      = "kommunicering_urgent"
	CodeKommuniceringSecrecy     = "kommunicering_secrecy"
)

// KommuniceringExceptions are the codes of the exceptions of FL 25 §
// second paragraph, in the order of the law.
var KommuniceringExceptions = []string{CodeKommuniceringUnnecessary, CodeKommuniceringEnforcement,
	CodeKommuniceringUrgent, CodeKommuniceringSecrecy}

// IsKommuniceringException reports whether code is one of
// KommuniceringExceptions.
func IsKommuniceringException(code string) bool {
	return slices.Contains(KommuniceringExceptions, code)
}

// ActivityRequirementFrom is the first month of aid to which the activity
// requirement (aktivitetskrav, in force from 1 July 2026) applies: the
// month of rules.RuleActivityRequirement.
var ActivityRequirementFrom = rules.RuleActivityRequirement.From

var texts = map[string]string{
	CodeSocialRisk:                "Ansökan innehåller en signal om social risk (till exempel vräkningshot, barn som far illa eller våld i nära relation). Ärendet går till en socialsekreterare och ska hanteras först.",
	CodeInvalidInput:              "Ärendets uppgifter är ofullständiga eller motsägelsefulla, så Skälig kan inte bedöma det. En handläggare måste pröva ansökan.",
	CodeFirstApplication:          "Det är en grundansökan. En grundansökan prövas alltid av en handläggare.",
	CodeProvisionalParameter:      "Beräkningen bygger på ett belopp som inte är fastställt från officiell källa. En handläggare måste pröva ansökan.",
	CodeRegisterUnavailable:       "Uppgifter från ett eller flera register saknas eller kunde inte hämtas. Ärendet beslutas inte som om registret hade svarat att det inte finns något.",
	CodeIncomeDiffers:             "Inkomster som den sökande har uppgett skiljer sig från registrens uppgifter. En handläggare jämför uppgifterna.",
	CodeOtherCostClaimed:          "Ansökan gäller andra behov (livsföring i övrigt). Sådana behov prövas alltid av en handläggare.",
	CodeAssetsOrVehicle:           "Hushållet har tillgångar: bankmedel över kommunens gräns, fordon eller annan egendom. En handläggare bedömer om tillgångarna ska användas först.",
	CodeResidencePermit:           "Uppehållstillståndet saknas, har gått ut, prövas fortfarande eller gäller inte hela månaden. En handläggare prövar rätten till bistånd.",
	CodeHousingAboveGuideline:     "Boendekostnaden är högre än kommunens riktlinje. En handläggare bedömer om en övergångstid gäller.",
	CodeAFNotRegistered:           "Arbetsförmedlingen uppger att en vuxen i hushållet inte är inskriven som arbetssökande. En handläggare bedömer om personen står till arbetsmarknadens förfogande.",
	CodeActivityNotEvidenced:      "Aktivitetskravet gäller från oktober 2026 för den som har fått försörjningsstöd i tre månader i följd. För en vuxen i hushållet visar varken Arbetsförmedlingens uppgifter (program på heltid) eller ett giltigt aktivitetsintyg att kravet är uppfyllt, och inget av lagens undantag (till exempel sjukdom med läkarintyg, vård av litet barn eller studier med studiemedel) är visat. Att bara vara inskriven hos Arbetsförmedlingen räcker inte. En handläggare bedömer kravet.",
	CodeMedicalCertificateMissing: "En vuxen i hushållet kan inte arbeta på grund av sjukdom, men det finns inget läkarintyg som gäller hela månaden (ett intyg som har gått ut räknas som saknat). Från 1 juli 2026 krävs läkarintyg (prop. 2025/26:201). Den sökande ombeds skicka in intyget, och en handläggare prövar ansökan.",
	CodeResidenceNotLawful:        "Enligt Migrationsverket eller handläggaren vistas en person i hushållet inte lagligen i Sverige. Från 1 januari 2027 ges ekonomiskt bistånd då bara som nödbistånd (prop. 2025/26:201). En handläggare prövar ansökan.",
	CodeResidenceUnknown:          "Det är inte känt om alla i hushållet vistas lagligen i Sverige. Från 1 januari 2027 krävs laglig vistelse för ekonomiskt bistånd utöver nödbistånd (prop. 2025/26:201). Skälig antar det aldrig; en handläggare kontrollerar det.",
	CodeSubletConsentMissing:      "Hushållet hyr bostaden i andra hand, och samtycke från hyresvärden eller tillstånd från hyresnämnden till andrahandsupplåtelsen är inte visat. Från 1 januari 2027 lämnas försörjningsstöd till boendekostnaden bara med sådant samtycke eller tillstånd (prop. 2025/26:201). Den sökande ombeds skicka in det, och en handläggare prövar ansökan.",
	CodeMessageToCaseworker:       "Den sökande har skrivit ett meddelande till handläggaren. En handläggare läser det före beslut.",
	CodeAidHistoryUnknown:         "Det är okänt hur många månader i följd en vuxen med arbetsinkomst har haft försörjningsstöd före Skälig. En handläggare kontrollerar om jobbstimulans gäller (12 kap. 8 § socialtjänstlagen) och för in månaderna.",
	CodeParametersMissing:         "Riksnormen eller prisbasbeloppet för ansökans månad finns ännu inte i Skälig, så ansökan kan inte beräknas. Ärendet beräknas om och fördelas på nytt automatiskt när värdena har lästs in och godkänts.",
	CodeRuleError:                 "En av kommunens regler för undantag kunde inte prövas. Ärendet går till en handläggare för säkerhets skull.",
	CodeSample:                    "Ärendet har valts ut slumpmässigt för stickprovskontroll. Den sökande ombeds visa underlag (till exempel hyresavi, kvitton och kontoutdrag) före beslut.",
	CodeNoDelegation:              "Nämnden har inte delegerat beslut till den automatiserade beslutsfunktionen. Skälig lämnar ett beslutsförslag som en handläggare beslutar om.",
	CodeOutsideDelegation:         "Ärendet ligger utanför det som nämnden har delegerat till den automatiserade beslutsfunktionen. Skälig lämnar ett beslutsförslag som en handläggare beslutar om.",
}

// engineMapped are the engine reasons that a built-in reason of the same
// code covers (with routing's own text and details).
var engineMapped = map[string]bool{
	CodeProvisionalParameter:  true,
	CodeOtherCostClaimed:      true,
	CodeHousingAboveGuideline: true,
}

// Text returns the Swedish text of a reason code: a built-in code, or an
// engine review reason; "" for any other code (a municipal rule's text is in
// its configuration).
func Text(code string) string {
	if t, ok := texts[code]; ok {
		return t
	}
	if r, ok := rules.ParseReason(code); ok {
		return r.Swedish()
	}
	return ""
}

// Codes returns every code of this package and of the engine's review
// reasons, in the order stops are listed; "municipal:<name>" is not included.
func Codes() []string {
	out := []string{
		CodeSocialRisk, CodeInvalidInput, CodeFirstApplication, CodeProvisionalParameter,
		CodeRegisterUnavailable, CodeIncomeDiffers, CodeOtherCostClaimed, CodeAssetsOrVehicle,
		CodeResidencePermit, CodeHousingAboveGuideline, CodeAFNotRegistered,
		CodeActivityNotEvidenced, CodeMessageToCaseworker, CodeAidHistoryUnknown,
		CodeMedicalCertificateMissing, CodeResidenceNotLawful, CodeResidenceUnknown, CodeSubletConsentMissing,
	}
	for _, r := range engineReasons() {
		if !engineMapped[r.Code()] {
			out = append(out, r.Code())
		}
	}
	return append(out, CodeRuleError, CodeSample, CodeNoDelegation, CodeOutsideDelegation)
}

// engineReasons lists every review reason of the engine, in its order.
func engineReasons() []rules.Reason { return rules.Reasons(^uint32(0)).List() }

func reason(code, detail string) Reason {
	return Reason{Code: code, Text: Text(code), Detail: detail, Social: code == CodeSocialRisk}
}

// stopList collects stops, one Reason per code, in the order added.
type stopList []Reason

func (l *stopList) add(code string, details ...string) {
	details = slices.DeleteFunc(details, func(s string) bool { return s == "" })
	*l = append(*l, reason(code, strings.Join(details, "; ")))
}

// addIf adds code when details is not empty.
func (l *stopList) addIf(code string, details []string) {
	if len(details) > 0 {
		l.add(code, details...)
	}
}

// stops returns every reason that stops the robot for x, social-risk
// reasons first; none means the case may be sampled, decided or proposed.
func (c *Config) stops(x *caseView) []Reason {
	var l stopList
	in := x.in
	l.addIf(CodeSocialRisk, socialSignals(x))
	l.addIf(CodeInvalidInput, x.invalid)
	if in.Kind == skalig.FirstApplication {
		l.add(CodeFirstApplication)
	}
	if p := provisional(x); len(p) > 0 {
		l.add(CodeProvisionalParameter, p...)
	}
	l.addIf(CodeRegisterUnavailable, c.registersMissing(x))
	l.addIf(CodeIncomeDiffers, c.incomeDifferences(x))
	if o := otherCosts(x); len(o) > 0 || x.engine[CodeOtherCostClaimed] {
		l.add(CodeOtherCostClaimed, o...)
	}
	l.addIf(CodeAssetsOrVehicle, c.assets(x))
	l.addIf(CodeResidencePermit, permits(x))
	if x.engine[CodeHousingAboveGuideline] {
		l.add(CodeHousingAboveGuideline)
	}
	l.addIf(CodeAFNotRegistered, afNotRegistered(x))
	l.addIf(CodeActivityNotEvidenced, activityMissing(x))
	l.addIf(CodeAidHistoryUnknown, aidHistoryUnknown(x))
	l.addIf(CodeMedicalCertificateMissing, medicalCertificates(x))
	notLawful, unknown := c.residence(x)
	l.addIf(CodeResidenceNotLawful, notLawful)
	l.addIf(CodeResidenceUnknown, unknown)
	l.addIf(CodeSubletConsentMissing, subletConsent(x))
	for _, f := range in.Facts {
		if f.Kind == skalig.KindMessage && !(f.Value.IsText && strings.TrimSpace(f.Value.Text) == "") {
			l.add(CodeMessageToCaseworker)
			break
		}
	}
	seen := map[string]bool{}
	for _, code := range in.Calc.Reasons {
		if engineMapped[code] || seen[code] {
			continue
		}
		seen[code] = true
		r := Reason{Code: code, Text: Text(code)}
		if r.Text == "" {
			r.Text = "Beräkningen har markerat ärendet för granskning (" + code + "). En handläggare måste pröva ansökan."
		}
		l = append(l, r)
	}
	hits, errs := c.evalRules(x)
	l = append(l, hits...)
	l.addIf(CodeRuleError, errs)
	return l
}

// socialSignals lists the social-risk signals of the case: every signal.*
// fact that is not an explicit "no", from any source. Free text is not
// repeated in the detail; the caseworker reads it in the application.
func socialSignals(x *caseView) []string {
	var out []string
	for _, f := range x.in.Facts {
		if !strings.HasPrefix(f.Kind, "signal.") || isNo(f.Value) {
			continue
		}
		var s string
		switch f.Kind {
		case skalig.KindSignalEviction:
			s = "vräkningshot"
		case skalig.KindSignalChildrenRisk:
			s = "barn som far illa eller riskerar att fara illa"
		case skalig.KindSignalViolence:
			s = "våld i nära relation"
		case skalig.KindSignalOther:
			s = "annan signal (se ansökan)"
		default:
			s = "signal " + f.Kind
		}
		if f.PersonID != "" {
			s += " (" + x.personLabel(f.PersonID) + ")"
		}
		out = append(out, s)
	}
	return sortedUnique(out)
}

// provisional returns the details of a provisional parameter: an engine
// reason, or a parameter status other than official.
func provisional(x *caseView) []string {
	var out []string
	if x.engine[CodeProvisionalParameter] {
		out = append(out, "beräkningen använder ett preliminärt belopp")
	}
	if s := x.in.Calc.ParamStatus; s != "official" {
		if s == "" {
			s = "okänd"
		}
		out = append(out, "parametrarnas status: "+s)
	}
	return out
}

// registersMissing lists, per required register and adult, the sources that
// failed or never answered. A register answers for a person by a system fact
// register.<name>.status about that person (or about the household): the
// latest one counts, and of several equally late the worst.
func (c *Config) registersMissing(x *caseView) []string {
	var out []string
	for _, src := range c.registers {
		for _, a := range x.adults {
			st := registerStatus(x.in.Facts, src, a.ID)
			var what string
			switch st {
			case skalig.RegisterAnswered, skalig.RegisterUnknownPerson:
				continue
			case "":
				what = "inget svar registrerat"
			case skalig.RegisterFailed:
				what = "svarade med fel"
			default:
				what = "okänt svar " + quote(st)
			}
			out = append(out, fmt.Sprintf("%s för %s: %s", skalig.RegisterSwedishName(src), x.personLabel(a.ID), what))
		}
	}
	return out
}

// registerStatus returns how source src answered for person id: a register
// status value, or "" when no status fact exists.
func registerStatus(fs []skalig.Fact, src, id string) string {
	kind := skalig.RegisterStatusKind(src)
	last := latest(fs, func(f *skalig.Fact) bool {
		return f.Source == skalig.SourceSystem && f.Kind == kind && (f.PersonID == id || f.PersonID == "")
	})
	st := ""
	for _, f := range last {
		v := f.Value.Text
		if !f.Value.IsText {
			v = "amount"
		}
		if st == "" || statusRank(v) > statusRank(st) {
			st = v
		}
	}
	return st
}

// statusRank orders status values from best to worst.
func statusRank(s string) int {
	switch s {
	case skalig.RegisterAnswered:
		return 0
	case skalig.RegisterUnknownPerson:
		return 1
	case skalig.RegisterFailed:
		return 2
	}
	return 3
}

// otherCosts lists the other needs (need.other.*) and cost kinds the
// calculation format does not know.
func otherCosts(x *caseView) []string {
	var out []string
	decided := map[string]bool{}
	for _, f := range x.in.Facts {
		if f.Source == skalig.SourceCaseworker && !f.Value.IsText {
			decided[f.Kind] = true
		}
	}
	for _, f := range x.in.Facts {
		switch {
		case strings.HasPrefix(f.Kind, skalig.KindOtherNeedPrefix):
			n := strings.TrimPrefix(f.Kind, skalig.KindOtherNeedPrefix)
			if strings.HasSuffix(n, ".text") || strings.HasSuffix(n, skalig.KindReasonSuffix) {
				continue // the description or reason of an amount fact
			}
			if decided[f.Kind] {
				continue // a person has approved or refused it
			}
			s := "övrigt behov " + n
			if !f.Value.IsText {
				s += ": " + f.Value.Amount.Swedish()
			}
			out = append(out, s)
		case strings.HasPrefix(f.Kind, skalig.KindCostPrefix):
			name := strings.TrimPrefix(f.Kind, skalig.KindCostPrefix)
			name = strings.TrimSuffix(strings.TrimSuffix(name, skalig.KindReasonSuffix), skalig.KindApprovedSuffix)
			if _, _, ok := rules.ParseCostKind(name); !ok {
				out = append(out, "okänd kostnad "+f.Kind)
			}
		}
	}
	return sortedUnique(out)
}

// assets lists the asset hits: bank balances above the limit (summed per
// source and period), and any other asset or vehicle not explicitly "no".
func (c *Config) assets(x *caseView) []string {
	type key struct {
		src    skalig.FactSource
		period skalig.Month
	}
	bank := map[key]skalig.Money{}
	var out []string
	limit := skalig.Kronor(c.spec.BankLimit)
	for _, f := range x.in.Facts {
		if isNo(f.Value) {
			continue
		}
		switch f.Kind {
		case skalig.KindAssetBank:
			if f.Value.IsText {
				out = append(out, "bankmedel "+quote(f.Value.Text)+" ("+sourceLabel(f.Source)+")")
				continue
			}
			bank[key{f.Source, f.Period}] += f.Value.Amount
		case skalig.KindAssetVehicle:
			out = append(out, "fordon ("+sourceLabel(f.Source)+", "+x.personLabel(f.PersonID)+")")
		case skalig.KindAssetOther:
			out = append(out, "annan tillgång ("+sourceLabel(f.Source)+", "+x.personLabel(f.PersonID)+")")
		}
	}
	for k, sum := range bank {
		if sum > limit {
			out = append(out, fmt.Sprintf("bankmedel %s %s (%s; gräns %s)", sum.Swedish(), k.period, sourceLabel(k.src), limit.Swedish()))
		}
	}
	return sortedUnique(out)
}

// permits lists residence-permit problems: for a person with a permit fact
// that is not "citizen", a status expired, none, pending or unknown, or a
// valid-until date before the last day of the month (or unreadable).
func permits(x *caseView) []string {
	mo := x.in.Month
	end := skalig.Date{Y: int16(mo.Year()), M: int8(mo.Num()), D: int8(mo.Days())}
	citizen := map[string]bool{}
	for _, f := range x.in.Facts {
		if f.Kind == skalig.KindPermitStatus && f.Value.IsText && strings.TrimSpace(f.Value.Text) == "citizen" {
			citizen[f.PersonID] = true
		}
	}
	var out []string
	for _, f := range x.in.Facts {
		who := x.personLabel(f.PersonID) + ", " + sourceLabel(f.Source)
		switch f.Kind {
		case skalig.KindPermitStatus:
			st := strings.TrimSpace(f.Value.Text)
			switch {
			case !f.Value.IsText:
				out = append(out, "okänd tillståndsstatus ("+who+")")
			case st == "citizen", st == "valid":
			case st == "expired":
				out = append(out, "uppehållstillståndet har gått ut ("+who+")")
			case st == "none":
				out = append(out, "uppehållstillstånd saknas ("+who+")")
			case st == "pending":
				out = append(out, "ansökan om uppehållstillstånd prövas ("+who+")")
			default:
				out = append(out, "okänd tillståndsstatus "+quote(st)+" ("+who+")")
			}
		case skalig.KindPermitValidUntil:
			if citizen[f.PersonID] {
				continue
			}
			d, ok := skalig.ParseDate(strings.TrimSpace(f.Value.Text))
			switch {
			case !f.Value.IsText || !ok:
				out = append(out, "oläsligt slutdatum för uppehållstillståndet ("+who+")")
			case d.Before(end):
				out = append(out, "uppehållstillståndet gäller till "+d.String()+", inte hela "+mo.String()+" ("+who+")")
			}
		}
	}
	return sortedUnique(out)
}

// afRegistered returns the latest af.registered value from register af for
// person id: "yes", "no", or "" when none; of equally late answers "no"
// wins.
func afRegistered(fs []skalig.Fact, id string) string {
	src := skalig.RegisterSource(skalig.RegisterAF)
	v := ""
	for _, f := range latest(fs, func(f *skalig.Fact) bool {
		return f.Kind == skalig.KindAFRegistered && f.Source == src && f.PersonID == id
	}) {
		switch {
		case isYes(f.Value) && v == "":
			v = "yes"
		case !isYes(f.Value):
			v = "no"
		}
	}
	return v
}

// afNotRegistered lists the adults whom Arbetsförmedlingen reports as not
// registered (rules.md 6: "Register says 'not registered' → human").
func afNotRegistered(x *caseView) []string {
	var out []string
	for _, a := range x.adults {
		if afRegistered(x.in.Facts, a.ID) == "no" {
			out = append(out, x.personLabel(a.ID))
		}
	}
	return out
}

// aidHistoryUnknown lists the adults of a continued application who have
// income from work while their months of aid before Skälig are unknown (a
// person.aid_months fact of the system starting with
// skalig.AidMonthsUnknown, and no caseworker's entry): without the history
// the calculation cannot tell whether jobbstimulans applies, and must not
// silently leave it out.
func aidHistoryUnknown(x *caseView) []string {
	if x.in.Kind == skalig.FirstApplication {
		return nil
	}
	var out []string
	for _, a := range x.adults {
		unknown, entered, works := false, false, false
		for _, f := range x.in.Facts {
			if f.PersonID != a.ID || (f.Period != x.in.Month && f.Period != 0) {
				continue
			}
			switch {
			case f.Kind == skalig.KindPersonAidMonths && f.Source == skalig.SourceCaseworker:
				entered = true
			case f.Kind == skalig.KindPersonAidMonths && f.Source == skalig.SourceSystem && f.Value.IsText:
				first, _, _ := strings.Cut(f.Value.Text, ",")
				unknown = first == skalig.AidMonthsUnknown
			case f.Kind == skalig.KindIncomePrefix+"salary_net" && !f.Value.IsText && f.Value.Amount > 0:
				works = true
			}
		}
		if unknown && !entered && works {
			out = append(out, x.personLabel(a.ID))
		}
	}
	return out
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

func sampleReason(d *Draw) Reason {
	return reason(CodeSample, fmt.Sprintf("lottningsvärde %s är lägre än andelen %s", strconv.FormatFloat(d.Value, 'g', 6, 64), formatFloat(d.Rate)))
}
