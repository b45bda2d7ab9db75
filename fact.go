package skalig

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// FactSource says who asserted a fact: the applicant, a register (with the
// source named, "register:fk"), a caseworker, or the system itself.
type FactSource string

// Fact sources. A register source is written RegisterSource("fk").
const (
	SourceApplicant  FactSource = "applicant"
	SourceCaseworker FactSource = "caseworker"
	SourceSystem     FactSource = "system"
	registerPrefix              = "register:"
)

// RegisterSource returns the source for register name, e.g. "register:fk"
// for Försäkringskassan. Names are the stable lower-case codes of the
// connectors (see registries.md).
func RegisterSource(name string) FactSource { return FactSource(registerPrefix + name) }

// Register returns the register name of a register source, and whether s is one.
func (s FactSource) Register() (string, bool) {
	name, ok := strings.CutPrefix(string(s), registerPrefix)
	if !ok {
		return "", false
	}
	return name, true
}

// Valid reports whether s is one of the sources, with a register name of
// lower-case letters, digits, '_' and '-' for a register source.
func (s FactSource) Valid() bool {
	switch s {
	case SourceApplicant, SourceCaseworker, SourceSystem:
		return true
	}
	name, ok := s.Register()
	return ok && isCode(name, "_-", 32)
}

// FactValue is the value of a fact: an amount, or a text (a yes/no, a code,
// a date) when IsText. An amount of zero is a value too ("no income"), which
// is why the kind of value is explicit.
type FactValue struct {
	Amount Money
	Text   string
	IsText bool
}

// AmountValue returns an amount value.
func AmountValue(m Money) FactValue { return FactValue{Amount: m} }

// TextValue returns a text value.
func TextValue(s string) FactValue { return FactValue{Text: s, IsText: true} }

// String returns the amount in the machine form of Money.String, or the text.
func (v FactValue) String() string {
	if v.IsText {
		return v.Text
	}
	return v.Amount.String()
}

// Fact is one asserted piece of information about a household or a person
// for a month, with its provenance: the source, when it was asserted and a
// reference to the raw evidence (a register response, an uploaded document).
// Facts are never changed: a correction is a newer fact from another source.
type Fact struct {
	// Kind is a stable lower-case code such as "income.salary_net" or
	// "cost.housing"; the calculation and routing give codes their meaning.
	Kind string
	// PersonID is the household member the fact concerns (Member.ID), or ""
	// for the household as a whole.
	PersonID string
	Period   Month
	Value    FactValue
	Source   FactSource
	At       time.Time
	// Evidence refers to the raw evidence: "ssbtek:response/8f3a…",
	// "upload:…". Required for register facts.
	Evidence string
	// RecordedBy names the caseworker who recorded a caseworker fact.
	RecordedBy string
}

// Validate checks f and returns *Error EINVALID with per-field messages.
func (f *Fact) Validate() error {
	var fe []FieldError
	f.validate("", &fe, true)
	return invalid("Uppgiften är inte giltig.", fe)
}

// validate appends f's field errors, each path prefixed by path. A fact
// declared in an application may leave At zero: the store sets it to the
// time of submission.
func (f *Fact) validate(path string, fe *[]FieldError, requireAt bool) {
	add := func(field, msg string) { *fe = append(*fe, FieldError{Field: path + field, Message: msg}) }
	switch {
	case !isCode(f.Kind, "_.", 64):
		add("kind", "Ange uppgiftens slag med små bokstäver, siffror, punkt och understreck.")
	case f.Kind[0] == '.' || f.Kind[len(f.Kind)-1] == '.' || strings.Contains(f.Kind, ".."):
		add("kind", "Ange uppgiftens slag fullständigt, t.ex. cost.housing: ett namn före och efter varje punkt.")
	}
	if f.PersonID != "" && !isCode(f.PersonID, "_-", 32) {
		add("person", "Ogiltig personhänvisning.")
	}
	if !validMonth(f.Period) {
		add("period", "Ange en månad som ÅÅÅÅ-MM.")
	}
	switch v := f.Value; {
	case v.IsText && v.Amount != 0:
		add("value", "En uppgift är antingen ett belopp eller en text, inte båda.")
	case v.IsText && (v.Text == "" || len(v.Text) > 1000):
		add("value", "Texten ska vara 1-1000 tecken.")
	case v.IsText && ContainsControl(v.Text):
		add("value", ControlCharMessage)
	case !v.IsText && v.Text != "":
		add("value", "En uppgift är antingen ett belopp eller en text, inte båda.")
	case !v.IsText && (v.Amount > MaxMoney || v.Amount < -MaxMoney):
		add("value", "Beloppet är orimligt stort.")
	}
	if !f.Source.Valid() {
		add("source", "Okänd källa.")
	}
	if requireAt && f.At.IsZero() {
		add("at", "Tidpunkt saknas.")
	}
	if _, reg := f.Source.Register(); reg && f.Evidence == "" {
		add("evidence", "En registeruppgift måste hänvisa till registersvaret.")
	}
	if f.Source == SourceCaseworker && f.RecordedBy == "" {
		add("recorded_by", "Ange vilken handläggare som registrerade uppgiften.")
	}
}

