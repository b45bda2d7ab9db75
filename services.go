package skalig

import (
	"context"
	"encoding/json"
	"time"
)

// The services the adapters use (the web pages, the JSON API, the command
// line). internal/store implements them on SQLite and PostgreSQL, and
// internal/store/storetest holds the contract suite every implementation
// passes. Changes of a case go through internal/workflow, whose policy
// (who may decide what, four eyes) holds for every interface: these
// services only read cases, and keep the e-service's drafts and the
// caseworker desk's own data. The municipal configuration's service is
// municipal.Configuration: its values (guidelines, routing) are types of
// internal packages, which this package may not import.
//
// Every method returns *Error with the codes it names; any other error is
// EINTERNAL. A list that matches nothing is empty, not an error.

// CaseService reads the case file: a case, its application, facts,
// records, decision, documents, messages and requests.
type CaseService interface {
	// Case returns the case with id.
	//
	// Errors: ENOTFOUND.
	Case(ctx context.Context, id string) (*Case, error)

	// Cases returns the cases that match f, oldest first, at most f.Limit.
	//
	// Errors: EINVALID (an unknown state or a bad limit).
	Cases(ctx context.Context, f CaseFilter) ([]*Case, error)

	// CaseApplication returns the application of the case, with its
	// declared facts in the order submitted.
	//
	// Errors: ENOTFOUND.
	CaseApplication(ctx context.Context, caseID string) (*Application, error)

	// CasesOfPerson returns the cases in which pn is a member of the
	// household, newest first; CasesOfPersonIn those of one municipality.
	CasesOfPerson(ctx context.Context, pn PersonalNumber) ([]*Case, error)
	CasesOfPersonIn(ctx context.Context, municipality string, pn PersonalNumber) ([]*Case, error)

	// CasesByName returns the cases of municipality in which every word
	// of name begins a word of the name of the applicant or the
	// co-applicant (Member.Name; one person has them all),
	// case-insensitively (NameKey), newest first, at most limit (1-1000).
	// The words of a name are those NameWords makes: each word, and each
	// part of a word with a hyphen ("lind" finds Öberg-Lind), as written,
	// without diacritics (NameFold: "goran" finds Göran) and with ö, ä, å,
	// ü, ø, æ spelled oe, ae, aa, ue, oe, ae ("goeran" finds Göran, "aasa"
	// Åsa). A word with diacritics only matches them ("göran" finds
	// Göran, not Goran). A word inside a word is not found ("berg" does
	// not find Öberg): the search is an index's range, not a scan.
	//
	// Errors: EINVALID (no word in name, or a bad limit).
	CasesByName(ctx context.Context, municipality, name string, limit int) ([]*Case, error)

	// IsCasePerson reports whether pn is a member of the case's household.
	IsCasePerson(ctx context.Context, caseID string, pn PersonalNumber) (bool, error)

	// Facts returns every fact of the case, declared and added, in the
	// order stored.
	Facts(ctx context.Context, caseID string) ([]Fact, error)

	// Records returns the case's records of kind ("" for all), oldest
	// first; LatestRecord decodes the newest of kind into v.
	//
	// Errors (LatestRecord): ENOTFOUND (none of kind).
	Records(ctx context.Context, caseID, kind string) ([]Record, error)
	LatestRecord(ctx context.Context, caseID, kind string, v any) error

	// CaseDecision returns the decision of the case; Decision the
	// decision with id.
	//
	// Errors: ENOTFOUND.
	CaseDecision(ctx context.Context, caseID string) (*Decision, error)
	Decision(ctx context.Context, id string) (*Decision, error)

	// CasePayment returns the newest payment of the case: the live one,
	// or the last rejected one.
	//
	// Errors: ENOTFOUND.
	CasePayment(ctx context.Context, caseID string) (*Payment, error)

	// Receipt returns the sealed receipt with hash.
	//
	// Errors: ENOTFOUND.
	Receipt(ctx context.Context, hash string) (*Receipt, error)

	// Evidence returns a register's raw answer kept under ref, with its
	// media type.
	//
	// Errors: ENOTFOUND.
	Evidence(ctx context.Context, ref string) (body []byte, mediaType string, err error)

	// Documents returns the case's uploaded documents without their
	// content; DocumentBody one document with its content (the caller
	// checks that the reader may see the case).
	//
	// Errors (DocumentBody): ENOTFOUND.
	Documents(ctx context.Context, caseID string) ([]Document, error)
	DocumentBody(ctx context.Context, id string) (Document, []byte, error)

	// DocumentRequests returns the case's requests for documents,
	// Messages its messages, oldest first.
	DocumentRequests(ctx context.Context, caseID string) ([]DocumentRequest, error)
	Messages(ctx context.Context, caseID string) ([]Message, error)

	// SampleResult returns the result of the case's sample control.
	//
	// Errors: ENOTFOUND.
	SampleResult(ctx context.Context, caseID string) (*SampleResult, error)

	// ReviewRequest returns the request for omprövning or appeal with id;
	// ReviewRequests the open ones of a municipality, oldest first;
	// CaseReviewRequests every one of a case.
	//
	// Errors (ReviewRequest): ENOTFOUND.
	ReviewRequest(ctx context.Context, id string) (*ReviewRequest, error)
	ReviewRequests(ctx context.Context, municipality string) ([]ReviewRequest, error)
	CaseReviewRequests(ctx context.Context, caseID string) ([]ReviewRequest, error)

	// GrantedMonths returns, for the persons pns, the months before
	// before in which a case of theirs was decided with aid, oldest first.
	GrantedMonths(ctx context.Context, pns []PersonalNumber, before Month) ([]Granted, error)

	// AuditEvents returns the audit trail of the case, oldest first.
	AuditEvents(ctx context.Context, caseID string) ([]AuditEvent, error)

	// LogRead records in the audit trail that actor read the case (what:
	// "case", "receipt", "document", …) through via ("web", "api").
	LogRead(ctx context.Context, actor, caseID, via, what string) error
}

