package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/config"
	"skalig/internal/demo"
	"skalig/internal/registry/sim"
	"skalig/internal/routing"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

// TestDemoPersonas starts the demo (without the synthetic households) and
// checks what a person logging in as a persona meets: every persona has its
// history, made through the workflow (earlier months decided, a message from
// the caseworker, Cecilia's open document request), the printout names
// them, and Alva's next monthly application is decided by the robot (or
// drawn for a sample control), never stopped as an exception.
func TestDemoPersonas(t *testing.T) {
	cfg := config.Default()
	cfg.Addr, cfg.LogLevel = "127.0.0.1:0", "warn"
	m := &Main{Config: cfg, Demo: true, personasDone: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() { done <- runDemo(ctx, m, t.TempDir(), 0, &out) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	select {
	case err := <-m.personasDone:
		if err != nil {
			t.Fatalf("seeding the personas: %v", err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("the personas' history was not in place after 3 minutes")
	}
	month := skalig.DateOf(time.Now()).Month()
	printed := out.String()
	for _, p := range demo.Personas() {
		person := p.Person()
		if !strings.Contains(printed, person.Name()) || !strings.Contains(printed, p.Story) {
			t.Errorf("the printout does not say what %s will see", person.Name())
		}
		cs, err := m.Cases.CasesOfPerson(ctx, person.PersonalNumber)
		if err != nil {
			t.Fatal(err)
		}
		want := p.History
		if p.Current {
			want++
		}
		if len(cs) != want {
			t.Fatalf("%s has %d cases, want %d", person.Name(), len(cs), want)
		}
		var first *skalig.Case
		for _, c := range cs {
			switch {
			case c.Month < month:
				if c.DecidedAt.IsZero() {
					t.Errorf("%s, %s: %s, want decided", person.Name(), c.Month, c.State)
				}
				if c.Month == month-skalig.Month(p.History) {
					first = c
					if c.Kind != skalig.FirstApplication {
						t.Errorf("%s's first month is a %s", person.Name(), c.Kind)
					}
				} else if c.Kind != skalig.MonthlyApplication {
					t.Errorf("%s, %s: a %s", person.Name(), c.Month, c.Kind)
				}
			case c.Month == month && p.Current:
				if c.State != skalig.StateAwaitingApplicant {
					t.Errorf("%s's current case is %s, want awaiting the applicant", person.Name(), c.State)
				}
				rs, err := m.Cases.DocumentRequests(ctx, c.ID)
				if err != nil || len(rs) != 1 || !rs[0].AnsweredAt.IsZero() {
					t.Errorf("%s's current case: document requests %+v, %v; want one open", person.Name(), rs, err)
				}
				if !hasCaseworkerMessage(t, m.Cases, c.ID) {
					t.Errorf("%s's current case has no message from the caseworker", person.Name())
				}
			default:
				t.Errorf("%s has a case for %s", person.Name(), c.Month)
			}
		}
		if first == nil || !hasCaseworkerMessage(t, m.Cases, first.ID) {
			t.Errorf("%s: no first month with a message from the caseworker", person.Name())
		}
		if p.Partner != "" {
			partner, _ := devidp.Lookup(p.Partner)
			if pcs, _ := m.Cases.CasesOfPerson(ctx, partner.PersonalNumber); len(pcs) != want {
				t.Errorf("%s sees %d cases, want the household's %d", partner.Name(), len(pcs), want)
			}
		}
	}

	// Alva logs in, sees her months in Mina sidor, starts the next month's
	// application (prefilled: it opens on the review), confirms it and sees
	// it decided.
	alva := demo.Personas()[0]
	if alva.Subject != devidp.AlvaTestsson {
		t.Fatalf("the first persona is %s, want Alva", alva.Subject)
	}
	base := "http://" + m.Addr()
	web := demoLogin(t, base, alva.Subject)
	page := demoGet(t, web, base+"/mina-sidor")
	for mo := month - skalig.Month(alva.History); mo < month; mo++ {
		if !strings.Contains(page, "Ansökan för "+monthSv(mo)) {
			t.Errorf("Mina sidor does not show %s", monthSv(mo))
		}
	}
	if !strings.Contains(page, "Beslut: bevilja (bifall)") {
		t.Error("Mina sidor shows no decision")
	}
	action, form := demoForm(t, page, "/ansokan")
	resp, err := web.PostForm(base+action, form)
	if err != nil {
		t.Fatal(err)
	}
	page = demoBody(t, resp)
	if !strings.HasSuffix(resp.Request.URL.Path, "/granska") || !strings.Contains(strings.ReplaceAll(html.UnescapeString(page), "\u00a0", " "), "4 150 kr") {
		t.Fatalf("the next month's application opened at %s, not prefilled on the review", resp.Request.URL)
	}
	action, form = demoForm(t, page, "/granska")
	form.Set("confirm", "yes")
	if resp, err = web.PostForm(base+action, form); err != nil {
		t.Fatal(err)
	}
	if page = demoBody(t, resp); !strings.HasSuffix(resp.Request.URL.Path, "/kvitto") {
		t.Fatalf("after signing at %s", resp.Request.URL)
	}
	cs, err := m.Cases.CasesOfPerson(ctx, alva.Person().PersonalNumber)
	if err != nil || len(cs) != alva.History+1 || cs[0].Month != month || cs[0].Kind != skalig.MonthlyApplication {
		t.Fatalf("Alva's cases after applying: %v, %v", cs, err)
	}
	c, err := m.waitCase(ctx, cs[0].ID, skalig.StateDecided, skalig.StateNotified, skalig.StatePaid, skalig.StateSampled,
		skalig.StateAwaitingCaseworker, skalig.StateAwaitingApplicant)
	if err != nil {
		t.Fatal(err)
	}
	if !c.DecidedAt.IsZero() {
		page = demoGet(t, web, base+"/mina-sidor")
		i := strings.Index(page, "Ansökan för "+monthSv(month))
		if i < 0 || !strings.Contains(page[i:min(len(page), i+600)], "Beslut: bevilja") {
			t.Error("Mina sidor does not show the new month's decision")
		}
	}
	var rec casecalc.RoutingRecord
	if err := m.Cases.LatestRecord(ctx, c.ID, store.RecordRouting, &rec); err != nil {
		t.Fatal(err)
	}
	switch r := rec.Outcome.Route; {
	case r == routing.RouteDecide && c.State != skalig.StateSampled && !c.DecidedAt.IsZero():
	case r == routing.RouteSample && c.State == skalig.StateSampled: // one in twenty: a sample control
	default:
		t.Errorf("Alva's next month: route %s, state %s, reasons %v; want decided by the robot", r, c.State, rec.Outcome.Codes())
	}
}

func hasCaseworkerMessage(t *testing.T, cs *store.CaseStore, caseID string) bool {
	t.Helper()
	ms, err := cs.Messages(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.HasPrefix(m.From, "caseworker:") {
			return true
		}
	}
	return false
}

// TestPersonaRegisters: the register simulator's answers agree with what
// the development provider tells about each applicant persona: barnbidrag
// only with children, for as many children as the description names (paid
// to one parent of a couple), no vehicle, and Försäkringskassan and Skatteverket
// knowing the person; the personas with a demo history are registered at
// Arbetsförmedlingen every month, with the same incomes every month.
func TestPersonaRegisters(t *testing.T) {
	counts := map[string]int64{"ett barn": 1, "två barn": 2, "tre barn": 3}
	// Barnbidrag with flerbarnstillägg for n children under 16.
	allowance := func(n int64) skalig.Money { return skalig.Kronor(1250*n + []int64{0, 0, 150, 730}[n]) }
	month := skalig.MonthOf(2026, 11)
	for _, seed := range []uint64{0, 1, 42} {
		household := map[string]skalig.Money{} // barnbidrag by the household's first subject
		for _, p := range devidp.Persons() {
			if p.IsStaff() {
				continue
			}
			if !sim.IsPersona(p.PersonalNumber) {
				t.Errorf("%s has no register persona", p.Name())
				continue
			}
			prof := sim.ProfileOf(seed, p.PersonalNumber, month)
			for _, src := range prof.Unknown {
				if src == skalig.RegisterFK || (src == skalig.RegisterSKV && !p.PersonalNumber.IsCoordination()) {
					t.Errorf("seed %d, %s: unknown to %s", seed, p.Name(), src)
				}
			}
			for _, f := range prof.Facts {
				if f.Kind == skalig.KindAssetVehicle {
					t.Errorf("seed %d, %s owns a vehicle: %s", seed, p.Name(), f.Value.Text)
				}
			}
			key := min(p.Subject, p.Partner)
			if p.Partner == "" {
				key = p.Subject
			}
			household[key] += prof.Incomes["child_allowance"]
			var n int64
			for phrase, k := range counts {
				if strings.Contains(p.Description, phrase) {
					n = k
				}
			}
			if p.Partner == "" && prof.Incomes["child_allowance"] != allowance(n) {
				t.Errorf("seed %d, %s (%q): barnbidrag %s", seed, p.Name(), p.Description, prof.Incomes["child_allowance"])
			}
			if p.Partner != "" && p.Subject < p.Partner {
				defer func(p devidp.Person, n int64) {
					if got := household[p.Subject]; got != allowance(n) {
						t.Errorf("seed %d, %s's household (%q): barnbidrag %s", seed, p.Name(), p.Description, got)
					}
				}(p, n)
			}
		}
	}
	for _, p := range demo.Personas() {
		for _, sub := range []string{p.Subject, p.Partner} {
			if sub == "" {
				continue
			}
			person, _ := devidp.Lookup(sub)
			prev := sim.ProfileOf(1, person.PersonalNumber, month-3)
			for mo := month - 2; mo <= month+1; mo++ {
				prof := sim.ProfileOf(1, person.PersonalNumber, mo)
				af := false
				for _, f := range prof.Facts {
					af = af || (f.Kind == skalig.KindAFRegistered && f.Value.Text == "yes")
				}
				if !af {
					t.Errorf("%s is not registered at Arbetsförmedlingen in %s", person.Name(), mo)
				}
				if len(prof.Incomes) != len(prev.Incomes) {
					t.Errorf("%s's incomes change from month to month: %v, then %v", person.Name(), prev.Incomes, prof.Incomes)
				}
				for k, v := range prof.Incomes {
					if prev.Incomes[k] != v {
						t.Errorf("%s's %s changes: %s, then %s in %s", person.Name(), k, prev.Incomes[k], v, mo)
					}
				}
				prev = prof
			}
		}
	}
}

// demoLogin logs a client with a cookie jar in as sub through the demo's
// development provider, as a browser would.
func demoLogin(t *testing.T, base, sub string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(base + "/login?return=/mina-sidor")
	if err != nil {
		t.Fatal(err)
	}
	page := demoBody(t, resp)
	m := regexp.MustCompile(`<form method="post" action="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form on the provider's page (%s)", resp.Status)
	}
	form := url.Values{"person": {sub}, "action": {"login"}}
	for _, h := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	action, _ := url.Parse(html.UnescapeString(m[1]))
	if resp, err = c.PostForm(resp.Request.URL.ResolveReference(action).String(), form); err != nil {
		t.Fatal(err)
	}
	demoBody(t, resp)
	if resp.Request.URL.Path != "/mina-sidor" {
		t.Fatalf("login ended at %s: %s", resp.Request.URL, resp.Status)
	}
	return c
}

func demoGet(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return demoBody(t, resp)
}

func demoBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %v", resp.Request.URL, resp.Status, err)
	}
	return string(b)
}

// demoForm returns the action and hidden fields of the page's form whose
// action ends in suffix.
func demoForm(t *testing.T, page, suffix string) (string, url.Values) {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`).FindAllStringSubmatch(page, -1) {
		if !strings.HasSuffix(m[1], suffix) {
			continue
		}
		v := url.Values{}
		for _, h := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(m[2], -1) {
			v.Set(h[1], html.UnescapeString(h[2]))
		}
		return html.UnescapeString(m[1]), v
	}
	t.Fatalf("no form to %s on the page", suffix)
	return "", nil
}

// monthSv is the month as Mina sidor writes it: "november 2026".
func monthSv(m skalig.Month) string {
	names := []string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}
	return fmt.Sprintf("%s %d", names[m.Num()-1], m.Year())
}
