package params

import (
	"errors"
	"os"
	"strings"
	"testing"

	"skalig"
)

func testYear(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/year-2027-testdata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseYear(t *testing.T) {
	data := testYear(t)
	y, err := ParseYear("year-2027.tsv", data)
	if err != nil {
		t.Fatal(err)
	}
	if y.Year != 2027 {
		t.Fatalf("Year = %d, want 2027", y.Year)
	}
	base, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	_, err = base.At(skalig.MonthOf(2027, 1))
	var me *MissingError
	if !errors.As(err, &me) || me.Year != 2027 || len(me.Missing) != 2 || skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("embedded 2027: err = %#v, want a MissingError naming riksnorm and prisbasbelopp", err)
	}
	p, err := Compose([]*Year{y})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.At(skalig.MonthOf(2027, 1))
	if err != nil {
		t.Fatal(err)
	}
	if s.Adult[0].Amount != skalig.Kronor(3980) || s.Prisbasbelopp.Amount != skalig.Kronor(60000) || !strings.HasPrefix(s.Adult[0].Source, "TESTDATA") {
		t.Errorf("2027 set: single %v pbb %v source %q", s.Adult[0].Amount, s.Prisbasbelopp.Amount, s.Adult[0].Source)
	}
	if s.Name != "riksnorm-2027" {
		t.Errorf("Name = %q", s.Name)
	}
	y.Version = "v7"
	if p7, err := Compose([]*Year{{Year: 2027, Name: y.Name, Data: y.Data, Version: "v7"}}); err != nil {
		t.Fatal(err)
	} else if s7, _ := p7.At(skalig.MonthOf(2027, 3)); s7.Name != "riksnorm-2027-v7" {
		t.Errorf("Name of a stored version = %q, want riksnorm-2027-v7", s7.Name)
	}
	if m := p.Missing(2027); len(m) != 0 {
		t.Errorf("Missing(2027) = %v, want none", m)
	}
	if got := p.Loaded(); len(got) != 1 || got[0] != 2027 {
		t.Errorf("Loaded = %v", got)
	}
	// The other years are the embedded ones.
	s26, _ := p.At(skalig.MonthOf(2026, 6))
	if s26.Adult[0].Amount != skalig.Kronor(3940) {
		t.Errorf("2026 single = %v, want the embedded 3 940", s26.Adult[0].Amount)
	}

	// A loaded year replaces an embedded one, prisbasbelopp included.
	y26, err := ParseYear("y26.tsv", []byte(strings.ReplaceAll(strings.ReplaceAll(string(data), "2027", "2026"), "\t3980\t", "\t4000\t")))
	if err != nil {
		t.Fatal(err)
	}
	p, err = Compose([]*Year{y, y26})
	if err != nil {
		t.Fatal(err)
	}
	s26, _ = p.At(skalig.MonthOf(2026, 6))
	if s26.Adult[0].Amount != skalig.Kronor(4000) || s26.Prisbasbelopp.Amount != skalig.Kronor(60000) {
		t.Errorf("2026 overridden: single %v pbb %v", s26.Adult[0].Amount, s26.Prisbasbelopp.Amount)
	}
}

func TestParseYearErrors(t *testing.T) {
	data := string(testYear(t))
	for name, tc := range map[string]struct {
		edit func(string) string
		want string
	}{
		"BadAmount": {func(s string) string { return strings.Replace(s, "\t3980\t", "\t3 98x\t", 1) }, "rad 18, fält amount_kr"},
		"BadStatus": {func(s string) string { return strings.Replace(s, "official", "gissning", 1) }, "rad 6, fält status"},
		"NoSource": {func(s string) string {
			return strings.Replace(s, "\tTESTDATA: fiktivt belopp för Skäligs tester, inte officiellt\n", "\t \n", 1)
		}, "rad 6, fält source"},
		"TwoYears": {func(s string) string {
			return strings.Replace(s, "2027\tcommon_household\t7", "2028\tcommon_household\t7", 1)
		}, "fält year"},
		"Incomplete": {func(s string) string { return strings.Replace(s, "2027\tcommon_household\t7", "# removed", 1) }, "common_household/7 saknas"},
		"NoPbb":      {func(s string) string { return s[:strings.Index(s, "id\tfrom")] }, "tabellen med prisbasbelopp saknas"},
		"PbbGap": {func(s string) string {
			return strings.Replace(s, "2027-01-01\t2027-12-31", "2027-01-01\t2027-06-30", 1)
		}, "prisbasbelopp saknar värde för 2027-07"},
		"PbbOutside": {func(s string) string {
			return strings.Replace(s, "2027-01-01\t2027-12-31", "2027-01-01\t2028-12-31", 1)
		}, "rad 29, fält from/to"},
		"OtherDated": {func(s string) string {
			return s + "jobbstimulans.rate\t2027-01-01\t2027-12-31\t25\tpercent\tofficial\tx\n"
		}, "rad 30, fält id"},
		"Columns": {func(s string) string {
			return strings.Replace(s, "2027\tchild_personal\t0\t", "2027\tchild_personal\t0\t\t", 1)
		}, "rad 6: 7 kolumner"},
		"PartialLunch": {func(s string) string { return strings.Replace(s, "2027\tchild_personal_no_lunch\t3\t", "# ", 1) }, "3 av 4"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseYear("år.tsv", []byte(tc.edit(data)))
			var le *LoadError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "år.tsv") {
				t.Fatalf("err = %v, want a LoadError naming år.tsv and containing %q", err, tc.want)
			}
		})
	}
}
