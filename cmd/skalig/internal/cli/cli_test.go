package cli

import (
	"errors"
	"strings"
	"testing"
)

func TestArgsParse(t *testing.T) {
	var out, db, pos string
	var pdf bool
	a := Args{Usage: "USAGE", Values: map[string]*string{"out": &out, "database": &db},
		Bools: map[string]*bool{"pdf": &pdf}, Positional: One(&pos)}
	if err := a.Parse([]string{"--out", "f.pdf", "2026-0821-000123", "-database=x.db", "--pdf"}); err != nil {
		t.Fatal(err)
	}
	if out != "f.pdf" || db != "x.db" || pos != "2026-0821-000123" || !pdf {
		t.Fatalf("out=%q db=%q pos=%q pdf=%v", out, db, pos, pdf)
	}
	for args, want := range map[string]string{
		"--nope":     `okänt argument "--nope"`,
		"--out":      "--out saknar värde",
		"a b":        `okänt argument "b"`,
		"--pdf=true": `okänt argument "--pdf=true"`,
	} {
		pos = ""
		err := a.Parse(strings.Fields(args))
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != ExitUsage || !strings.Contains(ee.Msg, want) || !strings.HasSuffix(ee.Msg, "USAGE") {
			t.Errorf("%q: %v, want a usage error with %q and the usage", args, err, want)
		}
	}
}
