package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	"skalig/internal/store/deskdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/appealfile"
	"skalig/internal/workflow/casecalc"
)

// runUntilSettled runs the workflow until the case waits for a person or is
// done.
func runUntilSettled(t *testing.T, wf *workflow.Workflow, id string) *skalig.Case {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); wf.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		cs, _ := wf.Cases().Case(context.Background(), id)
		switch cs.State {
		case skalig.StateAwaitingCaseworker, skalig.StateAwaitingApplicant, skalig.StateSampled, skalig.StatePaid,
			skalig.StateClosed, skalig.StateWithdrawn:
			return cs
		case skalig.StateNotified:
			var n int
			wf.Cases().(*store.CaseStore).DB().SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE case_id = $1`, id).Scan(&n)
			if n == 0 {
				return cs // the payment is ordered: it waits for the bank
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("case still %s", cs.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func submitAPI(t *testing.T, h http.Handler, key string) (id string, version int) {
	t.Helper()
	w := call(t, h, "POST", "/api/v1/applications", tokHogby, key, documentedApplication(t, h))
	if w.Code != 201 {
		t.Fatalf("submit: %d %s", w.Code, w.Body)
	}
	var c struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	json.Unmarshal(w.Body.Bytes(), &c)
	return c.ID, c.Version
}

func TestWithdrawAPI(t *testing.T) {
	h, wf, _ := caseServer(t)
	id, v := submitAPI(t, h, "w1")
	path := "/api/v1/cases/" + id + "/withdraw"

	r := call(t, h, "POST", path, tokHogby, "", "")
	if r.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("without JSON: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokHogby, "", `{}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"version"`) {
		t.Fatalf("without version: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokHogby, "", `{"version":"x"}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"version"`) {
		t.Fatalf("version not a number: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokOther, "", fmt.Sprintf(`{"version":%d}`, v)); r.Code != 404 {
		t.Fatalf("other municipality: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokHogby, "", fmt.Sprintf(`{"version":%d}`, v+7)); r.Code != 409 {
		t.Fatalf("stale version: %d %s", r.Code, r.Body)
	}
	r = call(t, h, "POST", path, tokHogby, "", fmt.Sprintf(`{"version":%d}`, v))
	if r.Code != 200 || !strings.Contains(r.Body.String(), `"state":"withdrawn"`) {
		t.Fatalf("withdraw: %d %s", r.Code, r.Body)
	}
	var c struct{ Version int }
	json.Unmarshal(r.Body.Bytes(), &c)
	if r := call(t, h, "POST", path, tokHogby, "", fmt.Sprintf(`{"version":%d}`, c.Version)); r.Code != 409 || !strings.Contains(r.Body.String(), "redan återtagen") {
		t.Fatalf("withdraw again: %d %s", r.Code, r.Body)
	}
	if cs := runUntilSettled(t, wf, id); cs.State != skalig.StateWithdrawn {
		t.Fatalf("after the workers: %s", cs.State)
	}
	// An undecided case has no decision to appeal.
	if r := call(t, h, "POST", "/api/v1/cases/"+id+"/appeal", tokHogby, "", `{"text":"Fel."}`); r.Code != 409 {
		t.Fatalf("appeal of an undecided case: %d %s", r.Code, r.Body)
	}
	r = call(t, h, "GET", "/api/v1/cases/"+id+"/requests", tokHogby, "", "")
	if r.Code != 200 || !strings.Contains(r.Body.String(), `"kind":"withdrawn"`) {
		t.Fatalf("events of the withdrawn case: %d %s", r.Code, r.Body)
	}
}

func TestAppealAPI(t *testing.T) {
	h, wf, db := policyServer(t)
	id, _ := submitAPI(t, h, "a1")
	cs := runUntilSettled(t, wf, id)
	if cs.DecidedAt.IsZero() {
		if cs.State != skalig.StateAwaitingCaseworker {
			t.Fatalf("case in %s", cs.State)
		}
		var calc casecalc.Calculation
		if err := wf.Cases().LatestRecord(context.Background(), id, store.RecordCalculation, &calc); err != nil {
			t.Fatal(err)
		}
		outcome, amount, reasons := skalig.OutcomeApproved, calc.Output.Aid, []string(nil)
		if amount <= 0 {
			outcome, amount, reasons = skalig.OutcomeRejected, 0, []string{"Inkomsterna täcker behoven."}
		}
		cw := skalig.PersonActor("hl-1", []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"})
		res, err := wf.Decide(context.Background(), workflow.DecisionRequest{CaseID: id, Version: cs.Version, Actor: cw,
			Outcome: outcome, Amount: amount, Reasons: reasons})
		if err != nil || res.Decision == nil {
			t.Fatalf("decide: %+v %v", res, err)
		}
		runUntilSettled(t, wf, id)
	}
	cs, _ = wf.Cases().Case(context.Background(), id)
	if r := call(t, h, "POST", "/api/v1/cases/"+id+"/withdraw", tokHogby, "", fmt.Sprintf(`{"version":%d}`, cs.Version)); r.Code != 409 ||
		!strings.Contains(r.Body.String(), "redan beslutad") {
		t.Fatalf("withdraw a decided case: %d %s", r.Code, r.Body)
	}
	appeal := "/api/v1/cases/" + id + "/appeal"
	if r := call(t, h, "POST", appeal, tokHogby, "", `{"text":""}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"text"`) {
		t.Fatalf("appeal without text: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", appeal, tokHogby, "", `{"text":"Fel\u0000"}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"text"`) {
		t.Fatalf("appeal with NUL: %d %s", r.Code, r.Body)
	}
	r := call(t, h, "POST", appeal, tokHogby, "", `{"text":"Jag överklagar beslutet: hyran är högre."}`)
	if r.Code != 201 {
		t.Fatalf("appeal: %d %s", r.Code, r.Body)
	}
	var a struct {
		ID         string `json:"id"`
		Kind       string `json:"kind"`
		Late       bool   `json:"late"`
		NotifiedAt string `json:"decision_notified_at"`
	}
	json.Unmarshal(r.Body.Bytes(), &a)
	if a.Kind != "appeal" || a.Late || a.NotifiedAt == "" {
		t.Fatalf("appeal %s", r.Body)
	}
	if r := call(t, h, "POST", "/api/v1/cases/"+id+"/review", tokHogby, "", `{"text":""}`); r.Code != 201 {
		t.Fatalf("review request: %d %s", r.Code, r.Body)
	}
	r = call(t, h, "GET", "/api/v1/review-requests?municipality=0821", tokHogby, "", "")
	var q struct {
		Count    int `json:"count"`
		Requests []struct {
			ID, Kind, Text string
		} `json:"requests"`
	}
	json.Unmarshal(r.Body.Bytes(), &q)
	if r.Code != 200 || q.Count != 2 || len(q.Requests) != 2 || q.Requests[0].ID != a.ID || q.Requests[1].Kind != "review" ||
		q.Requests[1].Text != "Jag vill att en handläggare prövar mitt ärende." {
		t.Fatalf("queue: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "GET", "/api/v1/review-requests?municipality=0880", tokHogby, "", ""); r.Code != 403 {
		t.Fatalf("another municipality's queue: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "GET", "/api/v1/review-requests?municipality=08x1", tokHogby, "", ""); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"municipality"`) {
		t.Fatalf("bad municipality: %d %s", r.Code, r.Body)
	}
	r = call(t, h, "GET", "/api/v1/cases/"+id+"/requests", tokHogby, "", "")
	if r.Code != 200 || !strings.Contains(r.Body.String(), `"kind":"appeal"`) || !strings.Contains(r.Body.String(), "Ditt överklagande har kommit in") {
		t.Fatalf("the case's requests and events: %d %s", r.Code, r.Body)
	}
	// Forwarding needs the decide action and a known caseworker.
	forward := "/api/v1/review-requests/" + a.ID + "/forward"
	if r := call(t, h, "POST", forward, tokHogby, "", `{"caseworker":"hl-1"}`); r.Code != 403 {
		t.Fatalf("forward without the decide action: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", forward, tokSystem, "", `{"caseworker":"hl-1","x":1}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"x"`) {
		t.Fatalf("forward with an unknown field: %d %s", r.Code, r.Body)
	}
	if err := deskdb.New(db).SeeStaff(context.Background(), store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	if r := call(t, h, "POST", "/api/v1/review-requests/"+a.ID+"/keep", tokSystem, "", `{"caseworker":"hl-1","note":"Rätt."}`); r.Code != 409 {
		t.Fatalf("keep an appeal: %d %s", r.Code, r.Body)
	}
	r = call(t, h, "POST", forward, tokSystem, "", `{"caseworker":"hl-1"}`)
	var b appealfile.Bundle
	if r.Code != 200 || json.Unmarshal(r.Body.Bytes(), &b) != nil || b.Appeal.ID != a.ID || b.Decision.ID == "" || len(b.Receipt) == 0 ||
		b.ForwardedBy != "api:system for caseworker:hl-1" {
		t.Fatalf("forward: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", forward, tokSystem, "", `{"caseworker":"hl-1"}`); r.Code != 409 {
		t.Fatalf("forward twice: %d %s", r.Code, r.Body)
	}
	r = call(t, h, "GET", "/api/v1/review-requests?municipality=0821", tokHogby, "", "")
	if r.Code != 200 || !strings.Contains(r.Body.String(), `"count":1`) {
		t.Fatalf("queue after forwarding: %d %s", r.Code, r.Body)
	}
}

func TestKommuniceringAPI(t *testing.T) {
	h, wf, db := policyServer(t)
	body := strings.Replace(documentedApplication(t, h), `"monthly"`, `"first"`, 1)
	w := call(t, h, "POST", "/api/v1/applications", tokHogby, "k-1", body)
	if w.Code != 201 {
		t.Fatalf("submit: %d %s", w.Code, w.Body)
	}
	var sub struct{ ID string }
	json.Unmarshal(w.Body.Bytes(), &sub)
	cs := runUntilSettled(t, wf, sub.ID)
	if cs.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("first application %s", cs.State)
	}
	if err := deskdb.New(db).SeeStaff(context.Background(), store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/cases/" + sub.ID + "/kommunicering"
	due := skalig.DateOf(time.Now().AddDate(0, 0, 14)).String()
	if r := call(t, h, "POST", path, tokHogby, "", `{}`); r.Code != 403 {
		t.Fatalf("without the decide action: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokSystem, "", fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","text":"Lön enligt Skatteverket.","due":"14 dagar"}`, cs.Version)); r.Code != 400 ||
		!strings.Contains(r.Body.String(), `"field":"due"`) {
		t.Fatalf("bad due: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokSystem, "", fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","text":"","due":%q}`, cs.Version, due)); r.Code != 400 ||
		!strings.Contains(r.Body.String(), `"field":"text"`) {
		t.Fatalf("no text: %d %s", r.Code, r.Body)
	}
	r := call(t, h, "POST", path, tokSystem, "", fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","text":"Lön enligt Skatteverket.","due":%q}`, cs.Version, due))
	if r.Code != 202 || !strings.Contains(r.Body.String(), `"state":"awaiting_applicant"`) || !strings.Contains(r.Body.String(), "kommunicering_sent") {
		t.Fatalf("send for comment: %d %s", r.Code, r.Body)
	}
	comment := "/api/v1/cases/" + sub.ID + "/comment"
	if r := call(t, h, "POST", comment, tokHogby, "", `{"text":" "}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"text"`) {
		t.Fatalf("empty comment: %d %s", r.Code, r.Body)
	}
	r = call(t, h, "POST", comment, tokHogby, "", `{"text":"Lönen gällde september."}`)
	if r.Code != 200 || !strings.Contains(r.Body.String(), `"state":"awaiting_caseworker"`) || !strings.Contains(r.Body.String(), "kommunicering_answered") {
		t.Fatalf("comment: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", comment, tokHogby, "", `{"text":"Igen."}`); r.Code != 409 {
		t.Fatalf("second comment: %d %s", r.Code, r.Body)
	}
}

// wrapCasework wraps the handler of TestCaseworkRouteStatuses. On main,
// where contract_test.go checks every response against openapi.json and
// that every documented status is received, it must be validating.
var wrapCasework = validating

// TestCaseworkRouteStatuses causes every documented status of the
// casework routes that the tests above do not: no key (401), a key
// without the action (403), an unknown case or request (404), a form
// instead of JSON (415), and the decider's resolutions.
func TestCaseworkRouteStatuses(t *testing.T) {
	db := dbtest.Open(t)
	p, _ := params.Default()
	mun, _ := municipal.Default()
	wf, err := workflow.New(workflow.Config{Cases: store.NewCaseStore(db), Params: p, Municipal: mun,
		Registers: sim.New(sim.Config{Seed: 1}), RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const tokReader, tokSubmitter = "reader-only-secret-0821", "submit-only-secret-0821"
	h := wrapCasework(t, api.New(api.Config{Params: p, Workflow: wf, Tokens: []api.Token{
		{Name: "hogsby", Secret: tokHogby, Municipalities: []string{"0821"}},
		{Name: "system", Secret: tokSystem, Municipalities: []string{"0821"}, Actions: []string{"submit", "read", "decide", "act_for_person"}},
		{Name: "reader", Secret: tokReader, Municipalities: []string{"0821"}, Actions: []string{"read"}},
		{Name: "submitter", Secret: tokSubmitter, Municipalities: []string{"0821"}, Actions: []string{"submit"}},
	}}).Handler())
	ctx := context.Background()
	if err := deskdb.New(db).SeeStaff(ctx, store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	id, _ := submitAPI(t, h, "s-1")
	form := func(method, path, token string) int {
		r := httptest.NewRequest(method, path, strings.NewReader("text=x"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	text := `{"text":"Fel."}`
	for _, rt := range []struct {
		method, path, token, noAction, valid string
	}{
		{"POST", "/api/v1/cases/" + id + "/withdraw", tokHogby, tokReader, `{"version":1}`},
		{"POST", "/api/v1/cases/" + id + "/appeal", tokHogby, tokReader, text},
		{"POST", "/api/v1/cases/" + id + "/review", tokHogby, tokReader, text},
		{"POST", "/api/v1/cases/" + id + "/comment", tokHogby, tokReader, text},
		{"POST", "/api/v1/cases/" + id + "/kommunicering", tokSystem, tokHogby, `{"version":1,"caseworker":"hl-1","text":"x","due":"2099-01-01"}`},
		{"GET", "/api/v1/cases/" + id + "/requests", tokHogby, tokSubmitter, ""},
		{"GET", "/api/v1/review-requests?municipality=0821", tokHogby, tokSubmitter, ""},
		{"POST", "/api/v1/review-requests/x/keep", tokSystem, tokHogby, `{"caseworker":"hl-1","note":"x"}`},
		{"POST", "/api/v1/review-requests/x/forward", tokSystem, tokHogby, `{"caseworker":"hl-1","note":"x"}`},
		{"POST", "/api/v1/review-requests/x/reject-late", tokSystem, tokHogby, `{"caseworker":"hl-1","note":"x"}`},
	} {
		body := ""
		if rt.method == "POST" {
			body = `{}`
		}
		if r := call(t, h, rt.method, rt.path, "", "", body); r.Code != 401 {
			t.Errorf("%s %s without a key: %d", rt.method, rt.path, r.Code)
		}
		if r := call(t, h, rt.method, rt.path, rt.noAction, "", body); r.Code != 403 {
			t.Errorf("%s %s without the action: %d %s", rt.method, rt.path, r.Code, r.Body)
		}
		if strings.Contains(rt.path, "/cases/") {
			other := strings.Replace(rt.path, id, "01M00000000000000000000000", 1)
			if r := call(t, h, rt.method, other, rt.token, "", rt.valid); r.Code != 404 {
				t.Errorf("%s %s of no case: %d %s", rt.method, other, r.Code, r.Body)
			}
		} else if strings.Contains(rt.path, "/x/") {
			if r := call(t, h, rt.method, rt.path, rt.token, "", rt.valid); r.Code != 404 {
				t.Errorf("%s %s of no request: %d %s", rt.method, rt.path, r.Code, r.Body)
			}
		}
		if rt.method == "POST" && !strings.Contains(rt.path, "/x/") {
			if code := form(rt.method, rt.path, rt.token); code != 415 {
				t.Errorf("%s %s with a form: %d", rt.method, rt.path, code)
			}
		}
	}
	// The case waits for a person: kommunicering with a stale version is
	// 409; review of an undecided case is 409 and a NUL in its text 400.
	cs := runUntilSettled(t, wf, id)
	if r := call(t, h, "POST", "/api/v1/cases/"+id+"/kommunicering", tokSystem, "",
		fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","text":"Lön.","due":%q}`, cs.Version+1, skalig.DateOf(time.Now().AddDate(0, 0, 9)).String())); r.Code != 409 {
		t.Errorf("kommunicering on a stale version: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", "/api/v1/cases/"+id+"/review", tokHogby, "", `{"text":"Pröva."}`); r.Code != 409 {
		t.Errorf("review of an undecided case: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", "/api/v1/cases/"+id+"/review", tokHogby, "", `{"text":"Fel\u0000"}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"text"`) {
		t.Errorf("review with NUL: %d %s", r.Code, r.Body)
	}

	// Decided: a review request kept, a late appeal rejected.
	if cs.DecidedAt.IsZero() {
		var calc casecalc.Calculation
		if err := wf.Cases().LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil {
			t.Fatal(err)
		}
		outcome, amount, reasons := skalig.OutcomeApproved, calc.Output.Aid, []string(nil)
		if amount <= 0 {
			outcome, amount, reasons = skalig.OutcomeRejected, 0, []string{"Inkomsterna täcker behoven."}
		}
		if _, err := wf.Decide(ctx, workflow.DecisionRequest{CaseID: id, Version: cs.Version,
			Actor:   skalig.PersonActor("hl-1", []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"}),
			Outcome: outcome, Amount: amount, Reasons: reasons}); err != nil {
			t.Fatal(err)
		}
		runUntilSettled(t, wf, id)
	}
	r := call(t, h, "POST", "/api/v1/cases/"+id+"/review", tokHogby, "", `{"text":"Pröva."}`)
	var q struct{ ID string }
	json.Unmarshal(r.Body.Bytes(), &q)
	keep := "/api/v1/review-requests/" + q.ID + "/keep"
	if r := call(t, h, "POST", keep, tokSystem, "", `{"caseworker":"hl-1","note":""}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"note"`) {
		t.Errorf("keep without a note: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", keep, tokSystem, "", `{"caseworker":"hl-1","note":"Hyran är rätt."}`); r.Code != 200 || !strings.Contains(r.Body.String(), `"resolution":"kept"`) {
		t.Errorf("keep: %d %s", r.Code, r.Body)
	}
	for _, action := range []string{"keep", "forward", "reject-late"} {
		if code := form("POST", "/api/v1/review-requests/"+q.ID+"/"+action, tokSystem); code != 415 {
			t.Errorf("%s with a form: %d", action, code)
		}
	}
	if r := call(t, h, "POST", "/api/v1/review-requests/"+q.ID+"/reject-late", tokSystem, "", `{"caseworker":"hl-1","note":"x"}`); r.Code != 409 {
		t.Errorf("reject a resolved review request as late: %d %s", r.Code, r.Body)
	}
	db.Now = func() time.Time { return time.Now().AddDate(0, 0, 30) }
	r = call(t, h, "POST", "/api/v1/cases/"+id+"/appeal", tokHogby, "", `{"text":"Beslutet är fel."}`)
	var a struct {
		ID   string
		Late bool
	}
	json.Unmarshal(r.Body.Bytes(), &a)
	if r.Code != 201 || !a.Late {
		t.Fatalf("late appeal: %d %s", r.Code, r.Body)
	}
	reject := "/api/v1/review-requests/" + a.ID + "/reject-late"
	if r := call(t, h, "POST", reject, tokSystem, "", `{"caseworker":"hl-1"}`); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"note"`) {
		t.Errorf("reject without a note: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", reject, tokSystem, "", `{"caseworker":"hl-1","note":"Beslutet meddelades för 30 dagar sedan."}`); r.Code != 200 ||
		!strings.Contains(r.Body.String(), `"resolution":"rejected_late"`) {
		t.Errorf("reject as late: %d %s", r.Code, r.Body)
	}
}
