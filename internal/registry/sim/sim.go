// Package sim simulates the combined register service: the same SOAP
// protocol (package wire) over HTTPS with mutual TLS, answering for
// deterministic synthetic persons derived from a seed and the personnummer,
// with latency per source and injected faults. It runs standalone (skalig
// sim registers), as an http.Handler, behind an in-memory http.Client for
// the real client (HTTPClient), and as a skalig.Registers of its own
// (Fetch) for tests and skalig demo.
//
// Use synthetic personnummer only (TestPersonnummer).
package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"skalig"
	"skalig/internal/registry"
	"skalig/internal/registry/wire"
)

// Sim is a register simulator. It is safe for concurrent use.
type Sim struct {
	seed    uint64
	hangMax time.Duration

	mu      sync.Mutex
	latency map[string]Latency
	faults  map[string]Faults
	counts  map[skalig.PersonalNumber]int // exchanges per person, for the fault draws
}

var _ skalig.Registers = (*Sim)(nil)

// New returns a simulator for cfg.
func New(cfg Config) *Sim {
	s := &Sim{seed: cfg.Seed, hangMax: cfg.HangMax, counts: map[skalig.PersonalNumber]int{}}
	if s.hangMax <= 0 {
		s.hangMax = time.Minute
	}
	s.SetLatency(cfg.Latency)
	s.SetFaults(cfg.Faults)
	return s
}

// SetLatency replaces the latencies (a test can slow a source mid-run).
func (s *Sim) SetLatency(l map[string]Latency) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = map[string]Latency{}
	for k, v := range l {
		s.latency[k] = v
	}
}

// SetFaults replaces the fault rates (a test can take a source down and
// bring it back).
func (s *Sim) SetFaults(f map[string]Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]Faults{}
	for k, v := range f {
		s.faults[k] = v
	}
}

// Exchange-level faults.
const (
	faultNone = iota
	faultMalformed
	faultHang
	faultDrop
)

// plan is what one exchange will answer.
type plan struct {
	resp    *wire.FetchResponse
	latency time.Duration
	fault   int
	variant uint64 // chooses among the variants of a fault
}

// plan answers req for sources, with this exchange's draws of latency and
// faults.
func (s *Sim) plan(req skalig.RegisterRequest, sources []string, corr string) plan {
	p := newPerson(s.seed, req.Person)
	s.mu.Lock()
	if len(s.counts) > 1<<20 {
		s.counts = map[skalig.PersonalNumber]int{}
	}
	n := s.counts[req.Person]
	s.counts[req.Person] = n + 1
	latency, faults := s.latency, s.faults
	s.mu.Unlock()

	pl := plan{resp: &wire.FetchResponse{CorrelationID: corr, Person: req.Person.Canonical()}}
	var mean Faults
	for _, src := range sources {
		part := p.part(src, req.PeriodOf(src))
		f := faults[src]
		mean.Malformed += f.Malformed / float64(len(sources))
		mean.Hang += f.Hang / float64(len(sources))
		mean.Drop += f.Drop / float64(len(sources))
		switch r := p.u("fault:"+src, n); {
		case r < f.Error:
			msg := []string{"Tekniskt fel hos %s.", "%s är inte tillgänglig just nu."}
			code := []string{"technical_error", "source_unavailable"}
			v := p.h("error-variant:"+src, n) % 2
			part = wire.Part{Source: src, Error: &wire.PartError{Code: code[v], Temporary: true,
				Message: fmt.Sprintf(msg[v], skalig.RegisterSwedishName(src))}}
		case r < f.Error+f.Timeout:
			part = wire.Part{Source: src, Error: &wire.PartError{Code: registry.CodeTimeout, Temporary: true,
				Message: skalig.RegisterSwedishName(src) + " svarade inte i tid."}}
		case r < f.Error+f.Timeout+f.BadData:
			corrupt(&part)
		}
		if l := latency[src]; l.Max > 0 {
			d := l.Min + time.Duration(p.u("latency:"+src, n)*float64(l.Max-l.Min))
			pl.latency = max(pl.latency, d)
		}
		pl.resp.Parts = append(pl.resp.Parts, part)
	}
	pl.variant = p.h("fault-variant", n)
	switch r := p.u("fault:request", n); {
	case r < mean.Malformed:
		pl.fault = faultMalformed
	case r < mean.Malformed+mean.Hang:
		pl.fault = faultHang
	case r < mean.Malformed+mean.Hang+mean.Drop:
		pl.fault = faultDrop
	}
	return pl
}

