package municipal

import (
	"strings"
	"testing"

	"skalig"
)

func TestDefault(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Codes(); len(got) == 0 || got[0] != "0821" {
		t.Fatalf("Codes=%v, want 0821 first", got)
	}
	t.Run("OK", func(t *testing.T) {
		g, err := s.Guidelines("0821", skalig.MonthOf(2025, 3))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := g.MaxHousing[0][0], skalig.Kronor(4474); got != want {
			t.Errorf("one adult, no children=%v, want %v", got, want)
		}
		if got, want := g.MaxHousing[1][5], skalig.Kronor(9255); got != want {
			t.Errorf("two adults, 5+ children=%v, want %v", got, want)
		}
		if g.MaxElectricity != nil || g.WorkTravel != 0 {
			t.Errorf("Högsby publishes no electricity cap or pass price, got %v %v", g.MaxElectricity, g.WorkTravel)
		}
		if !strings.Contains(g.Source, "hogsby.se") {
			t.Errorf("Source=%q", g.Source)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.Guidelines("9999", skalig.MonthOf(2025, 3)); skalig.ErrorCode(err) != skalig.ENOTFOUND {
			t.Errorf("err=%v, want ENOTFOUND", err)
		}
	})
	t.Run("ErrBeforeFirstVersion", func(t *testing.T) {
		if _, err := s.Guidelines("0821", skalig.MonthOf(2022, 12)); skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("err=%v, want EINVALID", err)
		}
	})
}

func TestParse(t *testing.T) {
	const ok = `{"code":"1234","name":"Testkommun","guidelines":[{"version":"1","from":"2025-01","source":"x"}]}`
	if _, err := Parse(map[string][]byte{"1234.json": []byte(ok)}); err != nil {
		t.Fatalf("OK: %v", err)
	}
	for name, tc := range map[string]struct{ file, body, want string }{
		"ErrUnknownField": {"1234.json", `{"code":"1234","name":"T","guidelines":[],"extra":1}`, "unknown field"},
		"ErrCode":         {"12.json", `{"code":"12","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x"}]}`, "kommunkod"},
		"ErrFileName":     {"1111.json", ok, "must be named 1234.json"},
		"ErrFrom":         {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025","source":"x"}]}`, "YYYY-MM"},
		"ErrOrder":        {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x"},{"version":"2","from":"2024-01","source":"x"}]}`, "after the previous"},
		"ErrAmount":       {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01","source":"x","max_housing":{"one_adult":[0],"two_adults":[1]}}]}`, "reasonable amount"},
		"ErrNoSource":     {"1234.json", `{"code":"1234","name":"T","guidelines":[{"version":"1","from":"2025-01"}]}`, "source"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(map[string][]byte{tc.file: []byte(tc.body)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err=%v, want one containing %q", err, tc.want)
			}
		})
	}
}
