package whatif

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/decisioninput"
	"skalig/internal/store/whatifdb"
)

// TestParseReceiptPrefix checks that reading the prefix of the canonical
// encoding gives what the full parse gives, also when a fact's text holds
// the keys searched for, and that other input falls back to the full
// parse or fails.
func TestParseReceiptPrefix(t *testing.T) {
	at := time.Date(2026, 11, 2, 8, 0, 0, 123456000, time.UTC)
	r := &skalig.Receipt{
		CaseID: "01JQ7ZC4W8N3C2K9R5T6Y7V8XA", Month: skalig.MonthOf(2026, 11), CalculatedOn: skalig.Date{Y: 2026, M: 11, D: 3},
		Members: []skalig.Member{{ID: "p1", PersonalNumber: "197611099917", Role: skalig.RoleApplicant}},
		Facts: []skalig.Fact{
			{Kind: "cost.housing", Period: skalig.MonthOf(2026, 11), Value: skalig.AmountValue(skalig.Kronor(4200) + 50), Source: skalig.SourceApplicant, At: at},
			{Kind: "income.salary_net", PersonID: "p1", Period: skalig.MonthOf(2026, 10), Value: skalig.AmountValue(skalig.Kronor(2100)),
				Source: skalig.RegisterSource("skv"), At: at, Evidence: "sha256:00ff", RecordedBy: "hl1"},
			{Kind: "other_need.1.text", Period: skalig.MonthOf(2026, 11), Value: skalig.TextValue(`x,"param_set":"y","result":{"aid":99}`), Source: skalig.SourceApplicant, At: at},
		},
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/x", GuidelineVersion: "g",
		Result:  json.RawMessage(`{"norm": 5220, "aid": 6680.5, "parameters": {"set": "riksnorm-2026"}}`),
		Trace:   json.RawMessage(`[{"item": "housing", "amount": 4200.5, "text": "\"aid\": 1"}]`),
		Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(6680) + 50, DecidedBy: skalig.Automated("punkt 3.2"),
	}
	// The head and tail read by hand (plain strings, either decider) and,
	// with an escape in a string, by encoding/json.
	for _, change := range []func(r *skalig.Receipt){
		func(*skalig.Receipt) {},
		func(r *skalig.Receipt) { r.DecidedBy = skalig.Decider{Caseworker: "hl-17"} },
		func(r *skalig.Receipt) { r.GuidelineVersion = "högsta \"godtagbara\" 2023" },
		func(r *skalig.Receipt) { r.DecidedBy = skalig.Automated("punkt \\ 3.2") },
	} {
		c := *r
		change(&c)
		checkPrefixReceipt(t, &c)
	}
}

func checkPrefixReceipt(t *testing.T, r *skalig.Receipt) {
	t.Helper()
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	body, err := r.SealedJSON()
	if err != nil {
		t.Fatal(err)
	}
	got, ok := parseReceiptPrefix(body)
	if !ok {
		t.Fatalf("prefix parse failed on %s", body)
	}
	want := &decidedReceipt{Month: r.Month, CalculatedOn: r.CalculatedOn, Members: r.Members, Facts: r.Facts, Aid: skalig.Kronor(6680) + 50}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prefix parse\n got %+v\nwant %+v", got, want)
	}
	// Not the canonical form (spaces, another key order): the full parse.
	var generic map[string]any
	json.Unmarshal(body, &generic)
	other, _ := json.MarshalIndent(generic, "", " ")
	if _, ok := parseReceiptPrefix(other); ok {
		t.Errorf("prefix parse accepted a non-canonical encoding")
	}
	full, err := parseReceipt(other)
	if err != nil || !reflect.DeepEqual(full, want) {
		t.Errorf("fallback: %v\n got %+v\nwant %+v", err, full, want)
	}
	if _, err := parseReceipt([]byte(`{"format":1,"case_id":"x"}`)); err == nil {
		t.Errorf("an incomplete receipt was read")
	}
}