// corrupt breaks one value of a part so that it cannot be read (fault
// BadData); a part without data gets a broken item or a second answer.
func corrupt(p *wire.Part) {
	switch {
	case p.UnknownPerson != nil || p.Error != nil:
		p.Error, p.UnknownPerson = nil, &struct{}{}
		p.TS = &wire.TSData{} // unknown and data at once
		p.FK = &wire.FKData{}
	case p.FK != nil && len(p.FK.Payments) > 0:
		p.FK.Payments[0].Net = "1 250,00"
	case p.FK != nil:
		p.FK.Payments = append(p.FK.Payments, wire.FKPayment{Benefit: "barnbidrag", Month: "13-2025", Gross: "1250", Net: "1250"})
	case p.CSN != nil:
		p.CSN.Payments = append(p.CSN.Payments, wire.CSNPayment{Type: "studiemedel_bidrag", Month: "2025-01", Amount: "3564kr"})
	case p.AF != nil:
		p.AF.Registrations = append(p.AF.Registrations, wire.AFRegistration{From: "2025-02-30"})
	case p.SKV != nil:
		p.SKV.Assessments = append(p.SKV.Assessments, wire.SKVAssessment{Year: "20x4", EarnedIncome: "0", CapitalIncome: "0"})
	case p.Akassa != nil:
		p.Akassa.Payments = append(p.Akassa.Payments, wire.AkassaPayment{PaidOn: "2025-1-10", From: "2025-01-01", To: "2025-01-09", Days: "7", Gross: "1", Net: "1"})
	case p.Migr != nil:
		p.Migr.Permits = append(p.Migr.Permits, wire.MigrPermit{Type: "TUT", From: "2025-00-01"})
	case p.TS != nil:
		p.TS.Vehicles = append(p.TS.Vehicles, wire.TSVehicle{RegNo: "ab-12", Make: "Volvo", Year: "2010", From: "2020-01-01"})
	case p.Folk != nil:
		p.Folk.Citizenships = append(p.Folk.Citizenships, wire.FolkCitizenship{Country: "Sverige"})
	}
}

// encode writes the answer of pl; for fault Malformed, one of its broken
// variants and the content type to send it with.
func encode(pl plan) ([]byte, string) {
	resp := *pl.resp
	if pl.fault == faultMalformed {
		switch pl.variant % 5 {
		case 1:
			return []byte("<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>\n"), "text/html; charset=utf-8"
		case 2: // an answer about another person
			resp.Person = otherPerson(resp.Person)
		case 3: // an answer to another request
			resp.CorrelationID = "sim-" + fmt.Sprint(pl.variant%1000)
		case 4:
			return nil, wire.ContentType
		}
	}
	raw, err := wire.Marshal(&wire.Envelope{Body: wire.Body{FetchResponse: &resp}})
	if err != nil {
		return []byte("<"), wire.ContentType
	}
	if pl.fault == faultMalformed && pl.variant%5 == 0 { // cut short
		cut := 40 + int(pl.variant>>8%uint64(max(1, len(raw)-80)))
		raw = raw[:cut]
	}
	return raw, wire.ContentType
}

// otherPerson returns another valid personnummer with the same birth date.
func otherPerson(pn string) string {
	if len(pn) != 12 {
		return withCheckDigit("19900412982")
	}
	serial := pn[8:11]
	next := "980"
	if serial == "980" {
		next = "981"
	}
	return withCheckDigit(pn[:8] + next)
}

