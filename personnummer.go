package skalig

import (
	"log/slog"
	"strings"
)

// PersonalNumber is a Swedish personal identity number (personnummer) or
// coordination number (samordningsnummer) in canonical form: twelve digits
// YYYYMMDDNNNN, the century included, without a separator. A coordination
// number keeps its day plus 60 (19900472NNNN), as Skatteverket stores it.
//
// Values come from ParsePersonalNumber, or from storage and JSON where
// Validate checks them. The number is personal data: String and LogValue
// print the masked form, so that fmt and slog never leak the last four digits
// (the released Trelleborg code leaked hundreds of them). Use Canonical, or a
// plain string conversion, where the full number is meant.
type PersonalNumber string

// ParsePersonalNumber parses a personnummer or samordningsnummer written
// YYYYMMDD-NNNN, YYYYMMDDNNNN, YYMMDD-NNNN, YYMMDD+NNNN or YYMMDDNNNN and
// returns it in canonical form. Surrounding spaces are ignored.
//
// The short forms have no century. As the folkbokföringslag prescribes, the
// hyphen is used until the year a person turns 100 and the plus sign from that
// year on, so on reference date today a short number with a hyphen belongs to
// the latest year ending in YY that is not after today's year, and one with a
// plus sign to the year a century before that. Any number whose birth date is
// after today is refused.
//
// It checks the date (for a coordination number the day less 60) and the
// check digit (the Luhn modulus-10 method over the ten digits YYMMDDNNN). All
// errors are *Error with code EINVALID and a Swedish message.
func ParsePersonalNumber(s string, today Date) (PersonalNumber, error) {
	s = strings.TrimSpace(s)
	var digits, sep string
	switch len(s) {
	case 13: // YYYYMMDD-NNNN
		if s[8] != '-' {
			return "", errPNFormat()
		}
		digits, sep = s[:8]+s[9:], "-"
	case 12: // YYYYMMDDNNNN
		digits = s
	case 11: // YYMMDD-NNNN, YYMMDD+NNNN
		if s[6] != '-' && s[6] != '+' {
			return "", errPNFormat()
		}
		digits, sep = s[:6]+s[7:], s[6:7]
	case 10: // YYMMDDNNNN
		digits, sep = s, "-"
	default:
		return "", errPNFormat()
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", errPNFormat()
		}
	}
	century := -1 // not given
	if len(digits) == 12 {
		century, _ = atoi(digits[:2])
		digits = digits[2:]
	}
	yy, _ := atoi(digits[0:2])
	var year int
	if century >= 0 {
		year = century*100 + yy
	} else {
		year = int(today.Y) - ((int(today.Y)-yy)%100+100)%100
		if sep == "+" {
			year -= 100
		}
	}
	p := PersonalNumber(itoa4(year) + digits[2:])
	if err := p.Validate(); err != nil {
		return "", err
	}
	if today.Before(p.BirthDate()) {
		return "", Errorf(EINVALID, "Födelsedatumet i personnumret ligger efter dagens datum.")
	}
	return p, nil
}

func errPNFormat() *Error {
	return Errorf(EINVALID, "Skriv personnumret som ÅÅÅÅMMDD-NNNN.")
}

func itoa4(n int) string {
	return string([]byte{byte('0' + n/1000%10), byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)})
}

// Validate checks that p is in canonical form with a date that exists
// (the day less 60 for a coordination number), a year from 1850 on and a
// correct check digit. It returns *Error EINVALID with a Swedish message.
func (p PersonalNumber) Validate() error {
	s := string(p)
	if len(s) != 12 {
		return errPNFormat()
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return errPNFormat()
		}
	}
	y, _ := atoi(s[0:4])
	m, _ := atoi(s[4:6])
	d, _ := atoi(s[6:8])
	if d > 60 {
		d -= 60
	}
	if y < 1850 || m < 1 || m > 12 || d < 1 || d > DaysIn(y, m) {
		return Errorf(EINVALID, "Personnumret innehåller inget giltigt datum.")
	}
	if luhn(s[2:11]) != int(s[11]-'0') {
		return Errorf(EINVALID, "Personnumret är felskrivet: kontrollsiffran stämmer inte.")
	}
	return nil
}

// luhn returns the check digit for the nine digits in s: the digits are
// multiplied by 2 and 1 in turn, the digits of the products summed, and the
// check digit is what brings the sum to a multiple of ten.
func luhn(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		v := int(s[i] - '0')
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return (10 - sum%10) % 10
}

// IsCoordination reports whether p is a samordningsnummer (day plus 60),
// given to people who are not or have not been folkbokförda in Sweden.
func (p PersonalNumber) IsCoordination() bool {
	return len(p) == 12 && p[6] >= '6'
}

// BirthDate returns the date of birth in p: for a coordination number the
// day less 60. It returns the zero Date for a p that is not valid.
func (p PersonalNumber) BirthDate() Date {
	if len(p) != 12 {
		return Date{}
	}
	d, ok := ParseDate(string(p[0:4]) + "-" + string(p[4:6]) + "-" + dayLess60(string(p[6:8])))
	if !ok {
		return Date{}
	}
	return d
}

func dayLess60(dd string) string {
	d, ok := atoi(dd)
	if !ok {
		return dd
	}
	if d > 60 {
		d -= 60
	}
	return string([]byte{byte('0' + d/10), byte('0' + d%10)})
}

// Canonical returns the full twelve-digit number. It is the form to store and
// to send to registers; never log it.
func (p PersonalNumber) Canonical() string { return string(p) }

// Masked returns p with the last four digits hidden, "19900412-****", the
// form for logs, audit listings and screens that need not show the number.
func (p PersonalNumber) Masked() string {
	if len(p) != 12 {
		return "****"
	}
	return string(p[:8]) + "-****"
}

// String returns the masked form, so that printing a PersonalNumber by
// mistake never reveals it.
func (p PersonalNumber) String() string { return p.Masked() }

// LogValue makes slog print the masked form.
func (p PersonalNumber) LogValue() slog.Value { return slog.StringValue(p.Masked()) }
