package calcformat_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/rules"
)

// FuzzParse feeds the parser the legislation cases and broken variants of
// them. Whatever the input: Parse does not panic; what it accepts can be
// calculated (with and without municipal guidelines) and written as JSON;
// what it refuses is an EINVALID *skalig.Error naming at least one field
// with a Swedish message and no Go error text.
//
//	go test -run=^$ -fuzz=FuzzParse -fuzztime=240s -parallel=1 ./internal/calcformat/
func FuzzParse(f *testing.F) {
	p := defaultParams(f)
	for _, c := range caseInputs(f) {
		f.Add(c.input)
	}
	for _, s := range []string{
		``, `{`, `}`, `[]`, `null`, `"x"`, `0`, `{}`, `{"month":"2025-03"}`,
		`{"month":"2025-03","people":[]}`,
		`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1985-05-15"}]}`,
		`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1985-05-15"}],"month":"2025-03"}`,
		`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1985-05-15"}]} trailing`,
		`{"month":"2025-02","people":[{"id":"p1","role":"applicant","birth_date":"2024-02-29"},{"id":"c","role":"child","birth_date":"2025-02-28","days_present":28,"lunch_at_home":false}]}`,
		`{"month":"2026-12","people":[{"id":"p1","role":"applicant","birth_date":"1985-05-15"}],"dwelling_size":99,"costs":[{"kind":"other:x","amount":100000000}],"incomes":[{"kind":"other","amount":0.01}]}`,
		`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1985-05-15"}],"costs":[{"kind":"housing","amount":1e400}]}`,
		`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1985-05-15"}],"costs":[{"kind":"housing","amount":-0}]}`,
		`{"month":"2025-03","people":[{"id":"\u0000","role":"applicant","birth_date":"1985-05-15"}],"incomes":[{"person":"\u00000","kind":"salary_net","amount":1}]}`,
		`{"month":"2025-03","people":[{"id":"p1","role":"child","birth_date":"1850-01-01"},{"id":"p1","role":"applicant","birth_date":"2999-12-31"}]}`,
		`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1985-05-15"}],"aid_months":["2025-02","2025-02","3000-01","1899-12",1,null]}`,
		`{"month":"2025-03","people":[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]}`,
		"{\"month\":\"2025-03\xff\"}",
		`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1985-05-15","in_school":true,"lunch_at_home":false,"days_present":0}]}`,
	} {
		f.Add([]byte(s))
	}
	guidelines := &rules.Guidelines{
		Municipality:   "Fuzzkommun",
		MaxHousing:     [2][]skalig.Money{{skalig.Kronor(5000), skalig.Kronor(6000)}, {skalig.Kronor(6500)}},
		MaxElectricity: []skalig.Money{skalig.Kronor(300), skalig.Kronor(400)},
		WorkTravel:     skalig.Kronor(850),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := calcformat.Parse(data, p)
		if err != nil {
			if in != nil {
				t.Errorf("Parse returned an input and an error")
			}
			var se *skalig.Error
			if !errors.As(err, &se) {
				t.Fatalf("err=%v (%T), want *skalig.Error", err, err)
			}
			if se.Code != skalig.EINVALID {
				t.Errorf("Code=%q, want %q", se.Code, skalig.EINVALID)
			}
			if len(se.Fields) == 0 {
				t.Fatalf("no Fields in %v", err)
			}
			checkSwedish(t, "Message", se.Message)
			for _, fe := range se.Fields {
				// Every error names its field, even for an empty or odd key
				// (TestBugEmptyKeyGivesEmptyFieldPath).
				if strings.TrimSpace(fe.Field) == "" || strings.HasSuffix(fe.Field, ".") {
					t.Errorf("field error without a field path: %q: %s", fe.Field, fe.Message)
				}
				checkSwedish(t, "message of "+fe.Field, fe.Message)
			}
			return
		}
		for _, g := range []*rules.Guidelines{nil, guidelines} {
			out, err := calcformat.Calculate(data, p, g)
			if err != nil {
				t.Fatalf("Parse accepted the input, Calculate failed: %v", err)
			}
			b, err := json.Marshal(out)
			if err != nil {
				t.Fatalf("json.Marshal(output): %v", err)
			}
			if !json.Valid(b) {
				t.Fatalf("output is not valid JSON: %s", b)
			}
			// With a surplus, only aid beyond the calculation is paid.
			if out.Aid < 0 || out.Surplus < 0 || (out.Surplus > 0 && out.Aid != out.BeyondCalculation.RoundKronor()) {
				t.Errorf("aid=%v surplus=%v", out.Aid, out.Surplus)
			}
			if out.Month != in.Month.String() {
				t.Errorf("output month=%s, want %s", out.Month, in.Month)
			}
		}
	})
}
