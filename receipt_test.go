package skalig

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testReceipt returns a complete receipt, not sealed. Result and Trace are
// shaped like the engine's JSON but are test data only.
func testReceipt(tb testing.TB) *Receipt {
	tb.Helper()
	a := testApplication(tb)
	facts := append([]Fact(nil), a.Facts...)
	for i := range facts {
		facts[i].At = time.Date(2026, 3, 28, 18, 4, 5, 987654321, time.UTC)
	}
	facts = append(facts, Fact{
		Kind: "income.salary_net", PersonID: "p2", Period: MonthOf(2026, 3), Value: AmountValue(Kronor(4200) + 75),
		Source: RegisterSource("skv"), At: time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC), Evidence: "ssbtek:response/42",
	})
	return &Receipt{
		CaseID: "01JQ7ZC4W8N3C2K9R5T6Y7V8XA", Month: a.Month, CalculatedOn: Date{Y: 2026, M: 4, D: 1},
		Members: a.Members, Facts: facts,
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/2026.11.1", GuidelineVersion: "0821-2026-01",
		Result: json.RawMessage(`{"aid": 6680, "need": 14555.75, "status": "ok"}`),
		Trace: json.RawMessage(`[
			{"item": "personal_cost", "person": "p1", "amount": 3610, "law": "SoL 4 kap. 3 §"},
			{"item": "housing", "amount": 7400, "text": "Hyra enligt hyresavi <bifogad> & godkänd"}
		]`),
		Outcome: OutcomeApproved, Amount: Kronor(6680), DecidedBy: Automated("AMN 2026-01-15 § 4, punkt 3.2"),
	}
}

func TestReceiptSealVerify(t *testing.T) {
	r := testReceipt(t)
	if r.Verify() {
		t.Fatalf("Verify of an unsealed receipt=true")
	}
	if err := r.Seal(); err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if !isHexHash(r.Hash) || !r.Verify() {
		t.Fatalf("after Seal Hash=%q Verify=%v", r.Hash, r.Verify())
	}
	if r.ComputeHash() != r.Hash {
		t.Errorf("ComputeHash()=%s, Hash %s", r.ComputeHash(), r.Hash)
	}

	// Changing anything in the receipt is detected.
	for name, edit := range map[string]func(*Receipt){
		"case":              func(r *Receipt) { r.CaseID += "x" },
		"month":             func(r *Receipt) { r.Month++ },
		"calculated on":     func(r *Receipt) { r.CalculatedOn.D++ },
		"member role":       func(r *Receipt) { r.Members[1].Role = RoleChild },
		"member number":     func(r *Receipt) { r.Members[2].PersonalNumber = PersonalNumber(testPN(t, "20180924", 983)) },
		"member dropped":    func(r *Receipt) { r.Members = r.Members[:2] },
		"fact amount":       func(r *Receipt) { r.Facts[0].Value.Amount++ },
		"fact source":       func(r *Receipt) { r.Facts[3].Source = RegisterSource("fk") },
		"fact time":         func(r *Receipt) { r.Facts[3].At = r.Facts[3].At.Add(time.Microsecond) },
		"fact evidence":     func(r *Receipt) { r.Facts[3].Evidence = "ssbtek:response/43" },
		"fact dropped":      func(r *Receipt) { r.Facts = r.Facts[1:] },
		"fact text":         func(r *Receipt) { r.Facts[2].Value.Text = "ja" },
		"param set":         func(r *Receipt) { r.ParamSet = "riksnorm-2025" },
		"param status":      func(r *Receipt) { r.ParamStatus = "provisional" },
		"engine version":    func(r *Receipt) { r.EngineVersion = "rules/2026.11.2" },
		"guideline version": func(r *Receipt) { r.GuidelineVersion = "" },
		"result":            func(r *Receipt) { r.Result = json.RawMessage(`{"aid": 6681, "need": 14555.75, "status": "ok"}`) },
		"trace":             func(r *Receipt) { r.Trace = json.RawMessage(`[]`) },
		"outcome":           func(r *Receipt) { r.Outcome = OutcomePartlyApproved },
		"amount":            func(r *Receipt) { r.Amount-- },
		"decided by":        func(r *Receipt) { r.DecidedBy = Caseworker("hl-17") },
		"hash":              func(r *Receipt) { r.Hash = strings.Repeat("0", 64) },
		"trace not JSON":    func(r *Receipt) { r.Trace = json.RawMessage(`[{"item":`) },
	} {
		c := testReceipt(t)
		if err := c.Seal(); err != nil {
			t.Fatal(err)
		}
		c.Members = append([]Member(nil), c.Members...)
		c.Facts = append([]Fact(nil), c.Facts...)
		edit(c)
		if c.Verify() {
			t.Errorf("Verify()=true after changing %s", name)
		}
	}
}

