package caseworker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/drafts"
	"skalig/internal/store/recordsdb"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/web/webtest"
	"skalig/internal/workflow/casecalc"
)

// cwEnv is the caseworker's pages over a workflow that has run demo
// households (webtest.StaffEnv).
type cwEnv = webtest.StaffEnv

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
	return webtest.NewStaffEnv(t, households, mun, func(s *web.Server, e *webtest.StaffEnv) error {
		_, err := caseworker.Mount(s, caseworker.Deps{Workflow: e.WF, Casework: e.Desk, Config: e.MC,
			Drafts: drafts.New(e.DB), Registerutdrag: recordsdb.New(e.DB)})
		return err
	})
}

var (
	mustContain    = webtest.MustContain
	mustNotContain = webtest.MustNotContain
	wantStatus     = webtest.WantStatus
)

func TestCaseworkerQueuesAndCase(t *testing.T) {
	e := newCWEnv(t, 16)
	sara := devidp.SaraHandlaggarsson
	res := e.Get(t, sara, "/handlaggning")
	wantStatus(t, res, 200, "queues")
	mustContain(t, res.Body, "Arbetsköer, Högsby kommun", "Undantag", "Förslag att signera", "Stickprov", "Väntar på sökanden",
		"Försenade", "Undantag efter orsak", "Social risk", "Inkomst skiljer från register", "caseworker.css", "caseworker.js")
	for _, q := range []string{"forslag", "signera", "stickprov", "vantar", "forsenade", "mina", "alla"} {
		wantStatus(t, e.Get(t, sara, "/handlaggning?ko="+q), 200, "queue "+q)
	}
	res = e.Get(t, sara, "/handlaggning?ko=undantag&orsak=social_risk&tilldelad=ingen&slag=monthly")
	wantStatus(t, res, 200, "filtered")
	mustContain(t, res.Body, `class="cw-social"`)

	// The case page of a case whose declared income differs from the register.
	c := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	res = e.Get(t, sara, "/handlaggning/arenden/"+c.ID)
	wantStatus(t, res, 200, "case")
	mustContain(t, res.Body, "Därför stannade Skälig", "Inkomst skiljer från register", "Uppgett och register",
		`class="cw-differs"`, "skiljer", "SoL (2025:400) 12 kap.", "Beräkningen steg för steg", "Hushållets tidigare månader",
		"Alla uppgifter och var de kommer ifrån", "Försäkringskassan", "Händelser i ärendet", "Godkänn förslaget")
	mustNotContain(t, res.Body, "[cw.", "Vem har läst ärendet") // the read log is for managers
	if n := e.Reads(t, c.ID, "staff:"+sara); n != 1 {
		t.Errorf("%d reads logged, want 1", n)
	}

	// Every action page.
	for _, p := range []string{"beslut", "justera", "komplettering", "meddelande", "stickprov"} {
		res := e.Get(t, sara, "/handlaggning/arenden/"+c.ID+"/"+p)
		wantStatus(t, res, 200, p)
		mustNotContain(t, res.Body, "[cw.")
	}

	// The languages: every key translated, no inline script or style.
	for _, l := range web.Languages {
		for _, path := range []string{"/handlaggning", "/handlaggning/arenden/" + c.ID, "/handlaggning/arenden/" + c.ID + "/beslut"} {
			res := e.Get(t, sara, path+"?lang="+l.Code)
			wantStatus(t, res, 200, path+" "+l.Code)
			mustNotContain(t, res.Body, "[cw.", "[form.")
			webtest.NoInlineScriptOrStyle(t, res.Body, path+" ("+l.Code+")")
		}
	}

	// A reason's label and text, the facts' and sources' names, and
	// routing's details (recorded as data) are in the page's language.
	res = e.Get(t, sara, "/handlaggning/arenden/"+c.ID+"?lang=en")
	mustContain(t, res.Body, "Income differs from register", "A caseworker compares the two.", "Answer from", ">Applicant<",
		"In this case: Activity support, applicant: not stated, Försäkringskassan (Social Insurance Agency) 6\u00a0515\u00a0kr")
	mustNotContain(t, res.Body, "En handläggare jämför uppgifterna.", "Svar från", "[reason.", "[cw.", "[detail.",
		"sökande: inte uppgett", "Aktivitetsstöd, sökande")
	res = e.Get(t, sara, "/handlaggning/arenden/"+c.ID+"?lang=ar")
	mustContain(t, res.Body, "دعم النشاط، مقدم الطلب: لم يُذكر، Försäkringskassan (صندوق التأمينات الاجتماعية) \u20666\u00a0515\u00a0kr\u2069")
	mustNotContain(t, res.Body, "sökande: inte uppgett", "[detail.")
	res = e.Get(t, sara, "/handlaggning/arenden/"+c.ID+"?lang=sv")
	mustContain(t, res.Body, "Inkomst skiljer från register", "En handläggare jämför uppgifterna.", "Svar från",
		"I det här ärendet: Aktivitetsstöd, sökande: inte uppgett, Försäkringskassan 6\u00a0515\u00a0kr")
}

