package skalig

import (
	"encoding/json"
	"time"
)

// DraftState is where an application draft of the e-service is.
type DraftState string

// Draft states.
const (
	// DraftOpen: the applicant is filling it in.
	DraftOpen DraftState = "draft"
	// DraftAwaitingSignature: the applicant has signed it and the
	// co-applicant (partner) must sign the same content before it is
	// submitted. Nobody can change it; the applicant may take it back.
	DraftAwaitingSignature DraftState = "awaiting_signature"
	// DraftSubmitted: submitted; CaseID is the case.
	DraftSubmitted DraftState = "submitted"
)

// Draft is an application being filled in on the e-service: the form's
// values (Data, JSON of field name to values) for one household and month.
// It becomes a Application when submitted; the draft then keeps the
// case's id, so that the receipt page can show it.
type Draft struct {
	ID           string
	Municipality string
	Applicant    PersonalNumber
	// Partner is the co-applicant who must sign too, or "".
	Partner PersonalNumber
	Kind    ApplicationKind
	Month   Month
	State   DraftState
	Data    json.RawMessage
	// ContentHash is the Application.ContentHash the applicant
	// signed; "" while open.
	ContentHash string
	CaseID      string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt time.Time
	Signatures  []Signature
}

// Signature is one person's signature of a draft's content.
type Signature struct {
	PersonalNumber PersonalNumber
	Role           MemberRole
	ContentHash    string
	At             time.Time
	// Name is the signer's name as their e-legitimation gave it ("" when
	// the login gave none); it becomes Member.Name on submission.
	Name string
}

// SignerName returns the name of the person pn who signed the draft, or ""
// when they have not signed or their login gave no name.
func (d *Draft) SignerName(pn PersonalNumber) string {
	for _, s := range d.Signatures {
		if s.PersonalNumber.Canonical() == pn.Canonical() {
			return s.Name
		}
	}
	return ""
}

// Signed reports whether pn has signed the draft's current content.
func (d *Draft) Signed(pn PersonalNumber) bool {
	for _, s := range d.Signatures {
		if s.PersonalNumber.Canonical() == pn.Canonical() && s.ContentHash == d.ContentHash && d.ContentHash != "" {
			return true
		}
	}
	return false
}
