// Package gallring decides, per person, what of a personakt is gallrad and
// what is kept, and why: pure functions over the rules (Rules) and what the
// store knows of each person's cases (Person). The store deletes what Plan
// says; nothing here touches a database.
//
// The law (docs/gallring.md):
//
//   - Socialtjänstlagen (2025:400) 16 kap. 1 §: data in a personakt is
//     gallrad five years after the last entry in the akt, and the gallring is
//     finished at the latest in the calendar year after the duty arose.
//   - 16 kap. 4 § and Socialtjänstförordningen (2025:468) 13 kap. 1 §: for
//     research, in the municipalities of Östergötlands, Gotlands and
//     Västernorrlands län and in Göteborgs kommun everything is kept; in
//     every other municipality what concerns persons born on the 5th, 15th
//     and 25th of a month.
package gallring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"skalig"
)

// RuleVersion names the rules of the law this package implements; a
// gallring run records it.
const RuleVersion = "sol-2025:400-16:1+sof-2025:468-13:1/v1"

// Research sample modes.
const (
	ResearchAuto      = "auto"       // from the municipality's county (the law)
	ResearchAll       = "alla"       // everyone is kept
	ResearchBirthDays = "födelsedag" // persons born on BirthDays are kept
)

// Rules are a municipality's gallring rules. The zero value is not valid:
// start from Default.
type Rules struct {
	// Municipality is the kommunkod the rules are for.
	Municipality string `json:"municipality"`
	// RetentionYears is how long after the last entry a personakt is kept:
	// five, by the law.
	RetentionYears int `json:"retention_years"`
	// Research is how the research sample is chosen: ResearchAuto (the
	// law: the county decides), ResearchAll or ResearchBirthDays.
	Research string `json:"research_sample"`
	// BirthDays are the days of the month whose persons are kept when the
	// sample is by birth day: 5, 15 and 25 by the law.
	BirthDays []int `json:"research_birth_days"`
	// BatchSize is how many cases one transaction of a run removes.
	BatchSize int `json:"batch_size"`
}

// Default returns the rules of the law for municipality (a kommunkod).
func Default(municipality string) Rules {
	return Rules{Municipality: municipality, RetentionYears: 5, Research: ResearchAuto, BirthDays: []int{5, 15, 25}, BatchSize: 50}
}

// allCountyCodes are the län (first two digits of the kommunkod) where
// every person is in the research sample, and allMunicipalities the single
// municipalities: SoF (2025:468) 13 kap. 1 §.
var (
	allCounties       = map[string]string{"05": "Östergötlands län", "09": "Gotlands län", "22": "Västernorrlands län"}
	allMunicipalities = map[string]string{"1480": "Göteborgs kommun"}
)

// Error is a rule that is wrong: Key names the configuration key, Msg says
// what is wrong, in Swedish.
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("Gallringsreglerna: %s: %s", e.Key, e.Msg) }

