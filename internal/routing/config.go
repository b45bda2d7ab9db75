package routing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"skalig"
	"skalig/internal/rules"
)

// Spec is one version of a municipality's routing configuration in its file
// form: the "routing" list of the municipal file (internal/municipal/data/
// CODE.json) holds one Spec per version. docs/routing.md documents it.
type Spec struct {
	// Version names this version; From is the first month it applies to
	// ("YYYY-MM"), until the next version's From; Source cites the board's
	// decision (the delegation order) it mirrors.
	Version string `json:"version"`
	From    string `json:"from"`
	Source  string `json:"source"`
	// Delegations are the case groups the board has delegated to the
	// automated decision function, in the order they are tried. None: the
	// robot only proposes.
	Delegations []DelegationSpec `json:"delegations"`
	// SampleRate is the share of cases (0-1) drawn for sample control;
	// SampleSeed the key of the draw (required when SampleRate > 0).
	SampleRate float64 `json:"sample_rate"`
	SampleSeed string  `json:"sample_seed"`
	// IncomeTolerance is the largest difference in kronor between a declared
	// income and the register's that does not stop the robot (0: any).
	IncomeTolerance int64 `json:"income_tolerance"`
	// BankLimit is the largest bank balance in kronor that does not stop the
	// robot (0: any balance above zero stops it).
	BankLimit int64 `json:"bank_limit"`
	// Registers are the register sources that must have answered for every
	// adult of the household; nil means all (skalig.RegisterNames).
	Registers []string `json:"registers"`
	// ResidenceByPopulationRegister, when true, takes a member with a
	// Swedish personnummer whom Migrationsverket does not know (never had a
	// permit or a case there) as lawfully resident through the population
	// register, from 2027-01 (rules.RuleLawfulResidence). False (the
	// default): such a member's residence is unknown and the case goes to
	// a person (residence_unknown).
	ResidenceByPopulationRegister bool `json:"lawful_residence_by_population_register,omitempty"`
	// Rules are the municipality's exception rules.
	Rules []RuleSpec `json:"rules"`
	// Note is free text for the reader of the file.
	Note string `json:"note,omitempty"`
}

// DelegationSpec is one point of the delegation order that allows the
// automated function to decide a group of cases. A case is in the group when
// every condition holds.
type DelegationSpec struct {
	// Name cites the delegation as the delegation order does; it becomes
	// the decision's skalig.Decider.Delegation.
	Name string `json:"name"`
	// Kinds are the application kinds covered: ["monthly"]. A first
	// application always goes to a person (first_application), so "first"
	// is refused here rather than silently never applying.
	Kinds []skalig.ApplicationKind `json:"kinds"`
	// Outcomes are the outcomes the function may decide; omitted means
	// ["approved"]. A rejection or a partial approval is decided
	// automatically only when listed here.
	Outcomes []skalig.Outcome `json:"outcomes,omitempty"`
	// MaxAmount is the highest aid in kronor for the month that the
	// function may decide.
	MaxAmount int64 `json:"max_amount"`
	// UnchangedOnly limits the group to re-applications without changes:
	// the household's previous decided month is the month before, and its
	// declared and register facts are the same as this month's.
	UnchangedOnly bool `json:"unchanged_only,omitempty"`
}

// RuleSpec is a municipal exception rule: when Expression (CEL, over the
// variables of docs/routing.md) is true, the robot stops with Reason.
type RuleSpec struct {
	// Name is a code of lower-case letters, digits and '_'; the reason code
	// is "municipal:" + Name.
	Name       string `json:"name"`
	Expression string `json:"expression"`
	// Reason is the plain Swedish text the caseworker sees.
	Reason string `json:"reason"`
}

// Config is one validated version of a routing configuration with its
// rules compiled. It is immutable and safe for concurrent use.
type Config struct {
	spec      Spec
	from      skalig.Month
	registers []string
	rules     []rule
	// macs are HMACs keyed with the sample seed, reset for the next draw
	// (a reset HMAC skips hashing the key again).
	macs sync.Pool
}

// nilConfig is what a nil *Config routes with.
var nilConfig = Config{registers: skalig.RegisterNames}

// Limits of the configuration.
const (
	maxAmountLimit = 1_000_000  // kronor: the highest max_amount and income_tolerance
	maxBankLimit   = 10_000_000 // kronor
	minSeedLength  = 8
)

