package skalig

import (
	"time"
)

// StaffMember is a member of staff as the login provider last described
// them.
type StaffMember struct {
	Subject        string
	Name           string
	Roles          []string
	Municipalities []string
	SeenAt         time.Time
}

// Assignment says who works on a case.
type Assignment struct {
	CaseID     string
	Assignee   string // the staff member's subject
	AssignedBy string // actor: "staff:<subject>"
	At         time.Time
}

// QueueItem is an open case as the work queues list it. Its Case has the
// fields the queues need: ID, Municipality, Month, Kind, State,
// RoutingReasons, Version and CreatedAt.
type QueueItem struct {
	Case      *Case
	Applicant PersonalNumber
	// ApplicantName is the applicant's name (Member.Name), or "" when
	// unknown.
	ApplicantName string
	Assignee      string // subject, or ""
	// PendingApproval is true when a decision waits for a second signature.
	PendingApproval bool
	// Due is the earliest due date of an unanswered document request; zero
	// when there is none.
	Due Date
}

// Approval statuses.
const (
	ApprovalPending  = "pending"
	ApprovalSigned   = "signed"
	ApprovalReturned = "returned"
)

// Approval is a decision prepared by one person that a second must sign
// (the four-eyes rule of the municipality's casework settings).
type Approval struct {
	ID          string
	CaseID      string
	CaseVersion int // the case version the decision was prepared on
	Outcome     Outcome
	Amount      Money
	Reasons     []string
	// NoteToSigner is what the preparer tells the second person; it is not
	// part of the decision.
	NoteToSigner string
	ProposedBy   string // subject
	ProposedAt   time.Time
	Status       string
	DecidedBy    string // subject of the second person
	DecidedAt    time.Time
	Note         string // why it was returned
}
