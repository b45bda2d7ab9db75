package api

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"skalig"
	"skalig/internal/routing"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// Token is a machine client's bearer token and what it may reach.
type Token struct {
	Name   string // the client, for the audit trail: "api:<name>"
	Secret string
	// Municipalities the client may act for; "*" means all.
	Municipalities []string
	// Actions the client may take (skalig.ClientAction); empty:
	// skalig.DefaultClientActions (submit and read, no decisions).
	Actions []string
}

// client is an authenticated machine client.
type client struct {
	name    string
	mun     []string
	actions []skalig.ClientAction
}

func (c *client) may(municipality string) bool {
	return slices.Contains(c.mun, "*") || slices.Contains(c.mun, municipality)
}

// actor is the client as the casework policy knows it.
func (c *client) actor() skalig.Actor { return skalig.ClientActor(c.name, c.mun, c.actions) }

func (c *client) reader() workflow.Reader {
	return workflow.Reader{Actor: c.actor().String(), Via: "api"}
}

// authenticate finds the client of the request's bearer token, comparing
// digests in constant time.
func (s *Server) authenticate(r *http.Request) (*client, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return nil, skalig.Errorf(skalig.EUNAUTHORIZED, "Ange en API-nyckel: Authorization: Bearer <nyckel>.")
	}
	sum := sha256.Sum256([]byte(tok))
	var found *Token
	for i := range s.tokens {
		t := &s.tokens[i]
		ts := sha256.Sum256([]byte(t.Secret))
		if subtle.ConstantTimeCompare(sum[:], ts[:]) == 1 {
			found = t
		}
	}
	if found == nil {
		return nil, skalig.Errorf(skalig.EUNAUTHORIZED, "API-nyckeln är inte giltig.")
	}
	c := &client{name: found.Name, mun: found.Municipalities}
	for _, a := range found.Actions {
		c.actions = append(c.actions, skalig.ClientAction(a))
	}
	if len(c.actions) == 0 {
		c.actions = skalig.DefaultClientActions
	}
	return c, nil
}

// withClient wraps a handler that needs an authenticated client whose
// scope allows action.
func (s *Server) withClient(action skalig.ClientAction, h func(http.ResponseWriter, *http.Request, *client)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.wf == nil {
			s.writeError(w, r, skalig.Errorf(skalig.EUNAVAILABLE, "Ärendehanteringen är inte igång i den här processen."))
			return
		}
		c, err := s.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="skalig"`)
			s.writeError(w, r, err)
			return
		}
		if !slices.Contains(c.actions, action) {
			s.writeError(w, r, skalig.Errorf(skalig.EFORBIDDEN, "API-nyckeln får inte göra detta (%s saknas i nyckelns behörighet).", action))
			return
		}
		h(w, r, c)
	}
}

// applicationRequest is the JSON body of POST /api/v1/applications.
type applicationRequest struct {
	Municipality string          `json:"municipality"`
	Kind         string          `json:"kind"`
	Month        string          `json:"month"`
	Members      []memberRequest `json:"members"`
	Facts        []factRequest   `json:"facts"`
}

type memberRequest struct {
	ID             string `json:"id"`
	PersonalNumber string `json:"personal_number"`
	Role           string `json:"role"`
}

type factRequest struct {
	Kind   string          `json:"kind"`
	Person string          `json:"person"`
	Period string          `json:"period"`
	Amount json.RawMessage `json:"amount"`
	Text   *string         `json:"text"`
}

// parseAmount reads an amount of a request: a JSON number of kronor with at
// most two decimals, the one amount type of the API (docs/calc-format.md,
// "Amounts"). It returns the Swedish message for the field when raw is
// not such a number; a quoted amount is refused with a message saying so.
func parseAmount(raw json.RawMessage) (skalig.Money, string) {
	s := strings.TrimSpace(string(raw))
	if strings.HasPrefix(s, `"`) {
		return 0, "Ange beloppet som ett tal i kronor, utan citattecken, t.ex. 7200 eller 350.50."
	}
	m, ok := skalig.ParseMoney(s)
	if !ok {
		return 0, "Ange beloppet i kronor som ett tal med högst två decimaler, t.ex. 7200 eller 350.50."
	}
	return m, ""
}

// absent reports whether an optional JSON value was left out or null.
func absent(raw json.RawMessage) bool {
	return len(raw) == 0 || strings.TrimSpace(string(raw)) == "null"
}

