package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// withPersonCase submits the documented application with glasses as
// another need (which always goes to a person) through the API and runs
// it until it waits for a caseworker; hl-1 is a caseworker of 0821 the
// directory knows.
func withPersonCase(t *testing.T, h http.Handler, wf *workflow.Workflow, db *store.DB, key string) *skalig.Case {
	t.Helper()
	body := strings.Replace(documentedApplication(t, h), `"facts": [`,
		`"facts": [{"kind": "need.other.1", "amount": 1450}, {"kind": "need.other.1.text", "text": "Glasögon"}, `, 1)
	w := call(t, h, "POST", "/api/v1/applications", tokHogby, key, body)
	if w.Code != 201 {
		t.Fatalf("submit: %d %s", w.Code, w.Body)
	}
	var sub struct{ ID string }
	json.Unmarshal(w.Body.Bytes(), &sub)
	cs := runUntilSettled(t, wf, sub.ID)
	if cs.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("an other need: %s %v, want awaiting_caseworker", cs.State, cs.RoutingReasons)
	}
	if err := deskdb.New(db).SeeStaff(context.Background(), store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	return cs
}

// formPost posts a form, not JSON, with token.
func formPost(h http.Handler, path, token string) int {
	rq := httptest.NewRequest("POST", path, strings.NewReader("reason=x"))
	rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rq.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, rq)
	return rec.Code
}

func latestCalculation(t *testing.T, wf *workflow.Workflow, id string) casecalc.Calculation {
	t.Helper()
	var calc casecalc.Calculation
	if err := wf.Cases().LatestRecord(context.Background(), id, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
		t.Fatalf("calculation: %v", err)
	}
	return calc
}

