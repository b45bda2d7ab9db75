package skalig

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

// ReceiptFormat is the version of the canonical encoding of a Receipt. It is
// part of what is hashed, so a future encoding can never collide with this one.
const ReceiptFormat = 1

// Receipt is everything needed to reproduce and check a decision years later:
// the inputs (the household and the facts used), the parameter set and its
// status, the engine and municipal guideline versions, the result and trace
// the engine produced, and the decision made on them. Hash is a SHA-256 over
// the canonical JSON of all of it; a decision refers to its receipt by Hash.
//
// The root package does not know the engine's types: Result and Trace are
// the engine's own JSON (internal/calcformat), kept as it produced them and
// canonicalised (object keys sorted, no insignificant space) before hashing.
type Receipt struct {
	CaseID string
	Month  Month
	// CalculatedOn is the date the calculation was made as of: the engine
	// never reads the clock, so this is an input to reproduce it.
	CalculatedOn Date
	Members      []Member
	Facts        []Fact

	ParamSet         string // the parameter set id, "riksnorm-2026"
	ParamStatus      string // its weakest status: "official" or "provisional"
	EngineVersion    string // rules.EngineVersion
	GuidelineVersion string // the municipality's guidelines version; "" if none applied

	Result json.RawMessage // the engine's result figures
	Trace  json.RawMessage // the engine's trace lines

	Outcome   Outcome
	Amount    Money
	DecidedBy Decider

	Hash string // hex SHA-256 of CanonicalJSON; set by Seal

	sealed []byte // the canonical JSON Seal hashed
}

type receiptJSON struct {
	Format           int             `json:"format"`
	CaseID           string          `json:"case_id"`
	Month            string          `json:"month"`
	CalculatedOn     string          `json:"calculated_on"`
	Members          []Member        `json:"members"`
	Facts            []Fact          `json:"facts"`
	ParamSet         string          `json:"param_set"`
	ParamStatus      string          `json:"param_status"`
	EngineVersion    string          `json:"engine_version"`
	GuidelineVersion string          `json:"guideline_version"`
	Result           json.RawMessage `json:"result"`
	Trace            json.RawMessage `json:"trace"`
	Outcome          string          `json:"outcome"`
	Amount           string          `json:"amount"`
	DecidedBy        Decider         `json:"decided_by"`
}

// CanonicalJSON returns the canonical encoding of r without its Hash: fixed
// field order, amounts as exact kronor strings, months "YYYY-MM", times UTC
// with microseconds, and Result and Trace with sorted keys and no
// insignificant space. Equal receipts give equal bytes. It fails only when
// Result or Trace is not valid JSON.
func (r *Receipt) CanonicalJSON() ([]byte, error) {
	res, err := CanonicalizeJSON(r.Result)
	if err != nil {
		return nil, fmt.Errorf("receipt result: %w", err)
	}
	tr, err := CanonicalizeJSON(r.Trace)
	if err != nil {
		return nil, fmt.Errorf("receipt trace: %w", err)
	}
	members, facts := r.Members, r.Facts
	if members == nil {
		members = []Member{}
	}
	if facts == nil {
		facts = []Fact{}
	}
	return canonicalJSON(receiptJSON{
		Format: ReceiptFormat, CaseID: r.CaseID, Month: r.Month.String(), CalculatedOn: r.CalculatedOn.String(),
		Members: members, Facts: facts,
		ParamSet: r.ParamSet, ParamStatus: r.ParamStatus, EngineVersion: r.EngineVersion, GuidelineVersion: r.GuidelineVersion,
		Result: res, Trace: tr,
		Outcome: string(r.Outcome), Amount: r.Amount.String(), DecidedBy: r.DecidedBy,
	})
}

