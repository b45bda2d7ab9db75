package skalig

import "unicode/utf8"

// ControlCharMessage is the Swedish message for a text with a control
// character, after the field's name.
const ControlCharMessage = "Texten innehåller ett tecken som inte är tillåtet (ett styrtecken, till exempel NUL). Ta bort det och försök igen."

// ContainsControl reports whether s holds a control character other than
// tab, line feed and carriage return, or is not valid UTF-8. Such a text
// is refused wherever a person or a client writes one: nobody types a
// control character, and PostgreSQL refuses NUL in text (the one rule for
// the web forms, the API and the workflow).
func ContainsControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}