// TestAdjustmentsAPI: a caseworker approves the applicant's glasses,
// raises the norm for special reasons and grants aid beyond the
// calculation through the API; each enters the amount with the
// caseworker as its source, the audit names the client and the person,
// and every documented status of the route is answered.
func TestAdjustmentsAPI(t *testing.T) {
	h, wf, db := policyServer(t)
	ctx := context.Background()
	cs := withPersonCase(t, h, wf, db, "adj-1")
	before := latestCalculation(t, wf, cs.ID)
	path := "/api/v1/cases/" + cs.ID + "/adjustments"
	good := fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","reason":"Glasögon behövs enligt synundersökningen; särskild kost.","facts":[
		{"kind":"need.other.1","amount":1450},
		{"kind":"norm.adjustment","amount":300},
		{"kind":"beyond.1","amount":2000},{"kind":"beyond.1.text","text":"Begravningskostnad"}]}`, cs.Version)

	if r := call(t, h, "POST", path, "", "", good); r.Code != 401 {
		t.Fatalf("without a key: %d", r.Code)
	}
	if r := call(t, h, "POST", path, tokHogby, "", good); r.Code != 403 {
		t.Fatalf("without the decide action: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokSystem, "", strings.Replace(good, `"hl-1"`, `"okand"`, 1)); r.Code != 403 ||
		!strings.Contains(r.Body.String(), `"field":"caseworker"`) {
		t.Fatalf("an unknown caseworker: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", "/api/v1/cases/01M00000000000000000000000/adjustments", tokSystem, "", good); r.Code != 404 {
		t.Fatalf("no case: %d %s", r.Code, r.Body)
	}
	if c := formPost(h, path, tokSystem); c != 415 {
		t.Fatalf("a form: %d", c)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"caseworker":"hl-1","reason":"x","facts":[{"kind":"need.other.1","amount":1}]}`, "version"},
		{`{"version":1,"caseworker":"hl-1","reason":"x","facts":[{"kind":"need.other.1","amount":"1450"}]}`, "facts[0].amount"},
		{`{"version":1,"caseworker":"hl-1","reason":"x","facts":[{"kind":"need.other.1"}]}`, "facts[0].amount"},
		{`{"version":1,"caseworker":"hl-1","reason":"x","facts":[{"kind":"need.other.1","amount":1,"text":"a"}]}`, "facts[0].amount"},
		{`{"version":1,"caseworker":"hl-1","reason":"x","facts":[{"amount":1}]}`, "facts[0].kind"},
		{`{"version":1,"caseworker":"hl-1","reason":"x","facts":[{"kind":"need.other.1","amount":1}],"extra":1}`, "extra"},
		{strings.Replace(good, `"reason":"Glasögon behövs enligt synundersökningen; särskild kost."`, `"reason":" "`, 1), "reason"},
		{strings.Replace(good, `{"kind":"need.other.1","amount":1450}`, `{"kind":"need.other.1","amount":-5}`, 1), "facts[0].amount"},
		{strings.Replace(good, `{"kind":"need.other.1","amount":1450}`, `{"kind":"person.personal_number","text":"x"}`, 1), "facts[0].kind"},
		{strings.Replace(good, `{"kind":"need.other.1","amount":1450}`, `{"kind":"need.other.1","person":"p9","amount":1450}`, 1), "facts[0].person"},
		{strings.Replace(good, `{"kind":"norm.adjustment","amount":300}`, `{"kind":"norm.adjustment","text":"300"}`, 1), "facts[1].text"},
		{strings.Replace(good, `"text":"Begravningskostnad"`, `"text":"Begravning\u0007"`, 1), "facts[3].text"},
		{fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","reason":"x","facts":[]}`, cs.Version), "facts"},
	} {
		if r := call(t, h, "POST", path, tokSystem, "", tc.body); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("want 400 on %s: %d %s", tc.field, r.Code, r.Body)
		}
	}
	if r := call(t, h, "POST", path, tokSystem, "", strings.Replace(good, fmt.Sprintf(`"version":%d`, cs.Version), `"version":999`, 1)); r.Code != 409 {
		t.Fatalf("stale version: %d %s", r.Code, r.Body)
	}
	r := call(t, h, "POST", path, tokSystem, "", good)
	var got struct {
		State   string `json:"state"`
		Version int    `json:"version"`
	}
	if r.Code != 202 || json.Unmarshal(r.Body.Bytes(), &got) != nil || got.State != string(skalig.StateFetching) {
		t.Fatalf("adjust: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokSystem, "", strings.Replace(good, fmt.Sprintf(`"version":%d`, cs.Version), fmt.Sprintf(`"version":%d`, got.Version), 1)); r.Code != 409 {
		t.Fatalf("adjust while the case is recalculated: %d %s", r.Code, r.Body)
	}
	runUntilSettled(t, wf, cs.ID)
	after := latestCalculation(t, wf, cs.ID)
	if d := after.Output.Aid - before.Output.Aid; d != skalig.Kronor(1450+300+2000) {
		t.Errorf("aid %v -> %v: the adjustments added %v, want 3 750 kr", before.Output.Aid, after.Output.Aid, d)
	}
	facts, err := wf.Cases().Facts(ctx, cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range facts {
		if f.Source == skalig.SourceCaseworker && f.RecordedBy == "hl-1" {
			n++
		}
	}
	if n < 4 {
		t.Errorf("%d caseworker facts recorded by hl-1, want the 4 given and their reasons", n)
	}
	if actors := auditActors(t, wf, cs.ID, store.ActionFactsAdded); !slices.Contains(actors, "api:system for caseworker:hl-1") {
		t.Errorf("audit actors of the adjustment %v, want the client for the person", actors)
	}
}

// TestConditionsAPI: a caseworker records conditions through the API;
// every documented status of the route, with the fields named.
func TestConditionsAPI(t *testing.T) {
	h, wf, db := policyServer(t)
	ctx := context.Background()
	cs := withPersonCase(t, h, wf, db, "cond-1")
	path := "/api/v1/cases/" + cs.ID + "/conditions"
	good := fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","reason":"Läkarintyget inkom 2026-11-02.","condition":"certificate","person":"p1","from":"2026-10-01","to":"2026-12-31"}`, cs.Version)
	if r := call(t, h, "POST", path, "", "", good); r.Code != 401 {
		t.Fatalf("without a key: %d", r.Code)
	}
	if r := call(t, h, "POST", path, tokHogby, "", good); r.Code != 403 {
		t.Fatalf("without the decide action: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", "/api/v1/cases/01M00000000000000000000000/conditions", tokSystem, "", good); r.Code != 404 {
		t.Fatalf("no case: %d %s", r.Code, r.Body)
	}
	if c := formPost(h, path, tokSystem); c != 415 {
		t.Fatalf("a form: %d", c)
	}
	v := fmt.Sprintf(`"version":%d,"caseworker":"hl-1","reason":"Utredning."`, cs.Version)
	for _, tc := range []struct{ body, field string }{
		{`{"caseworker":"hl-1","reason":"x","condition":"residence","person":"p1","answer":"yes"}`, "version"},
		{`{` + v + `,"condition":"lottery"}`, "condition"},
		{`{` + v + `,"condition":"certificate","person":"p1","from":"2026-11-31","to":"2026-12-31"}`, "from"},
		{`{` + v + `,"condition":"certificate","person":"p1","from":"2026-11-20","to":"2026-11-01"}`, "to"},
		{`{` + v + `,"condition":"certificate","from":"2026-11-01","to":"2026-12-01"}`, "person"},
		{`{` + v + `,"condition":"certificate","person":"p7","from":"2026-11-01","to":"2026-12-01"}`, "person"},
		{`{` + v + `,"condition":"activity","person":"p1","evidence":"","until":"2026-12-31"}`, "evidence"},
		{`{` + v + `,"condition":"exemption","person":"p1","ground":"lazy"}`, "ground"},
		{`{` + v + `,"condition":"residence","person":"p1","answer":"kanske"}`, "answer"},
		{`{` + v + `,"condition":"sublet_consent","person":"p1","answer":"yes"}`, "person"},
		{`{` + v + `,"condition":"aid_months","person":"p1","months":"2026-13"}`, "months"},
		{`{` + v + `,"condition":"aid_months","person":"p1","months":"2026-11"}`, "months"},
		{`{` + v + `,"condition":"residence","person":"p1","answer":"yes","city":"Högsby"}`, "city"},
		{fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","reason":"","condition":"residence","person":"p1","answer":"yes"}`, cs.Version), "reason"},
	} {
		if r := call(t, h, "POST", path, tokSystem, "", tc.body); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("want 400 on %s: %d %s", tc.field, r.Code, r.Body)
		}
	}
	if r := call(t, h, "POST", path, tokSystem, "", strings.Replace(good, fmt.Sprintf(`"version":%d`, cs.Version), `"version":999`, 1)); r.Code != 409 {
		t.Fatalf("stale version: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokSystem, "", good); r.Code != 202 {
		t.Fatalf("certificate: %d %s", r.Code, r.Body)
	}
	cs = runUntilSettled(t, wf, cs.ID)
	for _, body := range []string{
		`"condition":"activity","person":"p1","evidence":"Intyg från Komvux","until":"2026-12-31"`,
		`"condition":"exemption","person":"p1","ground":"illness"`,
		`"condition":"residence","person":"p1","answer":"yes"`,
		`"condition":"sublet_consent","answer":"yes"`,
		`"condition":"aid_months","person":"p1","months":"2026-05, 2026-06"`,
	} {
		r := call(t, h, "POST", path, tokSystem, "", fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","reason":"Utredning.",%s}`, cs.Version, body))
		if r.Code != 202 {
			t.Fatalf("%s: %d %s", body, r.Code, r.Body)
		}
		cs = runUntilSettled(t, wf, cs.ID)
	}
	facts, err := wf.Cases().Facts(ctx, cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{skalig.KindMedicalCertTo: "2026-12-31", skalig.KindActivityValidUntil: "2026-12-31",
		skalig.KindActivityExemption: "illness", skalig.KindLawfulResidence: "yes", skalig.KindSubletConsent: "yes",
		skalig.KindPersonAidMonths: "2026-05,2026-06"}
	for _, f := range facts {
		if w, ok := want[f.Kind]; ok && f.Source == skalig.SourceCaseworker && f.Value.Text == w {
			delete(want, f.Kind)
		}
	}
	if len(want) > 0 {
		t.Errorf("caseworker facts not recorded: %v", want)
	}
}

// TestAidHistoryAPI imports months with aid through the API for a
// caseworker; every documented status of the route.
func TestAidHistoryAPI(t *testing.T) {
	h, wf, db := policyServer(t)
	ctx := context.Background()
	if err := deskdb.New(db).SeeStaff(ctx, store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	if err := deskdb.New(db).SeeStaff(ctx, store.StaffMember{Subject: "ek-1", Name: "Ulla Ekonomsson",
		Roles: []string{"financial_assistant"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	const path = "/api/v1/aid-history"
	good := `{"caseworker":"hl-1","csv":"personnummer,månader\n19750305-9805,2026-01..2026-06 2026-09\n"}`
	if r := call(t, h, "POST", path, "", "", good); r.Code != 401 {
		t.Fatalf("without a key: %d", r.Code)
	}
	if r := call(t, h, "POST", path, tokHogby, "", good); r.Code != 403 {
		t.Fatalf("without the decide action: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokSystem, "", strings.Replace(good, "hl-1", "ek-1", 1)); r.Code != 403 {
		t.Fatalf("a financial assistant: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokSystem, "", `{"csv":"personnummer,månader\n"}`); r.Code != 403 {
		t.Fatalf("no person: %d %s", r.Code, r.Body)
	}
	if c := formPost(h, path, tokSystem); c != 415 {
		t.Fatalf("a form: %d", c)
	}
	big := `{"caseworker":"hl-1","csv":"personnummer,månader\n` + strings.Repeat("19750305-9805,2026-01\n", 60000) + `"}`
	if r := call(t, h, "POST", path, tokSystem, "", big); r.Code != 413 {
		t.Fatalf("a file over 1 MB: %d %s", r.Code, r.Body)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"caseworker":"hl-1","csv":" "}`, "csv"},
		{`{"caseworker":"hl-1","csv":"personnummer,månader\n19750305-9806,2026-01\n"}`, "rad 2: personnummer"},
		{`{"caseworker":"hl-1","csv":"personnummer,månader\n19750305-9805,2026-14\n"}`, "rad 2: månader"},
		{`{"caseworker":"hl-1","csv":"namn\n"}`, "rad 1: rubrik"},
		{`{"caseworker":"hl-1","csv":"personnummer,månader\n","file":"x"}`, "file"},
		{`{"caseworker":"hl-1","municipality":"82","csv":"personnummer,månader\n19750305-9805,2026-01\n"}`, "municipality"},
	} {
		if r := call(t, h, "POST", path, tokSystem, "", tc.body); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("want 400 on %s: %d %s", tc.field, r.Code, r.Body)
		}
	}
	if r := call(t, h, "POST", path, tokSystem, "", strings.Replace(good, `"csv"`, `"municipality":"0180","csv"`, 1)); r.Code != 403 {
		t.Fatalf("another municipality's history: %d %s", r.Code, r.Body)
	}
	r := call(t, h, "POST", path, tokSystem, "", good)
	if r.Code != 200 || strings.TrimSpace(r.Body.String()) != `{"persons":1}` {
		t.Fatalf("import: %d %s", r.Code, r.Body)
	}
	months, known, err := wf.Cases().(*store.CaseStore).AidHistoryOf(ctx, skalig.PersonalNumber("197503059805"), skalig.MonthOf(2027, 1))
	if err != nil || !known || len(months) != 7 {
		t.Fatalf("imported history: %v %v %v", months, known, err)
	}
	if _, err := db.SealAudit(ctx); err != nil { // PostgreSQL chains the events after the commit
		t.Fatal(err)
	}
	var actor string
	if err := db.SQL().QueryRow(`SELECT actor FROM audit_events WHERE action = $1`, store.ActionHistoryImported).Scan(&actor); err != nil ||
		actor != "api:system for caseworker:hl-1" {
		t.Fatalf("audit actor %q, %v", actor, err)
	}
}
