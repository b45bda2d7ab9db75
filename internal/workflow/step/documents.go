package step

import (
	"slices"
	"time"

	"skalig"
	"skalig/internal/routing"
	"skalig/internal/store"
	"skalig/internal/workflow/casecheck"
)

// JobDocumentsDue looks at a case the day after the last day of a document
// request. A case still waiting for the applicant with a request unanswered
// past its last day goes back to a caseworker (reason documents_overdue), who
// decides on what is there or asks again: a case never waits for an answer
// that does not come.
const JobDocumentsDue = "documents_due"

// DocumentsDueAt is when the documents_due job of a request with last day
// due runs: the start of the next day, Swedish time.
func DocumentsDueAt(due skalig.Date) time.Time { return casecheck.DayAfter(due) }

// RobotRequester is the RequestedBy of a document request the robot makes
// when routing stops a case on a condition the applicant shows with a
// document (routing.AsksForDocument): a doctor's certificate, the consent
// to a sublet.
const RobotRequester = "worker:route"

// RobotRequestDays is how long the applicant has to answer such a request.
const RobotRequestDays = 14

// DocumentRequestTexts are the texts of the robot's document requests by
// the reason code that asks for them, in Swedish as stored on the request
// and shown to the caseworker; the applicant reads them in their language
// from the catalogue (key "request.auto.<code>", internal/web/locales).
var DocumentRequestTexts = map[string]string{
	skalig.ReasonMedicalCertificateMissing: "Läkarintyg som visar att du inte kan arbeta på grund av sjukdom och under vilken period (från och med, till och med). Intyget ska gälla hela den månad du söker för.",
	skalig.ReasonSubletConsentMissing:      "Hyresvärdens skriftliga samtycke till att du hyr bostaden i andra hand, eller hyresnämndens beslut om tillstånd, och ditt hyresavtal.",
}

// askForDocuments adds to o a document request for each stop of out that
// the applicant answers with a document and that the robot has not asked
// for on the case before (requested: the texts of its earlier requests),
// each with a notification to Mina sidor, and the due-date job. It reports
// whether it asked: the case then waits for the applicant, and an upload or
// the due date brings it to a person. A stop asked for before (answered or
// not) is not asked again: the case goes to a person, who reads the
// document and records what it shows. needs is true when it would ask but
// requested was not read (nil): nothing is added.
func (o *Outcome) askForDocuments(out routing.Outcome, requested []string, now time.Time) (asked, needs bool) {
	var codes []string
	for _, r := range out.Reasons {
		if routing.AsksForDocument(r.Code) {
			codes = append(codes, r.Code)
		}
	}
	if len(codes) == 0 {
		return false, false
	}
	if requested == nil {
		return false, true
	}
	due := skalig.DateOf(now.AddDate(0, 0, RobotRequestDays))
	for _, code := range codes {
		text := DocumentRequestTexts[code]
		if slices.Contains(requested, text) {
			continue
		}
		r := &store.DocumentRequest{CaseID: o.Case.ID, Text: text, Due: due, RequestedBy: RobotRequester}
		n := store.Notice{Kind: store.NoticeDocumentRequest, Reason: code,
			Text: "Vi behöver fler handlingar från dig senast " + due.String() + ": " + text}
		o.Requests = append(o.Requests, r)
		o.Notices = append(o.Notices, n)
		o.add(store.StepPart{Actor: RobotRequester, Request: r})
		o.add(store.StepPart{Actor: RobotRequester, Notice: &n})
	}
	if len(o.Requests) == 0 {
		return false, false
	}
	o.Jobs = append(o.Jobs, JobDocumentsDue)
	o.add(store.StepPart{Actor: RobotRequester, Job: JobDocumentsDue, At: DocumentsDueAt(due)})
	return true, false
}

// RobotRequests are the texts of the document requests the robot made on
// the case before.
func RobotRequests(reqs []store.DocumentRequest) []string {
	out := []string{}
	for _, r := range reqs {
		if r.RequestedBy == RobotRequester {
			out = append(out, r.Text)
		}
	}
	return out
}
