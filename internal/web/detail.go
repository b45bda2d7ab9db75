package web

import (
	"time"

	"skalig"
)

// Details writes a reason's details (skalig.Detail, routing's findings in
// a case) in l: the messages of the detail catalogs
// (locales/details.LANG.json), amounts as Money writes them, months and
// dates as Month and Date do. A verbatim argument (a code, a value quoted
// from a fact) is a first-strong isolate in a right-to-left language, so
// that Swedish or Latin text keeps its order inside Arabic.
func (l *Lang) Details(ds []skalig.Detail) string {
	return skalig.FormatDetails(ds, detailFormat{l})
}

// detailFormat is skalig.DetailFormat for a page's language.
type detailFormat struct{ l *Lang }

func (f detailFormat) Message(id string) (string, bool) {
	m, _ := messages.message(f.l, id)
	if m == nil {
		return "", false
	}
	return m.Other, true
}

func (f detailFormat) Money(m skalig.Money) string { return f.l.Money(m) }
func (f detailFormat) Month(m skalig.Month) string { return f.l.Month(m) }

func (f detailFormat) Date(d skalig.Date) string {
	return f.l.Date(time.Date(int(d.Y), time.Month(d.M), int(d.D), 12, 0, 0, 0, time.UTC))
}

func (f detailFormat) Text(s string) string {
	if f.l.RTL() && s != "" {
		return "\u2068" + s + "\u2069"
	}
	return s
}
