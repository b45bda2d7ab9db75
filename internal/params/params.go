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
	"errors"
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
	Name         string   // "riksnorm-2025"; "riksnorm-2027-v3" for a loaded version (Year.Version)
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
	over   []int   // the years that loaded files gave (see Compose)
}

var (
	defaultOnce sync.Once
	defaultP    *Params
	defaultErr  error
)

// Default returns the embedded parameters, loaded and validated once.
func Default() (*Params, error) {
	defaultOnce.Do(func() {
		defaultP, defaultErr = Compose(nil)
	})
	return defaultP, defaultErr
}

// At returns the parameter set in force in month m. A month outside the
// data is an EINVALID error, never a zero amount.
func (p *Params) At(m skalig.Month) (*Set, error) {
	if s, ok := p.sets[m]; ok {
		return s, nil
	}
	ds := p.MissingDetails(m.Year())
	return nil, &MissingError{Year: m.Year(), Missing: swedish(ds), Details: ds,
		err: skalig.Errorf(skalig.EINVALID, "det finns ingen riksnorm för %d i Skälig (tabeller finns för %s)", m.Year(), p.yearsText())}
}

// MissingError is At's error for a month without parameters: an EINVALID
// *skalig.Error (skalig.ErrorCode, skalig.ErrorMessage) that also says
// which year and values are missing, so that the workflow can name the
// reason and calculate the case again when they are loaded.
type MissingError struct {
	Year    int
	Missing []string        // as Params.Missing
	Details []skalig.Detail // as Params.MissingDetails
	err     *skalig.Error
}

// swedish is ds in Swedish, one string each.
func swedish(ds []skalig.Detail) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Swedish()
	}
	return out
}

func (e *MissingError) Error() string { return e.err.Error() }
func (e *MissingError) Unwrap() error { return e.err }

// Missing lists, in Swedish, what of year is missing: the riksnorm table,
// its "utan lunch" rows, the prisbasbelopp of some months. Empty: nothing.
func (p *Params) Missing(year int) []string {
	return swedish(p.MissingDetails(year))
}

// MissingDetails is Missing as details (skalig.Detail, locales/details.*.json),
// for a reader in any language.
func (p *Params) MissingDetails(year int) []skalig.Detail {
	y := skalig.TextArg(strconv.Itoa(year))
	var out []skalig.Detail
	if s, ok := p.sets[skalig.MonthOf(year, 1)]; !ok {
		out = append(out, skalig.NewDetail("detail.params.riksnorm", y))
	} else if !s.ChildNoLunch[0].Set {
		out = append(out, skalig.NewDetail("detail.params.child_no_lunch", y))
	}
	var gaps []skalig.DetailArg
	for mo := 1; mo <= 12; mo++ {
		m := skalig.MonthOf(year, mo)
		found := false
		for _, v := range p.values {
			if strings.HasPrefix(v.ID, "prisbasbelopp.") && v.From <= m && m <= v.To {
				found = true
				break
			}
		}
		if !found {
			gaps = append(gaps, skalig.MonthArg(m))
		}
	}
	switch {
	case len(gaps) == 12:
		out = append(out, skalig.NewDetail("detail.params.prisbasbelopp_year", y))
	case len(gaps) > 0:
		out = append(out, skalig.NewDetail("detail.params.prisbasbelopp_months", skalig.ListArg(skalig.DetailSepComma, gaps...)))
	}
	return out
}

// Loaded returns the years whose values come from loaded files (Compose),
// ascending.
func (p *Params) Loaded() []int { return slices.Clone(p.over) }

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

// LoadError names the file, line and field of a parameter that failed
// validation, in Swedish: it is shown to the administrator who loads a
// year's table (skalig params import) as well as at start.
type LoadError struct {
	File  string
	Line  int    // 0: the file as a whole (a year incomplete, a gap)
	Field string // the column, when one is at fault
	Msg   string
}

