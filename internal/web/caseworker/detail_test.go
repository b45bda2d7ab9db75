package caseworker

import (
	"testing"

	"skalig"
	"skalig/internal/web"
)

// TestReasonDetailLanguage: a reason recorded with its details as data is
// shown in the page's language; a record made before (only the Swedish
// text) is shown as it is, marked Swedish.
func TestReasonDetailLanguage(t *testing.T) {
	en := web.LangByCode("en")
	sv := "Bostadsbidrag/bostadstillägg, sökande: uppgett 5\u00a0000\u00a0kr, Försäkringskassan 6\u00a0200\u00a0kr"
	details := []skalig.Detail{skalig.NewDetail("detail.income.differs",
		skalig.MsgArg("detail.income.housing_allowance"), skalig.MsgArg("detail.person.applicant"),
		skalig.MsgArg("detail.income.declared", skalig.MoneyArg(skalig.Kronor(5000))),
		skalig.ListArg(skalig.DetailSepAnd, skalig.RegisterArg(skalig.RegisterFK)), skalig.MoneyArg(skalig.Kronor(6200)))}
	if got := details[0].Swedish(); got != sv {
		t.Fatalf("Swedish()=%q, want %q", got, sv)
	}

	r := cwReasonOf(en, skalig.ReasonIncomeDiffers, "", sv, details, false)
	want := "Housing allowance or supplement, applicant: stated 5\u00a0000\u00a0kr, Försäkringskassan (Social Insurance Agency) 6\u00a0200\u00a0kr"
	if r.Detail != want || r.DetailSv {
		t.Errorf("Detail=%q (Swedish %v), want %q", r.Detail, r.DetailSv, want)
	}

	old := cwReasonOf(en, skalig.ReasonIncomeDiffers, "", sv, nil, false)
	if old.Detail != sv || !old.DetailSv {
		t.Errorf("old record: Detail=%q (Swedish %v), want the recorded Swedish text", old.Detail, old.DetailSv)
	}
}
