package skalig

import (
	"slices"
	"testing"
	"time"
)

// testApplication returns a valid monthly re-application of a couple with a
// child; the personal numbers are synthetic (testPN).
func testApplication(tb testing.TB) *Application {
	tb.Helper()
	return &Application{
		Municipality: "0821",
		Kind:         MonthlyApplication,
		Month:        MonthOf(2026, 4),
		Members: []Member{
			{ID: "p1", PersonalNumber: PersonalNumber(testPN(tb, "19900412", 982)), Role: RoleApplicant},
			{ID: "p2", PersonalNumber: PersonalNumber(testPN(tb, "19880472", 981)), Role: RolePartner},
			{ID: "c1", PersonalNumber: PersonalNumber(testPN(tb, "20180923", 983)), Role: RoleChild},
		},
		Facts: []Fact{
			{Kind: "cost.housing", Period: MonthOf(2026, 4), Value: AmountValue(Kronor(7400)), Source: SourceApplicant},
			{Kind: "income.salary_net", PersonID: "p2", Period: MonthOf(2026, 3), Value: AmountValue(Kronor(4200) + 75), Source: SourceApplicant},
			{Kind: "flag.eviction_notice", Period: MonthOf(2026, 4), Value: TextValue("nej"), Source: SourceApplicant},
		},
		IdempotencyKey: "form-7f3a2c",
	}
}

func TestApplicationValidate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		a := testApplication(t)
		if err := a.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		a.Kind = FirstApplication
		a.Members = a.Members[:1]
		a.Facts = nil
		if err := a.Validate(); err != nil {
			t.Errorf("Validate of a single first applicant: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			edit   func(*Application)
			fields []string
		}{
			{"municipality", func(a *Application) { a.Municipality = "821" }, []string{"municipality"}},
			{"county 26", func(a *Application) { a.Municipality = "2601" }, []string{"municipality"}},
			{"kind", func(a *Application) { a.Kind = "yearly" }, []string{"kind"}},
			{"month", func(a *Application) { a.Month = 0 }, []string{"month"}},
			{"no key", func(a *Application) { a.IdempotencyKey = "" }, []string{"idempotency_key"}},
			{"key with space", func(a *Application) { a.IdempotencyKey = "a b" }, []string{"idempotency_key"}},
			{"no members", func(a *Application) { a.Members = nil; a.Facts = nil }, []string{"members"}},
			{"member id", func(a *Application) { a.Members[2].ID = "" }, []string{"members[2].id"}},
			{"same id twice", func(a *Application) { a.Members[2].ID = "p2" }, []string{"members[2].id"}},
			{"bad number", func(a *Application) { a.Members[1].PersonalNumber = "19880472981" }, []string{"members[1].personal_number"}},
			{"same person twice", func(a *Application) { a.Members[2].PersonalNumber = a.Members[0].PersonalNumber }, []string{"members[2].personal_number"}},
			{"role", func(a *Application) { a.Members[2].Role = "lodger" }, []string{"members[2].role"}},
			{"two applicants", func(a *Application) { a.Members[1].Role = RoleApplicant }, []string{"members"}},
			{"no applicant", func(a *Application) { a.Members[0].Role = RoleChild }, []string{"members"}},
			{"two partners", func(a *Application) { a.Members[2].Role = RolePartner }, []string{"members"}},
			{"fact kind", func(a *Application) { a.Facts[1].Kind = "" }, []string{"facts[1].kind"}},
			{"fact of nobody", func(a *Application) { a.Facts[1].PersonID = "p9" }, []string{"facts[1].person"}},
			// Violation 8 of the security review: the API took these, the
			// web form did not; both go through Validate.
			{"negative amount", func(a *Application) { a.Facts[0].Value = AmountValue(-Kronor(100)) }, []string{"facts[0].amount"}},
			{"empty kind name", func(a *Application) { a.Facts[0].Kind = "cost." }, []string{"facts[0].kind"}},
			{"empty kind segment", func(a *Application) { a.Facts[1].Kind = "income..salary_net" }, []string{"facts[1].kind"}},
			{"kind from a dot", func(a *Application) { a.Facts[1].Kind = ".housing" }, []string{"facts[1].kind"}},
			{"fact from a register", func(a *Application) {
				a.Facts[0].Source = RegisterSource("fk")
				a.Facts[0].Evidence = "x"
			}, []string{"facts[0].source"}},
			{"several", func(a *Application) { a.Kind = ""; a.Facts[2].Value = TextValue("") }, []string{"kind", "facts[2].value"}},
		} {
			a := testApplication(t)
			tt.edit(a)
			err := a.Validate()
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID {
				t.Errorf("%s: err=%v, want EINVALID", tt.name, err)
				continue
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
				if f.Message == "" {
					t.Errorf("%s: %s has no message", tt.name, f.Field)
				}
			}
			if len(got) != len(tt.fields) {
				t.Errorf("%s: fields %q, want %q", tt.name, got, tt.fields)
				continue
			}
			for i := range got {
				if got[i] != tt.fields[i] {
					t.Errorf("%s: fields %q, want %q", tt.name, got, tt.fields)
					break
				}
			}
		}
	})
}