// Fetch answers req in process, with the configured latency and faults but
// without retries (those are the client's): a fault of the whole exchange
// gives every part an Err. Raw is the SOAP answer as the HTTP service would
// send it, parsed by registry.ParseAnswer like the client's.
func (s *Sim) Fetch(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	sources, err := registry.CheckRequest(req)
	if err != nil {
		return nil, err
	}
	const corr = "in-process"
	pl := s.plan(req, sources, corr)
	// fail gives every part the client's error code with message id, as
	// the client says it.
	fail := func(code, id string) (*skalig.RegisterAnswer, error) {
		ans := &skalig.RegisterAnswer{FetchedAt: time.Now().UTC().Truncate(time.Microsecond)}
		for _, src := range sources {
			ans.Parts = append(ans.Parts, skalig.RegisterPart{Source: src,
				Err: skalig.NewRegisterError(code, true, skalig.NewDetail(id, skalig.RegisterArg(src)))})
		}
		return ans, nil
	}
	if !sleep(ctx, pl.latency) {
		return fail(registry.CodeTimeout, "detail.register_error.timeout")
	}
	switch pl.fault {
	case faultHang:
		sleep(ctx, s.hangMax)
		return fail(registry.CodeTimeout, "detail.register_error.timeout")
	case faultDrop:
		return fail(registry.CodeUnavailable, "detail.register_error.unavailable")
	}
	raw, _ := encode(pl)
	at := time.Now().UTC().Truncate(time.Microsecond)
	parts, err := registry.ParseAnswer(raw, req, corr, at)
	if err != nil {
		ans, _ := fail(registry.CodeMalformed, "Svaret från registertjänsten om %s gick inte att läsa.")
		ans.Raw, ans.EvidenceRef = raw, registry.EvidenceRef(raw)
		return ans, nil
	}
	return &skalig.RegisterAnswer{Parts: parts, FetchedAt: at, Raw: raw, EvidenceRef: registry.EvidenceRef(raw)}, nil
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Path is where the handler answers SOAP requests.
const Path = "/ssbtek"

// Handler returns the HTTP handler of the service: POST Path answers the
// fetch and test operations, GET /healthz says "ok". The handler does not
// check client certificates; StartTLS's server does.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+Path, s.serveSOAP)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	return mux
}

func (s *Sim) serveSOAP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		soapFault(w, "soap:Client", "Frågan är för stor eller kunde inte läsas.")
		return
	}
	env, err := wire.Unmarshal(body)
	if err != nil {
		soapFault(w, "soap:Client", "Frågan är inte ett giltigt SOAP-meddelande.")
		return
	}
	switch b := env.Body; {
	case b.TestRequest != nil:
		if _, ok := registry.OrgNumber(b.TestRequest.Requester.OrgNumber); !ok {
			soapFault(w, "soap:Client", "Organisationsnumret saknas eller är ogiltigt.")
			return
		}
		writeEnvelope(w, &wire.Envelope{Body: wire.Body{TestResponse: &wire.TestResponse{CorrelationID: b.TestRequest.CorrelationID, Status: "ok"}}})
	case b.FetchRequest != nil:
		s.serveFetch(w, r, b.FetchRequest)
	default:
		soapFault(w, "soap:Client", "Okänd operation.")
	}
}

