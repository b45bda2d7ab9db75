package skalig

import (
	"encoding/json"
	"time"
)

// AuditEvent is one entry of the audit trail.
type AuditEvent struct {
	Seq    int64           // assigned by Append: 1, 2, 3, …
	At     time.Time       // when the change happened (stored to the microsecond)
	Actor  string          // who or what: "system", "worker:fetch", "caseworker:hl-17", "applicant"
	Action string          // what, as a stable code: "application.submitted", "case.transition"
	CaseID string          // the case concerned, or ""
	Data   json.RawMessage // the payload; nil when removed (RemovePayloads)
	Digest string          // hex SHA-256 of the canonical Data, assigned by Append
	Hash   string          // hex SHA-256 of the chain, assigned by Append
}