func TestApplicationContentHash(t *testing.T) {
	a := testApplication(t)
	h := a.ContentHash()
	if !isHexHash(h) {
		t.Fatalf("ContentHash()=%q, want hex SHA-256", h)
	}
	// What the store assigns, and the facts' times, do not count.
	b := testApplication(t)
	b.ID = "x"
	b.SubmittedAt = t0
	b.Facts[0].At = t0
	if b.ContentHash() != h {
		t.Errorf("ContentHash changed with ID, SubmittedAt or fact time")
	}
	if a.Facts[0].At != (time.Time{}) {
		t.Errorf("ContentHash changed the application")
	}
	// Anything the applicant sent does.
	for name, edit := range map[string]func(*Application){
		"municipality": func(a *Application) { a.Municipality = "0822" },
		"kind":         func(a *Application) { a.Kind = FirstApplication },
		"month":        func(a *Application) { a.Month++ },
		"key":          func(a *Application) { a.IdempotencyKey += "x" },
		"member role":  func(a *Application) { a.Members[1].Role = RoleChild },
		"fact amount":  func(a *Application) { a.Facts[0].Value.Amount++ },
		"fact order":   func(a *Application) { a.Facts[0], a.Facts[1] = a.Facts[1], a.Facts[0] },
		"no facts":     func(a *Application) { a.Facts = nil },
	} {
		c := testApplication(t)
		edit(c)
		if c.ContentHash() == h {
			t.Errorf("ContentHash unchanged after changing %s", name)
		}
	}
}

func TestNameFold(t *testing.T) {
	for in, want := range map[string]string{
		"Göran  Åström-Müller": "goran astrom-muller",
		"ÄNGLA Öberg":          "angla oberg",
		"José Núñez":           "jose nunez",
		"Françoise Lefèvre":    "francoise lefevre",
		"Søren Ærø":            "soren aero",
		"Łukasz Dvořák":        "lukasz dvorak",
		"Ḥasan ʿAlī al-Ṣāfī":   "hasan ali al-safi",
		"Straße":               "strasse",
		"Mäkinen Jääskeläinen": "makinen jaaskelainen",
		"Goran Persson":        "goran persson",
		"محمد":                 "محمد",
		"":                     "",
	} {
		if got := NameFold(in); got != want {
			t.Errorf("NameFold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameWords(t *testing.T) {
	for in, want := range map[string][]string{
		"Göran  Åström-Müller": {"göran", "goran", "goeran", "åström-müller", "astrom-muller", "aastroem-mueller",
			"åström", "astrom", "aastroem", "müller", "muller", "mueller"},
		"Åsa Häkkinen":  {"åsa", "asa", "aasa", "häkkinen", "hakkinen", "haekkinen"},
		"Søren Ærø":     {"søren", "soren", "soeren", "ærø", "aero", "aeroe"},
		"José O'Brien":  {"josé", "jose", "o'brien", "o", "brien"},
		"Bo  EK":        {"bo", "ek"},
		"Anna Anna":     {"anna"},
		"Go\u0308ran":   {"göran", "goran", "goeran"}, // ö as o and a combining mark
		"Straße":        {"straße", "strasse"},
		"محمد":          {"محمد"},
		"  ":            nil,
		"":              nil,
		"Ḥasan al-Ṣāfī": {"ḥasan", "hasan", "al-ṣāfī", "al-safi", "al", "ṣāfī", "safi"},
	} {
		if got := NameWords(in); !slices.Equal(got, want) {
			t.Errorf("NameWords(%q) = %q, want %q", in, got, want)
		}
	}
	if NameKey("Go\u0308ran") != "göran" {
		t.Errorf("NameKey does not compose: %q", NameKey("Go\u0308ran"))
	}
}
