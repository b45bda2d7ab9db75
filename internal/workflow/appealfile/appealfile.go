// Package appealfile is the case file Skälig sends to förvaltningsrätten
// with an appeal (FL 45 §): the appeal, the decision in force and its
// receipt, as JSON, and the digest recorded on the case. It is pure data
// and functions of it (no store, no clock): the workflow's ForwardAppeal
// reads the case and keeps the bundle; the API serves it as stored.
package appealfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"skalig"
)

// Court is the receiver of a forwarded appeal.
const Court = "förvaltningsrätten"

// Bundle is the case file sent to förvaltningsrätten with an appeal
// (FL 45 §): the appeal, the decision and its receipt, as JSON.
type Bundle struct {
	Court        string `json:"court"`
	CaseID       string `json:"case_id"`
	Municipality string `json:"municipality"`
	Month        string `json:"month"`
	Appeal       Appeal `json:"appeal"`
	// AppealedDecision is the decision appealed; Decision is the one in
	// force, a change of it when the decider changed it (FL 46 §).
	AppealedDecision string          `json:"appealed_decision_id"`
	Decision         Decision        `json:"decision"`
	Receipt          json.RawMessage `json:"receipt"`
	ForwardedBy      string          `json:"forwarded_by"`
	ForwardedAt      time.Time       `json:"forwarded_at"`
	Note             string          `json:"note,omitempty"`
}

// Decision is the decision in force in a Bundle.
type Decision struct {
	ID          string       `json:"id"`
	Outcome     string       `json:"outcome"`
	OutcomeText string       `json:"outcome_text"`
	Month       string       `json:"month"`
	Amount      skalig.Money `json:"amount"` // a JSON number of kronor, like every amount of the API
	Reasons     []string     `json:"reasons,omitempty"`
	Caseworker  string       `json:"decided_by_caseworker,omitempty"`
	Delegation  string       `json:"decided_by_delegation,omitempty"`
	DecidedAt   string       `json:"decided_at"`
	ReceiptHash string       `json:"receipt_hash"`
}

// Appeal is the appeal in a Bundle.
type Appeal struct {
	ID         string    `json:"id"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"received_at"`
	NotifiedAt time.Time `json:"decision_notified_at"`
	Late       bool      `json:"late"`
}

// Ref is the digest of an appeal's bundle, recorded on the
// case with the forwarding.
func Ref(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// DecisionOf is d as the decision of a Bundle.
func DecisionOf(d *skalig.Decision) Decision {
	return Decision{ID: d.ID, Outcome: string(d.Outcome), OutcomeText: d.Outcome.Swedish(), Month: d.Month.String(),
		Amount: d.Amount, Reasons: d.Reasons, Caseworker: d.DecidedBy.Caseworker, Delegation: d.DecidedBy.Delegation,
		DecidedAt: skalig.FormatTime(d.DecidedAt), ReceiptHash: d.ReceiptHash}
}
