package params

import (
	"strings"
	"testing"

	"skalig"
)

func TestDefault(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range p.Years() {
		for m := 1; m <= 12; m++ {
			if _, err := p.At(skalig.MonthOf(y, m)); err != nil {
				t.Errorf("At(%d-%02d): %v", y, m, err)
			}
		}
	}
	t.Run("Values", func(t *testing.T) {
		s, err := p.At(skalig.MonthOf(2025, 9))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.Adult[0].Amount, skalig.Kronor(3910); got != want {
			t.Errorf("2025 single=%v, want %v", got, want)
		}
		if got, want := s.Common[7].Amount, skalig.Kronor(2810); got != want {
			t.Errorf("2025 common 7=%v, want %v", got, want)
		}
		if got, want := s.Prisbasbelopp.Amount, skalig.Kronor(58800); got != want {
			t.Errorf("2025 pbb=%v, want %v", got, want)
		}
		if s.Adult[0].ID != "riksnorm.2025.adult_personal.single" {
			t.Errorf("ID=%q", s.Adult[0].ID)
		}
		if s.Name != "riksnorm-2025" {
			t.Errorf("Name=%q", s.Name)
		}
	})
	t.Run("ChildEarningsLimitSwitch", func(t *testing.T) {
		s, _ := p.At(skalig.MonthOf(2013, 6))
		if s.ChildEarningsLimit.N != 50 || s.JobbRate.Set {
			t.Errorf("2013-06 limit=%d%% jobb=%v, want 50%% and no jobbstimulans", s.ChildEarningsLimit.N, s.JobbRate.Set)
		}
		s, _ = p.At(skalig.MonthOf(2013, 7))
		if s.ChildEarningsLimit.N != 100 || !s.JobbRate.Set || s.JobbRate.N != 25 {
			t.Errorf("2013-07 limit=%d%% jobb=%d, want 100%% and 25%%", s.ChildEarningsLimit.N, s.JobbRate.N)
		}
	})
	t.Run("Official2026", func(t *testing.T) {
		// SoF (2025:468) 12 kap. 2 § as amended by SFS 2025:1046 replaced the
		// provisional estimates of the shared table.
		s, _ := p.At(skalig.MonthOf(2026, 1))
		for _, c := range []struct {
			v    Value
			want int64
		}{{s.Child[1], 3060}, {s.Child[3], 3060}, {s.Child[6], 4960}, {s.Child[7], 5000}, {s.Common[3], 1790}, {s.ChildNoLunch[0], 2560}} {
			if c.v.Amount != skalig.Kronor(c.want) || c.v.Status != Official {
				t.Errorf("%s=%v (%v), want %d official", c.v.ID, c.v.Amount, c.v.Status, c.want)
			}
		}
	})
	t.Run("NoLunchMissing2024", func(t *testing.T) {
		s, _ := p.At(skalig.MonthOf(2024, 3))
		if s.ChildNoLunch[0].Set {
			t.Errorf("2024 has no 'utan lunch' rows in the data, got %+v", s.ChildNoLunch[0])
		}
	})
	t.Run("ErrOutside", func(t *testing.T) {
		for _, m := range []skalig.Month{skalig.MonthOf(2012, 12), skalig.MonthOf(2027, 1)} {
			_, err := p.At(m)
			if skalig.ErrorCode(err) != skalig.EINVALID || !strings.Contains(skalig.ErrorMessage(err), "riksnorm") {
				t.Errorf("At(%v) err=%v, want EINVALID naming riksnorm", m, err)
			}
		}
	})
}

const header = "year\tkind\tkey\tamount_kr\tstatus\tsource\n"

func fullYear(y string) string {
	var b strings.Builder
	for _, k := range AdultKeys {
		b.WriteString(y + "\tadult_personal\t" + k + "\t3000\tofficial\tx\n")
	}
	for _, k := range ChildBands {
		b.WriteString(y + "\tchild_personal\t" + k + "\t2000\tofficial\tx\n")
	}
	for _, k := range []string{"1", "2", "3", "4", "5", "6", "7"} {
		b.WriteString(y + "\tcommon_household\t" + k + "\t1000\tofficial\tx\n")
	}
	return b.String()
}

const datedHead = "id\tfrom\tto\tvalue\tunit\tstatus\tsource\n"
const datedOK = datedHead +
	"prisbasbelopp\t2030-01-01\t2030-12-31\t70000\tkr\tofficial\tx\n" +
	"child_earnings.limit\t2013-07-01\t\t100\tpercent\tofficial\tx\n"

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, err := Parse(strings.NewReader(header+fullYear("2030")), strings.NewReader(datedOK))
		if err != nil {
			t.Fatal(err)
		}
		s, err := p.At(skalig.MonthOf(2030, 5))
		if err != nil || s.Prisbasbelopp.Amount != skalig.Kronor(70000) {
			t.Fatalf("At: %v %v", s, err)
		}
	})
	for name, tc := range map[string]struct{ riks, dated, want string }{
		"ErrIncompleteYear": {header + strings.Replace(fullYear("2030"), "2030\tcommon_household\t7\t1000\tofficial\tx\n", "", 1), datedOK, "common_household/7 saknas"},
		"ErrDuplicateRow":   {header + fullYear("2030") + "2030\tadult_personal\tsingle\t1\tofficial\tx\n", datedOK, "finns redan"},
		"ErrPartialNoLunch": {header + fullYear("2030") + "2030\tchild_personal_no_lunch\t0\t1\tofficial\tx\n", datedOK, "ange alla eller ingen"},
		"ErrBadStatus":      {header + strings.Replace(fullYear("2030"), "official", "guess", 1), datedOK, "status"},
		"ErrBadAmount":      {header + strings.Replace(fullYear("2030"), "3000", "-3", 1), datedOK, "positivt"},
		"ErrUnknownKey":     {header + fullYear("2030") + "2030\tchild_personal\t21-22\t1\tofficial\tx\n", datedOK, "okänd kombination"},
		"ErrHeader":         {"year\tkind\n" + fullYear("2030"), datedOK, "rubrikraden"},
		"ErrGap":            {header + fullYear("2030"), datedHead + "prisbasbelopp\t2030-01-01\t2030-06-30\t70000\tkr\tofficial\tx\nprisbasbelopp\t2030-08-01\t2030-12-31\t70000\tkr\tofficial\tx\nchild_earnings.limit\t2013-07-01\t\t100\tpercent\tofficial\tx\n", "2030-07"},
		"ErrOverlap":        {header + fullYear("2030"), datedOK + "prisbasbelopp\t2030-06-01\t\t1\tkr\tofficial\tx\n", "överlappar"},
		"ErrMidMonthStart":  {header + fullYear("2030"), datedOK + "jobbstimulans.rate\t2031-01-15\t\t25\tpercent\tofficial\tx\n", "första dagen"},
		"ErrUnit":           {header + fullYear("2030"), datedOK + "jobbstimulans.rate\t2031-01-01\t\t25\tkr\tofficial\tx\n", "percent"},
		"ErrPartialJobb":    {header + fullYear("2030"), datedOK + "jobbstimulans.rate\t2013-07-01\t\t25\tpercent\tofficial\tx\n", "jobbstimulans"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.riks), strings.NewReader(tc.dated))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err=%v, want one containing %q", err, tc.want)
			}
		})
	}
}
