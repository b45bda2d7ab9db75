package skalig

import (
	"encoding/json"
	"fmt"
	"time"
)

// Outcome is what a decision grants: bifall, delvis bifall or avslag.
type Outcome string

// Outcomes.
const (
	OutcomeApproved       Outcome = "approved"        // bifall: the aid applied for
	OutcomePartlyApproved Outcome = "partly_approved" // delvis bifall: less than applied for
	OutcomeRejected       Outcome = "rejected"        // avslag: no aid
)

// Valid reports whether o is one of the outcomes.
func (o Outcome) Valid() bool {
	return o == OutcomeApproved || o == OutcomePartlyApproved || o == OutcomeRejected
}

// Swedish names the outcome as a decision letter does: "bifall".
func (o Outcome) Swedish() string {
	switch o {
	case OutcomeApproved:
		return "bifall"
	case OutcomePartlyApproved:
		return "delvis bifall"
	case OutcomeRejected:
		return "avslag"
	}
	return string(o)
}

// OutcomeFor is the outcome of a decision granting amount on a calculation
// that gave aid, where reduced says whether the calculation granted less
// than was applied for, item by item (a cost above the municipality's
// guideline, a need granted lower or not at all: workflow's
// Calculation.Reduced). It is the one rule (issue #13) for the proposal
// routing shows, the robot's decision, a person's approval of the proposal
// and a person's own decision, so that approving a proposal always gives
// the outcome it showed:
//
//   - nothing granted is avslag;
//   - less than the calculated aid, or the aid of a calculation that
//     capped or refused an item, is delvis bifall;
//   - everything applied for, at the calculated aid, is bifall.
func OutcomeFor(amount, aid Money, reduced bool) Outcome {
	switch {
	case amount <= 0:
		return OutcomeRejected
	case amount < aid || reduced:
		return OutcomePartlyApproved
	}
	return OutcomeApproved
}

// Decider is who made a decision: a named caseworker, or the automated
// decision function under a named delegation (kommunallagen 6 kap. 37 §).
// Exactly one of the two fields is set.
type Decider struct {
	// Caseworker is the id of the caseworker who decided.
	Caseworker string
	// Delegation names the board's delegation under which the automated
	// function decided, as the delegation order cites it
	// ("AMN 2026-01-15 § 4, punkt 3.2").
	Delegation string
}

// Automated returns the Decider for the automated decision function under
// delegation.
func Automated(delegation string) Decider { return Decider{Delegation: delegation} }

// Caseworker returns the Decider for the caseworker with id.
func Caseworker(id string) Decider { return Decider{Caseworker: id} }

// IsAutomated reports whether the automated decision function decided; the
// applicant is told so.
func (d Decider) IsAutomated() bool { return d.Caseworker == "" && d.Delegation != "" }

// String returns "caseworker:ID" or "automated:DELEGATION", the form used
// in audit events.
func (d Decider) String() string {
	if d.IsAutomated() {
		return "automated:" + d.Delegation
	}
	return "caseworker:" + d.Caseworker
}

func (d Decider) valid() bool { return (d.Caseworker == "") != (d.Delegation == "") }

type deciderJSON struct {
	Caseworker string `json:"caseworker,omitempty"`
	Delegation string `json:"delegation,omitempty"`
}

// MarshalJSON writes {"caseworker":"…"} or {"delegation":"…"}.
func (d Decider) MarshalJSON() ([]byte, error) {
	return json.Marshal(deciderJSON(d))
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (d *Decider) UnmarshalJSON(data []byte) error {
	var w deciderJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*d = Decider(w)
	return nil
}

// Decision is the decision in a case for its month: the outcome, the amount
// granted for the month, the statement of reasons and who decided. Its
// receipt, by ReceiptHash, holds everything needed to reproduce it. A case
// has at most one decision; the store refuses a second.
//
// Which decisions the automated function may make is routing's business
// (the municipality's delegation); by default it only approves in full, and
// a person rejects or reduces.
type Decision struct {
	ID      string
	CaseID  string
	Outcome Outcome
	Month   Month
	// Amount is the aid granted for Month: positive when approved or partly
	// approved, zero when rejected.
	Amount Money
	// Reasons is the statement of reasons (motivering, förvaltningslagen
	// 32 §), one plain Swedish sentence each; required unless the decision
	// approves in full.
	Reasons     []string
	DecidedBy   Decider
	DecidedAt   time.Time
	ReceiptHash string // Receipt.Hash of the receipt for this decision
}

// Validate checks d and returns *Error EINVALID with per-field messages.
func (d *Decision) Validate() error {
	var fe []FieldError
	add := func(field, msg string) { fe = append(fe, FieldError{Field: field, Message: msg}) }
	if d.CaseID == "" {
		add("case_id", "Ärende saknas.")
	}
	if !d.Outcome.Valid() {
		add("outcome", "Ange bifall, delvis bifall eller avslag.")
	}
	if !validMonth(d.Month) {
		add("month", "Ange månaden som ÅÅÅÅ-MM.")
	}
	switch {
	case d.Amount < 0 || d.Amount > MaxMoney:
		add("amount", "Beloppet är inte giltigt.")
	case d.Outcome == OutcomeRejected && d.Amount != 0:
		add("amount", "Ett avslag beviljar inget belopp.")
	case (d.Outcome == OutcomeApproved || d.Outcome == OutcomePartlyApproved) && d.Amount == 0:
		add("amount", "Ett bifall beviljar ett belopp.")
	}
	if (d.Outcome == OutcomePartlyApproved || d.Outcome == OutcomeRejected) && len(d.Reasons) == 0 {
		add("reasons", "Ett beslut som inte bifaller helt ska motiveras.")
	}
	for i, r := range d.Reasons {
		if r == "" {
			add(fmt.Sprintf("reasons[%d]", i), "Skälet är tomt.")
		} else if ContainsControl(r) {
			add(fmt.Sprintf("reasons[%d]", i), ControlCharMessage)
		}
	}
	if !d.DecidedBy.valid() {
		add("decided_by", "Ange antingen handläggaren eller delegationen för det automatiserade beslutet.")
	}
	if d.DecidedAt.IsZero() {
		add("decided_at", "Beslutsdatum saknas.")
	}
	if !isHexHash(d.ReceiptHash) {
		add("receipt_hash", "Beslutet saknar underlag (kvitto).")
	}
	return invalid("Beslutet är inte fullständigt.", fe)
}

// isHexHash reports whether s is a SHA-256 in lower-case hex.
func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && (s[i] < 'a' || s[i] > 'f') {
			return false
		}
	}
	return true
}
