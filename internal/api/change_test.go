package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/municipal"
	"skalig/internal/payments"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/paymentdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/manualcalc"
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
	if err := deskdb.New(db).SeeStaff(ctx, store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
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
		calc.ParamSet != manualcalc.ParamSet {
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
		var calc casecalc.Calculation
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
	if err := deskdb.New(db).SeeStaff(ctx, store.StaffMember{Subject: "hl-1", Name: "Sara Handläggarsson",
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
	ps, _ := paymentdb.New(wf.Cases().(*store.CaseStore)).RunPayments(ctx, run.ID)
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

// paidCaseAPI submits and decides a case through the API and has the bank
// pay it; hl-1 and hl-2 are caseworkers of 0821 seen at login.
func paidCaseAPI(t *testing.T, h http.Handler, wf *workflow.Workflow, db *store.DB, key string) (string, *skalig.Decision) {
	t.Helper()
	ctx := context.Background()
	id, _ := submitAPI(t, h, key)
	cs := runUntilSettled(t, wf, id)
	if cs.DecidedAt.IsZero() {
		var calc casecalc.Calculation
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
	for _, sub := range []string{"hl-1", "hl-2"} {
		if err := deskdb.New(db).SeeStaff(ctx, store.StaffMember{Subject: sub, Name: "Handläggare " + sub,
			Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
			t.Fatal(err)
		}
	}
	svc := payments.New(payments.Config{Cases: wf.Cases().(*store.CaseStore), Debtor: payments.Debtor{Name: "Testkommunen", IBAN: "SE4550000000058398257466"}})
	_, run, err := svc.Run(ctx, t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := paymentdb.New(wf.Cases().(*store.CaseStore)).RunPayments(ctx, run.ID)
	answer, err := payments.SimulatedNotification(run, ps, payments.Debtor{IBAN: "SE4550000000058398257466"}, db.Clock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, answer, "test"); err != nil {
		t.Fatal(err)
	}
	d, err := wf.Cases().CaseDecision(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return id, d
}

// TestOwnChangeAndFourEyesAPI: under the four-eyes rule a change on the
// decider's own initiative through the API is a proposal (202) that a
// second caseworker returns and then signs (201); a change on a review
// request is a proposal too; every documented status of the three routes.
func TestOwnChangeAndFourEyesAPI(t *testing.T) {
	h, wf, db := policyServer(t)
	ctx := context.Background()
	id, first := paidCaseAPI(t, h, wf, db, "own-1")
	mun, _ := municipal.Default()
	body, _ := json.Marshal(municipal.CaseworkSettings{FourEyesOverride: true, OverdueDays: 5})
	if err := configdb.NewMunicipalConfig(db, mun).AddVersion(ctx, &municipal.Change{Municipality: "0821",
		Kind: municipal.KindCasework, Version: "fyra ögon", From: first.Month, Body: body, Author: "admin-1", Reason: "Test"}, first.Month); err != nil {
		t.Fatal(err)
	}
	cs, _ := wf.Cases().Case(ctx, id)
	path := "/api/v1/cases/" + id + "/change"
	higher := first.Amount + skalig.Kronor(300)
	good := fmt.Sprintf(`{"version":%d,"caseworker":"hl-1","outcome":"approved","amount":%s,"note":"Glasögon glömdes i beräkningen.",
		"manual_reason":"Rättelse.","note_to_signer":"Kvittot finns i akten.","lines":[{"kind":"norm","item":"Enligt beslutet","amount":%s,"basis":"Beslut %s"},
		{"kind":"cost","item":"Glasögon","amount":300,"basis":"Kvitto"}]}`, cs.Version, higher.String(), first.Amount.String(), first.ID)
	want := func(r *httptest.ResponseRecorder, status int, what string) {
		t.Helper()
		if r.Code != status {
			t.Fatalf("%s: %d %s, want %d", what, r.Code, r.Body, status)
		}
	}
	want(call(t, h, "POST", path, "", "", good), 401, "without a key")
	want(call(t, h, "POST", path, tokHogby, "", good), 403, "without the decide action")
	want(call(t, h, "POST", "/api/v1/cases/nosuchcase/change", tokSystem, "", good), 404, "no case")
	want(call(t, h, "POST", path, tokSystem, "", strings.Replace(good, `"caseworker":"hl-1"`, `"caseworker":"nobody"`, 1)), 403, "an unknown caseworker")
	want(call(t, h, "POST", path, tokSystem, "", strings.Replace(good, fmt.Sprintf(`"version":%d`, cs.Version), `"version":1`, 1)), 409, "a stale version")
	for _, tc := range []struct{ body, field string }{
		{strings.Replace(good, fmt.Sprintf(`"version":%d,`, cs.Version), ``, 1), "version"},
		{strings.Replace(good, `"note":"Glasögon glömdes i beräkningen."`, `"note":""`, 1), "note"},
		{strings.Replace(good, `"outcome":"approved"`, `"outcome":"rejected","ground":"nope"`, 1), "ground"},
	} {
		if r := call(t, h, "POST", path, tokSystem, "", tc.body); r.Code != 400 || !strings.Contains(r.Body.String(), `"field":"`+tc.field+`"`) {
			t.Errorf("want 400 on %s: %d %s", tc.field, r.Code, r.Body)
		}
	}
	rq := httptest.NewRequest("POST", path, strings.NewReader("note=x"))
	rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rq.Header.Set("Authorization", "Bearer "+tokSystem)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, rq)
	want(rec, 415, "a form")

	r := call(t, h, "POST", path, tokSystem, "", good)
	var pp struct{ ID, Status, Supersedes, ProposedBy string }
	if r.Code != 202 || json.Unmarshal(r.Body.Bytes(), &pp) != nil || pp.Status != "pending" || pp.Supersedes != first.ID {
		t.Fatalf("proposal: %d %s", r.Code, r.Body)
	}
	want(call(t, h, "POST", path, tokSystem, "", good), 409, "a second proposal")
	sign, ret := path+"/sign", path+"/return"
	for _, p := range []string{sign, ret} {
		want(call(t, h, "POST", p, "", "", `{"caseworker":"hl-2"}`), 401, p+" without a key")
		want(call(t, h, "POST", p, tokHogby, "", `{"caseworker":"hl-2"}`), 403, p+" without the decide action")
		want(call(t, h, "POST", p, tokSystem, "", `{"caseworker":"hl-1","note":"x"}`), 403, p+" by the proposer")
		want(call(t, h, "POST", "/api/v1/cases/nosuchcase/change/sign", tokSystem, "", `{"caseworker":"hl-2","note":"x"}`), 404, p+" no case")
		rq := httptest.NewRequest("POST", p, strings.NewReader("caseworker=hl-2"))
		rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rq.Header.Set("Authorization", "Bearer "+tokSystem)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, rq)
		want(rec, 415, p+" a form")
	}
	want(call(t, h, "POST", "/api/v1/cases/nosuchcase/change/return", tokSystem, "", `{"caseworker":"hl-2","note":"x"}`), 404, "return on no case")
	want(call(t, h, "POST", ret, tokSystem, "", `{"caseworker":"hl-2"}`), 400, "return without a note")
	want(call(t, h, "POST", ret, tokSystem, "", `{"caseworker":"hl-2","note":"Bifoga kvittot."}`), 200, "return")
	want(call(t, h, "POST", ret, tokSystem, "", `{"caseworker":"hl-2","note":"Igen."}`), 404, "return with nothing pending")
	want(call(t, h, "POST", sign, tokSystem, "", `{"caseworker":"hl-2"}`), 404, "sign with nothing pending")
	cs, _ = wf.Cases().Case(ctx, id)
	good = fmt.Sprintf(`{"version":%d`, cs.Version) + good[strings.Index(good, `,"caseworker"`):]
	want(call(t, h, "POST", path, tokSystem, "", good), 202, "proposed again")
	// The case moves on before the signature: 409 for the signer.
	rv := call(t, h, "POST", "/api/v1/cases/"+id+"/review", tokHogby, "", `{"text":"Titta på beslutet."}`)
	var rq1 struct{ ID string }
	if rv.Code != 201 || json.Unmarshal(rv.Body.Bytes(), &rq1) != nil {
		t.Fatalf("review: %d %s", rv.Code, rv.Body)
	}
	want(call(t, h, "POST", sign, tokSystem, "", `{"caseworker":"hl-2"}`), 409, "sign a proposal of an older version")
	want(call(t, h, "POST", ret, tokSystem, "", `{"caseworker":"hl-2","note":"Ärendet har ändrats."}`), 200, "return the stale one")
	want(call(t, h, "POST", "/api/v1/review-requests/"+rq1.ID+"/keep", tokSystem, "", `{"caseworker":"hl-1","note":"Beslutet står fast."}`), 200, "keep")
	cs, _ = wf.Cases().Case(ctx, id)
	good = fmt.Sprintf(`{"version":%d`, cs.Version) + good[strings.Index(good, `,"caseworker"`):]
	want(call(t, h, "POST", path, tokSystem, "", good), 202, "proposed a third time")
	r = call(t, h, "POST", sign, tokSystem, "", `{"caseworker":"hl-2"}`)
	var ch struct {
		Decision struct {
			ID     string
			Amount skalig.Money
		}
		Supersedes string
		Payment    *struct{ Amount skalig.Money }
	}
	if r.Code != 201 || json.Unmarshal(r.Body.Bytes(), &ch) != nil || ch.Decision.Amount != higher || ch.Supersedes != first.ID ||
		ch.Payment == nil || ch.Payment.Amount != skalig.Kronor(300) {
		t.Fatalf("signed: %d %s", r.Code, r.Body)
	}
	// A payment on its way: 409 for a change on own initiative.
	cs, _ = wf.Cases().Case(ctx, id)
	good = fmt.Sprintf(`{"version":%d`, cs.Version) + good[strings.Index(good, `,"caseworker"`):]
	want(call(t, h, "POST", path, tokSystem, "", good), 409, "a change while the difference is on its way")

	// A review request of another paid case: the change is a proposal too.
	id2, first2 := paidCaseAPI(t, h, wf, db, "own-2")
	rr := call(t, h, "POST", "/api/v1/cases/"+id2+"/review", tokHogby, "", `{"text":"Glasögonen saknas."}`)
	var q struct{ ID string }
	if rr.Code != 201 || json.Unmarshal(rr.Body.Bytes(), &q) != nil {
		t.Fatalf("review: %d %s", rr.Code, rr.Body)
	}
	onReq := fmt.Sprintf(`{"caseworker":"hl-1","outcome":"approved","amount":%s,"note":"Glasögon.","manual_reason":"Rättelse.",
		"lines":[{"kind":"norm","item":"Enligt beslutet","amount":%s,"basis":"Beslut"},{"kind":"cost","item":"Glasögon","amount":300,"basis":"Kvitto"}]}`,
		(first2.Amount + skalig.Kronor(300)).String(), first2.Amount.String())
	want(call(t, h, "POST", "/api/v1/review-requests/"+q.ID+"/change", tokSystem, "", onReq), 202, "a change on a review request under four eyes")
	want(call(t, h, "POST", "/api/v1/cases/"+id2+"/change/sign", tokSystem, "", `{"caseworker":"hl-2"}`), 201, "signed on the review request")

	// A change that does not depart from the calculation (approval of
	// the calculated aid, nothing adjusted) needs no second person: 201.
	id3, first3 := paidCaseAPI(t, h, wf, db, "own-3")
	cs3, _ := wf.Cases().Case(ctx, id3)
	r = call(t, h, "POST", "/api/v1/cases/"+id3+"/change", tokSystem, "", fmt.Sprintf(
		`{"version":%d,"caseworker":"hl-1","outcome":"approved","amount":%s,"note":"Beslutet fattas om på beräkningen med rätt motivering."}`,
		cs3.Version, first3.Amount.String()))
	if r.Code != 201 || !strings.Contains(r.Body.String(), `"supersedes":"`+first3.ID+`"`) {
		t.Fatalf("change without four eyes: %d %s", r.Code, r.Body)
	}
}
