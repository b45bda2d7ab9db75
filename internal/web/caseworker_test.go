package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/auth/devidp"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/web"
	"skalig/internal/workflow"
)

// cwEnv is the caseworker's pages over a workflow that has run demo
// households through the register simulator, with staff chosen per request
// by the test header X-Test-Staff (a devidp subject).
type cwEnv struct {
	db     *store.DB
	cases  *store.CaseStore
	wf     *workflow.Workflow
	mc     *store.MunicipalConfig
	h      http.Handler
	byKind map[demo.Scenario][]string
}

const cwStaffHeader = "X-Test-Staff"

func newCWEnv(t *testing.T, households int) *cwEnv {
	t.Helper()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	return newCWEnvWith(t, households, mun)
}

// sampleAll returns the municipalities with Högsby drawing every case for
// sample control.
func sampleAll(t *testing.T) *municipal.Set {
	t.Helper()
	mun, _ := municipal.Default()
	m, _ := mun.Get("0821")
	var specs []map[string]any
	if err := json.Unmarshal(m.Routing, &specs); err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		s["sample_rate"] = 1.0
	}
	file, _ := json.Marshal(map[string]any{"code": m.Code, "name": m.Name, "guidelines": m.Guidelines, "routing": specs})
	set, err := municipal.Parse(map[string][]byte{"0821.json": file})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func newCWEnvWith(t *testing.T, households int, mun *municipal.Set) *cwEnv {
	t.Helper()
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	mc := store.NewMunicipalConfig(db, mun)
	wf, err := workflow.New(workflow.Config{Cases: cases, Params: p, Municipal: mun, Registers: sim.New(sim.Config{Seed: 1}),
		RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e := &cwEnv{db: db, cases: cases, wf: wf, mc: mc, byKind: map[demo.Scenario][]string{}}
	for _, hh := range demo.Generate(1, "0821", skalig.MonthOf(2026, 11), households) {
		c, _, err := wf.Submit(context.Background(), hh.App)
		if err != nil {
			t.Fatal(err)
		}
		e.byKind[hh.Scenario] = append(e.byKind[hh.Scenario], c.ID)
	}
	e.run(t)
	cfg := testConfig(t)
	cfg.Now = time.Now
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.MountCaseworker(s, web.CaseworkerDeps{Workflow: wf, Config: mc}); err != nil {
		t.Fatal(err)
	}
	inner := s.Handler()
	e.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sub := r.Header.Get(cwStaffHeader); sub != "" {
			r = r.WithContext(auth.WithPrincipal(r.Context(), cwPrincipal(t, sub)))
		}
		inner.ServeHTTP(w, r)
	})
	return e
}

// cwPrincipal is the principal of a person of the development provider.
func cwPrincipal(t *testing.T, sub string) *auth.Principal {
	t.Helper()
	p, ok := devidp.Lookup(sub)
	if !ok {
		t.Fatalf("no dev person %s", sub)
	}
	pr := &auth.Principal{Subject: p.Subject, Name: p.Name(), Kind: auth.Applicant, PersonalNumber: p.PersonalNumber}
	if p.IsStaff() {
		pr.Kind, pr.Municipalities, pr.PersonalNumber = auth.Staff, p.Municipalities, ""
		for _, r := range p.Roles {
			pr.Roles = append(pr.Roles, auth.Role(r))
		}
	}
	return pr
}

// run runs the workers until no job is due.
func (e *cwEnv) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.wf.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state <> 'parked' AND kind NOT IN ('documents_due', 'kommunicering_due')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("jobs still due after 60 s")
}

func (e *cwEnv) get(t *testing.T, staff, target string) response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if staff != "" {
		r.Header.Set(cwStaffHeader, staff)
	}
	return do(t, e.h, r)
}

func (e *cwEnv) post(t *testing.T, staff, target string, form url.Values) response {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(cwStaffHeader, staff)
	return do(t, e.h, r)
}

