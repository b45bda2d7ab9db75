package skalig

import (
	"errors"
	"testing"
	"time"
)

func TestContainsControl(t *testing.T) {
	for s, want := range map[string]bool{
		"": false, "Hej där": false, "rad ett\nrad två\r\n\tindrag": false, "Åsa Öberg, 12 000 kr": false, "مرحبا": false,
		"a\x00b": true, "\x01": true, "a\x1bb": true, "\x7f": true, "a\u0085b": true, "\xff\xfe": true,
	} {
		if got := ContainsControl(s); got != want {
			t.Errorf("ContainsControl(%q)=%v, want %v", s, got, want)
		}
	}
}

// TestControlInDecisionAndFact: a reason or a fact's text with NUL is
// refused naming the field (PostgreSQL refuses NUL in text and jsonb).
func TestControlInDecisionAndFact(t *testing.T) {
	d := validDecision()
	d.Outcome, d.Amount, d.Reasons = OutcomeRejected, 0, []string{"Inkomsten räcker.", "Skäl\x00"}
	var e *Error
	if err := d.Validate(); !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "reasons[1]" || e.Fields[0].Message != ControlCharMessage {
		t.Errorf("Decision.Validate() = %v", err)
	}
	f := Fact{Kind: "signal.other_text", Period: MonthOf(2026, 4), Value: TextValue("a\x00b"), Source: SourceApplicant, At: time.Now()}
	if err := f.Validate(); !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "value" {
		t.Errorf("Fact.Validate() = %v", err)
	}
}
