package whatif_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/whatif"
)

// TestCandidateMistakesInSwedish: a candidate file that is wrong is
// refused (EINVALID) with a Swedish message that names the file and the
// field or line at fault, never the JSON decoder's or the CEL compiler's
// English, and a row of a parameter table by its line in the file given.
func TestCandidateMistakesInSwedish(t *testing.T) {
	routing8000, err := os.ReadFile("../../examples/whatif/routing-8000.json")
	if err != nil {
		t.Fatal(err)
	}
	housing, err := os.ReadFile("../../examples/whatif/0821-bostad+10.json")
	if err != nil {
		t.Fatal(err)
	}
	replace := func(b []byte, old, new string) []byte {
		t.Helper()
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("the example has no %q", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
	const header = "year\tkind\tkey\tamount_kr\tstatus\tsource\n"
	for _, c := range []struct {
		kind       whatif.Kind
		name, data string
		want       string
	}{
		{whatif.KindRouting, "r.json", "detta är inte json {", "r.json: filen är inte giltig JSON (fel vid tecken 1)"},
		{whatif.KindRouting, "r.json", "", "r.json: filen är tom"},
		{whatif.KindRouting, "r.json", `{"version": "x"`, "r.json: filen slutar mitt i JSON-innehållet"},
		{whatif.KindRouting, "r.json", string(replace(routing8000, `"max_amount": 8000`, `"max_amount": "åtta"`)),
			"r.json: fältet delegations.max_amount ska vara ett heltal, inte en text"},
		{whatif.KindRouting, "r.json", `{"version": 1}`, "r.json: fältet version ska vara en text, inte ett tal"},
		{whatif.KindRouting, "r.json", string(replace(routing8000, `"sample_rate"`, `"stickprov": 1, "sample_rate"`)), `r.json: okänt fält "stickprov"`},
		{whatif.KindRouting, "r.json", string(replace(routing8000, `household.size >= 7`, `household.size >=`)),
			"r.json, rules[1].expression: Regel 2 (stort_hushall), villkor: villkoret är inte rätt skrivet (rad 1, tecken 18)"},
		{whatif.KindRouting, "r.json", string(replace(routing8000, `household.size >= 7`, `household.storlek >= 7`)),
			"r.json, rules[1].expression: Regel 2 (stort_hushall), villkor: "},
		{whatif.KindMunicipal, "m.json", "inte json", "m.json: filen är inte giltig JSON"},
		{whatif.KindMunicipal, "m.json", `{"code": "08"}`, "m.json: kommunkod (code): ange kommunens kod med fyra siffror"},
		{whatif.KindMunicipal, "m.json", string(replace(housing, `"from": "2023-01"`, `"from": "januari"`)),
			`m.json: riktlinjeversion 1 (högsta godtagbara bostadskostnad 2023 +10 % (provkörning)), från (from): "januari" är inte en månad som ÅÅÅÅ-MM`},
		{whatif.KindMunicipal, "m.json", string(replace(routing8000, `{`, `{"code": "0821", "name": "Högsby kommun", "guidelines": [], "routing": [{`)) + "]}",
			"m.json: riktlinjer (guidelines) saknas"},
		{whatif.KindParams, "rn.tsv", "# nästa år\n" + header + "2027\tchild_personal\t0\tabc\tofficial\tx\n",
			`parametrar: rn.tsv rad 3, fält amount_kr: "abc" är inte ett positivt belopp i kronor`},
		{whatif.KindParams, "rn.tsv", header + "2027\tchild_personal\t0\n", "parametrar: rn.tsv rad 2: 3 kolumner, ska vara 6"},
		{whatif.KindParams, "rn.tsv", `{"json": true}`, "rn.tsv: ange en riksnormstabell (rubrikraden börjar med year)"},
	} {
		_, err := whatif.NewCandidate(c.kind, c.name, []byte(c.data))
		if skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("%s %.40q: %v, want EINVALID", c.kind, c.data, err)
			continue
		}
		msg := skalig.ErrorMessage(err)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s %.40q:\n got %s\nwant %s", c.kind, c.data, msg, c.want)
		}
		for _, english := range []string{"invalid character", "unknown field", "cannot unmarshal", "ERROR: <input>", "riksnorm.tsv", "must be", "is not", "()"} {
			if strings.Contains(msg, english) {
				t.Errorf("%s %.40q: %q has %q", c.kind, c.data, msg, english)
			}
		}
	}
	// The examples themselves are candidates.
	for kind, b := range map[whatif.Kind][]byte{whatif.KindRouting: routing8000, whatif.KindMunicipal: housing} {
		if _, err := whatif.NewCandidate(kind, "example", b); err != nil {
			t.Errorf("%s example: %v", kind, err)
		}
	}
}

// TestWriteTextSelection: the command line's result says the months in
// words and writes no sign on a zero sum.
func TestWriteTextSelection(t *testing.T) {
	for _, c := range []struct {
		sel  whatif.Selection
		want string
	}{
		{whatif.Selection{Municipality: "0821"}, "Urval: alla månader, kommun 0821;"},
		{whatif.Selection{From: "2026-01", Municipality: "0821"}, "Urval: från 2026-01, kommun 0821;"},
		{whatif.Selection{To: "2026-11"}, "Urval: till och med 2026-11, kommun alla;"},
		{whatif.Selection{From: "2026-01", To: "2026-11", Municipality: "0821"}, "Urval: 2026-01 – 2026-11, kommun 0821;"},
	} {
		var b bytes.Buffer
		whatif.WriteText(&b, &whatif.Result{Selection: c.sel, Candidate: whatif.Info{Kind: whatif.KindEngine}}, 0)
		if !strings.Contains(b.String(), c.want) || strings.Contains(b.String(), "+0 kr") || strings.Contains(b.String(), "−0 kr") {
			t.Errorf("%+v:\n%s", c.sel, b.String())
		}
	}
}