// TestReceiptFromInputs checks that the receipt read from the compact
// inputs and the body's tail is the one skalig.ParseReceipt reads, also
// when texts hold the keys searched for and the result has a "trace" of
// its own; and that a body that does not hash to its hash is not read so.
func TestReceiptFromInputs(t *testing.T) {
	at := time.Date(2026, 11, 2, 8, 0, 0, 123456000, time.UTC)
	r := &skalig.Receipt{
		CaseID: "01JQ7ZC4W8N3C2K9R5T6Y7V8XA", Month: skalig.MonthOf(2026, 11), CalculatedOn: skalig.Date{Y: 2026, M: 11, D: 3},
		Members: []skalig.Member{{ID: "p1", PersonalNumber: "197611099917", Role: skalig.RoleApplicant}},
		Facts: []skalig.Fact{
			{Kind: "cost.housing", Period: skalig.MonthOf(2026, 11), Value: skalig.AmountValue(skalig.Kronor(4200) + 50), Source: skalig.SourceApplicant, At: at},
			{Kind: "other_need.1.text", Period: skalig.MonthOf(2026, 11), Value: skalig.TextValue(`x,"result":{"aid":99},"trace":[],"outcome":"y"`), Source: skalig.SourceApplicant, At: at},
		},
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/x", GuidelineVersion: "g",
		Result:  json.RawMessage(`{"aid": 6680.5, "parameters": {"set": "riksnorm-2026"}, "trace": null}`),
		Trace:   json.RawMessage(`[{"item": "housing", "amount": 4200.5, "text": "\",\"outcome\":\"x\""}]`),
		Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(6680) + 50, DecidedBy: skalig.Automated("punkt 3.2"),
	}
	// The head and tail read by hand (plain strings, either decider) and,
	// with an escape in a string, by encoding/json.
	for _, change := range []func(r *skalig.Receipt){
		func(*skalig.Receipt) {},
		func(r *skalig.Receipt) { r.DecidedBy = skalig.Decider{Caseworker: "hl-17"} },
		func(r *skalig.Receipt) { r.GuidelineVersion = "högsta \"godtagbara\" 2023" },
		func(r *skalig.Receipt) { r.DecidedBy = skalig.Automated("punkt \\ 3.2") },
	} {
		c := *r
		change(&c)
		checkFastReceipt(t, &c, c.GuidelineVersion == "g", !strings.Contains(c.DecidedBy.String(), `\`))
	}
}

func checkFastReceipt(t *testing.T, r *skalig.Receipt, headByHand, tailByHand bool) {
	t.Helper()
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	body, err := r.SealedJSON()
	if err != nil {
		t.Fatal(err)
	}
	want, err := skalig.ParseReceipt(body)
	if err != nil {
		t.Fatal(err)
	}
	want.Hash = r.Hash
	in, err := decisioninput.FromReceipt(want, r.Facts)
	if err != nil {
		t.Fatal(err)
	}
	d := &whatifdb.DecidedReceipt{CaseID: r.CaseID, ReceiptHash: r.Hash, Body: body, Inputs: decisioninput.Encode(nil, in)}
	got := receiptFromInputs(d, &scratch{})
	if got == nil {
		t.Fatalf("not read from the inputs: %s", body)
	}
	rest := body[bytes.Index(body, keyParamSet)+1:]
	var ps, st, ev, gv, outcome, amount string
	var by skalig.Decider
	head := readHead(rest[:bytes.Index(rest, keyResult)], &ps, &st, &ev, &gv)
	tail := readTail(rest[bytes.LastIndex(rest, keyOutcome)+1:], &outcome, &amount, &by)
	if head != headByHand || tail != tailByHand {
		t.Errorf("read by hand: head %v, tail %v, want %v, %v: %s", head, tail, headByHand, tailByHand, rest[bytes.LastIndex(rest, keyOutcome):])
	}
	if head && (ps != r.ParamSet || st != r.ParamStatus || ev != r.EngineVersion || gv != r.GuidelineVersion) {
		t.Errorf("head read by hand %q %q %q %q", ps, st, ev, gv)
	}
	if tail && (outcome != string(r.Outcome) || amount != r.Amount.String() || by != r.DecidedBy) {
		t.Errorf("tail read by hand %q %q %+v", outcome, amount, by)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("from the inputs\n got %+v\nwant %+v", got, want)
	}
	d.ReceiptHash = "00" + r.Hash[2:]
	if receiptFromInputs(d, &scratch{}) != nil {
		t.Errorf("read a body that does not hash to its hash")
	}
}
