package skalig

import (
	"encoding/json"
	"testing"
)

func mustDate(tb testing.TB, s string) Date {
	tb.Helper()
	d, ok := ParseDate(s)
	if !ok {
		tb.Fatalf("ParseDate(%q) failed", s)
	}
	return d
}

func mustMonth(tb testing.TB, s string) Month {
	tb.Helper()
	m, ok := ParseMonth(s)
	if !ok {
		tb.Fatalf("ParseMonth(%q) failed", s)
	}
	return m
}

func TestParseMonth(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			in   string
			y, m int
		}{
			{"2026-03", 2026, 3},
			{"2025-01", 2025, 1},
			{"2025-12", 2025, 12},
			{"1900-01", 1900, 1},
			{"2999-12", 2999, 12},
		} {
			got, ok := ParseMonth(tt.in)
			if !ok {
				t.Errorf("ParseMonth(%q) failed", tt.in)
				continue
			}
			if got != MonthOf(tt.y, tt.m) || got.Year() != tt.y || got.Num() != tt.m {
				t.Errorf("ParseMonth(%q)=%d (%d-%d), want %d-%d", tt.in, got, got.Year(), got.Num(), tt.y, tt.m)
			}
			if got.String() != tt.in {
				t.Errorf("ParseMonth(%q).String()=%q", tt.in, got.String())
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"", "2026", "2026-3", "2026-00", "2026-13", "2026-99", "1899-12", "3000-01",
			"2026/03", "2026-03-01", "26-03", "+026-03", "2026-+3", "2026--3", "20a6-03",
			" 2026-03", "2026-03 ", "２０２６-03",
		} {
			if got, ok := ParseMonth(in); ok {
				t.Errorf("ParseMonth(%q)=%v, true, want false", in, got)
			}
		}
	})
}

func TestParseDate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, in := range []string{
			"1990-04-12", "2024-02-29", "2000-02-29", "2025-01-31", "2025-04-30", "2025-12-31",
			"1850-01-01", "2999-12-31", "2025-02-28",
		} {
			d, ok := ParseDate(in)
			if !ok {
				t.Errorf("ParseDate(%q) failed", in)
				continue
			}
			if d.String() != in {
				t.Errorf("ParseDate(%q).String()=%q", in, d.String())
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"", "2025-02-29", // not a leap year
			"1900-02-29", // divisible by 100, not by 400
			"2100-02-29",
			"2025-02-30", "2024-02-30", "2025-04-31", "2025-06-31", "2025-09-31", "2025-11-31",
			"2025-01-32", "2025-01-00", "2025-00-10", "2025-13-01",
			"1849-12-31", "3000-01-01", "2025-1-01", "2025-01-1", "2025/01/01", "20250101",
			"2025-01-01T00:00", "2025-+1-01", "2025-01-+1",
		} {
			if got, ok := ParseDate(in); ok {
				t.Errorf("ParseDate(%q)=%v, true, want false", in, got)
			}
		}
	})
}

func TestDaysIn(t *testing.T) {
	for _, tt := range []struct {
		y, m, want int
	}{
		{2025, 1, 31}, {2025, 2, 28}, {2025, 3, 31}, {2025, 4, 30}, {2025, 5, 31}, {2025, 6, 30},
		{2025, 7, 31}, {2025, 8, 31}, {2025, 9, 30}, {2025, 10, 31}, {2025, 11, 30}, {2025, 12, 31},
		{2024, 2, 29}, {2000, 2, 29}, {1900, 2, 28}, {2100, 2, 28}, {2400, 2, 29}, {2026, 2, 28},
	} {
		if got := DaysIn(tt.y, tt.m); got != tt.want {
			t.Errorf("DaysIn(%d, %d)=%d, want %d", tt.y, tt.m, got, tt.want)
		}
		if got := MonthOf(tt.y, tt.m).Days(); got != tt.want {
			t.Errorf("MonthOf(%d, %d).Days()=%d, want %d", tt.y, tt.m, got, tt.want)
		}
	}
}

