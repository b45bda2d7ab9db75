package decisioninput_test

import (
	"reflect"
	"testing"
	"time"

	"skalig"
	"skalig/internal/decisioninput"
)

func TestEncodeDecode(t *testing.T) {
	at := time.Date(2026, 11, 3, 9, 15, 0, 123000, time.UTC)
	caseFacts := []skalig.Fact{
		{Kind: "income.salary_net", PersonID: "p1", Period: skalig.MonthOf(2026, 11), Value: skalig.AmountValue(1234567),
			Source: skalig.SourceApplicant, At: at},
		{Kind: "income.salary_net", PersonID: "p1", Period: skalig.MonthOf(2026, 11), Value: skalig.AmountValue(1200000),
			Source: "register:skv", At: at.Add(time.Hour), Evidence: "ssbtek:response/8f3a"},
		{Kind: "message", Period: skalig.MonthOf(2026, 11), Value: skalig.TextValue("Hej – åäö"), Source: skalig.SourceApplicant, At: at},
		{Kind: "cost.housing", Period: skalig.MonthOf(2026, 11), Value: skalig.AmountValue(-5), Source: skalig.SourceCaseworker,
			RecordedBy: "hl1"},
	}
	in := &decisioninput.Inputs{
		Month: skalig.MonthOf(2026, 11), CalculatedOn: skalig.Date{Y: 2026, M: 11, D: 4}, Aid: 987654,
		Members: []skalig.Member{{ID: "p1", PersonalNumber: "19850101-1234", Role: skalig.RoleApplicant},
			{ID: "p2", PersonalNumber: "20150101-1234", Role: skalig.RoleChild}},
		CaseFacts: caseFacts,
		// The receipt's facts: two of the case's and one of its own.
		Facts: []skalig.Fact{caseFacts[1], caseFacts[3], {Kind: "system.aid_months", PersonID: "p1",
			Period: skalig.MonthOf(2026, 11), Value: skalig.TextValue(""), Source: skalig.SourceSystem, At: at}},
	}
	b := decisioninput.Encode(nil, in)
	var got decisioninput.Inputs
	if err := decisioninput.Decode(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, in) {
		t.Errorf("Decode(Encode(in)) = %+v, want %+v", got, *in)
	}
	// The receipt's part alone: the same but for the case's facts.
	var rec decisioninput.Inputs
	if err := decisioninput.DecodeReceipt(b, &rec); err != nil {
		t.Fatal(err)
	}
	want := *in
	want.CaseFacts = nil
	if !reflect.DeepEqual(&rec, &want) {
		t.Errorf("DecodeReceipt(Encode(in)) = %+v, want %+v", rec, want)
	}
	// Decoding again into the same Inputs reuses it and gives the same.
	small := decisioninput.Encode(nil, &decisioninput.Inputs{Month: 5, Members: in.Members[:1]})
	if err := decisioninput.Decode(small, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Facts) != 0 || len(got.CaseFacts) != 0 || len(got.Members) != 1 || got.Month != 5 {
		t.Errorf("second Decode = %+v", got)
	}
}

// TestDecodeBroken: every truncation and a changed format byte are
// errors, and no changed byte panics.
func TestDecodeBroken(t *testing.T) {
	in := &decisioninput.Inputs{Month: skalig.MonthOf(2026, 11), Aid: 100,
		Members: []skalig.Member{{ID: "p1", PersonalNumber: "19850101-1234", Role: skalig.RoleApplicant}},
		CaseFacts: []skalig.Fact{{Kind: "cost.housing", Period: skalig.MonthOf(2026, 11), Value: skalig.AmountValue(500000),
			Source: skalig.SourceApplicant}}}
	in.Facts = in.CaseFacts
	b := decisioninput.Encode(nil, in)
	var out decisioninput.Inputs
	for n := 0; n < len(b); n++ {
		if err := decisioninput.Decode(b[:n], &out); err == nil {
			t.Errorf("Decode of %d of %d bytes: no error", n, len(b))
		}
		if err := decisioninput.DecodeReceipt(b[:n], &out); err == nil {
			t.Errorf("DecodeReceipt of %d of %d bytes: no error", n, len(b))
		}
	}
	c := append([]byte{}, b...)
	c[0] = 2
	if err := decisioninput.Decode(c, &out); err != decisioninput.ErrFormat {
		t.Errorf("format 2: %v, want ErrFormat", err)
	}
	for i := 1; i < len(b); i++ {
		c := append([]byte{}, b...)
		c[i] ^= 0xff
		decisioninput.Decode(c, &out) // must not panic
		decisioninput.DecodeReceipt(c, &out)
	}
}