func (s *Sim) serveFetch(w http.ResponseWriter, r *http.Request, fr *wire.FetchRequest) {
	switch {
	case !validOrg(fr.Requester.OrgNumber):
		soapFault(w, "soap:Client", "Organisationsnumret saknas eller är ogiltigt.")
		return
	case strings.TrimSpace(fr.Purpose) == "" || strings.TrimSpace(fr.LegalBasis) == "":
		soapFault(w, "soap:Client", "Frågan ska ange ändamål och rättslig grund.")
		return
	}
	req, err := registry.RequestFromWire(fr)
	if err != nil {
		soapFault(w, "soap:Client", skalig.ErrorMessage(err))
		return
	}
	pl := s.plan(req, req.Sources, fr.CorrelationID)
	if !sleep(r.Context(), pl.latency) {
		return
	}
	switch pl.fault {
	case faultHang:
		sleep(r.Context(), s.hangMax)
		panic(http.ErrAbortHandler)
	case faultDrop:
		if pl.variant%2 == 1 { // part of the answer, then nothing
			raw, ct := encode(plan{resp: pl.resp})
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(http.StatusOK)
			w.Write(raw[:len(raw)/2])
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		panic(http.ErrAbortHandler)
	}
	raw, ct := encode(pl)
	w.Header().Set("Content-Type", ct)
	w.Write(raw)
}

func validOrg(s string) bool { _, ok := registry.OrgNumber(s); return ok }

func writeEnvelope(w http.ResponseWriter, env *wire.Envelope) {
	raw, err := wire.Marshal(env)
	if err != nil {
		http.Error(w, "internt fel", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", wire.ContentType)
	w.Write(raw)
}

// soapFault answers a SOAP 1.1 fault with HTTP status 500, as SOAP 1.1
// prescribes.
func soapFault(w http.ResponseWriter, code, msg string) {
	raw, _ := wire.Marshal(&wire.Envelope{Body: wire.Body{Fault: &wire.Fault{Code: code, String: msg}}})
	w.Header().Set("Content-Type", wire.ContentType)
	w.WriteHeader(http.StatusInternalServerError)
	w.Write(raw)
}

// HTTPClient returns an http.Client that reaches the simulator's handler in
// memory, without network or TLS: for registry.Config.HTTPClient in tests
// and skalig demo, so that the real client (retries, breaker, metrics) runs
// against the simulator. A dropped connection is a transport error; a
// hanging answer lasts until the request's context ends.
func (s *Sim) HTTPClient() *http.Client {
	return &http.Client{Transport: memTransport{h: s.Handler()}}
}

// BaseURL is the base URL to use with HTTPClient.
const BaseURL = "https://registers.sim.invalid" + Path

type memTransport struct{ h http.Handler }

func (t memTransport) RoundTrip(r *http.Request) (resp *http.Response, err error) {
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			if cerr := r.Context().Err(); cerr != nil {
				err = cerr
			} else {
				err = errors.New("sim: connection dropped")
			}
			resp = nil
		}
	}()
	if r.Body != nil {
		defer r.Body.Close()
	}
	t.h.ServeHTTP(rec, r)
	return &http.Response{
		Status: fmt.Sprintf("%d %s", rec.code, http.StatusText(rec.code)), StatusCode: rec.code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rec.header, Body: io.NopCloser(bytes.NewReader(rec.buf.Bytes())),
		ContentLength: int64(rec.buf.Len()), Request: r,
	}, nil
}

// recorder is a minimal http.ResponseWriter that keeps the answer.
type recorder struct {
	header      http.Header
	code        int
	wroteHeader bool
	buf         bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.code, r.wroteHeader = code, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.buf.Write(b)
}

// Profile is what the registers hold about a synthetic person for one month,
// without faults: the facts an answered fetch gives (without At and
// Evidence), so that a demo can write applications whose declared incomes
// match the registers, or differ from them on purpose.
type Profile struct {
	Person skalig.PersonalNumber
	Month  skalig.Month
	// Situation describes the person's life situation in Swedish
	// ("arbetslös med a-kassa").
	Situation string
	// Unknown lists the sources that do not know the person.
	Unknown []string
	// Facts are the facts of every source, Source set, sorted by source.
	Facts []skalig.Fact
	// Incomes sums the income facts by income kind of the calculation
	// format ("housing_allowance", without the "income." prefix).
	Incomes map[string]skalig.Money
}

// InProgram tells, without building the registers' answer, whether pn
// takes part in one of Arbetsförmedlingen's programs in m: a cheap
// filter before ProfileOf for generators that want program participants.
func InProgram(seed uint64, pn skalig.PersonalNumber, m skalig.Month) bool {
	if pn.Validate() != nil {
		return false
	}
	return newPerson(seed, pn).program(m) != ""
}

// ProfileOf returns the profile of pn for month m in the population of
// seed.
func ProfileOf(seed uint64, pn skalig.PersonalNumber, m skalig.Month) Profile {
	prof := Profile{Person: pn, Month: m, Incomes: map[string]skalig.Money{}}
	if pn.Validate() != nil {
		return prof
	}
	p := newPerson(seed, pn)
	prof.Situation = archNames[p.arch]
	if p.age(m) >= 66 {
		prof.Situation = "pensionär"
	}
	req := skalig.RegisterRequest{Person: pn, From: m, To: m}
	resp := &wire.FetchResponse{Person: pn.Canonical()}
	for _, src := range skalig.RegisterNames {
		resp.Parts = append(resp.Parts, p.part(src, req.PeriodOf(src)))
	}
	raw, _ := encode(plan{resp: resp})
	parts, err := registry.ParseAnswer(raw, req, "", time.Unix(0, 0))
	if err != nil {
		panic("sim: the simulator's own answer does not parse: " + err.Error())
	}
	for _, part := range parts {
		if part.Err != nil {
			panic("sim: the simulator's own answer does not parse: " + part.Err.Message)
		}
		if part.UnknownPerson {
			prof.Unknown = append(prof.Unknown, part.Source)
		}
		for _, f := range part.Facts {
			f.At, f.Evidence = time.Time{}, ""
			prof.Facts = append(prof.Facts, f)
			if kind, ok := strings.CutPrefix(f.Kind, skalig.KindIncomePrefix); ok && !f.Value.IsText {
				prof.Incomes[kind] += f.Value.Amount
			}
		}
	}
	sort.SliceStable(prof.Facts, func(i, j int) bool { return prof.Facts[i].Source < prof.Facts[j].Source })
	return prof
}
