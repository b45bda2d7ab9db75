package skalig

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// This file is the one registry of the reason codes a case carries in
// Case.RoutingReasons: why the robot stopped (routing's stops and the
// calculation's review reasons), why it only proposes, why a case was drawn
// for sample control, and what casework, the applicant or the bank did
// since. Every package that sets, counts or names a reason uses these
// constants; no other package spells a code (TestReasonCodesDefinedOnce).
// The codes are stable: they are stored on cases, counted in follow-up
// statistics and listed in docs/routing.md.
//
// Each reason has two messages in the catalogs locales/reasons.LANG.json
// (sv, en, ar; embedded as ReasonCatalogs): a short label
// (LabelID, "reason.<code>") for queues and headings, and a text
// (TextID, "reason.<code>.text") that says in plain words what the reason
// means and what a person does about it. ReasonText gives the Swedish text,
// which routing stores with its outcome as the record of the route.

// ReasonKind says what a reason means for who handles the case.
type ReasonKind string

// Reason kinds.
const (
	// ReasonKindStop: routing stopped the robot; a person decides.
	ReasonKindStop ReasonKind = "stop"
	// ReasonKindReview: the calculation asks for a person's review
	// (rules.Reason); routing makes it a stop.
	ReasonKindReview ReasonKind = "review"
	// ReasonKindFailure: the case could not be calculated or processed; a
	// person takes it (a stop).
	ReasonKindFailure ReasonKind = "failure"
	// ReasonKindSample: drawn for sample control.
	ReasonKindSample ReasonKind = "sample"
	// ReasonKindProposal: no delegation covers the case; the robot
	// proposes and a person signs.
	ReasonKindProposal ReasonKind = "proposal"
	// ReasonKindCasework: work on an open case (documents asked for and
	// received, an adjustment); it does not change why the case is with a
	// person.
	ReasonKindCasework ReasonKind = "casework"
	// ReasonKindKommunicering: the case waits for, or came back from, the
	// applicant's comment (förvaltningslagen 25 §).
	ReasonKindKommunicering ReasonKind = "kommunicering"
	// ReasonKindRequest: the applicant asked for something: a review of a
	// decision, or to withdraw the application.
	ReasonKindRequest ReasonKind = "request"
	// ReasonKindAppeal: an appeal of the decision came in.
	ReasonKindAppeal ReasonKind = "appeal"
	// ReasonKindPayment: the bank rejected the payment.
	ReasonKindPayment ReasonKind = "payment"
	// ReasonKindKommuniceringException: an exception of förvaltningslagen
	// 25 § second paragraph, named by a person who makes a negative
	// decision without kommunicering. Recorded with the decision, never a
	// reason on a case.
	ReasonKindKommuniceringException ReasonKind = "kommunicering_exception"
	// ReasonKindChangeGround: a ground of förvaltningslagen 37 § second
	// paragraph under which a decision is changed to the applicant's
	// disadvantage (workflow.ChangeDecision). Recorded with the change,
	// never a reason on a case.
	ReasonKindChangeGround ReasonKind = "change_ground"
)

// Stops reports whether a person's decision on a case with a reason of
// this kind is the person's own (the robot stopped), rather than the
// signing of the robot's proposal: proposals, casework, kommunicering and
// the applicant's requests do not make it so.
func (k ReasonKind) Stops() bool {
	switch k {
	case ReasonKindProposal, ReasonKindCasework, ReasonKindKommunicering, ReasonKindRequest:
		return false
	}
	return true
}

