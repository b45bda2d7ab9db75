package applicant

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
)

// TestRegisterutdragDownload: Mina sidor offers the person's data as PDF
// and JSON; each download holds the person's case and is logged (a read
// of the case and the extract's event); another person's download holds
// nothing of it; nobody logged in is sent to the login.
func TestRegisterutdragDownload(t *testing.T) {
	e := newAppEnv(t)
	elin := devidp.ElinExempelsson
	pn := mustPN(t, elin)
	month := skalig.MonthOf(2026, 11)
	app := &skalig.Application{Municipality: "0821", Kind: skalig.MonthlyApplication, Month: month, IdempotencyKey: "test-utdrag",
		Members: []skalig.Member{{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant}},
		Facts:   []skalig.Fact{{Kind: "cost.housing", Period: month, Value: skalig.AmountValue(skalig.Kronor(4100)), Source: skalig.SourceApplicant}}}
	c, _, err := e.wf.Submit(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	e.run()
	page := e.get(elin, MinaSidorPath)
	for _, want := range []string{`href="/mina-sidor/registerutdrag.pdf"`, `href="/mina-sidor/registerutdrag.json"`, "artikel 15"} {
		if !strings.Contains(page, want) {
			t.Errorf("Mina sidor lacks %q", want)
		}
	}
	events := func() int {
		t.Helper()
		if _, err := e.db.SealAudit(context.Background()); err != nil { // PostgreSQL: chain the pending events
			t.Fatal(err)
		}
		var n int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, recordsdb.ActionRegisterutdrag).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	reads := func() int {
		t.Helper()
		if _, err := e.db.SealAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1 AND case_id = $2 AND data LIKE '%registerutdrag%'`,
			store.ActionRead, c.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	r := e.do(elin, http.MethodGet, RegisterutdragPath+".pdf", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF-") {
		t.Fatalf("PDF: %d %.40q", r.status, r.body)
	}
	if events() != 1 || reads() != 1 {
		t.Errorf("after the PDF: %d events, %d reads", events(), reads())
	}
	r = e.do(elin, http.MethodGet, RegisterutdragPath+".json", nil)
	if r.status != http.StatusOK {
		t.Fatalf("JSON: %d", r.status)
	}
	var x struct {
		PersonalNumber string `json:"personal_number"`
		Cases          []struct {
			ID    string `json:"id"`
			Facts []struct {
				Kind, Source string
			} `json:"facts"`
			Reads []struct{ Actor, What string } `json:"reads"`
		} `json:"cases"`
	}
	if err := json.Unmarshal([]byte(r.body), &x); err != nil {
		t.Fatal(err)
	}
	if x.PersonalNumber != pn.Canonical() || len(x.Cases) != 1 || x.Cases[0].ID != c.ID || len(x.Cases[0].Facts) == 0 {
		t.Fatalf("JSON: %+v", x)
	}
	if events() != 2 || reads() != 2 {
		t.Errorf("after the JSON: %d events, %d reads", events(), reads())
	}
	// Someone else's extract has nothing of Elin's.
	r = e.do(devidp.BoProvsson, http.MethodGet, RegisterutdragPath+".json", nil)
	if r.status != http.StatusOK || strings.Contains(r.body, c.ID) || strings.Contains(r.body, pn.Canonical()) {
		t.Errorf("another person's extract: %d, holds Elin's case: %v", r.status, strings.Contains(r.body, c.ID))
	}
	if reads() != 2 {
		t.Errorf("another person's extract read Elin's case")
	}
	if r := e.do("", http.MethodGet, RegisterutdragPath+".pdf", nil); r.status == http.StatusOK {
		t.Errorf("nobody logged in: %d", r.status)
	}
}
