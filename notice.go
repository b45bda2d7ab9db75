package skalig

import (
	"fmt"
)

// Notices are the texts Skälig sends the applicant in Mina sidor about
// their case after the application (review requests, appeals, changed
// decisions, kommunicering, withdrawal): message ids "notice.<what>" in
// locales/notices.{sv,en,ar}.json, embedded with ReasonCatalogs, with fmt
// verbs for their arguments. The workflow keeps the Swedish text
// (NoticeText) on the case with the id and its arguments, so that a page
// can show the notice in the reader's language.

// swedishNotices is the Swedish catalog of the notices: message id → text.
var swedishNotices = swedishCatalog("notices")

// NoticeText returns the Swedish text of notice id with args; it panics
// on an id the catalog does not have (a mistake the tests catch).
func NoticeText(id string, args ...any) string {
	t, ok := swedishNotices[id]
	if !ok {
		panic("skalig: no notice " + id + " in locales/notices.sv.json")
	}
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}
