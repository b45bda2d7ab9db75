package routing

import (
	"slices"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/rules"
)

// The reason codes, their kinds and their texts are the registry of the
// root package (skalig.Reason*, locales/reasons.*.json). Besides the
// built-in stops, a stop may carry an engine review reason code of
// internal/rules and skalig.ReasonMunicipalPrefix + a municipal rule's name.

// ActivityRequirementFrom is the first month of aid to which the activity
// requirement (aktivitetskrav, in force from 1 July 2026) applies: the
// month of rules.RuleActivityRequirement.
var ActivityRequirementFrom = rules.RuleActivityRequirement.From

// engineMapped are the engine reasons that a built-in reason of the same
// code covers (with routing's own text and details).
var engineMapped = map[string]bool{
	skalig.ReasonProvisionalParameter:  true,
	skalig.ReasonOtherCostClaimed:      true,
	skalig.ReasonHousingAboveGuideline: true,
}

// Text returns the Swedish text of a reason code: a registered code
// (skalig.ReasonText), or an engine review reason the registry does not
// know; "" for any other code (a municipal rule's text is in its
// configuration).
func Text(code string) string {
	if t := skalig.ReasonText(code); t != "" {
		return t
	}
	if r, ok := rules.ParseReason(code); ok {
		return r.Swedish()
	}
	return ""
}

// reason is the Reason of code with the findings fs: their details, and
// their Swedish texts joined as Detail.
func reason(code string, fs ...finding) Reason {
	r := Reason{Code: code, Text: Text(code), Social: code == skalig.ReasonSocialRisk}
	switch len(fs) {
	case 0:
	case 1:
		r.Details, r.Detail = []skalig.Detail{fs[0].d}, fs[0].sv
	default:
		r.Details = make([]skalig.Detail, len(fs))
		n := 2 * (len(fs) - 1)
		for i, f := range fs {
			r.Details[i] = f.d
			n += len(f.sv)
		}
		var b strings.Builder
		b.Grow(n)
		for i, f := range fs {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(f.sv)
		}
		r.Detail = b.String()
	}
	return r
}

// stopList collects stops, one Reason per code, in the order added.
type stopList []Reason

func (l *stopList) add(code string, details ...finding) {
	*l = append(*l, reason(code, details...))
}

// addIf adds code when details is not empty.
func (l *stopList) addIf(code string, details []finding) {

	if len(details) > 0 {
		l.add(code, details...)
	}
}

// stops returns every reason that stops the robot for x, social-risk
// reasons first; none means the case may be sampled, decided or proposed.
func (c *Config) stops(x *caseView) []Reason {
	var l stopList
	in := x.in
	l.addIf(skalig.ReasonSocialRisk, socialSignals(x))
	l.addIf(skalig.ReasonInvalidInput, x.invalid)
	if in.Kind == skalig.FirstApplication {
		l.add(skalig.ReasonFirstApplication)
	}
	if p := provisional(x); len(p) > 0 {
		l.add(skalig.ReasonProvisionalParameter, p...)
	}
	l.addIf(skalig.ReasonRegisterUnavailable, c.registersMissing(x))
	l.addIf(skalig.ReasonIncomeDiffers, c.incomeDifferences(x))
	if o := otherCosts(x); len(o) > 0 || x.engine(skalig.ReasonOtherCostClaimed) {
		l.add(skalig.ReasonOtherCostClaimed, o...)
	}
	l.addIf(skalig.ReasonAssetsOrVehicle, c.assets(x))
	l.addIf(skalig.ReasonResidencePermit, permits(x))
	if x.engine(skalig.ReasonHousingAboveGuideline) {
		l.add(skalig.ReasonHousingAboveGuideline)
	}
	l.addIf(skalig.ReasonAFNotRegistered, afNotRegistered(x))
	l.addIf(skalig.ReasonActivityNotEvidenced, activityMissing(x))
	l.addIf(skalig.ReasonAidHistoryUnknown, aidHistoryUnknown(x))
	l.addIf(skalig.ReasonMedicalCertificateMissing, medicalCertificates(x))
	notLawful, unregistered, unknown := c.residence(x)
	l.addIf(skalig.ReasonResidenceNotLawful, notLawful)
	l.addIf(skalig.ReasonResidenceUnregistered, unregistered)
	l.addIf(skalig.ReasonResidenceUnknown, unknown)
	l.addIf(skalig.ReasonSubletConsentMissing, subletConsent(x))
	for _, f := range x.ofKind(skalig.KindMessage) {
		if !(f.Value.IsText && strings.TrimSpace(f.Value.Text) == "") {
			l.add(skalig.ReasonMessageToCaseworker)
			break
		}
	}
	for i, code := range in.Calc.Reasons {
		if engineMapped[code] || slices.Contains(in.Calc.Reasons[:i], code) {
			continue
		}
		r := Reason{Code: code, Text: Text(code)}
		if r.Text == "" {
			r.Text = "Beräkningen har markerat ärendet för granskning (" + code + "). En handläggare måste pröva ansökan."
		}
		l = append(l, r)
	}
	hits, errs := c.evalRules(x)
	l = append(l, hits...)
	l.addIf(skalig.ReasonRuleError, errs)
	return l
}

