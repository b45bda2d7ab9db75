package skalig

import (
	"strconv"
	"strings"
)

// A Detail says what in one case triggered a reason ("Bostadsbidrag/
// bostadstillägg, sökande: uppgett 5 000 kr, Försäkringskassan 6 200 kr"),
// kept as data so that every language can say it: the id of a message of
// the detail catalogs (locales/details.LANG.json, embedded with
// ReasonCatalogs) and its typed arguments. Routing records a reason's
// details with the reason; the caseworker's page formats them in its own
// language (amounts with the web layer's money formatting), and Swedish()
// gives the Swedish text that the record also keeps as a plain string.
type Detail struct {
	ID   string      `json:"id"`
	Args []DetailArg `json:"args,omitempty"`
}

// DetailArg is one argument of a Detail: exactly one field is set.
type DetailArg struct {
	// Text is shown as it is, in every language: a code, a name, a value
	// quoted from a fact.
	Text string `json:"text,omitempty"`
	// Msg is a message of the detail catalogs, itself translated: a
	// register's name, a person's role, a finding inside a finding.
	Msg *Detail `json:"msg,omitempty"`
	// List is a list of arguments, joined with the message Join
	// ("detail.sep.comma", "detail.sep.and").
	List []DetailArg `json:"list,omitempty"`
	Join string      `json:"join,omitempty"`
	// Money is an amount, formatted as the language formats money.
	Money *Money `json:"money,omitempty"`
	// Month ("2026-11") and Date ("2026-11-30") are formatted as the
	// language formats them.
	Month string `json:"month,omitempty"`
	Date  string `json:"date,omitempty"`
	// Number is a plain number (a sample draw's value and rate).
	Number *float64 `json:"number,omitempty"`
}

// The separators of the detail catalogs: between the details of a reason
// (DetailSepSemicolon), and for a DetailArg's List.
const (
	DetailSepSemicolon = "detail.sep.semicolon"
	DetailSepComma     = "detail.sep.comma"
	DetailSepAnd       = "detail.sep.and"
)

// NewDetail is a Detail of message id with args.
func NewDetail(id string, args ...DetailArg) Detail { return Detail{ID: id, Args: args} }

// TextArg is an argument shown as it is.
func TextArg(s string) DetailArg { return DetailArg{Text: s} }

// MsgArg is an argument that is a message of its own.
func MsgArg(id string, args ...DetailArg) DetailArg {
	return DetailArg{Msg: &Detail{ID: id, Args: args}}
}

// DetailAsArg is d as an argument of another detail.
func DetailAsArg(d Detail) DetailArg { return DetailArg{Msg: &d} }

// MoneyArg is an amount.
func MoneyArg(m Money) DetailArg { return DetailArg{Money: &m} }

// MonthArg is a month.
func MonthArg(m Month) DetailArg { return DetailArg{Month: m.String()} }

// DateArg is a date.
func DateArg(d Date) DetailArg { return DetailArg{Date: d.String()} }

// NumberArg is a plain number.
func NumberArg(f float64) DetailArg { return DetailArg{Number: &f} }

// ListArg is a list joined with the separator message join.
func ListArg(join string, items ...DetailArg) DetailArg {
	return DetailArg{List: items, Join: join}
}

// DetailFormat is a language's way of writing a detail's parts.
type DetailFormat interface {
	// Message returns the format of message id (fmt verbs, one %s per
	// argument), false when the language has none.
	Message(id string) (string, bool)
	Money(Money) string
	Month(Month) string
	Date(Date) string
	// Text writes a verbatim argument (a right-to-left language isolates
	// it).
	Text(string) string
}

// Format writes d with f. An unknown id is written as "[id]", so that it
// is seen; the catalog tests make sure none is. A message's verbs are %s
// and %[n]s (an argument by its place, when a language says them in
// another order); TestDetailMessageVerbs keeps them so.
func (d Detail) Format(f DetailFormat) string {
	var b strings.Builder
	b.Grow(64)
	d.writeTo(&b, f)
	return b.String()
}

