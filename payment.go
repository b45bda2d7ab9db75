package skalig

import "time"

// PaymentStatus is where a payment is on its way to the bank and back.
type PaymentStatus string

// Payment statuses: held → ordered → in_run → executed | rejected.
const (
	// PaymentHeld waits for a second person (HoldReason says why).
	PaymentHeld PaymentStatus = "held"
	// PaymentOrdered is due for the next payment run.
	PaymentOrdered PaymentStatus = "ordered"
	// PaymentInRun is in a payment file sent to the bank (RunID).
	PaymentInRun PaymentStatus = "in_run"
	// PaymentExecuted: the bank reports the money paid out.
	PaymentExecuted PaymentStatus = "executed"
	// PaymentRejected: the bank refused it (BankCode, BankText).
	PaymentRejected PaymentStatus = "rejected"
)

// Payment is an order to pay a decision's amount. A decision has at most one
// payment that is not rejected.
type Payment struct {
	ID, DecisionID, CaseID string
	Amount                 Money
	Account                string
	PayOn                  Date
	CreatedAt              time.Time

	Status PaymentStatus
	// HoldReason is the code of why a held payment waits for a second
	// person (internal/payments: account_changed, amount_above_limit).
	HoldReason string
	ReleasedBy string
	ReleasedAt time.Time
	RunID      string
	// BankCode and BankText are the bank's reason for a rejection: an
	// ISO 20022 status reason code (AC04) and its text.
	BankCode, BankText string
	// SettledAt is when the bank's answer was imported.
	SettledAt time.Time
	// ChangeID names the decision change whose difference this payment
	// pays out (a decision changed on omprövning or appeal); "" for the
	// payment of the decision itself. DecisionID is then the case's
	// original decision.
	ChangeID string
}

// Swedish names the status for a reader: "skickad till banken".
func (s PaymentStatus) Swedish() string { return swedishStatus(s) }

func swedishStatus(s PaymentStatus) string {
	switch s {
	case PaymentHeld:
		return "väntar på attest"
	case PaymentOrdered:
		return "beställd"
	case PaymentInRun:
		return "skickad till banken"
	case PaymentExecuted:
		return "utbetald"
	case PaymentRejected:
		return "avvisad"
	}
	return string(s)
}
