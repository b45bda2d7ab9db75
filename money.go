package skalig

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in öre (1/100 krona). Integer öre keep every sum exact;
// rounding to whole kronor happens only where a rule says so, and then as a
// line of its own in the trace.
type Money int64

// Kronor returns m for a whole number of kronor.
func Kronor(kr int64) Money { return Money(kr * 100) }

// MaxMoney bounds every amount the parsers accept (one hundred million
// kronor), so that sums of many amounts can never overflow int64.
const MaxMoney = Money(100_000_000_00)

// RoundKronor rounds m half up to whole kronor ("avrundning uppåt vid 50 öre").
// Half up means towards positive infinity, for negative amounts too, so that
// rounding is the same function on both sides of zero.
func (m Money) RoundKronor() Money {
	r := m % 100
	if r < 0 {
		r += 100
	}
	base := m - r
	if r >= 50 {
		return base + 100
	}
	return base
}

// MulDivRound returns m × num ÷ den rounded half up to whole öre. It is used
// for shares (days present of days in month, persons of a dwelling) and rates.
// den must be positive; num must not be negative.
func (m Money) MulDivRound(num, den int64) Money {
	p := int64(m) * num
	q := p / den
	r := p % den
	if r < 0 {
		r += den
		q--
	}
	if 2*r >= den {
		q++
	}
	return Money(q)
}

// String formats m in kronor with a point and, where there are öre, two
// decimals: "7200", "350.50", "-12.05". It is the machine form used in JSON.
func (m Money) String() string { return string(m.Append(nil)) }

// Append appends m as String writes it to b.
func (m Money) Append(b []byte) []byte {
	neg := m < 0
	v := int64(m)
	if neg {
		v = -v
	}
	kr, ore := v/100, v%100
	if neg {
		b = append(b, '-')
	}
	b = strconv.AppendInt(b, kr, 10)
	if ore != 0 {
		b = append(b, '.', byte('0'+ore/10), byte('0'+ore%10))
	}
	return b
}

// Swedish formats m the way a Swedish reader expects: a space between
// thousands, a comma before öre and "kr": "7 200 kr", "350,50 kr".
func (m Money) Swedish() string {
	neg := m < 0
	v := int64(m)
	if neg {
		v = -v
	}
	kr, ore := v/100, v%100
	digits := strconv.FormatInt(kr, 10)
	var sb strings.Builder
	if neg {
		sb.WriteString("−")
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			sb.WriteRune('\u00a0')
		}
		sb.WriteRune(c)
	}
	if ore != 0 {
		sb.WriteByte(',')
		sb.WriteByte(byte('0' + ore/10))
		sb.WriteByte(byte('0' + ore%10))
	}
	sb.WriteString("\u00a0kr")
	return sb.String()
}

// MarshalJSON writes m as a JSON number in kronor with at most two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads what MarshalJSON writes: a JSON number of kronor with
// at most two decimals (a quoted one too). It is for Skälig's own records;
// user input goes through the parsers that name the field.
func (m *Money) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, ok := ParseMoney(s)
	if !ok {
		return fmt.Errorf("belopp %q är inte kronor med högst två decimaler", s)
	}
	*m = v
	return nil
}

// ParseMoney parses a decimal amount in kronor with at most two decimals
// ("7200", "350.5", "350.50"). It accepts the plain JSON number form only: no
// sign other than a leading minus, no exponent, no thousands separators. The
// bool is false when s is not such an amount or is out of range.
func ParseMoney(s string) (Money, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > 12 || (hasDot && (len(frac) == 0 || len(frac) > 2)) {
		return 0, false
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return 0, false
	}
	var v int64
	for _, c := range intPart {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	v *= 100
	if hasDot {
		f := frac
		if len(f) == 1 {
			f += "0"
		}
		for i, c := range f {
			if c < '0' || c > '9' {
				return 0, false
			}
			if i == 0 {
				v += int64(c-'0') * 10
			} else {
				v += int64(c - '0')
			}
		}
	}
	m := Money(v)
	if m > MaxMoney {
		return 0, false
	}
	if neg {
		m = -m
	}
	return m, true
}
