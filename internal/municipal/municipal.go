// Package municipal holds each municipality's configuration: its guidelines
// for reasonable costs and its routing (delegation, exception rules, sample
// control; see internal/routing and docs/routing.md), each versioned, dated
// and with its source. The files are embedded from data/CODE.json
// (kommunkod) and validated at load.
package municipal

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"skalig"
	"skalig/internal/routing"
	"skalig/internal/rules"
)

//go:embed data/*.json
var dataFS embed.FS

// Municipality is one municipality's configuration.
type Municipality struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Guidelines []Version `json:"guidelines"`
	// Routing is the list of routing versions as written in the file
	// (routing.Parse validates it); omitted when the municipality has none.
	Routing json.RawMessage `json:"routing,omitempty"`
	// Contact is how an applicant reaches the municipality, printed on every
	// decision letter (internal/letters) and shown on the web pages where a
	// person needs it; omitted when not configured.
	Contact *Contact `json:"contact,omitempty"`
	// AccessibilityDate is the date ("YYYY-MM-DD") the accessibility
	// statement of the e-service was last reviewed, shown on the statement
	// (lagen om tillgänglighet till digital offentlig service 12 §);
	// optional.
	AccessibilityDate string `json:"accessibility_date,omitempty"`
	// DecisionDays is the municipality's promise of how many days after a
	// complete application it decides at the latest, told on the receipt;
	// 0: DefaultDecisionDays.
	DecisionDays int `json:"decision_days,omitempty"`

	routing []*routing.Config
}

// Contact is the municipality's contact details for applicants: the
// deciding board, the postal address an appeal is sent to, phone and
// e-mail. Example marks made-up details (the demo's), which a letter says
// it uses.
type Contact struct {
	// Authority is the board that decides, "Socialnämnden".
	Authority string `json:"authority"`
	// Name is who a person calls or writes to, "Socialtjänsten, Högsby
	// kommun"; empty: Authority.
	Name string `json:"name,omitempty"`
	// Address is the postal address, one string per line.
	Address []string `json:"address"`
	Phone   string   `json:"phone"`
	Email   string   `json:"email"`
	// Web is the municipality's page about ekonomiskt bistånd; optional.
	Web string `json:"web,omitempty"`
	// Hours is when the phone is answered and the office open, in Swedish
	// ("Telefontid måndag–fredag 9.00–11.30"); optional.
	Hours string `json:"hours,omitempty"`
	// Emergency is who answers out of office hours (socialjouren) and
	// EmergencyPhone their number, for eviction, violence and a child at
	// risk when the office is closed; optional, but both or neither.
	Emergency      string `json:"emergency,omitempty"`
	EmergencyPhone string `json:"emergency_phone,omitempty"`
	// Example is true when the details are made up for the demo.
	Example bool `json:"example"`
}

// Version is one version of the guidelines, in force from a month until the
// next version.
type Version struct {
	Version    string `json:"version"`
	From       string `json:"from"`
	Source     string `json:"source"`
	MaxHousing *struct {
		OneAdult  []int64 `json:"one_adult"`
		TwoAdults []int64 `json:"two_adults"`
	} `json:"max_housing"`
	MaxElectricity []int64 `json:"max_electricity"`
	WorkTravelPass int64   `json:"work_travel_pass"`
	Note           string  `json:"note"`

	from skalig.Month
}

// maxGuideline and maxWorkTravel bound a guideline's amounts, in kronor.
const (
	maxGuideline  = 1_000_000
	maxWorkTravel = 100_000
)

// versionProblem is one thing wrong with a guidelines version: the field's
// path ("max_housing.one_adult"), the text a file's reader is told, and the
// Swedish message for an administrator, naming the field in words.
type versionProblem struct {
	field, english, swedish string
}

// problems checks the amounts and the source of the guidelines version v.
func (v *Version) problems() []versionProblem {
	var ps []versionProblem
	add := func(field, english, swedish string) { ps = append(ps, versionProblem{field, english, swedish}) }
	if strings.TrimSpace(v.Source) == "" {
		add("source", "version and source are required", "Källa: skriv nämndens beslut eller var kommunen har publicerat riktlinjerna.")
	}
	amounts := func(field, label string, xs []int64) {
		for i, x := range xs {
			if x <= 0 || x > maxGuideline {
				add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%s: %d is not a reasonable amount", field, x),
					fmt.Sprintf("%s, belopp %d: ange ett belopp från %s till %s.", label, i+1, skalig.Kronor(1).Swedish(), skalig.Kronor(maxGuideline).Swedish()))
				return
			}
		}
	}
	if h := v.MaxHousing; h != nil {
		if len(h.OneAdult) == 0 {
			add("max_housing.one_adult", "max_housing needs one_adult and two_adults",
				"Högsta boendekostnad, en vuxen: fyll i beloppen, eller lämna båda raderna för boendekostnad tomma.")
		}
		if len(h.TwoAdults) == 0 {
			add("max_housing.two_adults", "max_housing needs one_adult and two_adults",
				"Högsta boendekostnad, två vuxna: fyll i beloppen, eller lämna båda raderna för boendekostnad tomma.")
		}
		amounts("max_housing.one_adult", "Högsta boendekostnad, en vuxen", h.OneAdult)
		amounts("max_housing.two_adults", "Högsta boendekostnad, två vuxna", h.TwoAdults)
	}
	amounts("max_electricity", "Högsta kostnad för hushållsel", v.MaxElectricity)
	if v.WorkTravelPass < 0 || v.WorkTravelPass > maxWorkTravel {
		add("work_travel_pass", "work_travel_pass is not a reasonable amount",
			fmt.Sprintf("Månadskort för resor till arbetet: ange 0–%s.", skalig.Kronor(maxWorkTravel).Swedish()))
	}
	return ps
}

