package whatifweb_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"skalig"
	"strconv"
	"strings"
	"testing"
	"time"

	"skalig/internal/auth/devidp"
	"skalig/internal/dbtest"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/store"
	"skalig/internal/store/whatifdb"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/web/webtest"
	"skalig/internal/web/whatifweb"
	"skalig/internal/whatif"
)

var (
	mustContain    = webtest.MustContain
	mustNotContain = webtest.MustNotContain
	wantStatus     = webtest.WantStatus
)

func newEnv(t *testing.T, n int) *webtest.StaffEnv {
	t.Helper()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	return webtest.NewStaffEnv(t, n, mun, func(s *web.Server, e *webtest.StaffEnv) error {
		d, err := caseworker.Mount(s, caseworker.Deps{Workflow: e.WF, Casework: e.Desk, Config: e.MC})
		if err != nil {
			return err
		}
		return whatifweb.Mount(s, d, &whatif.Runner{Cases: whatifdb.New(e.DB), Live: whatif.Live{Params: p, Municipal: e.MC.Lookup()}}, e.Cases)
	})
}

// runJobs runs the what-if jobs of e's database until none is due, as a
// server's workers do.
func runJobs(t *testing.T, e *webtest.StaffEnv) {
	t.Helper()
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := &whatif.Runner{Cases: whatifdb.New(e.DB), Live: whatif.Live{Params: p, Municipal: e.MC.Lookup()}}
	q := e.DB.Queue(jobs.Config{Workers: 1})
	r.Handle(q)
	dbtest.RunJobs(t, e.DB, q.Run)
}

var runPath = regexp.MustCompile(`^/handlaggning/provkorning/([0-9A-Z]+)\?kommun=0821$`)

// upload posts the form with a candidate file, as a browser does.
func upload(t *testing.T, e *webtest.StaffEnv, staff string, form url.Values, name string, file []byte) webtest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		w, _ := mw.CreateFormFile("fil", name)
		w.Write(file)
	}
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/handlaggning/provkorning?kommun=0821", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set(webtest.StaffHeader, staff)
	return webtest.Do(t, e.H, r)
}

// lowLimit is the demo's delegation example with a limit of 1 kr: every
// decision the robot made goes to a caseworker instead.
func lowLimit(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../../examples/whatif/routing-8000.json")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte(`"max_amount": 8000`), []byte(`"max_amount": 1`))
}