// The reason codes, in the order the caseworker's pages list them.
const (
	// Routing's stops (internal/routing).
	ReasonSocialRisk            = "social_risk"
	ReasonInvalidInput          = "invalid_input"
	ReasonFirstApplication      = "first_application"
	ReasonProvisionalParameter  = "provisional_parameter"
	ReasonRegisterUnavailable   = "register_unavailable"
	ReasonIncomeDiffers         = "income_differs"
	ReasonOtherCostClaimed      = "other_cost_claimed"
	ReasonAssetsOrVehicle       = "assets_or_vehicle"
	ReasonResidencePermit       = "residence_permit"
	ReasonHousingAboveGuideline = "housing_above_guideline"
	ReasonAFNotRegistered       = "af_not_registered"
	ReasonActivityNotEvidenced  = "activity_not_evidenced"
	ReasonMessageToCaseworker   = "message_to_caseworker"
	ReasonAidHistoryUnknown     = "aid_history_unknown"

	// The conditions of the reforms of 2026-2027 (internal/routing
	// reform.go; each a rules.DatedRule). ReasonMedicalCertificateMissing:
	// an adult declares illness without a läkarintyg covering the month
	// (from 2026-07); ReasonSubletConsentMissing: the home is rented second
	// hand and the consent or permission is not shown (from 2027-01). For
	// both the workflow also asks the applicant for the document.
	// ReasonResidenceNotLawful: Migrationsverket or a caseworker says a
	// member does not reside lawfully in Sweden (from 2027-01);
	// ReasonResidenceUnknown: whether a member does is not known (never
	// assumed); ReasonResidenceUnregistered: a member is known to neither
	// Migrationsverket nor the population register, so nobody knows who
	// the person is in Sweden's registers (from 2027-01).
	ReasonMedicalCertificateMissing = "medical_certificate_missing"
	ReasonResidenceNotLawful        = "residence_not_lawful"
	ReasonResidenceUnknown          = "residence_unknown"
	ReasonResidenceUnregistered     = "residence_unregistered"
	ReasonSubletConsentMissing      = "sublet_consent_missing"
	// ReasonUploadUnread: routing would decide automatically, but a fact
	// it relies on is shown only by an upload that no person has opened
	// yet (Fact.Evidence "upload:<id>"; workflow Assess): a document
	// counts as evidence for the robot only once a person has read it.
	ReasonUploadUnread = "upload_unread"

	// The calculation's review reasons (internal/rules). Three of them
	// (provisional_parameter, other_cost_claimed, housing_above_guideline)
	// are routing stops above, which cover them.
	ReasonParameterMissing            = "parameter_missing"
	ReasonNoMunicipalGuidelines       = "no_municipal_guidelines"
	ReasonCostAboveGuideline          = "cost_above_guideline"
	ReasonApplicantUnder18            = "applicant_under_18"
	ReasonChildBornDuringMonth        = "child_born_during_month"
	ReasonChildEarningsHistoryMissing = "child_earnings_history_missing"
	ReasonNormAdjustmentNotEncoded    = "norm_adjustment_2027"
	ReasonNormAdjustmentTooLow        = "norm_adjustment_too_low"
	// From 2027-01 the reform's norm rules (prop. 2025/26:201) are not
	// encoded: every month goes to a person, and a household with four or
	// more children is named for the limit for larger households.
	ReasonNormReformNotEncoded     = "norm_reform_2027"
	ReasonLargeHouseholdNotEncoded = "large_household_2027"

	// ReasonRuleError: a municipal rule could not be evaluated.
	ReasonRuleError = "rule_error"

	ReasonSample            = "sample"
	ReasonNoDelegation      = "no_delegation"
	ReasonOutsideDelegation = "outside_delegation"

	// Set by the workflow when routing gave no code: a proposal, an
	// exception.
	ReasonProposal  = "proposal"
	ReasonException = "exception"

	// ReasonParametersMissing: the month's parameters (riksnorm,
	// prisbasbelopp) are not in Skälig, so the case could not be
	// calculated; it is calculated again when an administrator's table for
	// the year is approved (docs/parameters.md).
	ReasonParametersMissing = "parameters_missing"
	// ReasonCalculationFailed: the calculation failed for another reason.
	ReasonCalculationFailed = "calculation_failed"
	// ReasonJobFailed: the robot's job failed for good (parked).
	ReasonJobFailed = "job_failed"

	// Casework.
	ReasonDocumentsRequested = "documents_requested"
	ReasonDocumentsReceived  = "documents_received"
	ReasonDocumentsOverdue   = "documents_overdue"
	ReasonAdjusted           = "adjusted"

	// Kommunicering (förvaltningslagen 25 §).
	ReasonKommuniceringSent     = "kommunicering_sent"
	ReasonKommuniceringAnswered = "kommunicering_answered"
	ReasonKommuniceringExpired  = "kommunicering_expired"

	// The applicant's requests, and appeals.
	ReasonReviewRequested      = "review_requested"
	ReasonWithdrawnByApplicant = "withdrawn_by_applicant"
	ReasonAppealReceived       = "appeal_received"
	ReasonAppealLate           = "appeal_late"

	// ReasonPaymentRejected: the bank rejected the payment; the bank's own
	// code follows as ReasonBankPrefix + code.
	ReasonPaymentRejected = "payment_rejected"

	// The exceptions of förvaltningslagen 25 § second paragraph, in the
	// order of the law.
	ReasonKommuniceringUnnecessary = "kommunicering_unnecessary"
	ReasonKommuniceringEnforcement = "kommunicering_enforcement"
	ReasonKommuniceringUrgent      = "kommunicering_urgent"
	ReasonKommuniceringSecrecy     = "kommunicering_secrecy"

	// The grounds of förvaltningslagen 37 § second paragraph for changing
	// a favourable decision to the applicant's disadvantage, in the order
	// of the law.
	ReasonChangeReserved         = "change_reserved"
	ReasonChangeSafety           = "change_safety"
	ReasonChangeWrongInformation = "change_wrong_information"
)

