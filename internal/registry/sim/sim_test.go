package sim_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"math"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/registry/sim"
	"skalig/internal/registry/wire"
)

var march = skalig.MonthOf(2025, 3)

func TestTestPersonnummer(t *testing.T) {
	seen := map[skalig.PersonalNumber]bool{}
	coord := 0
	for i := range 5000 {
		pn := sim.TestPersonnummer(i)
		if err := pn.Validate(); err != nil {
			t.Fatalf("TestPersonnummer(%d)=%s: %v", i, pn.Canonical(), err)
		}
		if seen[pn] {
			t.Fatalf("TestPersonnummer(%d)=%s repeats", i, pn.Canonical())
		}
		seen[pn] = true
		if serial := pn.Canonical()[8:11]; serial < "980" || serial > "999" {
			t.Fatalf("TestPersonnummer(%d) has födelsenummer %s, want 980-999", i, serial)
		}
		if pn.IsCoordination() {
			coord++
		}
		if y := pn.BirthDate().Y; y < 1958 || y > 2007 {
			t.Fatalf("TestPersonnummer(%d) born %d", i, y)
		}
	}
	if coord != 500 {
		t.Errorf("%d samordningsnummer in 5000, want 500", coord)
	}
}

// TestProfileDeterministic: the same seed and personnummer give the same
// person; another seed another population.
func TestProfileDeterministic(t *testing.T) {
	differ := 0
	for i := range 50 {
		pn := sim.TestPersonnummer(i)
		a, b := sim.ProfileOf(1, pn, march), sim.New(sim.Config{Seed: 1}).Profile(pn, march)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: two profiles differ", pn.Masked())
		}
		if !reflect.DeepEqual(a.Facts, sim.ProfileOf(2, pn, march).Facts) {
			differ++
		}
	}
	if differ < 25 {
		t.Errorf("only %d of 50 persons differ between seeds 1 and 2", differ)
	}
}

// TestVariety: the population has what the workflow must meet.
func TestVariety(t *testing.T) {
	const n = 800
	kinds := map[string]int{}
	texts := map[string]int{}
	unknown := map[string]int{}
	changes := map[string]int{} // income kinds whose amount changes between two months for a person
	for i := range n {
		pn := sim.TestPersonnummer(i)
		prev := sim.ProfileOf(3, pn, march-1)
		p := sim.ProfileOf(3, pn, march)
		for _, u := range p.Unknown {
			unknown[u]++
		}
		for _, f := range p.Facts {
			kinds[f.Kind]++
			if f.Kind == skalig.KindAFRegistered || f.Kind == skalig.KindPermitStatus {
				texts[f.Kind+"="+f.Value.Text]++
			}
		}
		for k, v := range p.Incomes {
			if w, ok := prev.Incomes[k]; ok && w != v {
				changes[k]++
			}
		}
	}
	for _, k := range []string{"housing_allowance", "child_allowance", "unemployment_benefit", "student_grant", "sickness_benefit",
		"parental_benefit", "activity_support", "maintenance_support", "pension"} {
		if kinds["income."+k] == 0 {
			t.Errorf("nobody has income.%s", k)
		}
	}
	for _, k := range []string{"asset.vehicle", "csn.loan", "fk.other_benefit", "af.program", "skv.taxed_income_last_year", "permit.valid_until"} {
		if kinds[k] == 0 {
			t.Errorf("nobody has %s", k)
		}
	}
	for _, v := range []string{"af.registered=yes", "af.registered=no", "permit.status=valid", "permit.status=expired", "permit.status=pending", "permit.status=citizen"} {
		if texts[v] == 0 {
			t.Errorf("nobody has %s", v)
		}
	}
	for _, src := range []string{"fk", "csn", "af", "skv", "akassa", "migr"} {
		if unknown[src] == 0 || unknown[src] == n {
			t.Errorf("%s does not know %d of %d: want some, not all", src, unknown[src], n)
		}
	}
	for _, k := range []string{"housing_allowance", "unemployment_benefit", "sickness_benefit", "activity_support"} {
		if changes[k] == 0 {
			t.Errorf("income.%s never changes from one month to the next", k)
		}
	}
	t.Logf("kinds %v\nstatuses %v\nunknown %v\nchanging %v", kinds, texts, unknown, changes)
}