// Set is every municipality, by code.
type Set struct {
	byCode map[string]*Municipality
}

var (
	once   sync.Once
	defSet *Set
	defErr error
)

// Default returns the embedded municipalities, loaded once.
func Default() (*Set, error) {
	once.Do(func() {
		entries, err := dataFS.ReadDir("data")
		if err != nil {
			defErr = err
			return
		}
		files := map[string][]byte{}
		for _, e := range entries {
			b, err := dataFS.ReadFile(path.Join("data", e.Name()))
			if err != nil {
				defErr = err
				return
			}
			files[e.Name()] = b
		}
		defSet, defErr = Parse(files)
	})
	return defSet, defErr
}

// Parse validates municipality files given by file name.
func Parse(files map[string][]byte) (*Set, error) {
	s := &Set{byCode: map[string]*Municipality{}}
	for name, b := range files {
		var m Municipality
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("municipal: %s: %v", name, err)
		}
		if err := m.validate(); err != nil {
			return nil, fmt.Errorf("municipal: %s: %v", name, err)
		}
		if name != m.Code+".json" {
			return nil, fmt.Errorf("municipal: %s: filen ska heta %s.json (efter kommunkoden)", name, m.Code)
		}
		s.byCode[m.Code] = &m
	}
	return s, nil
}

// validate checks m as Parse and CheckFile take it, and says the first
// thing wrong in Swedish, naming the field: the code and name, each
// guideline version, the contact, the decision days, the accessibility
// date and each routing version (routing.Check).
func (m *Municipality) validate() error {
	if len(m.Code) != 4 || !isDigits(m.Code) {
		return errors.New("kommunkod (code): ange kommunens kod med fyra siffror, till exempel 0821")
	}
	if strings.TrimSpace(m.Name) == "" {
		return errors.New("kommunens namn (name) saknas")
	}
	if len(m.Guidelines) == 0 {
		return errors.New("riktlinjer (guidelines) saknas: filen ska ha minst en version")
	}
	for i := range m.Guidelines {
		v := &m.Guidelines[i]
		label := fmt.Sprintf("riktlinjeversion %d", i+1)
		if n := strings.TrimSpace(v.Version); n != "" {
			label += " (" + n + ")"
		}
		mo, ok := skalig.ParseMonth(v.From)
		switch {
		case strings.TrimSpace(v.Version) == "":
			return fmt.Errorf("%s, version: ge versionen ett namn", label)
		case !ok:
			return fmt.Errorf("%s, från (from): %q är inte en månad som ÅÅÅÅ-MM", label, v.From)
		case i > 0 && mo <= m.Guidelines[i-1].from:
			return fmt.Errorf("%s, från (from): ska vara efter föregående versions månad", label)
		}
		v.from = mo
		if ps := v.problems(); len(ps) > 0 {
			return fmt.Errorf("%s, %s: %s", label, ps[0].field, ps[0].swedish)
		}
	}
	if c := m.Contact; c != nil {
		if c.Authority == "" || len(c.Address) == 0 || c.Phone == "" || c.Email == "" {
			return errors.New("kontaktuppgifter (contact): ange myndighet (authority), adress (address), telefon (phone) och e-post (email)")
		}
		for i, l := range c.Address {
			if l == "" {
				return fmt.Errorf("kontaktuppgifter, adress (contact.address): rad %d är tom", i+1)
			}
		}
		if (c.Emergency == "") != (c.EmergencyPhone == "") {
			return errors.New("kontaktuppgifter (contact): ange både jour (emergency) och jourens telefon (emergency_phone), eller ingen av dem")
		}
	}
	if m.DecisionDays < 0 || m.DecisionDays > 90 {
		return fmt.Errorf("handläggningstid (decision_days): %d är inte mellan 1 och 90 dagar", m.DecisionDays)
	}
	if d := m.AccessibilityDate; d != "" {
		if _, ok := skalig.ParseDate(d); !ok {
			return fmt.Errorf("tillgänglighetsredogörelsens datum (accessibility_date): %q är inte ett datum som ÅÅÅÅ-MM-DD", d)
		}
	}
	if len(m.Routing) > 0 {
		var specs []json.RawMessage
		if err := json.Unmarshal(m.Routing, &specs); err != nil {
			return errors.New("routning (routing): ska vara en lista av versioner")
		}
		var prev skalig.Month
		for i, raw := range specs {
			var s routing.Spec
			label := fmt.Sprintf("routningsversion %d", i+1)
			if err := DecodeJSON(raw, &s); err != nil {
				return fmt.Errorf("%s: %v", label, err)
			}
			if n := strings.TrimSpace(s.Version); n != "" {
				label += " (" + n + ")"
			}
			if ps := routing.Check(s); len(ps) > 0 {
				return fmt.Errorf("%s, %s: %s", label, ps[0].Field, ps[0].Message)
			}
			mo, _ := skalig.ParseMonth(s.From)
			if i > 0 && mo <= prev {
				return fmt.Errorf("%s, från (from): ska vara efter föregående versions månad", label)
			}
			prev = mo
		}
		rs, err := routing.Parse(m.Routing)
		if err != nil {
			return fmt.Errorf("routning (routing): %v", err)
		}
		m.routing = rs
	}
	return nil
}

