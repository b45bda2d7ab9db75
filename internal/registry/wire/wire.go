// Package wire is the SOAP 1.1 protocol that the register client and the
// register simulator speak: the shape of the combined national service
// (SSBTEK, contract version 10) as registries.md outlines it. One request
// names a person, a period and the sources to include (each with an optional
// period of its own); the answer has one part per source holding the
// source's data, "unknown person" or an error.
//
// Element names are our own (namespace NS), not those of the published XSD,
// which is distributed to connected municipalities: an adapter for the real
// service maps its elements onto these types, and everything above this
// package stays the same. Amounts are decimal kronor with a point ("1850",
// "350.50"), dates YYYY-MM-DD and months YYYY-MM.
package wire

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Namespaces and SOAP actions.
const (
	NSEnvelope = "http://schemas.xmlsoap.org/soap/envelope/"
	NS         = "urn:skalig:registers:v1"
	// ActionFetch is the SOAPAction of the fetch operation, ActionTest of
	// the test call with the same shape that answers without asking any
	// source.
	ActionFetch = NS + "#Fetch"
	ActionTest  = NS + "#Test"
	// ContentType is the content type of SOAP 1.1 messages.
	ContentType = "text/xml; charset=utf-8"
)

// Envelope is a SOAP 1.1 envelope carrying one request, answer or fault.
type Envelope struct {
	XMLName xml.Name  `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Header  *struct{} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Header"`
	Body    Body      `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// Body holds exactly one of its fields.
type Body struct {
	FetchRequest  *FetchRequest  `xml:"urn:skalig:registers:v1 FetchRequest"`
	FetchResponse *FetchResponse `xml:"urn:skalig:registers:v1 FetchResponse"`
	TestRequest   *TestRequest   `xml:"urn:skalig:registers:v1 TestRequest"`
	TestResponse  *TestResponse  `xml:"urn:skalig:registers:v1 TestResponse"`
	Fault         *Fault         `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
}

// Fault is a SOAP 1.1 fault: Code is "soap:Client" when the request was
// refused (not allowed, invalid) and "soap:Server" when the service failed.
type Fault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
}

// FetchRequest asks about one person for one period.
type FetchRequest struct {
	Requester Requester `xml:"Requester"`
	// Person is the personnummer or samordningsnummer, twelve digits.
	Person string `xml:"Person"`
	CaseID string `xml:"CaseID,omitempty"`
	Period Period `xml:"Period"`
	// Purpose and LegalBasis are stated in every request: the purpose
	// ("beslut om försörjningsstöd") and the legal text that allows it.
	Purpose       string          `xml:"Purpose"`
	LegalBasis    string          `xml:"LegalBasis"`
	CorrelationID string          `xml:"CorrelationID,omitempty"`
	AskedAt       string          `xml:"AskedAt,omitempty"` // RFC 3339
	Sources       []SourceRequest `xml:"Sources>Source"`
}

// Requester is who asks: the municipality's unit and the caseworker.
type Requester struct {
	OrgNumber  string `xml:"OrgNumber"` // organisationsnummer, ten digits
	OrgName    string `xml:"OrgName"`
	Caseworker string `xml:"Caseworker"`
}

// Period is a period of days, From and To inclusive (YYYY-MM-DD).
type Period struct {
	From string `xml:"From"`
	To   string `xml:"To"`
}

// SourceRequest includes one source, with an optional period of its own.
type SourceRequest struct {
	Name   string  `xml:"name,attr"`
	Period *Period `xml:"Period,omitempty"`
}

// TestRequest is the test call: who asks, and nothing else.
type TestRequest struct {
	Requester     Requester `xml:"Requester"`
	CorrelationID string    `xml:"CorrelationID,omitempty"`
}

// TestResponse answers the test call.
type TestResponse struct {
	CorrelationID string `xml:"CorrelationID,omitempty"`
	Status        string `xml:"Status"` // "ok"
}

// FetchResponse is the answer: the person asked about and one part per
// source asked for.
type FetchResponse struct {
	CorrelationID string `xml:"CorrelationID,omitempty"`
	Person        string `xml:"Person"`
	Parts         []Part `xml:"Part"`
}