// TestFetchMatchesProfile: without faults, an in-process fetch gives the
// profile's facts.
func TestFetchMatchesProfile(t *testing.T) {
	s := sim.New(sim.Config{Seed: 4})
	for i := range 100 {
		pn := sim.TestPersonnummer(i)
		ans, err := s.Fetch(context.Background(), skalig.RegisterRequest{Person: pn, From: march, To: march})
		if err != nil {
			t.Fatal(err)
		}
		var got []skalig.Fact
		var unknown []string
		for _, p := range ans.Parts {
			if p.Err != nil {
				t.Fatalf("%s %s: %v", pn.Masked(), p.Source, p.Err)
			}
			if p.UnknownPerson {
				unknown = append(unknown, p.Source)
			}
			for _, f := range p.Facts {
				f.At, f.Evidence = time.Time{}, ""
				got = append(got, f)
			}
		}
		prof := s.Profile(pn, march)
		slices.SortStableFunc(got, func(a, b skalig.Fact) int { return strings.Compare(string(a.Source), string(b.Source)) })
		if !reflect.DeepEqual(got, prof.Facts) || !reflect.DeepEqual(unknown, prof.Unknown) {
			t.Fatalf("%s: fetch and profile differ:\n%v %v\n%v %v", pn.Masked(), got, unknown, prof.Facts, prof.Unknown)
		}
	}
}

// TestFaultRates: injected faults come at about the configured rate, the
// same for the same seed and sequence of requests, and a failed part never
// carries facts.
func TestFaultRates(t *testing.T) {
	fs, err := sim.ParseFaults("all:error=0.2,all:timeout=0.1")
	if err != nil {
		t.Fatal(err)
	}
	run := func() []string {
		s := sim.New(sim.Config{Seed: 5, Faults: fs})
		var out []string
		for i := range 400 {
			ans, err := s.Fetch(context.Background(), skalig.RegisterRequest{Person: sim.TestPersonnummer(i), From: march, To: march})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ans.Parts {
				code := "ok"
				if p.Err != nil {
					code = p.Err.Code
					if len(p.Facts) > 0 {
						t.Fatalf("failed part with facts")
					}
				}
				out = append(out, code)
			}
		}
		return out
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Errorf("the same seed and requests met different faults")
	}
	failed, timeouts := 0, 0
	for _, c := range a {
		if c != "ok" {
			failed++
		}
		if c == "timeout" {
			timeouts++
		}
	}
	if rate := float64(failed) / float64(len(a)); math.Abs(rate-0.3) > 0.04 {
		t.Errorf("failure rate %.3f, want about 0.3", rate)
	}
	if rate := float64(timeouts) / float64(len(a)); math.Abs(rate-0.1) > 0.03 {
		t.Errorf("timeout rate %.3f, want about 0.1", rate)
	}
}

func TestParseFaults(t *testing.T) {
	f, err := sim.ParseFaults("fk:drop=0.1, all=0.3, csn:error=0.5")
	if err != nil {
		t.Fatal(err)
	}
	if got := f["af"]; math.Abs(got.Error-0.05) > 1e-9 || math.Abs(got.Total()-0.3) > 1e-9 {
		t.Errorf("af=%+v, want 0.05 of each kind", got)
	}
	if got := f["fk"]; got.Drop != 0.1 || math.Abs(got.Error-0.05) > 1e-9 {
		t.Errorf("fk=%+v, want drop 0.1 over all=0.3", got)
	}
	if got := f["csn"]; got.Error != 0.5 {
		t.Errorf("csn=%+v, want error 0.5", got)
	}
	for _, bad := range []string{"fk", "xx=0.1", "fk=2", "fk=-0.1", "fk:sleep=0.1", "fk:error=0.6,fk:drop=0.6", "fk=abc"} {
		if _, err := sim.ParseFaults(bad); err == nil {
			t.Errorf("ParseFaults(%q) accepted", bad)
		}
	}
}

