package payments

import (
	_ "embed"
	"strings"
)

//go:embed reasons.txt
var reasonsTxt string

// reasonTexts are the Swedish texts of the bank's reason codes
// (reasons.txt).
var reasonTexts = func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(reasonsTxt, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, text, ok := strings.Cut(line, "\t")
		if ok {
			m[code] = text
		}
	}
	return m
}()

// ReasonText is the Swedish text of an ISO 20022 status or return reason
// code the bank gives for a rejected payment, or a text naming the code
// when Skälig does not know it.
func ReasonText(code string) string {
	if t, ok := reasonTexts[code]; ok {
		return t
	}
	return "Banken avvisade betalningen med koden " + code + "."
}