// Part is one source's part of an answer. It holds exactly one of: Error,
// UnknownPerson, or the data element of its source (present, perhaps empty,
// when the source answered).
type Part struct {
	Source        string     `xml:"source,attr"`
	Error         *PartError `xml:"Error"`
	UnknownPerson *struct{}  `xml:"UnknownPerson"`

	FK     *FKData     `xml:"FK"`
	CSN    *CSNData    `xml:"CSN"`
	AF     *AFData     `xml:"AF"`
	SKV    *SKVData    `xml:"SKV"`
	Akassa *AkassaData `xml:"Akassa"`
	Migr   *MigrData   `xml:"Migr"`
	TS     *TSData     `xml:"TS"`
	Folk   *FolkData   `xml:"Folk"`
}

// PartError is a source's error: its code, whether asking again later may
// succeed, and a message.
type PartError struct {
	Code      string `xml:"code,attr"`
	Temporary bool   `xml:"temporary,attr"`
	Message   string `xml:",chardata"`
}

// FKData is Försäkringskassan's and Pensionsmyndigheten's data: payments.
type FKData struct {
	Payments []FKPayment `xml:"Payment"`
}

// FKPayment is one benefit paid. Benefit is the benefit's code
// ("bostadsbidrag", "sjukpenning", ...); Month the month it concerns.
type FKPayment struct {
	Benefit string `xml:"benefit,attr"`
	Month   string `xml:"month,attr"`
	PaidOn  string `xml:"paidOn,attr"`
	Gross   string `xml:"gross,attr"`
	Net     string `xml:"net,attr"`
}

// CSNData is CSN's data: payments of student aid.
type CSNData struct {
	Payments []CSNPayment `xml:"Payment"`
}

// CSNPayment is one payment: Type is "studiemedel_bidrag",
// "studiemedel_lan", "studiehjalp", "studiestartsstod" or
// "hemutrustningslan".
type CSNPayment struct {
	Type   string `xml:"type,attr"`
	Month  string `xml:"month,attr"`
	PaidOn string `xml:"paidOn,attr"`
	Amount string `xml:"amount,attr"`
}

// AFData is Arbetsförmedlingen's data: periods of registration as a
// job-seeker. A month covered by no registration is a month not registered.
type AFData struct {
	Registrations []AFRegistration `xml:"Registration"`
}

// AFRegistration is one period of registration; To is empty while it lasts.
type AFRegistration struct {
	From    string `xml:"from,attr"`
	To      string `xml:"to,attr,omitempty"`
	Extent  string `xml:"extent,attr,omitempty"`  // "heltid", "deltid"
	Status  string `xml:"status,attr,omitempty"`  // AF's status code ("11")
	Program string `xml:"program,attr,omitempty"` // program or activity
	// ProgramExtent is the extent (omfattning) of the program or activity:
	// "heltid" or "deltid". Arbetsförmedlingen judges whether a program
	// participant has sufficient occupation (the activity requirement).
	ProgramExtent string `xml:"programExtent,attr,omitempty"`
}

// SKVData is Skatteverket's data: final tax assessments by income year.
type SKVData struct {
	Assessments []SKVAssessment `xml:"Assessment"`
}

// SKVAssessment is the taxed income of one year.
type SKVAssessment struct {
	Year          string `xml:"year,attr"`
	EarnedIncome  string `xml:"earnedIncome,attr"`  // inkomst av tjänst
	CapitalIncome string `xml:"capitalIncome,attr"` // inkomst av kapital
}

// AkassaData is an unemployment fund's data: payments.
type AkassaData struct {
	Fund     string          `xml:"fund,attr,omitempty"`
	Payments []AkassaPayment `xml:"Payment"`
}

// AkassaPayment is one payment for the days From-To.
type AkassaPayment struct {
	PaidOn string `xml:"paidOn,attr"`
	From   string `xml:"from,attr"`
	To     string `xml:"to,attr"`
	Days   string `xml:"days,attr"`
	Gross  string `xml:"gross,attr"`
	Net    string `xml:"net,attr"`
}