// ComputeHash returns the hex SHA-256 of r's canonical JSON, or "" when r
// cannot be encoded (Result or Trace not JSON), which no Hash ever equals.
func (r *Receipt) ComputeHash() string {
	b, err := r.CanonicalJSON()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Seal validates r and sets its Hash.
func (r *Receipt) Seal() error {
	if err := r.Validate(); err != nil {
		return err
	}
	b, err := r.CanonicalJSON()
	if err != nil {
		return Errorf(EINVALID, "Underlaget kan inte skrivas som JSON: %v", err)
	}
	sum := sha256.Sum256(b)
	r.Hash, r.sealed = hex.EncodeToString(sum[:]), b
	return nil
}

// SealedJSON returns the canonical JSON whose hash is Hash: the bytes Seal
// hashed when r was sealed in this process (so what is stored is exactly
// what was sealed, without encoding the receipt again), else CanonicalJSON
// checked against Hash. It fails when they do not match.
func (r *Receipt) SealedJSON() ([]byte, error) {
	b := r.sealed
	if b == nil {
		var err error
		if b, err = r.CanonicalJSON(); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(b)
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(r.Hash)) != 1 {
		return nil, fmt.Errorf("the receipt's hash does not match its content")
	}
	return b, nil
}

// Verify reports whether Hash is the hash of r's content, i.e. nothing in
// the receipt changed since it was sealed.
func (r *Receipt) Verify() bool {
	h := r.ComputeHash()
	return h != "" && subtle.ConstantTimeCompare([]byte(h), []byte(r.Hash)) == 1
}

// Validate checks that r has what a reproduction needs and returns *Error
// EINVALID with per-field messages.
func (r *Receipt) Validate() error {
	var fe []FieldError
	add := func(field, msg string) { fe = append(fe, FieldError{Field: field, Message: msg}) }
	if r.CaseID == "" {
		add("case_id", "Ärende saknas.")
	}
	if !validMonth(r.Month) {
		add("month", "Ange månaden som ÅÅÅÅ-MM.")
	}
	if _, ok := ParseDate(r.CalculatedOn.String()); !ok {
		add("calculated_on", "Beräkningsdatum saknas.")
	}
	if len(r.Members) == 0 {
		add("members", "Hushållet saknas.")
	}
	for i, m := range r.Members {
		if err := m.PersonalNumber.Validate(); err != nil {
			add("members["+strconv.Itoa(i)+"].personal_number", ErrorMessage(err))
		}
	}
	for i := range r.Facts {
		r.Facts[i].validate("facts["+strconv.Itoa(i)+"].", &fe, true)
	}
	if r.ParamSet == "" {
		add("param_set", "Parameteruppsättning saknas.")
	}
	if r.ParamStatus == "" {
		add("param_status", "Parametrarnas status saknas.")
	}
	if r.EngineVersion == "" {
		add("engine_version", "Beräkningsversion saknas.")
	}
	if _, err := CanonicalizeJSON(r.Result); err != nil || len(r.Result) == 0 {
		add("result", "Beräkningsresultatet saknas eller är inte JSON.")
	}
	if _, err := CanonicalizeJSON(r.Trace); err != nil || len(r.Trace) == 0 {
		add("trace", "Beräkningens förklaring saknas eller är inte JSON.")
	}
	if !r.Outcome.Valid() {
		add("outcome", "Ange bifall, delvis bifall eller avslag.")
	}
	if !r.DecidedBy.valid() {
		add("decided_by", "Ange antingen handläggaren eller delegationen för det automatiserade beslutet.")
	}
	return invalid("Beslutsunderlaget är inte fullständigt.", fe)
}

// ParseReceipt reads the canonical JSON that CanonicalJSON writes. The
// result has no Hash: the caller sets the stored one and calls Verify.
func ParseReceipt(data []byte) (*Receipt, error) {
	var w receiptJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("parse receipt: %w", err)
	}
	if w.Format != ReceiptFormat {
		return nil, fmt.Errorf("parse receipt: format %d, want %d", w.Format, ReceiptFormat)
	}
	month, ok := ParseMonth(w.Month)
	if !ok {
		return nil, fmt.Errorf("parse receipt: month %q", w.Month)
	}
	on, ok := ParseDate(w.CalculatedOn)
	if !ok {
		return nil, fmt.Errorf("parse receipt: calculated_on %q", w.CalculatedOn)
	}
	amount, ok := ParseMoney(w.Amount)
	if !ok {
		return nil, fmt.Errorf("parse receipt: amount %q", w.Amount)
	}
	return &Receipt{
		CaseID: w.CaseID, Month: month, CalculatedOn: on, Members: w.Members, Facts: w.Facts,
		ParamSet: w.ParamSet, ParamStatus: w.ParamStatus, EngineVersion: w.EngineVersion, GuidelineVersion: w.GuidelineVersion,
		Result: w.Result, Trace: w.Trace,
		Outcome: Outcome(w.Outcome), Amount: amount, DecidedBy: w.DecidedBy,
	}, nil
}

// canonicalJSON encodes v without HTML escaping and without the trailing
// newline. With structs of fixed field order and maps (sorted by
// encoding/json) it is deterministic.
func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// canonicalRaw re-encodes the JSON document raw with object keys sorted and
// no insignificant space. Numbers keep their literal form (json.Number), so
// nothing is rounded through float64. Empty raw is null.
func CanonicalizeJSON(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("null"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	b, err := canonicalJSON(v)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}