// factJSON is the JSON form of a Fact. Amounts are strings in kronor
// ("7200.50") and months "YYYY-MM", so that the form is exact, readable and
// reads back to the same Fact; times are UTC with microseconds, the precision
// both databases keep.
type factJSON struct {
	Kind       string  `json:"kind"`
	Person     string  `json:"person,omitempty"`
	Period     string  `json:"period"`
	Amount     *string `json:"amount,omitempty"`
	Text       *string `json:"text,omitempty"`
	Source     string  `json:"source"`
	At         string  `json:"at"`
	Evidence   string  `json:"evidence,omitempty"`
	RecordedBy string  `json:"recorded_by,omitempty"`
}

// MarshalJSON writes f in the form UnmarshalJSON reads, which is also the
// form inside receipts and hashes.
func (f Fact) MarshalJSON() ([]byte, error) {
	w := factJSON{
		Kind: f.Kind, Person: f.PersonID, Period: f.Period.String(),
		Source: string(f.Source), At: FormatTime(f.At),
		Evidence: f.Evidence, RecordedBy: f.RecordedBy,
	}
	if f.Value.IsText {
		w.Text = &f.Value.Text
	} else {
		a := f.Value.Amount.String()
		w.Amount = &a
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (f *Fact) UnmarshalJSON(data []byte) error {
	var w factJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	period, ok := ParseMonth(w.Period)
	if !ok {
		return fmt.Errorf("fact period %q: not YYYY-MM", w.Period)
	}
	at, err := ParseTime(w.At)
	if err != nil {
		return fmt.Errorf("fact time: %w", err)
	}
	var v FactValue
	switch {
	case w.Amount != nil && w.Text != nil:
		return fmt.Errorf("fact has both amount and text")
	case w.Text != nil:
		v = TextValue(*w.Text)
	case w.Amount != nil:
		m, ok := ParseMoney(*w.Amount)
		if !ok {
			return fmt.Errorf("fact amount %q: not an amount", *w.Amount)
		}
		v = AmountValue(m)
	default:
		return fmt.Errorf("fact has no value")
	}
	*f = Fact{
		Kind: w.Kind, PersonID: w.Person, Period: period, Value: v,
		Source: FactSource(w.Source), At: at, Evidence: w.Evidence, RecordedBy: w.RecordedBy,
	}
	return nil
}

// TimeFormat is how Skälig writes an instant wherever it must read back
// identically (receipts, hashes, SQLite): UTC with exactly six decimals, the
// precision PostgreSQL keeps.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// FormatTime writes t in TimeFormat, truncated to the microsecond.
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(TimeFormat) }

// ParseTime reads an instant in RFC 3339 (TimeFormat is one form of it) and
// returns it in UTC truncated to the microsecond, as FormatTime would.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

// isCode reports whether s is 1-max characters of lower-case ASCII letters,
// digits and the characters in extra.
func isCode(s, extra string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && !strings.ContainsRune(extra, rune(c)) {
			return false
		}
	}
	return true
}

// validMonth reports whether m is a month ParseMonth accepts (1900-2999).
func validMonth(m Month) bool {
	return m >= MonthOf(1900, 1) && m <= MonthOf(2999, 12)
}

// invalid returns nil for no field errors, else *Error EINVALID with msg.
func invalid(msg string, fe []FieldError) error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fe}
}

// SourceSums adds up amounts of one kind, person and month by who gave
// them: the applicant's declared figures, the registers' (with which
// registers), and the figure a caseworker recorded (the latest counts,
// with who recorded it). Routing's comparison of declared and register
// incomes and the caseworker's side-by-side table both sum this way.
type SourceSums struct {
	Declared, Register, Caseworker          Money
	HasDeclared, HasRegister, HasCaseworker bool
	Registers                               []string // the registers that reported, in the order seen
	CaseworkerBy                            string   // who recorded Caseworker
}

// Add counts f's amount by its source; a fact of another source (a
// parameter, the system) is not counted. The caller picks the facts (kind,
// person, month, amounts only).
func (s *SourceSums) Add(f *Fact) {
	reg, isReg := f.Source.Register()
	switch {
	case f.Source == SourceApplicant:
		s.Declared += f.Value.Amount
		s.HasDeclared = true
	case isReg:
		s.Register += f.Value.Amount
		s.HasRegister = true
		if !slices.Contains(s.Registers, reg) {
			s.Registers = append(s.Registers, reg)
		}
	case f.Source == SourceCaseworker:
		s.Caseworker, s.HasCaseworker, s.CaseworkerBy = f.Value.Amount, true, f.RecordedBy
	}
}