func TestParseLatency(t *testing.T) {
	l, err := sim.ParseLatency("all=0-5ms,fk=50-200ms,csn=1s,ts=10ms-1s")
	if err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]sim.Latency{
		"af": {0, 5 * time.Millisecond}, "fk": {50 * time.Millisecond, 200 * time.Millisecond},
		"csn": {time.Second, time.Second}, "ts": {10 * time.Millisecond, time.Second},
	} {
		if l[src] != want {
			t.Errorf("%s=%v, want %v", src, l[src], want)
		}
	}
	for _, bad := range []string{"fk=200-50ms", "fk=x", "qq=1ms", "fk=-1ms"} {
		if _, err := sim.ParseLatency(bad); err == nil {
			t.Errorf("ParseLatency(%q) accepted", bad)
		}
	}
}

// TestLatency: an exchange takes as long as its slowest source.
func TestLatency(t *testing.T) {
	l, _ := sim.ParseLatency("fk=30-40ms")
	s := sim.New(sim.Config{Latency: l})
	start := time.Now()
	s.Fetch(context.Background(), skalig.RegisterRequest{Person: sim.TestPersonnummer(1), From: march, To: march, Sources: []string{"csn"}})
	if d := time.Since(start); d > 25*time.Millisecond {
		t.Errorf("csn alone took %v", d)
	}
	start = time.Now()
	s.Fetch(context.Background(), skalig.RegisterRequest{Person: sim.TestPersonnummer(1), From: march, To: march})
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("all sources took %v, want at least fk's 30 ms", d)
	}
}