// Validate checks r; the error is an *Error naming the key.
func (r Rules) Validate() error {
	if len(r.Municipality) != 4 || strings.Trim(r.Municipality, "0123456789") != "" {
		return &Error{Key: "municipality", Msg: fmt.Sprintf("%q är ingen kommunkod med fyra siffror.", r.Municipality)}
	}
	if r.RetentionYears != 5 {
		return &Error{Key: "retention_years", Msg: fmt.Sprintf("måste vara 5 (socialtjänstlagen 16 kap. 1 §), inte %d.", r.RetentionYears)}
	}
	switch r.Research {
	case ResearchAuto, ResearchAll, ResearchBirthDays:
	default:
		return &Error{Key: "research_sample", Msg: fmt.Sprintf("okänt värde %q; tillåtna är %q, %q och %q.", r.Research, ResearchAuto, ResearchAll, ResearchBirthDays)}
	}
	if r.Research != ResearchAll && len(r.BirthDays) == 0 {
		return &Error{Key: "research_birth_days", Msg: "ange minst en dag (lagen: 5, 15 och 25)."}
	}
	for _, d := range r.BirthDays {
		if d < 1 || d > 31 {
			return &Error{Key: "research_birth_days", Msg: fmt.Sprintf("%d är ingen dag i en månad (1–31).", d)}
		}
	}
	if r.Research == ResearchAuto && !slices.Equal(sortedCopy(r.BirthDays), []int{5, 15, 25}) {
		return &Error{Key: "research_birth_days", Msg: fmt.Sprintf("med %q gäller lagens dagar 5, 15 och 25, inte %v; välj %q för andra dagar.", ResearchAuto, r.BirthDays, ResearchBirthDays)}
	}
	if r.Research == ResearchBirthDays {
		if why, all := lawAll(r.Municipality); all {
			return &Error{Key: "research_sample", Msg: fmt.Sprintf("i %s undantas alla personer från gallring (socialtjänstförordningen 13 kap. 1 §); urval efter födelsedag är inte tillåtet.", why)}
		}
	}
	if r.BatchSize < 1 || r.BatchSize > 10000 {
		return &Error{Key: "batch_size", Msg: fmt.Sprintf("måste vara mellan 1 och 10000, inte %d.", r.BatchSize)}
	}
	return nil
}

func sortedCopy(s []int) []int {
	c := slices.Clone(s)
	sort.Ints(c)
	return c
}

// lawAll reports whether the law keeps everyone in municipality, and where.
func lawAll(municipality string) (string, bool) {
	if n, ok := allMunicipalities[municipality]; ok {
		return n, true
	}
	if len(municipality) == 4 {
		if n, ok := allCounties[municipality[:2]]; ok {
			return n, true
		}
	}
	return "", false
}

// ParseRules reads rules as JSON over Default(municipality): every key
// given replaces the default, an unknown key is an error naming it.
func ParseRules(b []byte, municipality string) (Rules, error) {
	r := Default(municipality)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return Rules{}, &Error{Key: "(filen)", Msg: "är inte ett JSON-objekt: " + err.Error()}
	}
	known := map[string]bool{"municipality": true, "retention_years": true, "research_sample": true, "research_birth_days": true, "batch_size": true}
	for k := range keys {
		if !known[k] {
			return Rules{}, &Error{Key: k, Msg: "okänd nyckel; kända är municipality, retention_years, research_sample, research_birth_days och batch_size."}
		}
	}
	for k, v := range keys {
		var err error
		switch k {
		case "municipality":
			err = json.Unmarshal(v, &r.Municipality)
		case "retention_years":
			err = json.Unmarshal(v, &r.RetentionYears)
		case "research_sample":
			err = json.Unmarshal(v, &r.Research)
		case "research_birth_days":
			r.BirthDays = nil
			err = json.Unmarshal(v, &r.BirthDays)
		case "batch_size":
			err = json.Unmarshal(v, &r.BatchSize)
		}
		if err != nil {
			return Rules{}, &Error{Key: k, Msg: fmt.Sprintf("fel typ av värde (%s).", bytes.TrimSpace(v))}
		}
	}
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	return r, nil
}

// JSON returns the rules as a run records them.
func (r Rules) JSON() []byte {
	b, _ := json.Marshal(r)
	return b
}

// Case is what gallring needs of one case of a person.
type Case struct {
	ID    string
	State skalig.CaseState
	// LastEntry is the time of the last entry in the case: the latest of
	// its changes, decision, messages, documents and notes.
	LastEntry time.Time
	// Persons are the personnummer of everyone in the case (the household).
	Persons []skalig.PersonalNumber
	// Appealed: the case is under review or appeal (a review request or
	// an appeal that is open, or an appeal forwarded to the court):
	// store.GallringPersons reads review_requests.
	Appealed bool
	// OpenClaim: the case has an open claim (återkrav). Claims are
	// recorded on a person (Person.OpenClaim); this is for a claim that
	// names one case.
	OpenClaim bool
}

