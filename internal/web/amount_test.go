package web_test

import (
	"errors"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/web"
)

func TestParseAmount(t *testing.T) {
	ok := []struct {
		in   string
		want skalig.Money
	}{
		{"7200", skalig.Kronor(7200)},
		{"7 200", skalig.Kronor(7200)},
		{"7 200 kr", skalig.Kronor(7200)},
		{"7200kr", skalig.Kronor(7200)},
		{"7 200 KR.", skalig.Kronor(7200)},
		{"7 200 kronor", skalig.Kronor(7200)},
		{"SEK 7 200", skalig.Kronor(7200)},
		{"7 200 SEK", skalig.Kronor(7200)},
		{"7\u00a0200", skalig.Kronor(7200)},         // non-breaking space
		{"7\u202f200", skalig.Kronor(7200)},         // narrow non-breaking space
		{"7\u2009200\u00a0kr", skalig.Kronor(7200)}, // thin space
		{"  7200  ", skalig.Kronor(7200)},
		{"350,50", 35050},
		{"350,5", 35050},
		{"350.50", 35050},
		{"7200.50", 720050},
		{"1 234,5", 123450},
		{"1 234 567,89", 123456789},
		{",50", 50},
		{"0", 0},
		{"0,00", 0},
		{"007", skalig.Kronor(7)},
		{"200:-", skalig.Kronor(200)},
		{"200,-", skalig.Kronor(200)},
		{"1 000:-", skalig.Kronor(1000)},
		{"+150", skalig.Kronor(150)},
		{"-0", 0},
		{"100000000", skalig.MaxMoney},
	}
	for _, c := range ok {
		got, err := web.ParseAmount("rent", "Hyra", c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}

	bad := []struct {
		in, msg string
	}{
		{"", "Hyra: skriv ett belopp"},
		{"   ", "Hyra: skriv ett belopp"},
		{"kr", "Hyra: skriv bara siffror"},
		{"abc", "Hyra: skriv bara siffror"},
		{"7 2OO", "Hyra: skriv bara siffror"},
		{"7,200.50", "Hyra: skriv bara siffror"},
		{"72.00,50", "Hyra: skriv bara siffror"},
		{"1.2345,50", "Hyra: skriv bara siffror"},
		{"1e3", "Hyra: skriv bara siffror"},
		{"12,", "Hyra: skriv bara siffror"},
		{"1,2,3", "Hyra: skriv bara siffror"},
		{"200,50:-", "Hyra: skriv bara siffror"},
		{"7.200", "Hyra: skriv högst två siffror efter kommat"},
		{"350,505", "Hyra: skriv högst två siffror efter kommat"},
		{"72 00", "Hyra: kontrollera mellanslagen"},
		{"7  200", "Hyra: kontrollera mellanslagen"},
		{"7200 000", "Hyra: kontrollera mellanslagen"},
		{"7 ,50", "Hyra: kontrollera mellanslagen"},
		{"-7 200", "Hyra: beloppet kan inte vara mindre än noll"},
		{"−350,50", "Hyra: beloppet kan inte vara mindre än noll"}, // U+2212 minus
		{"100000000,01", "Hyra: beloppet är för stort"},
		{"9999999999999", "Hyra: beloppet är för stort"},
		{strings.Repeat("1", 300), "Hyra: skriv bara siffror"},
		{"\xff", "Hyra: skriv bara siffror"},
	}
	for _, c := range bad {
		_, err := web.ParseAmount("rent", "Hyra", c.in)
		var se *skalig.Error
		if !errors.As(err, &se) {
			t.Errorf("ParseAmount(%q) error %v, want *skalig.Error", c.in, err)
			continue
		}
		if se.Code != skalig.EINVALID || !strings.HasPrefix(se.Message, c.msg) ||
			len(se.Fields) != 1 || se.Fields[0].Field != "rent" || se.Fields[0].Message != se.Message {
			t.Errorf("ParseAmount(%q) = %+v, want EINVALID %q on field rent", c.in, se, c.msg)
		}
	}
}

// FuzzParseAmount checks that ParseAmount never panics, accepts only amounts
// in [0, MaxMoney], agrees with skalig.ParseMoney on the machine form, and
// reads back what Money.Swedish and Money.String write.
//
//	go test -run='^$' -fuzz=FuzzParseAmount -fuzztime=60s ./internal/web/
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"7200", "7 200", "7 200 kr", "350,50", "1 234,5", "7\u00a0200", "7\u202f200 kr",
		"200:-", "-5", "7.200", "72 00", ",5", "SEK 1 000 000", "1.234,50", "abc", "", "0,01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := web.ParseAmount("f", "F", s)
		if err != nil {
			var se *skalig.Error
			if !errors.As(err, &se) || se.Code != skalig.EINVALID || len(se.Fields) != 1 {
				t.Fatalf("ParseAmount(%q): error %v is not one EINVALID field error", s, err)
			}
			// The machine form of a non-negative amount is always accepted.
			if pm, ok := skalig.ParseMoney(s); ok && pm >= 0 && !strings.HasPrefix(s, "-") {
				t.Fatalf("ParseAmount(%q) refused what ParseMoney reads as %v: %v", s, pm, err)
			}
			return
		}
		if m < 0 || m > skalig.MaxMoney {
			t.Fatalf("ParseAmount(%q) = %v, out of range", s, m)
		}
		if pm, ok := skalig.ParseMoney(s); ok && pm != m {
			t.Fatalf("ParseAmount(%q) = %v, ParseMoney = %v", s, m, pm)
		}
		for _, back := range []string{m.Swedish(), m.String()} {
			m2, err := web.ParseAmount("f", "F", back)
			if err != nil || m2 != m {
				t.Fatalf("ParseAmount(%q) = %v, but its form %q reads back as %v, %v", s, m, back, m2, err)
			}
		}
	})
}

func TestForm(t *testing.T) {
	f := web.NewForm(web.English, map[string][]string{"rent": {"abc"}, "a": {" x "}})
	if v := f.Value("a"); v != "x" {
		t.Errorf("Value = %q", v)
	}
	if _, ok := f.Amount("rent", "Rent"); ok {
		t.Error("abc accepted")
	}
	if got := f.Error("rent"); got != "Rent: write numbers only, for example 7\u00a0200 or 350,50." {
		t.Errorf("Error = %q", got)
	}
	f.Fail("rent", "second")
	if got := f.Error("rent"); strings.Contains(got, "second") {
		t.Error("a field's first error was replaced")
	}
	if m, ok := f.OptionalAmount("none", "None"); !ok || m != 0 {
		t.Errorf("empty optional amount = %v, %v", m, ok)
	}
	if err := f.AddError(&skalig.Error{Code: skalig.EINVALID, Message: "Fel i ansökan",
		Fields: []skalig.FieldError{{Field: "people[0].birth_date", Message: "Datumet finns inte"}}}); err != nil {
		t.Fatal(err)
	}
	if got := f.Error("people[0].birth_date"); got != "Datumet finns inte" {
		t.Errorf("domain field error = %q", got)
	}
	if err := f.AddError(skalig.Errorf(skalig.ECONFLICT, "Ansökan är redan skickad")); err != nil || len(f.General) != 1 {
		t.Errorf("general error: %v %v", err, f.General)
	}
	internal := errors.New("disk full")
	if err := f.AddError(internal); err != internal {
		t.Error("an internal error was swallowed")
	}
	if !f.HasErrors() || len(f.Errors()) != 2 {
		t.Errorf("errors %v", f.Errors())
	}
	if id := web.FieldID("people[1].income"); id != "f-people-1--income" {
		t.Errorf("FieldID = %q", id)
	}
}
