package skalig

import (
	"slices"
	"strings"
)

// The fetch job records a source it gave up on as a register.<source>.status
// fact "failed" whose Evidence is "fetch:" and the last error in Swedish
// (FetchErrorEvidence): the stored record and the API's facts keep that
// text. A page in another language says it again from the catalogs
// (FetchEvidenceDetail), since the record has no room for the Detail.

// FetchEvidencePrefix begins the evidence of a register status fact that
// the fetch job wrote without an answer to refer to.
const FetchEvidencePrefix = "fetch:"

// maxFetchEvidence bounds the text of a fetch evidence, in bytes.
const maxFetchEvidence = 200

// FetchErrorEvidence is the evidence of a failed status fact for the last
// error e: "fetch:timeout: Frågan till Försäkringskassan besvarades inte i
// tid.", at most 200 bytes of e's text.
func FetchErrorEvidence(e *RegisterError) string { return FetchTextEvidence(e.Error()) }

// FetchTextEvidence is the evidence of a failed status fact whose source
// gave no error: text is a Detail's Swedish (FetchNoConnection,
// FetchNoAnswer) or why the whole fetch failed.
func FetchTextEvidence(text string) string {
	if len(text) > maxFetchEvidence {
		text = strings.ToValidUTF8(text[:maxFetchEvidence], "")
	}
	return FetchEvidencePrefix + text
}

// FetchNoConnection and FetchNoAnswer are why a source is still waited
// for when it gave no error: Skälig has no register connection, or the
// answer had no part for it.
var (
	FetchNoConnection = NewDetail("detail.register_error.no_connection")
	FetchNoAnswer     = NewDetail("detail.register_error.no_answer")
)

// registerClientCodes are the codes the register client sets itself.
var registerClientCodes = []string{RegisterCodeTimeout, RegisterCodeUnavailable, RegisterCodeMalformed,
	RegisterCodeCircuitOpen, RegisterCodeRejected, RegisterCodeTLS}

// registerErrorIDs are the messages a register error's Detail is made of
// (the client's, the parser's, and a source's error without a text), in
// the order FetchEvidenceDetail tries them; a source's own text
// ("detail.register_error.source_said") is tried last, and only for a
// source's own code.
var registerErrorIDs = []string{
	"detail.register_error.timeout", "detail.register_error.unavailable", "detail.register_error.malformed_service",
	"detail.register_error.rejected", "detail.register_error.rejected_said", "detail.register_error.tls",
	"detail.register_error.circuit_open", "detail.register_error.source_error", "detail.register_error.malformed",
}

// registerPartPrefix and registerItemPrefix begin the messages of what the
// parser found wrong in a part ("utbetalning 2: ogiltigt belopp …") and of
// the item it names ("utbetalning 2").
const (
	registerPartPrefix = "detail.register_error.part."
	registerItemPrefix = "detail.register_error.item."
)

// registerPartIDs and registerItemIDs are those messages, sorted.
var registerPartIDs, registerItemIDs = func() (part, item []string) {
	for id := range swedishDetails {
		switch {
		case strings.HasPrefix(id, registerPartPrefix):
			part = append(part, id)
		case strings.HasPrefix(id, registerItemPrefix):
			item = append(item, id)
		}
	}
	slices.Sort(part)
	slices.Sort(item)
	return part, item
}()

// FetchEvidenceDetail reads the evidence of a failed register status fact
// (FetchErrorEvidence, FetchTextEvidence) back into the Detail it was
// written from, so that a page can say it in its language: ok is true only
// when the Detail's Swedish is the recorded text exactly. Evidence written
// by an older version, cut at 200 bytes, or of a fetch that failed as a
// whole, gives false: show it as it is.
//
// The text is matched against the Swedish messages (registerErrorIDs and
// the parser's part and item messages), an argument being a register's
// Swedish name, a part message, a numbered item, or else text as it is.
// Each reading is written again and kept only when it gives the recorded
// text; TestParsePartErrors (internal/registry) checks that every message
// the parser writes reads back as the Detail it was written from.
func FetchEvidenceDetail(ev string) (Detail, bool) {
	text, ok := strings.CutPrefix(ev, FetchEvidencePrefix)
	if !ok {
		return Detail{}, false
	}
	for _, d := range []Detail{FetchNoConnection, FetchNoAnswer} {
		if d.Swedish() == text {
			return d, true
		}
	}
	code, msg, ok := strings.Cut(text, ": ")
	if !ok {
		return Detail{}, false
	}
	if d, ok := parseDetail(msg, registerErrorIDs, 0); ok {
		return d, true
	}
	if !slices.Contains(registerClientCodes, code) {
		d := NewDetail("detail.register_error.source_said", TextArg(msg))
		return d, d.Swedish() == msg
	}
	return Detail{}, false
}

// parseDetail returns the Detail of one of ids whose Swedish is s.
func parseDetail(s string, ids []string, depth int) (Detail, bool) {
	for _, id := range ids {
		args, ok := matchTemplate(swedishDetails[id], s)
		if !ok {
			continue
		}
		if strings.HasPrefix(id, registerItemPrefix) && !allDigits(args) {
			continue // an item is numbered: "utbetalning 2"
		}
		if depth == 0 && len(args) > 0 && !isRegisterName(args[0]) {
			continue // the client's messages name the register first
		}
		d := Detail{ID: id}
		for _, a := range args {
			d.Args = append(d.Args, parseArg(a, depth))
		}
		if d.Swedish() == s {
			return d, true
		}
	}
	return Detail{}, false
}

// parseArg reads an argument of a register error message: a register's
// Swedish name, a part's or an item's message, or text as it is.
func parseArg(s string, depth int) DetailArg {
	for name, sv := range registerSwedish {
		if sv == s {
			return RegisterArg(name)
		}
	}
	if depth < 2 {
		if d, ok := parseDetail(s, registerPartIDs, depth+1); ok {
			return DetailAsArg(d)
		}
		if d, ok := parseDetail(s, registerItemIDs, depth+1); ok {
			return DetailAsArg(d)
		}
	}
	return TextArg(s)
}

// isRegisterName reports whether s names a register as RegisterArg
// writes it in Swedish: a known register's name, or an unknown one's code.
func isRegisterName(s string) bool {
	for _, sv := range registerSwedish {
		if sv == s {
			return true
		}
	}
	return isCode(s, "_-", 32)
}

// allDigits reports whether every one of args is a number 0-9….
func allDigits(args []string) bool {
	for _, a := range args {
		if a == "" || strings.Trim(a, "0123456789") != "" {
			return false
		}
	}
	return true
}

// matchTemplate matches s against a message of plain %s verbs, returning
// the text of each verb (each as short as it can be, the last the rest).
func matchTemplate(tmpl, s string) ([]string, bool) {
	if tmpl == "" || strings.Contains(tmpl, "%[") || strings.Contains(tmpl, "%%") {
		return nil, false
	}
	lits := strings.Split(tmpl, "%s")
	rest, ok := strings.CutPrefix(s, lits[0])
	if !ok {
		return nil, false
	}
	var args []string
	for i, lit := range lits[1:] {
		last := i == len(lits)-2
		switch {
		case last:
			a, ok := strings.CutSuffix(rest, lit)
			if !ok {
				return nil, false
			}
			args, rest = append(args, a), ""
		case lit == "":
			return nil, false // two verbs side by side: no message has them
		default:
			j := strings.Index(rest, lit)
			if j < 0 {
				return nil, false
			}
			args, rest = append(args, rest[:j]), rest[j+len(lit):]
		}
	}
	return args, rest == ""
}
