package caseworker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"skalig/internal/auth/devidp"
	"skalig/internal/store/recordsdb"
)

// TestRegisterutdragForPost: a caseworker produces a person's registerutdrag
// for a request by post, as a PDF or JSON download of the person's cases
// in the caseworker's municipalities; bad input is answered on the form in
// Swedish, naming the field, and logs nothing; a financial assistant may,
// a manager may not; a caseworker of another municipality gets none of the
// cases.
func TestRegisterutdragForPost(t *testing.T) {
	e := newCWEnv(t, 4)
	ctx := context.Background()
	var caseID, pn string
	if err := e.DB.SQL().QueryRowContext(ctx, `SELECT c.id, p.personal_number FROM cases c JOIN case_persons p ON p.case_id = c.id
		WHERE p.role = 'applicant' ORDER BY c.id LIMIT 1`).Scan(&caseID, &pn); err != nil {
		t.Fatal(err)
	}
	sara := devidp.SaraHandlaggarsson
	events := func() int {
		if _, err := e.DB.SealAudit(ctx); err != nil { // PostgreSQL: chain the pending events
			t.Fatal(err)
		}
		var n int
		if err := e.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, recordsdb.ActionRegisterutdrag).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	res := e.Get(t, sara, "/handlaggning/registerutdrag")
	wantStatus(t, res, http.StatusOK, "the form")
	mustContain(t, res.Body, "Registerutdrag för en begäran per post", `name="personal_number"`, `value="pdf"`, `value="json"`)

	for _, form := range []url.Values{
		{"format": {"pdf"}},
		{"personal_number": {"19800412-1234"}, "format": {"pdf"}},
		{"personal_number": {pn}, "format": {"docx"}},
	} {
		res := e.Post(t, sara, "/handlaggning/registerutdrag", form)
		wantStatus(t, res, http.StatusUnprocessableEntity, "bad input "+form.Encode())
		if !strings.Contains(res.Body, "Personnummer") && form.Get("format") != "docx" {
			t.Errorf("%v: the error does not name the field", form)
		}
	}
	if n := events(); n != 0 {
		t.Fatalf("refused requests logged %d extracts", n)
	}

	res = e.Post(t, sara, "/handlaggning/registerutdrag", url.Values{"personal_number": {pn}, "format": {"pdf"}})
	wantStatus(t, res, http.StatusOK, "the PDF")
	if res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Body, "%PDF-") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("PDF: %s %.20q", res.Header.Get("Content-Type"), res.Body)
	}
	res = e.Post(t, devidp.UllaEkonomsson, "/handlaggning/registerutdrag", url.Values{"personal_number": {pn}, "format": {"json"}})
	wantStatus(t, res, http.StatusOK, "the JSON")
	var x struct {
		Channel string `json:"channel"`
		Cases   []struct {
			ID    string `json:"id"`
			Reads []struct{ Actor, What string }
		} `json:"cases"`
	}
	if err := json.Unmarshal([]byte(res.Body), &x); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range x.Cases {
		found = found || c.ID == caseID
	}
	if x.Channel != "post" || !found {
		t.Errorf("JSON: %+v", x)
	}
	if n := events(); n != 2 {
		t.Errorf("%d extracts logged, want 2", n)
	}
	if e.Reads(t, caseID, "staff:"+sara) == 0 {
		t.Error("the caseworker's extract is not in the case's read log")
	}
	// A manager may not; another municipality's caseworker gets nothing of 0821.
	wantStatus(t, e.Post(t, devidp.ViktorChefsson, "/handlaggning/registerutdrag", url.Values{"personal_number": {pn}, "format": {"json"}}),
		http.StatusForbidden, "a manager")
	res = e.Post(t, devidp.YusufKalmarsson, "/handlaggning/registerutdrag", url.Values{"personal_number": {pn}, "format": {"json"}})
	wantStatus(t, res, http.StatusOK, "0880's caseworker")
	if strings.Contains(res.Body, caseID) {
		t.Error("0880's extract holds a 0821 case")
	}
}