func robotDecided(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM decisions WHERE decided_by_delegation <> ''`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStartRunReadResult: a manager starts a run of an uploaded routing
// version; the result counts what the store holds, lists the changed
// cases (each logged as read), exports them as CSV and opens one side by
// side with the trace.
func TestStartRunReadResult(t *testing.T) {
	e := newEnv(t, 16)
	viktor := devidp.ViktorChefsson
	res := e.Get(t, viktor, "/handlaggning/provkorning")
	wantStatus(t, res, 200, "form")
	mustContain(t, res.Body, `aria-current="page">Provkörningar</a>`, "Exempel: högsta boendekostnad 10 % högre (0821)",
		`enctype="multipart/form-data"`, "Inga provkörningar har gjorts ännu.")
	webtest.NoInlineScriptOrStyle(t, res.Body, "what-if form")

	// Mistakes are named by their field, in Swedish.
	res = upload(t, e, viktor, url.Values{"kandidat": {"routning"}, "from": {"2026-13"}, "outcomes": {"maybe"}}, "", nil)
	wantStatus(t, res, 422, "no file, a bad month and outcome")
	mustContain(t, res.Body, `<a href="#f-fil">Kandidatfil: välj en fil att ladda upp.</a>`,
		`<a href="#f-from">Ange från- och till-månad som ÅÅÅÅ-MM.</a>`, `<a href="#f-outcomes">Okänt utfall maybe`)
	res = upload(t, e, viktor, url.Values{"kandidat": {"routning"}}, "trasig.json", []byte(`{"version": 1}`))
	wantStatus(t, res, 422, "a file that is not a routing version")
	mustContain(t, res.Body, `<a href="#f-fil">Kandidatfil: trasig.json: `)
	res = upload(t, e, viktor, url.Values{"kandidat": {"exempel-bostad"}, "from": {"2026-11"}, "to": {"2026-10"}}, "", nil)
	wantStatus(t, res, 422, "to before from")
	mustContain(t, res.Body, `<a href="#f-to">Till-månaden ska vara samma som eller efter från-månaden.</a>`)

	robot := robotDecided(t, e.DB)
	if robot == 0 {
		t.Fatal("the robot decided nothing in the fixture")
	}
	res = upload(t, e, viktor, url.Values{"kandidat": {"routning"}}, "routing-1.json", lowLimit(t))
	wantStatus(t, res, 303, "start")
	loc := res.Header.Get("Location")
	m := runPath.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("redirect to %q", loc)
	}
	// The run is a job: until the workers have run it, its page shows how
	// far it has come in a status region, with a link to look again.
	res = e.Get(t, viktor, loc)
	wantStatus(t, res, 200, "queued run")
	mustContain(t, res.Body, `<h2 id="progress-heading">Körningen pågår</h2>`, `<p role="status" id="progress-status">Körningen väntar på att starta.</p>`,
		`<a href="`+strings.ReplaceAll(loc, "&", "&amp;")+`">Uppdatera sidan</a>`)
	res = e.Get(t, viktor, "/handlaggning/provkorning")
	mustContain(t, res.Body, "<td>Väntar</td>")
	runJobs(t, e)
	run, err := whatif.Load(context.Background(), whatifdb.New(e.DB), m[1])
	if err != nil {
		t.Fatal(err)
	}
	if run.Actor != "staff:"+viktor || run.Totals.Changed < robot || len(run.Changes) != run.Totals.Changed {
		t.Fatalf("kept run: actor %s, %d changed, robot decided %d", run.Actor, run.Totals.Changed, robot)
	}
	first := run.Changes[0]
	before := e.Reads(t, first.CaseID, "staff:"+viktor)
	res = e.Get(t, viktor, loc)
	wantStatus(t, res, 200, "result")
	mustNotContain(t, res.Body, `role="status"`, "Uppdatera sidan")
	mustContain(t, res.Body, "Routning: routing-1.json", "Viktor Chefsson",
		`<div><dt>Beslut i urvalet</dt><dd>`+strconv.Itoa(run.Totals.Cases)+`</dd></div>`,
		`<div><dt>Ändrade beslut</dt><dd>`+strconv.Itoa(run.Totals.Changed)+`</dd></div>`,
		`role="img" aria-labelledby="chart-households-title chart-households-desc"`,
		`<title id="chart-households-title">Beslut och ändrade beslut per hushållstyp</title>`,
		`<th scope="row">Ensamstående utan barn</th>`,
		"väg: automatiserat beslut → beslutsförslag till handläggare",
		first.CaseID, `/handlaggning/provkorning/`+run.ID+`/arende/`+first.DecisionID)
	// The totals are in words a non-programmer reads: the routes and stop
	// reasons by name, not by code; all months; seconds with a decimal
	// comma; no "−0 kr".
	mustContain(t, res.Body, "<dt>Väg: automatiserat beslut → beslutsförslag till handläggare</dt>",
		"<dt>Nytt skäl att stanna: Utanför delegationen</dt>", "<dd>alla månader</dd>")
	mustNotContain(t, res.Body, "decide→propose", skalig.ReasonOutsideDelegation+"</dt>", "−0 kr", "+0 kr", "månader alla")
	if regexp.MustCompile(`\(\d+\.\d+ sekunder\)`).MatchString(res.Body) {
		t.Error("seconds written with a decimal point in Swedish")
	}
	webtest.NoInlineScriptOrStyle(t, res.Body, "what-if result")
	if after := e.Reads(t, first.CaseID, "staff:"+viktor); after != before+1 {
		t.Errorf("reads of a shown case: %d, want %d", after, before+1)
	}
	res = e.Get(t, viktor, loc+"&sida=9")
	wantStatus(t, res, 400, "a page that does not exist")

	// The list names the run and who ran it.
	res = e.Get(t, viktor, "/handlaggning/provkorning")
	mustContain(t, res.Body, `<a href="`+strings.ReplaceAll(loc, "&", "&amp;")+`">`, "Routning: routing-1.json")
	mustNotContain(t, res.Body, "Inga provkörningar har gjorts ännu.")

	// CSV: one row per changed case.
	res = e.Get(t, viktor, "/handlaggning/provkorning/"+run.ID+"/csv?kommun=0821")
	wantStatus(t, res, 200, "CSV")
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || len(rows) != run.Totals.Changed+1 || rows[0][0] != "case_id" {
		t.Errorf("CSV: %d rows, %v", len(rows), err)
	}

	// Side by side.
	before = e.Reads(t, first.CaseID, "staff:"+viktor)
	res = e.Get(t, viktor, "/handlaggning/provkorning/"+run.ID+"/arende/"+first.DecisionID+"?kommun=0821")
	wantStatus(t, res, 200, "side by side")
	mustContain(t, res.Body, "beslutat och kandidat sida vid sida", `<th scope="row">Väg</th><td>automatiserat beslut</td><td>beslutsförslag till handläggare</td>`,
		`<caption id="trace-caption">`, `<th scope="row">Beräknat bistånd</th>`,
		// The trace's lines are named by their text, as on the case page.
		`<th scope="row">Försörjningsstöd för månaden: behovet minus inkomsterna</th>`, `<code class="cw-meta">aid</code>`)
	mustNotContain(t, res.Body, `<th scope="row">aid</th>`)
	if after := e.Reads(t, first.CaseID, "staff:"+viktor); after != before+1 {
		t.Errorf("reads of the compared case: %d, want %d", after, before+1)
	}
	// The manager may open the case; an administrator, who may not (the
	// case page answers 403), is not offered the link.
	compare := "/handlaggning/provkorning/" + run.ID + "/arende/" + first.DecisionID + "?kommun=0821"
	mustContain(t, e.Get(t, viktor, compare).Body, `<a href="/handlaggning/arenden/`+first.CaseID+`">Öppna ärendet</a>`)
	wantStatus(t, e.Get(t, devidp.WilmaAdminsson, "/handlaggning/arenden/"+first.CaseID), 403, "an administrator opens a case")
	res = e.Get(t, devidp.WilmaAdminsson, compare)
	wantStatus(t, res, 200, "side by side for an administrator")
	mustNotContain(t, res.Body, "/handlaggning/arenden/", "Öppna ärendet")
	// In English the route and outcome are in English.
	res = e.Get(t, viktor, "/handlaggning/provkorning/"+run.ID+"/arende/"+first.DecisionID+"?kommun=0821&lang=en")
	mustNotContain(t, res.Body, "<td>automatiserat beslut</td>", "<td>bifall</td>")
	res = e.Get(t, viktor, loc+"&lang=en")
	mustContain(t, res.Body, "<dd>all months</dd>")
	mustNotContain(t, res.Body, "decide→propose")
	res = e.Get(t, viktor, "/handlaggning/provkorning/"+run.ID+"/arende/nope?kommun=0821")
	wantStatus(t, res, 404, "a decision not among the changes")

	// A caseworker may not; staff of another municipality see nothing.
	res = e.Get(t, devidp.SaraHandlaggarsson, loc)
	wantStatus(t, res, 403, "a caseworker")
	for _, en := range []string{"en", "ar"} {
		res = e.Get(t, viktor, loc+"&lang="+en)
		wantStatus(t, res, 200, "result in "+en)
	}
	// Right to left, "then → now" points the reader's way.
	mustContain(t, res.Body, "←")
	mustNotContain(t, res.Body, "→")
}

// TestReadyMadeExample: the demo's housing example runs from the form
// without a file and counts every decision of Högsby.
func TestReadyMadeExample(t *testing.T) {
	e := newEnv(t, 8)
	res := e.Post(t, devidp.WilmaAdminsson, "/handlaggning/provkorning?kommun=0821", url.Values{"kandidat": {"exempel-bostad"},
		"household_types": {"single", "with_children"}})
	wantStatus(t, res, 303, "start the example")
	runJobs(t, e)
	res = e.Get(t, devidp.WilmaAdminsson, res.Header.Get("Location"))
	wantStatus(t, res, 200, "result")
	mustContain(t, res.Body, "Kommunens riktlinjer: 0821-bostad&#43;10.json", "hushållstyper: Ensamstående utan barn, Med barn")
}

// TestShadowRunForm: with an end date the form starts a shadow run, whose
// page names its period and shows the decisions compared so far; a bad
// date is named by its field.
func TestShadowRunForm(t *testing.T) {
	e := newEnv(t, 4)
	wilma := devidp.WilmaAdminsson
	res := e.Post(t, wilma, "/handlaggning/provkorning?kommun=0821", url.Values{"kandidat": {"exempel-delegation"}, "skugga_till": {"i morgon"}})
	wantStatus(t, res, 422, "a bad end date")
	mustContain(t, res.Body, `<a href="#f-skugga_till">Skuggkör fram till: ange ett datum efter i dag`)
	res = e.Post(t, wilma, "/handlaggning/provkorning?kommun=0821", url.Values{"kandidat": {"exempel-delegation"}, "skugga_till": {"2020-01-01"}})
	wantStatus(t, res, 422, "an end date that has passed")
	until := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	res = e.Post(t, wilma, "/handlaggning/provkorning?kommun=0821", url.Values{"kandidat": {"exempel-delegation"}, "skugga_till": {until}})
	wantStatus(t, res, 303, "start a shadow run")
	res = e.Get(t, wilma, res.Header.Get("Location"))
	wantStatus(t, res, 200, "the shadow run's page")
	mustContain(t, res.Body, "<dt>Skuggperiod</dt>", until+" 00:00", `<p role="status" id="progress-status">0 beslut jämförda hittills.`, "Uppdatera sidan")
	res = e.Get(t, wilma, "/handlaggning/provkorning")
	mustContain(t, res.Body, "<td>Skuggkörning: Väntar</td>")
}

// TestStopShadowRun: an administrator ends a shadow run before its period
// is over from its page (audited with her name); a manager, who may read
// the run, sees no such form and may not post it; a run that is over
// cannot be ended again.
func TestStopShadowRun(t *testing.T) {
	e := newEnv(t, 4)
	wilma, viktor := devidp.WilmaAdminsson, devidp.ViktorChefsson
	until := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	res := e.Post(t, wilma, "/handlaggning/provkorning?kommun=0821", url.Values{"kandidat": {"exempel-delegation"}, "skugga_till": {until}})
	wantStatus(t, res, 303, "start a shadow run")
	page := res.Header.Get("Location")
	id := strings.TrimPrefix(strings.Split(page, "?")[0], "/handlaggning/provkorning/")
	stop := "/handlaggning/provkorning/" + id + "/avsluta"
	res = e.Get(t, viktor, page)
	wantStatus(t, res, 200, "the manager reads the run")
	mustNotContain(t, res.Body, `action="`+stop+`"`)
	res = e.Post(t, viktor, stop, url.Values{})
	wantStatus(t, res, 403, "the manager ends the run")
	res = e.Get(t, wilma, page)
	mustContain(t, res.Body, `<form method="post" action="`+stop+`">`, "Avsluta skuggkörningen nu")
	res = e.Post(t, wilma, stop, url.Values{})
	wantStatus(t, res, 303, "the administrator ends the run")
	res = e.Get(t, wilma, res.Header.Get("Location"))
	wantStatus(t, res, 200, "the ended run's page")
	mustContain(t, res.Body, "Skuggkörningen är avslutad.")
	mustNotContain(t, res.Body, `action="`+stop+`"`)
	var n int
	if err := e.DB.SQL().QueryRow(`SELECT COUNT(*) FROM audit_trail WHERE action = 'whatif.shadow_stopped' AND actor = $1`, "staff:"+wilma).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d audit events of the stop (%v), want 1", n, err)
	}
	res = e.Post(t, wilma, stop, url.Values{})
	wantStatus(t, res, 400, "ending it again")
}

// TestRunProgressAndFailure: a run under way shows how far it has come in
// the status region with a progress bar; a failed run says why, with no
// link to look again.
func TestRunProgressAndFailure(t *testing.T) {
	e := newEnv(t, 4)
	wilma := devidp.WilmaAdminsson
	res := e.Post(t, wilma, "/handlaggning/provkorning?kommun=0821", url.Values{"kandidat": {"motor"}})
	wantStatus(t, res, 303, "start")
	loc := res.Header.Get("Location")
	id := runPath.FindStringSubmatch(loc)[1]
	w := whatifdb.New(e.DB)
	if err := w.SetProgress(context.Background(), id, 3, 12); err != nil {
		t.Fatal(err)
	}
	res = e.Get(t, wilma, loc)
	mustContain(t, res.Body, `<p role="status" id="progress-status">3 av 12 beslut lästa (25 %).</p>`,
		`<progress max="12" value="3" aria-labelledby="progress-heading" aria-describedby="progress-status">25 %</progress>`)
	if _, err := e.DB.SQL().Exec(`UPDATE whatif_runs SET candidate = '{', candidate_kind = 'routing' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	runJobs(t, e)
	res = e.Get(t, wilma, loc)
	mustContain(t, res.Body, `<h2 id="progress-heading">Körningen misslyckades</h2>`, "Körningen kunde inte göras klart: kandidaten kan inte läsas")
	mustNotContain(t, res.Body, "Uppdatera sidan")
	res = e.Get(t, wilma, "/handlaggning/provkorning")
	mustContain(t, res.Body, "<td>Misslyckades</td>")
}
