package api_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
)

func TestWhatIf(t *testing.T) {
	h, wf, db := caseServer(t)
	ctx := context.Background()
	for _, hh := range demo.Generate(1, "0821", skalig.MonthOf(2026, 11), 16) {
		if _, _, err := wf.Submit(ctx, hh.App); err != nil {
			t.Fatal(err)
		}
	}
	dbtest.RunJobs(t, db, wf.Run)
	var decided, above int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&decided)
	db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions WHERE decided_by_delegation <> '' AND amount > 300000`).Scan(&above)
	if decided == 0 || above == 0 {
		t.Fatalf("%d decisions, %d automated above 3 000 kr: the fixture shows nothing", decided, above)
	}

	// A routing version with the delegations limited to 3 000 kr, as the
	// JSON object itself: every automated decision above 3 000 kr moves to
	// a proposal.
	b, err := os.ReadFile("../../examples/whatif/routing-8000.json")
	if err != nil {
		t.Fatal(err)
	}
	var version map[string]any
	json.Unmarshal(b, &version)
	for _, d := range version["delegations"].([]any) {
		d.(map[string]any)["max_amount"] = 3000
	}
	content, _ := json.Marshal(version)
	body := `{"from": "2026-11", "to": "2026-11", "candidate": {"kind": "routing", "name": "gräns-3000.json", "content": ` + string(content) + `}}`
	w := call(t, h, "POST", "/api/v1/whatif", tokHogby, "", body)
	if w.Code != 201 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var res struct {
		ID        string `json:"id"`
		Actor     string `json:"actor"`
		Selection struct {
			Municipality string `json:"municipality"`
		} `json:"selection"`
		Totals struct {
			Cases   int            `json:"cases"`
			Changed int            `json:"changed"`
			Routes  map[string]int `json:"routes"`
		} `json:"totals"`
		ByHousehold []struct {
			Type string `json:"type"`
		} `json:"by_household"`
		Changes []struct {
			CaseID string `json:"case_id"`
			Reason string `json:"reason"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.ID == "" || res.Actor != "api:hogsby" || res.Selection.Municipality != "0821" || res.Totals.Cases != decided ||
		res.Totals.Changed != above || res.Totals.Routes["decide→propose"] != above || len(res.Changes) != above || len(res.ByHousehold) != 5 {
		t.Errorf("result %s", w.Body)
	}
	var kept int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM whatif_runs WHERE id = $1 AND actor = 'api:hogsby'`, res.ID).Scan(&kept)
	if kept != 1 {
		t.Errorf("run %s not kept", res.ID)
	}

	// The engine as it is changes nothing; the candidate may be a string.
	w = call(t, h, "POST", "/api/v1/whatif", tokAll, "", `{"municipality": "0821", "candidate": {"kind": "engine"}}`)
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &res) != nil || res.Totals.Changed != 0 || res.Totals.Cases != decided {
		t.Errorf("engine: %d %s", w.Code, w.Body)
	}
	str, _ := json.Marshal(string(content))
	w = call(t, h, "POST", "/api/v1/whatif", tokHogby, "", `{"candidate": {"kind": "routing", "content": `+string(str)+`}}`)
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &res) != nil || res.Totals.Changed != above {
		t.Errorf("routing as a string: %d %s", w.Code, w.Body)
	}

	// Scoped to the client's municipality; errors name the field.
	for _, tc := range []struct {
		token, body string
		status      int
		field       string
	}{
		{tokOther, `{"municipality": "0821", "candidate": {"kind": "engine"}}`, 403, "municipality"},
		{tokAll, `{"candidate": {"kind": "engine"}}`, 400, "municipality"},
		{tokHogby, `{"candidate": {"kind": "rules"}}`, 400, "candidate.kind"},
		{tokHogby, `{"candidate": {"kind": "routing"}}`, 400, "candidate.content"},
		{tokHogby, `{"candidate": {"kind": "params", "content": "not\ta\ttable"}}`, 400, "candidate.content"},
		{tokHogby, `{"from": "2026-13", "candidate": {"kind": "engine"}}`, 400, "from"},
		{tokHogby, `{"household_types": ["villa"], "candidate": {"kind": "engine"}}`, 400, "household_types"},
		{tokHogby, `{"candidate": {"kind": "engine"}, "extra": 1}`, 400, "extra"},
		{"", `{"candidate": {"kind": "engine"}}`, 401, ""},
	} {
		w := call(t, h, "POST", "/api/v1/whatif", tc.token, "", tc.body)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.body, w.Code, tc.status, w.Body)
			continue
		}
		if tc.field != "" {
			var e errorBody
			json.Unmarshal(w.Body.Bytes(), &e)
			if _, ok := hasField(e, tc.field); !ok {
				t.Errorf("%s: no message for %s: %s", tc.body, tc.field, w.Body)
			}
		}
	}
}
