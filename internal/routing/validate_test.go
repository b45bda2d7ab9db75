package routing

import (
	"strings"
	"testing"

	"skalig"
)

// TestCheck: every problem of a version, each on its field and in Swedish
// naming the field in words, so that a form can show them all at once.
func TestCheck(t *testing.T) {
	if ps := Check(testSpec()); ps != nil {
		t.Fatalf("Check(valid)=%v", ps)
	}
	s := testSpec()
	s.Source = ""
	s.SampleRate = 1.5
	s.Delegations = append(s.Delegations,
		DelegationSpec{Name: "punkt 3.2", Kinds: []skalig.ApplicationKind{skalig.FirstApplication}, MaxAmount: 0, Outcomes: []skalig.Outcome{}})
	s.Rules = []RuleSpec{
		{Name: "stort", Expression: "household.persons >= 6", Reason: "Stort hushåll."},
		{Name: "Dubbel", Expression: "calc.aid * 2 > 1", Reason: ""},
		{Name: "summa", Expression: "calc.aid * 2.0", Reason: "x"},
		{Name: "syntax", Expression: "household.size >=", Reason: "x"},
	}
	want := []struct{ field, contains string }{
		{"source", "Beslut om delegation: skriv"},
		{"delegations[1].kinds", "Ärendegrupp 2 (punkt 3.2), ansökningar: en förstagångsansökan prövas alltid av en handläggare"},
		{"delegations[1].outcomes", "Ärendegrupp 2 (punkt 3.2), utfall: välj minst ett utfall"},
		{"delegations[1].max_amount", "Ärendegrupp 2 (punkt 3.2), högsta belopp: ange ett belopp från 1\u00a0kr till 1\u00a0000\u00a0000\u00a0kr."},
		{"sample_rate", "Andel stickprov: ange en andel mellan 0 och 100 procent."},
		{"sample_seed", "Nyckel för stickprov: behövs"},
		{"rules[0].expression", "Regel 1 (stort), villkor: fältet household.persons finns inte (rad 1, tecken 1). Fält som finns: household.size, household.adults, household.children."},
		{"rules[1].name", "Regel 2 (Dubbel), namn: 1–64 små bokstäver"},
		{"rules[1].reason", "Regel 2 (Dubbel), skäl: skriv texten"},
		{"rules[1].expression", "Regel 2 (Dubbel), villkor: * kan inte användas med ett decimaltal (double) och ett heltal (int) (rad 1, tecken 10). Belopp är decimaltal"},
		{"rules[2].expression", "Regel 3 (summa), villkor: villkoret ska ge sant eller falskt, men ger ett decimaltal (double)."},
		{"rules[3].expression", "Regel 4 (syntax), villkor: villkoret är inte rätt skrivet"},
	}
	ps := Check(s)
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if i >= len(ps) {
			break
		}
		if ps[i].Field != w.field || !strings.Contains(ps[i].Message, w.contains) {
			t.Errorf("problem %d = %s %q, want %s containing %q", i, ps[i].Field, ps[i].Message, w.field, w.contains)
		}
	}
	// A rule's problem is a Detail whose Swedish is the message, every id
	// in all three catalogs; the expression's ends with the compiler's own
	// words.
	for _, p := range ps {
		if !strings.HasPrefix(p.Field, "rules[") {
			if p.Detail.ID != "" {
				t.Errorf("%s has a Detail: %+v", p.Field, p.Detail)
			}
			continue
		}
		if p.Detail.ID == "" || p.Detail.Swedish() != p.Message {
			t.Errorf("%s: Detail %+v says %q, Message %q", p.Field, p.Detail, p.Detail.Swedish(), p.Message)
		}
		for _, id := range p.Detail.DetailIDs() {
			for lang, cat := range detailCatalogs() {
				if _, ok := cat[id]; !ok {
					t.Errorf("%s: %s is not in details.%s.json", p.Field, id, lang)
				}
			}
		}
	}
	for i, want := range map[int]string{
		6:  "Teknisk uppgift från regelmotorn: 1:1: undeclared reference to 'household'",
		9:  "Teknisk uppgift från regelmotorn: 1:10: found no matching overload for '_*_' applied to '(double, int)'",
		11: "(rad 1, tecken 18). Teknisk uppgift från regelmotorn: 1:18: Syntax error: mismatched input '<EOF>'",
	} {
		if i < len(ps) && !strings.Contains(ps[i].Message, want) {
			t.Errorf("problem %d = %q, want the appendix %q", i, ps[i].Message, want)
		}
	}
	// New tells the first problem, in the words it always used.
	if _, err := New(s); err == nil || !strings.Contains(err.Error(), `version "test 1": source: required`) {
		t.Errorf("New: %v", err)
	}
}

// TestTryRule: a rule tried on one case says whether it matched and shows
// what it read; a rule that does not compile says why in Swedish.
func TestTryRule(t *testing.T) {
	in := baseInput()
	for name, tc := range map[string]struct {
		expr    string
		matched bool
		values  []SeenValue
		problem string
		err     string
	}{
		"Matched": {expr: `household.size >= 1 && calc.aid > 5000.0`, matched: true,
			values: []SeenValue{{"household.size", "1"}, {"calc.aid", "8000.0"}}},
		"NotMatched": {expr: `case.kind == "first" || declared("income.housing_allowance") > 2000.0`,
			values: []SeenValue{{"case.kind", `"monthly"`}, {`declared("income.housing_allowance")`, "1500.0"}}},
		"ErrUndeclared": {expr: `household.persons > 2`, problem: "fältet household.persons finns inte"},
		"ErrEmpty":      {expr: ` `, problem: "skriv ett villkor."},
		"ErrRun":        {expr: `household.size / 0 > 1`, err: "regeln kunde inte köras på ärendet. Teknisk uppgift från regelmotorn: division by zero"},
	} {
		t.Run(name, func(t *testing.T) {
			got := TryRule(tc.expr, in)
			if tc.problem != "" {
				if !strings.Contains(got.Problem, tc.problem) || got.ProblemDetail.Swedish() != got.Problem {
					t.Errorf("Problem=%q (Detail %q), want %q", got.Problem, got.ProblemDetail.Swedish(), tc.problem)
				}
				return
			}
			if tc.err != "" {
				if got.Error != tc.err || got.ErrorDetail.Swedish() != got.Error {
					t.Errorf("Error=%q (Detail %q), want %q", got.Error, got.ErrorDetail.Swedish(), tc.err)
				}
				return
			}
			if got.Problem != "" || got.Error != "" || got.Matched != tc.matched {
				t.Fatalf("TryRule=%+v, want matched %v", got, tc.matched)
			}
			if len(got.Values) != len(tc.values) {
				t.Fatalf("Values=%v, want %v", got.Values, tc.values)
			}
			for i := range tc.values {
				if got.Values[i] != tc.values[i] {
					t.Errorf("Values[%d]=%v, want %v", i, got.Values[i], tc.values[i])
				}
			}
		})
	}
}