// Codes returns the municipality codes, sorted.
func (s *Set) Codes() []string {
	var out []string
	for c := range s.byCode {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Get returns the municipality with code, or ENOTFOUND.
func (s *Set) Get(code string) (*Municipality, error) {
	m, ok := s.byCode[code]
	if !ok {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "kommunen %q finns inte i Skälig", code)
	}
	return m, nil
}

// DefaultDecisionDays is the receipt's promise when the municipality has
// configured none: two weeks.
const DefaultDecisionDays = 14

// DecisionWithin is how many days after a complete application the
// municipality decides at the latest (DecisionDays, or
// DefaultDecisionDays).
func (m *Municipality) DecisionWithin() int {
	if m.DecisionDays > 0 {
		return m.DecisionDays
	}
	return DefaultDecisionDays
}

// DisplayName is who a person contacts: Name, or else Authority.
func (c *Contact) DisplayName() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Authority
}

// Guidelines returns the guidelines of municipality code in force in month
// mo, in the engine's form. A month before the first version is EINVALID:
// the municipality had no guidelines in Skälig then.
func (s *Set) Guidelines(code string, mo skalig.Month) (*rules.Guidelines, error) {
	m, err := s.Get(code)
	if err != nil {
		return nil, err
	}
	var v *Version
	for i := range m.Guidelines {
		if m.Guidelines[i].from <= mo {
			v = &m.Guidelines[i]
		}
	}
	if v == nil {
		return nil, skalig.Errorf(skalig.EINVALID, "%s har inga riktlinjer i Skälig för %s (de första gäller från %s)", m.Name, mo, m.Guidelines[0].From)
	}
	g := &rules.Guidelines{
		Municipality: m.Code + " " + m.Name,
		Version:      v.Version + " (från " + v.From + ")",
		Source:       v.Source,
		WorkTravel:   skalig.Kronor(v.WorkTravelPass),
	}
	if h := v.MaxHousing; h != nil {
		g.MaxHousing[0] = kronor(h.OneAdult)
		g.MaxHousing[1] = kronor(h.TwoAdults)
	}
	g.MaxElectricity = kronor(v.MaxElectricity)
	return g, nil
}

// Routing returns the routing configuration of municipality code in force in
// month mo. A municipality without routing configuration, or a month before
// its first version, is EINVALID: the caller must not route without one
// (a nil *routing.Config routes with no delegation, so that the robot only
// proposes, if a caller wants that fallback).
func (s *Set) Routing(code string, mo skalig.Month) (*routing.Config, error) {
	m, err := s.Get(code)
	if err != nil {
		return nil, err
	}
	if len(m.routing) == 0 {
		return nil, skalig.Errorf(skalig.EINVALID, "%s har ingen konfiguration för automatiserade beslut (routing) i Skälig", m.Name)
	}
	c := routing.At(m.routing, mo)
	if c == nil {
		return nil, skalig.Errorf(skalig.EINVALID, "%s har ingen konfiguration för automatiserade beslut (routing) i Skälig för %s (den första gäller från %s)", m.Name, mo, m.routing[0].From())
	}
	return c, nil
}

func kronor(xs []int64) []skalig.Money {
	if len(xs) == 0 {
		return nil
	}
	out := make([]skalig.Money, len(xs))
	for i, x := range xs {
		out[i] = skalig.Kronor(x)
	}
	return out
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
