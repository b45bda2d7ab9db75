package whatifdb_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/store"
	"skalig/internal/store/storetest"
	"skalig/internal/store/whatifdb"
)

// decide records an automated decision of c with a sealed receipt made
// of the case's facts.
func decide(t *testing.T, db *store.DB, s *store.CaseStore, c *skalig.Case, app *skalig.Application, amount int64) *skalig.Decision {
	t.Helper()
	ctx := context.Background()
	facts, err := s.Facts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := &skalig.Receipt{
		CaseID: c.ID, Month: c.Month, CalculatedOn: skalig.Date{Y: 2026, M: 4, D: 2}, Members: app.Members, Facts: facts,
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/test",
		Result: json.RawMessage(fmt.Sprintf(`{"aid": %d}`, amount)), Trace: json.RawMessage(`[]`),
		Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(amount), DecidedBy: skalig.Automated("punkt 3.2"),
	}
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	d := &skalig.Decision{CaseID: c.ID, Outcome: r.Outcome, Month: c.Month, Amount: r.Amount, DecidedBy: r.DecidedBy}
	if _, err := s.Update(ctx, c.ID, func(m *store.Moves) error { return m.RecordDecision(ctx, d, r) }); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDecidedReceiptsAndWhatIfRuns(t *testing.T) {
	db, s := open(t)
	w := whatifdb.New(db)
	ctx := context.Background()
	var ids []string
	byCase := map[string]*skalig.Decision{}
	for i := range 5 {
		app := storetest.App(fmt.Sprintf("w%d", i))
		if i >= 3 { // two of May
			app.Month = skalig.MonthOf(2026, 5)
			for j := range app.Facts {
				app.Facts[j].Period = app.Month
			}
		}
		c := mustSubmit(t, s, app)
		d := decide(t, db, s, c, app, int64(1000*(i+1)))
		ids = append(ids, d.ID)
		byCase[c.ID] = d
	}
	// Pages of two, in decision id order, with the receipt as stored.
	var got []whatifdb.DecidedReceipt
	after := ""
	for {
		page, err := w.DecidedReceipts(ctx, whatifdb.Selection{}, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d", len(page))
		}
		if err := w.LoadCaseFacts(ctx, whatifdb.Selection{}, page); err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		after = page[len(page)-1].DecisionID
	}
	if len(got) != 5 {
		t.Fatalf("%d decisions read, want 5", len(got))
	}
	for i, r := range got {
		if r.DecisionID != ids[i] {
			t.Errorf("decision %d is %s, want %s", i, r.DecisionID, ids[i])
		}
		d := byCase[r.CaseID]
		if r.Amount != d.Amount || r.Outcome != d.Outcome || r.DecidedBy != d.DecidedBy || r.ReceiptHash != d.ReceiptHash ||
			r.Municipality != "0821" || r.Kind != skalig.MonthlyApplication || r.Month != d.Month {
			t.Errorf("decision %d: %+v, want %+v", i, r, d)
		}
		// Read pages ago: the bytes are still this receipt's (the store
		// keeps the driver's own copy of each row's body).
		body, err := s.ReceiptBody(ctx, r.ReceiptHash)
		if err != nil || string(body) != string(r.Body) {
			t.Errorf("receipt body differs: %v", err)
		}
		if sum := sha256.Sum256(r.Body); hex.EncodeToString(sum[:]) != r.ReceiptHash {
			t.Errorf("decision %d: the body read does not hash to its receipt", i)
		}
		if len(r.Inputs) == 0 {
			t.Errorf("decision %d: no compact inputs", i)
		}
		facts, err := s.Facts(ctx, r.CaseID)
		if err != nil || !reflect.DeepEqual(facts, r.Facts) {
			t.Errorf("facts of %s:\n got %+v\nwant %+v", r.CaseID, r.Facts, facts)
		}
	}
	// Selections.
	for _, tc := range []struct {
		sel  whatifdb.Selection
		want int
	}{
		{whatifdb.Selection{From: skalig.MonthOf(2026, 5)}, 2},
		{whatifdb.Selection{To: skalig.MonthOf(2026, 4)}, 3},
		{whatifdb.Selection{From: skalig.MonthOf(2026, 4), To: skalig.MonthOf(2026, 4), Municipality: "0821"}, 3},
		{whatifdb.Selection{Municipality: "0180"}, 0},
		{whatifdb.Selection{Decision: ids[3]}, 1},
		{whatifdb.Selection{Decision: "nope"}, 0},
	} {
		page, err := w.DecidedReceipts(ctx, tc.sel, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != tc.want {
			t.Errorf("%+v: %d decisions, want %d", tc.sel, len(page), tc.want)
		}
		if err := w.LoadCaseFacts(ctx, tc.sel, page); err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			if len(r.Facts) == 0 {
				t.Errorf("%+v: no facts for %s", tc.sel, r.CaseID)
			}
		}
	}

	// A run is kept with its audit event, and read back.
	run := &whatifdb.Run{Actor: "cli:whatif", Municipality: "0821", CandidateKind: "routing", CandidateName: "r.json",
		CandidateDigest: "abc", EngineVersion: "rules/test", Selection: json.RawMessage(`{"from":"2026-04"}`),
		Totals: json.RawMessage(`{"totals":{"cases":5}}`), Cases: 5, Changed: 1, Changes: json.RawMessage(`[{"case_id":"x"}]`),
		Candidate: []byte(`{"version": "r"}`)}
	if err := w.SaveRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	// An engine run keeps no candidate file; the list is the latest first,
	// per municipality.
	engine := &whatifdb.Run{Actor: "staff:s1", Municipality: "0821", CandidateKind: "engine", CandidateName: "rules/test",
		CandidateDigest: "def", EngineVersion: "rules/test", Selection: json.RawMessage(`{}`), Totals: json.RawMessage(`{}`),
		Changes: json.RawMessage(`[]`), StartedAt: run.StartedAt.Add(time.Second)}
	if err := w.SaveRun(ctx, engine); err != nil {
		t.Fatal(err)
	}
	if e, err := w.RunByID(ctx, engine.ID); err != nil || e.Candidate != nil {
		t.Errorf("engine run's candidate %q, %v", e.Candidate, err)
	}
	list, err := w.Runs(ctx, "0821", 10)
	if err != nil || len(list) != 2 || list[0].ID != engine.ID || list[1].ID != run.ID || list[1].CandidateName != "r.json" || list[1].Changed != 1 {
		t.Errorf("runs of 0821: %+v, %v", list, err)
	}
	if list, err := w.Runs(ctx, "0180", 10); err != nil || len(list) != 0 {
		t.Errorf("runs of 0180: %+v, %v", list, err)
	}
	if list, err := w.Runs(ctx, "", 1); err != nil || len(list) != 1 {
		t.Errorf("runs of all, at most 1: %+v, %v", list, err)
	}
	back, err := w.RunByID(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, run) {
		t.Errorf("read back\n got %+v\nwant %+v", back, run)
	}
	if _, err := w.RunByID(ctx, "nope"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("unknown run: %v", err)
	}
	var n int
	var data string
	if err := db.SQL().QueryRow(`SELECT COUNT(*), MAX(data) FROM audit_trail WHERE action = $1 AND actor = 'cli:whatif'`, whatifdb.ActionWhatIfRun).Scan(&n, &data); err != nil || n != 1 {
		t.Fatalf("audit events: %d, %v", n, err)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(data), &ev); err != nil || ev["run_id"] != run.ID || ev["candidate_kind"] != "routing" {
		t.Errorf("audit data %s", data)
	}
	mustVerify(t, db)
}

// open returns a fresh database and its CaseStore.
func open(tb testing.TB) (*store.DB, *store.CaseStore) {
	tb.Helper()
	db := dbtest.Open(tb)
	return db, store.NewCaseStore(db)
}

func mustSubmit(tb testing.TB, s *store.CaseStore, app *skalig.Application) *skalig.Case {
	tb.Helper()
	c, _, err := s.SubmitApplication(context.Background(), app)
	if err != nil {
		tb.Fatalf("SubmitApplication: %v", err)
	}
	return c
}

// mustVerify fails tb unless the audit chain of db verifies.
func mustVerify(tb testing.TB, db *store.DB) {
	tb.Helper()
	if n, err := audittest.Verify(context.Background(), db.SQL()); err != nil || n != 0 {
		tb.Fatalf("audit.Verify=%d, %v", n, err)
	}
}
