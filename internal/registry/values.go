package registry

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"skalig"
)

// Readers of wire values. Each returns an error with a Swedish detail.

func amountOf(what, s string, allowNegative bool) (skalig.Money, error) {
	m, ok := skalig.ParseMoney(s)
	if !ok || (m < 0 && !allowNegative) {
		return 0, fmt.Errorf("%s: ogiltigt belopp %q", what, clip(s))
	}
	return m, nil
}

func monthOf(what, s string, p skalig.RegisterPeriod) (skalig.Month, error) {
	m, ok := skalig.ParseMonth(s)
	if !ok {
		return 0, fmt.Errorf("%s: ogiltig månad %q", what, clip(s))
	}
	if m < p.From || m > p.To {
		return 0, fmt.Errorf("%s: månaden %s ligger utanför den efterfrågade perioden", what, m)
	}
	return m, nil
}

func dateOf(what, s string) (skalig.Date, error) {
	d, ok := skalig.ParseDate(s)
	if !ok {
		return skalig.Date{}, fmt.Errorf("%s: ogiltigt datum %q", what, clip(s))
	}
	return d, nil
}

// monthlyPayment reads a payment booked on a month of p: the month, the
// amount counted and the day paid (checked when not empty). The amounts of
// checked (a gross beside the net) must be valid but are not counted.
func monthlyPayment(what, month, amount, paidOn string, p skalig.RegisterPeriod, checked ...string) (skalig.Month, skalig.Money, error) {
	m, err := monthOf(what, month, p)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range checked {
		if _, err := amountOf(what, c, false); err != nil {
			return 0, 0, err
		}
	}
	amt, err := amountOf(what, amount, false)
	if err != nil {
		return 0, 0, err
	}
	if paidOn != "" {
		if _, err := dateOf(what, paidOn); err != nil {
			return 0, 0, err
		}
	}
	return m, amt, nil
}

// dateSpan reads a period: a start date and an end that may be empty (open
// ended); an end before the start is refused with "<what>: <endsBefore>".
func dateSpan(what, from, to, endsBefore string) (start, end skalig.Date, hasEnd bool, err error) {
	if start, err = dateOf(what, from); err != nil {
		return
	}
	if end, hasEnd, err = optDate(what, to); err != nil {
		return
	}
	if hasEnd && end.Before(start) {
		err = fmt.Errorf("%s: %s", what, endsBefore)
	}
	return
}

// optDate reads a date that may be empty (open-ended).
func optDate(what, s string) (skalig.Date, bool, error) {
	if s == "" {
		return skalig.Date{}, false, nil
	}
	d, err := dateOf(what, s)
	return d, err == nil, err
}

// text reads a free text for a fact: valid UTF-8, 1-max characters, no
// control characters; runs of white space become one space.
func text(what, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%s: ogiltig text", what)
	}
	for _, r := range s {
		// U+FFFD stands where an encoder met something it could not write.
		if (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') || r == utf8.RuneError {
			return "", fmt.Errorf("%s: ogiltig text", what)
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || utf8.RuneCountInString(s) > max {
		return "", fmt.Errorf("%s: texten ska vara 1-%d tecken", what, max)
	}
	return s, nil
}

func clip(s string) string {
	if len(s) > 20 {
		s = s[:20]
	}
	return strings.ToValidUTF8(s, "?")
}

func forMonths(p skalig.RegisterPeriod, f func(skalig.Month)) {
	for m := p.From; m <= p.To; m++ {
		f(m)
	}
}

// overlaps reports whether [from, to] (to open when !hasTo) touches month m.
func overlaps(from skalig.Date, to skalig.Date, hasTo bool, m skalig.Month) bool {
	return !lastDay(m).Before(from) && (!hasTo || !to.Before(m.First()))
}

// sums adds amounts per (kind, month) and refuses sums past MaxMoney.
type sums map[[2]string]skalig.Money

func (s sums) add(kind string, m skalig.Month, v skalig.Money) error {
	k := [2]string{kind, m.String()}
	t := s[k] + v
	if t > skalig.MaxMoney || t < -skalig.MaxMoney {
		return fmt.Errorf("%s %s: summan är orimligt stor", kind, m)
	}
	s[k] = t
	return nil
}

func (s sums) facts(fm factMaker) []skalig.Fact {
	out := make([]skalig.Fact, 0, len(s))
	for k, v := range s {
		m, _ := skalig.ParseMonth(k[1])
		out = append(out, fm.fact(k[0], m, skalig.AmountValue(v)))
	}
	return out
}

func smallInt(s string, max int) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= max
}

// validRegNo reports whether s looks like a Swedish registration number:
// 2-7 upper-case letters and digits.
func validRegNo(s string) bool {
	if len(s) < 2 || len(s) > 7 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