// Prefixed codes: ReasonMunicipalPrefix + a municipal rule's name (its text
// is in the municipality's configuration), ReasonBankPrefix + the bank's
// ISO 20022 reason code (internal/payments names it).
const (
	ReasonMunicipalPrefix = "municipal:"
	ReasonBankPrefix      = "bank:"
)

// ReasonInfo is one registered reason.
type ReasonInfo struct {
	Code string
	Kind ReasonKind
}

// LabelID is the message id of the reason's short label.
func (r ReasonInfo) LabelID() string { return "reason." + r.Code }

// TextID is the message id of the reason's text.
func (r ReasonInfo) TextID() string { return "reason." + r.Code + ".text" }

// reasons is the registry, in the order the caseworker's pages list them.
var reasons = []ReasonInfo{
	{ReasonSocialRisk, ReasonKindStop},
	{ReasonInvalidInput, ReasonKindStop},
	{ReasonFirstApplication, ReasonKindStop},
	{ReasonProvisionalParameter, ReasonKindStop},
	{ReasonRegisterUnavailable, ReasonKindStop},
	{ReasonIncomeDiffers, ReasonKindStop},
	{ReasonOtherCostClaimed, ReasonKindStop},
	{ReasonAssetsOrVehicle, ReasonKindStop},
	{ReasonResidencePermit, ReasonKindStop},
	{ReasonHousingAboveGuideline, ReasonKindStop},
	{ReasonAFNotRegistered, ReasonKindStop},
	{ReasonActivityNotEvidenced, ReasonKindStop},
	{ReasonMessageToCaseworker, ReasonKindStop},
	{ReasonAidHistoryUnknown, ReasonKindStop},
	{ReasonMedicalCertificateMissing, ReasonKindStop},
	{ReasonResidenceNotLawful, ReasonKindStop},
	{ReasonResidenceUnknown, ReasonKindStop},
	{ReasonResidenceUnregistered, ReasonKindStop},
	{ReasonSubletConsentMissing, ReasonKindStop},
	{ReasonUploadUnread, ReasonKindStop},
	{ReasonParameterMissing, ReasonKindReview},
	{ReasonNoMunicipalGuidelines, ReasonKindReview},
	{ReasonCostAboveGuideline, ReasonKindReview},
	{ReasonApplicantUnder18, ReasonKindReview},
	{ReasonChildBornDuringMonth, ReasonKindReview},
	{ReasonChildEarningsHistoryMissing, ReasonKindReview},
	{ReasonNormAdjustmentNotEncoded, ReasonKindReview},
	{ReasonNormAdjustmentTooLow, ReasonKindReview},
	{ReasonNormReformNotEncoded, ReasonKindReview},
	{ReasonLargeHouseholdNotEncoded, ReasonKindReview},
	{ReasonRuleError, ReasonKindStop},
	{ReasonSample, ReasonKindSample},
	{ReasonNoDelegation, ReasonKindProposal},
	{ReasonOutsideDelegation, ReasonKindProposal},
	{ReasonProposal, ReasonKindProposal},
	{ReasonException, ReasonKindStop},
	{ReasonParametersMissing, ReasonKindFailure},
	{ReasonCalculationFailed, ReasonKindFailure},
	{ReasonJobFailed, ReasonKindFailure},
	{ReasonDocumentsRequested, ReasonKindCasework},
	{ReasonDocumentsReceived, ReasonKindCasework},
	{ReasonDocumentsOverdue, ReasonKindCasework},
	{ReasonAdjusted, ReasonKindCasework},
	{ReasonKommuniceringSent, ReasonKindKommunicering},
	{ReasonKommuniceringAnswered, ReasonKindKommunicering},
	{ReasonKommuniceringExpired, ReasonKindKommunicering},
	{ReasonReviewRequested, ReasonKindRequest},
	{ReasonWithdrawnByApplicant, ReasonKindRequest},
	{ReasonAppealReceived, ReasonKindAppeal},
	{ReasonAppealLate, ReasonKindAppeal},
	{ReasonPaymentRejected, ReasonKindPayment},
	{ReasonKommuniceringUnnecessary, ReasonKindKommuniceringException},
	{ReasonKommuniceringEnforcement, ReasonKindKommuniceringException},
	{ReasonKommuniceringUrgent, ReasonKindKommuniceringException},
	{ReasonKommuniceringSecrecy, ReasonKindKommuniceringException},
	{ReasonChangeReserved, ReasonKindChangeGround},
	{ReasonChangeSafety, ReasonKindChangeGround},
	{ReasonChangeWrongInformation, ReasonKindChangeGround},
}

