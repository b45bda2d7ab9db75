package caseworker_test

import (
	"context"
	"skalig/internal/store"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
)

// TestCaseworkerAdjustGuidelineWording: the adjust page offers "above the
// guideline" only for a cost the calculation found above it (the high
// housing case's rent), and a higher amount for a cost within it.
func TestCaseworkerAdjustGuidelineWording(t *testing.T) {
	e := newCWEnv(t, 16)
	sara := devidp.SaraHandlaggarsson
	within := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	res := e.Get(t, sara, "/handlaggning/arenden/"+within.ID+"/justera?lang=en")
	wantStatus(t, res, 200, "adjust within")
	mustContain(t, res.Body, "Approve a higher amount for")
	mustNotContain(t, res.Body, "above the guideline", "[cw.")
	for _, id := range e.ByKind[demo.HighHousing] {
		res := e.Get(t, sara, "/handlaggning/arenden/"+id+"/justera")
		if res.StatusCode == 200 && strings.Contains(res.Body, "över riktlinjen") {
			return
		}
	}
	t.Fatal("no high housing case offers an approval above the guideline")
}

// TestCaseworkerCaseFactsEnglish: the English case page names a
// citizenship's country and the evidence of Skälig's own records, not their
// codes ("SE", "skalig:decisions"), and says why a register was given up on
// in English (a text it cannot read back is shown as recorded, marked
// Swedish).
func TestCaseworkerCaseFactsEnglish(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	c := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	at := time.Now().UTC().Truncate(time.Microsecond)
	facts := []skalig.Fact{
		{Kind: skalig.KindCitizenship, PersonID: "p1", Period: c.Month, Value: skalig.TextValue("SE,FI"),
			Source: skalig.RegisterSource(skalig.RegisterPopulation), At: at, Evidence: "sha256:" + strings.Repeat("ab", 32)},
		{Kind: skalig.KindPersonAidMonths, PersonID: "p1", Period: c.Month, Value: skalig.TextValue("2026-01"),
			Source: skalig.SourceSystem, At: at, Evidence: "skalig:decisions+aid_history"},
		// Registers given up on: the last error, recorded in Swedish; one
		// as the fetch job writes it, one it cannot read back.
		{Kind: skalig.RegisterStatusKind(skalig.RegisterCSN), PersonID: "p1", Period: c.Month, Value: skalig.TextValue(skalig.RegisterFailed),
			Source: skalig.SourceSystem, At: at, Evidence: skalig.FetchErrorEvidence(skalig.NewRegisterError(skalig.RegisterCodeMalformed, true,
				skalig.NewDetail("detail.register_error.malformed", skalig.RegisterArg(skalig.RegisterCSN),
					skalig.MsgArg("detail.register_error.part.bad_month", skalig.MsgArg("detail.register_error.item.payment", skalig.TextArg("1")), skalig.TextArg(`"2026-13"`)))))},
		{Kind: skalig.RegisterStatusKind(skalig.RegisterTransport), PersonID: "p1", Period: c.Month, Value: skalig.TextValue(skalig.RegisterFailed),
			Source: skalig.SourceSystem, At: at, Evidence: "fetch:timeout: Transportstyrelsen svarade inte."},
	}
	if _, err := e.Cases.Update(ctx, c.ID, func(m *store.Moves) error { return m.AddFacts(ctx, "system", facts) }); err != nil {
		t.Fatal(err)
	}
	res := e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID+"?lang=en")
	wantStatus(t, res, 200, "case page")
	mustContain(t, res.Body, "Citizenship (population register)", "Sweden, Finland",
		"Decisions in Skälig, months of aid imported from earlier systems",
		"The answer from CSN (Board of Student Finance) could not be read: payment 1: invalid month &#34;2026-13&#34;.",
		`<bdi lang="sv">fetch:timeout: Transportstyrelsen svarade inte.</bdi>`)
	mustNotContain(t, res.Body, "skalig:decisions", ">SE,FI<", "[cw.", "Svaret från CSN")
	res = e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID+"?lang=sv")
	mustContain(t, res.Body, "Svaret från CSN gick inte att läsa: utbetalning 1: ogiltig månad &#34;2026-13&#34;.")
}