// socialSignals lists the social-risk signals of the case: every signal.*
// fact that is not an explicit "no", from any source. Free text is not
// repeated in the detail; the caseworker reads it in the application.
func socialSignals(x *caseView) []finding {
	var out []finding
	for _, f := range x.withPrefix("signal.") {
		if isNo(f.Value) {
			continue
		}
		var s skalig.DetailArg
		switch f.Kind {
		case skalig.KindSignalEviction:
			s = skalig.MsgArg("detail.signal.eviction")
		case skalig.KindSignalChildrenRisk:
			s = skalig.MsgArg("detail.signal.children")
		case skalig.KindSignalViolence:
			s = skalig.MsgArg("detail.signal.violence")
		case skalig.KindSignalOther:
			s = skalig.MsgArg("detail.signal.other")
		default:
			s = skalig.MsgArg("detail.signal.unknown", skalig.TextArg(f.Kind))
		}
		if f.PersonID != "" {
			out = append(out, found("detail.with_person", s, x.personArg(f.PersonID)))
		} else {
			out = append(out, findingOf(*s.Msg))
		}
	}
	return sortedUnique(out)
}

// provisional returns the details of a provisional parameter: an engine
// reason, or a parameter status other than official.
func provisional(x *caseView) []finding {
	var out []finding
	if x.engine(skalig.ReasonProvisionalParameter) {
		out = append(out, found("detail.provisional.engine"))
	}
	if s := x.in.Calc.ParamStatus; s != "official" {
		st := skalig.TextArg(s)
		if s == "" {
			st = skalig.MsgArg("detail.provisional.status_unknown")
		}
		out = append(out, found("detail.provisional.status", st))
	}
	return out
}

// registersMissing lists, per required register and adult, the sources that
// failed or never answered. A register answers for a person by a system fact
// register.<name>.status about that person (or about the household): the
// latest one counts, and of several equally late the worst.
func (c *Config) registersMissing(x *caseView) []finding {
	var out []finding
	population := rules.RuleLawfulResidence.InForce(x.in.Month) // as RegistersAt
	for _, src := range c.registers {
		if src == skalig.RegisterPopulation && !population {
			continue
		}
		for _, a := range x.adults {
			st := x.registerStatus(src, a.ID)
			var what skalig.DetailArg
			switch st {
			case skalig.RegisterAnswered, skalig.RegisterUnknownPerson:
				continue
			case "":
				what = skalig.MsgArg("detail.register_missing.no_answer")
			case skalig.RegisterFailed:
				what = skalig.MsgArg("detail.register_missing.failed")
			default:
				what = skalig.MsgArg("detail.register_missing.unknown", skalig.TextArg(st))
			}
			out = append(out, found("detail.register_missing", skalig.RegisterArg(src), x.personArg(a.ID), what))
		}
	}
	return out
}

