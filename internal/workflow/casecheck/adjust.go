package casecheck

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"skalig"
)

// What a caseworker may adjust (workflow.AdjustFacts), and the conditions
// (villkor) a caseworker records after reading a document or making an
// inquiry (workflow.RecordCondition). The web's pages (Justera, Registrera
// villkor) and the API (POST /api/v1/cases/{id}/adjustments and
// .../conditions) go through these rules via the workflow.

// Conditions are the conditions a caseworker records, in the order the
// pages list them: a läkarintyg's period, activity with its validity, an
// exemption from the activity requirement, lawful residence, the consent
// to a sublet, and a person's months of aid before Skälig.
var Conditions = []string{"certificate", "activity", "exemption", "residence", "sublet_consent", "aid_months"}

// ActivityExemptions are the grounds of exemption from the activity
// requirement a caseworker may record (skalig.KindActivityExemption):
// full-time employment and schooling at 18-20 (exemptions of the law that
// no register shows), and the grounds a caseworker judges.
var ActivityExemptions = []string{"full_time_work", "school_18_20", "care_of_small_child", "studies_with_aid", "illness", "other"}

// conditionKinds are the fact kinds of the conditions, and for each
// whether it is about an adult ("adult"), any member ("member") or the
// household ("").
var conditionKinds = map[string]string{
	skalig.KindMedicalCertFrom:    "adult",
	skalig.KindMedicalCertTo:      "adult",
	skalig.KindActivityEvidence:   "adult",
	skalig.KindActivityValidUntil: "adult",
	skalig.KindActivityExemption:  "adult",
	skalig.KindPersonAidMonths:    "adult",
	skalig.KindLawfulResidence:    "member",
	skalig.KindSubletConsent:      "",
}

// Adjustable reports whether a caseworker may record a fact of kind
// through workflow.AdjustFacts: an income or a cost of the month (and the amount
// approved for a cost above a guideline, "cost.<kind>.approved"), money in
// the bank, another need ("need.other.N", its ".text"), aid beyond the
// calculation ("beyond.N", its ".text"), the norm adjustment, the reason of
// a discretionary amount, and the facts of the conditions. Facts the
// registers, the system and the applicant alone give (a personnummer, a
// register's status, a signal) are not adjusted.
func Adjustable(kind string) bool {
	if base, ok := strings.CutSuffix(kind, skalig.KindReasonSuffix); ok {
		return Discretionary(base)
	}
	if _, ok := conditionKinds[kind]; ok {
		return true
	}
	switch {
	case kind == skalig.KindNormAdjustment, kind == skalig.KindAssetBank:
		return true
	case strings.HasPrefix(kind, skalig.KindIncomePrefix), strings.HasPrefix(kind, skalig.KindCostPrefix):
		return !strings.HasSuffix(kind, ".text")
	case strings.HasPrefix(kind, skalig.KindOtherNeedPrefix), strings.HasPrefix(kind, skalig.KindBeyondPrefix):
		n, rest, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(kind, skalig.KindOtherNeedPrefix), skalig.KindBeyondPrefix), ".")
		v, err := strconv.Atoi(n)
		return err == nil && v > 0 && v <= 99 && (rest == "" || rest == "text")
	}
	return false
}

// amountKind reports whether a fact of kind is an amount (the rest of the
// adjustable kinds are texts).
func amountKind(kind string) bool {
	if _, ok := conditionKinds[kind]; ok || strings.HasSuffix(kind, ".text") || strings.HasSuffix(kind, skalig.KindReasonSuffix) {
		return false
	}
	return true
}