// writeTo writes d with f to b. It writes into one buffer rather than
// through fmt.Sprintf, since routing writes the Swedish text of every
// detail it finds, on the robot's path.
func (d Detail) writeTo(b *strings.Builder, f DetailFormat) {
	msg, ok := f.Message(d.ID)
	if !ok {
		b.WriteString("[" + d.ID + "]")
		return
	}
	next := 0
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c != '%' || i+1 == len(msg) {
			b.WriteByte(c)
			continue
		}
		i++
		n := next
		if msg[i] == '[' {
			j := strings.IndexByte(msg[i:], ']')
			k, err := strconv.Atoi(msg[i+1 : i+max(j, 1)])
			if j < 0 || err != nil || i+j+1 >= len(msg) {
				b.WriteString(msg[i-1:]) // not a verb: as it is
				return
			}
			n, i = k-1, i+j+1
		}
		switch {
		case msg[i] == '%':
			b.WriteByte('%')
		case n < 0 || n >= len(d.Args):
			b.WriteString("%!(MISSING)")
		default:
			d.Args[n].writeTo(b, f)
			next = n + 1
		}
	}
}

// Format writes a with f.
func (a DetailArg) Format(f DetailFormat) string {
	var b strings.Builder
	a.writeTo(&b, f)
	return b.String()
}

func (a DetailArg) writeTo(b *strings.Builder, f DetailFormat) {
	switch {
	case a.Msg != nil:
		a.Msg.writeTo(b, f)
	case a.List != nil:
		sep, _ := f.Message(a.Join)
		for i, x := range a.List {
			if i > 0 {
				b.WriteString(sep)
			}
			x.writeTo(b, f)
		}
	case a.Money != nil:
		b.WriteString(f.Money(*a.Money))
	case a.Month != "":
		if m, ok := ParseMonth(a.Month); ok {
			b.WriteString(f.Month(m))
		} else {
			b.WriteString(f.Text(a.Month))
		}
	case a.Date != "":
		if d, ok := ParseDate(a.Date); ok {
			b.WriteString(f.Date(d))
		} else {
			b.WriteString(f.Text(a.Date))
		}
	case a.Number != nil:
		b.WriteString(strconv.FormatFloat(*a.Number, 'g', -1, 64))
	default:
		b.WriteString(f.Text(a.Text))
	}
}

// FormatDetails writes the details of a reason with f, separated as the
// language separates them ("; ").
func FormatDetails(ds []Detail, f DetailFormat) string {
	sep, _ := f.Message(DetailSepSemicolon)
	var b strings.Builder
	b.Grow(64 * len(ds))
	for i, d := range ds {
		if i > 0 {
			b.WriteString(sep)
		}
		d.writeTo(&b, f)
	}
	return b.String()
}

// Swedish writes d in Swedish, as routing records it.
func (d Detail) Swedish() string { return d.Format(swedishDetailFormat{}) }

// DetailIDs returns the message ids d uses, its arguments' and separators'
// included, for the tests that every id is in every catalog.
func (d Detail) DetailIDs() []string {
	ids := []string{d.ID}
	for _, a := range d.Args {
		ids = append(ids, a.detailIDs()...)
	}
	return ids
}

func (a DetailArg) detailIDs() []string {
	var ids []string
	if a.Msg != nil {
		ids = append(ids, a.Msg.DetailIDs()...)
	}
	if a.List != nil {
		ids = append(ids, a.Join)
		for _, x := range a.List {
			ids = append(ids, x.detailIDs()...)
		}
	}
	return ids
}

// swedishDetailFormat writes details in Swedish from locales/details.sv.json,
// with amounts as "5 000 kr", months as "2026-11" and dates as "2026-11-30",
// the record's own forms.
type swedishDetailFormat struct{}

func (swedishDetailFormat) Message(id string) (string, bool) {
	m, ok := swedishDetails[id]
	return m, ok
}
func (swedishDetailFormat) Money(m Money) string { return m.Swedish() }
func (swedishDetailFormat) Month(m Month) string { return m.String() }
func (swedishDetailFormat) Date(d Date) string   { return d.String() }
func (swedishDetailFormat) Text(s string) string { return s }

// swedishDetails is the Swedish catalog of the details: message id → text.
// A detail message counts nothing, so none has plural forms.
var swedishDetails = swedishCatalog("details")

// RegisterArg names register source name ("fk") for a reader: a message of
// the detail catalogs ("Försäkringskassan"), or the name as it is when the
// catalogs do not know it.
func RegisterArg(name string) DetailArg {
	if _, ok := registerSwedish[name]; ok {
		return MsgArg("detail.register." + name)
	}
	return TextArg(name)
}