// Reasons returns every registered reason, in the order the caseworker's
// pages list them.
func Reasons() []ReasonInfo { return slices.Clone(reasons) }

// LookupReason returns the registered reason of code.
func LookupReason(code string) (ReasonInfo, bool) {
	i := slices.IndexFunc(reasons, func(r ReasonInfo) bool { return r.Code == code })
	if i < 0 {
		return ReasonInfo{}, false
	}
	return reasons[i], true
}

// ReasonStops reports whether code makes a person's decision the person's
// own (ReasonKind.Stops); a code not in the registry (a municipal rule, a
// bank's code) does.
func ReasonStops(code string) bool {
	r, ok := LookupReason(code)
	return !ok || r.Kind.Stops()
}

// IsKommuniceringException reports whether code is one of the exceptions
// of förvaltningslagen 25 § second paragraph.
func IsKommuniceringException(code string) bool {
	r, ok := LookupReason(code)
	return ok && r.Kind == ReasonKindKommuniceringException
}

// IsChangeGround reports whether code is one of the grounds of
// förvaltningslagen 37 § second paragraph for changing a decision to the
// applicant's disadvantage.
func IsChangeGround(code string) bool {
	r, ok := LookupReason(code)
	return ok && r.Kind == ReasonKindChangeGround
}

// ReasonLabelID returns the message id of the short label of any code on a
// case, and the argument of the message: for a municipal rule its name,
// for a bank's code that code; ok is false for a code nobody knows.
func ReasonLabelID(code string) (id, arg string, ok bool) {
	if name, found := strings.CutPrefix(code, ReasonMunicipalPrefix); found {
		return "reason.municipal", name, true
	}
	if bank, found := strings.CutPrefix(code, ReasonBankPrefix); found {
		return "reason.bank", bank, true
	}
	if r, found := LookupReason(code); found {
		return r.LabelID(), "", true
	}
	return "", "", false
}

// ReasonLabel is the Swedish short label of any code on a case (a
// municipal rule's by its name), or the code itself when nobody knows it:
// for texts that are only in Swedish (a what-if run's CSV and command
// line).
func ReasonLabel(code string) string {
	id, arg, ok := ReasonLabelID(code)
	if !ok {
		return code
	}
	if arg != "" {
		return fmt.Sprintf(swedishReasons[id], arg)
	}
	return swedishReasons[id]
}

// ReasonCatalogs holds the message catalogs of the reasons and of the
// decision grounds (ground.go), locales/reasons.{sv,en,ar}.json and
// locales/grounds.{sv,en,ar}.json, of the notices (notice.go) and of the
// reasons' details (detail.go, locales/details.{sv,en,ar}.json); the web
// pages load them with their own.
//
// The names of the case states and of the routes are in
// locales/states.{sv,en,ar}.json ("state.<code>", "route.<code>").
//
//go:embed locales/reasons.*.json locales/grounds.*.json locales/notices.*.json locales/details.*.json locales/states.*.json
var ReasonCatalogs embed.FS

// swedishCatalog reads the Swedish catalog locales/NAME.sv.json of
// ReasonCatalogs: message id → text. It panics on a catalog that does not
// load (it is embedded: a mistake the tests catch first).
func swedishCatalog(name string) map[string]string {
	file := "locales/" + name + ".sv.json"
	buf, err := ReasonCatalogs.ReadFile(file)
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(buf, &m); err != nil {
		panic(fmt.Sprintf("skalig: %s: %v", file, err))
	}
	return m
}

// swedishReasons is the Swedish catalog of the reasons: message id → text.
var swedishReasons = swedishCatalog("reasons")

// BankReasonTextID returns the message id of the text of an ISO 20022
// status or return reason code a bank gives for a rejected payment
// ("bank.AC04", in the reason catalogs), and its argument: for a code
// Skälig does not know, "bank.unknown" naming the code.
func BankReasonTextID(code string) (id string, args []any) {
	if _, ok := swedishReasons["bank."+code]; ok && code != "unknown" {
		return "bank." + code, nil
	}
	return "bank.unknown", []any{code}
}

// BankReasonText is the Swedish text of a bank's reason code (what a
// payment_rejected record keeps when the bank gives no text of its own).
func BankReasonText(code string) string {
	id, args := BankReasonTextID(code)
	return fmt.Sprintf(swedishReasons[id], args...)
}

// ReasonText returns the Swedish text of a registered reason, "" for any
// other code (a municipal rule's text is in its configuration).
func ReasonText(code string) string {
	r, ok := LookupReason(code)
	if !ok {
		return ""
	}
	return swedishReasons[r.TextID()]
}