func TestGenerateCerts(t *testing.T) {
	dir := t.TempDir()
	a, err := sim.GenerateCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sim.GenerateCerts(dir)
	if err != nil || string(a.ServerCert) != string(b.ServerCert) {
		t.Errorf("certificates not reused: %v", err)
	}
	c, err := sim.GenerateCerts(dir, "sim.example.test")
	if err != nil || string(c.ServerCert) == string(a.ServerCert) {
		t.Errorf("certificates not renewed for a new host: %v", err)
	}
	if fi, err := os.Stat(c.Path(sim.ClientKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("client key mode %v, %v; want 0600", fi.Mode(), err)
	}
	if _, err := c.ClientTLSConfig(); err != nil {
		t.Error(err)
	}
}

// TestServer: HTTPS requires a client certificate; the handler refuses
// what is not a valid request with a SOAP fault.
func TestServer(t *testing.T) {
	s := sim.New(sim.Config{})
	certs, err := sim.NewCerts()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := s.StartTLS("127.0.0.1:0", certs, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	withCert, _ := certs.ClientTLSConfig()
	noCert := withCert.Clone()
	noCert.Certificates = nil
	get := func(tc *tls.Config, path string) (int, string, error) {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 5 * time.Second}
		resp, err := c.Get("https://" + srv.Addr() + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	if code, body, err := get(withCert, "/healthz"); err != nil || code != 200 || body != "ok\n" {
		t.Errorf("healthz with a certificate: %d %q %v", code, body, err)
	}
	if _, _, err := get(noCert, "/healthz"); err == nil {
		t.Errorf("healthz without a client certificate answered")
	}

	post := func(body string) (int, *wire.Envelope) {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: withCert}, Timeout: 5 * time.Second}
		resp, err := c.Post(srv.URL, wire.ContentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		env, _ := wire.Unmarshal(raw)
		return resp.StatusCode, env
	}
	req := func(org, purpose, pn string) string {
		raw, _ := wire.Marshal(&wire.Envelope{Body: wire.Body{FetchRequest: &wire.FetchRequest{
			Requester: wire.Requester{OrgNumber: org, OrgName: "Testkommunen", Caseworker: "system"},
			Person:    pn, Period: wire.Period{From: "2025-03-01", To: "2025-03-31"}, Purpose: purpose, LegalBasis: "lag",
			Sources: []wire.SourceRequest{{Name: "fk"}},
		}}})
		return string(raw)
	}
	pn := sim.TestPersonnummer(1).Canonical()
	for name, body := range map[string]string{
		"NotXML":      "hej",
		"BadOrg":      req("212000-0143", "beslut", pn),
		"NoPurpose":   req("212000-0142", "", pn),
		"BadPerson":   req("212000-0142", "beslut", "199004129821"),
		"NoOperation": `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Fault><faultcode>x</faultcode></Fault></Body></Envelope>`,
	} {
		code, env := post(body)
		if code != 500 || env == nil || env.Body.Fault == nil || env.Body.Fault.Code != "soap:Client" || env.Body.Fault.String == "" {
			t.Errorf("%s: status %d, envelope %+v; want a soap:Client fault", name, code, env)
		}
	}
	if code, env := post(req("212000-0142", "beslut", pn)); code != 200 || env == nil || env.Body.FetchResponse == nil || len(env.Body.FetchResponse.Parts) != 1 {
		t.Errorf("a valid request: status %d, %+v", code, env)
	}
}

// TestPopulationRegister: the population register agrees with the
// development provider's personas and with Migrationsverket: a persona has
// its name, a Swedish persona is a citizen and folkbokförd, the persona
// with a samordningsnummer is not folkbokförd and no Swedish citizen, and
// a newcomer whom Migrationsverket calls a citizen is one in the population
// register too.
func TestPopulationRegister(t *testing.T) {
	jan27 := skalig.MonthOf(2027, 1)
	text := func(p sim.Profile, kind string) string {
		for _, f := range p.Facts {
			if f.Kind == kind && f.Source == skalig.RegisterSource(skalig.RegisterPopulation) {
				return f.Value.Text
			}
		}
		return ""
	}
	for _, d := range devidp.Persons() {
		if d.PersonalNumber == "" {
			continue
		}
		t.Run(d.GivenName, func(t *testing.T) {
			p := sim.ProfileOf(1, d.PersonalNumber, jan27)
			if got, want := text(p, skalig.KindPersonName), d.GivenName+" "+d.FamilyName; got != want {
				t.Errorf("person.name=%q, want %q", got, want)
			}
			reg, cit := text(p, skalig.KindPopulationRegistered), text(p, skalig.KindCitizenship)
			if d.PersonalNumber.IsCoordination() {
				if reg != "no" || strings.Contains(cit, "SE") {
					t.Errorf("samordningsnummer: registered=%q citizenship=%q, want no and not SE", reg, cit)
				}
			} else if reg != "yes" || cit != "SE" {
				t.Errorf("registered=%q citizenship=%q, want yes and SE", reg, cit)
			}
		})
	}
	citizens, neither := 0, 0
	for i := range 600 {
		pn := sim.TestPersonnummer(i)
		p := sim.ProfileOf(5, pn, jan27)
		if slices.Contains(p.Unknown, skalig.RegisterPopulation) && slices.Contains(p.Unknown, skalig.RegisterMigration) {
			neither++
			if !pn.IsCoordination() {
				t.Errorf("%s: a personnummer known to neither register", pn.Masked())
			}
		}
		for _, f := range p.Facts {
			if f.Kind == skalig.KindPermitStatus && f.Value.Text == "citizen" {
				citizens++
				if cit := text(p, skalig.KindCitizenship); !strings.Contains(cit, "SE") {
					t.Errorf("%s: Migrationsverket says citizen, the population register %q", pn.Masked(), cit)
				}
			}
		}
	}
	if citizens == 0 || neither == 0 {
		t.Errorf("%d naturalised citizens and %d persons known to neither register among 600: want some of each", citizens, neither)
	}
}