// MigrData is Migrationsverket's data.
type MigrData struct {
	Permits     []MigrPermit     `xml:"Permit"`
	OpenCases   []MigrOpenCase   `xml:"OpenCase"`
	Citizenship *MigrCitizenship `xml:"Citizenship"`
}

// MigrPermit is a residence permit: Type "PUT" (permanent, Until empty) or
// "TUT" (temporary).
type MigrPermit struct {
	Type  string `xml:"type,attr"`
	From  string `xml:"from,attr"`
	Until string `xml:"until,attr,omitempty"`
}

// MigrOpenCase is a case not yet decided (an application for a permit or an
// extension).
type MigrOpenCase struct {
	Type   string `xml:"type,attr"`
	Opened string `xml:"opened,attr"`
}

// MigrCitizenship is Swedish citizenship granted.
type MigrCitizenship struct {
	Granted string `xml:"granted,attr"`
}

// TSData is Transportstyrelsen's data: vehicles owned.
type TSData struct {
	Vehicles []TSVehicle `xml:"Vehicle"`
}

// TSVehicle is one vehicle owned From (To empty while owned).
type TSVehicle struct {
	RegNo string `xml:"regNo,attr"`
	Make  string `xml:"make,attr"`
	Model string `xml:"model,attr,omitempty"`
	Year  string `xml:"year,attr"`
	From  string `xml:"from,attr"`
	To    string `xml:"to,attr,omitempty"`
}

// FolkData is the population register's data (Skatteverket's
// folkbokföring, the fields Navet gives): the name, the periods the person
// was folkbokförd (registered as living in Sweden) and the citizenships
// held. It is not a source of the combined service: a deployment connects
// the population register as a service of its own, and its adapter maps
// the answer onto this part.
type FolkData struct {
	Name          *FolkName          `xml:"Name"`
	Registrations []FolkRegistration `xml:"Registration"`
	Citizenships  []FolkCitizenship  `xml:"Citizenship"`
}

// FolkName is the name as registered.
type FolkName struct {
	Given   string `xml:"given,attr"`
	Surname string `xml:"surname,attr"`
}

// FolkRegistration is one period of folkbokföring: from the day the person
// was registered (birth, or immigration) to the day they were
// avregistrerade (emigration, death); To is empty while it lasts.
type FolkRegistration struct {
	From string `xml:"from,attr"`
	To   string `xml:"to,attr,omitempty"`
}

// FolkCitizenship is one citizenship: Country an ISO 3166-1 alpha-2 code
// ("SE"), From the day it was acquired (empty: from birth) and To the day
// it ended (empty: held).
type FolkCitizenship struct {
	Country string `xml:"country,attr"`
	From    string `xml:"from,attr,omitempty"`
	To      string `xml:"to,attr,omitempty"`
}

// Marshal writes env as an XML document.
func Marshal(env *Envelope) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(env); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// ErrMalformed is wrapped by every error of Unmarshal.
var ErrMalformed = errors.New("malformed soap message")

// Unmarshal reads one SOAP envelope from raw, strictly: the document must
// be well-formed UTF-8 XML with an Envelope in the SOAP namespace as its only
// root element and nothing but white space, comments and processing
// instructions after it.
func Unmarshal(raw []byte) (*Envelope, error) {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = true
	var env Envelope
	if err := d.Decode(&env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: after the envelope: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, fmt.Errorf("%w: text after the envelope", ErrMalformed)
			}
		case xml.Comment, xml.ProcInst:
		default:
			return nil, fmt.Errorf("%w: content after the envelope", ErrMalformed)
		}
	}
	n := 0
	for _, set := range []bool{env.Body.FetchRequest != nil, env.Body.FetchResponse != nil,
		env.Body.TestRequest != nil, env.Body.TestResponse != nil, env.Body.Fault != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: body holds %d messages, want 1", ErrMalformed, n)
	}
	return &env, nil
}
