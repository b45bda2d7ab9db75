package sim

import (
	"skalig"
)

// TestPersonnummer returns the i-th synthetic personnummer (i ≥ 0): birth
// dates spread over 1958-2007 and the födelsenummer 980-999 that
// Skatteverket's test personnummer use, with the check digit computed.
// Every tenth is a samordningsnummer (day plus 60). They are distinct for i
// below 36 000.
func TestPersonnummer(i int) skalig.PersonalNumber {
	if i < 0 {
		i = -i
	}
	// Step through 18 262 days (50 years) by 97 days, a step prime to the
	// span, so that every day is met once before any repeats.
	const span, step = 18262, 97
	days := i * step % span
	y, m := 1958, 1
	for days >= skalig.DaysIn(y, m) {
		days -= skalig.DaysIn(y, m)
		if m++; m > 12 {
			m, y = 1, y+1
		}
	}
	dd := days + 1
	if i%10 == 9 {
		dd += 60
	}
	s := itoa(y, 4) + itoa(m, 2) + itoa(dd, 2) + itoa(980+i%20, 3)
	return skalig.PersonalNumber(withCheckDigit(s))
}

func itoa(n, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

// withCheckDigit appends the check digit to YYYYMMDDNNN (the Luhn modulus-10
// method over the ten digits after the century).
func withCheckDigit(s string) string {
	sum := 0
	for i, c := range s[2:11] {
		v := int(c - '0')
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return s + string(rune('0'+(10-sum%10)%10))
}