func TestCaseworkerAdjustAndMessage(t *testing.T) {
	e := newCWEnv(t, 16)
	sara := devidp.SaraHandlaggarsson
	c := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c.ID
	// Pick the differing item from the comparison.
	res := e.Get(t, sara, base+"/justera")
	wantStatus(t, res, 200, "adjust list")
	facts, _ := e.Cases.Facts(context.Background(), c.ID)
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
	res = e.Post(t, sara, base+"/justera", form)
	wantStatus(t, res, 422, "adjust without a reason (and a stale version)")
	mustContain(t, res.Body, "Det finns fel som du behöver rätta", "Varför justerar du uppgiften")
	form.Set("version", itoa(c.Version))
	form.Set("reason", "Bostadsbidraget enligt Försäkringskassan gäller.")
	res = e.Post(t, sara, base+"/justera", form)
	wantStatus(t, res, http.StatusSeeOther, "adjust")
	if c2, _ := e.Cases.Case(context.Background(), c.ID); c2.State != skalig.StateFetching {
		t.Fatalf("after adjusting: %s, want fetching", c2.State)
	}
	res = e.Post(t, sara, base+"/meddelande", url.Values{"body": {""}})
	wantStatus(t, res, 422, "empty message")
	res = e.Post(t, sara, base+"/meddelande", url.Values{"body": {"Hej! Vi har räknat om ditt ärende."}})
	wantStatus(t, res, http.StatusSeeOther, "message")
	msgs, _ := e.Cases.Messages(context.Background(), c.ID)
	if len(msgs) != 1 || msgs[0].From != "caseworker:"+sara {
		t.Fatalf("messages = %+v", msgs)
	}
	e.Run(t)
	res = e.Get(t, sara, base+"?klart=justerad")
	mustContain(t, res.Body, "Uppgiften är justerad", "Justerad av handläggare", "Bedömt av handläggare")
}