// caseIn returns a case of scenario sc in state st.
func (e *cwEnv) caseIn(t *testing.T, sc demo.Scenario, st skalig.CaseState) *skalig.Case {
	t.Helper()
	for _, id := range e.byKind[sc] {
		c, err := e.cases.Case(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.State == st {
			return c
		}
	}
	t.Fatalf("no %s case in %s", sc, st)
	return nil
}

func (e *cwEnv) reads(t *testing.T, caseID, actor string) int {
	t.Helper()
	evs, err := e.cases.AuditEvents(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Action == store.ActionRead && ev.Actor == actor {
			n++
		}
	}
	return n
}

func wantStatus(t *testing.T, res response, want int, what string) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, want, res.body)
	}
}

func TestCaseworkerQueuesAndCase(t *testing.T) {
	e := newCWEnv(t, 16)
	sara := devidp.SaraHandlaggarsson
	res := e.get(t, sara, "/handlaggning")
	wantStatus(t, res, 200, "queues")
	mustContain(t, res.body, "Arbetsköer, Högsby kommun", "Undantag", "Förslag att signera", "Stickprov", "Väntar på sökanden",
		"Försenade", "Undantag efter orsak", "Social risk", "Inkomst skiljer från register", "caseworker.css", "caseworker.js")
	for _, q := range []string{"forslag", "signera", "stickprov", "vantar", "forsenade", "mina", "alla"} {
		wantStatus(t, e.get(t, sara, "/handlaggning?ko="+q), 200, "queue "+q)
	}
	res = e.get(t, sara, "/handlaggning?ko=undantag&orsak=social_risk&tilldelad=ingen&slag=monthly")
	wantStatus(t, res, 200, "filtered")
	mustContain(t, res.body, `class="cw-social"`)

	// The case page of a case whose declared income differs from the register.
	c := e.caseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	res = e.get(t, sara, "/handlaggning/arenden/"+c.ID)
	wantStatus(t, res, 200, "case")
	mustContain(t, res.body, "Därför stannade Skälig", "Inkomst skiljer från register", "Uppgett och register",
		`class="cw-differs"`, "skiljer", "SoL (2025:400) 12 kap.", "Beräkningen steg för steg", "Hushållets tidigare månader",
		"Alla uppgifter och var de kommer ifrån", "Försäkringskassan", "Händelser i ärendet", "Godkänn förslaget")
	mustNotContain(t, res.body, "[cw.", "Vem har läst ärendet") // the read log is for managers
	if n := e.reads(t, c.ID, "staff:"+sara); n != 1 {
		t.Errorf("%d reads logged, want 1", n)
	}

	// Every action page.
	for _, p := range []string{"beslut", "justera", "komplettering", "meddelande", "stickprov"} {
		res := e.get(t, sara, "/handlaggning/arenden/"+c.ID+"/"+p)
		wantStatus(t, res, 200, p)
		mustNotContain(t, res.body, "[cw.")
	}

	// The languages: every key translated, no inline script or style.
	for _, l := range web.Languages {
		for _, path := range []string{"/handlaggning", "/handlaggning/arenden/" + c.ID, "/handlaggning/arenden/" + c.ID + "/beslut"} {
			res := e.get(t, sara, path+"?lang="+l.Code)
			wantStatus(t, res, 200, path+" "+l.Code)
			mustNotContain(t, res.body, "[cw.", "[form.")
			for _, m := range scriptRE.FindAllStringSubmatch(res.body, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("%s: inline script %q", path, m[0])
				}
			}
			if inlineStyleRE.MatchString(res.body) || handlerAttrRE.MatchString(res.body) {
				t.Errorf("%s (%s): inline style or event handler", path, l.Code)
			}
		}
	}
}

