package skalig

import (
	"context"
	"time"
)

// RegisterRequest asks the registers about one person for a period, as the
// combined national service (SSBTEK) is asked: one request per person and
// period, naming the sources to include.
type RegisterRequest struct {
	CaseID string
	// Person is the person asked about; PersonID is their member id in the
	// application, which the facts of the answer carry.
	Person   PersonalNumber
	PersonID string
	From, To Month
	// Sources are register names (RegisterNames); empty means all.
	Sources []string
	// Purpose is the purpose stated in the request ("beslut om
	// försörjningsstöd"), and Caseworker who asks ("system" for the robot).
	Purpose    string
	Caseworker string
	// SourcePeriods optionally gives a source a period of its own (the
	// combined service allows one per source): Skatteverket asked about the
	// previous year, say. A source not in it is asked for From-To. Facts
	// carry the month they concern within the source's period.
	SourcePeriods map[string]RegisterPeriod
}

// RegisterPeriod is a period of whole months, From to To inclusive.
type RegisterPeriod struct{ From, To Month }

// PeriodOf returns the period source name is asked for: its own from
// SourcePeriods, else From-To.
func (r RegisterRequest) PeriodOf(name string) RegisterPeriod {
	if p, ok := r.SourcePeriods[name]; ok {
		return p
	}
	return RegisterPeriod{From: r.From, To: r.To}
}

// RegisterPart is one source's part of an answer: data or an error.
type RegisterPart struct {
	Source string // a register name
	// Facts are the source's data as facts with Source RegisterSource(name),
	// PersonID from the request, Period, At (time fetched) and Evidence (the
	// reference of the raw answer) set. Empty with Err nil means the source
	// answered and had nothing for the person and period.
	Facts []Fact
	// UnknownPerson is true when the source does not know the person (which
	// is an answer, not an error).
	UnknownPerson bool
	Err           *RegisterError
}

// RegisterError is a source's error answer, or a failure to reach it.
type RegisterError struct {
	Code string // the source's error code, or one of the RegisterCode constants
	// Message is the Swedish text: Detail's Swedish, as it has always been
	// logged and recorded (the evidence of a register.<source>.status fact
	// "failed", FetchErrorEvidence).
	Message string
	// Detail is the message as data (a message of the detail catalogs and
	// its arguments), so that a page can say it in its own language. A
	// source's own text is an argument as it is
	// ("detail.register_error.source_said").
	Detail Detail
	// Temporary is true when asking again later may succeed.
	Temporary bool
}

func (e *RegisterError) Error() string { return e.Code + ": " + e.Message }

// NewRegisterError is an error with code whose message is d: Message is
// d's Swedish.
func NewRegisterError(code string, temporary bool, d Detail) *RegisterError {
	return &RegisterError{Code: code, Message: d.Swedish(), Detail: d, Temporary: temporary}
}

// Error codes of the parts that the register client sets itself
// (internal/registry); a source's own codes pass through as the source
// sent them.
const (
	RegisterCodeTimeout     = "timeout"      // no answer in time
	RegisterCodeUnavailable = "unavailable"  // the service could not be reached or failed
	RegisterCodeMalformed   = "malformed"    // the answer (or the part) could not be read
	RegisterCodeCircuitOpen = "circuit_open" // the source failed repeatedly; not asked now
	RegisterCodeRejected    = "rejected"     // the service refused the request (soap:Client, 4xx)
	RegisterCodeTLS         = "tls"          // the certificates do not match: a configuration error
)

// RegisterAnswer is the answer to a RegisterRequest.
type RegisterAnswer struct {
	Parts     []RegisterPart
	FetchedAt time.Time
	// Raw is the raw answer as received (the SOAP envelope), kept as
	// evidence; EvidenceRef is the reference the facts carry
	// ("sha256:<hex of Raw>").
	Raw         []byte
	EvidenceRef string
}

// Registers asks the registers. An error return means no answer at all (the
// service could not be reached); a partial answer is normal and carried in
// the parts. Implementations: internal/registry (the SSBTEK client and the
// simulator).
type Registers interface {
	Fetch(ctx context.Context, req RegisterRequest) (*RegisterAnswer, error)
}
