// Package params holds Skälig's dated parameters: the riksnorm amounts per
// year, the prisbasbelopp, and the rates and periods of the special
// calculation rules. Every value carries its effective period, a status
// (official, secondary, derived, provisional) and its source. The data is
// embedded from data/*.tsv and validated when it is loaded: adding next
// year's table is a data change plus a test, never a code change.
package params

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"skalig"
)

//go:embed data/*.tsv
var dataFS embed.FS

// Status says how sure we are of a value. The order matters: a lower status
// is weaker, and a result is as strong as the weakest value it used.
type Status uint8

// Statuses, strongest first.
const (
	Official    Status = iota // legal text, Regeringen or Socialstyrelsen
	Secondary                 // a municipal or third-party copy of the official table
	Derived                   // computed from published changes
	Provisional               // an estimate: never the basis of an automated decision
)

var statusNames = [...]string{"official", "secondary", "derived", "provisional"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// Swedish returns the status in plain Swedish.
func (s Status) Swedish() string {
	switch s {
	case Official:
		return "officiellt"
	case Secondary:
		return "avskrivet från officiell tabell"
	case Derived:
		return "härlett"
	case Provisional:
		return "preliminärt"
	}
	return "okänt"
}

// MarshalText writes the status name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseStatus parses a status name.
func ParseStatus(s string) (Status, bool) {
	i := slices.Index(statusNames[:], s)
	return Status(max(i, 0)), i >= 0
}

// Weaker returns the weaker of s and t.
func (s Status) Weaker(t Status) Status { return max(s, t) }

// Value is one parameter value in force for a period.
type Value struct {
	ID     string       // stable id, e.g. "riksnorm.2025.adult_personal.single"
	Amount skalig.Money // for kronor values
	N      int64        // for percent and month counts
	Unit   string       // "kr", "percent", "months"
	Status Status
	Source string
	From   skalig.Month // first month in force
	To     skalig.Month // last month in force; openEnd when until further notice
	Set    bool         // false when no value is in force (a gap in the data)
}

const openEnd = skalig.Month(1<<31 - 1)

// Riksnorm kinds as in riksnorm.tsv.
const (
	KindAdult        = "adult_personal"
	KindChild        = "child_personal"
	KindChildNoLunch = "child_personal_no_lunch"
	KindCommon       = "common_household"
)

// ChildBands are the age bands of the children's personal costs, in order;
// NoLunchBands are those that also have an "utan lunch" amount.
var (
	ChildBands   = [...]string{"0", "1-2", "3", "4-6", "7-10", "11-14", "15-18", "19-20"}
	NoLunchBands = 4
	AdultKeys    = [...]string{"single", "couple"}
)

// Set is the parameters in force in one month, resolved. It is what the
// calculation engine takes: a value, never a lookup.
type Set struct {
	Month        skalig.Month
	Name         string   // "riksnorm-2025"
	Adult        [2]Value // single, couple
	Child        [8]Value // by ChildBands
	ChildNoLunch [4]Value // by the first four ChildBands; Set may be false
	Common       [8]Value // persons 1-7 at index 1-7

	Prisbasbelopp      Value
	ChildEarningsLimit Value // percent of a prisbasbelopp per calendar year
	JobbRate           Value // percent of net employment income not counted
	JobbQualifying     Value // months of aid in a row that qualify
	JobbDuration       Value // months the rule applies after qualifying
}

// Params is every parameter Skälig knows, by month.
type Params struct {
	sets   map[skalig.Month]*Set
	years  []int
	values []Value // every row, for display
}

var (
	defaultOnce sync.Once
	defaultP    *Params
	defaultErr  error
)

// Default returns the embedded parameters, loaded and validated once.
func Default() (*Params, error) {
	defaultOnce.Do(func() {
		rn, err := dataFS.ReadFile("data/riksnorm.tsv")
		if err != nil {
			defaultErr = err
			return
		}
		dt, err := dataFS.ReadFile("data/dated.tsv")
		if err != nil {
			defaultErr = err
			return
		}
		defaultP, defaultErr = Parse(bytes.NewReader(rn), bytes.NewReader(dt))
	})
	return defaultP, defaultErr
}

// At returns the parameter set in force in month m. A month outside the
// data is an EINVALID error, never a zero amount.
func (p *Params) At(m skalig.Month) (*Set, error) {
	if s, ok := p.sets[m]; ok {
		return s, nil
	}
	return nil, skalig.Errorf(skalig.EINVALID, "det finns ingen riksnorm för %d i Skälig (tabeller finns för %s)", m.Year(), p.yearsText())
}

// Years returns the years that have a riksnorm table, ascending.
func (p *Params) Years() []int { return slices.Clone(p.years) }

// Values returns every parameter row, optionally only those in force some
// time in year (0 = all).
func (p *Params) Values(year int) []Value {
	var out []Value
	for _, v := range p.values {
		if year == 0 || (v.From.Year() <= year && (v.To == openEnd || v.To.Year() >= year)) {
			out = append(out, v)
		}
	}
	return out
}

func (p *Params) yearsText() string {
	var b strings.Builder
	for i := 0; i < len(p.years); {
		j := i
		for j+1 < len(p.years) && p.years[j+1] == p.years[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if i == j {
			fmt.Fprintf(&b, "%d", p.years[i])
		} else {
			fmt.Fprintf(&b, "%d–%d", p.years[i], p.years[j])
		}
		i = j + 1
	}
	return b.String()
}

// LoadError names the file and line of a parameter that failed validation.
type LoadError struct {
	File string
	Line int
	Msg  string
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("params: %s line %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("params: %s: %s", e.File, e.Msg)
}

// Parse reads and validates the riksnorm table and the dated parameters.
// Validation: every year present in the riksnorm table is complete (the
// "utan lunch" rows may be absent for a whole year, never in part), no value
// is given twice for a period, and every month of every riksnorm year has
// exactly one value of each dated parameter it needs.
func Parse(riksnorm, dated io.Reader) (*Params, error) {
	p := &Params{sets: map[skalig.Month]*Set{}}
	type rkey struct {
		year      int
		kind, key string
	}
	rows := map[rkey]Value{}
	err := readTSV("riksnorm.tsv", riksnorm, []string{"year", "kind", "key", "amount_kr", "status", "source"}, func(line int, f []string) error {
		year, err := strconv.Atoi(f[0])
		if err != nil || year < 1990 || year > 2999 {
			return fmt.Errorf("year %q is not a year", f[0])
		}
		kind, key := f[1], f[2]
		if !validRiksnormKey(kind, key) {
			return fmt.Errorf("unknown kind/key %s/%s", kind, key)
		}
		amt, ok := skalig.ParseMoney(f[3])
		if !ok || amt <= 0 {
			return fmt.Errorf("amount %q is not a positive amount in kronor", f[3])
		}
		st, ok := ParseStatus(f[4])
		if !ok {
			return fmt.Errorf("status %q is not one of %v", f[4], statusNames)
		}
		if strings.TrimSpace(f[5]) == "" {
			return fmt.Errorf("source is empty")
		}
		k := rkey{year, kind, key}
		if _, dup := rows[k]; dup {
			return fmt.Errorf("%s/%s given twice for %d", kind, key, year)
		}
		v := Value{
			ID: fmt.Sprintf("riksnorm.%d.%s.%s", year, kind, key), Amount: amt, Unit: "kr",
			Status: st, Source: f[5], From: skalig.MonthOf(year, 1), To: skalig.MonthOf(year, 12), Set: true,
		}
		rows[k] = v
		p.values = append(p.values, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	years := map[int]bool{}
	for k := range rows {
		years[k.year] = true
	}
	for y := range years {
		p.years = append(p.years, y)
	}
	slices.Sort(p.years)
	if len(p.years) == 0 {
		return nil, &LoadError{File: "riksnorm.tsv", Msg: "no rows"}
	}

	dvals := map[string][]Value{}
	err = readTSV("dated.tsv", dated, []string{"id", "from", "to", "value", "unit", "status", "source"}, func(line int, f []string) error {
		id := f[0]
		if !slices.Contains([]string{"prisbasbelopp", "child_earnings.limit", "jobbstimulans.rate", "jobbstimulans.qualifying_months", "jobbstimulans.duration_months"}, id) {
			return fmt.Errorf("unknown parameter id %q", id)
		}
		from, ok := skalig.ParseDate(f[1])
		if !ok || from.D != 1 {
			return fmt.Errorf("from %q must be the first day of a month (YYYY-MM-01)", f[1])
		}
		to := openEnd
		if f[2] != "" {
			d, ok := skalig.ParseDate(f[2])
			if !ok || int(d.D) != skalig.DaysIn(int(d.Y), int(d.M)) {
				return fmt.Errorf("to %q must be the last day of a month", f[2])
			}
			to = d.Month()
			if to < from.Month() {
				return fmt.Errorf("to %s is before from %s", f[2], f[1])
			}
		}
		unit := f[4]
		v := Value{Unit: unit, From: from.Month(), To: to, Set: true, Source: f[6]}
		switch unit {
		case "kr":
			amt, ok := skalig.ParseMoney(f[3])
			if !ok || amt <= 0 {
				return fmt.Errorf("value %q is not a positive amount", f[3])
			}
			v.Amount = amt
		case "percent", "months":
			n, err := strconv.ParseInt(f[3], 10, 64)
			if err != nil || n <= 0 || (unit == "percent" && n > 100) || n > 1200 {
				return fmt.Errorf("value %q is not a valid number of %s", f[3], unit)
			}
			v.N = n
		default:
			return fmt.Errorf("unit %q is not kr, percent or months", unit)
		}
		if want := wantUnit(id); unit != want {
			return fmt.Errorf("%s must be in %s", id, want)
		}
		st, ok := ParseStatus(f[5])
		if !ok {
			return fmt.Errorf("status %q is not one of %v", f[5], statusNames)
		}
		v.Status = st
		if strings.TrimSpace(v.Source) == "" {
			return fmt.Errorf("source is empty")
		}
		for _, o := range dvals[id] {
			if v.From <= o.To && o.From <= v.To {
				return fmt.Errorf("%s from %s overlaps the period %s–%s", id, f[1], o.From, monthOrOpen(o.To))
			}
		}
		if v.To == openEnd {
			v.ID = fmt.Sprintf("%s.%s-", id, v.From)
		} else if v.From.Year() == v.To.Year() && v.From.Num() == 1 && v.To.Num() == 12 {
			v.ID = fmt.Sprintf("%s.%d", id, v.From.Year())
		} else {
			v.ID = fmt.Sprintf("%s.%s-%s", id, v.From, v.To)
		}
		dvals[id] = append(dvals[id], v)
		p.values = append(p.values, v)
		return nil
	})
	if err != nil {
		return nil, err
	}

	at := func(id string, m skalig.Month) Value {
		for _, v := range dvals[id] {
			if v.From <= m && m <= v.To {
				return v
			}
		}
		return Value{}
	}
	for _, y := range p.years {
		get := func(kind, key string) (Value, bool) {
			v, ok := rows[rkey{y, kind, key}]
			return v, ok
		}
		var base Set
		base.Name = fmt.Sprintf("riksnorm-%d", y)
		for i, k := range AdultKeys {
			v, ok := get(KindAdult, k)
			if !ok {
				return nil, &LoadError{File: "riksnorm.tsv", Msg: fmt.Sprintf("%d: %s/%s missing", y, KindAdult, k)}
			}
			base.Adult[i] = v
		}
		for i, k := range ChildBands {
			v, ok := get(KindChild, k)
			if !ok {
				return nil, &LoadError{File: "riksnorm.tsv", Msg: fmt.Sprintf("%d: %s/%s missing", y, KindChild, k)}
			}
			base.Child[i] = v
		}
		nl := 0
		for i, k := range ChildBands[:NoLunchBands] {
			if v, ok := get(KindChildNoLunch, k); ok {
				base.ChildNoLunch[i] = v
				nl++
			}
		}
		if nl != 0 && nl != NoLunchBands {
			return nil, &LoadError{File: "riksnorm.tsv", Msg: fmt.Sprintf("%d: %s has %d of %d age bands (give all or none)", y, KindChildNoLunch, nl, NoLunchBands)}
		}
		for n := 1; n <= 7; n++ {
			v, ok := get(KindCommon, strconv.Itoa(n))
			if !ok {
				return nil, &LoadError{File: "riksnorm.tsv", Msg: fmt.Sprintf("%d: %s/%d missing", y, KindCommon, n)}
			}
			base.Common[n] = v
		}
		for mo := 1; mo <= 12; mo++ {
			m := skalig.MonthOf(y, mo)
			s := base
			s.Month = m
			s.Prisbasbelopp = at("prisbasbelopp", m)
			s.ChildEarningsLimit = at("child_earnings.limit", m)
			s.JobbRate = at("jobbstimulans.rate", m)
			s.JobbQualifying = at("jobbstimulans.qualifying_months", m)
			s.JobbDuration = at("jobbstimulans.duration_months", m)
			for _, need := range []struct {
				id string
				v  Value
			}{{"prisbasbelopp", s.Prisbasbelopp}, {"child_earnings.limit", s.ChildEarningsLimit}} {
				if !need.v.Set {
					return nil, &LoadError{File: "dated.tsv", Msg: fmt.Sprintf("%s has no value for %s (a gap inside a riksnorm year)", need.id, m)}
				}
			}
			if s.JobbRate.Set != s.JobbQualifying.Set || s.JobbRate.Set != s.JobbDuration.Set {
				return nil, &LoadError{File: "dated.tsv", Msg: fmt.Sprintf("jobbstimulans rate, qualifying_months and duration_months must all be in force in %s, or none", m)}
			}
			p.sets[m] = &s
		}
	}
	return p, nil
}

func monthOrOpen(m skalig.Month) string {
	if m == openEnd {
		return ""
	}
	return m.String()
}

// PeriodText describes the period of v in Swedish: "2025", "2013-07 och framåt".
func (v Value) PeriodText() string {
	switch {
	case v.To == openEnd:
		return v.From.String() + " och framåt"
	case v.From.Num() == 1 && v.To.Num() == 12 && v.From.Year() == v.To.Year():
		return strconv.Itoa(v.From.Year())
	}
	return v.From.String() + " – " + v.To.String()
}

// ValueText formats the value with its unit.
func (v Value) ValueText() string {
	switch v.Unit {
	case "percent":
		return fmt.Sprintf("%d %%", v.N)
	case "months":
		return fmt.Sprintf("%d mån", v.N)
	}
	return v.Amount.Swedish()
}

func wantUnit(id string) string {
	switch id {
	case "prisbasbelopp":
		return "kr"
	case "jobbstimulans.qualifying_months", "jobbstimulans.duration_months":
		return "months"
	}
	return "percent"
}

func validRiksnormKey(kind, key string) bool {
	switch kind {
	case KindAdult:
		return slices.Contains(AdultKeys[:], key)
	case KindChild:
		return slices.Contains(ChildBands[:], key)
	case KindChildNoLunch:
		return slices.Contains(ChildBands[:NoLunchBands], key)
	case KindCommon:
		n, err := strconv.Atoi(key)
		return err == nil && n >= 1 && n <= 7 && strconv.Itoa(n) == key
	}
	return false
}

// readTSV reads a tab-separated file with '#' comments and a header row that
// must equal header; fn gets each data row.
func readTSV(name string, r io.Reader, header []string, fn func(line int, f []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line, seenHeader := 0, false
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if !seenHeader {
			if !slices.Equal(f, header) {
				return &LoadError{File: name, Line: line, Msg: fmt.Sprintf("header must be %q", strings.Join(header, "\t"))}
			}
			seenHeader = true
			continue
		}
		if len(f) != len(header) {
			return &LoadError{File: name, Line: line, Msg: fmt.Sprintf("%d columns, want %d", len(f), len(header))}
		}
		if err := fn(line, f); err != nil {
			return &LoadError{File: name, Line: line, Msg: err.Error()}
		}
	}
	if err := sc.Err(); err != nil {
		return &LoadError{File: name, Msg: err.Error()}
	}
	if !seenHeader {
		return &LoadError{File: name, Msg: "no header row"}
	}
	return nil
}
