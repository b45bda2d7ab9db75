package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/payments"
	"skalig/internal/store"
	"skalig/internal/workflow"
)

// TestManualCalculationAPI: a January 2027 application (no 2027
// parameters) is calculated by hand through the API and then decided;
// every documented status of the route.
func TestManualCalculationAPI(t *testing.T) {
	h, wf, db := policyServer(t)
	ctx := context.Background()
	body := strings.ReplaceAll(documentedApplication(t, h), `"2026-11"`, `"2027-01"`)
	w := call(t, h, "POST", "/api/v1/applications", tokHogby, "m-1", body)
	if w.Code != 201 {
		t.Fatalf("submit: %d %s", w.Code, w.Body)
	}
	var sub struct{ ID string }
	json.Unmarshal(w.Body.Bytes(), &sub)
	cs := runUntilSettled(t, wf, sub.ID)
	if cs.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("2027-01 without parameters: %s %v", cs.State, cs.RoutingReasons)
	}
	if err := store.NewCaseworkerStore(db).SeeStaff(ctx, store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/cases/" + sub.ID + "/manual-calculation"
	good := fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","reason":"Riksnormen 2027 saknas i Skälig.","lines":[
		{"kind":"norm","item":"Riksnorm, ensamstående","amount":4200,"basis":"SoL 12 kap. 3 §; riksnorm 2027"},
		{"kind":"cost","item":"Hyra","amount":4200,"basis":"Hyresavi"},
		{"kind":"income","item":"Bostadsbidrag","amount":1200,"basis":"Försäkringskassan"}]}`, cs.Version)
	if r := call(t, h, "POST", path, "", "", good); r.Code != 401 {
		t.Fatalf("without a key: %d", r.Code)
	}
	if r := call(t, h, "POST", path, tokHogby, "", good); r.Code != 403 {
		t.Fatalf("without the decide action: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", "/api/v1/cases/01M00000000000000000000000/manual-calculation", tokSystem, "", good); r.Code != 404 {
		t.Fatalf("no case: %d %s", r.Code, r.Body)
	}
	rq := httptest.NewRequest("POST", path, strings.NewReader("reason=x"))
	rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rq.Header.Set("Authorization", "Bearer "+tokSystem)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, rq)
	if rec.Code != 415 {
		t.Fatalf("a form: %d", rec.Code)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"caseworker":"hl-1","reason":"x","lines":[]}`, "version"},
		{strings.Replace(good, `"amount":4200,"basis":"Hyresavi"`, `"amount":"fyra","basis":"Hyresavi"`, 1), "lines[1].amount"},
		{strings.Replace(good, `"basis":"Hyresavi"`, `"basis":""`, 1), "lines[1].basis"},
		{strings.Replace(good, `"kind":"cost"`, `"kind":"gift"`, 1), "lines[1].kind"},
		{strings.Replace(good, `"reason":"Riksnormen 2027 saknas i Skälig."`, `"reason":""`, 1), "reason"},
	} {
		if r := call(t, h, "POST", path, tokSystem, "", tc.body); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("want 400 on %s: %d %s", tc.field, r.Code, r.Body)
		}
	}
	if r := call(t, h, "POST", path, tokSystem, "", strings.Replace(good, fmt.Sprintf(`"version":%d`, cs.Version), `"version":999`, 1)); r.Code != 409 {
		t.Fatalf("stale version: %d %s", r.Code, r.Body)
	}
	r := call(t, h, "POST", path, tokSystem, "", good)
	var calc struct {
		ParamSet string `json:"param_set"`
		Output   *struct {
			Aid skalig.Money `json:"aid"`
		} `json:"output"`
	}
	if r.Code != 200 || json.Unmarshal(r.Body.Bytes(), &calc) != nil || calc.Output == nil || calc.Output.Aid != skalig.Kronor(7200) ||
		calc.ParamSet != workflow.ManualParamSet {
		t.Fatalf("manual calculation: %d %s", r.Code, r.Body)
	}
	d := call(t, h, "POST", "/api/v1/cases/"+sub.ID+"/decision", tokSystem, "",
		fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","outcome":"approved","amount":7200}`, cs.Version))
	if d.Code != 201 {
		t.Fatalf("decision on the manual calculation: %d %s", d.Code, d.Body)
	}
}

