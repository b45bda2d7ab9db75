package web

import (
	"strings"
	"unicode/utf8"

	"skalig"
)

// amountProblem says why a text is not an amount. Each has a message per
// language ("form.amount.<problem>"), formatted with the field's label.
type amountProblem string

const (
	amountOK        amountProblem = ""
	amountEmpty     amountProblem = "empty"
	amountSyntax    amountProblem = "syntax"    // not digits
	amountDecimals  amountProblem = "decimals"  // more than two decimals
	amountGrouping  amountProblem = "grouping"  // spaces in the wrong places
	amountNegative  amountProblem = "negative"  // a minus sign
	amountTooLarge  amountProblem = "too_large" // over skalig.MaxMoney
	maxAmountLength               = 64          // longer input is never an amount
)

// ParseAmount parses an amount in kronor as people write it in Sweden and
// returns it as skalig.Money. It accepts:
//
//   - whole kronor with or without a space between thousands: "7200",
//     "7 200", "1 234 567" (the space may be an ordinary, non-breaking,
//     narrow non-breaking, thin or figure space);
//   - öre after a comma or a point, one or two digits: "350,50", "350,5",
//     "7200.50", "1 234,5"; or ",-" / ":-" for none: "200:-";
//   - points between thousands when a decimal comma follows: "7.200,00",
//     "1.234.567,50";
//   - "kr", "kr.", "kronor" or "SEK" after (or "SEK" before) the number, in
//     any case: "7 200 kr".
//
// It refuses, with a reason, anything else: an empty text, letters, more than
// two decimals, spaces that do not separate groups of three ("72 00" could be
// a typing mistake for 7 200 or 72,00, so it is not guessed), a negative
// amount and an amount over skalig.MaxMoney. A refusal is an EINVALID
// *skalig.Error whose Message and single FieldError name the field by label,
// in plain Swedish. Form.Amount gives the same message in the page's
// language.
func ParseAmount(field, label, s string) (skalig.Money, error) {
	m, p := parseAmount(s)
	if p != amountOK {
		msg := amountMessage(Swedish, p, MessageLabel(label))
		return 0, &skalig.Error{Code: skalig.EINVALID, Message: msg,
			Fields: []skalig.FieldError{{Field: field, Message: msg}}}
	}
	return m, nil
}

func amountMessage(l *Lang, p amountProblem, label string) string {
	return l.T("form.amount."+string(p), label)
}

// isSpace reports whether r separates thousands or surrounds an amount.
func IsSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\u00a0', '\u202f', '\u2009', '\u2007', '\u2008', '\u200a', '\u2002', '\u2003':
		return true
	}
	return false
}

// parseAmount does the work of ParseAmount.
func parseAmount(s string) (skalig.Money, amountProblem) {
	if len(s) > maxAmountLength*4 || !utf8.ValidString(s) {
		return 0, amountSyntax
	}
	s = strings.TrimFunc(s, IsSpace)
	if s == "" {
		return 0, amountEmpty
	}
	if len(s) > maxAmountLength {
		return 0, amountSyntax
	}
	// The currency, after or (SEK) before the number.
	low := strings.ToLower(s)
	for _, suf := range []string{"kronor", "kr.", "kr", "sek"} {
		if strings.HasSuffix(low, suf) {
			s = strings.TrimRightFunc(s[:len(s)-len(suf)], IsSpace)
			low = strings.ToLower(s)
			break
		}
	}
	if strings.HasPrefix(low, "sek") {
		s = strings.TrimLeftFunc(s[3:], IsSpace)
	}
	if s == "" {
		return 0, amountSyntax
	}
	// "200:-" and "200,-" are whole kronor.
	for _, suf := range []string{":-", ",-", ".-"} {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-len(suf)]
			if strings.ContainsAny(s, ",.") {
				return 0, amountSyntax
			}
			break
		}
	}
	neg := false
	if r, size := utf8.DecodeRuneInString(s); r == '-' || r == '−' || r == '–' {
		neg = true
		s = strings.TrimLeftFunc(s[size:], IsSpace)
	} else if r == '+' {
		s = strings.TrimLeftFunc(s[size:], IsSpace)
	}
	if s == "" {
		return 0, amountSyntax
	}

	// "7.200,00" and "1.234.567,50": points between groups of three before
	// the decimal comma are thousands separators (as many write them, and
	// banks print them). Any other mix of points and commas is not guessed.
	if i := strings.LastIndexByte(s, ','); i > 0 && strings.Contains(s[:i], ".") {
		if groups := strings.Split(s[:i], "."); pointGroups(groups) {
			s = strings.Join(groups, "") + s[i:]
		}
	}

	// Split off the öre at the one decimal separator.
	intPart, frac := s, ""
	if i := strings.IndexAny(s, ",."); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
		if strings.ContainsAny(frac, ",.") {
			// "1.234,50" or "7,200.50": two separators are not guessed.
			return 0, amountSyntax
		}
		if frac == "" || !allDigits(frac) {
			return 0, amountSyntax
		}
		if len(frac) > 2 {
			return 0, amountDecimals
		}
	}
	if intPart == "" {
		if frac == "" {
			return 0, amountSyntax
		}
		intPart = "0" // ",50"
	}

	// The whole kronor: digits, optionally in groups of three separated by
	// one space each.
	var groups []string
	cur := strings.Builder{}
	prevSpace := false
	for _, r := range intPart {
		switch {
		case r >= '0' && r <= '9':
			cur.WriteRune(r)
			prevSpace = false
		case IsSpace(r):
			if prevSpace || cur.Len() == 0 {
				return 0, amountGrouping
			}
			groups = append(groups, cur.String())
			cur.Reset()
			prevSpace = true
		default:
			return 0, amountSyntax
		}
	}
	if prevSpace {
		return 0, amountGrouping // a space before the decimal separator: "7 ,50"
	}
	groups = append(groups, cur.String())
	if len(groups) > 1 {
		if len(groups[0]) > 3 {
			return 0, amountGrouping
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, amountGrouping
			}
		}
	}
	digits := strings.TrimLeft(strings.Join(groups, ""), "0")
	if len(digits) > 12 {
		return 0, amountTooLarge
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		v = v*10 + int64(digits[i]-'0')
	}
	v *= 100
	switch len(frac) {
	case 1:
		v += int64(frac[0]-'0') * 10
	case 2:
		v += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	m := skalig.Money(v)
	if m > skalig.MaxMoney {
		return 0, amountTooLarge
	}
	if neg && m != 0 {
		return 0, amountNegative
	}
	return m, amountOK
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pointGroups reports whether groups, the whole kronor split at points,
// are digits in groups of three after a first group of one to three.
func pointGroups(groups []string) bool {
	if len(groups) < 2 || len(groups[0]) == 0 || len(groups[0]) > 3 || !allDigits(groups[0]) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return false
		}
	}
	return true
}