// TestReceiptCanonical: the hash covers meaning, not the engine's spacing
// or key order; and the canonical encoding itself never changes, or every
// stored receipt would stop verifying.
func TestReceiptCanonical(t *testing.T) {
	a := testReceipt(t)
	b := testReceipt(t)
	b.Result = json.RawMessage(`{"status":"ok","need":14555.75,"aid":6680}`)
	b.Trace = json.RawMessage(`[{"law":"SoL 4 kap. 3 §","amount":3610,"person":"p1","item":"personal_cost"},{"text":"Hyra enligt hyresavi <bifogad> & godkänd","amount":7400,"item":"housing"}]`)
	for i := range b.Facts { // another zone, the same instants
		b.Facts[i].At = b.Facts[i].At.In(time.FixedZone("CEST", 7200))
	}
	if a.ComputeHash() != b.ComputeHash() {
		t.Errorf("the hash depends on key order, spacing or time zone")
	}
	// Numbers keep their literal form: nothing goes through float64.
	c := testReceipt(t)
	c.Result = json.RawMessage(`{"aid": 6680, "need": 14555.750, "status": "ok"}`)
	if c.ComputeHash() == a.ComputeHash() {
		t.Errorf("14555.75 and 14555.750 hash alike; the literal form should count")
	}
	d := testReceipt(t)
	d.Result = json.RawMessage(`{"big": 123456789012345678901234567890}`)
	cj, err := d.CanonicalJSON()
	if err != nil || !strings.Contains(string(cj), `"result":{"big":123456789012345678901234567890}`) {
		t.Errorf("CanonicalJSON=%s, %v; want the big number exact", cj, err)
	}

	got, err := a.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"format":1,"case_id":"01JQ7ZC4W8N3C2K9R5T6Y7V8XA","month":"2026-04","calculated_on":"2026-04-01",` +
		`"members":[{"id":"p1","personal_number":"` + string(a.Members[0].PersonalNumber) + `","role":"applicant"},` +
		`{"id":"p2","personal_number":"` + string(a.Members[1].PersonalNumber) + `","role":"partner"},` +
		`{"id":"c1","personal_number":"` + string(a.Members[2].PersonalNumber) + `","role":"child"}],` +
		`"facts":[{"kind":"cost.housing","period":"2026-04","amount":"7400","source":"applicant","at":"2026-03-28T18:04:05.987654Z"},` +
		`{"kind":"income.salary_net","person":"p2","period":"2026-03","amount":"4200.75","source":"applicant","at":"2026-03-28T18:04:05.987654Z"},` +
		`{"kind":"flag.eviction_notice","period":"2026-04","text":"nej","source":"applicant","at":"2026-03-28T18:04:05.987654Z"},` +
		`{"kind":"income.salary_net","person":"p2","period":"2026-03","amount":"4200.75","source":"register:skv","at":"2026-04-01T06:00:00.000000Z","evidence":"ssbtek:response/42"}],` +
		`"param_set":"riksnorm-2026","param_status":"official","engine_version":"rules/2026.11.1","guideline_version":"0821-2026-01",` +
		`"result":{"aid":6680,"need":14555.75,"status":"ok"},` +
		`"trace":[{"amount":3610,"item":"personal_cost","law":"SoL 4 kap. 3 §","person":"p1"},{"amount":7400,"item":"housing","text":"Hyra enligt hyresavi <bifogad> & godkänd"}],` +
		`"outcome":"approved","amount":"6680","decided_by":{"delegation":"AMN 2026-01-15 § 4, punkt 3.2"}}`
	if string(got) != want {
		t.Errorf("CanonicalJSON changed:\n got %s\nwant %s", got, want)
	}
	const wantHash = "5240be6f514797af04537575d4aaee8fc124d6725958da8cf267bc3b8cfffb35"
	if h := a.ComputeHash(); h != wantHash {
		t.Errorf("ComputeHash()=%s, want %s", h, wantHash)
	}
}

func TestParseReceipt(t *testing.T) {
	r := testReceipt(t)
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	b, err := r.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseReceipt(b)
	if err != nil {
		t.Fatalf("ParseReceipt: %v", err)
	}
	if got.Hash != "" {
		t.Errorf("ParseReceipt set Hash %q", got.Hash)
	}
	got.Hash = r.Hash
	if !got.Verify() {
		t.Errorf("a parsed receipt does not verify with its hash")
	}
	again, _ := got.CanonicalJSON()
	if string(again) != string(b) {
		t.Errorf("CanonicalJSON after ParseReceipt differs:\n%s\n%s", again, b)
	}
	if !reflect.DeepEqual(got.Members, r.Members) || got.Amount != r.Amount || got.CalculatedOn != r.CalculatedOn || got.DecidedBy != r.DecidedBy {
		t.Errorf("ParseReceipt lost fields: %+v", got)
	}

	for _, in := range []string{
		``,
		`{}`,
		strings.Replace(string(b), `"format":1`, `"format":2`, 1),
		strings.Replace(string(b), `"month":"2026-04"`, `"month":"april"`, 1),
		strings.Replace(string(b), `"calculated_on":"2026-04-01"`, `"calculated_on":""`, 1),
		strings.Replace(string(b), `"amount":"6680"`, `"amount":"6680.001"`, 1),
		strings.Replace(string(b), `"format":1`, `"format":1,"extra":true`, 1),
	} {
		if _, err := ParseReceipt([]byte(in)); err == nil {
			t.Errorf("ParseReceipt(%.60s…): no error", in)
		}
	}
}

func TestReceiptValidate(t *testing.T) {
	for _, tt := range []struct {
		edit  func(*Receipt)
		field string
	}{
		{func(r *Receipt) { r.CaseID = "" }, "case_id"},
		{func(r *Receipt) { r.Month = 0 }, "month"},
		{func(r *Receipt) { r.CalculatedOn = Date{} }, "calculated_on"},
		{func(r *Receipt) { r.Members = nil }, "members"},
		{func(r *Receipt) { r.Members[0].PersonalNumber = "1" }, "members[0].personal_number"},
		{func(r *Receipt) { r.Facts[0].At = time.Time{} }, "facts[0].at"},
		{func(r *Receipt) { r.ParamSet = "" }, "param_set"},
		{func(r *Receipt) { r.ParamStatus = "" }, "param_status"},
		{func(r *Receipt) { r.EngineVersion = "" }, "engine_version"},
		{func(r *Receipt) { r.Result = nil }, "result"},
		{func(r *Receipt) { r.Trace = json.RawMessage(`{`) }, "trace"},
		{func(r *Receipt) { r.Outcome = "" }, "outcome"},
		{func(r *Receipt) { r.DecidedBy = Decider{} }, "decided_by"},
	} {
		r := testReceipt(t)
		r.Members = append([]Member(nil), r.Members...)
		tt.edit(r)
		err := r.Seal()
		e, ok := err.(*Error)
		if !ok || e.Code != EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
			t.Errorf("Seal()=%v, want EINVALID on %s only", err, tt.field)
		}
		if r.Hash != "" {
			t.Errorf("Seal failed but set Hash")
		}
	}
}

// SealedJSON gives the bytes that were hashed: the receipt's canonical JSON
// at the time of sealing, also after the struct was changed, and fails for
// a receipt whose content does not match its hash.
func TestReceiptSealedJSON(t *testing.T) {
	r := testReceipt(t)
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	want, err := r.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.SealedJSON()
	if err != nil || string(got) != string(want) {
		t.Fatalf("SealedJSON()=%s, %v; want %s", got, err, want)
	}
	r.Amount++ // changed after sealing: what was sealed is what is stored
	if got, err := r.SealedJSON(); err != nil || string(got) != string(want) {
		t.Fatalf("SealedJSON() after a change=%s, %v", got, err)
	}
	// A receipt not sealed in this process (read back, or a copy of the
	// fields only) is checked against its hash.
	c := Receipt{CaseID: r.CaseID, Month: r.Month, CalculatedOn: r.CalculatedOn, Members: r.Members, Facts: r.Facts,
		ParamSet: r.ParamSet, ParamStatus: r.ParamStatus, EngineVersion: r.EngineVersion, GuidelineVersion: r.GuidelineVersion,
		Result: r.Result, Trace: r.Trace, Outcome: r.Outcome, Amount: r.Amount - 1, DecidedBy: r.DecidedBy, Hash: r.Hash}
	if got, err := c.SealedJSON(); err != nil || string(got) != string(want) {
		t.Fatalf("SealedJSON() of an equal receipt=%s, %v", got, err)
	}
	c.Amount++
	if _, err := c.SealedJSON(); err == nil {
		t.Fatal("SealedJSON() of a changed receipt did not fail")
	}
}
