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
