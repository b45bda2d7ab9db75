package skalig_test

import (
	"encoding/json"
	"strings"
	"testing"

	"skalig"
)

// TestFetchEvidenceDetail: the evidence of a failed register status fact
// reads back as the Detail of the error it was written from, for every
// error the client, the simulator and the fetch job write; a text that is
// not one of them (an older record, one cut at 200 bytes, a whole fetch's
// failure) does not, and is shown as it is.
func TestFetchEvidenceDetail(t *testing.T) {
	fk := skalig.RegisterArg(skalig.RegisterFK)
	for _, tc := range []struct {
		name string
		err  *skalig.RegisterError
		want string // the Swedish, as the record keeps it
	}{
		{"Timeout", skalig.NewRegisterError(skalig.RegisterCodeTimeout, true, skalig.NewDetail("detail.register_error.timeout", fk)),
			"fetch:timeout: Frågan till Försäkringskassan besvarades inte i tid."},
		{"Unavailable", skalig.NewRegisterError(skalig.RegisterCodeUnavailable, true, skalig.NewDetail("detail.register_error.unavailable", skalig.RegisterArg(skalig.RegisterPopulation))),
			"fetch:unavailable: Det gick inte att nå registertjänsten för Skatteverket (folkbokföringen)."},
		{"MalformedService", skalig.NewRegisterError(skalig.RegisterCodeMalformed, true, skalig.NewDetail("detail.register_error.malformed_service", fk)),
			"fetch:malformed: Svaret från registertjänsten om Försäkringskassan gick inte att läsa."},
		{"Rejected", skalig.NewRegisterError(skalig.RegisterCodeRejected, false, skalig.NewDetail("detail.register_error.rejected", fk)),
			"fetch:rejected: Registertjänsten avvisade frågan till Försäkringskassan."},
		{"RejectedSaid", skalig.NewRegisterError(skalig.RegisterCodeRejected, false,
			skalig.NewDetail("detail.register_error.rejected_said", fk, skalig.TextArg("Ej behörig: organisationen saknar avtal."))),
			"fetch:rejected: Registertjänsten avvisade frågan till Försäkringskassan. Ej behörig: organisationen saknar avtal."},
		{"TLS", skalig.NewRegisterError(skalig.RegisterCodeTLS, false, skalig.NewDetail("detail.register_error.tls")),
			"fetch:tls: Certifikatfel mot registertjänsten; kontakta systemförvaltningen."},
		{"CircuitOpen", skalig.NewRegisterError(skalig.RegisterCodeCircuitOpen, true, skalig.NewDetail("detail.register_error.circuit_open", skalig.RegisterArg(skalig.RegisterCSN))),
			"fetch:circuit_open: CSN har inte svarat på flera frågor i rad; frågan ställs igen senare."},
		{"SourceError", skalig.NewRegisterError("FK-17", true, skalig.NewDetail("detail.register_error.source_error", fk)),
			"fetch:FK-17: Försäkringskassan svarade med ett fel."},
		{"SourceSaid", skalig.NewRegisterError("FK-17", false, skalig.NewDetail("detail.register_error.source_said", skalig.TextArg("Tjänsten är stängd för underhåll."))),
			"fetch:FK-17: Tjänsten är stängd för underhåll."},
		{"Malformed", skalig.NewRegisterError(skalig.RegisterCodeMalformed, true, skalig.NewDetail("detail.register_error.malformed", fk,
			skalig.MsgArg("detail.register_error.part.bad_amount", skalig.MsgArg("detail.register_error.item.payment", skalig.TextArg("2")), skalig.TextArg(`"12x"`)))),
			`fetch:malformed: Svaret från Försäkringskassan gick inte att läsa: utbetalning 2: ogiltigt belopp "12x".`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := skalig.FetchErrorEvidence(tc.err)
			if ev != tc.want {
				t.Errorf("evidence %q, want %q", ev, tc.want)
			}
			d, ok := skalig.FetchEvidenceDetail(ev)
			got, _ := json.Marshal(d)
			want, _ := json.Marshal(tc.err.Detail)
			if !ok || string(got) != string(want) {
				t.Errorf("reads back as %s, %v; want %s", got, ok, want)
			}
		})
	}
	for _, d := range []skalig.Detail{skalig.FetchNoConnection, skalig.FetchNoAnswer} {
		if got, ok := skalig.FetchEvidenceDetail(skalig.FetchTextEvidence(d.Swedish())); !ok || got.ID != d.ID {
			t.Errorf("%s reads back as %+v, %v", d.ID, got, ok)
		}
	}
	if got := skalig.FetchTextEvidence(skalig.FetchNoConnection.Swedish()); got != "fetch:ingen registerförbindelse" {
		t.Errorf("no connection: %q", got)
	}

	long := skalig.NewRegisterError("FK-17", false, skalig.NewDetail("detail.register_error.source_said", skalig.TextArg(strings.Repeat("å", 150))))
	for _, ev := range []string{
		"sha256:ab",
		"fetch:answered",
		"fetch:timeout: Frågan besvarades inte.",         // a client code with a text it does not write
		"fetch:EINVALID: Begäran är inte giltig.",        // not "code: message" of a part
		"fetch:malformed: Svaret från Försäkringskassan", // cut
	} {
		d, ok := skalig.FetchEvidenceDetail(ev)
		if ev == "fetch:EINVALID: Begäran är inte giltig." {
			// A code the client does not set is a source's own: its text
			// is shown as it is, inside the message that says so.
			if !ok || d.ID != "detail.register_error.source_said" {
				t.Errorf("%q: %+v, %v", ev, d, ok)
			}
			continue
		}
		if ok {
			t.Errorf("%q reads as %+v; want it shown as it is", ev, d)
		}
	}
	// A source's own text cut at 200 bytes is still the source's text.
	if ev := skalig.FetchErrorEvidence(long); len(ev) > 206 {
		t.Errorf("evidence of %d bytes, want at most 206", len(ev))
	} else if d, ok := skalig.FetchEvidenceDetail(ev); !ok || d.ID != "detail.register_error.source_said" || d.Swedish() != strings.TrimPrefix(ev, "fetch:FK-17: ") {
		t.Errorf("a cut text reads as %+v, %v", d, ok)
	}
}
