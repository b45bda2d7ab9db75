package api_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
	"skalig/internal/api"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow"
)

func TestLetterRoutes(t *testing.T) {
	h, wf, db := caseServer(t)
	ctx := context.Background()
	var ids []string
	for _, hh := range demo.GenerateScenario(1, "0821", skalig.MonthOf(2026, 11), demo.Plain, 4) {
		c, _, err := wf.Submit(ctx, hh.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	first := demo.GenerateScenario(2, "0821", skalig.MonthOf(2026, 11), demo.First, 1)[0]
	undecided, _, err := wf.Submit(ctx, first.App)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.RunJobs(t, db, wf.Run)
	id := ""
	for _, i := range ids {
		if _, err := wf.Cases().CaseDecision(ctx, i); err == nil {
			id = i
		}
	}
	if id == "" {
		t.Fatal("no case was decided")
	}
	if _, err := wf.Cases().CaseDecision(ctx, undecided.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("the first application was decided: %v", err)
	}

	pdf := call(t, h, "GET", "/api/v1/cases/"+id+"/letter.pdf", tokHogby, "", "")
	if pdf.Code != 200 || pdf.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.Body.Bytes(), []byte("%PDF-1.7")) {
		t.Fatalf("letter.pdf: %d %s", pdf.Code, pdf.Header())
	}
	again := call(t, h, "GET", "/api/v1/cases/"+id+"/letter.pdf", tokAll, "", "")
	if !bytes.Equal(pdf.Body.Bytes(), again.Body.Bytes()) {
		t.Error("the same decision gave another PDF")
	}
	html := call(t, h, "GET", "/api/v1/cases/"+id+"/letter.html", tokHogby, "", "")
	body := html.Body.String()
	if html.Code != 200 || !strings.HasPrefix(html.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(body, `<html lang="sv-SE">`) || !caseNumberRE.MatchString(body) ||
		!strings.Contains(html.Header().Get("Content-Security-Policy"), "style-src 'sha256-") {
		t.Fatalf("letter.html: %d %s %.300s", html.Code, html.Header(), body)
	}
	for _, path := range []string{"/letter.pdf", "/letter.html"} {
		if w := call(t, h, "GET", "/api/v1/cases/"+id+path, tokOther, "", ""); w.Code != 404 {
			t.Errorf("another municipality's client reads %s: %d", path, w.Code)
		}
		if w := call(t, h, "GET", "/api/v1/cases/"+id+path, "", "", ""); w.Code != 401 {
			t.Errorf("without a token %s: %d", path, w.Code)
		}
		if w := call(t, h, "GET", "/api/v1/cases/"+undecided.ID+path, tokHogby, "", ""); w.Code != 404 || !strings.Contains(w.Body.String(), "inget beslut") {
			t.Errorf("a case without a decision %s: %d %s", path, w.Code, w.Body)
		}
		if w := call(t, h, "POST", "/api/v1/cases/"+id+path, tokHogby, "", ""); w.Code != 405 {
			t.Errorf("POST %s: %d", path, w.Code)
		}
	}
	// Every read is logged as a read of the letter by the client.
	events, _ := wf.Cases().AuditEvents(ctx, id)
	reads := 0
	for _, e := range events {
		if e.Action == store.ActionRead && strings.Contains(string(e.Data), "letter") {
			reads++
		}
	}
	if reads != 3 {
		t.Errorf("%d logged letter reads, want 3", reads)
	}
	doc := getOpenAPI(t, h)
	for _, p := range []string{"/api/v1/cases/{id}/letter.pdf", "/api/v1/cases/{id}/letter.html"} {
		if _, ok := doc.Paths[p]["get"]; !ok {
			t.Errorf("OpenAPI does not document %s", p)
		}
	}
}

// Each letter served counts in skalig_letters_total by the decision's
// outcome, the format and the interface; every outcome and format starts
// at zero.
func TestLetterMetrics(t *testing.T) {
	db := dbtest.Open(t)
	p, _ := params.Default()
	mun, _ := municipal.Default()
	wf, err := workflow.New(workflow.Config{Cases: store.NewCaseStore(db), Params: p, Municipal: mun,
		Registers: sim.New(sim.Config{Seed: 1}), RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	h := validating(t, api.New(api.Config{Params: p, Workflow: wf, Registry: reg,
		Tokens: []api.Token{{Name: "hogsby", Secret: tokHogby, Municipalities: []string{"0821"}}}}).Handler())
	ctx := context.Background()
	var ids []string
	for _, hh := range demo.GenerateScenario(1, "0821", skalig.MonthOf(2026, 11), demo.Plain, 4) {
		c, _, err := wf.Submit(ctx, hh.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	dbtest.RunJobs(t, db, wf.Run)
	var id string
	var outcome skalig.Outcome
	for _, i := range ids {
		if d, err := wf.Cases().CaseDecision(ctx, i); err == nil {
			id, outcome = i, d.Outcome
		}
	}
	if id == "" {
		t.Fatal("no case was decided")
	}
	count := func(o, format string) float64 {
		t.Helper()
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != "skalig_letters_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				l := map[string]string{}
				for _, lp := range m.GetLabel() {
					l[lp.GetName()] = lp.GetValue()
				}
				if l["outcome"] == o && l["format"] == format && l["via"] == "api" {
					return m.GetCounter().GetValue()
				}
			}
		}
		t.Fatalf("no skalig_letters_total{outcome=%q,format=%q,via=\"api\"}", o, format)
		return 0
	}
	if count("rejected", "pdf") != 0 || count("partly_approved", "html") != 0 {
		t.Error("the letter counters do not start at zero")
	}
	for _, path := range []string{"/letter.pdf", "/letter.pdf", "/letter.html"} {
		if w := call(t, h, "GET", "/api/v1/cases/"+id+path, tokHogby, "", ""); w.Code != 200 {
			t.Fatalf("%s: %d", path, w.Code)
		}
	}
	// A refused request counts nothing.
	call(t, h, "GET", "/api/v1/cases/NOPE/letter.pdf", tokHogby, "", "")
	if pdf, html := count(string(outcome), "pdf"), count(string(outcome), "html"); pdf != 2 || html != 1 {
		t.Errorf("letters of outcome %s: pdf %v, html %v, want 2 and 1", outcome, pdf, html)
	}
}

// caseNumberRE is the case number people quote (year, kommunkod, sequence),
// which the letter names instead of the internal id.
var caseNumberRE = regexp.MustCompile(`Ärendenummer: [0-9]{4}-[0-9]{4}-[0-9]{6}\.`)
