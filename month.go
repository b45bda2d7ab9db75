package skalig

import (
	"fmt"
	"time"
)

// Month is a calendar month, counted as year×12 + (month−1). The integer form
// makes "the month after", "six in a row" and "24 months later" plain
// arithmetic without a clock or time zone.
type Month int32

// MonthOf returns the month of year y, month m (1-12).
func MonthOf(y, m int) Month { return Month(y*12 + m - 1) }

// Year returns the calendar year of mo.
func (mo Month) Year() int { return int(mo) / 12 }

// Num returns the month number 1-12.
func (mo Month) Num() int { return int(mo)%12 + 1 }

// First returns the first day of the month.
func (mo Month) First() Date { return Date{Y: int16(mo.Year()), M: int8(mo.Num()), D: 1} }

// Days returns the number of days in the month (28-31).
func (mo Month) Days() int { return DaysIn(mo.Year(), mo.Num()) }

// String formats mo as YYYY-MM.
func (mo Month) String() string {
	y, m := mo.Year(), mo.Num()
	if y < 1000 || y > 9999 {
		return fmt.Sprintf("%04d-%02d", y, m)
	}
	b := [7]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-', byte('0' + m/10), byte('0' + m%10)}
	return string(b[:])
}

// MarshalText writes mo as YYYY-MM.
func (mo Month) MarshalText() ([]byte, error) { return []byte(mo.String()), nil }

// ParseMonth parses YYYY-MM with a year from 1900 to 2999.
func ParseMonth(s string) (Month, bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, false
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	if !ok1 || !ok2 || y < 1900 || y > 2999 || m < 1 || m > 12 {
		return 0, false
	}
	return MonthOf(y, m), true
}

// Date is a calendar date without time or zone: birth dates and the first day
// of a month assessed. Ages in the rules are completed years on a date.
type Date struct {
	Y int16
	M int8
	D int8
}

// ParseDate parses YYYY-MM-DD and checks that the day exists in that month.
func ParseDate(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1850 || y > 2999 || m < 1 || m > 12 || d < 1 || d > DaysIn(y, m) {
		return Date{}, false
	}
	return Date{Y: int16(y), M: int8(m), D: int8(d)}, true
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool {
	if d.Y != e.Y {
		return d.Y < e.Y
	}
	if d.M != e.M {
		return d.M < e.M
	}
	return d.D < e.D
}

// Month returns the month that d falls in.
func (d Date) Month() Month { return MonthOf(int(d.Y), int(d.M)) }

// AgeOn returns the completed years on day at of a person born on d. A
// birthday on day at counts as completed. Someone born on 29 February has
// completed the year on 1 March of a common year (and on 29 February of a
// leap year); since the rules ask for the age on the 1st of a month, both
// common readings give the same answer there.
func (d Date) AgeOn(at Date) int {
	age := int(at.Y) - int(d.Y)
	if at.M < d.M || (at.M == d.M && at.D < d.D) {
		age--
	}
	return age
}

// DaysIn returns the number of days in month m of year y.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// DateOf returns the calendar date of t in Swedish time (Europe/Stockholm,
// or UTC where the time zone database is missing): the date a decision or
// a calculation is made on.
func DateOf(t time.Time) Date {
	t = t.In(stockholm)
	return Date{Y: int16(t.Year()), M: int8(t.Month()), D: int8(t.Day())}
}

var stockholm = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		return l
	}
	return time.UTC
}()