func TestCaseworkerAdjustAndMessage(t *testing.T) {
	e := newCWEnv(t, 16)
	sara := devidp.SaraHandlaggarsson
	c := e.caseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c.ID
	// Pick the differing item from the comparison.
	res := e.get(t, sara, base+"/justera")
	wantStatus(t, res, 200, "adjust list")
	facts, _ := e.cases.Facts(context.Background(), nil, c.ID)
	var kind, person string
	for _, f := range facts {
		if _, reg := f.Source.Register(); reg && strings.HasPrefix(f.Kind, "income.") && f.Period == c.Month {
			kind, person = f.Kind, f.PersonID
		}
	}
	if kind == "" {
		t.Fatal("no register income in the case")
	}
	form := url.Values{"version": {"1"}, "post": {kind}, "person": {person}, "amount": {"100"}}
	res = e.post(t, sara, base+"/justera", form)
	wantStatus(t, res, 422, "adjust without a reason (and a stale version)")
	mustContain(t, res.body, "Det finns fel som du behöver rätta", "Varför justerar du uppgiften")
	form.Set("version", itoa(c.Version))
	form.Set("reason", "Bostadsbidraget enligt Försäkringskassan gäller.")
	res = e.post(t, sara, base+"/justera", form)
	wantStatus(t, res, http.StatusSeeOther, "adjust")
	if c2, _ := e.cases.Case(context.Background(), c.ID); c2.State != skalig.StateFetching {
		t.Fatalf("after adjusting: %s, want fetching", c2.State)
	}
	res = e.post(t, sara, base+"/meddelande", url.Values{"body": {""}})
	wantStatus(t, res, 422, "empty message")
	res = e.post(t, sara, base+"/meddelande", url.Values{"body": {"Hej! Vi har räknat om ditt ärende."}})
	wantStatus(t, res, http.StatusSeeOther, "message")
	msgs, _ := e.cases.Messages(context.Background(), c.ID)
	if len(msgs) != 1 || msgs[0].From != "caseworker:"+sara {
		t.Fatalf("messages = %+v", msgs)
	}
	e.run(t)
	res = e.get(t, sara, base+"?klart=justerad")
	mustContain(t, res.body, "Uppgiften är justerad", "Justerad av handläggare", "Bedömt av handläggare")
}

func TestCaseworkerScoping(t *testing.T) {
	e := newCWEnv(t, 4)
	id := e.byKind[demo.Plain][0]
	yusuf := devidp.YusufKalmarsson
	for _, path := range []string{"/handlaggning/arenden/" + id, "/handlaggning/arenden/" + id + "/beslut", "/handlaggning/arenden/" + id + "/justera"} {
		wantStatus(t, e.get(t, yusuf, path), 404, "another municipality: "+path)
	}
	res := e.get(t, yusuf, "/handlaggning/api/arenden/"+id)
	wantStatus(t, res, 404, "API, another municipality")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("API Content-Type %q", ct)
	}
	wantStatus(t, e.post(t, yusuf, "/handlaggning/arenden/"+id+"/tilldela", url.Values{"till": {"mig"}}), 404, "assign")

	// Taking a case from the queue, and a colleague who was quicker.
	sara, tomas := devidp.SaraHandlaggarsson, devidp.TomasHandlaggarsson
	open := e.byKind[demo.First][0]
	wantStatus(t, e.post(t, sara, "/handlaggning/arenden/"+open+"/tilldela", url.Values{"till": {"mig"}, "fran": {""},
		"tillbaka": {"/handlaggning?ko=alla"}}), http.StatusSeeOther, "take")
	wantStatus(t, e.post(t, tomas, "/handlaggning/arenden/"+open+"/tilldela", url.Values{"till": {"mig"}, "fran": {""}}), 409, "take a taken case")
	res0 := e.get(t, tomas, "/handlaggning?ko=alla")
	mustContain(t, res0.body, "Sara Handläggarsson")
	wantStatus(t, e.post(t, devidp.UllaEkonomsson, "/handlaggning/arenden/"+open+"/tilldela", url.Values{"till": {""}}), http.StatusForbidden,
		"a financial assistant releases a colleague's case")
	wantStatus(t, e.post(t, sara, "/handlaggning/arenden/"+open+"/tilldela", url.Values{"till": {tomas}}), http.StatusSeeOther, "give to a colleague")
	if a, err := store.NewCaseworkerStore(e.db).Assignment(context.Background(), open); err != nil || a.Assignee != tomas {
		t.Fatalf("assignment %+v, %v", a, err)
	}
	wantStatus(t, e.get(t, yusuf, "/handlaggning?kommun=0821"), 404, "queue of another municipality")
	if n := e.reads(t, id, "staff:"+yusuf); n != 0 {
		t.Errorf("%d reads logged for the refused staff member", n)
	}
	res = e.get(t, yusuf, "/handlaggning")
	wantStatus(t, res, 200, "own queue")
	mustContain(t, res.body, "kommun 0880", "Det finns inga ärenden här just nu.")

	// The same case for staff of its municipality, by API: read and logged.
	res = e.get(t, devidp.SaraHandlaggarsson, "/handlaggning/api/arenden/"+id)
	wantStatus(t, res, 200, "API")
	var got struct{ ID, Municipality string }
	if err := json.Unmarshal([]byte(res.body), &got); err != nil || got.ID != id || got.Municipality != "0821" {
		t.Fatalf("API = %s (%v)", res.body, err)
	}
	if n := e.reads(t, id, "staff:"+devidp.SaraHandlaggarsson); n != 1 {
		t.Errorf("%d API reads logged, want 1", n)
	}
	res = e.get(t, devidp.SaraHandlaggarsson, "/handlaggning/api/koer")
	wantStatus(t, res, 200, "API queues")
	mustContain(t, res.body, `"queues"`, `"alla"`)

	// Nobody signed in; an applicant; roles.
	wantStatus(t, e.get(t, "", "/handlaggning"), 401, "anonymous")
	wantStatus(t, e.get(t, devidp.AlvaTestsson, "/handlaggning"), 403, "applicant")
	wantStatus(t, e.get(t, devidp.AlvaTestsson, "/handlaggning/arenden/"+id), 403, "applicant, case")
	wantStatus(t, e.get(t, devidp.WilmaAdminsson, "/handlaggning/arenden/"+id), 403, "administrator, case")
	wantStatus(t, e.get(t, devidp.ViktorChefsson, "/handlaggning/admin/routing"), 200, "manager sees the configuration")
	wantStatus(t, e.post(t, devidp.ViktorChefsson, "/handlaggning/admin/routing", url.Values{}), 403, "manager edits")
	wantStatus(t, e.get(t, devidp.SaraHandlaggarsson, "/handlaggning/admin"), 403, "caseworker, admin")
}

