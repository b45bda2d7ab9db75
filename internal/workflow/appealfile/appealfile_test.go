package appealfile_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/workflow/appealfile"
)

// The court reads the bundle's JSON: the decision in force carries its
// outcome in Swedish and its amount in kronor, and Ref is the SHA-256 of
// the bytes kept.
func TestBundle(t *testing.T) {
	d := &skalig.Decision{ID: "d1", Outcome: skalig.OutcomeRejected, Month: skalig.MonthOf(2026, 11), Amount: 0,
		Reasons: []string{"Inkomsten räcker."}, DecidedAt: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC), ReceiptHash: "sha256:ab"}
	d.DecidedBy.Caseworker = "hl-1"
	b := appealfile.Bundle{Court: appealfile.Court, CaseID: "c1", Decision: appealfile.DecisionOf(d),
		Appeal: appealfile.Appeal{ID: "r1", Text: "Fel", Late: true}, Receipt: json.RawMessage(`{}`)}
	body, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"court":"förvaltningsrätten"`, `"outcome":"rejected"`, `"outcome_text":"` + skalig.OutcomeRejected.Swedish() + `"`,
		`"decided_by_caseworker":"hl-1"`, `"late":true`, `"receipt":{}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("bundle %s lacks %s", body, want)
		}
	}
	if got := appealfile.Ref([]byte("abc")); got != "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Ref=%s", got)
	}
}
