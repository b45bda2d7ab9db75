package replay_test

import (
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/rules"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/replay"
)

// A receipt of the engine before rules/2026.12.1, whose household months
// gave jobbstimulans to both adults, replays with named differences: the
// engine version and the jobbstimulans line, never silently.
func TestReplayOldReceiptNamesTheEngineChange(t *testing.T) {
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	m := skalig.MonthOf(2026, 5)
	members := []skalig.Member{
		{ID: "p1", PersonalNumber: sim.TestPersonnummer(40), Role: skalig.RoleApplicant},
		{ID: "p2", PersonalNumber: sim.TestPersonnummer(41), Role: skalig.RolePartner},
	}
	at := time.Date(2026, 5, 3, 10, 0, 0, 0, time.UTC)
	fact := func(kind, person string, v skalig.FactValue, src skalig.FactSource) skalig.Fact {
		return skalig.Fact{Kind: kind, PersonID: person, Period: m, Value: v, Source: src, At: at, Evidence: "skalig:decisions"}
	}
	facts := []skalig.Fact{
		fact(skalig.KindIncomePrefix+"salary_net", "p1", skalig.AmountValue(skalig.Kronor(8000)), skalig.SourceApplicant),
		fact(skalig.KindIncomePrefix+"salary_net", "p2", skalig.AmountValue(skalig.Kronor(4000)), skalig.SourceApplicant),
		fact(skalig.KindCostPrefix+"housing", "", skalig.AmountValue(skalig.Kronor(7200)), skalig.SourceApplicant),
		fact(casecalc.KindAidMonths, "", skalig.TextValue("2025-11,2025-12,2026-01,2026-02,2026-03,2026-04"), skalig.SourceSystem),
	}
	// What rules/2026.11.2 wrote: jobbstimulans on both salaries
	// (2000 + 1000), aid 15710 − 9000 = 6710.
	old := `[{"item":"jobbstimulans","person":"p1","amount":"-2000.00","source":"rule","law":"SoL (2025:400) 12 kap. 8 §","text":"Jobbstimulans: 25 % av lönen räknas inte som inkomst. Hushållet har haft försörjningsstöd 6 månader i följd; regeln gäller 2026-05–2028-04"}]`
	r := &skalig.Receipt{CaseID: "c-old", Month: m, CalculatedOn: skalig.DateOf(at), Members: members, Facts: facts,
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/2026.11.2",
		Result: []byte(`{"aid":"6710"}`), Trace: []byte(old), Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(6710)}
	rep := replay.Replayer{Params: p, Municipal: mun}.Receipt(r, "", r.Verify())
	if rep.Identical {
		t.Fatal("an old receipt replays as identical")
	}
	joined := strings.Join(rep.Differences, "\n")
	for _, want := range []string{rules.EngineVersion, "rules/2026.11.2"} {
		if !strings.Contains(joined, want) {
			t.Errorf("differences do not name %s:\n%s", want, joined)
		}
	}
	// The household months still count for every adult in an old receipt:
	// the recomputed amount is the old one.
	if strings.Contains(joined, "beviljat belopp") {
		t.Errorf("the amount of an old household-months receipt changed:\n%s", joined)
	}
}