func TestCaseworkerScoping(t *testing.T) {
	e := newCWEnv(t, 4)
	id := e.ByKind[demo.Plain][0]
	yusuf := devidp.YusufKalmarsson
	for _, path := range []string{"/handlaggning/arenden/" + id, "/handlaggning/arenden/" + id + "/beslut", "/handlaggning/arenden/" + id + "/justera"} {
		wantStatus(t, e.Get(t, yusuf, path), 404, "another municipality: "+path)
	}
	res := e.Get(t, yusuf, "/handlaggning/api/arenden/"+id)
	wantStatus(t, res, 404, "API, another municipality")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("API Content-Type %q", ct)
	}
	wantStatus(t, e.Post(t, yusuf, "/handlaggning/arenden/"+id+"/tilldela", url.Values{"till": {"mig"}}), 404, "assign")

	// Taking a case from the queue, and a colleague who was quicker.
	sara, tomas := devidp.SaraHandlaggarsson, devidp.TomasHandlaggarsson
	open := e.ByKind[demo.First][0]
	wantStatus(t, e.Post(t, sara, "/handlaggning/arenden/"+open+"/tilldela", url.Values{"till": {"mig"}, "fran": {""},
		"tillbaka": {"/handlaggning?ko=alla"}}), http.StatusSeeOther, "take")
	wantStatus(t, e.Post(t, tomas, "/handlaggning/arenden/"+open+"/tilldela", url.Values{"till": {"mig"}, "fran": {""}}), 409, "take a taken case")
	res0 := e.Get(t, tomas, "/handlaggning?ko=alla")
	mustContain(t, res0.Body, "Sara Handläggarsson")
	wantStatus(t, e.Post(t, devidp.UllaEkonomsson, "/handlaggning/arenden/"+open+"/tilldela", url.Values{"till": {""}}), http.StatusForbidden,
		"a financial assistant releases a colleague's case")
	wantStatus(t, e.Post(t, sara, "/handlaggning/arenden/"+open+"/tilldela", url.Values{"till": {tomas}}), http.StatusSeeOther, "give to a colleague")
	if a, err := deskdb.New(e.DB).Assignment(context.Background(), open); err != nil || a.Assignee != tomas {
		t.Fatalf("assignment %+v, %v", a, err)
	}
	wantStatus(t, e.Get(t, yusuf, "/handlaggning?kommun=0821"), 404, "queue of another municipality")
	if n := e.Reads(t, id, "staff:"+yusuf); n != 0 {
		t.Errorf("%d reads logged for the refused staff member", n)
	}
	res = e.Get(t, yusuf, "/handlaggning")
	wantStatus(t, res, 200, "own queue")
	mustContain(t, res.Body, "kommun 0880", "Det finns inga ärenden här just nu.")

	// The same case for staff of its municipality, by API: read and logged.
	res = e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/api/arenden/"+id)
	wantStatus(t, res, 200, "API")
	var got struct{ ID, Municipality string }
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil || got.ID != id || got.Municipality != "0821" {
		t.Fatalf("API = %s (%v)", res.Body, err)
	}
	if n := e.Reads(t, id, "staff:"+devidp.SaraHandlaggarsson); n != 1 {
		t.Errorf("%d API reads logged, want 1", n)
	}
	res = e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/api/koer")
	wantStatus(t, res, 200, "API queues")
	mustContain(t, res.Body, `"queues"`, `"alla"`)

	// Nobody signed in; an applicant; roles.
	wantStatus(t, e.Get(t, "", "/handlaggning"), 401, "anonymous")
	wantStatus(t, e.Get(t, devidp.AlvaTestsson, "/handlaggning"), 403, "applicant")
	wantStatus(t, e.Get(t, devidp.AlvaTestsson, "/handlaggning/arenden/"+id), 403, "applicant, case")
	wantStatus(t, e.Get(t, devidp.WilmaAdminsson, "/handlaggning/arenden/"+id), 403, "administrator, case")
}

func TestCaseworkerReadLog(t *testing.T) {
	e := newCWEnv(t, 4)
	id := e.ByKind[demo.First][0]
	e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+id)
	e.Get(t, devidp.TomasHandlaggarsson, "/handlaggning/arenden/"+id)
	res := e.Get(t, devidp.ViktorChefsson, "/handlaggning/arenden/"+id)
	wantStatus(t, res, 200, "manager")
	mustContain(t, res.Body, "Vem har läst ärendet", `id="reads"`, "Sara Handläggarsson", "Tomas Handläggarsson", "Viktor Chefsson")
	mustNotContain(t, res.Body, `id="approve"`) // a manager does not decide
}

