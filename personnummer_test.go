package skalig

import (
	"bytes"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Test numbers are synthetic: built here from a date and a birth number with
// the check digit computed, never copied from anywhere. No test attaches a
// name or any other personal data to them.

// checkDigit computes the Luhn check digit of nine digits with the doubling
// table, written independently of luhn in personnummer.go.
func checkDigit(nine string) int {
	doubled := [10]int{0, 2, 4, 6, 8, 1, 3, 5, 7, 9} // digit sum of 2×d
	sum := 0
	for i, c := range nine {
		d := int(c - '0')
		if i%2 == 0 {
			sum += doubled[d]
		} else {
			sum += d
		}
	}
	return (10 - sum%10) % 10
}

// testPN returns the canonical 12-digit number for date YYYYMMDD (the day
// plus 60 for a coordination number) and birth number serial (1-999).
func testPN(tb interface {
	Helper()
	Fatalf(string, ...any)
}, yyyymmdd string, serial int) string {
	tb.Helper()
	if len(yyyymmdd) != 8 || serial < 0 || serial > 999 {
		tb.Fatalf("testPN(%q, %d): bad arguments", yyyymmdd, serial)
	}
	nine := yyyymmdd[2:] + fmt.Sprintf("%03d", serial)
	return yyyymmdd + fmt.Sprintf("%03d%d", serial, checkDigit(nine))
}

// wrongCheck returns pn with its check digit changed.
func wrongCheck(pn string) string {
	d := (int(pn[len(pn)-1]-'0') + 1) % 10
	return pn[:len(pn)-1] + strconv.Itoa(d)
}

func TestParsePersonalNumber(t *testing.T) {
	today := mustDate(t, "2026-03-15")
	pn1990 := testPN(t, "19900412", 982)     // an adult
	pn2010 := testPN(t, "20100101", 981)     // a child
	pn1920 := testPN(t, "19200301", 983)     // a person over 100
	pn2026 := testPN(t, "20260315", 984)     // born today
	pnCoord := testPN(t, "19850472", 985)    // samordningsnummer, born 1985-04-12
	pnLeap := testPN(t, "20000229", 986)     // 29 February of a leap year
	pnCoordEnd := testPN(t, "19991291", 987) // samordningsnummer, 31 December

	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			in, want string
			birth    string
			coord    bool
		}{
			{pn1990, pn1990, "1990-04-12", false},
			{pn1990[:8] + "-" + pn1990[8:], pn1990, "1990-04-12", false},
			{pn1990[2:8] + "-" + pn1990[8:], pn1990, "1990-04-12", false},
			{pn1990[2:], pn1990, "1990-04-12", false},
			{"  " + pn1990[2:8] + "-" + pn1990[8:] + " ", pn1990, "1990-04-12", false},
			{pn2010[2:8] + "-" + pn2010[8:], pn2010, "2010-01-01", false},
			// The plus sign: a century earlier than the hyphen would give.
			{pn1920[2:8] + "+" + pn1920[8:], pn1920, "1920-03-01", false},
			{pn1920, pn1920, "1920-03-01", false},
			{pn2026[2:8] + "-" + pn2026[8:], pn2026, "2026-03-15", false},
			{pnCoord, pnCoord, "1985-04-12", true},
			{pnCoord[2:8] + "-" + pnCoord[8:], pnCoord, "1985-04-12", true},
			{pnLeap[2:8] + "-" + pnLeap[8:], pnLeap, "2000-02-29", false},
			{pnCoordEnd, pnCoordEnd, "1999-12-31", true},
		} {
			got, err := ParsePersonalNumber(tt.in, today)
			if err != nil {
				t.Errorf("ParsePersonalNumber(%q): %v", tt.in, err)
				continue
			}
			if string(got) != tt.want {
				t.Errorf("ParsePersonalNumber(%q)=%q, want %q", tt.in, got.Canonical(), tt.want)
			}
			if b := got.BirthDate().String(); b != tt.birth {
				t.Errorf("ParsePersonalNumber(%q).BirthDate()=%s, want %s", tt.in, b, tt.birth)
			}
			if got.IsCoordination() != tt.coord {
				t.Errorf("ParsePersonalNumber(%q).IsCoordination()=%v, want %v", tt.in, got.IsCoordination(), tt.coord)
			}
		}
	})

	t.Run("Century", func(t *testing.T) {
		// A short number with a hyphen belongs to the latest year ending in
		// YY that is not after the reference year.
		for _, tt := range []struct {
			date, today string
			plus        bool
			wantYear    string
		}{
			{"19900412", "2026-03-15", false, "1990"},
			{"20260101", "2026-03-15", false, "2026"},
			{"19270101", "2026-03-15", false, "1927"}, // turns 99 this year: hyphen
			{"19260101", "2026-03-15", true, "1926"},  // turns 100 this year: plus
			{"19260601", "2026-03-15", true, "1926"},  // birthday later this year: still plus
			{"18900101", "1995-06-01", true, "1890"},
			{"20000101", "2000-01-01", false, "2000"}, // born on the reference date
			{"19000101", "2000-01-01", true, "1900"},
			{"19991231", "2000-01-01", false, "1999"},
			{"20251231", "2026-01-01", false, "2025"},
			{"19261231", "2026-01-01", true, "1926"},
			{"20000101", "2099-12-31", false, "2000"},
			{"19000101", "2099-12-31", true, "1900"},
			{"18500101", "1949-12-31", false, "1850"}, // the oldest year accepted
			{"21490101", "2149-01-01", false, "2149"},
			{"20500101", "2149-01-01", false, "2050"},
		} {
			pn := testPN(t, tt.date, 990)
			sep := "-"
			if tt.plus {
				sep = "+"
			}
			in := pn[2:8] + sep + pn[8:]
			got, err := ParsePersonalNumber(in, mustDate(t, tt.today))
			if err != nil {
				t.Errorf("ParsePersonalNumber(%q, %s): %v", in, tt.today, err)
				continue
			}
			if y := string(got[:4]); y != tt.wantYear {
				t.Errorf("ParsePersonalNumber(%q, %s) year=%s, want %s", in, tt.today, y, tt.wantYear)
			}
		}
	})

	t.Run("ErrInvalidCentury", func(t *testing.T) {
		// On 1949-12-31 a hyphen gives 1850 and a plus 1750, before any
		// personnummer.
		pn := testPN(t, "18500101", 980)
		if got, err := ParsePersonalNumber(pn[2:8]+"+"+pn[8:], mustDate(t, "1949-12-31")); ErrorCode(err) != EINVALID {
			t.Errorf("ParsePersonalNumber(plus, 1949)=%q, %v, want EINVALID", got.Canonical(), err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct {
			in, why string
		}{
			{"", "empty"},
			{"19900412", "date only"},
			{pn1990[:8] + "+" + pn1990[8:], "plus with a century"},
			{pn1990[:8] + " " + pn1990[8:], "space as separator"},
			{pn1990[2:8] + "/" + pn1990[8:], "slash as separator"},
			{pn1990[:11], "eleven digits"},
			{pn1990 + "0", "thirteen digits"},
			{"1990041a-" + pn1990[8:], "a letter"},
			{"١٩٩٠٠٤١٢" + pn1990[8:], "non-ASCII digits"},
			{wrongCheck(pn1990), "check digit"},
			{wrongCheck(pnCoord), "check digit of a coordination number"},
			{testPN(t, "19900230", 980), "30 February"},
			{testPN(t, "19900229", 980), "29 February of a common year"},
			{testPN(t, "19001301", 980), "month 13"},
			{testPN(t, "19900001", 980), "month 0"},
			{testPN(t, "19900100", 980), "day 0"},
			{testPN(t, "19900132", 980), "day 32"},
			{testPN(t, "19900160", 980), "coordination day 0"},
			{testPN(t, "19900192", 980), "coordination day 32"},
			{testPN(t, "19900289", 980), "coordination 29 February of a common year"},
			{testPN(t, "18491231", 980), "before 1850"},
			{testPN(t, "20260316", 980), "born tomorrow"},
			{testPN(t, "20260376", 980), "coordination number born tomorrow"},
			{testPN(t, "20260316", 980)[2:8] + "-" + testPN(t, "20260316", 980)[8:], "short form born tomorrow"},
		} {
			got, err := ParsePersonalNumber(tt.in, today)
			if err == nil {
				t.Errorf("ParsePersonalNumber(%q) (%s)=%q, want an error", tt.in, tt.why, got.Canonical())
				continue
			}
			if ErrorCode(err) != EINVALID {
				t.Errorf("ParsePersonalNumber(%q) (%s) code=%q, want %q", tt.in, tt.why, ErrorCode(err), EINVALID)
			}
			if msg := ErrorMessage(err); msg == "" || msg == "Internt fel" {
				t.Errorf("ParsePersonalNumber(%q) (%s) message=%q, want a Swedish message", tt.in, tt.why, msg)
			}
		}
	})
}

func TestPersonalNumberValidate(t *testing.T) {
	ok := PersonalNumber(testPN(t, "19900412", 982))
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate(%s): %v", ok.Canonical(), err)
	}
	for _, p := range []PersonalNumber{
		"", "199004129820", PersonalNumber(wrongCheck(string(ok))), PersonalNumber(ok[2:]),
		PersonalNumber(ok[:8] + "-" + ok[8:]), PersonalNumber(testPN(t, "19901312", 980)),
	} {
		if err := p.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("Validate(%q)=%v, want EINVALID", string(p), err)
		}
	}
}