// TestChangeDecisionAPI: a paid case is appealed and the decision changed
// through the API; every documented status of the route.
func TestChangeDecisionAPI(t *testing.T) {
	h, wf, db := policyServer(t)
	ctx := context.Background()
	id, _ := submitAPI(t, h, "c-1")
	cs := runUntilSettled(t, wf, id)
	if cs.DecidedAt.IsZero() {
		var calc workflow.Calculation
		if err := wf.Cases().LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil || calc.Output == nil || calc.Output.Aid <= 0 {
			t.Fatalf("calculation: %v", err)
		}
		cw := skalig.PersonActor("hl-1", []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"})
		if _, err := wf.Decide(ctx, workflow.DecisionRequest{CaseID: id, Version: cs.Version, Actor: cw,
			Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); err != nil {
			t.Fatal(err)
		}
		runUntilSettled(t, wf, id)
	}
	if err := store.NewCaseworkerStore(db).SeeStaff(ctx, store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	r := call(t, h, "POST", "/api/v1/cases/"+id+"/appeal", tokHogby, "", `{"text":"Hyran är 500 kr högre."}`)
	var a struct{ ID string }
	if r.Code != 201 || json.Unmarshal(r.Body.Bytes(), &a) != nil {
		t.Fatalf("appeal: %d %s", r.Code, r.Body)
	}
	first, err := wf.Cases().CaseDecision(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	higher := first.Amount + skalig.Kronor(500)
	path := "/api/v1/review-requests/" + a.ID + "/change"
	good := fmt.Sprintf(`{"caseworker":"hl-1","outcome":"approved","amount":%s,"note":"Hyran är högre.","as_requested":true,
		"manual_reason":"Ny hyresavi efter beslutet.","lines":[{"kind":"norm","item":"Enligt beslutet","amount":%s,"basis":"Beslut %s"},
		{"kind":"cost","item":"Höjd hyra","amount":500,"basis":"Ny hyresavi"}]}`, higher.String(), first.Amount.String(), first.ID)
	// The payment is on its way: 409 until the bank has answered.
	if r := call(t, h, "POST", path, tokSystem, "", good); r.Code != 409 {
		t.Fatalf("change with a payment on its way: %d %s", r.Code, r.Body)
	}
	svc := payments.New(payments.Config{Cases: wf.Cases().(*store.CaseStore), Debtor: payments.Debtor{Name: "Testkommunen", IBAN: "SE4550000000058398257466"}})
	_, run, err := svc.Run(ctx, t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := wf.Cases().(*store.CaseStore).RunPayments(ctx, run.ID)
	answer, err := payments.SimulatedNotification(run, ps, payments.Debtor{IBAN: "SE4550000000058398257466"}, db.Clock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, answer, "test"); err != nil {
		t.Fatal(err)
	}
	if r := call(t, h, "POST", path, "", "", good); r.Code != 401 {
		t.Fatalf("without a key: %d", r.Code)
	}
	if r := call(t, h, "POST", path, tokHogby, "", good); r.Code != 403 {
		t.Fatalf("without the decide action: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", "/api/v1/review-requests/x/change", tokSystem, "", good); r.Code != 404 {
		t.Fatalf("no request: %d %s", r.Code, r.Body)
	}
	rq := httptest.NewRequest("POST", path, strings.NewReader("note=x"))
	rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rq.Header.Set("Authorization", "Bearer "+tokSystem)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, rq)
	if rec.Code != 415 {
		t.Fatalf("a form: %d", rec.Code)
	}
	for _, tc := range []struct{ body, field string }{
		{strings.Replace(good, `"note":"Hyran är högre."`, `"note":""`, 1), "note"},
		{strings.Replace(good, fmt.Sprintf(`"amount":%s`, higher.String()), `"amount":"mycket"`, 1), "amount"},
		{strings.Replace(good, `"outcome":"approved"`, `"outcome":"yes"`, 1), "outcome"},
		{strings.Replace(good, `"basis":"Ny hyresavi"`, `"basis":""`, 1), "lines[1].basis"},
	} {
		if r := call(t, h, "POST", path, tokSystem, "", tc.body); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("want 400 on %s: %d %s", tc.field, r.Code, r.Body)
		}
	}
	r = call(t, h, "POST", path, tokSystem, "", good)
	var ch struct {
		Decision struct {
			ID     string
			Amount skalig.Money
		}
		Supersedes string
		Payment    *struct {
			Amount skalig.Money
			Status string
		}
		Overpaid skalig.Money
	}
	if r.Code != 201 || json.Unmarshal(r.Body.Bytes(), &ch) != nil || ch.Supersedes != first.ID || ch.Decision.Amount != higher ||
		ch.Payment == nil || ch.Payment.Amount != skalig.Kronor(500) || ch.Overpaid != 0 {
		t.Fatalf("change: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "POST", path, tokSystem, "", good); r.Code != 409 {
		t.Fatalf("change on a resolved appeal: %d %s", r.Code, r.Body)
	}
	if r := call(t, h, "GET", "/api/v1/decisions/"+ch.Decision.ID+"/replay", tokHogby, "", ""); r.Code != 200 || !strings.Contains(r.Body.String(), `"identical":true`) {
		t.Fatalf("replay of the changed decision: %d %s", r.Code, r.Body)
	}
}
