package registry

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"skalig"
)

// Readers of wire values. Each returns a partError naming what (an item
// message: "utbetalning 2") and the value.

func amountOf(what skalig.DetailArg, s string, allowNegative bool) (skalig.Money, error) {
	m, ok := skalig.ParseMoney(s)
	if !ok || (m < 0 && !allowNegative) {
		return 0, bad("bad_amount", what, quoted(s))
	}
	return m, nil
}

func monthOf(what skalig.DetailArg, s string, p skalig.RegisterPeriod) (skalig.Month, error) {
	m, ok := skalig.ParseMonth(s)
	if !ok {
		return 0, bad("bad_month", what, quoted(s))
	}
	if m < p.From || m > p.To {
		return 0, bad("month_outside", what, skalig.TextArg(m.String()))
	}
	return m, nil
}

func dateOf(what skalig.DetailArg, s string) (skalig.Date, error) {
	d, ok := skalig.ParseDate(s)
	if !ok {
		return skalig.Date{}, bad("bad_date", what, quoted(s))
	}
	return d, nil
}

// monthlyPayment reads a payment booked on a month of p: the month, the
// amount counted and the day paid (checked when not empty). The amounts of
// checked (a gross beside the net) must be valid but are not counted.
func monthlyPayment(what skalig.DetailArg, month, amount, paidOn string, p skalig.RegisterPeriod, checked ...string) (skalig.Month, skalig.Money, error) {
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
// ended); an end before the start is refused with the part message
// endsBefore ("ends_before": "<what>: slutar före sin början").
func dateSpan(what skalig.DetailArg, from, to, endsBefore string) (start, end skalig.Date, hasEnd bool, err error) {
	if start, err = dateOf(what, from); err != nil {
		return
	}
	if end, hasEnd, err = optDate(what, to); err != nil {
		return
	}
	if hasEnd && end.Before(start) {
		err = bad(endsBefore, what)
	}
	return
}

// optDate reads a date that may be empty (open-ended).
func optDate(what skalig.DetailArg, s string) (skalig.Date, bool, error) {
	if s == "" {
		return skalig.Date{}, false, nil
	}
	d, err := dateOf(what, s)
	return d, err == nil, err
}

// text reads a free text for a fact: valid UTF-8, 1-max characters, no
// control characters; runs of white space become one space.
func text(what skalig.DetailArg, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", bad("bad_text", what)
	}
	for _, r := range s {
		// U+FFFD stands where an encoder met something it could not write.
		if (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') || r == utf8.RuneError {
			return "", bad("bad_text", what)
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || utf8.RuneCountInString(s) > max {
		return "", bad("text_length", what, skalig.TextArg(strconv.Itoa(max)))
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
		return bad("sum_too_large", skalig.TextArg(kind), skalig.TextArg(m.String()))
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
