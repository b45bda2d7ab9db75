package skalig

import (
	"encoding/json"
	"time"
)

// Record is something the workflow worked out for a case (a calculation, a
// routing outcome, a notification), kept as JSON.
type Record struct {
	ID     int64
	CaseID string
	Kind   string
	Body   json.RawMessage
	At     time.Time
}

// Record kinds.
const (
	RecordCalculation  = "calculation"
	RecordRouting      = "routing"
	RecordNotification = "notification"
	RecordError        = "error"
)

// Granted is a month in which the household of a person was granted aid.
type Granted struct {
	CaseID string
	Month  Month
	Amount Money
}

// DocumentRequest asks the applicant for documents by a date (komplettering).
type DocumentRequest struct {
	ID, CaseID  string
	Text        string
	Due         Date
	RequestedBy string // "caseworker:<id>"
	At          time.Time
	AnsweredAt  time.Time // zero while unanswered
}

// Document is a file the applicant uploaded, kept with the case.
type Document struct {
	ID, CaseID string
	RequestID  string // the request it answers, or ""
	Name       string // the file name as given (shown, never trusted)
	MediaType  string // detected from the content
	Size       int64
	SHA256     string
	UploadedBy string
	At         time.Time
}

// Message is a message between the applicant and the caseworker.
type Message struct {
	ID, CaseID string
	From       string // "applicant", "caseworker:<id>", "system"
	Body       string
	At         time.Time
}

// SampleResult is the result of a sample control.
type SampleResult struct {
	CaseID             string
	Caseworker         string
	Confirmed          bool
	Declared, Verified Money
	Note               string
	At                 time.Time
}

// Kinds of a ReviewRequest.
const (
	ReviewKindReview = "review" // omprövning (FL 38-39 §§)
	ReviewKindAppeal = "appeal" // överklagande (FL 44-45 §§)
)

// Resolutions of a ReviewRequest.
const (
	ResolutionKept         = "kept"          // the decision stands
	ResolutionForwarded    = "forwarded"     // the appeal went to förvaltningsrätten
	ResolutionRejectedLate = "rejected_late" // the appeal came in too late (FL 45 §)
	ResolutionChanged      = "changed"       // the decider changed the decision (FL 38-39 §§)
)

// ReviewRequest is an applicant's request that a decided case be reviewed
// (omprövning) or an appeal of its decision (överklagande). It waits in the
// caseworker queue of its municipality until the decider resolves it.
type ReviewRequest struct {
	ID, CaseID   string
	Municipality string
	Kind         string // ReviewKindReview or ReviewKindAppeal
	DecisionID   string // the decision asked about
	Text         string
	RequestedBy  string // "applicant" or "api:<client>"
	At           time.Time
	// NotifiedAt is when the decision was notified: the appeal period
	// runs from it. Zero for a review request.
	NotifiedAt time.Time
	// Late: an appeal that came in after the appeal period.
	Late       bool
	Resolution string // "" while open
	ResolvedBy string
	ResolvedAt time.Time
	Note       string
}

// Open reports whether the request waits for the decider.
func (r *ReviewRequest) Open() bool { return r.Resolution == "" }
