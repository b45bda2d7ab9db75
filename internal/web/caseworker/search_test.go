package caseworker_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
)

// TestCaseworkerSearch: a caseworker finds a case by case number and by a
// household member's personnummer, within the municipality only; each case
// shown is logged as read; the term is never in a URL or the page title.
func TestCaseworkerSearch(t *testing.T) {
	e := newCWEnv(t, 4)
	ctx := context.Background()
	sara, yusuf := devidp.SaraHandlaggarsson, devidp.YusufKalmarsson
	id := e.ByKind[demo.Plain][0]
	cs, err := e.Cases.Case(ctx, id)
	if err != nil || cs.Number == "" {
		t.Fatalf("case %+v, %v", cs, err)
	}
	app, err := e.Cases.CaseApplication(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	pn := app.Members[0].PersonalNumber.Canonical()

	res := e.Get(t, sara, "/handlaggning/sok")
	wantStatus(t, res, http.StatusOK, "search page")
	if !strings.Contains(res.Body, `method="post" action="/handlaggning/sok"`) {
		t.Error("the search form is not a POST")
	}
	before := e.Reads(t, id, "staff:"+sara)
	for _, q := range []string{cs.Number, pn[:8] + "-" + pn[8:]} {
		res := e.Post(t, sara, "/handlaggning/sok", url.Values{"q": {q}})
		wantStatus(t, res, http.StatusOK, "search "+q)
		mustContain(t, res.Body, `href="/handlaggning/arenden/`+id+`"`, cs.Number)
		if title := res.Body[strings.Index(res.Body, "<title>"):strings.Index(res.Body, "</title>")]; strings.Contains(title, pn[:8]) {
			t.Errorf("the personnummer in the title: %s", title)
		}
	}
	if n := e.Reads(t, id, "staff:"+sara); n != before+2 {
		t.Errorf("%d reads logged for two searches that showed the case, want %d", n-before, 2)
	}
	// Another municipality's caseworker finds nothing, and reads nothing.
	res = e.Post(t, yusuf, "/handlaggning/sok", url.Values{"q": {cs.Number}})
	wantStatus(t, res, http.StatusOK, "search in another municipality")
	if strings.Contains(res.Body, id) {
		t.Error("a case of another municipality is found")
	}
	if n := e.Reads(t, id, "staff:"+yusuf); n != 0 {
		t.Errorf("%d reads logged for another municipality", n)
	}
	// By name: any word, in any case (Å, Ä and Ö folded too); each case
	// shown is a read.
	name := app.Members[0].Name
	if name == "" {
		t.Fatal("the demo household has no name")
	}
	given, family, _ := strings.Cut(name, " ")
	before = e.Reads(t, id, "staff:"+sara)
	for _, q := range []string{name, strings.ToUpper(family), strings.ToLower(given) + " " + strings.ToUpper(family)} {
		res := e.Post(t, sara, "/handlaggning/sok", url.Values{"q": {q}})
		wantStatus(t, res, http.StatusOK, "search "+q)
		mustContain(t, res.Body, `href="/handlaggning/arenden/`+id+`"`, name)
	}
	if n := e.Reads(t, id, "staff:"+sara); n != before+3 {
		t.Errorf("%d reads logged for three searches by name that showed the case, want 3", n-before)
	}
	res = e.Post(t, yusuf, "/handlaggning/sok", url.Values{"q": {name}})
	if strings.Contains(res.Body, id) {
		t.Error("a case of another municipality is found by name")
	}
	res = e.Post(t, sara, "/handlaggning/sok", url.Values{"q": {"Ingen Sådan Persson"}})
	wantStatus(t, res, http.StatusOK, "a name nobody has")
	mustContain(t, res.Body, "Inga ärenden i din kommun matchar sökningen.")
	// Bad input: a Swedish message naming the field.
	res = e.Post(t, sara, "/handlaggning/sok", url.Values{"q": {"12345"}})
	wantStatus(t, res, http.StatusUnprocessableEntity, "digits that are no number")
	mustContain(t, res.Body, "Namn, ärendenummer eller personnummer")
	wantStatus(t, e.Post(t, sara, "/handlaggning/sok", url.Values{"q": {""}}), http.StatusUnprocessableEntity, "empty")
	// The case page's title names the case number, not the personnummer;
	// its heading the name and the case number.
	res = e.Get(t, sara, "/handlaggning/arenden/"+id)
	title := res.Body[strings.Index(res.Body, "<title>"):strings.Index(res.Body, "</title>")]
	if strings.Contains(title, pn[:8]) || !strings.Contains(title, cs.Number) {
		t.Errorf("case page title %q", title)
	}
	mustContain(t, res.Body, "<h1>"+name+", ärende "+cs.Number+"</h1>")
	h1 := res.Body[strings.Index(res.Body, "<h1>"):strings.Index(res.Body, "</h1>")]
	if strings.Contains(h1, pn[:8]) {
		t.Errorf("the personnummer in the heading: %s", h1)
	}
	// The queue names the applicants of its cases.
	open, err := e.Desk.OpenCases(ctx, "0821")
	if err != nil || len(open) == 0 {
		t.Fatalf("OpenCases = %d, %v", len(open), err)
	}
	res = e.Get(t, sara, "/handlaggning?ko=alla")
	wantStatus(t, res, http.StatusOK, "queue")
	for _, it := range open {
		if it.ApplicantName == "" {
			t.Errorf("queue item %s without the applicant's name", it.Case.ID)
		}
		mustContain(t, res.Body, `data-queue-link>`+it.ApplicantName+` <span dir="ltr">`+it.Applicant.Masked()+`</span>`)
	}
}

// TestCaseworkerSearchWithoutDiacritics: a caseworker on the phone types
// a name without its diacritics and finds it ("goran" finds Göran and
// Goran); typed with them, it finds them only ("göran" finds Göran). Each
// case shown is logged as read.
func TestCaseworkerSearchWithoutDiacritics(t *testing.T) {
	e := newCWEnv(t, 1)
	ctx := context.Background()
	sara := devidp.SaraHandlaggarsson
	ids := map[string]string{}
	for i, hh := range demo.Generate(7, "0821", skalig.MonthOf(2026, 10), 3) {
		name := []string{"Göran Diakritsson", "Goran Diakritsson", "José Müller"}[i]
		for j := range hh.App.Members {
			hh.App.Members[j].Name = "" // a co-applicant's demo name may be Göran
		}
		hh.App.Members[0].Name = name
		c, _, err := e.WF.Submit(ctx, hh.App)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = c.ID
	}
	goeran, goran, jose := ids["Göran Diakritsson"], ids["Goran Diakritsson"], ids["José Müller"]
	for q, want := range map[string][]string{
		"goran":             {goeran, goran},
		"GORAN diakritsson": {goeran, goran},
		"göran":             {goeran},
		"jose muller":       {jose},
		"josé":              {jose},
		// Spelled without ö and ü, and the beginning of a word.
		"goeran diakr": {goeran},
		"jose mueller": {jose},
		"diakrit":      {goeran, goran},
	} {
		before := map[string]int{}
		for _, id := range ids {
			before[id] = e.Reads(t, id, "staff:"+sara)
		}
		res := e.Post(t, sara, "/handlaggning/sok", url.Values{"q": {q}})
		wantStatus(t, res, http.StatusOK, "search "+q)
		for name, id := range ids {
			shown, read := strings.Contains(res.Body, `href="/handlaggning/arenden/`+id+`"`), e.Reads(t, id, "staff:"+sara)-before[id]
			if wanted := slices.Contains(want, id); shown != wanted || read != map[bool]int{true: 1}[wanted] {
				t.Errorf("search %q: %s shown %v and read %d times, want %v", q, name, shown, read, wanted)
			}
		}
	}
}