// registerStatus returns how source src answered for person id: a register
// status value, or "" when no status fact exists.
func (x *caseView) registerStatus(src, id string) string {
	last := x.latest(x.ofKind(statusKind(src)), func(f *skalig.Fact) bool {
		return f.Source == skalig.SourceSystem && (f.PersonID == id || f.PersonID == "")
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

// statusKinds are the register.<name>.status kinds of the known registers.
var statusKinds = func() map[string]string {
	m := make(map[string]string, len(skalig.RegisterNames)+1)
	for _, n := range append(slices.Clone(skalig.RegisterNames), skalig.RegisterPopulation) {
		m[n] = skalig.RegisterStatusKind(n)
	}
	return m
}()

// statusKind is skalig.RegisterStatusKind(src), without building the
// string of a known register.
func statusKind(src string) string {
	if k, ok := statusKinds[src]; ok {
		return k
	}
	return skalig.RegisterStatusKind(src)
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
func otherCosts(x *caseView) []finding {
	var out []finding
	needs := x.withPrefix(skalig.KindOtherNeedPrefix)
	for i, f := range needs {
		n := strings.TrimPrefix(f.Kind, skalig.KindOtherNeedPrefix)
		if strings.HasSuffix(n, ".text") || strings.HasSuffix(n, skalig.KindReasonSuffix) {
			continue // the description or reason of an amount fact
		}
		if decided(needs, i) {
			continue // a person has approved or refused it
		}
		if f.Value.IsText {
			out = append(out, found("detail.other_need", skalig.TextArg(n)))
		} else {
			out = append(out, found("detail.other_need.amount", skalig.TextArg(n), skalig.MoneyArg(f.Value.Amount)))
		}
	}
	for _, f := range x.withPrefix(skalig.KindCostPrefix) {
		name := strings.TrimPrefix(f.Kind, skalig.KindCostPrefix)
		name = strings.TrimSuffix(strings.TrimSuffix(name, skalig.KindReasonSuffix), skalig.KindApprovedSuffix)
		if _, _, ok := rules.ParseCostKind(name); !ok {
			out = append(out, found("detail.unknown_cost", skalig.TextArg(f.Kind)))
		}
	}
	return sortedUnique(out)
}

// decided reports whether a caseworker has recorded an amount of the kind
// of fs[i], fs ordered by kind.
func decided(fs []*skalig.Fact, i int) bool {
	kind := fs[i].Kind
	for i > 0 && fs[i-1].Kind == kind {
		i--
	}
	for ; i < len(fs) && fs[i].Kind == kind; i++ {
		if fs[i].Source == skalig.SourceCaseworker && !fs[i].Value.IsText {
			return true
		}
	}
	return false
}

// assets lists the asset hits: bank balances above the limit (summed per
// source and period), and any other asset or vehicle not explicitly "no".
func (c *Config) assets(x *caseView) []finding {
	type key struct {
		src    skalig.FactSource
		period skalig.Month
	}
	var bank map[key]skalig.Money
	var out []finding
	limit := skalig.Kronor(c.spec.BankLimit)
	for _, f := range x.ofKind(skalig.KindAssetBank) {
		switch {
		case isNo(f.Value):
		case f.Value.IsText:
			out = append(out, found("detail.asset.bank_text", skalig.TextArg(f.Value.Text), sourceArg(f.Source)))
		default:
			if bank == nil {
				bank = map[key]skalig.Money{}
			}
			bank[key{f.Source, f.Period}] += f.Value.Amount
		}
	}
	for _, f := range x.ofKind(skalig.KindAssetVehicle) {
		if !isNo(f.Value) {
			out = append(out, found("detail.asset.vehicle", sourceArg(f.Source), x.personArg(f.PersonID)))
		}
	}
	for _, f := range x.ofKind(skalig.KindAssetOther) {
		if !isNo(f.Value) {
			out = append(out, found("detail.asset.other", sourceArg(f.Source), x.personArg(f.PersonID)))
		}
	}
	for k, sum := range bank {
		if sum > limit {
			out = append(out, found("detail.asset.bank", skalig.MoneyArg(sum), skalig.MonthArg(k.period), sourceArg(k.src), skalig.MoneyArg(limit)))
		}
	}
	return sortedUnique(out)
}

// permits lists residence-permit problems: for a person with a permit fact
// that is not "citizen", a status expired, none, pending or unknown, or a
// valid-until date before the last day of the month (or unreadable).
func permits(x *caseView) []finding {
	mo := x.in.Month
	end := skalig.Date{Y: int16(mo.Year()), M: int8(mo.Num()), D: int8(mo.Days())}
	statuses := x.ofKind(skalig.KindPermitStatus)
	citizen := func(id string) bool {
		return slices.ContainsFunc(statuses, func(f *skalig.Fact) bool {
			return f.PersonID == id && f.Value.IsText && strings.TrimSpace(f.Value.Text) == "citizen"
		})
	}
	var out []finding
	for _, f := range statuses {
		st := strings.TrimSpace(f.Value.Text)
		who, src := x.personArg(f.PersonID), sourceArg(f.Source)
		switch {
		case !f.Value.IsText:
			out = append(out, found("detail.permit.status_unreadable", who, src))
		case st == "citizen", st == "valid":
		case st == "expired":
			out = append(out, found("detail.permit.expired", who, src))
		case st == "none":
			out = append(out, found("detail.permit.none", who, src))
		case st == "pending":
			out = append(out, found("detail.permit.pending", who, src))
		default:
			out = append(out, found("detail.permit.status_unknown", skalig.TextArg(st), who, src))
		}
	}
	for _, f := range x.ofKind(skalig.KindPermitValidUntil) {
		if citizen(f.PersonID) {
			continue
		}
		d, ok := skalig.ParseDate(strings.TrimSpace(f.Value.Text))
		switch {
		case !f.Value.IsText || !ok:
			out = append(out, found("detail.permit.until_unreadable", x.personArg(f.PersonID), sourceArg(f.Source)))
		case d.Before(end):
			out = append(out, found("detail.permit.until", skalig.DateArg(d), skalig.MonthArg(mo), x.personArg(f.PersonID), sourceArg(f.Source)))
		}
	}
	return sortedUnique(out)
}

// afRegistered returns the latest af.registered value from register af for
// person id: "yes", "no", or "" when none; of equally late answers "no"
// wins.
func (x *caseView) afRegistered(id string) string {
	src := skalig.RegisterSource(skalig.RegisterAF)
	v := ""
	for _, f := range x.latest(x.ofKind(skalig.KindAFRegistered), func(f *skalig.Fact) bool {
		return f.Source == src && f.PersonID == id
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
func afNotRegistered(x *caseView) []finding {
	var out []finding
	for _, a := range x.adults {
		if x.afRegistered(a.ID) == "no" {
			out = append(out, x.person(a.ID))
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
func aidHistoryUnknown(x *caseView) []finding {
	if x.in.Kind == skalig.FirstApplication {
		return nil
	}
	var out []finding
	for _, a := range x.adults {
		unknown, entered, works := false, false, false
		ofMonth := func(f *skalig.Fact) bool {
			return f.PersonID == a.ID && (f.Period == x.in.Month || f.Period == 0)
		}
		for _, f := range x.ofKind(skalig.KindPersonAidMonths) {
			switch {
			case !ofMonth(f):
			case f.Source == skalig.SourceCaseworker:
				entered = true
			case f.Source == skalig.SourceSystem && f.Value.IsText:
				first, _, _ := strings.Cut(f.Value.Text, ",")
				unknown = first == skalig.AidMonthsUnknown
			}
		}
		for _, f := range x.ofKind(kindSalary) {
			if ofMonth(f) && !f.Value.IsText && f.Value.Amount > 0 {
				works = true
			}
		}
		if unknown && !entered && works {
			out = append(out, x.person(a.ID))
		}
	}
	return out
}

const kindSalary = skalig.KindIncomePrefix + "salary_net"

func sampleReason(d *Draw) Reason {
	// The value to six significant digits, as a reader compares it.
	v, _ := strconv.ParseFloat(strconv.FormatFloat(d.Value, 'g', 6, 64), 64)
	return reason(skalig.ReasonSample, found("detail.sample", skalig.NumberArg(v), skalig.NumberArg(d.Rate)))
}
