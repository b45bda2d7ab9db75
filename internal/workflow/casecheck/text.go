package casecheck

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"skalig"
)

// Invalid is the EINVALID error of one field, with msg (Swedish, shown to
// the person) as the message of both.
func Invalid(field, msg string) error {
	return &skalig.Error{Code: skalig.EINVALID, Message: msg, Fields: []skalig.FieldError{{Field: field, Message: msg}}}
}

// RequestText trims and checks the text of a review request or an appeal;
// empty gives def, and is refused (field "text") when def is empty.
func RequestText(text, def string) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "" && def == "":
		return "", Invalid("text", "Skriv varför du överklagar beslutet och hur du vill att det ändras.")
	case text == "":
		text = def
	case !utf8.ValidString(text) || utf8.RuneCountInString(text) > 5000:
		return "", Invalid("text", "Skriv högst 5 000 tecken.")
	case skalig.ContainsControl(text):
		return "", Invalid("text", skalig.ControlCharMessage)
	}
	return text, nil
}

// Comment trims and checks the applicant's comment (yttrande) on a
// kommunicering (field "text").
func Comment(text string) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > 5000:
		return "", Invalid("text", "Skriv ditt yttrande (högst 5 000 tecken).")
	case skalig.ContainsControl(text):
		return "", Invalid("text", skalig.ControlCharMessage)
	}
	return text, nil
}

// CommentRequest trims and checks what a caseworker sends for comment
// (field "text") and its last day due, which must come after today (field
// "due").
func CommentRequest(text string, due, today skalig.Date) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > 5000:
		return "", Invalid("text", "Skriv vilka uppgifter den sökande ska få yttra sig över (högst 5 000 tecken).")
	case skalig.ContainsControl(text):
		return "", Invalid("text", skalig.ControlCharMessage)
	case !today.Before(due):
		return "", Invalid("due", "Sista dag för yttrande ska vara efter i dag.")
	}
	return text, nil
}

// DocumentRequest trims and checks a caseworker's request for documents
// (komplettering): who asks, the text, and a last day due not before
// today.
func DocumentRequest(caseworker, text string, due, today skalig.Date) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case caseworker == "":
		return "", Invalid("caseworker", "Ange vem som begär kompletteringen.")
	case text == "" || utf8.RuneCountInString(text) > 2000:
		return "", Invalid("text", "Skriv vilka handlingar som behövs (högst 2 000 tecken).")
	case skalig.ContainsControl(text):
		return "", Invalid("text", skalig.ControlCharMessage)
	case due.Before(today):
		return "", Invalid("due", "Sista dag kan inte vara före i dag.")
	}
	return text, nil
}

// MaxDocumentBytes bounds an uploaded document.
const MaxDocumentBytes = 10 << 20

// allowedTypes are the document types accepted, by their content.
var allowedTypes = map[string]string{"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}

// Document checks an uploaded document by its content, never by its name
// (field "file": empty, above MaxDocumentBytes, not PDF, JPEG or PNG), and
// returns the media type detected and the name to keep ("dokument" for
// none, a long one or one with control characters).
func Document(name string, body []byte) (keptName, mediaType string, err error) {
	switch {
	case len(body) == 0:
		return "", "", Invalid("file", "Välj en fil att ladda upp.")
	case len(body) > MaxDocumentBytes:
		return "", "", Invalid("file", "Filen är för stor. Den får vara högst 10 MB.")
	}
	detected := http.DetectContentType(body)
	if i := strings.IndexByte(detected, ';'); i >= 0 {
		detected = detected[:i]
	}
	if _, ok := allowedTypes[detected]; !ok {
		return "", "", Invalid("file", "Filen måste vara en PDF, JPEG eller PNG.")
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 || skalig.ContainsControl(name) {
		name = "dokument"
	}
	return name, detected, nil
}

// Message trims and checks a message in a case (field "body") and that it
// has a sender (field "from").
func Message(from, body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > 5000 || !utf8.ValidString(body) {
		return "", Invalid("body", "Skriv ett meddelande (högst 5 000 tecken).")
	}
	if skalig.ContainsControl(body) {
		return "", Invalid("body", skalig.ControlCharMessage)
	}
	if from == "" {
		return "", Invalid("from", "Avsändare saknas.")
	}
	return body, nil
}

// SampleResult trims and checks the result of a sample control: who
// records it, a note describing a discrepancy, and amounts not negative.
func SampleResult(caseworker string, confirmed bool, note string, declared, verified skalig.Money) (string, error) {
	note = strings.TrimSpace(note)
	switch {
	case caseworker == "":
		return "", Invalid("caseworker", "Ange vem som registrerar resultatet.")
	case !confirmed && note == "":
		return "", Invalid("note", "Beskriv avvikelsen.")
	case skalig.ContainsControl(note):
		return "", Invalid("note", skalig.ControlCharMessage)
	case declared < 0 || verified < 0:
		return "", Invalid("verified", "Beloppen kan inte vara negativa.")
	}
	return note, nil
}
