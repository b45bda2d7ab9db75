package skalig

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func validFact() Fact {
	return Fact{
		Kind: "income.salary_net", PersonID: "p1", Period: MonthOf(2026, 2),
		Value: AmountValue(Kronor(8450) + 50), Source: RegisterSource("skv"),
		At: time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC), Evidence: "ssbtek:response/42",
	}
}

func TestFactSource(t *testing.T) {
	for _, tt := range []struct {
		s        FactSource
		valid    bool
		register string
	}{
		{SourceApplicant, true, ""},
		{SourceCaseworker, true, ""},
		{SourceSystem, true, ""},
		{RegisterSource("fk"), true, "fk"},
		{RegisterSource("a-kassa_1"), true, "a-kassa_1"},
		{RegisterSource(""), false, ""},
		{RegisterSource("FK"), false, "FK"},
		{"register", false, ""},
		{"Applicant", false, ""},
		{"", false, ""},
	} {
		if tt.s.Valid() != tt.valid {
			t.Errorf("%q.Valid()=%v, want %v", tt.s, tt.s.Valid(), tt.valid)
		}
		if name, ok := tt.s.Register(); name != tt.register || ok != (tt.register != "" || tt.s == "register:") {
			t.Errorf("%q.Register()=%q, %v", tt.s, name, ok)
		}
	}
}

func TestFactValidate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, f := range []Fact{
			validFact(),
			{Kind: "cost.housing", Period: MonthOf(2026, 3), Value: AmountValue(0), Source: SourceApplicant, At: t0},
			{Kind: "residence.permit_until", PersonID: "p2", Period: MonthOf(2026, 3), Value: TextValue("2027-01-31"), Source: SourceSystem, At: t0},
			{Kind: "cost.other", Period: MonthOf(2026, 3), Value: AmountValue(Kronor(300)), Source: SourceCaseworker, RecordedBy: "hl-17", At: t0},
			{Kind: "income.adjustment", Period: MonthOf(2026, 3), Value: AmountValue(-Kronor(300)), Source: SourceCaseworker, RecordedBy: "hl-17", At: t0},
		} {
			if err := f.Validate(); err != nil {
				t.Errorf("Validate(%+v): %v", f, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct {
			edit  func(*Fact)
			field string
		}{
			{func(f *Fact) { f.Kind = "" }, "kind"},
			{func(f *Fact) { f.Kind = "Income" }, "kind"},
			{func(f *Fact) { f.PersonID = "P 1" }, "person"},
			{func(f *Fact) { f.Period = 0 }, "period"},
			{func(f *Fact) { f.Value = FactValue{Amount: 1, Text: "x", IsText: true} }, "value"},
			{func(f *Fact) { f.Value = FactValue{Text: "x"} }, "value"},
			{func(f *Fact) { f.Value = TextValue("") }, "value"},
			{func(f *Fact) { f.Value = AmountValue(MaxMoney + 1) }, "value"},
			{func(f *Fact) { f.Source = "register:" }, "source"},
			{func(f *Fact) { f.Source = "bank" }, "source"},
			{func(f *Fact) { f.At = time.Time{} }, "at"},
			{func(f *Fact) { f.Evidence = "" }, "evidence"},
			{func(f *Fact) { f.Source = SourceCaseworker; f.RecordedBy = "" }, "recorded_by"},
		} {
			f := validFact()
			tt.edit(&f)
			err := f.Validate()
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
				t.Errorf("Validate(%+v)=%v, want EINVALID on %s only", f, err, tt.field)
			}
		}
	})
}

func TestFactJSON(t *testing.T) {
	for _, f := range []Fact{
		validFact(),
		{Kind: "cost.housing", Period: MonthOf(2026, 3), Value: AmountValue(0), Source: SourceApplicant, At: t0},
		{Kind: "flag.eviction_notice", Period: MonthOf(2026, 3), Value: TextValue("ja"), Source: SourceApplicant, At: t0},
		{Kind: "income.adjustment", Period: MonthOf(2026, 3), Value: AmountValue(-5), Source: SourceCaseworker, RecordedBy: "hl-17", At: t0},
	} {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var got Fact
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		want := f
		want.At = f.At.Truncate(time.Microsecond)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", b, got, want)
		}
	}
	b, _ := json.Marshal(validFact())
	if want := `{"kind":"income.salary_net","person":"p1","period":"2026-02","amount":"8450.50","source":"register:skv","at":"2026-03-02T09:30:00.123456Z","evidence":"ssbtek:response/42"}`; string(b) != want {
		t.Errorf("Marshal=%s\nwant %s", b, want)
	}
	for _, in := range []string{
		`{"kind":"k","period":"2026-13","amount":"1","source":"system","at":"2026-03-02T09:30:00Z"}`,
		`{"kind":"k","period":"2026-03","amount":"1.005","source":"system","at":"2026-03-02T09:30:00Z"}`,
		`{"kind":"k","period":"2026-03","amount":"1","text":"x","source":"system","at":"2026-03-02T09:30:00Z"}`,
		`{"kind":"k","period":"2026-03","source":"system","at":"2026-03-02T09:30:00Z"}`,
		`{"kind":"k","period":"2026-03","amount":"1","source":"system","at":"2 March"}`,
		`{"kind":"k","period":"2026-03","amount":1,"source":"system","at":"2026-03-02T09:30:00Z"}`,
	} {
		var f Fact
		if err := json.Unmarshal([]byte(in), &f); err == nil {
			t.Errorf("Unmarshal(%s)=%+v, want an error", in, f)
		}
	}
}

func TestTime(t *testing.T) {
	in := time.Date(2026, 3, 2, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
	s := FormatTime(in)
	if s != "2026-03-02T09:30:00.123456Z" {
		t.Errorf("FormatTime=%s", s)
	}
	got, err := ParseTime(s)
	if err != nil || !got.Equal(in.Truncate(time.Microsecond)) || got.Location() != time.UTC {
		t.Errorf("ParseTime(%s)=%v, %v", s, got, err)
	}
	if _, err := ParseTime("2026-03-02"); err == nil {
		t.Errorf("ParseTime of a date: no error")
	}
}

func TestSourceSums(t *testing.T) {
	var s SourceSums
	for _, f := range []Fact{
		{Source: SourceApplicant, Value: AmountValue(Kronor(3000))},
		{Source: SourceApplicant, Value: AmountValue(Kronor(500))},
		{Source: RegisterSource(RegisterFK), Value: AmountValue(Kronor(2000))},
		{Source: RegisterSource(RegisterFK), Value: AmountValue(Kronor(1000))},
		{Source: RegisterSource(RegisterAF), Value: AmountValue(Kronor(100))},
		{Source: SourceCaseworker, Value: AmountValue(Kronor(3100)), RecordedBy: "hl1"},
		{Source: SourceCaseworker, Value: AmountValue(Kronor(3200)), RecordedBy: "hl2"},
		{Source: SourceSystem, Value: AmountValue(Kronor(99))},
	} {
		s.Add(&f)
	}
	want := SourceSums{Declared: Kronor(3500), Register: Kronor(3100), Caseworker: Kronor(3200),
		HasDeclared: true, HasRegister: true, HasCaseworker: true,
		Registers: []string{RegisterFK, RegisterAF}, CaseworkerBy: "hl2"}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
}
