package skalig

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var testHash = strings.Repeat("ab", 32)

func validDecision() Decision {
	return Decision{
		ID: "d1", CaseID: "c1", Outcome: OutcomeApproved, Month: MonthOf(2026, 4),
		Amount: Kronor(6680), DecidedBy: Automated("AMN 2026-01-15 § 4, punkt 3.2"),
		DecidedAt: t0, ReceiptHash: testHash,
	}
}

func TestDecider(t *testing.T) {
	a := Automated("AMN 2026-01-15 § 4")
	c := Caseworker("hl-17")
	if !a.IsAutomated() || c.IsAutomated() {
		t.Errorf("IsAutomated: automated %v, caseworker %v", a.IsAutomated(), c.IsAutomated())
	}
	if a.String() != "automated:AMN 2026-01-15 § 4" || c.String() != "caseworker:hl-17" {
		t.Errorf("String: %q, %q", a, c)
	}
	for _, d := range []Decider{a, c} {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var got Decider
		if err := json.Unmarshal(b, &got); err != nil || got != d {
			t.Errorf("round trip of %s: %+v, %v", b, got, err)
		}
	}
	if b, _ := json.Marshal(c); string(b) != `{"caseworker":"hl-17"}` {
		t.Errorf("Marshal(caseworker)=%s", b)
	}
}

func TestDecisionValidate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, edit := range []func(*Decision){
			func(d *Decision) {},
			func(d *Decision) {
				d.Outcome, d.Amount, d.Reasons = OutcomePartlyApproved, Kronor(5000), []string{"Boendekostnaden godtas upp till riktlinjen."}
				d.DecidedBy = Caseworker("hl-17")
			},
			func(d *Decision) {
				d.Outcome, d.Amount, d.Reasons = OutcomeRejected, 0, []string{"Hushållets inkomster täcker behovet."}
				d.DecidedBy = Caseworker("hl-17")
			},
		} {
			d := validDecision()
			edit(&d)
			if err := d.Validate(); err != nil {
				t.Errorf("Validate(%+v): %v", d, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct {
			edit  func(*Decision)
			field string
		}{
			{func(d *Decision) { d.CaseID = "" }, "case_id"},
			{func(d *Decision) { d.Outcome = "granted" }, "outcome"},
			{func(d *Decision) { d.Month = 0 }, "month"},
			{func(d *Decision) { d.Amount = -1 }, "amount"},
			{func(d *Decision) { d.Amount = 0 }, "amount"},
			{func(d *Decision) { d.Outcome, d.Reasons = OutcomeRejected, []string{"x"} }, "amount"},
			{func(d *Decision) { d.Outcome = OutcomePartlyApproved }, "reasons"},
			{func(d *Decision) { d.Reasons = []string{""} }, "reasons[0]"},
			{func(d *Decision) { d.DecidedBy = Decider{} }, "decided_by"},
			{func(d *Decision) { d.DecidedBy = Decider{Caseworker: "hl-17", Delegation: "x"} }, "decided_by"},
			{func(d *Decision) { d.DecidedAt = time.Time{} }, "decided_at"},
			{func(d *Decision) { d.ReceiptHash = "" }, "receipt_hash"},
			{func(d *Decision) { d.ReceiptHash = strings.ToUpper(testHash) }, "receipt_hash"},
			{func(d *Decision) { d.ReceiptHash = strings.Repeat("g", 64) }, "receipt_hash"},
		} {
			d := validDecision()
			tt.edit(&d)
			err := d.Validate()
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
				t.Errorf("Validate(%+v)=%v, want EINVALID on %s only", d, err, tt.field)
			}
		}
	})
}

func TestOutcomeSwedish(t *testing.T) {
	for o, want := range map[Outcome]string{OutcomeApproved: "bifall", OutcomePartlyApproved: "delvis bifall", OutcomeRejected: "avslag"} {
		if o.Swedish() != want || !o.Valid() {
			t.Errorf("%s: Swedish()=%q Valid()=%v", o, o.Swedish(), o.Valid())
		}
	}
}

func TestOutcomeFor(t *testing.T) {
	aid := Kronor(7530)
	for _, tc := range []struct {
		name    string
		amount  Money
		reduced bool
		want    Outcome
	}{
		{"EverythingApplied", aid, false, OutcomeApproved},
		{"CappedItemAtTheAid", aid, true, OutcomePartlyApproved},
		{"LessThanTheAid", aid - Kronor(1230), false, OutcomePartlyApproved},
		{"LessThanACappedAid", aid - Kronor(1230), true, OutcomePartlyApproved},
		{"Nothing", 0, false, OutcomeRejected},
		{"NothingCapped", 0, true, OutcomeRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OutcomeFor(tc.amount, aid, tc.reduced); got != tc.want {
				t.Errorf("OutcomeFor(%v, %v, %v) = %s, want %s", tc.amount, aid, tc.reduced, got, tc.want)
			}
		})
	}
}