// New validates s and compiles its rules. Errors name the version and the
// field: `version "2026-1": delegations[0].max_amount: ...`. Check gives
// every problem, in Swedish, for a form.
func New(s Spec) (*Config, error) {
	c, ps := build(s)
	if len(ps) > 0 {
		return nil, fmt.Errorf("version %q: %s", s.Version, ps[0].english)
	}
	return c, nil
}

// clone copies the slices of s, so that a Config never shares them with its
// caller.
func (s Spec) clone() Spec {
	s.Delegations = slices.Clone(s.Delegations)
	for i := range s.Delegations {
		d := &s.Delegations[i]
		d.Kinds = slices.Clone(d.Kinds)
		d.Outcomes = slices.Clone(d.Outcomes)
	}
	s.Registers = slices.Clone(s.Registers)
	s.Rules = slices.Clone(s.Rules)
	return s
}

// ParseVersion parses and validates one version in its JSON form. Unknown
// keys are errors.
func ParseVersion(data []byte) (*Config, error) {
	var s Spec
	if err := decodeStrict(data, &s); err != nil {
		return nil, err
	}
	return New(s)
}

// ReadVersion parses and validates one version in its JSON form, as
// ParseVersion does, for a person who sent it: a version that does not
// read or validate is *skalig.Error EINVALID, in Swedish, with every
// problem on its field ("rules[1].expression", each FieldError with its
// Detail) as Check gives them.
func ReadVersion(data []byte) (*Config, error) {
	var s Spec
	if err := decodeStrict(data, &s); err != nil {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Versionen kunde inte läsas som JSON: " + err.Error()}
	}
	c, ps := build(s)
	if len(ps) > 0 {
		e := &skalig.Error{Code: skalig.EINVALID, Message: "Versionen är inte giltig: " + ps[0].Message}
		for _, p := range ps {
			fe := skalig.FieldError{Field: p.Field, Message: p.Message}
			if p.Detail.ID != "" {
				fe.Detail = &p.Detail
			}
			e.Fields = append(e.Fields, fe)
		}
		return nil, e
	}
	return c, nil
}

// Parse parses and validates the JSON list of versions, each From after
// the previous one's. Errors name the version by its index and name:
// `routing[1]: version "2026-1": rules[0] "x": ...`.
func Parse(data []byte) ([]*Config, error) {
	var specs []Spec
	if err := decodeStrict(data, &specs); err != nil {
		return nil, fmt.Errorf("routing: %w", err)
	}
	out := make([]*Config, 0, len(specs))
	for i, s := range specs {
		c, err := New(s)
		if err != nil {
			return nil, fmt.Errorf("routing[%d]: %w", i, err)
		}
		if i > 0 && c.from <= out[i-1].from {
			return nil, fmt.Errorf("routing[%d]: version %q: from: %s must be after the previous version's %s", i, s.Version, s.From, out[i-1].spec.From)
		}
		out = append(out, c)
	}
	return out, nil
}

// At returns the version of versions (ordered by From, as Parse returns
// them) in force in month mo, or nil when mo is before the first.
func At(versions []*Config, mo skalig.Month) *Config {
	var c *Config
	for _, v := range versions {
		if v.from <= mo {
			c = v
		}
	}
	return c
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// Version is the name of this version ("" for a nil c).
func (c *Config) Version() string {
	if c == nil {
		return ""
	}
	return c.spec.Version
}

// From is the first month this version applies to.
func (c *Config) From() skalig.Month {
	if c == nil {
		return 0
	}
	return c.from
}

// Spec returns a copy of the configuration as given (with defaults filled
// in: a delegation's omitted outcomes become ["approved"]).
func (c *Config) Spec() Spec {
	if c == nil {
		return nilConfig.spec
	}
	return c.spec.clone()
}

// sampled reports whether c draws samples.
func (c *Config) sampled() bool { return c.spec.SampleSeed != "" }

// Registers returns the register sources that must answer for every adult
// of a case before the robot may decide: the ones the fetch step asks. A nil
// c requires every register.
func (c *Config) Registers() []string {
	if c == nil {
		return slices.Clone(skalig.RegisterNames)
	}
	return slices.Clone(c.registers)
}

// RegistersAt returns Registers as they apply to a case of month m: the
// population register only from rules.RuleLawfulResidence, since no rule
// reads it before (a source no rule needs never holds a case up).
func (c *Config) RegistersAt(m skalig.Month) []string {
	regs := slices.Clone(c.Registers()) // a nil c's is skalig.RegisterNames itself
	if !rules.RuleLawfulResidence.InForce(m) {
		regs = slices.DeleteFunc(regs, func(s string) bool { return s == skalig.RegisterPopulation })
	}
	return regs
}
