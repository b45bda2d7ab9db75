package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
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
	"skalig/internal/store/deskdb"
	"skalig/internal/workflow"
)

const tokSystem = "verksamhetssystem-secret-0821"

// policyServer is caseServer with a client that may decide for named
// caseworkers ("system") beside one with the default scope ("hogsby").
func policyServer(t *testing.T) (http.Handler, *workflow.Workflow, *store.DB) {
	t.Helper()
	db := dbtest.Open(t)
	p, _ := params.Default()
	mun, _ := municipal.Default()
	wf, err := workflow.New(workflow.Config{Cases: store.NewCaseStore(db), Params: p, Municipal: mun,
		Registers: sim.New(sim.Config{Seed: 1}), RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := api.New(api.Config{Params: p, Workflow: wf, Tokens: []api.Token{
		{Name: "hogsby", Secret: tokHogby, Municipalities: []string{"0821"}},
		{Name: "system", Secret: tokSystem, Municipalities: []string{"0821"}, Actions: []string{"submit", "read", "decide", "act_for_person"}},
	}})
	return validating(t, s.Handler()), wf, db
}

func runUntilRest(t *testing.T, wf *workflow.Workflow, id string) *skalig.Case {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); wf.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		cs, err := wf.Cases().Case(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		switch cs.State {
		case skalig.StateSubmitted, skalig.StateFetching, skalig.StateCalculated, skalig.StateAutoDecided, skalig.StateDecided, skalig.StateNotified:
		default:
			return cs
		}
		if time.Now().After(deadline) {
			t.Fatalf("case still %s", cs.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func auditActors(t *testing.T, wf *workflow.Workflow, caseID, action string) []string {
	t.Helper()
	evs, err := wf.Cases().AuditEvents(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.Action == action {
			out = append(out, e.Actor)
		}
	}
	return out
}

// Violation 2: POST /api/v1/cases/{id}/decision with any key and a named
// caseworker closed the case at once under four eyes, audited as the
// caseworker only; submissions were audited as "applicant".
func TestAPIDecisionFollowsTheCaseworkPolicy(t *testing.T) {
	h, wf, db := policyServer(t)
	ctx := context.Background()
	body := strings.Replace(documentedApplication(t, h), `"monthly"`, `"first"`, 1)
	w := call(t, h, "POST", "/api/v1/applications", tokHogby, "first-1", body)
	if w.Code != 201 {
		t.Fatalf("submit: %d %s", w.Code, w.Body)
	}
	var sub struct {
		ID string `json:"id"`
	}
	json.Unmarshal(w.Body.Bytes(), &sub)
	if got := auditActors(t, wf, sub.ID, store.ActionSubmitted); len(got) != 1 || got[0] != "api:hogsby" {
		t.Fatalf("API submission audited as %v, want api:hogsby", got)
	}
	cs := runUntilRest(t, wf, sub.ID)
	if cs.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("first application %s, want awaiting_caseworker", cs.State)
	}

	// Four eyes on every rejection in 0821.
	mun, _ := municipal.Default()
	settings, _ := json.Marshal(municipal.CaseworkSettings{FourEyesReject: true, OverdueDays: 5})
	if err := configdb.NewMunicipalConfig(db, mun).AddVersion(ctx, &municipal.Change{Municipality: "0821", Kind: municipal.KindCasework,
		Version: "fyra ögon", From: cs.Month, Body: settings, Author: "admin", Reason: "Test"}, cs.Month); err != nil {
		t.Fatal(err)
	}
	const sara = "dev-sara-handlaggarsson"
	reject := fmt.Sprintf(`{"version":%d,"caseworker":%q,"outcome":"rejected","amount":0,"reasons":["Inkomsterna räcker."],"kommunicering_exception":"kommunicering_unnecessary"}`, cs.Version, sara)
	path := "/api/v1/cases/" + cs.ID + "/decision"

	if w := call(t, h, "POST", path, tokHogby, "", reject); w.Code != 403 {
		t.Fatalf("a key without decide: %d %s", w.Code, w.Body)
	}
	if w := call(t, h, "POST", path, tokSystem, "", reject); w.Code != 403 || !strings.Contains(w.Body.String(), `"field":"caseworker"`) {
		t.Fatalf("a caseworker Skälig does not know: %d %s", w.Code, w.Body)
	}
	if w := call(t, h, "POST", path, tokSystem, "", strings.Replace(reject, `"caseworker":"`+sara+`",`, "", 1)); w.Code != 403 {
		t.Fatalf("no caseworker: %d %s", w.Code, w.Body)
	}
	if err := deskdb.New(db).SeeStaff(ctx, store.StaffMember{Subject: sara, Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	// The grounds go through the workflow's one check (GroundedReasons),
	// as on the caseworker's page: a known code, and a ground or a reason
	// for a rejection.
	for _, tc := range []struct{ body, field string }{
		{strings.Replace(reject, `"reasons":["Inkomsterna räcker."]`, `"grounds":["income","no_such_ground"]`, 1), `"field":"grounds[1]"`},
		{strings.Replace(reject, `,"reasons":["Inkomsterna räcker."]`, "", 1), `"field":"grounds"`},
	} {
		if w := call(t, h, "POST", path, tokSystem, "", tc.body); w.Code != 400 || !strings.Contains(w.Body.String(), tc.field) {
			t.Fatalf("grounds %s: %d %s, want 400 naming %s", tc.body, w.Code, w.Body, tc.field)
		}
	}
	reject = strings.Replace(reject, `"reasons":`, `"grounds":["income"],"reasons":`, 1)
	w = call(t, h, "POST", path, tokSystem, "", reject)
	if w.Code != http.StatusAccepted {
		t.Fatalf("rejection under four eyes: %d %s, want 202", w.Code, w.Body)
	}
	var withReasons struct {
		Reasons []string `json:"reasons"`
	}
	json.Unmarshal(w.Body.Bytes(), &withReasons)
	income, _ := skalig.LookupGround(skalig.GroundIncome)
	if want := []string{income.Text(), "Inkomsterna räcker."}; !slices.Equal(withReasons.Reasons, want) {
		t.Fatalf("reasons %q, want the ground's Swedish text and the own reason %q", withReasons.Reasons, want)
	}
	var prop struct {
		Status     string `json:"status"`
		Outcome    string `json:"outcome"`
		ProposedBy string `json:"proposed_by"`
	}
	json.Unmarshal(w.Body.Bytes(), &prop)
	if prop.Status != "pending" || prop.Outcome != "rejected" || prop.ProposedBy != sara {
		t.Fatalf("proposal %s", w.Body)
	}
	if c, _ := wf.Cases().Case(ctx, cs.ID); c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("case %s after a proposal", c.State)
	}
	if _, err := wf.Cases().CaseDecision(ctx, cs.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("decided before the second signature: %v", err)
	}
	if got := auditActors(t, wf, cs.ID, store.ActionDecisionProposed); len(got) != 1 || got[0] != "api:system for caseworker:"+sara {
		t.Fatalf("proposal audited as %v", got)
	}
	if w := call(t, h, "POST", path, tokSystem, "", reject); w.Code != 409 {
		t.Fatalf("a second proposal: %d %s", w.Code, w.Body)
	}

	// The OpenAPI document describes the 202 and the 403.
	op := getOpenAPI(t, h).Paths["/api/v1/cases/{id}/decision"]["post"]
	for _, code := range []string{"201", "202", "403", "409"} {
		if _, ok := op.Responses[code]; !ok {
			t.Errorf("the decision route documents no %s", code)
		}
	}
}

// Violation 8: the API accepted negative amounts and empty kinds at
// intake; the one validation (skalig.Application.Validate) refuses both,
// naming the field.
func TestAPIIntakeRefusesNegativeAmountsAndEmptyKinds(t *testing.T) {
	h, _, _ := caseServer(t)
	base := `{"municipality":"0821","kind":"monthly","month":"2026-11","members":[{"id":"p1","personal_number":"19750305-9805","role":"applicant"}],"facts":[%s]}`
	for _, tc := range []struct{ fact, field, text string }{
		{`{"kind":"cost.housing","amount":-100}`, "facts[0].amount", "mindre än 0 kr"},
		{`{"kind":"cost.","amount":100}`, "facts[0].kind", "cost.housing"},
		{`{"kind":"income..salary_net","amount":100}`, "facts[0].kind", "cost.housing"},
	} {
		w := call(t, h, "POST", "/api/v1/applications", tokAll, "k-"+tc.fact, fmt.Sprintf(base, tc.fact))
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"`+tc.field+`"`) || !strings.Contains(w.Body.String(), tc.text) {
			t.Errorf("%s: %d %s", tc.fact, w.Code, w.Body)
		}
	}
}