// CheckAdjustment checks what workflow.AdjustFacts is given beyond
// CheckDiscretion, with a Swedish message naming the field: each kind may be adjusted, an
// amount is an amount and not negative (only the norm is lowered), a text
// is a text, the fact is about a member of the household (an adult for the
// conditions about a person, the household for the consent to a sublet),
// an exemption names one of ActivityExemptions, activity evidence says
// what it is, and a certificate ends no earlier than it starts.
func CheckAdjustment(facts []skalig.Fact, members []skalig.Member) error {
	var fe []skalig.FieldError
	roles := map[string]skalig.MemberRole{}
	for _, m := range members {
		roles[m.ID] = m.Role
	}
	certFrom, certTo := map[string]string{}, map[string]string{}
	for i, f := range facts {
		field := "facts[" + strconv.Itoa(i) + "]."
		fail := func(name, msg string) { fe = append(fe, skalig.FieldError{Field: field + name, Message: msg}) }
		if !Adjustable(f.Kind) {
			fail("kind", "Uppgiften "+strconv.Quote(f.Kind)+" kan inte justeras. Se docs/facts.md för de slag som en handläggare kan ändra.")
			continue
		}
		who, isCond := conditionKinds[f.Kind]
		role, member := roles[f.PersonID]
		switch {
		case f.PersonID != "" && !member:
			fail("person", "Personen "+strconv.Quote(f.PersonID)+" finns inte i hushållet.")
			continue
		case isCond && who == "" && f.PersonID != "":
			fail("person", "Villkoret gäller hushållet, inte en person: lämna personen tom.")
			continue
		case isCond && who != "" && f.PersonID == "":
			fail("person", "Ange vilken person i hushållet villkoret gäller.")
			continue
		case isCond && who == "adult" && role == skalig.RoleChild:
			fail("person", "Villkoret gäller en vuxen i hushållet, inte ett barn.")
			continue
		}
		text := strings.TrimSpace(f.Value.Text)
		switch {
		case amountKind(f.Kind) && f.Value.IsText:
			fail("value", "Ange ett belopp i kronor.")
		case amountKind(f.Kind) && f.Kind != skalig.KindNormAdjustment && f.Value.Amount < 0:
			fail("value", "Beloppet får inte vara negativt.")
		case !amountKind(f.Kind) && (!f.Value.IsText || text == ""):
			fail("value", "Ange en text.")
		case f.Kind == skalig.KindActivityExemption && !slices.Contains(ActivityExemptions, text):
			fail("value", "Ange grunden för undantaget: "+strings.Join(ActivityExemptions, ", ")+".")
		case f.Kind == skalig.KindMedicalCertFrom:
			certFrom[f.PersonID] = text
		case f.Kind == skalig.KindMedicalCertTo:
			certTo[f.PersonID] = text
			if from := certFrom[f.PersonID]; from != "" && text < from {
				fail("value", "Läkarintygets sista dag kan inte vara före dess första dag.")
			}
		}
	}
	if len(fe) > 0 {
		return &skalig.Error{Code: skalig.EINVALID, Message: fe[0].Message, Fields: fe}
	}
	return nil
}

// Condition is what a caseworker found out about one of the Conditions
// (the form of the page Registrera villkor and of POST
// /api/v1/cases/{id}/conditions). Which fields count depends on What:
//
//   - "certificate": Person (an adult), From and To (YYYY-MM-DD), the period
//     the läkarintyg covers;
//   - "activity": Person, Evidence (what shows the activity) and Until, the
//     last day it covers;
//   - "exemption": Person and Ground, one of ActivityExemptions;
//   - "residence": Person (any member) and Answer "yes" or "no";
//   - "sublet_consent": Answer "yes" or "no" (the household);
//   - "aid_months": Person and Months, "2026-01,2026-02" or "none".
type Condition struct {
	What, Person, From, To, Until, Evidence, Ground, Answer, Months string
}

