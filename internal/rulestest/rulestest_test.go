package rulestest

import (
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