func TestCaseworkerReadLog(t *testing.T) {
	e := newCWEnv(t, 4)
	id := e.byKind[demo.First][0]
	e.get(t, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+id)
	e.get(t, devidp.TomasHandlaggarsson, "/handlaggning/arenden/"+id)
	res := e.get(t, devidp.ViktorChefsson, "/handlaggning/arenden/"+id)
	wantStatus(t, res, 200, "manager")
	mustContain(t, res.body, "Vem har läst ärendet", `id="reads"`, "Sara Handläggarsson", "Tomas Handläggarsson", "Viktor Chefsson")
	mustNotContain(t, res.body, `id="approve"`) // a manager does not decide
}

func TestCaseworkerDecisionsAndFourEyes(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	sara, tomas, ulla := devidp.SaraHandlaggarsson, devidp.TomasHandlaggarsson, devidp.UllaEkonomsson
	first := e.byKind[demo.First]
	if len(first) == 0 {
		t.Fatal("no first application")
	}
	// Approve as calculated, in one step.
	c, _ := e.cases.Case(ctx, first[0])
	res := e.post(t, sara, "/handlaggning/arenden/"+c.ID+"/godkann", url.Values{"version": {itoa(c.Version)}})
	wantStatus(t, res, http.StatusSeeOther, "approve")
	d, err := e.cases.CaseDecision(ctx, nil, c.ID)
	if err != nil || d.Outcome != skalig.OutcomeApproved || d.DecidedBy.Caseworker != sara {
		t.Fatalf("decision %+v, %v", d, err)
	}
	res = e.get(t, sara, "/handlaggning/arenden/"+c.ID+"?klart=beslut")
	mustContain(t, res.body, "Beslutet är fattat", `id="decision-outcome"`, "Sara Handläggarsson")

	// A partial approval: less than calculated, with grounds.
	{
		c1 := e.caseIn(t, demo.Message, skalig.StateAwaitingCaseworker)
		var calc workflow.Calculation
		if err := e.cases.LatestRecord(ctx, nil, c1.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
			t.Fatalf("calculation: %v", err)
		}
		half := calc.Output.Aid / 2
		res = e.post(t, sara, "/handlaggning/arenden/"+c1.ID+"/beslut", url.Values{"version": {itoa(c1.Version)}, "outcome": {"partly_approved"},
			"amount": {half.String()}, "grund": {"cost"}})
		wantStatus(t, res, http.StatusSeeOther, "partly approve")
		if d, err := e.cases.CaseDecision(ctx, nil, c1.ID); err != nil || d.Outcome != skalig.OutcomePartlyApproved || d.Amount != half {
			t.Fatalf("partial decision %+v, %v", d, err)
		}
	}

	// A rejection needs grounds; a financial assistant may not reject.
	c2 := e.caseIn(t, demo.OtherNeed, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c2.ID + "/beslut"
	res = e.post(t, sara, base, url.Values{"version": {itoa(c2.Version)}, "outcome": {"rejected"}})
	wantStatus(t, res, 422, "reject without grounds")
	mustContain(t, res.body, "välj minst ett skäl", `href="#f-grund"`)
	res = e.post(t, ulla, base, url.Values{"version": {itoa(c2.Version)}, "outcome": {"rejected"}, "grund": {"income"}})
	wantStatus(t, res, 422, "financial assistant rejects")

	// Four eyes on rejections, from this month.
	body, _ := json.Marshal(store.CaseworkSettings{FourEyesReject: true, OverdueDays: 5})
	if err := e.mc.AddVersion(ctx, &store.ConfigVersion{Municipality: "0821", Kind: store.ConfigCasework, Version: "fyra ögon",
		From: skalig.MonthOf(2026, 11), Body: body, Author: devidp.WilmaAdminsson, Reason: "Test"}, skalig.MonthOf(2026, 11)); err != nil {
		t.Fatal(err)
	}
	res = e.post(t, sara, base, url.Values{"version": {itoa(c2.Version)}, "outcome": {"rejected"}, "grund": {"other_need", "income"},
		"motivering": {"Glasögon ingår i riksnormen."}})
	wantStatus(t, res, http.StatusSeeOther, "reject, four eyes")
	if _, err := e.cases.CaseDecision(ctx, nil, c2.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("decided before the second signature: %v", err)
	}
	res = e.get(t, sara, "/handlaggning?ko=signera")
	mustContain(t, res.body, c2.ID)
	wantStatus(t, e.post(t, sara, "/handlaggning/arenden/"+c2.ID+"/signera", url.Values{"beslut": {"signera"}}), 403, "sign own")
	res = e.get(t, tomas, "/handlaggning/arenden/"+c2.ID)
	mustContain(t, res.body, "Beslut som väntar på en andra underskrift", "Signera beslutet")
	wantStatus(t, e.post(t, tomas, "/handlaggning/arenden/"+c2.ID+"/signera", url.Values{"beslut": {"signera"}}), http.StatusSeeOther, "sign")
	d, err = e.cases.CaseDecision(ctx, nil, c2.ID)
	if err != nil || d.Outcome != skalig.OutcomeRejected || d.DecidedBy.Caseworker != tomas || len(d.Reasons) != 3 {
		t.Fatalf("decision %+v, %v", d, err)
	}
	rec, err := e.cases.Receipt(ctx, d.ReceiptHash)
	if err != nil || rec.DecidedBy.Caseworker != tomas || !rec.Verify() {
		t.Fatalf("receipt %+v, %v", rec, err)
	}
}

func TestCaseworkerDocumentsAndSample(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	sara := devidp.SaraHandlaggarsson
	c := e.caseIn(t, demo.Message, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c.ID
	res := e.post(t, sara, base+"/komplettering", url.Values{"version": {itoa(c.Version)}, "text": {""}, "due": {"2020-01-01"}})
	wantStatus(t, res, 422, "request documents, errors")
	mustContain(t, res.body, "Vilka handlingar behövs", "kan inte vara före i dag")
	res = e.post(t, sara, base+"/komplettering", url.Values{"version": {itoa(c.Version)}, "text": {"Kontoutdrag för november."},
		"due": {time.Now().AddDate(0, 0, 10).Format("2006-01-02")}})
	wantStatus(t, res, http.StatusSeeOther, "request documents")
	if c2, _ := e.cases.Case(ctx, c.ID); c2.State != skalig.StateAwaitingApplicant {
		t.Fatalf("state %s, want awaiting_applicant", c2.State)
	}
	reqs, _ := e.cases.DocumentRequests(ctx, c.ID)
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	if _, err := e.wf.Upload(ctx, c.ID, reqs[0].ID, "applicant", "kontoutdrag.pdf", "application/pdf", pdf); err != nil {
		t.Fatal(err)
	}
	res = e.get(t, sara, base)
	mustContain(t, res.body, "kontoutdrag.pdf", "Besvarad", "Komplettering inkommen")
	docs, _ := e.cases.Documents(ctx, c.ID)
	res = e.get(t, sara, base+"/dokument/"+docs[0].ID)
	wantStatus(t, res, 200, "document")
	if res.body != string(pdf) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("document: %q %q", res.body, res.Header.Get("Content-Disposition"))
	}
	wantStatus(t, e.get(t, devidp.YusufKalmarsson, base+"/dokument/"+docs[0].ID), 404, "document, another municipality")

	// A sample control, in a municipality that samples every case.
	e = newCWEnvWith(t, 2, sampleAll(t))
	sampled := e.caseIn(t, demo.Plain, skalig.StateSampled)
	res = e.get(t, sara, "/handlaggning?ko=stickprov")
	mustContain(t, res.body, sampled.ID)
	sb := "/handlaggning/arenden/" + sampled.ID + "/stickprov"
	res = e.post(t, sara, sb, url.Values{"version": {itoa(sampled.Version)}, "result": {"discrepancy"}})
	wantStatus(t, res, 422, "discrepancy without amounts")
	res = e.post(t, sara, sb, url.Values{"version": {itoa(sampled.Version)}, "result": {"confirmed"}})
	wantStatus(t, res, http.StatusSeeOther, "sample confirmed")
	res = e.get(t, sara, sb)
	mustContain(t, res.body, "Resultatet är redan registrerat")
}

func TestCaseworkerAdministration(t *testing.T) {
	e := newCWEnv(t, 1)
	wilma := devidp.WilmaAdminsson
	res := e.get(t, wilma, "/handlaggning/admin")
	wantStatus(t, res, 200, "admin")
	mustContain(t, res.body, "exempel 1", "Följer med programmet", "gäller nu", "belopp_kraftigt_okat")
	res = e.get(t, wilma, "/handlaggning/admin/routing")
	wantStatus(t, res, 200, "routing form")
	mustContain(t, res.body, "belopp_kraftigt_okat", "punkt 3.1 (exempel)")
	form := url.Values{"version": {"2026-12"}, "from": {"2026-12"}, "source": {"Nämndens beslut 2026-11-20 § 7"}, "sample_rate": {"10"},
		"sample_seed": {"hogsby-2026-12-stickprov"}, "income_tolerance": {"100"}, "bank_limit": {"2000"}, "delegations": {"[]"},
		"rules": {`[{"name": "trasig", "expression": "household.nope > 1", "reason": "x"}]`}, "reason": {"Nämnden beslutade om fler stickprov."}}
	res = e.post(t, wilma, "/handlaggning/admin/routing", form)
	wantStatus(t, res, 422, "a rule that does not compile")
	mustContain(t, res.body, "Konfigurationen är inte giltig", `href="#f-rules"`)
	form.Set("rules", `[{"name": "stort_hushall", "expression": "household.size >= 6", "reason": "Sex personer eller fler."}]`)
	form.Set("from", "2025-01")
	wantStatus(t, e.post(t, wilma, "/handlaggning/admin/routing", form), 422, "from a month gone by")
	form.Set("from", "2026-12")
	wantStatus(t, e.post(t, wilma, "/handlaggning/admin/routing", form), http.StatusSeeOther, "routing saved")
	rc, err := e.mc.Routing(context.Background(), "0821", skalig.MonthOf(2026, 12))
	if err != nil || rc.Version() != "2026-12" || rc.Spec().SampleRate != 0.10 {
		t.Fatalf("December routing: %v %v", rc.Version(), err)
	}
	res = e.get(t, wilma, "/handlaggning/admin?klart=konfiguration")
	mustContain(t, res.body, "Den nya versionen är sparad", "Nämnden beslutade om fler stickprov.", "Wilma Adminsson")

	res = e.get(t, wilma, "/handlaggning/admin/riktlinjer")
	wantStatus(t, res, 200, "guidelines form")
	mustContain(t, res.body, "4474; 6192")
	g := url.Values{"version": {"2027"}, "from": {"2027-01"}, "source": {"Nämndens beslut"}, "one_adult": {"4600; 6300; 7500; 8100; 8700; 9300"},
		"two_adults": {"5700; 6300; 7500; 8100; 8700; 9300"}, "reason": {"Nya hyror."}}
	wantStatus(t, e.post(t, wilma, "/handlaggning/admin/riktlinjer", g), http.StatusSeeOther, "guidelines saved")
	g.Set("version", "2027-b")
	g.Set("one_adult", "4600; sex")
	wantStatus(t, e.post(t, wilma, "/handlaggning/admin/riktlinjer", g), 422, "guidelines, not amounts")

	res = e.get(t, wilma, "/handlaggning/admin/handlaggning")
	wantStatus(t, res, 200, "casework form")
	cw := url.Values{"version": {"fyra ögon"}, "from": {"2026-12"}, "four_eyes_override": {"yes"}, "overdue_days": {"0"}, "reason": {"Beslut."}}
	wantStatus(t, e.post(t, wilma, "/handlaggning/admin/handlaggning", cw), 422, "casework, 0 days")
	cw.Set("overdue_days", "3")
	wantStatus(t, e.post(t, wilma, "/handlaggning/admin/handlaggning", cw), http.StatusSeeOther, "casework saved")

	res = e.get(t, wilma, "/handlaggning/parametrar")
	wantStatus(t, res, 200, "parameters")
	mustContain(t, res.body, "riksnorm-2026", "Svagaste status")
	for _, l := range web.Languages {
		for _, p := range []string{"/handlaggning/admin", "/handlaggning/parametrar", "/handlaggning/admin/routing"} {
			res := e.get(t, wilma, p+"?lang="+l.Code)
			wantStatus(t, res, 200, p)
			mustNotContain(t, res.body, "[cw.")
		}
	}
}

// TestCaseworkerDynamicKeys checks the message keys built at run time.
func TestCaseworkerDynamicKeys(t *testing.T) {
	var keys []string
	for _, q := range []string{"undantag", "forslag", "signera", "stickprov", "vantar", "forsenade", "mina", "alla"} {
		keys = append(keys, "cw.queue."+q, "cw.queue."+q+".help")
	}
	for _, r := range []string{"applicant", "partner", "child"} {
		keys = append(keys, "cw.role."+r)
	}
	for _, k := range []string{"routing", "guidelines", "casework"} {
		keys = append(keys, "cw.admin.kind."+k)
	}
	for _, s := range []string{"signed", "returned"} {
		keys = append(keys, "cw.approval."+s)
	}
	for _, g := range []string{"income", "cost", "other_need", "assets", "work", "documents", "permit"} {
		keys = append(keys, "cw.decide.ground."+g)
	}
	for _, c := range web.CaseworkerReasonCodes() {
		keys = append(keys, "cw.reason."+c)
	}
	for _, k := range keys {
		for _, l := range web.Languages {
			if got := l.T(k); strings.HasPrefix(got, "[") || !l.Has(k) {
				t.Errorf("%s: key %q missing", l.Code, k)
			}
		}
	}
	if !slices.Contains(web.CaseworkerReasonCodes(), "income_differs") {
		t.Error("reason codes lack income_differs")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
