package migrations

import (
	"slices"
	"strings"
	"testing"
)

func TestExcluded(t *testing.T) {
	for _, d := range []string{sqlite, postgres} {
		ex, err := Excluded(d)
		if err != nil {
			t.Fatal(err)
		}
		other := postgres
		if d == postgres {
			other = sqlite
		}
		for _, n := range ex {
			if !strings.HasSuffix(n, "."+other+".sql") && !strings.HasSuffix(n, ".sql") {
				t.Errorf("%s: excluded %q", d, n)
			}
			if strings.HasSuffix(n, "."+d+".sql") {
				t.Errorf("%s: its own variant %q excluded", d, n)
			}
		}
		if !slices.Contains(ex, "00001_init."+other+".sql") {
			t.Errorf("%s: the other dialect's 00001 not excluded: %q", d, ex)
		}
	}
}
