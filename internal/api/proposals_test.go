package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/api"
	"skalig/internal/dbtest"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/routing"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/whatifdb"
	"skalig/internal/workflow"
)

// TestPutInForce: a client acting for a person puts a proposed routing
// version in force through the same rule as the pages: a known
// administrator or manager, a second person, a finished what-if run of the
// change attached.
func TestPutInForce(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	p, _ := params.Default()
	mun, _ := municipal.Default()
	cases := store.NewCaseStore(db)
	wf, err := workflow.New(workflow.Config{Cases: cases, Params: p, Municipal: mun, Registers: sim.New(sim.Config{Seed: 1})})
	if err != nil {
		t.Fatal(err)
	}
	mc := configdb.NewMunicipalConfig(db, mun)
	desk := deskdb.New(db)
	for _, m := range []store.StaffMember{
		{Subject: "wilma", Name: "Wilma", Roles: []string{"administrator"}, Municipalities: []string{"0821"}},
		{Subject: "viktor", Name: "Viktor", Roles: []string{"manager"}, Municipalities: []string{"0821"}},
		{Subject: "sara", Name: "Sara", Roles: []string{"caseworker"}, Municipalities: []string{"0821"}},
	} {
		if err := desk.SeeStaff(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	const tokPerson = "acts-for-persons-secret-0821"
	h := validating(t, api.New(api.Config{Params: p, Workflow: wf, Proposals: mc, Tokens: []api.Token{
		{Name: "system", Secret: tokPerson, Municipalities: []string{"0821"}, Actions: []string{"read", "decide", "act_for_person"}},
		{Name: "decider", Secret: tokAll, Municipalities: []string{"*"}, Actions: []string{"read", "decide"}},
		{Name: "kalmar", Secret: tokOther, Municipalities: []string{"0880"}, Actions: []string{"read", "decide", "act_for_person"}},
	}}).Handler())

	// Wilma proposes a routing version from next month and tries it.
	rc, err := mc.Routing(ctx, "0821", skalig.DateOf(time.Now()).Month())
	if err != nil {
		t.Fatal(err)
	}
	spec := rc.Spec()
	spec.SampleRate = 0.2
	body, _ := json.Marshal(spec)
	v := &municipal.Change{Municipality: "0821", Kind: municipal.KindRouting, Version: "stickprov 20", From: skalig.DateOf(time.Now()).Month() + 1,
		Body: body, Reason: "Nämndens beslut.", Author: "wilma"}
	if err := mc.Propose(ctx, v); err != nil {
		t.Fatal(err)
	}
	prop, _ := mc.Proposal(ctx, v.ID)
	kind, name, data, err := mc.Candidate(ctx, prop)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	run := &whatifdb.Run{Actor: "staff:wilma", Municipality: "0821", CandidateKind: kind, CandidateName: name, CandidateDigest: hex.EncodeToString(sum[:]),
		EngineVersion: "rules/test", Selection: json.RawMessage(`{}`), Totals: json.RawMessage(`{}`), Changes: json.RawMessage(`[]`), Cases: 4, Changed: 1}
	if err := whatifdb.New(db).SaveRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/config-proposals/" + v.ID + "/put-in-force"
	for _, tc := range []struct {
		name, token, path, body string
		status                  int
		field                   string
	}{
		{"no key", "", path, `{"by": "viktor", "run_id": "` + run.ID + `"}`, 401, ""},
		{"another municipality's key", tokOther, path, `{"by": "viktor", "run_id": "` + run.ID + `"}`, 404, ""},
		{"no such proposal", tokPerson, "/api/v1/config-proposals/nope/put-in-force", `{"by": "viktor"}`, 404, ""},
		{"a key that may not act for persons", tokAll, path, `{"by": "viktor", "run_id": "` + run.ID + `"}`, 403, ""},
		{"no one", tokPerson, path, `{"run_id": "` + run.ID + `"}`, 400, "by"},
		{"an unknown field", tokPerson, path, `{"by": "viktor", "run": "x"}`, 400, "run"},
		{"a caseworker", tokPerson, path, `{"by": "sara", "run_id": "` + run.ID + `"}`, 403, "by"},
		{"no run", tokPerson, path, `{"by": "viktor"}`, 400, "run_id"},
		{"the proposer", tokPerson, path, `{"by": "wilma", "run_id": "` + run.ID + `"}`, 403, ""},
		{"a second person", tokPerson, path, `{"by": "viktor", "run_id": "` + run.ID + `"}`, 200, ""},
		{"twice", tokPerson, path, `{"by": "viktor", "run_id": "` + run.ID + `"}`, 409, ""},
	} {
		w := call(t, h, "POST", tc.path, tc.token, "", tc.body)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, w.Code, tc.status, w.Body)
			continue
		}
		if tc.field != "" {
			var e errorBody
			json.Unmarshal(w.Body.Bytes(), &e)
			if _, ok := hasField(e, tc.field); !ok {
				t.Errorf("%s: no message for %s: %s", tc.name, tc.field, w.Body)
			}
		}
		if tc.status == 200 && (!strings.Contains(w.Body.String(), `"status":"in_force"`) || !strings.Contains(w.Body.String(), `"put_by":"viktor"`)) {
			t.Errorf("%s: %s", tc.name, w.Body)
		}
	}
	var lookup interface {
		Routing(string, skalig.Month) (*routing.Config, error)
	} = mc.Lookup()
	if rc, err := lookup.Routing("0821", skalig.DateOf(time.Now()).Month()+1); err != nil || rc.Version() != "stickprov 20" {
		t.Fatalf("next month's routing: %v, %v", rc, err)
	}
	// Not JSON; no proposals in this process.
	r := httptest.NewRequest("POST", path, strings.NewReader("{}"))
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("Authorization", "Bearer "+tokPerson)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d, want 415", rec.Code)
	}
	h2 := validating(t, api.New(api.Config{Params: p, Workflow: wf, Tokens: []api.Token{{Name: "system", Secret: tokPerson, Municipalities: []string{"0821"},
		Actions: []string{"read", "decide", "act_for_person"}}}}).Handler())
	if w := call(t, h2, "POST", path, tokPerson, "", `{"by": "viktor"}`); w.Code != 503 {
		t.Errorf("without proposals: %d, want 503", w.Code)
	}
}
