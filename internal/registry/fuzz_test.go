package registry_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"testing"

	"skalig"
	"skalig/internal/registry"
	"skalig/internal/registry/sim"
	"skalig/internal/registry/wire"
)

// fuzzRequest is the request the fuzzed answers answer: every source, two
// months, the person of the seeds.
var fuzzRequest = skalig.RegisterRequest{
	Person: sim.TestPersonnummer(11), PersonID: "p1",
	From: skalig.MonthOf(2025, 2), To: skalig.MonthOf(2025, 3),
}

// FuzzParseAnswer feeds ParseAnswer the simulator's answers for many persons
// and broken variants of them (the seeds in testdata/fuzz/FuzzParseAnswer
// and below). Whatever the input: it does not panic; it gives parts or an
// error, not both; input that is not well-formed XML is an error; every
// part it gives is an error without facts, an unknown person, or valid facts
// with the request's provenance; and the same input parses the same again.
//
//	go test -run='^$' -fuzz=FuzzParseAnswer -fuzztime=120s -parallel=1 ./internal/registry/
func FuzzParseAnswer(f *testing.F) {
	s := sim.New(sim.Config{Seed: 9})
	for i := range 40 {
		req := fuzzRequest
		req.Person = sim.TestPersonnummer(i)
		ans, err := s.Fetch(f.Context(), req)
		if err != nil {
			f.Fatal(err)
		}
		raw := bytes.Replace(ans.Raw, []byte(req.Person.Canonical()), []byte(fuzzRequest.Person.Canonical()), 1)
		f.Add(raw)
	}
	f.Add([]byte(""))
	f.Add([]byte("<"))
	f.Add([]byte(`<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Fault><faultcode>soap:Server</faultcode></Fault></Body></Envelope>`))
	f.Add([]byte(`<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><FetchResponse xmlns="urn:skalig:registers:v1"><Person>` +
		fuzzRequest.Person.Canonical() + `</Person><Part source="fk"><FK><Payment benefit="barnbidrag" month="2025-03" gross="1250" net="1250"/></FK></Part>` +
		`<Part source="fk"><UnknownPerson/></Part><Part source="ts"><Error code="x" temporary="true">fel</Error><TS/></Part></FetchResponse></Body></Envelope>`))
	sources, _ := registry.CheckRequest(fuzzRequest)
	f.Fuzz(func(t *testing.T, raw []byte) {
		at := fuzzAt
		parts, err := registry.ParseAnswer(raw, fuzzRequest, "", at)
		if err != nil {
			if parts != nil {
				t.Fatalf("parts and error %v", err)
			}
			var fe *registry.FaultError
			if !errors.Is(err, wire.ErrMalformed) && !errors.As(err, &fe) {
				t.Fatalf("err %v (%T), want ErrMalformed or a FaultError", err, err)
			}
			return
		}
		if !wellFormed(raw) {
			t.Fatalf("accepted input that is not well-formed XML")
		}
		if len(parts) != len(sources) {
			t.Fatalf("%d parts, want %d", len(parts), len(sources))
		}
		ev := registry.EvidenceRef(raw)
		for i, p := range parts {
			if p.Source != sources[i] {
				t.Fatalf("part %d is %s, want %s", i, p.Source, sources[i])
			}
			if (p.Err != nil || p.UnknownPerson) && len(p.Facts) > 0 {
				t.Fatalf("%s: facts with an error or unknown person", p.Source)
			}
			if p.Err != nil && (p.Err.Code == "" || p.Err.Message == "") {
				t.Fatalf("%s: error without code or message", p.Source)
			}
			for _, fact := range p.Facts {
				if err := fact.Validate(); err != nil {
					t.Fatalf("%s: invalid fact %+v: %v", p.Source, fact, err)
				}
				if fact.Source != skalig.RegisterSource(p.Source) || fact.Evidence != ev || fact.PersonID != "p1" ||
					fact.Period < fuzzRequest.From || fact.Period > fuzzRequest.To || !fact.At.Equal(at) {
					t.Fatalf("%s: provenance of %+v", p.Source, fact)
				}
			}
		}
		again, err := registry.ParseAnswer(raw, fuzzRequest, "", at)
		if err != nil || !reflect.DeepEqual(parts, again) {
			t.Fatalf("a second parse differs")
		}
	})
}

// wellFormed reports whether raw is one well-formed XML document.
func wellFormed(raw []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(raw))
	roots := 0
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return roots == 1 && depth == 0
		}
		if err != nil {
			return false
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}
