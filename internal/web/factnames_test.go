package web

import (
	"testing"

	"skalig"
)

// TestFactNamesEnglish: a citizenship's country codes and Skälig's own
// evidence are written in the page's language, not as codes.
func TestFactNamesEnglish(t *testing.T) {
	for _, tc := range []struct {
		l         *Lang
		cit, evid string
	}{
		{English, "Sweden, Finland", "Decisions in Skälig, months of aid imported from earlier systems"},
		{Swedish, "Sverige, Finland", "Beslut i Skälig, inlästa biståndsmånader från tidigare system"},
		{Arabic, "السويد، فنلندا", "القرارات في Skälig، أشهر المساعدة المستوردة من أنظمة سابقة"},
	} {
		if got := FactKindValue(tc.l, skalig.KindCitizenship, skalig.TextValue("SE,FI")); got != tc.cit {
			t.Errorf("%s citizenship = %q, want %q", tc.l.Code, got, tc.cit)
		}
		if got := EvidenceLabel(tc.l, "skalig:decisions+aid_history"); got != tc.evid {
			t.Errorf("%s evidence = %q, want %q", tc.l.Code, got, tc.evid)
		}
	}
	if got := EvidenceLabel(English, "sha256:ab"); got != "sha256:ab" {
		t.Errorf("register evidence = %q", got)
	}
	if got := FactKindValue(English, skalig.KindCitizenship, skalig.TextValue("XX")); got != "XX" {
		t.Errorf("unknown code = %q", got)
	}
}

// TestEvidenceLabelFetchError: why a register was given up on is said in
// the page's language from the catalogs, the record keeping the Swedish;
// a text that is not one of the register errors' stays as written.
func TestEvidenceLabelFetchError(t *testing.T) {
	const malformed = `fetch:malformed: Svaret från Försäkringskassan gick inte att läsa: utbetalning 2: ogiltigt belopp "12x".`
	const timeout = "fetch:timeout: Frågan till Skatteverket (folkbokföringen) besvarades inte i tid."
	for _, tc := range []struct {
		l                  *Lang
		malformed, timeout string
	}{
		{Swedish, `Svaret från Försäkringskassan gick inte att läsa: utbetalning 2: ogiltigt belopp "12x".`,
			"Frågan till Skatteverket (folkbokföringen) besvarades inte i tid."},
		{English, `The answer from Försäkringskassan (Social Insurance Agency) could not be read: payment 2: invalid amount "12x".`,
			"The question to Skatteverket (population register) was not answered in time."},
		{Arabic, "تعذّرت قراءة الرد من Försäkringskassan (صندوق التأمينات الاجتماعية): الدفعة \u20682\u2069: مبلغ غير صالح \u2068\"12x\"\u2069.",
			"لم يُجَب على السؤال الموجَّه إلى Skatteverket (سجل النفوس) في الوقت المحدد."},
	} {
		if got := EvidenceLabel(tc.l, malformed); got != tc.malformed {
			t.Errorf("%s malformed = %q, want %q", tc.l.Code, got, tc.malformed)
		}
		if got := EvidenceLabel(tc.l, timeout); got != tc.timeout {
			t.Errorf("%s timeout = %q, want %q", tc.l.Code, got, tc.timeout)
		}
	}
	if got, want := EvidenceLabel(English, "fetch:timeout: Frågan besvarades inte."), "fetch:timeout: Frågan besvarades inte."; got != want {
		t.Errorf("unknown text = %q, want %q", got, want)
	}
}