func TestDateAgeOn(t *testing.T) {
	for _, tt := range []struct {
		name      string
		birth, at string
		want      int
	}{
		{"BirthdayCounts", "1990-04-12", "2025-04-12", 35},
		{"DayBefore", "1990-04-12", "2025-04-11", 34},
		{"DayAfter", "1990-04-12", "2025-04-13", 35},
		{"EarlierMonth", "1990-04-12", "2025-03-31", 34},
		{"LaterMonth", "1990-04-12", "2025-05-01", 35},
		{"BornOnFirst", "2020-03-01", "2025-03-01", 5},
		{"BornOnSecond", "2007-03-02", "2025-03-01", 17},
		{"SameDay", "2025-03-01", "2025-03-01", 0},
		{"Newborn", "2025-02-14", "2025-03-01", 0},
		{"OneYear", "2024-03-01", "2025-03-01", 1},
		{"DecemberToJanuary", "2000-12-31", "2026-01-01", 25},
		// Born on 29 February: the year is completed on 1 March of a common
		// year and on 29 February of a leap year.
		{"Feb29OnFeb28Common", "2004-02-29", "2025-02-28", 20},
		{"Feb29OnMar1Common", "2004-02-29", "2025-03-01", 21},
		{"Feb29OnFeb1Common", "2004-02-29", "2025-02-01", 20},
		{"Feb29OnFeb28Leap", "2004-02-29", "2024-02-28", 19},
		{"Feb29OnFeb29Leap", "2004-02-29", "2024-02-29", 20},
		{"Feb29OnMar1Leap", "2004-02-29", "2024-03-01", 20},
		{"Feb28OnFeb29Leap", "2004-02-28", "2024-02-29", 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, at := mustDate(t, tt.birth), mustDate(t, tt.at)
			if got := b.AgeOn(at); got != tt.want {
				t.Errorf("AgeOn(%s, %s)=%d, want %d", tt.birth, tt.at, got, tt.want)
			}
		})
	}
}

func TestDateBefore(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"2025-03-01", "2025-03-02", true},
		{"2025-03-02", "2025-03-01", false},
		{"2025-03-01", "2025-03-01", false},
		{"2024-12-31", "2025-01-01", true},
		{"2025-02-28", "2025-03-01", true},
		{"2025-03-31", "2025-02-01", false},
	} {
		if got := mustDate(t, tt.a).Before(mustDate(t, tt.b)); got != tt.want {
			t.Errorf("%s.Before(%s)=%v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMonthArithmetic(t *testing.T) {
	for _, tt := range []struct {
		name  string
		from  string
		delta int
		want  string
	}{
		{"Next", "2025-06", 1, "2025-07"},
		{"NextYear", "2025-12", 1, "2026-01"},
		{"PrevYear", "2026-01", -1, "2025-12"},
		{"Six", "2025-09", 6, "2026-03"},
		{"TwentyFour", "2025-11", 24, "2027-11"},
		{"TwentyFourFromJanuary", "2024-01", 24, "2026-01"},
		{"Back13", "2026-01", -13, "2024-12"},
		{"Zero", "2025-05", 0, "2025-05"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := mustMonth(t, tt.from) + Month(tt.delta)
			if got.String() != tt.want {
				t.Errorf("%s%+d=%s, want %s", tt.from, tt.delta, got, tt.want)
			}
		})
	}
	t.Run("Difference", func(t *testing.T) {
		if got := mustMonth(t, "2026-03") - mustMonth(t, "2024-11"); got != 16 {
			t.Errorf("2026-03 − 2024-11=%d months, want 16", got)
		}
	})
	t.Run("Order", func(t *testing.T) {
		prev := MonthOf(2012, 12)
		for y := 2013; y <= 2027; y++ {
			for m := 1; m <= 12; m++ {
				mo := MonthOf(y, m)
				if mo != prev+1 {
					t.Fatalf("MonthOf(%d, %d)=%d, want %d (one after the previous)", y, m, mo, prev+1)
				}
				if mo.Year() != y || mo.Num() != m {
					t.Fatalf("MonthOf(%d, %d) = %d-%d", y, m, mo.Year(), mo.Num())
				}
				prev = mo
			}
		}
	})
	t.Run("First", func(t *testing.T) {
		if got, want := MonthOf(2024, 2).First(), (Date{Y: 2024, M: 2, D: 1}); got != want {
			t.Errorf("First=%v, want %v", got, want)
		}
		if got, want := mustDate(t, "2024-02-29").Month(), MonthOf(2024, 2); got != want {
			t.Errorf("Date.Month=%v, want %v", got, want)
		}
	})
	t.Run("MarshalText", func(t *testing.T) {
		b, err := json.Marshal(map[string]Month{"m": MonthOf(2026, 3)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `{"m":"2026-03"}`; got != want {
			t.Errorf("json=%s, want %s", got, want)
		}
	})
}