func (e *LoadError) Error() string {
	switch {
	case e.Line > 0 && e.Field != "":
		return fmt.Sprintf("parametrar: %s rad %d, fält %s: %s", e.File, e.Line, e.Field, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("parametrar: %s rad %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("parametrar: %s: %s", e.File, e.Msg)
}

// fieldError is a row's error in one column.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func ferr(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// Headers of the two tables.
var (
	riksnormHeader = []string{"year", "kind", "key", "amount_kr", "status", "source"}
	datedHeader    = []string{"id", "from", "to", "value", "unit", "status", "source"}
)

// Parse reads and validates the riksnorm table and the dated parameters.
// Validation: every year present in the riksnorm table is complete (the
// "utan lunch" rows may be absent for a whole year, never in part), no value
// is given twice for a period, and every month of every riksnorm year has
// exactly one value of each dated parameter it needs.
func Parse(riksnorm, dated io.Reader) (*Params, error) {
	return parse(table{name: "riksnorm.tsv", r: riksnorm}, table{name: "dated.tsv", r: dated}, nil)
}

// table is one table to read: a file's name for messages and its rows.
type table struct {
	name string
	r    io.Reader
}

// parse reads the base tables and the years' files over them: a year of a
// file replaces the base's riksnorm rows of that year and the base's
// prisbasbelopp rows in force in it. Every row and the whole are validated
// alike, whatever file they come from.
func parse(riksnorm, dated table, years []*Year) (*Params, error) {
	p := &Params{sets: map[skalig.Month]*Set{}}
	type rkey struct {
		year      int
		kind, key string
	}
	over := map[int]*Year{}
	for _, y := range years {
		over[y.Year] = y
	}
	yearFile := map[int]string{} // which file gave a year, for messages
	rows := map[rkey]Value{}
	riksRow := func(file *Year) func(line int, f []string) error {
		return func(line int, f []string) error {
			year, err := strconv.Atoi(f[0])
			if err != nil || year < 1990 || year > 2999 {
				return ferr("year", "%q är inte ett årtal", f[0])
			}
			if file == nil && over[year] != nil {
				return nil // replaced by a loaded year
			}
			if file != nil && year != file.Year {
				return ferr("year", "filen gäller %d men raden gäller %d: en fil får bara innehålla ett år", file.Year, year)
			}
			kind, key := f[1], f[2]
			if !validRiksnormKey(kind, key) {
				return ferr("kind/key", "okänd kombination %s/%s", kind, key)
			}
			amt, ok := skalig.ParseMoney(f[3])
			if !ok || amt <= 0 {
				return ferr("amount_kr", "%q är inte ett positivt belopp i kronor", f[3])
			}
			st, ok := ParseStatus(f[4])
			if !ok {
				return ferr("status", "%q är inte en av %v", f[4], statusNames)
			}
			if strings.TrimSpace(f[5]) == "" {
				return ferr("source", "källa saknas")
			}
			k := rkey{year, kind, key}
			if _, dup := rows[k]; dup {
				return ferr("key", "%s/%s finns redan för %d", kind, key, year)
			}
			v := Value{
				ID: fmt.Sprintf("riksnorm.%d.%s.%s", year, kind, key), Amount: amt, Unit: "kr",
				Status: st, Source: f[5], From: skalig.MonthOf(year, 1), To: skalig.MonthOf(year, 12), Set: true,
			}
			rows[k] = v
			if _, ok := yearFile[year]; !ok {
				yearFile[year] = riksnorm.name
				if file != nil {
					yearFile[year] = file.Name
				}
			}
			p.values = append(p.values, v)
			return nil
		}
	}
	if err := readTSV(riksnorm.name, riksnorm.r, riksnormHeader, riksRow(nil)); err != nil {
		return nil, err
	}
	for _, y := range years {
		if err := readTSV(y.Name, bytes.NewReader(y.riksnorm), riksnormHeader, riksRow(y)); err != nil {
			return nil, err
		}
	}
	years0 := map[int]bool{}
	for k := range rows {
		years0[k.year] = true
	}
	for y := range years0 {
		p.years = append(p.years, y)
	}
	slices.Sort(p.years)
	if len(p.years) == 0 {
		return nil, &LoadError{File: riksnorm.name, Msg: "inga rader"}
	}

	dvals := map[string][]Value{}
	datedRow := func(file *Year) func(line int, f []string) error {
		return func(line int, f []string) error {
			id := f[0]
			if !slices.Contains([]string{"prisbasbelopp", "child_earnings.limit", "jobbstimulans.rate", "jobbstimulans.qualifying_months", "jobbstimulans.duration_months"}, id) {
				return ferr("id", "okänd parameter %q", id)
			}
			if file != nil && id != "prisbasbelopp" {
				return ferr("id", "%s kan inte läsas in med ett års tabell (bara prisbasbelopp)", id)
			}
			from, ok := skalig.ParseDate(f[1])
			if !ok || from.D != 1 {
				return ferr("from", "%q ska vara den första dagen i en månad (ÅÅÅÅ-MM-01)", f[1])
			}
			to := openEnd
			if f[2] != "" {
				d, ok := skalig.ParseDate(f[2])
				if !ok || int(d.D) != skalig.DaysIn(int(d.Y), int(d.M)) {
					return ferr("to", "%q ska vara den sista dagen i en månad", f[2])
				}
				to = d.Month()
				if to < from.Month() {
					return ferr("to", "%s är före from %s", f[2], f[1])
				}
			}
			if file == nil && id == "prisbasbelopp" {
				for y := range over {
					if from.Month() <= skalig.MonthOf(y, 12) && skalig.MonthOf(y, 1) <= to {
						return nil // replaced by a loaded year
					}
				}
			}
			if file != nil && (from.Month().Year() != file.Year || to == openEnd || to.Year() != file.Year) {
				return ferr("from/to", "perioden ska ligga inom %d, filens år", file.Year)
			}
			unit := f[4]
			v := Value{Unit: unit, From: from.Month(), To: to, Set: true, Source: f[6]}
			switch unit {
			case "kr":
				amt, ok := skalig.ParseMoney(f[3])
				if !ok || amt <= 0 {
					return ferr("value", "%q är inte ett positivt belopp", f[3])
				}
				v.Amount = amt
			case "percent", "months":
				n, err := strconv.ParseInt(f[3], 10, 64)
				if err != nil || n <= 0 || (unit == "percent" && n > 100) || n > 1200 {
					return ferr("value", "%q är inte ett giltigt antal %s", f[3], unit)
				}
				v.N = n
			default:
				return ferr("unit", "%q är inte kr, percent eller months", unit)
			}
			if want := wantUnit(id); unit != want {
				return ferr("unit", "%s ska anges i %s", id, want)
			}
			st, ok := ParseStatus(f[5])
			if !ok {
				return ferr("status", "%q är inte en av %v", f[5], statusNames)
			}
			v.Status = st
			if strings.TrimSpace(v.Source) == "" {
				return ferr("source", "källa saknas")
			}
			for _, o := range dvals[id] {
				if v.From <= o.To && o.From <= v.To {
					return ferr("from", "%s från %s överlappar perioden %s–%s", id, f[1], o.From, monthOrOpen(o.To))
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
		}
	}
	if err := readTSV(dated.name, dated.r, datedHeader, datedRow(nil)); err != nil {
		return nil, err
	}
	for _, y := range years {
		if err := readTSV(y.Name, bytes.NewReader(y.dated), datedHeader, datedRow(y)); err != nil {
			return nil, err
		}
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
		file := yearFile[y]
		get := func(kind, key string) (Value, bool) {
			v, ok := rows[rkey{y, kind, key}]
			return v, ok
		}
		var base Set
		base.Name = fmt.Sprintf("riksnorm-%d", y)
		if over[y] != nil && over[y].Version != "" {
			base.Name += "-" + over[y].Version // a receipt names the loaded version it used
		}
		for i, k := range AdultKeys {
			v, ok := get(KindAdult, k)
			if !ok {
				return nil, &LoadError{File: file, Msg: fmt.Sprintf("%d: %s/%s saknas", y, KindAdult, k)}
			}
			base.Adult[i] = v
		}
		for i, k := range ChildBands {
			v, ok := get(KindChild, k)
			if !ok {
				return nil, &LoadError{File: file, Msg: fmt.Sprintf("%d: %s/%s saknas", y, KindChild, k)}
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
			return nil, &LoadError{File: file, Msg: fmt.Sprintf("%d: %s har %d av %d åldersgrupper (ange alla eller ingen)", y, KindChildNoLunch, nl, NoLunchBands)}
		}
		for n := 1; n <= 7; n++ {
			v, ok := get(KindCommon, strconv.Itoa(n))
			if !ok {
				return nil, &LoadError{File: file, Msg: fmt.Sprintf("%d: %s/%d saknas", y, KindCommon, n)}
			}
			base.Common[n] = v
		}
		datedFile := dated.name
		if over[y] != nil {
			datedFile = over[y].Name
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
					return nil, &LoadError{File: datedFile, Msg: fmt.Sprintf("%s saknar värde för %s (en lucka inom ett år med riksnorm)", need.id, m)}
				}
			}
			if s.JobbRate.Set != s.JobbQualifying.Set || s.JobbRate.Set != s.JobbDuration.Set {
				return nil, &LoadError{File: dated.name, Msg: fmt.Sprintf("jobbstimulans rate, qualifying_months och duration_months ska alla gälla %s, eller ingen", m)}
			}
			p.sets[m] = &s
		}
	}
	p.over = make([]int, 0, len(over))
	for y := range over {
		p.over = append(p.over, y)
	}
	slices.Sort(p.over)
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
				return &LoadError{File: name, Line: line, Msg: fmt.Sprintf("rubrikraden ska vara %q", strings.Join(header, "\t"))}
			}
			seenHeader = true
			continue
		}
		if len(f) != len(header) {
			return &LoadError{File: name, Line: line, Msg: fmt.Sprintf("%d kolumner, ska vara %d (%s, åtskilda med tabb)", len(f), len(header), strings.Join(header, ", "))}
		}
		if err := fn(line, f); err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				return &LoadError{File: name, Line: line, Field: fe.field, Msg: fe.msg}
			}
			return &LoadError{File: name, Line: line, Msg: err.Error()}
		}
	}
	if err := sc.Err(); err != nil {
		return &LoadError{File: name, Msg: err.Error()}
	}
	if !seenHeader {
		return &LoadError{File: name, Msg: fmt.Sprintf("rubrikraden saknas (%s)", strings.Join(header, ", "))}
	}
	return nil
}
