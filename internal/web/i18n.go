package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"skalig"

	"golang.org/x/text/language"
)

// Lang is one language of the web pages. Swedish is the default; English and
// Arabic (right to left) are the others.
type Lang struct {
	Code string // BCP 47 code: "sv", "en", "ar"
	Name string // the language's name in itself: "Svenska", "English", "العربية"
	Dir  string // "ltr" or "rtl"

	tag language.Tag
}

// The languages, Swedish first. Their messages are the catalog files in
// locales/ (see catalog.go).
var (
	Swedish = &Lang{Code: "sv", Name: "Svenska", Dir: "ltr", tag: language.Swedish}
	English = &Lang{Code: "en", Name: "English", Dir: "ltr", tag: language.English}
	Arabic  = &Lang{Code: "ar", Name: "العربية", Dir: "rtl", tag: language.Arabic}
)

// Languages lists every language in the order of the language switch.
var Languages = []*Lang{Swedish, English, Arabic}

// LangCookie is the cookie that keeps the chosen language across pages.
const LangCookie = "skalig_lang"

// LangParam is the query parameter that chooses a language: "?lang=en". It
// is what the language switch links to, so the switch works without
// JavaScript; the choice is then kept in LangCookie.
const LangParam = "lang"

// LangByCode returns the language with code, or nil.
func LangByCode(code string) *Lang {
	for _, l := range Languages {
		if l.Code == code {
			return l
		}
	}
	return nil
}

// RTL reports whether the language is written right to left.
func (l *Lang) RTL() bool { return l.Dir == "rtl" }

// T returns the message key in l, formatted with args (fmt verbs) when
// there are any. A plural message (one with CLDR plural forms in the
// catalog) takes its count as the first argument: the form is chosen by
// the language's plural rules ("1 dag", "2 dagar"; Arabic has six forms). A
// key missing from l falls back to Swedish, and a key missing from Swedish
// too is returned as it is, in brackets, so that it is seen and not hidden;
// TestCatalogsComplete makes sure neither happens.
func (l *Lang) T(key string, args ...any) string {
	return messages.text(l, key, args)
}

// Has reports whether l has its own message for key.
func (l *Lang) Has(key string) bool { return messages.has(l, key) }

// TOr is key's message in l, or else asIs: for a key made from a code a
// record holds (an older version's, or one the catalogs do not name).
func (l *Lang) TOr(key, asIs string) string {
	if l.Has(key) {
		return l.T(key)
	}
	return asIs
}

// Money formats an amount for the language. Every language shows Swedish
// kronor the Swedish way ("7 200 kr", "350,50 kr") with Western digits: it
// is what letters, bank statements and other authorities show. In a right to
// left language the amount is a left-to-right isolate (U+2066 … U+2069), so
// that "kr" stays after the number inside Arabic text.
func (l *Lang) Money(m skalig.Money) string {
	if l.RTL() {
		return "\u2066" + m.Swedish() + "\u2069"
	}
	return m.Swedish()
}

// Month formats a month as "november 2026" (sv), "November 2026" (en) or
// "نوفمبر 2026" (ar).
func (l *Lang) Month(m skalig.Month) string {
	return l.T(fmt.Sprintf("month.%d", m.Num())) + " " + fmt.Sprint(m.Year())
}

// Date formats a date as "22 november 2026" (sv), "22 November 2026" (en),
// "22 نوفمبر 2026" (ar).
func (l *Lang) Date(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), l.T(fmt.Sprintf("month.%d", int(t.Month()))), t.Year())
}

// langFromRequest picks the language of a request: the query parameter
// first (a click on the language switch), then the choice stored in the
// cookie, then the browser's Accept-Language, then Swedish. fromQuery is
// true when the query parameter chose it, and the caller then keeps the
// choice in the cookie; Accept-Language is never stored, so that a choice
// the person made always wins over the browser's.
func langFromRequest(r *http.Request) (l *Lang, fromQuery bool) {
	if q := r.URL.Query().Get(LangParam); q != "" {
		if l := LangByCode(strings.ToLower(q)); l != nil {
			return l, true
		}
	}
	if c, err := r.Cookie(LangCookie); err == nil {
		if l := LangByCode(c.Value); l != nil {
			return l, false
		}
	}
	return langFromAccept(r.Header.Get("Accept-Language")), false
}

// langMatcher matches a browser's languages against ours, Swedish first so
// that it is the answer when nothing matches.
var langMatcher = language.NewMatcher([]language.Tag{Swedish.tag, English.tag, Arabic.tag})

// langFromAccept returns the language that best matches an Accept-Language
// header ("en-GB,en;q=0.9", "ar-SA"), or Swedish when none does or the
// header is missing or malformed.
func langFromAccept(header string) *Lang {
	if header == "" {
		return Swedish
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Swedish
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return Swedish
	}
	return Languages[i]
}

// langLinks returns the language switch for a request path and query: the
// same page in each language, with every other query parameter kept.
func langLinks(r *http.Request, current *Lang) []LangLink {
	path := r.URL.Path
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.HasPrefix(path, "/\\") {
		path = "/" // never a link to another host ("//evil.example")
	}
	links := make([]LangLink, 0, len(Languages))
	for _, l := range Languages {
		q := r.URL.Query()
		q.Set(LangParam, l.Code)
		links = append(links, LangLink{
			Lang:    l,
			URL:     path + "?" + q.Encode(),
			Current: l == current,
		})
	}
	return links
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Lang    *Lang
	URL     string
	Current bool
}