func TestPersonalNumberMasked(t *testing.T) {
	p := PersonalNumber(testPN(t, "19900412", 982))
	if got, want := p.Masked(), "19900412-****"; got != want {
		t.Errorf("Masked()=%q, want %q", got, want)
	}
	if got := PersonalNumber("").Masked(); got != "****" {
		t.Errorf("Masked() of empty=%q, want ****", got)
	}
	// Nothing that prints by default shows the last four digits.
	last4 := string(p[8:])
	for _, s := range []string{p.String(), fmt.Sprint(p), fmt.Sprintf("%v %s %q", p, p, p)} {
		if strings.Contains(s, last4) {
			t.Errorf("printed form %q contains the last four digits", s)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "pn", p)
	if strings.Contains(buf.String(), last4) || !strings.Contains(buf.String(), "19900412-****") {
		t.Errorf("slog line %q: want the masked number only", buf.String())
	}
	if p.Canonical() != string(p) {
		t.Errorf("Canonical()=%q, want %q", p.Canonical(), string(p))
	}
}

// TestPersonalNumberProperties checks, over generated dates and birth
// numbers, that every written form parses to the same canonical number with
// the birth date, and that any one mistyped digit is refused (the Luhn check
// digit catches every single-digit error).
func TestPersonalNumberProperties(t *testing.T) {
	today := Date{Y: 2026, M: 3, D: 15}
	rapid.Check(t, func(t *rapid.T) {
		y := rapid.IntRange(1927, 2026).Draw(t, "year")
		m := rapid.IntRange(1, 12).Draw(t, "month")
		d := rapid.IntRange(1, DaysIn(y, m)).Draw(t, "day")
		birth := Date{Y: int16(y), M: int8(m), D: int8(d)}
		if today.Before(birth) {
			t.Skip("in the future")
		}
		coord := rapid.Bool().Draw(t, "coordination")
		serial := rapid.IntRange(1, 999).Draw(t, "serial")
		dd := d
		if coord {
			dd += 60
		}
		pn := testPN(t, fmt.Sprintf("%04d%02d%02d", y, m, dd), serial)
		forms := []string{pn, pn[:8] + "-" + pn[8:], pn[2:8] + "-" + pn[8:], pn[2:]}
		for _, in := range forms {
			got, err := ParsePersonalNumber(in, today)
			if err != nil {
				t.Fatalf("ParsePersonalNumber(%q): %v", in, err)
			}
			if string(got) != pn || got.BirthDate() != birth || got.IsCoordination() != coord {
				t.Fatalf("ParsePersonalNumber(%q)=%q birth %v coord %v, want %q %v %v",
					in, got.Canonical(), got.BirthDate(), got.IsCoordination(), pn, birth, coord)
			}
		}
		// One digit of the ten that the check digit covers, changed.
		i := rapid.IntRange(2, 11).Draw(t, "position")
		delta := rapid.IntRange(1, 9).Draw(t, "delta")
		b := []byte(pn)
		b[i] = byte('0' + (int(b[i]-'0')+delta)%10)
		if got, err := ParsePersonalNumber(string(b), today); err == nil {
			t.Fatalf("ParsePersonalNumber(%q) (mistyped %q)=%q, want an error", string(b), pn, got.Canonical())
		}
	})
}
