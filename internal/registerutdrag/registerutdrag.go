// Package registerutdrag makes a person's registerutdrag: a copy of all the
// data Skälig holds about them (the data protection regulation, GDPR,
// article 15), as a readable tagged PDF (internal/letters' PDF writer) and
// as a machine-readable JSON file. The person asks for it on Mina sidor; a
// caseworker makes it for a request by post. Making one is logged in the
// audit trail before any data is gathered (recordsdb.Store.LogRegisterutdrag): a read
// of each case, and an event of the extract itself. See docs/registerutdrag.md.
package registerutdrag

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"skalig"
	"skalig/internal/letters"
	"skalig/internal/municipal"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
	"skalig/internal/workflow"
)

// Format is the Version of the JSON file; a change of its shape changes it.
const Format = "skalig-registerutdrag/1"

// Ways a registerutdrag is asked for (Request.Channel).
const (
	ChannelMinaSidor = "mina_sidor" // the person on Mina sidor
	ChannelPost      = "post"       // a request by post, made by a caseworker
)

// Source is where an extract reads from.
type Source struct {
	// Workflow reads the case file (Workflow.Cases) and the letters.
	Workflow *workflow.Workflow
	// Municipal gives the decision letters their municipality's contact
	// details; nil: municipal.Default().
	Municipal *municipal.Set
	// Drafts are the e-service's drafts.
	Drafts skalig.DraftService
	// Persons is the person's data beyond the case file, and the
	// extract's log: *recordsdb.Store.
	Persons Persons
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Persons is what an extract reads of a person beyond their cases, and
// where it logs itself; recordsdb.Store implements it.
type Persons interface {
	// Claims returns the claims (återkrav) recorded on pn.
	Claims(ctx context.Context, pn skalig.PersonalNumber) ([]*recordsdb.Claim, error)
	// AidHistoryOf returns the months of aid imported from an earlier
	// system for pn, before before.
	AidHistoryOf(ctx context.Context, pn skalig.PersonalNumber, before skalig.Month) ([]skalig.Month, bool, error)
	// LogRegisterutdrag logs the extract: a read of each case and the
	// extract's own event, in one transaction.
	LogRegisterutdrag(ctx context.Context, actor, via, channel string, pn skalig.PersonalNumber, cases []string, format string) error
}

// Request is who asks for whose data, and how.
type Request struct {
	Person skalig.PersonalNumber
	// Municipalities limits the extract to cases of these municipalities:
	// a caseworker's own (secrecy between municipalities, OSL 26 kap.
	// 1 §). Nil: every municipality (the person themself).
	Municipalities []string
	// Reader is who makes it, as the audit trail names them: "applicant"
	// on Mina sidor, "caseworker:<id>", "cli:registerutdrag".
	Reader workflow.Reader
	// Channel is ChannelMinaSidor or ChannelPost.
	Channel string
	// Format is "pdf" or "json": what is logged as delivered.
	Format string
	// full: every member's personnummer in full (the archive's copy).
	full bool
}

// Extract is everything about one person.
type Extract struct {
	Format         string    `json:"format"`
	Produced       time.Time `json:"produced"`
	PersonalNumber string    `json:"personal_number"`
	Channel        string    `json:"channel"`
	// Municipalities the extract covers; empty: all.
	Municipalities []string       `json:"municipalities,omitempty"`
	About          About          `json:"about"`
	Cases          []Case         `json:"cases"`
	Drafts         []Draft        `json:"drafts"`
	Claims         []Claim        `json:"claims"`
	AidHistory     []skalig.Month `json:"aid_history"`
}

// About is what article 15 asks to be told besides the data itself.
type About struct {
	Controller string   `json:"controller"`
	Purposes   []string `json:"purposes"`
	Recipients []string `json:"recipients"`
	Retention  string   `json:"retention"`
	Sources    []string `json:"sources"`
	Rights     []string `json:"rights"`
	Automated  string   `json:"automated_decisions"`
}

// Case is one case with everything in it.
type Case struct {
	ID           string    `json:"id"`
	Municipality string    `json:"municipality"`
	Kind         string    `json:"kind"`
	Month        string    `json:"month"`
	State        string    `json:"state"`
	StateText    string    `json:"state_text"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
	// Members are the household of the application: the person's own
	// personnummer in full, the others' masked.
	Members          []Member          `json:"members"`
	SubmittedAt      time.Time         `json:"submitted_at"`
	Facts            []Fact            `json:"facts"`
	Decision         *Decision         `json:"decision,omitempty"`
	Payment          *Payment          `json:"payment,omitempty"`
	Messages         []Message         `json:"messages"`
	DocumentRequests []DocumentRequest `json:"document_requests"`
	Documents        []Document        `json:"documents"`
	Records          []Record          `json:"records"`
	ReviewRequests   []ReviewRequest   `json:"review_requests"`
	// Reads is who read the case when, this extract included.
	Reads []Read `json:"reads"`
}

// Member is a person of the household.
type Member struct {
	ID             string `json:"id"`
	Role           string `json:"role"`
	PersonalNumber string `json:"personal_number"`
	// Name is the name the person's login gave when they signed (the
	// applicant and the co-applicant), kept with the case.
	Name string `json:"name,omitempty"`
	You  bool   `json:"you"`
}

// Fact is one piece of information with its source.
type Fact struct {
	Kind       string    `json:"kind"`
	Member     string    `json:"member,omitempty"`
	Period     string    `json:"period"`
	Value      string    `json:"value"`
	Source     string    `json:"source"`
	SourceText string    `json:"source_text"`
	At         time.Time `json:"at"`
	Evidence   string    `json:"evidence,omitempty"`
	RecordedBy string    `json:"recorded_by,omitempty"`
}

// Decision is the case's decision and its letter.
type Decision struct {
	ID          string    `json:"id"`
	Outcome     string    `json:"outcome"`
	OutcomeText string    `json:"outcome_text"`
	Month       string    `json:"month"`
	Amount      string    `json:"amount"`
	Reasons     []string  `json:"reasons"`
	DecidedBy   string    `json:"decided_by"`
	DecidedAt   time.Time `json:"decided_at"`
	ReceiptHash string    `json:"receipt_hash"`
	// LetterPDF is the decision letter (beslutsbrev) as a PDF; empty when
	// it cannot be made (LetterError says why).
	LetterPDF   []byte `json:"letter_pdf,omitempty"`
	LetterError string `json:"letter_error,omitempty"`
}

// Payment is the payment ordered for the decision.
type Payment struct {
	Amount  string `json:"amount"`
	PayOn   string `json:"pay_on"`
	Account string `json:"account"` // the last four digits only
	Status  string `json:"status"`
}

// Message is a message on the case.
type Message struct {
	From string    `json:"from"`
	At   time.Time `json:"at"`
	Body string    `json:"body"`
}

// DocumentRequest is a request for documents.
type DocumentRequest struct {
	Text       string    `json:"text"`
	Due        string    `json:"due"`
	At         time.Time `json:"at"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

// Document is an uploaded document, with its content.
type Document struct {
	Name       string    `json:"name"`
	MediaType  string    `json:"media_type"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	UploadedBy string    `json:"uploaded_by"`
	At         time.Time `json:"at"`
	Content    []byte    `json:"content"`
}

// Record is a note on the case (a calculation, the routing, a
// notification, an error, a kommunicering, …) as stored.
type Record struct {
	Kind string          `json:"kind"`
	At   time.Time       `json:"at"`
	Body json.RawMessage `json:"body"`
}

// ReviewRequest is a review request or an appeal.
type ReviewRequest struct {
	Kind       string    `json:"kind"`
	Text       string    `json:"text"`
	At         time.Time `json:"at"`
	Resolution string    `json:"resolution"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// Read is one read of the case.
type Read struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Who   string    `json:"who"`
	Via   string    `json:"via"`
	What  string    `json:"what"`
}

// Draft is an application not (yet) submitted, or submitted.
type Draft struct {
	ID           string          `json:"id"`
	Municipality string          `json:"municipality"`
	Kind         string          `json:"kind"`
	Month        string          `json:"month"`
	State        string          `json:"state"`
	Created      time.Time       `json:"created"`
	Updated      time.Time       `json:"updated"`
	Data         json.RawMessage `json:"data"`
	CaseID       string          `json:"case_id,omitempty"`
}

// Claim is an återkrav recorded on the person.
type Claim struct {
	ID           string    `json:"id"`
	Municipality string    `json:"municipality"`
	Note         string    `json:"note"`
	OpenedAt     time.Time `json:"opened_at"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
}

// Make logs the extract in the audit trail and gathers it. A person with
// no data gets an extract that says so.
//
// Errors: EINVALID (a personnummer or format that is wrong).
func Make(ctx context.Context, src Source, req Request) (*Extract, error) {
	if err := req.Person.Validate(); err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Personnummer: %q är inget giltigt personnummer.", string(req.Person))
	}
	if req.Format != "pdf" && req.Format != "json" {
		return nil, skalig.Errorf(skalig.EINVALID, "Format: %q finns inte; välj pdf eller json.", req.Format)
	}
	if req.Channel != ChannelMinaSidor && req.Channel != ChannelPost {
		return nil, skalig.Errorf(skalig.EINVALID, "Kanal: %q finns inte.", req.Channel)
	}
	if src.Persons == nil || src.Drafts == nil {
		return nil, fmt.Errorf("registerutdrag: Source needs Persons and Drafts")
	}
	cs := src.Workflow.Cases()
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	all, err := cs.CasesOfPerson(ctx, req.Person)
	if err != nil {
		return nil, err
	}
	var cases []*skalig.Case
	for _, c := range all {
		if req.Municipalities == nil || contains(req.Municipalities, c.Municipality) {
			cases = append(cases, c)
		}
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	if err := src.Persons.LogRegisterutdrag(ctx, req.Reader.Actor, req.Reader.Via, req.Channel, req.Person, ids, req.Format); err != nil {
		return nil, fmt.Errorf("registerutdrag: log: %w", err)
	}
	mun := src.Municipal
	if mun == nil {
		if mun, err = municipal.Default(); err != nil {
			return nil, err
		}
	}
	e := &Extract{Format: Format, Produced: now().UTC(), PersonalNumber: req.Person.Canonical(), Channel: req.Channel,
		Municipalities: req.Municipalities, About: about(), Cases: []Case{}, Drafts: []Draft{}, Claims: []Claim{}}
	for _, c := range cases {
		x, err := gather(ctx, src.Workflow, mun, c, req)
		if err != nil {
			return nil, fmt.Errorf("registerutdrag: case %s: %w", c.ID, err)
		}
		e.Cases = append(e.Cases, *x)
	}
	drafts, err := src.Drafts.DraftsOfPerson(ctx, req.Person)
	if err != nil {
		return nil, err
	}
	for _, d := range drafts {
		if req.Municipalities != nil && !contains(req.Municipalities, d.Municipality) {
			continue
		}
		e.Drafts = append(e.Drafts, Draft{ID: d.ID, Municipality: d.Municipality, Kind: string(d.Kind), Month: d.Month.String(),
			State: string(d.State), Created: d.CreatedAt, Updated: d.UpdatedAt, Data: d.Data, CaseID: d.CaseID})
	}
	claims, err := src.Persons.Claims(ctx, req.Person)
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		if req.Municipalities != nil && !contains(req.Municipalities, c.Municipality) {
			continue
		}
		e.Claims = append(e.Claims, Claim{ID: c.ID, Municipality: c.Municipality, Note: c.Note, OpenedAt: c.OpenedAt, ClosedAt: c.ClosedAt})
	}
	if months, _, err := src.Persons.AidHistoryOf(ctx, req.Person, skalig.MonthOf(9999, 12)); err != nil {
		return nil, err
	} else {
		e.AidHistory = months
	}
	if e.AidHistory == nil {
		e.AidHistory = []skalig.Month{}
	}
	return e, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// gather reads one case.
func gather(ctx context.Context, wf *workflow.Workflow, mun *municipal.Set, c *skalig.Case, req Request) (*Case, error) {
	cs := wf.Cases()
	x := &Case{ID: c.ID, Municipality: c.Municipality, Kind: string(c.Kind), Month: c.Month.String(), State: string(c.State),
		StateText: c.State.Swedish(), Created: c.CreatedAt, Updated: c.UpdatedAt,
		Facts: []Fact{}, Messages: []Message{}, DocumentRequests: []DocumentRequest{}, Documents: []Document{}, Records: []Record{},
		ReviewRequests: []ReviewRequest{}, Reads: []Read{}}
	app, err := cs.CaseApplication(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	x.SubmittedAt = app.SubmittedAt
	members := map[string]string{}
	for _, m := range app.Members {
		you := m.PersonalNumber.Canonical() == req.Person.Canonical()
		pn := m.PersonalNumber.Masked()
		if you || req.full {
			pn = m.PersonalNumber.Canonical()
		}
		x.Members = append(x.Members, Member{ID: m.ID, Role: string(m.Role), PersonalNumber: pn, Name: m.Name, You: you})
		members[m.ID] = roleText(m.Role, you)
	}
	facts, err := cs.Facts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, f := range facts {
		x.Facts = append(x.Facts, Fact{Kind: f.Kind, Member: members[f.PersonID], Period: f.Period.String(), Value: f.Value.String(),
			Source: string(f.Source), SourceText: SourceText(f.Source), At: f.At, Evidence: f.Evidence, RecordedBy: f.RecordedBy})
	}
	if d, err := cs.CaseDecision(ctx, c.ID); err == nil {
		by := d.DecidedBy.Delegation
		if d.DecidedBy.Caseworker != "" {
			by = "handläggare " + d.DecidedBy.Caseworker
		} else if by != "" {
			by = "automatiskt beslut enligt delegation " + by
		}
		x.Decision = &Decision{ID: d.ID, Outcome: string(d.Outcome), OutcomeText: d.Outcome.Swedish(), Month: d.Month.String(),
			Amount: d.Amount.String(), Reasons: d.Reasons, DecidedBy: by, DecidedAt: d.DecidedAt, ReceiptHash: d.ReceiptHash}
		if x.Decision.Reasons == nil {
			x.Decision.Reasons = []string{}
		}
		in, err := letters.Load(ctx, wf, mun, c.ID, req.Reader)
		if err == nil {
			x.Decision.LetterPDF, err = letters.Render(in, true)
		}
		if err != nil {
			x.Decision.LetterError = "Beslutsbrevet kunde inte skapas: " + skalig.ErrorMessage(err)
		}
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	if p, err := cs.CasePayment(ctx, c.ID); err == nil {
		x.Payment = &Payment{Amount: p.Amount.String(), PayOn: p.PayOn.String(), Account: letters.MaskAccount(p.Account), Status: string(p.Status)}
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	msgs, err := cs.Messages(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		x.Messages = append(x.Messages, Message{From: m.From, At: m.At, Body: m.Body})
	}
	reqs, err := cs.DocumentRequests(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		x.DocumentRequests = append(x.DocumentRequests, DocumentRequest{Text: r.Text, Due: r.Due.String(), At: r.At, AnsweredAt: r.AnsweredAt})
	}
	docs, err := cs.Documents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		_, body, err := cs.DocumentBody(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		x.Documents = append(x.Documents, Document{Name: d.Name, MediaType: d.MediaType, Size: d.Size, SHA256: d.SHA256,
			UploadedBy: d.UploadedBy, At: d.At, Content: body})
	}
	recs, err := cs.Records(ctx, c.ID, "")
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		x.Records = append(x.Records, Record{Kind: r.Kind, At: r.At, Body: r.Body})
	}
	rrs, err := cs.CaseReviewRequests(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range rrs {
		x.ReviewRequests = append(x.ReviewRequests, ReviewRequest{Kind: r.Kind, Text: r.Text, At: r.At, Resolution: r.Resolution, ResolvedAt: r.ResolvedAt})
	}
	evs, err := cs.AuditEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		if ev.Action != store.ActionRead {
			continue
		}
		x.Reads = append(x.Reads, readOf(ev))
	}
	sort.SliceStable(x.Reads, func(i, j int) bool { return x.Reads[i].At.Before(x.Reads[j].At) })
	return x, nil
}

func readOf(ev skalig.AuditEvent) Read {
	r := Read{At: ev.At, Actor: ev.Actor, Who: ActorText(ev.Actor)}
	var d map[string]string
	if json.Unmarshal(ev.Data, &d) == nil {
		r.Via, r.What = d["via"], d["what"]
	}
	if ev.Data == nil {
		r.What = "(gallrad)"
	}
	return r
}

func roleText(r skalig.MemberRole, you bool) string {
	s := map[skalig.MemberRole]string{skalig.RoleApplicant: "sökande", skalig.RolePartner: "medsökande", skalig.RoleChild: "barn"}[r]
	if s == "" {
		s = string(r)
	}
	if you {
		s += " (du)"
	}
	return s
}

// SourceText says in Swedish where a fact came from.
func SourceText(s skalig.FactSource) string {
	switch s {
	case skalig.SourceApplicant:
		return "ansökan (hushållet)"
	case skalig.SourceCaseworker:
		return "handläggare"
	case skalig.SourceSystem:
		return "Skälig (beräknat)"
	}
	if name, ok := s.Register(); ok {
		return "register: " + skalig.RegisterSwedishName(name)
	}
	return string(s)
}

// ActorText says in Swedish who an audit actor is.
func ActorText(actor string) string {
	kind, id, _ := strings.Cut(actor, ":")
	switch kind {
	case "applicant":
		return "du eller någon annan i hushållet (Mina sidor)"
	case "caseworker", "staff":
		return "handläggare " + id
	case "api":
		return "tjänst med API-nyckel " + id
	case "cli":
		return "kommunens drift (kommandorad: " + id + ")"
	case "system", "worker":
		return "Skälig (automatiskt)"
	}
	return actor
}

func about() About {
	return About{
		Controller: "Socialnämnden (motsvarande) i kommunen som handlägger ärendet är personuppgiftsansvarig; kontaktuppgifterna står i beslutsbreven.",
		Purposes: []string{
			"Handläggning av ansökningar om ekonomiskt bistånd (socialtjänstlagen 2025:400) och utbetalning.",
			"Dokumentation i personakten (socialtjänstlagen 2025:400 16 kap.) och uppföljning.",
			"Säkerhetsloggning: vem som har läst och ändrat ärendet.",
		},
		Recipients: []string{
			"Kommunens handläggare och ekonomiassistenter som arbetar med ärendet.",
			"Myndigheter som lämnar uppgifter via SSBTEK (Försäkringskassan, Arbetsförmedlingen, Skatteverket, CSN m.fl.) får veta att uppgifter hämtats.",
			"Banken (vid utbetalning) och förvaltningsrätten (vid överklagande).",
		},
		Retention: "Uppgifterna gallras fem år efter den sista anteckningen i akten (socialtjänstlagen 2025:400 16 kap. 1 §), " +
			"utom för personer i forskningsurvalet (socialtjänstförordningen 2025:468 13 kap. 1 §), vars akt bevaras och lämnas till kommunens arkiv.",
		Sources: []string{"Det du och hushållet har lämnat i ansökan och meddelanden.", "Register via SSBTEK.", "Handläggarens anteckningar och beslut."},
		Rights: []string{
			"Du har rätt att få felaktiga uppgifter rättade (artikel 16) och att begära begränsning (artikel 18).",
			"Uppgifter i en personakt får inte raderas före gallring när lagen kräver att de bevaras.",
			"Du kan klaga till Integritetsskyddsmyndigheten (IMY), imy.se.",
		},
		Automated: "Beslut kan fattas automatiskt enligt nämndens delegation (förvaltningslagen 28 §); beslutsbrevet säger om ditt beslut var automatiskt, och du kan alltid begära att en handläggare prövar ärendet.",
	}
}

// JSON returns the extract as indented JSON. Documents and letters are
// base64 (encoding/json's []byte).
func (e *Extract) JSON() ([]byte, error) {
	return json.MarshalIndent(e, "", "  ")
}

// ArchiveCase reads everything of case c for the archive (internal/archive):
// what a registerutdrag holds of a case, every member's personnummer in
// full. The read is logged for reader as a read of "archive" first.
func ArchiveCase(ctx context.Context, src Source, c *skalig.Case, reader workflow.Reader) (*Case, error) {
	if err := src.Workflow.Cases().LogRead(ctx, reader.Actor, c.ID, reader.Via, "archive"); err != nil {
		return nil, err
	}
	mun := src.Municipal
	if mun == nil {
		var err error
		if mun, err = municipal.Default(); err != nil {
			return nil, err
		}
	}
	return gather(ctx, src.Workflow, mun, c, Request{Reader: reader, full: true})
}
