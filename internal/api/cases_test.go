package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/api"
	"skalig/internal/dbtest"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/statsdb"
	"skalig/internal/store/storetest"
	"skalig/internal/store/whatifdb"
	"skalig/internal/whatif"
	"skalig/internal/workflow"
)

const (
	tokAll   = "all-municipalities-secret"
	tokHogby = "hogsby-only-secret-0821"
	tokOther = "kalmar-only-secret-0880"
)

func caseServer(t *testing.T) (http.Handler, *workflow.Workflow, *store.DB) {
	t.Helper()
	db := dbtest.Open(t)
	p, _ := params.Default()
	mun, _ := municipal.Default()
	cases := store.NewCaseStore(db)
	wf, err := workflow.New(workflow.Config{Cases: cases, Params: p, Municipal: mun,
		Registers: sim.New(sim.Config{Seed: 1}), RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := api.New(api.Config{Params: p, Workflow: wf, Statistics: statsdb.New(db),
		WhatIf: &whatif.Runner{Cases: whatifdb.New(db), Live: whatif.Live{Params: p, Municipal: configdb.NewMunicipalConfig(db, mun).Lookup()}},
		Tokens: []api.Token{
			{Name: "all", Secret: tokAll, Municipalities: []string{"*"}},
			{Name: "hogsby", Secret: tokHogby, Municipalities: []string{"0821"}},
			{Name: "kalmar", Secret: tokOther, Municipalities: []string{"0880"}},
		}})
	return validating(t, s.Handler()), wf, db
}

func call(t *testing.T, h http.Handler, method, path, token, key, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// documentedApplication is the example of the OpenAPI document.
func documentedApplication(t *testing.T, h http.Handler) string {
	t.Helper()
	op := getOpenAPI(t, h).Paths["/api/v1/applications"]["post"]
	ex, ok := op.RequestBody.Content["application/json"].Examples["monthly"]
	if !ok {
		t.Fatal("no documented example application")
	}
	return string(ex.Value)
}

func TestSubmitAndReadCase(t *testing.T) {
	h, wf, _ := caseServer(t)
	body := documentedApplication(t, h)

	if w := call(t, h, "POST", "/api/v1/applications", "", "k1", body); w.Code != 401 || w.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("without token: %d", w.Code)
	}
	if w := call(t, h, "POST", "/api/v1/applications", "wrong-token-xxxxxxxx", "k1", body); w.Code != 401 {
		t.Fatalf("wrong token: %d", w.Code)
	}
	if w := call(t, h, "POST", "/api/v1/applications", tokHogby, "", body); w.Code != 400 || !strings.Contains(w.Body.String(), "Idempotency-Key") {
		t.Fatalf("without key: %d %s", w.Code, w.Body)
	}
	if w := call(t, h, "POST", "/api/v1/applications", tokOther, "k1", body); w.Code != 403 {
		t.Fatalf("other municipality's token: %d %s", w.Code, w.Body)
	}
	w := call(t, h, "POST", "/api/v1/applications", tokHogby, "k1", body)
	if w.Code != 201 {
		t.Fatalf("submit: %d %s", w.Code, w.Body)
	}
	var c struct {
		ID      string `json:"id"`
		State   string `json:"state"`
		Version int    `json:"version"`
	}
	json.Unmarshal(w.Body.Bytes(), &c)
	if c.State != "submitted" || w.Header().Get("Location") != "/api/v1/cases/"+c.ID {
		t.Fatalf("submitted case %+v, Location %q", c, w.Header().Get("Location"))
	}
	// The same key and content: the first case, 200. Other content: 409.
	w2 := call(t, h, "POST", "/api/v1/applications", tokHogby, "k1", body)
	if w2.Code != 200 || !strings.Contains(w2.Body.String(), c.ID) {
		t.Fatalf("repeat: %d %s", w2.Code, w2.Body)
	}
	other := strings.Replace(body, `4200`, `4300`, 1)
	if w := call(t, h, "POST", "/api/v1/applications", tokHogby, "k1", other); w.Code != 409 {
		t.Fatalf("same key, other content: %d %s", w.Code, w.Body)
	}

	// Run the workflow until the case rests.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); wf.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		cs, _ := wf.Cases().Case(context.Background(), c.ID)
		if cs.State != skalig.StateSubmitted && cs.State != skalig.StateFetching && cs.State != skalig.StateCalculated &&
			cs.State != skalig.StateAutoDecided && cs.State != skalig.StateDecided && cs.State != skalig.StateNotified {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("case still %s", cs.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()

	if w := call(t, h, "GET", "/api/v1/cases/"+c.ID, tokOther, "", ""); w.Code != 404 {
		t.Fatalf("other municipality reads the case: %d", w.Code)
	}
	w = call(t, h, "GET", "/api/v1/cases/"+c.ID, tokHogby, "", "")
	if w.Code != 200 {
		t.Fatalf("get case: %d %s", w.Code, w.Body)
	}
	var detail struct {
		State string `json:"state"`
		Facts []struct {
			Source skalig.FactSource `json:"source"`
			Amount *float64          `json:"amount"`
		} `json:"facts"`
		Calculation json.RawMessage  `json:"calculation"`
		Routing     json.RawMessage  `json:"routing"`
		Members     []map[string]any `json:"members"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &detail); err != nil {
		t.Fatal(err)
	}
	// A client's application has no signer, so no name: none is shown,
	// and a client cannot send one.
	for _, m := range detail.Members {
		if _, ok := m["name"]; ok {
			t.Errorf("a member of a client's application with a name: %v", m)
		}
	}
	named := regexp.MustCompile(`"role":\s*"applicant"`).ReplaceAllString(body, `"role":"applicant","name":"Alva Testsson"`)
	if named == body {
		t.Fatal("the documented application has no applicant to name")
	}
	if w := call(t, h, "POST", "/api/v1/applications", tokHogby, "k-named", named); w.Code != 400 || !strings.Contains(w.Body.String(), "name") {
		t.Errorf("a client's application with a name: %d %s", w.Code, w.Body)
	}
	registerFacts := 0
	for _, f := range detail.Facts {
		if _, ok := f.Source.Register(); ok {
			registerFacts++
		}
	}
	if registerFacts == 0 || len(detail.Calculation) == 0 || len(detail.Routing) == 0 {
		t.Fatalf("case detail lacks register facts (%d), calculation or routing: %s", registerFacts, w.Body)
	}
	// A reason's detail is Swedish text, and the same findings as data
	// (the response matched the document: TestMain).
	var routed struct {
		Reasons []struct {
			Code    string          `json:"code"`
			Detail  string          `json:"detail"`
			Details []skalig.Detail `json:"details"`
		} `json:"reasons"`
	}
	if err := json.Unmarshal(detail.Routing, &routed); err != nil {
		t.Fatal(err)
	}
	withDetails := 0
	for _, r := range routed.Reasons {
		if len(r.Details) > 0 {
			withDetails++
			sv := make([]string, len(r.Details))
			for i, d := range r.Details {
				sv[i] = d.Swedish()
			}
			if got := strings.Join(sv, "; "); got != r.Detail {
				t.Errorf("%s: details say %q, detail %q", r.Code, got, r.Detail)
			}
		}
	}
	if withDetails == 0 {
		t.Errorf("no routing reason with details: %s", detail.Routing)
	}
	events, _ := wf.Cases().AuditEvents(context.Background(), c.ID)
	reads := 0
	for _, e := range events {
		if e.Action == store.ActionRead && e.Actor == "api:hogsby" {
			reads++
		}
	}
	if reads != 1 {
		t.Fatalf("%d logged reads by api:hogsby, want 1", reads)
	}
	if w := call(t, h, "GET", "/api/v1/cases?state="+detail.State, tokHogby, "", ""); w.Code != 200 || !strings.Contains(w.Body.String(), c.ID) {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	if w := call(t, h, "GET", "/api/v1/cases?state=bogus", tokHogby, "", ""); w.Code != 400 {
		t.Fatalf("list bad state: %d", w.Code)
	}
	// An application signed on the e-service: the case shows the name the
	// signer's login gave.
	app := storetest.App("api-named")
	app.Members[0].Name = "Åsa Öberg"
	signed, _, err := wf.Submit(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	w = call(t, h, "GET", "/api/v1/cases/"+signed.ID, tokHogby, "", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"name":"Åsa Öberg"`) {
		t.Errorf("a signed application's case: %d %s", w.Code, w.Body)
	}
}

func TestSubmitFieldErrors(t *testing.T) {
	h, _, _ := caseServer(t)
	for _, tc := range []struct{ body, field string }{
		{`{"municipality":"0821","kind":"monthly","month":"2026-11","members":[{"id":"p1","personal_number":"19750305-9804","role":"applicant"}]}`, "members[0].personal_number"},
		{`{"municipality":"0821","kind":"monthly","month":"2026-13","members":[{"id":"p1","personal_number":"19750305-9805","role":"applicant"}]}`, "month"},
		{`{"municipality":"0821","kind":"monthly","month":"2026-11","members":[{"id":"p1","personal_number":"19750305-9805","role":"applicant"}],"facts":[{"kind":"cost.housing","amount":"4 200"}]}`, "facts[0].amount"},
		{`{"municipality":"0821","kind":"monthly","month":"2026-11","members":[{"id":"p1","personal_number":"19750305-9805","role":"applicant"}],"facts":[{"kind":"cost.housing","amount":"4200"}]}`, "facts[0].amount"},
		{`{"municipality":"0821","kind":"monthly","month":"2026-11","members":[{"id":"p1","personal_number":"19750305-9805","role":"applicant"}],"facts":[{"kind":"cost.housing","amount":4200.125}]}`, "facts[0].amount"},
		{`{"municipality":"0821","kind":"monthly","month":"2026-11","members":[],"extra":1}`, "extra"},
		{`{"municipality":"0821","kind":"sometimes","month":"2026-11","members":[{"id":"p1","personal_number":"19750305-9805","role":"applicant"}]}`, "kind"},
	} {
		w := call(t, h, "POST", "/api/v1/applications", tokAll, "k-"+tc.field, tc.body)
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s", tc.field, w.Code, w.Body)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"municipality":"0821"`)
	if w := call(t, h, "POST", "/api/v1/applications", tokAll, "k-trunc", buf.String()); w.Code != 400 {
		t.Errorf("truncated JSON: %d", w.Code)
	}
}

// TestSubmitTextNUL is issue 12, violation 9: a text with a NUL byte was
// accepted, and PostgreSQL refuses NUL in text (a 500). The API refuses it
// naming the field, the same as the web form (one rule, in package skalig).
func TestSubmitTextNUL(t *testing.T) {
	h, _, _ := caseServer(t)
	var app map[string]any
	if err := json.Unmarshal([]byte(documentedApplication(t, h)), &app); err != nil {
		t.Fatal(err)
	}
	facts := app["facts"].([]any)
	first := facts[0].(map[string]any)
	facts = append(facts, map[string]any{"kind": "signal.other_text", "person": first["person"], "period": first["period"], "text": "Hej\x00där"})
	app["facts"] = facts
	body, _ := json.Marshal(app)
	if !strings.Contains(string(body), `\u0000`) {
		t.Fatalf("no NUL in %s", body)
	}
	w := call(t, h, "POST", "/api/v1/applications", tokHogby, "nul-1", string(body))
	if w.Code != 400 || !strings.Contains(w.Body.String(), fmt.Sprintf("facts[%d].value", len(facts)-1)) || !strings.Contains(w.Body.String(), "ett tecken som inte är tillåtet") {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
}
