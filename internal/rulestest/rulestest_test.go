package rulestest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skalig/internal/params"
)

// TestLegislationCases runs every case in internal/rules/testdata/cases.
func TestLegislationCases(t *testing.T) {
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := Load("../rules/testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 46 {
		t.Errorf("%d cases, want at least 46 (the six examples and 40 of our own)", len(cases))
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.Name, ".json"), func(t *testing.T) {
			for _, f := range Run(c, p) {
				t.Errorf("%s\n(%s)", f, c.Description)
			}
		})
	}
}

// TestRuleCases: a case of kind "rule" gives rule, month, person and
// expect_rule and nothing else, names a known rule, and fails when the
// finding differs from what it expects.
func TestRuleCases(t *testing.T) {
	write := func(t *testing.T, body string) string {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "c.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	ok := `{"description":"d","rule":"lawful_residence","month":"2027-01","person":{"migration":"unknown_person","population":"answered","citizenships":["SE"]},"expect_rule":{"outcome":"lawful","ground":"swedish_citizen"}}`
	t.Run("OK", func(t *testing.T) {
		cases, err := Load(write(t, ok))
		if err != nil {
			t.Fatal(err)
		}
		if fails := Run(cases[0], nil); len(fails) != 0 {
			t.Errorf("fails=%v, want none", fails)
		}
	})
	t.Run("WrongExpectation", func(t *testing.T) {
		cases, err := Load(write(t, strings.Replace(ok, `"outcome":"lawful"`, `"outcome":"unknown"`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if fails := Run(cases[0], nil); len(fails) != 1 || !strings.Contains(fails[0], "outcome=lawful") {
			t.Errorf("fails=%v, want one naming the outcome", fails)
		}
	})
	t.Run("UnknownPersonField", func(t *testing.T) {
		cases, err := Load(write(t, strings.Replace(ok, `"migration"`, `"migrationsverket"`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if fails := Run(cases[0], nil); len(fails) == 0 || !strings.Contains(fails[0], "person:") {
			t.Errorf("fails=%v, want the unknown field named", fails)
		}
	})
	for name, body := range map[string]string{
		"ErrUnknownRule":       strings.Replace(ok, `"rule":"lawful_residence"`, `"rule":"bidragstak"`, 1),
		"ErrWithoutExpectRule": strings.Replace(ok, `"expect_rule"`, `"expect"`, 1),
		"ErrWithInput":         strings.Replace(ok, `"month"`, `"input":{},"month"`, 1),
		"ErrExpectRuleAlone":   strings.Replace(ok, `"rule":"lawful_residence",`, ``, 1),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(write(t, body)); err == nil {
				t.Errorf("Load accepted %s", body)
			}
		})
	}
}