// Facts returns the facts of the condition, or an EINVALID error naming
// each field that is missing or wrong ("condition", "person", "from",
// "to", "until", "evidence", "ground", "answer", "months"). Whether the
// person is one of the household is checked by workflow.AdjustFacts.
func (c Condition) Facts() ([]skalig.Fact, error) {
	var fe []skalig.FieldError
	fail := func(field, msg string) { fe = append(fe, skalig.FieldError{Field: field, Message: msg}) }
	person := func() string {
		p := strings.TrimSpace(c.Person)
		if p == "" {
			fail("person", "Ange vilken person i hushållet villkoret gäller.")
		}
		return p
	}
	date := func(field, s, what string) string {
		d, ok := skalig.ParseDate(strings.TrimSpace(s))
		if !ok {
			fail(field, "Ange "+what+" som ÅÅÅÅ-MM-DD.")
			return ""
		}
		return d.String()
	}
	text := func(field, s, msg string) string {
		s = strings.TrimSpace(s)
		switch {
		case s == "" || len(s) > 1000:
			fail(field, msg)
		case skalig.ContainsControl(s):
			fail(field, skalig.ControlCharMessage)
		}
		return s
	}
	yesNo := func() string {
		a := strings.TrimSpace(c.Answer)
		if a != "yes" && a != "no" {
			fail("answer", "Svara yes eller no.")
		}
		return a
	}
	fact := func(kind, person, s string) skalig.Fact {
		return skalig.Fact{Kind: kind, PersonID: person, Value: skalig.TextValue(s)}
	}
	var out []skalig.Fact
	switch strings.TrimSpace(c.What) {
	case "certificate":
		id, from, to := person(), date("from", c.From, "läkarintygets första dag"), date("to", c.To, "läkarintygets sista dag")
		if from != "" && to != "" && to < from {
			fail("to", "Läkarintygets sista dag kan inte vara före dess första dag.")
		}
		out = []skalig.Fact{fact(skalig.KindMedicalCertFrom, id, from), fact(skalig.KindMedicalCertTo, id, to)}
	case "activity":
		id := person()
		ev := text("evidence", c.Evidence, "Skriv vad som visar aktiviteten (högst 1 000 tecken), t.ex. intyg från kursanordnaren.")
		until := date("until", c.Until, "sista dag som underlaget gäller")
		out = []skalig.Fact{fact(skalig.KindActivityEvidence, id, ev), fact(skalig.KindActivityValidUntil, id, until)}
	case "exemption":
		id, g := person(), strings.TrimSpace(c.Ground)
		if !slices.Contains(ActivityExemptions, g) {
			fail("ground", "Ange grunden för undantaget: "+strings.Join(ActivityExemptions, ", ")+".")
		}
		out = []skalig.Fact{fact(skalig.KindActivityExemption, id, g)}
	case "residence":
		out = []skalig.Fact{fact(skalig.KindLawfulResidence, person(), yesNo())}
	case "sublet_consent":
		if strings.TrimSpace(c.Person) != "" {
			fail("person", "Samtycket till andrahandsuthyrningen gäller hushållet: lämna personen tom.")
		}
		out = []skalig.Fact{fact(skalig.KindSubletConsent, "", yesNo())}
	case "aid_months":
		id := person()
		s := strings.Join(strings.Fields(strings.ReplaceAll(c.Months, ",", " ")), ",")
		if s == "" {
			fail("months", "Ange månaderna med försörjningsstöd som ÅÅÅÅ-MM med kommatecken emellan, eller none.")
		} else if _, err := AidMonths(s); err != nil {
			fail("months", "Månaderna ska skrivas ÅÅÅÅ-MM och skiljas med kommatecken, eller none.")
		}
		out = []skalig.Fact{fact(skalig.KindPersonAidMonths, id, s)}
	default:
		fail("condition", "Ange vilket villkor som registreras: "+strings.Join(Conditions, ", ")+".")
	}
	if len(fe) > 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: fe[0].Message, Fields: fe}
	}
	return out, nil
}

// ConditionField names the field of a Condition a fact's field came from.
func ConditionField(what, name string) string {
	if name != "value" {
		return name
	}
	switch what {
	case "certificate":
		return "to"
	case "activity":
		return "until"
	case "exemption":
		return "ground"
	case "residence", "sublet_consent":
		return "answer"
	case "aid_months":
		return "months"
	}
	return name
}

// AdjustmentReason trims and checks the reason of an adjustment (field
// "reason") and that it adjusts something (field "facts").
func AdjustmentReason(facts []skalig.Fact, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", Invalid("reason", "Skriv varför uppgiften justeras. Skälet sparas i ärendet.")
	case skalig.ContainsControl(reason):
		return "", Invalid("reason", skalig.ControlCharMessage)
	case len(facts) == 0:
		return "", Invalid("facts", "Ange vad som ska justeras.")
	}
	return reason, nil
}

// StampAdjustment marks facts as caseworker's, recorded at now, of month
// unless they name a period, with evidence "adjustment" unless they name
// one, and checks the first given of them (the caseworker's; the rest are
// reasons added to them) with skalig.Fact.Validate, naming the field
// ("facts[1].amount").
func StampAdjustment(facts []skalig.Fact, given int, caseworker string, month skalig.Month, now time.Time) error {
	var fe []skalig.FieldError
	for i := range facts {
		facts[i].Source, facts[i].RecordedBy, facts[i].At = skalig.SourceCaseworker, caseworker, now
		if facts[i].Period == 0 {
			facts[i].Period = month
		}
		if facts[i].Evidence == "" {
			facts[i].Evidence = "adjustment"
		}
		if se := (*skalig.Error)(nil); i < given && errors.As(facts[i].Validate(), &se) {
			for _, f := range se.Fields {
				fe = append(fe, skalig.FieldError{Field: "facts[" + strconv.Itoa(i) + "]." + f.Field, Message: f.Message})
			}
		}
	}
	if len(fe) > 0 {
		return &skalig.Error{Code: skalig.EINVALID, Message: fe[0].Message, Fields: fe}
	}
	return nil
}