// undecided reports whether c has not been decided (nor withdrawn).
func (c Case) undecided() bool {
	switch c.State {
	case skalig.StateDecided, skalig.StateNotified, skalig.StatePaid, skalig.StateClosed, skalig.StateWithdrawn:
		return false
	}
	return true
}

// Person is one personakt: a person's cases in one municipality.
type Person struct {
	PN    skalig.PersonalNumber
	Cases []Case
	// OpenClaim: the municipality has an open claim (återkrav) on the
	// person (store: claims); the whole akt is kept while it is open.
	OpenClaim bool
}

// Verdict is what happens to one personakt, and why.
type Verdict struct {
	PN      skalig.PersonalNumber
	Gallras bool
	// Sample: the akt is kept because the person is in the research
	// sample (it is what an archive export takes once Due has passed).
	Sample    bool
	LastEntry skalig.Date
	// Due is the day the duty to gallra arose (LastEntry + five years),
	// Deadline the last day the gallring must be finished (31 December of
	// the following year).
	Due, Deadline skalig.Date
	// Reasons say why, in Swedish, without personal data.
	Reasons []string
	// Cases are the cases of the person removed; Kept those kept, each
	// with its reason in KeptWhy.
	Cases   []string
	Kept    []string
	KeptWhy map[string]string
}

// Plan is a whole run's decision.
type Plan struct {
	On       skalig.Date
	Rules    Rules
	Verdicts []Verdict
	// Cases are the cases the run removes, sorted.
	Cases []string
}

// Gallrade returns how many persons are gallrade in p.
func (p Plan) Gallrade() int {
	n := 0
	for _, v := range p.Verdicts {
		if v.Gallras {
			n++
		}
	}
	return n
}

// InSample reports whether pn is in the research sample under r, and why.
func (r Rules) InSample(pn skalig.PersonalNumber) (string, bool) {
	mode := r.Research
	if mode == ResearchAuto {
		if where, all := lawAll(r.Municipality); all {
			return fmt.Sprintf("forskningsurval: alla personer i %s (socialtjänstförordningen 13 kap. 1 §)", where), true
		}
		mode = ResearchBirthDays
	}
	if mode == ResearchAll {
		return "forskningsurval: alla personer (kommunens regler)", true
	}
	d := pn.BirthDate().D
	if d != 0 && slices.Contains(r.BirthDays, int(d)) {
		return fmt.Sprintf("forskningsurval: född den %d i en månad (socialtjänstförordningen 13 kap. 1 §)", d), true
	}
	return "", false
}

// AddYears returns d moved n years, 29 February becoming 28 February in a
// year without it.
func AddYears(d skalig.Date, n int) skalig.Date {
	y := int(d.Y) + n
	day := int(d.D)
	if m := int(d.M); day > skalig.DaysIn(y, m) {
		day = skalig.DaysIn(y, m)
	}
	return skalig.Date{Y: int16(y), M: d.M, D: int8(day)}
}