// DraftService keeps the e-service's application drafts until they are
// submitted (then a case, through the workflow), with the signatures of
// both applicants.
type DraftService interface {
	// CreateDraft stores a new open draft; it sets ID, Version and the
	// times.
	//
	// Errors: EINVALID (no applicant, kind or month; data not JSON).
	CreateDraft(ctx context.Context, d *Draft) error

	// Draft returns the draft with id.
	//
	// Errors: ENOTFOUND.
	Draft(ctx context.Context, id string) (*Draft, error)

	// DraftsOfPerson returns the drafts in which pn is the applicant or
	// the co-applicant, newest first.
	DraftsOfPerson(ctx context.Context, pn PersonalNumber) ([]*Draft, error)

	// SaveDraft stores the form's values data (and the co-applicant) of
	// the open draft at version.
	//
	// Errors: ENOTFOUND; ECONFLICT (stale version, or not open).
	SaveDraft(ctx context.Context, id string, version int, data json.RawMessage, partner PersonalNumber) (*Draft, error)

	// SignApplicant signs the content with hash as the applicant;
	// SignPartner as the co-applicant pn. name is the signer's name as
	// their login gave it ("" for none), kept with the signature
	// (Signature.Name) until the draft is submitted.
	//
	// Errors: ENOTFOUND; ECONFLICT; EFORBIDDEN (SignPartner: pn is not the
	// co-applicant).
	SignApplicant(ctx context.Context, id string, version int, hash, name string) (*Draft, error)
	SignPartner(ctx context.Context, id string, version int, pn PersonalNumber, hash, name string) (*Draft, error)

	// Reopen takes a signed draft back to open (by: who asked).
	//
	// Errors: ENOTFOUND; ECONFLICT.
	Reopen(ctx context.Context, id string, version int, by MemberRole) (*Draft, error)

	// MarkSubmitted records that the draft became case caseID.
	//
	// Errors: ENOTFOUND; ECONFLICT (not signed by everyone, or another
	// case).
	MarkSubmitted(ctx context.Context, id, caseID string) (*Draft, error)

	// DeleteDraft deletes an open draft.
	//
	// Errors: ENOTFOUND; ECONFLICT (not open).
	DeleteDraft(ctx context.Context, id string) error

	// DeleteStaleDrafts deletes the drafts not touched since before and
	// returns how many.
	DeleteStaleDrafts(ctx context.Context, before time.Time) (int64, error)
}

// CaseworkService keeps the caseworker desk's data: the staff seen, who
// works on which case, the work queues and the proposals that wait for a
// second signature. Decisions themselves go through the workflow.
type CaseworkService interface {
	// SeeStaff records m as seen now; Staff returns the staff seen who
	// work for municipality ("" for all), by name.
	SeeStaff(ctx context.Context, m StaffMember) error
	Staff(ctx context.Context, municipality string) ([]StaffMember, error)

	// Assign gives the case to assignee (a staff subject), or takes it
	// from whoever has it when assignee is "", audited as actor.
	//
	// Errors: ENOTFOUND (no such case).
	Assign(ctx context.Context, caseID, assignee, actor string) error

	// Assignment returns who works on the case.
	//
	// Errors: ENOTFOUND (nobody).
	Assignment(ctx context.Context, caseID string) (*Assignment, error)

	// OpenCases returns the municipality's cases not yet decided, as the
	// work queues list them.
	OpenCases(ctx context.Context, municipality string) ([]QueueItem, error)

	// PendingApproval returns the case's proposal that waits for a
	// second signature.
	//
	// Errors: ENOTFOUND (none).
	PendingApproval(ctx context.Context, caseID string) (*Approval, error)
}