// decodeStrict decodes one JSON value into v, refusing unknown fields, and
// turns decoding errors into EINVALID naming the field.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	field, msg := "", "Innehållet är inte giltig JSON."
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field, msg = te.Field, "Fel typ av värde ("+te.Value+"); se API-dokumentet."
	case errors.As(err, &se):
		msg = fmt.Sprintf("Innehållet är inte giltig JSON (tecken %d).", se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		msg = "Okänt fält."
	case err.Error() == "trailing data":
		msg = "Efter JSON-värdet följer mer innehåll."
	}
	if field == "" {
		field = "body"
	}
	return &skalig.Error{Code: skalig.EINVALID, Message: "Begäran är inte giltig.", Fields: []skalig.FieldError{{Field: field, Message: msg}}}
}

// toApplication converts the request, naming each field that is wrong.
func (req *applicationRequest) toApplication(key string, today skalig.Date) (*skalig.Application, error) {
	var fe []skalig.FieldError
	add := func(f, m string) { fe = append(fe, skalig.FieldError{Field: f, Message: m}) }
	app := &skalig.Application{Municipality: req.Municipality, Kind: skalig.ApplicationKind(req.Kind), IdempotencyKey: key}
	if m, ok := skalig.ParseMonth(req.Month); ok {
		app.Month = m
	}
	for i, m := range req.Members {
		pn, err := skalig.ParsePersonalNumber(m.PersonalNumber, today)
		if err != nil {
			add(fmt.Sprintf("members[%d].personal_number", i), skalig.ErrorMessage(err))
		}
		app.Members = append(app.Members, skalig.Member{ID: m.ID, PersonalNumber: pn, Role: skalig.MemberRole(m.Role)})
	}
	for i, f := range req.Facts {
		p := fmt.Sprintf("facts[%d].", i)
		fact := skalig.Fact{Kind: f.Kind, PersonID: f.Person, Source: skalig.SourceApplicant}
		period := f.Period
		if period == "" {
			period = req.Month
		}
		if m, ok := skalig.ParseMonth(period); ok {
			fact.Period = m
		} else {
			add(p+"period", "Ange en månad som ÅÅÅÅ-MM.")
		}
		switch {
		case !absent(f.Amount) && f.Text != nil:
			add(p+"amount", "Ange antingen amount eller text, inte båda.")
		case !absent(f.Amount):
			m, msg := parseAmount(f.Amount)
			if msg != "" {
				add(p+"amount", msg)
			}
			fact.Value = skalig.AmountValue(m)
		case f.Text != nil:
			fact.Value = skalig.TextValue(*f.Text)
		default:
			add(p+"amount", "Ange amount (belopp) eller text.")
		}
		app.Facts = append(app.Facts, fact)
	}
	if err := app.Validate(); err != nil {
		var se *skalig.Error
		if errors.As(err, &se) {
			for _, f := range se.Fields {
				if !slices.ContainsFunc(fe, func(x skalig.FieldError) bool { return x.Field == f.Field }) {
					fe = append(fe, f)
				}
			}
		}
	}
	if len(fe) > 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Ansökan är inte fullständig.", Fields: fe}
	}
	return app, nil
}