// Decide decides p's personakt on the day on, ignoring the households:
// Plan applies them.
func Decide(r Rules, p Person, on skalig.Date) Verdict {
	v := Verdict{PN: p.PN, KeptWhy: map[string]string{}}
	var last time.Time
	for _, c := range p.Cases {
		if c.LastEntry.After(last) {
			last = c.LastEntry
		}
	}
	v.LastEntry = skalig.DateOf(last)
	v.Due = AddYears(v.LastEntry, r.RetentionYears)
	v.Deadline = skalig.Date{Y: v.Due.Y + 1, M: 12, D: 31}
	keepAll := func(why string) Verdict {
		v.Reasons = append(v.Reasons, why)
		for _, c := range p.Cases {
			v.Kept = append(v.Kept, c.ID)
			v.KeptWhy[c.ID] = why
		}
		return v
	}
	if why, ok := r.InSample(p.PN); ok {
		v.Sample = true
		return keepAll(why)
	}
	if on.Before(v.Due) {
		return keepAll(fmt.Sprintf("senaste anteckning %s: gallras tidigast %s (fem år, socialtjänstlagen 16 kap. 1 §)", v.LastEntry, v.Due))
	}
	var hold []string
	if p.OpenClaim {
		hold = append(hold, "ett öppet återkrav på personen")
	}
	for _, c := range p.Cases {
		switch {
		case c.Appealed:
			hold = append(hold, "ett ärende är överklagat eller under omprövning")
		case c.OpenClaim:
			hold = append(hold, "ett ärende har ett öppet återkrav")
		case c.undecided():
			hold = append(hold, fmt.Sprintf("ett ärende är inte avgjort (%s)", c.State.Swedish()))
		}
	}
	if len(hold) > 0 {
		slices.Sort(hold)
		return keepAll("behålls: " + strings.Join(slices.Compact(hold), "; "))
	}
	v.Gallras = true
	v.Reasons = append(v.Reasons, fmt.Sprintf("senaste anteckning %s: fem år gick %s; gallras senast %s (socialtjänstlagen 16 kap. 1 §)", v.LastEntry, v.Due, v.Deadline))
	for _, c := range p.Cases {
		v.Cases = append(v.Cases, c.ID)
	}
	return v
}

// MakePlan decides every person and then the cases: a case is shared by
// its household and is removed only when every person in it is gallrad
// (a kept person's personakt keeps the case, with the others in it).
func MakePlan(r Rules, persons []Person, on skalig.Date) Plan {
	p := Plan{On: on, Rules: r}
	gallras := map[skalig.PersonalNumber]bool{}
	for _, per := range persons {
		v := Decide(r, per, on)
		gallras[per.PN] = v.Gallras
		p.Verdicts = append(p.Verdicts, v)
	}
	cases := map[string]bool{}
	for i := range p.Verdicts {
		v := &p.Verdicts[i]
		if !v.Gallras {
			continue
		}
		var keep []string
		var remove []string
		for _, id := range v.Cases {
			c := findCase(persons[i].Cases, id)
			shared := false
			for _, o := range c.Persons {
				if g, ok := gallras[o]; o != v.PN && (!ok || !g) {
					shared = true
				}
			}
			if shared {
				keep = append(keep, id)
				v.KeptWhy[id] = "ärendet delas med en person i hushållet vars akt behålls"
			} else {
				remove = append(remove, id)
				cases[id] = true
			}
		}
		v.Cases, v.Kept = remove, keep
		if len(keep) > 0 {
			v.Reasons = append(v.Reasons, fmt.Sprintf("%d ärende(n) behålls: de delas med en person vars akt behålls", len(keep)))
		}
	}
	for id := range cases {
		p.Cases = append(p.Cases, id)
	}
	sort.Strings(p.Cases)
	sort.SliceStable(p.Verdicts, func(i, j int) bool { return p.Verdicts[i].PN < p.Verdicts[j].PN })
	return p
}

func findCase(cs []Case, id string) Case {
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	return Case{}
}

// ScheduleDue reports whether the yearly gallring run of today's year is
// due: from the scheduled day (month, day) on. The law wants gallring
// finished at the latest in the calendar year after the duty arose; a run
// prepared each year early in the year, judged on its day, removes what
// became due the year before well before the end of this one, and what
// became due this year by next year's run.
func ScheduleDue(today skalig.Date, month, day int) bool {
	return !today.Before(skalig.Date{Y: today.Y, M: int8(month), D: int8(day)})
}

// ArchiveDue reports whether p's akt is due for the archive on the day on:
// p is in the research sample, and the akt would be gallrad if p were not
// (five years since the last entry, every case decided, none under appeal,
// no open claim). What it keeps is why (the sample's reason).
func ArchiveDue(r Rules, p Person, on skalig.Date) (string, bool) {
	why, ok := r.InSample(p.PN)
	if !ok {
		return "", false
	}
	without := r
	without.Research, without.BirthDays = ResearchBirthDays, nil
	return why, Decide(without, p, on).Gallras
}