func TestCaseworkerDecisionsAndFourEyes(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	sara, tomas, ulla := devidp.SaraHandlaggarsson, devidp.TomasHandlaggarsson, devidp.UllaEkonomsson
	first := e.ByKind[demo.First]
	if len(first) == 0 {
		t.Fatal("no first application")
	}
	// Approve as calculated: without the confirmation the POST shows
	// what the approval decides and pays, and decides nothing.
	c, _ := e.Cases.Case(ctx, first[0])
	res := e.Post(t, sara, "/handlaggning/arenden/"+c.ID+"/godkann", url.Values{"version": {itoa(c.Version)}})
	wantStatus(t, res, http.StatusOK, "approve without confirmation")
	if _, err := e.Cases.CaseDecision(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("a POST without confirmation decided: %v", err)
	}
	res = e.Post(t, sara, "/handlaggning/arenden/"+c.ID+"/godkann", url.Values{"version": {itoa(c.Version)}, "bekrafta": {"ja"}})
	wantStatus(t, res, http.StatusSeeOther, "approve")
	d, err := e.Cases.CaseDecision(ctx, c.ID)
	if err != nil || d.Outcome != skalig.OutcomeApproved || d.DecidedBy.Caseworker != sara {
		t.Fatalf("decision %+v, %v", d, err)
	}
	res = e.Get(t, sara, "/handlaggning/arenden/"+c.ID+"?klart=beslut")
	mustContain(t, res.Body, "Beslutet är fattat", `id="decision-outcome"`, "Sara Handläggarsson")

	// A partial approval: less than calculated, with grounds.
	{
		c1 := e.CaseIn(t, demo.Message, skalig.StateAwaitingCaseworker)
		var calc casecalc.Calculation
		if err := e.Cases.LatestRecord(ctx, c1.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil {
			t.Fatalf("calculation: %v", err)
		}
		half := calc.Output.Aid / 2
		res = e.Post(t, sara, "/handlaggning/arenden/"+c1.ID+"/beslut", url.Values{"version": {itoa(c1.Version)}, "outcome": {"partly_approved"},
			"amount": {half.String()}, "grund": {"cost"}})
		// FL 25 §: register facts the applicant has not seen.
		wantStatus(t, res, 422, "partly approve without kommunicering")
		mustContain(t, res.Body, `href="#f-kommunicering_exception"`, "25 § förvaltningslagen", "Skicka uppgifterna för yttrande i stället")
		res = e.Post(t, sara, "/handlaggning/arenden/"+c1.ID+"/beslut", url.Values{"version": {itoa(c1.Version)}, "outcome": {"partly_approved"},
			"amount": {half.String()}, "grund": {"cost"}, "kommunicering_exception": {"no such exception"}})
		wantStatus(t, res, 422, "partly approve with an unknown exception")
		res = e.Post(t, sara, "/handlaggning/arenden/"+c1.ID+"/beslut", url.Values{"version": {itoa(c1.Version)}, "outcome": {"partly_approved"},
			"amount": {half.String()}, "grund": {"cost"}, "kommunicering_exception": {"kommunicering_unnecessary"}})
		wantStatus(t, res, http.StatusSeeOther, "partly approve")
		if d, err := e.Cases.CaseDecision(ctx, c1.ID); err != nil || d.Outcome != skalig.OutcomePartlyApproved || d.Amount != half {
			t.Fatalf("partial decision %+v, %v", d, err)
		}
		cost, _ := skalig.LookupGround(skalig.GroundCost)
		if d, _ := e.Cases.CaseDecision(ctx, c1.ID); len(d.Reasons) != 1 || d.Reasons[0] != cost.Text() {
			t.Fatalf("partial decision's reasons %q, want the ground's Swedish text", d.Reasons)
		}
	}

	// A rejection needs grounds; a financial assistant may not reject.
	c2 := e.CaseIn(t, demo.OtherNeed, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c2.ID + "/beslut"
	res = e.Post(t, sara, base, url.Values{"version": {itoa(c2.Version)}, "outcome": {"rejected"}})
	wantStatus(t, res, 422, "reject without grounds")
	mustContain(t, res.Body, "välj minst ett skäl", `href="#f-grund"`)
	res = e.Post(t, sara, base, url.Values{"version": {itoa(c2.Version)}, "outcome": {"rejected"}, "grund": {"no_such_ground"}})
	wantStatus(t, res, 422, "reject on an unknown ground")
	mustContain(t, res.Body, "finns inte", `href="#f-grund"`)
	// The page's labels in its language; the text that goes into the
	// decision stays Swedish.
	res = e.Get(t, sara, base+"?lang=en")
	income, _ := skalig.LookupGround(skalig.GroundIncome)
	mustContain(t, res.Body, "The incomes are enough", income.Text())
	res = e.Post(t, ulla, base, url.Values{"version": {itoa(c2.Version)}, "outcome": {"rejected"}, "grund": {"income"}})
	wantStatus(t, res, 422, "financial assistant rejects")

	// Four eyes on rejections, from this month.
	body, _ := json.Marshal(municipal.CaseworkSettings{FourEyesReject: true, OverdueDays: 5})
	if err := e.MC.AddVersion(ctx, &municipal.Change{Municipality: "0821", Kind: municipal.KindCasework, Version: "fyra ögon",
		From: skalig.MonthOf(2026, 11), Body: body, Author: devidp.WilmaAdminsson, Reason: "Test"}, skalig.MonthOf(2026, 11)); err != nil {
		t.Fatal(err)
	}
	// Kommunicering first, through the caseworker's form; the applicant
	// answers on Mina sidor and the case comes back.
	kom := "/handlaggning/arenden/" + c2.ID + "/kommunicera"
	res = e.Get(t, sara, kom)
	wantStatus(t, res, 200, "kommunicering form")
	mustContain(t, res.Body, "Skicka uppgifter för yttrande", `name="due"`)
	res = e.Post(t, sara, kom, url.Values{"version": {itoa(c2.Version)}, "text": {""}, "due": {"2020-01-01"}})
	wantStatus(t, res, 422, "kommunicering, errors")
	mustContain(t, res.Body, `href="#f-text"`, "datumet ska vara efter i dag")
	wantStatus(t, e.Post(t, ulla, kom, url.Values{"version": {itoa(c2.Version)}, "text": {"x"}, "due": {"2099-01-01"}}), 403, "kommunicering by a financial assistant")
	res = e.Post(t, sara, kom, url.Values{"version": {itoa(c2.Version)}, "text": {"Skatteverket uppger en lön på 24 000 kr i oktober."},
		"due": {time.Now().AddDate(0, 0, 7).Format("2006-01-02")}})
	wantStatus(t, res, http.StatusSeeOther, "kommunicering")
	if got, _ := e.Cases.Case(ctx, c2.ID); got.State != skalig.StateAwaitingApplicant {
		t.Fatalf("after kommunicering: %s", got.State)
	}
	app2, _ := e.Cases.CaseApplication(ctx, c2.ID)
	if err := e.WF.AnswerComment(ctx, c2.ID, app2.Members[0].PersonalNumber, "Lönen gällde september."); err != nil {
		t.Fatal(err)
	}
	c2, _ = e.Cases.Case(ctx, c2.ID)
	res = e.Post(t, sara, base, url.Values{"version": {itoa(c2.Version)}, "outcome": {"rejected"}, "grund": {"other_need", "income"},
		"motivering": {"Glasögon ingår i riksnormen."}})
	wantStatus(t, res, http.StatusSeeOther, "reject, four eyes")
	if _, err := e.Cases.CaseDecision(ctx, c2.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("decided before the second signature: %v", err)
	}
	res = e.Get(t, sara, "/handlaggning?ko=signera")
	mustContain(t, res.Body, c2.ID)
	wantStatus(t, e.Post(t, sara, "/handlaggning/arenden/"+c2.ID+"/signera", url.Values{"beslut": {"signera"}}), 403, "sign own")
	res = e.Get(t, tomas, "/handlaggning/arenden/"+c2.ID)
	mustContain(t, res.Body, "Beslut som väntar på en andra underskrift", "Signera beslutet")
	wantStatus(t, e.Post(t, tomas, "/handlaggning/arenden/"+c2.ID+"/signera", url.Values{"beslut": {"signera"}}), http.StatusSeeOther, "sign")
	d, err = e.Cases.CaseDecision(ctx, c2.ID)
	if err != nil || d.Outcome != skalig.OutcomeRejected || d.DecidedBy.Caseworker != tomas || len(d.Reasons) != 3 {
		t.Fatalf("decision %+v, %v", d, err)
	}
	rec, err := e.Cases.Receipt(ctx, d.ReceiptHash)
	if err != nil || rec.DecidedBy.Caseworker != tomas || !rec.Verify() {
		t.Fatalf("receipt %+v, %v", rec, err)
	}
}

func TestCaseworkerDocumentsAndSample(t *testing.T) {
	e := newCWEnv(t, 16)
	ctx := context.Background()
	sara := devidp.SaraHandlaggarsson
	c := e.CaseIn(t, demo.Message, skalig.StateAwaitingCaseworker)
	base := "/handlaggning/arenden/" + c.ID
	res := e.Post(t, sara, base+"/komplettering", url.Values{"version": {itoa(c.Version)}, "text": {""}, "due": {"2020-01-01"}})
	wantStatus(t, res, 422, "request documents, errors")
	mustContain(t, res.Body, "Vilka handlingar behövs", "kan inte vara före i dag")
	res = e.Post(t, sara, base+"/komplettering", url.Values{"version": {itoa(c.Version)}, "text": {"Kontoutdrag för november."},
		"due": {time.Now().AddDate(0, 0, 10).Format("2006-01-02")}})
	wantStatus(t, res, http.StatusSeeOther, "request documents")
	if c2, _ := e.Cases.Case(ctx, c.ID); c2.State != skalig.StateAwaitingApplicant {
		t.Fatalf("state %s, want awaiting_applicant", c2.State)
	}
	reqs, _ := e.Cases.DocumentRequests(ctx, c.ID)
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	if _, err := e.WF.Upload(ctx, c.ID, reqs[0].ID, "applicant", "kontoutdrag.pdf", "application/pdf", pdf); err != nil {
		t.Fatal(err)
	}
	res = e.Get(t, sara, base)
	mustContain(t, res.Body, "kontoutdrag.pdf", "Besvarad", "Komplettering inkommen")
	docs, _ := e.Cases.Documents(ctx, c.ID)
	res = e.Get(t, sara, base+"/dokument/"+docs[0].ID)
	wantStatus(t, res, 200, "document")
	if res.Body != string(pdf) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("document: %q %q", res.Body, res.Header.Get("Content-Disposition"))
	}
	wantStatus(t, e.Get(t, devidp.YusufKalmarsson, base+"/dokument/"+docs[0].ID), 404, "document, another municipality")

	// A sample control, in a municipality that samples every case.
	e = newCWEnvWith(t, 2, sampleAll(t))
	sampled := e.CaseIn(t, demo.Plain, skalig.StateSampled)
	res = e.Get(t, sara, "/handlaggning?ko=stickprov")
	mustContain(t, res.Body, sampled.ID)
	sb := "/handlaggning/arenden/" + sampled.ID + "/stickprov"
	res = e.Post(t, sara, sb, url.Values{"version": {itoa(sampled.Version)}, "result": {"discrepancy"}})
	wantStatus(t, res, 422, "discrepancy without amounts")
	res = e.Post(t, sara, sb, url.Values{"version": {itoa(sampled.Version)}, "result": {"confirmed"}})
	wantStatus(t, res, http.StatusSeeOther, "sample confirmed")
	res = e.Get(t, sara, sb)
	mustContain(t, res.Body, "Resultatet är redan registrerat")
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
	for _, s := range []string{"signed", "returned"} {
		keys = append(keys, "cw.approval."+s)
	}
	for _, g := range skalig.Grounds() {
		keys = append(keys, g.LabelID(), g.TextID())
	}
	for _, k := range keys {
		for _, l := range web.Languages {
			if got := l.T(k); strings.HasPrefix(got, "[") || !l.Has(k) {
				t.Errorf("%s: key %q missing", l.Code, k)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