// handleSubmit stores an application. The Idempotency-Key header is
// required; a repeated key with the same content returns the first case with
// 200, with other content 409.
func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request, c *client) {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		s.writeError(w, r, err)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Idempotency-Key saknas.",
			Fields: []skalig.FieldError{{Field: "Idempotency-Key", Message: "Ange en unik nyckel per ansökan i huvudet Idempotency-Key."}}})
		return
	}
	data, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req applicationRequest
	if err := decodeStrict(data, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !c.may(req.Municipality) {
		s.writeError(w, r, &skalig.Error{Code: skalig.EFORBIDDEN, Message: "API-nyckeln gäller inte den kommunen.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "API-nyckeln gäller inte kommun " + req.Municipality + "."}}})
		return
	}
	app, err := req.toApplication(key, skalig.DateOf(time.Now()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, created, err := s.wf.SubmitAs(r.Context(), app, c.actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/cases/"+cs.ID)
	}
	s.writeJSON(w, r, status, caseJSON(cs))
}

// caseSummary is a case in the API.
type caseSummary struct {
	ID             string   `json:"id"`
	Municipality   string   `json:"municipality"`
	Month          string   `json:"month"`
	Kind           string   `json:"kind"`
	State          string   `json:"state"`
	StateText      string   `json:"state_text"`
	RoutingReasons []string `json:"routing_reasons"`
	Version        int      `json:"version"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
}

func caseJSON(c *skalig.Case) caseSummary {
	rs := c.RoutingReasons
	if rs == nil {
		rs = []string{}
	}
	return caseSummary{ID: c.ID, Municipality: c.Municipality, Month: c.Month.String(), Kind: string(c.Kind),
		State: string(c.State), StateText: c.State.Swedish(), RoutingReasons: rs, Version: c.Version,
		CreatedAt: skalig.FormatTime(c.CreatedAt), UpdatedAt: skalig.FormatTime(c.UpdatedAt)}
}

// caseDetail is GET /api/v1/cases/{id}.
type caseDetail struct {
	caseSummary
	Members     []memberJSON     `json:"members"`
	Facts       []factJSON       `json:"facts"`
	Waiting     []string         `json:"waiting_for,omitempty"`
	Calculation *calculationJSON `json:"calculation,omitempty"`
	Routing     *routingJSON     `json:"routing,omitempty"`
	Decision    *decisionJSON    `json:"decision,omitempty"`
	Payment     *paymentJSON     `json:"payment,omitempty"`
}

// routingJSON is the routing of a case in the API (routing.Outcome, which
// has no JSON tags of its own, in snake_case).
type routingJSON struct {
	Route         string              `json:"route"`
	Outcome       string              `json:"outcome"`
	Reasons       []routingReasonJSON `json:"reasons"`
	Delegation    string              `json:"delegation,omitempty"`
	Sample        *drawJSON           `json:"sample,omitempty"`
	ConfigVersion string              `json:"config_version"`
}

// routingReasonJSON is a routing reason: Detail is the Swedish text routing
// recorded, Details the same findings as data (messages of
// locales/details.LANG.json and their arguments), absent in a record made
// before routing kept them.
type routingReasonJSON struct {
	Code    string          `json:"code"`
	Text    string          `json:"text"`
	Detail  string          `json:"detail,omitempty"`
	Details []skalig.Detail `json:"details,omitempty"`
	Social  bool            `json:"social"`
}

type drawJSON struct {
	Seed  string  `json:"seed"`
	Value float64 `json:"value"`
	Rate  float64 `json:"rate"`
	Drawn bool    `json:"drawn"`
}

func routingOf(o routing.Outcome) *routingJSON {
	out := &routingJSON{Route: string(o.Route), Outcome: string(o.Outcome), Reasons: []routingReasonJSON{},
		Delegation: o.Delegation, ConfigVersion: o.ConfigVersion}
	for _, r := range o.Reasons {
		out.Reasons = append(out.Reasons, routingReasonJSON{Code: r.Code, Text: r.Text, Detail: r.Detail, Details: r.Details, Social: r.Social})
	}
	if d := o.Sample; d != nil {
		out.Sample = &drawJSON{Seed: d.Seed, Value: d.Value, Rate: d.Rate, Drawn: d.Drawn}
	}
	return out
}

// paymentJSON is the payment of a decided case.
type paymentJSON struct {
	ID     string       `json:"id"`
	Amount skalig.Money `json:"amount"`
	PayOn  string       `json:"pay_on"`
	Status string       `json:"status"`
}

// factJSON is a fact of a case in the API: skalig.Fact with its amount as
// a JSON number (skalig.Fact's own JSON, the receipt's form, writes it as
// text).
type factJSON struct {
	Kind       string        `json:"kind"`
	Person     string        `json:"person,omitempty"`
	Period     string        `json:"period"`
	Amount     *skalig.Money `json:"amount,omitempty"`
	Text       *string       `json:"text,omitempty"`
	Source     string        `json:"source"`
	At         string        `json:"at"`
	Evidence   string        `json:"evidence,omitempty"`
	RecordedBy string        `json:"recorded_by,omitempty"`
}

// calculationJSON is a case's calculation in the API: casecalc.Calculation
// (as recorded) with its facts in the API's form.
type calculationJSON struct {
	*casecalc.Calculation
	Facts []factJSON `json:"facts"`
}

func factsOf(fs []skalig.Fact) []factJSON {
	out := make([]factJSON, 0, len(fs))
	for _, f := range fs {
		j := factJSON{Kind: f.Kind, Person: f.PersonID, Period: f.Period.String(), Source: string(f.Source),
			At: skalig.FormatTime(f.At), Evidence: f.Evidence, RecordedBy: f.RecordedBy}
		if f.Value.IsText {
			j.Text = &f.Value.Text
		} else {
			a := f.Value.Amount
			j.Amount = &a
		}
		out = append(out, j)
	}
	return out
}

type memberJSON struct {
	ID             string `json:"id"`
	PersonalNumber string `json:"personal_number"`
	// Name is skalig.Member.Name: the name a signer's login gave.
	Name string `json:"name,omitempty"`
	Role string `json:"role"`
}

type decisionJSON struct {
	ID          string       `json:"id"`
	Outcome     string       `json:"outcome"`
	Month       string       `json:"month"`
	Amount      skalig.Money `json:"amount"`
	Reasons     []string     `json:"reasons,omitempty"`
	Caseworker  string       `json:"decided_by_caseworker,omitempty"`
	Delegation  string       `json:"decided_by_delegation,omitempty"`
	DecidedAt   string       `json:"decided_at"`
	ReceiptHash string       `json:"receipt_hash"`
}

func decisionOf(d *skalig.Decision) *decisionJSON {
	return &decisionJSON{ID: d.ID, Outcome: string(d.Outcome), Month: d.Month.String(), Amount: d.Amount,
		Reasons: d.Reasons, Caseworker: d.DecidedBy.Caseworker, Delegation: d.DecidedBy.Delegation,
		DecidedAt: skalig.FormatTime(d.DecidedAt), ReceiptHash: d.ReceiptHash}
}

// handleCase returns a case with everything known about it. A case of a
// municipality the client may not reach is 404, as if it did not exist.
func (s *Server) handleCase(w http.ResponseWriter, r *http.Request, c *client) {
	id := r.PathValue("id")
	if _, ok := s.caseFor(w, r, c); !ok {
		return
	}
	v, err := s.wf.View(r.Context(), id, c.reader())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := caseDetail{caseSummary: caseJSON(v.Case), Facts: factsOf(v.Facts), Waiting: v.Waiting}
	if v.Calculation != nil {
		out.Calculation = &calculationJSON{Calculation: v.Calculation, Facts: factsOf(v.Calculation.Facts)}
	}
	for _, m := range v.Application.Members {
		out.Members = append(out.Members, memberJSON{ID: m.ID, PersonalNumber: m.PersonalNumber.Canonical(), Name: m.Name, Role: string(m.Role)})
	}
	if v.Routing != nil {
		out.Routing = routingOf(v.Routing.Outcome)
	}
	if v.Decision != nil {
		out.Decision = decisionOf(v.Decision)
	}
	if v.Payment != nil {
		out.Payment = &paymentJSON{ID: v.Payment.ID, Amount: v.Payment.Amount, PayOn: v.Payment.PayOn.String(),
			Status: string(v.Payment.Status)}
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// handleCases lists cases by state, a page at a time.
func (s *Server) handleCases(w http.ResponseWriter, r *http.Request, c *client) {
	q := r.URL.Query()
	f := skalig.CaseFilter{Municipality: q.Get("municipality"), State: skalig.CaseState(q.Get("state")), After: q.Get("after")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Sökningen är inte giltig.",
				Fields: []skalig.FieldError{{Field: "limit", Message: "Ange ett heltal 1-1000."}}})
			return
		}
		f.Limit = n
	}
	if f.Municipality == "" && !c.may("*") {
		if len(c.mun) != 1 {
			s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Ange kommun.",
				Fields: []skalig.FieldError{{Field: "municipality", Message: "Ange vilken kommuns ärenden du vill se."}}})
			return
		}
		f.Municipality = c.mun[0]
	}
	if f.Municipality != "" && !c.may(f.Municipality) {
		s.writeError(w, r, &skalig.Error{Code: skalig.EFORBIDDEN, Message: "API-nyckeln gäller inte den kommunen.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "API-nyckeln gäller inte kommun " + f.Municipality + "."}}})
		return
	}
	list, err := s.wf.Cases().Cases(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Cases []caseSummary `json:"cases"`
		Next  string        `json:"next,omitempty"`
	}{Cases: []caseSummary{}}
	for _, cs := range list {
		out.Cases = append(out.Cases, caseJSON(cs))
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if len(list) == limit {
		out.Next = list[len(list)-1].ID
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

type decisionRequest struct {
	Version    int             `json:"version"`
	Caseworker string          `json:"caseworker"`
	Outcome    string          `json:"outcome"`
	Amount     json.RawMessage `json:"amount"`
	Reasons    []string        `json:"reasons"`
	// Grounds are the codes of the structured grounds (skalig.Grounds).
	Grounds []string `json:"grounds"`
	// NoteToSigner is for the second person when the decision needs a
	// second signature.
	NoteToSigner string `json:"note_to_signer"`
	// KommuniceringException names the FL 25 § exception under which a
	// negative decision is made without kommunicering (see
	// internal/workflow/kommunicering.go).
	KommuniceringException string `json:"kommunicering_exception"`
}

// proposalJSON is a decision that waits for a second person's signature.
type proposalJSON struct {
	ID          string       `json:"id"`
	Status      string       `json:"status"`
	CaseVersion int          `json:"case_version"`
	Outcome     string       `json:"outcome"`
	Amount      skalig.Money `json:"amount"`
	Reasons     []string     `json:"reasons,omitempty"`
	ProposedBy  string       `json:"proposed_by"`
	ProposedAt  string       `json:"proposed_at"`
	Message     string       `json:"message"`
}

// handleDecide records the decision of the caseworker named in the body,
// made in another system, under the casework policy of the web pages
// (workflow.Decide): the client's scope must allow deciding and acting for
// persons, the caseworker must be known with a role that may make the
// decision, and the audit trail names both. Under the municipality's
// four-eyes rule the answer is 202 with the proposal, which a second
// caseworker signs in Skälig.
func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request, c *client) {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if _, ok := s.caseFor(w, r, c); !ok {
		return
	}
	data, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req decisionRequest
	if err := decodeStrict(data, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if absent(req.Amount) {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Beslutet är inte giltigt.",
			Fields: []skalig.FieldError{{Field: "amount", Message: "Ange beloppet i kronor, t.ex. 7200, eller 0 vid avslag."}}})
		return
	}
	amount, msg := parseAmount(req.Amount)
	if msg != "" {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Beslutet är inte giltigt.",
			Fields: []skalig.FieldError{{Field: "amount", Message: msg}}})
		return
	}
	actor := c.actor()
	if req.Caseworker != "" {
		actor = actor.For(req.Caseworker)
	}
	res, err := s.wf.Decide(r.Context(), workflow.DecisionRequest{CaseID: id, Version: req.Version, Actor: actor,
		Outcome: skalig.Outcome(req.Outcome), Amount: amount, Grounds: req.Grounds, Reasons: req.Reasons, NoteToSigner: req.NoteToSigner,
		KommuniceringException: req.KommuniceringException})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if p := res.Proposal; p != nil {
		s.writeJSON(w, r, http.StatusAccepted, proposalJSON{ID: p.ID, Status: p.Status, CaseVersion: p.CaseVersion,
			Outcome: string(p.Outcome), Amount: p.Amount, Reasons: p.Reasons, ProposedBy: p.ProposedBy,
			ProposedAt: skalig.FormatTime(p.ProposedAt),
			Message:    "Kommunens regel om fyra ögon gäller: beslutet väntar på att en annan handläggare signerar det i Skälig."})
		return
	}
	s.writeJSON(w, r, http.StatusCreated, decisionOf(res.Decision))
}

// handleReplay recomputes a decision from its receipt.
func (s *Server) handleReplay(w http.ResponseWriter, r *http.Request, c *client) {
	d, err := s.wf.Cases().Decision(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.wf.Cases().Case(r.Context(), d.CaseID)
	if err != nil || !c.may(cs.Municipality) {
		s.writeError(w, r, skalig.Errorf(skalig.ENOTFOUND, "Beslutet finns inte."))
		return
	}
	if err := s.wf.Cases().LogRead(r.Context(), c.actor().String(), d.CaseID, "api", "replay"); err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.wf.Replay(r.Context(), d.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, rep)
}

// handleReceipt returns the receipt of the case's decision as stored: the
// canonical JSON its hash covers.
func (s *Server) handleReceipt(w http.ResponseWriter, r *http.Request, c *client) {
	id := r.PathValue("id")
	if _, ok := s.caseFor(w, r, c); !ok {
		return
	}
	_, body, err := s.wf.Receipt(r.Context(), id, c.reader())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeBytes(w, http.StatusOK, body)
}
