package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/store"
)

// robotStep is a step that decides case c (fetching) automatically: the
// path of one auto-approved case, from the calculation to the payment
// order.
func robotStep(t *testing.T, s *store.CaseStore, c *skalig.Case, app *skalig.Application) (*store.Step, *skalig.Decision, *store.Payment) {
	t.Helper()
	facts, err := s.Facts(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := &skalig.Receipt{
		CaseID: c.ID, Month: c.Month, CalculatedOn: skalig.Date{Y: 2026, M: 4, D: 2}, Members: app.Members, Facts: facts,
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/test",
		Result: json.RawMessage(`{"aid": 4200}`), Trace: json.RawMessage(`[]`),
		Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(4200), DecidedBy: skalig.Automated("punkt 3.2"),
	}
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	d := &skalig.Decision{CaseID: c.ID, Outcome: r.Outcome, Month: c.Month, Amount: r.Amount, DecidedBy: r.DecidedBy}
	p := &store.Payment{CaseID: c.ID, Amount: d.Amount, Account: "8327-9 123456789", PayOn: skalig.Date{Y: 2026, M: 4, D: 2},
		Status: store.PaymentOrdered}
	aid := skalig.Fact{Kind: skalig.KindPersonAidMonths, PersonID: "p1", Period: c.Month, Value: skalig.TextValue("none"),
		Source: skalig.SourceSystem, At: time.Date(2026, 4, 2, 6, 0, 0, 0, time.UTC), Evidence: "skalig:decisions"}
	return &store.Step{Case: c, Parts: []store.StepPart{
		{Actor: "worker:calculate", Facts: []skalig.Fact{aid}},
		{Actor: "worker:calculate", Record: store.RecordCalculation, Body: map[string]any{"aid": 4200}},
		{Actor: "worker:route", Move: skalig.StateCalculated},
		{Actor: "worker:route", Record: store.RecordRouting, Body: map[string]any{"route": "decide"}},
		{Actor: "worker:route", Move: skalig.StateAutoDecided},
		{Actor: "worker:decide", Decision: d, Receipt: r},
		{Actor: "worker:decide", Move: skalig.StateDecided},
		{Actor: "worker:notify", Notice: &store.Notice{Kind: store.NoticeDecision, Text: "Beslut om försörjningsstöd."}},
		{Actor: "worker:notify", Move: skalig.StateNotified},
		{Actor: "worker:pay", Payment: p},
	}}, d, p
}

// TestApplyStep writes an auto-approved case's step in one transaction:
// the decision, the notification naming it, the payment order of it; the
// same step applied again writes nothing.
func TestApplyStep(t *testing.T) {
	db, s := open(t)
	ctx := context.Background()
	app := testApp(t, "step-1")
	c := mustSubmit(t, s, app)
	c = mustTransition(t, s, c, skalig.StateFetching, "")
	st, d, p := robotStep(t, s, c, app)
	got, err := s.ApplyStep(ctx, nil, st)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != skalig.StateNotified || got.Version != c.Version+4 || got.DecidedAt.IsZero() {
		t.Errorf("case State=%s Version=%d, want notified, version %d, decided", got.State, got.Version, c.Version+4)
	}
	dec, err := s.CaseDecision(ctx, c.ID)
	if err != nil || dec.ID != d.ID || dec.Amount != d.Amount {
		t.Fatalf("CaseDecision=%+v (%v), want %+v", dec, err, d)
	}
	pay, err := s.CasePayment(ctx, c.ID)
	if err != nil || pay.ID != p.ID || pay.DecisionID != d.ID || pay.Status != store.PaymentOrdered {
		t.Fatalf("CasePayment=%+v (%v), want the order of decision %s", pay, err, d.ID)
	}
	var body map[string]string
	if err := s.LatestRecord(ctx, c.ID, store.RecordNotification, &body); err != nil {
		t.Fatal(err)
	}
	if body["kind"] != store.NoticeDecision || body["decision_id"] != d.ID || body["channel"] != "mina_sidor" {
		t.Errorf("notification=%v, want of decision %s on Mina sidor", body, d.ID)
	}
	records, _ := s.Records(ctx, c.ID, "")
	events, _ := s.AuditEvents(ctx, c.ID)

	// The job runs twice: the same step, on the case as first read.
	again, _, _ := robotStep(t, s, c, app)
	if _, err := s.ApplyStep(ctx, nil, again); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("ApplyStep again: %v, want ECONFLICT", err)
	}
	records2, _ := s.Records(ctx, c.ID, "")
	events2, _ := s.AuditEvents(ctx, c.ID)
	if len(records2) != len(records) || len(events2) != len(events) {
		t.Errorf("after the second apply: %d records, %d events, want %d and %d", len(records2), len(events2), len(records), len(events))
	}
	for _, table := range []string{"decisions", "payments", "receipts"} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE case_id = $1`, c.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: %d rows (%v), want 1", table, n, err)
		}
	}
	mustVerify(t, db)
}

// TestApplyStepParamsMark refuses a step that found the parameters
// missing when a parameter version was approved since.
func TestApplyStepParamsMark(t *testing.T) {
	_, s := open(t)
	ctx := context.Background()
	c := mustSubmit(t, s, testApp(t, "step-2"))
	c = mustTransition(t, s, c, skalig.StateFetching, "")
	stale := int64(41)
	st := &store.Step{Case: c, ParamsMark: &stale, Parts: []store.StepPart{
		{Actor: "worker:route", Move: skalig.StateCalculated},
		{Actor: "worker:route", Move: skalig.StateAwaitingCaseworker, Reasons: []string{skalig.ReasonParametersMissing}},
	}}
	if _, err := s.ApplyStep(ctx, nil, st); err == nil {
		t.Fatal("ApplyStep with a stale parameter mark: no error")
	}
	now := int64(0) // no version approved in a new database
	st.ParamsMark = &now
	got, err := s.ApplyStep(ctx, nil, st)
	if err != nil || got.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("ApplyStep: %v, State=%v, want awaiting_caseworker", err, got)
	}
}

// TestRemovedJobKindsMigration upgrades a queue with jobs of the removed
// kinds (00030): a route job becomes the calculate job of its case, a
// decide or notify job is parked for an operator with the reason.
func TestRemovedJobKindsMigration(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, dbtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 28); err != nil {
		t.Fatal(err)
	}
	for _, j := range [][2]string{{"route", "c1"}, {"route", "c2"}, {"calculate", "c2"}, {"decide", "c3"}, {"notify", "c4"}, {"fetch", "c5"}} {
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO jobs (kind, case_id, max_attempts, run_at, created_at) VALUES ($1, $2, 10, 0, 0)`,
			j[0], j[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT kind, case_id, state, last_error FROM jobs ORDER BY case_id, kind`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got [][3]string
	for rows.Next() {
		var kind, caseID, state, lastError string
		if err := rows.Scan(&kind, &caseID, &state, &lastError); err != nil {
			t.Fatal(err)
		}
		if (state == "parked") != (lastError != "") {
			t.Errorf("%s %s: state %s, last_error %q", kind, caseID, state, lastError)
		}
		got = append(got, [3]string{kind, caseID, state})
	}
	want := [][3]string{{"calculate", "c1", "available"}, {"calculate", "c2", "available"}, {"decide", "c3", "parked"},
		{"notify", "c4", "parked"}, {"fetch", "c5", "available"}}
	if len(got) != len(want) {
		t.Fatalf("jobs=%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("jobs[%d]=%v, want %v", i, got[i], want[i])
		}
	}
}
