package registry_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/registry"
	"skalig/internal/registry/sim"
	"skalig/internal/registry/wire"
)

var parsePN = sim.TestPersonnummer(11)

func answer(t testing.TB, parts ...wire.Part) []byte {
	t.Helper()
	raw, err := wire.Marshal(&wire.Envelope{Body: wire.Body{FetchResponse: &wire.FetchResponse{
		CorrelationID: "c1", Person: parsePN.Canonical(), Parts: parts,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

var at = time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC)

var fuzzAt = at

// TestParseMapping: each source's data becomes the facts of
// docs/registers.md.
func TestParseMapping(t *testing.T) {
	feb, mar := skalig.MonthOf(2025, 2), skalig.MonthOf(2025, 3)
	for _, tc := range []struct {
		name string
		part wire.Part
		want string // factValues of the part
	}{
		{"FKSumsPerKindAndMonth", wire.Part{Source: "fk", FK: &wire.FKData{Payments: []wire.FKPayment{
			{Benefit: "barnbidrag", Month: "2025-03", Gross: "2500", Net: "2500"},
			{Benefit: "flerbarnstillagg", Month: "2025-03", Gross: "150", Net: "150"},
			{Benefit: "bostadsbidrag", Month: "2025-02", PaidOn: "2025-02-20", Gross: "1850", Net: "1850"},
			{Benefit: "bostadstillagg", Month: "2025-03", Gross: "900", Net: "900"},
			{Benefit: "sjukpenning", Month: "2025-03", Gross: "10000", Net: "7000.50"},
			{Benefit: "sjukersattning", Month: "2025-03", Gross: "1000", Net: "700"},
			{Benefit: "foraldrapenning", Month: "2025-03", Gross: "500", Net: "350"},
			{Benefit: "aktivitetsstod", Month: "2025-03", Gross: "8000", Net: "6800"},
			{Benefit: "underhallsstod", Month: "2025-03", Gross: "1723", Net: "1723"},
			{Benefit: "garantipension", Month: "2025-03", Gross: "9000", Net: "8000"},
			{Benefit: "merkostnadsersattning", Month: "2025-03", Gross: "2057", Net: "2057"},
		}}}, "fk.other_benefit|2025-03|merkostnadsersattning 2025-03 2057; " +
			"income.activity_support|2025-03|6800; income.child_allowance|2025-03|2650; " +
			"income.housing_allowance|2025-02|1850; income.housing_allowance|2025-03|900; " +
			"income.maintenance_support|2025-03|1723; income.parental_benefit|2025-03|350; " +
			"income.pension|2025-03|8000; income.sickness_benefit|2025-03|7700.50"},
		{"FKEmpty", wire.Part{Source: "fk", FK: &wire.FKData{}}, ""},
		{"CSNGrantAndLoan", wire.Part{Source: "csn", CSN: &wire.CSNData{Payments: []wire.CSNPayment{
			{Type: "studiemedel_bidrag", Month: "2025-03", Amount: "3564"},
			{Type: "studiemedel_lan", Month: "2025-03", Amount: "8360"},
			{Type: "hemutrustningslan", Month: "2025-02", Amount: "30000"},
			{Type: "nytt_stod", Month: "2025-03", Amount: "10"},
		}}}, "csn.home_equipment_loan|2025-02|30000; csn.loan|2025-03|8360; csn.other|2025-03|nytt_stod 10; income.student_grant|2025-03|3564"},
		{"AFRegisteredFromMarch", wire.Part{Source: "af", AF: &wire.AFData{Registrations: []wire.AFRegistration{
			{From: "2024-01-01", To: "2024-06-30", Extent: "heltid", Status: "11"},
			{From: "2025-03-15", Extent: "heltid", Status: "68", Program: "Arbetsmarknadsutbildning"},
		}}}, "af.extent|2025-03|heltid; af.program|2025-03|Arbetsmarknadsutbildning; af.registered|2025-02|no; af.registered|2025-03|yes; af.status|2025-03|68"},
		{"AFProgramExtent", wire.Part{Source: "af", AF: &wire.AFData{Registrations: []wire.AFRegistration{
			{From: "2025-01-01", To: "2025-02-28", Extent: "heltid", Status: "11", ProgramExtent: "heltid"},
			{From: "2025-03-01", Extent: "heltid", Status: "68", Program: "Kartläggning", ProgramExtent: "deltid"},
		}}}, "af.extent|2025-02|heltid; af.extent|2025-03|heltid; af.program_extent|2025-03|deltid; af.program|2025-03|Kartläggning; " +
			"af.registered|2025-02|yes; af.registered|2025-03|yes; af.status|2025-02|11; af.status|2025-03|68"},
		{"MigrPendingAfterExpiry", wire.Part{Source: "migr", Migr: &wire.MigrData{
			Permits:   []wire.MigrPermit{{Type: "TUT", From: "2023-03-01", Until: "2025-01-31"}},
			OpenCases: []wire.MigrOpenCase{{Type: "förlängning", Opened: "2025-02-10"}},
		}}, "permit.open_case|2025-02|förlängning; permit.open_case|2025-03|förlängning; permit.status|2025-02|pending; permit.status|2025-03|pending; " +
			"permit.valid_until|2025-02|2025-01-31; permit.valid_until|2025-03|2025-01-31"},
		{"AFNeverRegistered", wire.Part{Source: "af", AF: &wire.AFData{}}, "af.registered|2025-02|no; af.registered|2025-03|no"},
		{"SKVLatestYearBefore", wire.Part{Source: "skv", SKV: &wire.SKVData{Assessments: []wire.SKVAssessment{
			{Year: "2023", EarnedIncome: "200000", CapitalIncome: "0"},
			{Year: "2024", EarnedIncome: "250000", CapitalIncome: "-1200"},
			{Year: "2025", EarnedIncome: "999", CapitalIncome: "0"},
		}}}, "skv.capital_income_last_year|2025-02|-1200; skv.capital_income_last_year|2025-03|-1200; skv.income_year|2025-02|2024; skv.income_year|2025-03|2024; " +
			"skv.taxed_income_last_year|2025-02|250000; skv.taxed_income_last_year|2025-03|250000"},
		{"AkassaNetByPaymentMonth", wire.Part{Source: "akassa", Akassa: &wire.AkassaData{Fund: "Alfa-kassan", Payments: []wire.AkassaPayment{
			{PaidOn: "2025-03-10", From: "2025-02-24", To: "2025-03-09", Days: "10", Gross: "9000", Net: "6300"},
			{PaidOn: "2025-03-24", From: "2025-03-10", To: "2025-03-23", Days: "10", Gross: "9000", Net: "6300"},
		}}}, "akassa.days|2025-03|20; income.unemployment_benefit|2025-03|12600"},
		{"MigrExpiresInMarch", wire.Part{Source: "migr", Migr: &wire.MigrData{Permits: []wire.MigrPermit{
			{Type: "TUT", From: "2023-03-01", Until: "2025-02-28"},
		}}}, "permit.status|2025-02|valid; permit.status|2025-03|expired; permit.valid_until|2025-02|2025-02-28; permit.valid_until|2025-03|2025-02-28; " +
			"residence.lawful|2025-02|yes; residence.lawful|2025-03|no"},
		{"MigrPendingExtension", wire.Part{Source: "migr", Migr: &wire.MigrData{
			Permits:   []wire.MigrPermit{{Type: "TUT", From: "2023-03-01", Until: "2025-02-28"}},
			OpenCases: []wire.MigrOpenCase{{Type: "förlängning", Opened: "2025-01-10"}},
		}}, "permit.open_case|2025-02|förlängning; permit.open_case|2025-03|förlängning; permit.status|2025-02|valid; permit.status|2025-03|pending; " +
			"permit.valid_until|2025-02|2025-02-28; permit.valid_until|2025-03|2025-02-28; residence.lawful|2025-02|yes; residence.lawful|2025-03|yes"},
		{"MigrPermanentAndCitizen", wire.Part{Source: "migr", Migr: &wire.MigrData{
			Permits:     []wire.MigrPermit{{Type: "PUT", From: "2020-01-01"}},
			Citizenship: &wire.MigrCitizenship{Granted: "2025-03-01"},
		}}, "permit.status|2025-02|valid; permit.status|2025-03|citizen; residence.lawful|2025-02|yes; residence.lawful|2025-03|yes"},
		{"MigrNone", wire.Part{Source: "migr", Migr: &wire.MigrData{}}, "permit.status|2025-02|none; permit.status|2025-03|none; residence.lawful|2025-02|no; residence.lawful|2025-03|no"},
		{"FolkCitizenByBirth", wire.Part{Source: "folk", Folk: &wire.FolkData{
			Name:          &wire.FolkName{Given: "Alva", Surname: "Testsson"},
			Registrations: []wire.FolkRegistration{{From: "1990-04-12"}},
			Citizenships:  []wire.FolkCitizenship{{Country: "SE"}},
		}}, "person.name|2025-03|Alva Testsson; population.citizenship|2025-02|SE; population.citizenship|2025-03|SE; " +
			"population.registered|2025-02|yes; population.registered|2025-03|yes"},
		{"FolkNaturalisedInMarch", wire.Part{Source: "folk", Folk: &wire.FolkData{
			Name:          &wire.FolkName{Given: "Amina", Surname: "Hassan"},
			Registrations: []wire.FolkRegistration{{From: "2019-05-01"}},
			Citizenships:  []wire.FolkCitizenship{{Country: "SY"}, {Country: "SE", From: "2025-03-01"}},
		}}, "person.name|2025-03|Amina Hassan; population.citizenship|2025-02|SY; population.citizenship|2025-03|SE,SY; " +
			"population.registered|2025-02|yes; population.registered|2025-03|yes"},
		{"FolkEmigratedInFebruary", wire.Part{Source: "folk", Folk: &wire.FolkData{
			Registrations: []wire.FolkRegistration{{From: "1980-01-01", To: "2025-02-14"}},
			Citizenships:  []wire.FolkCitizenship{{Country: "NO"}},
		}}, "population.citizenship|2025-02|NO; population.citizenship|2025-03|NO; population.registered|2025-02|yes; population.registered|2025-03|no"},
		{"FolkNoCitizenshipNotRegistered", wire.Part{Source: "folk", Folk: &wire.FolkData{}},
			"population.registered|2025-02|no; population.registered|2025-03|no"},
		{"TSOwnedMonths", wire.Part{Source: "ts", TS: &wire.TSData{Vehicles: []wire.TSVehicle{
			{RegNo: "ABC123", Make: "Volvo", Model: "V70", Year: "2012", From: "2019-05-02"},
			{RegNo: "XYZ12A", Make: "Kia", Year: "2018", From: "2020-01-01", To: "2025-02-10"},
		}}}, "asset.vehicle|2025-02|ABC123 Volvo V70 2012; asset.vehicle|2025-02|XYZ12A Kia 2018; asset.vehicle|2025-03|ABC123 Volvo V70 2012"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := skalig.RegisterRequest{Person: parsePN, PersonID: "p2", From: feb, To: mar, Sources: []string{tc.part.Source}}
			raw := answer(t, tc.part)
			parts, err := registry.ParseAnswer(raw, req, "c1", at)
			if err != nil {
				t.Fatal(err)
			}
			p := parts[0]
			if p.Err != nil {
				t.Fatalf("Err=%v", p.Err)
			}
			if got := factValues(p.Facts); got != tc.want {
				t.Errorf("facts\n got %s\nwant %s", got, tc.want)
			}
			for _, f := range p.Facts {
				if f.Evidence != registry.EvidenceRef(raw) || f.PersonID != "p2" || !f.At.Equal(at) || f.Source != skalig.RegisterSource(tc.part.Source) {
					t.Errorf("provenance of %s: %+v", f.Kind, f)
				}
			}
		})
	}
}

// TestParsePartErrors: a part that cannot be read fails alone, with a
// Swedish message made of catalog details that the evidence of a failed
// status fact gives back.
func TestParsePartErrors(t *testing.T) {
	// wantMessage is each case's Swedish message, as the parser wrote it
	// before its messages were catalog details: the record keeps it.
	wantMessage := map[string]string{
		"MonthOutsidePeriod":      `Svaret från Försäkringskassan gick inte att läsa: utbetalning 1: månaden 2025-04 ligger utanför den efterfrågade perioden.`,
		"BadAmount":               `Svaret från Försäkringskassan gick inte att läsa: utbetalning 1: ogiltigt belopp "1 250,00".`,
		"NegativeIncome":          `Svaret från Försäkringskassan gick inte att läsa: utbetalning 1: ogiltigt belopp "-1".`,
		"BadBenefitCode":          `Svaret från Försäkringskassan gick inte att läsa: utbetalning 1: ogiltig förmånskod.`,
		"SumTooLarge":             `Svaret från Försäkringskassan gick inte att läsa: income.child_allowance 2025-03: summan är orimligt stor.`,
		"OtherSourcesData":        `Svaret från Försäkringskassan gick inte att läsa: delen innehåller en annan källas uppgifter.`,
		"DataAndUnknown":          `Svaret från Försäkringskassan gick inte att läsa: delen ska innehålla antingen uppgifter, okänd person eller ett fel.`,
		"Empty":                   `Svaret från Försäkringskassan gick inte att läsa: delen ska innehålla antingen uppgifter, okänd person eller ett fel.`,
		"BadErrorCode":            `Svaret från Försäkringskassan gick inte att läsa: ogiltig felkod.`,
		"AFEndsBeforeStart":       `Svaret från Arbetsförmedlingen gick inte att läsa: inskrivning 1: slutar före sin början.`,
		"ControlCharacters":       `Svaret från Arbetsförmedlingen gick inte att läsa: inskrivning 1: ogiltig text.`,
		"BadRegNo":                `Svaret från Transportstyrelsen gick inte att läsa: fordon 1: ogiltigt registreringsnummer.`,
		"BadYear":                 `Svaret från Skatteverket gick inte att läsa: taxering 1: ogiltigt år "20x4".`,
		"DuplicateYear":           `Svaret från Skatteverket gick inte att läsa: taxering 2: året 2024 förekommer två gånger.`,
		"AkassaDays":              `Svaret från arbetslöshetskassan gick inte att läsa: utbetalning 1: ogiltigt antal dagar "99".`,
		"PermitBadDate":           `Svaret från Migrationsverket gick inte att läsa: tillstånd 1: ogiltigt datum "2025-00-01".`,
		"FolkCountryName":         `Svaret från Skatteverket (folkbokföringen) gick inte att läsa: medborgarskap 1: ogiltig landskod "Sverige".`,
		"FolkCountryLowerCase":    `Svaret från Skatteverket (folkbokföringen) gick inte att läsa: medborgarskap 1: ogiltig landskod "se".`,
		"FolkRegisteredBackwards": `Svaret från Skatteverket (folkbokföringen) gick inte att läsa: folkbokföring 1: upphör före sin början.`,
		"FolkEmptyName":           `Svaret från Skatteverket (folkbokföringen) gick inte att läsa: förnamn: texten ska vara 1-100 tecken.`,
	}
	fk := func(pays ...wire.FKPayment) wire.Part {
		return wire.Part{Source: "fk", FK: &wire.FKData{Payments: pays}}
	}
	for _, tc := range []struct {
		name string
		part wire.Part
	}{
		{"MonthOutsidePeriod", fk(wire.FKPayment{Benefit: "barnbidrag", Month: "2025-04", Gross: "1", Net: "1"})},
		{"BadAmount", fk(wire.FKPayment{Benefit: "barnbidrag", Month: "2025-03", Gross: "1", Net: "1 250,00"})},
		{"NegativeIncome", fk(wire.FKPayment{Benefit: "barnbidrag", Month: "2025-03", Gross: "1", Net: "-1"})},
		{"BadBenefitCode", fk(wire.FKPayment{Benefit: "Barn Bidrag", Month: "2025-03", Gross: "1", Net: "1"})},
		{"SumTooLarge", fk(wire.FKPayment{Benefit: "barnbidrag", Month: "2025-03", Gross: "1", Net: "99999999"},
			wire.FKPayment{Benefit: "barnbidrag", Month: "2025-03", Gross: "1", Net: "99999999"})},
		{"OtherSourcesData", wire.Part{Source: "fk", CSN: &wire.CSNData{}}},
		{"DataAndUnknown", wire.Part{Source: "fk", FK: &wire.FKData{}, UnknownPerson: &struct{}{}}},
		{"Empty", wire.Part{Source: "fk"}},
		{"BadErrorCode", wire.Part{Source: "fk", Error: &wire.PartError{Code: "Fel Kod", Message: "x"}}},
		{"AFEndsBeforeStart", wire.Part{Source: "af", AF: &wire.AFData{Registrations: []wire.AFRegistration{{From: "2025-03-10", To: "2025-03-01"}}}}},
		{"ControlCharacters", wire.Part{Source: "af", AF: &wire.AFData{Registrations: []wire.AFRegistration{{From: "2025-01-01", Program: "a\x01b"}}}}},
		{"BadRegNo", wire.Part{Source: "ts", TS: &wire.TSData{Vehicles: []wire.TSVehicle{{RegNo: "abc-123", Make: "Volvo", Year: "2010", From: "2020-01-01"}}}}},
		{"BadYear", wire.Part{Source: "skv", SKV: &wire.SKVData{Assessments: []wire.SKVAssessment{{Year: "20x4", EarnedIncome: "0", CapitalIncome: "0"}}}}},
		{"DuplicateYear", wire.Part{Source: "skv", SKV: &wire.SKVData{Assessments: []wire.SKVAssessment{
			{Year: "2024", EarnedIncome: "0", CapitalIncome: "0"}, {Year: "2024", EarnedIncome: "1", CapitalIncome: "0"}}}}},
		{"AkassaDays", wire.Part{Source: "akassa", Akassa: &wire.AkassaData{Payments: []wire.AkassaPayment{
			{PaidOn: "2025-03-10", From: "2025-03-01", To: "2025-03-09", Days: "99", Gross: "1", Net: "1"}}}}},
		{"PermitBadDate", wire.Part{Source: "migr", Migr: &wire.MigrData{Permits: []wire.MigrPermit{{Type: "TUT", From: "2025-00-01"}}}}},
		{"FolkCountryName", wire.Part{Source: "folk", Folk: &wire.FolkData{Citizenships: []wire.FolkCitizenship{{Country: "Sverige"}}}}},
		{"FolkCountryLowerCase", wire.Part{Source: "folk", Folk: &wire.FolkData{Citizenships: []wire.FolkCitizenship{{Country: "se"}}}}},
		{"FolkRegisteredBackwards", wire.Part{Source: "folk", Folk: &wire.FolkData{Registrations: []wire.FolkRegistration{{From: "2025-03-10", To: "2025-03-01"}}}}},
		{"FolkEmptyName", wire.Part{Source: "folk", Folk: &wire.FolkData{Name: &wire.FolkName{Given: " ", Surname: "Testsson"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other := wire.Part{Source: "csn", CSN: &wire.CSNData{}}
			req := skalig.RegisterRequest{Person: parsePN, From: skalig.MonthOf(2025, 3), To: skalig.MonthOf(2025, 3), Sources: []string{tc.part.Source, "csn"}}
			parts, err := registry.ParseAnswer(answer(t, tc.part, other), req, "", at)
			if err != nil {
				t.Fatal(err)
			}
			if bad := parts[0]; bad.Err == nil || bad.Err.Code != registry.CodeMalformed || len(bad.Facts) != 0 || bad.UnknownPerson {
				t.Errorf("part %+v, want malformed without facts", bad)
			} else if !strings.Contains(bad.Err.Message, "gick inte att läsa") {
				t.Errorf("message %q, want Swedish", bad.Err.Message)
			}
			if e := parts[0].Err; e != nil {
				if e.Message != wantMessage[tc.name] {
					t.Errorf("Message=%q, want %q", e.Message, wantMessage[tc.name])
				}
				if e.Detail.Swedish() != e.Message {
					t.Errorf("Detail says %q, Message %q", e.Detail.Swedish(), e.Message)
				}
				d, ok := skalig.FetchEvidenceDetail(skalig.FetchErrorEvidence(e))
				got, _ := json.Marshal(d)
				want, _ := json.Marshal(e.Detail)
				if !ok || string(got) != string(want) {
					t.Errorf("the evidence reads back as %s, %v; want %s", got, ok, want)
				}
			}
			if parts[1].Err != nil {
				t.Errorf("the other part failed too: %v", parts[1].Err)
			}
		})
	}
}

// TestParseWholeErrors: an answer that cannot be trusted as a whole gives no
// parts.
func TestParseWholeErrors(t *testing.T) {
	req := skalig.RegisterRequest{Person: parsePN, From: skalig.MonthOf(2025, 3), To: skalig.MonthOf(2025, 3), Sources: []string{"ts"}}
	good := answer(t, wire.Part{Source: "ts", TS: &wire.TSData{}})
	other, _ := wire.Marshal(&wire.Envelope{Body: wire.Body{FetchResponse: &wire.FetchResponse{
		CorrelationID: "c1", Person: sim.TestPersonnummer(12).Canonical(), Parts: []wire.Part{{Source: "ts", TS: &wire.TSData{}}},
	}}})
	for name, raw := range map[string][]byte{
		"Empty":         nil,
		"Truncated":     good[:len(good)-20],
		"Trailing":      append(append([]byte{}, good...), "<x/>"...),
		"TrailingText":  append(append([]byte{}, good...), "hej"...),
		"HTML":          []byte("<html><body>503</body></html>"),
		"OtherPerson":   other,
		"NotSOAP":       []byte(`<Envelope><Body/></Envelope>`),
		"EmptyBody":     []byte(`<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body></Body></Envelope>`),
		"Latin1":        []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body/></Envelope>`),
		"InvalidUTF8":   []byte(strings.Replace(string(good), "ts", "t\xff", 1)),
		"WrongResponse": []byte(`<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><TestResponse xmlns="urn:skalig:registers:v1"><Status>ok</Status></TestResponse></Body></Envelope>`),
	} {
		parts, err := registry.ParseAnswer(raw, req, "c1", at)
		if !errors.Is(err, wire.ErrMalformed) || parts != nil {
			t.Errorf("%s: parts %v, err %v; want ErrMalformed", name, parts, err)
		}
	}
	if _, err := registry.ParseAnswer(good, req, "c2", at); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("another correlation id: err %v, want ErrMalformed", err)
	}
	missing := skalig.RegisterRequest{Person: parsePN, From: skalig.MonthOf(2025, 3), To: skalig.MonthOf(2025, 3), Sources: []string{"ts", "fk"}}
	parts, err := registry.ParseAnswer(good, missing, "c1", at)
	if err != nil || parts[1].Err == nil || parts[1].Err.Code != registry.CodeMalformed {
		t.Errorf("a source missing from the answer: %+v, %v; want its part malformed", parts, err)
	}
	dup := answer(t, wire.Part{Source: "ts", TS: &wire.TSData{}}, wire.Part{Source: "ts", TS: &wire.TSData{}})
	if parts, _ := registry.ParseAnswer(dup, req, "c1", at); parts[0].Err == nil {
		t.Errorf("a source answering twice was read")
	}
	fault, _ := wire.Marshal(&wire.Envelope{Body: wire.Body{Fault: &wire.Fault{Code: "soap:Client", String: "nej"}}})
	var fe *registry.FaultError
	if _, err := registry.ParseAnswer(fault, req, "c1", at); !errors.As(err, &fe) || !fe.Client() {
		t.Errorf("fault: %v, want a client FaultError", err)
	}
}

// TestEvidenceBundle: several exchanges are kept in one raw evidence and
// read back byte for byte.
func TestEvidenceBundle(t *testing.T) {
	exs := []registry.Exchange{
		{Sources: []string{"fk", "csn"}, CorrelationID: "a", Received: at, HTTPStatus: 200, Body: []byte("<broken")},
		{Sources: []string{"fk"}, CorrelationID: "b", Received: at.Add(time.Second), HTTPStatus: 200, Body: answer(t)},
		{Sources: []string{"fk"}, CorrelationID: "c", Received: at.Add(2 * time.Second), HTTPStatus: 503, Body: []byte("--x\r\n\r\nMIME-Version: 1.0\r\n")},
	}
	raw := registry.Bundle(exs)
	got, err := registry.Exchanges(raw)
	if err != nil || len(got) != 3 {
		t.Fatalf("Exchanges: %d, %v", len(got), err)
	}
	for i := range exs {
		if string(got[i].Body) != string(exs[i].Body) || got[i].CorrelationID != exs[i].CorrelationID ||
			!got[i].Received.Equal(exs[i].Received) || got[i].HTTPStatus != exs[i].HTTPStatus ||
			strings.Join(got[i].Sources, ",") != strings.Join(exs[i].Sources, ",") {
			t.Errorf("exchange %d: %+v, want %+v", i, got[i], exs[i])
		}
	}
	one := registry.Bundle(exs[1:2])
	if string(one) != string(exs[1].Body) {
		t.Errorf("one exchange is not kept as itself")
	}
	if got, _ := registry.Exchanges(one); len(got) != 1 || string(got[0].Body) != string(one) {
		t.Errorf("Exchanges of a single answer: %+v", got)
	}
}
