package api_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/store"
	"skalig/internal/store/whatifdb"
	"skalig/internal/whatif"
)

// runWhatIfJobs runs the what-if jobs of db until none is due, as the
// workers of a server do.
func runWhatIfJobs(t *testing.T, db *store.DB) {
	t.Helper()
	p, _ := params.Default()
	mun, _ := municipal.Default()
	r := &whatif.Runner{Cases: whatifdb.New(db), Live: whatif.Live{Params: p, Municipal: mun}}
	q := db.Queue(jobs.Config{Workers: 1})
	r.Handle(q)
	dbtest.RunJobs(t, db, q.Run)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

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
	if w.Code != 202 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var started struct {
		ID       string `json:"id"`
		Progress struct {
			Status string `json:"status"`
		} `json:"progress"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &started); err != nil || started.Progress.Status != "queued" ||
		w.Header().Get("Location") != "/api/v1/whatif/"+started.ID {
		t.Fatalf("started run %s (%v), Location %q", w.Body, err, w.Header().Get("Location"))
	}
	runWhatIfJobs(t, db)
	w = call(t, h, "GET", "/api/v1/whatif/"+started.ID, tokHogby, "", "")
	if w.Code != 200 {
		t.Fatalf("GET the run: status %d: %s", w.Code, w.Body)
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
		Progress struct {
			Status  string `json:"status"`
			Done    int    `json:"done"`
			Total   int    `json:"total"`
			Percent int    `json:"percent"`
		} `json:"progress"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.ID == "" || res.Actor != "api:hogsby" || res.Selection.Municipality != "0821" || res.Totals.Cases != decided ||
		res.Totals.Changed != above || res.Totals.Routes["decide→propose"] != above || len(res.Changes) != above || len(res.ByHousehold) != 5 ||
		res.Progress.Status != "done" || res.Progress.Done != decided || res.Progress.Total != decided || res.Progress.Percent != 100 {
		t.Errorf("result %s", w.Body)
	}
	var reads int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_trail WHERE action = 'case.read' AND actor = 'api:hogsby'`).Scan(&reads)
	if reads != above {
		t.Errorf("%d reads logged, want %d (the changed cases shown)", reads, above)
	}
	// Another municipality's client does not see the run; an unknown run
	// is 404; without a key 401.
	for _, tc := range []struct {
		token, id string
		status    int
	}{{tokOther, started.ID, 404}, {tokHogby, "nope", 404}, {"", started.ID, 401}} {
		if w := call(t, h, "GET", "/api/v1/whatif/"+tc.id, tc.token, "", ""); w.Code != tc.status {
			t.Errorf("GET %s with %q: status %d, want %d", tc.id, tc.token, w.Code, tc.status)
		}
	}
	var kept int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM whatif_runs WHERE id = $1 AND actor = 'api:hogsby'`, res.ID).Scan(&kept)
	if kept != 1 {
		t.Errorf("run %s not kept", res.ID)
	}

	// The engine as it is changes nothing; the candidate may be a string.
	for _, tc := range []struct {
		name, token, body string
		changed           int
	}{
		{"engine", tokAll, `{"municipality": "0821", "candidate": {"kind": "engine"}}`, 0},
		{"routing as a string", tokHogby, `{"candidate": {"kind": "routing", "content": ` + string(mustJSON(string(content))) + `}}`, above},
	} {
		w = call(t, h, "POST", "/api/v1/whatif", tc.token, "", tc.body)
		if w.Code != 202 || json.Unmarshal(w.Body.Bytes(), &started) != nil {
			t.Fatalf("%s: %d %s", tc.name, w.Code, w.Body)
		}
		runWhatIfJobs(t, db)
		w = call(t, h, "GET", "/api/v1/whatif/"+started.ID, tc.token, "", "")
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &res) != nil || res.Totals.Changed != tc.changed || res.Totals.Cases != decided {
			t.Errorf("%s: %d %s", tc.name, w.Code, w.Body)
		}
	}
	// A shadow run: the candidate beside the live configuration on the
	// decisions to come.
	w = call(t, h, "POST", "/api/v1/whatif", tokHogby, "", `{"shadow_until": "`+time.Now().AddDate(0, 1, 0).Format("2006-01-02")+`", "candidate": {"kind": "engine"}}`)
	if w.Code != 202 || json.Unmarshal(w.Body.Bytes(), &started) != nil || !strings.Contains(w.Body.String(), `"mode":"shadow"`) {
		t.Fatalf("shadow: %d %s", w.Code, w.Body)
	}
	// Ending it before its period is over: only the client's own
	// municipality's, only a shadow run, once; audited.
	for _, tc := range []struct {
		token, id string
		status    int
	}{{tokOther, started.ID, 404}, {tokHogby, "nope", 404}, {tokHogby, res.ID, 400}, {"", started.ID, 401}, {tokHogby, started.ID, 200}, {tokHogby, started.ID, 400}} {
		w := call(t, h, "POST", "/api/v1/whatif/"+tc.id+"/stop", tc.token, "", "")
		if w.Code != tc.status {
			t.Errorf("stop %s with %q: status %d, want %d: %s", tc.id, tc.token, w.Code, tc.status, w.Body)
		}
		if w.Code == 200 && !strings.Contains(w.Body.String(), `"mode":"shadow"`) {
			t.Errorf("stop: %s", w.Body)
		}
	}
	var stops int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_trail WHERE action = 'whatif.shadow_stopped' AND actor = 'api:hogsby'`).Scan(&stops)
	if stops != 1 {
		t.Errorf("%d audit events of the stop, want 1", stops)
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
		{tokHogby, `{"shadow_until": "i morgon", "candidate": {"kind": "engine"}}`, 400, "shadow_until"},
		{tokHogby, `{"shadow_until": "2020-01-01", "candidate": {"kind": "engine"}}`, 400, "shadow_until"},
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

	// A routing candidate whose rule does not compile: 400, the rule's
	// problem in Swedish on its field inside the content, naming the rule
	// and ending with the compiler's own words; never a 500.
	example, err := os.ReadFile("../../examples/whatif/routing-8000.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(example), `"household.size >= 7"`, `"household.persons >= 7"`, 1)
	if bad == string(example) {
		t.Fatal("the example has no household.size >= 7 rule to break")
	}
	badBody, _ := json.Marshal(map[string]any{"candidate": map[string]any{"kind": "routing", "content": json.RawMessage(bad)}})
	w = call(t, h, "POST", "/api/v1/whatif", tokHogby, "", string(badBody))
	var e errorBody
	json.Unmarshal(w.Body.Bytes(), &e)
	msg, ok := hasField(e, "candidate.content.rules[1].expression")
	want := "Regel 2 (stort_hushall), villkor: fältet household.persons finns inte (rad 1, tecken 1). Fält som finns: household.size, household.adults, household.children. Teknisk uppgift från regelmotorn: 1:1: undeclared reference to 'household'"
	if w.Code != 400 || !ok || !strings.HasPrefix(msg, want) {
		t.Errorf("a bad rule: status %d, message %q, want 400 and %q: %s", w.Code, msg, want, w.Body)
	}
	if msg, _ := hasField(e, "candidate.content"); !strings.Contains(msg, "Regel 2 (stort_hushall), villkor:") {
		t.Errorf("candidate.content: %q", msg)
	}
}
