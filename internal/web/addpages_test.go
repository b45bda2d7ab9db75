package web_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"skalig/internal/web"
)

// part is a part of the site with one page and one partial.
func part(page, partial string) fstest.MapFS {
	fs := fstest.MapFS{"templates/pages/" + page + ".html": {Data: []byte(
		`{{define "content"}}<h1>{{template "` + partial + `" .}}</h1>{{end}}`)}}
	if partial != "" {
		fs["templates/partials/"+partial+".html"] = &fstest.MapFile{Data: []byte(`{{define "` + partial + `"}}` + partial + ` {{t "layout.logout"}}{{end}}`)}
	}
	return fs
}

// TestAddPages: a part's pages are parsed with the layout, the shared
// partials, the partials of the parts it uses and its own, in every
// language; mistakes are errors at start.
func TestAddPages(t *testing.T) {
	s, err := web.New(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddPages("one", part("one-page", "one-partial")); err != nil {
		t.Fatal(err)
	}
	two := part("two-page", "one-partial")
	delete(two, "templates/partials/one-partial.html")
	if err := s.AddPages("two", two); err == nil || !strings.Contains(err.Error(), "no template one-partial") {
		t.Errorf("a partial of another part without uses: %v", err)
	}
	if err := s.AddPages("two", two, "one"); err != nil {
		t.Errorf("uses: %v", err)
	}
	if err := s.AddPages("three", part("one-page", "x")); err == nil {
		t.Error("a page name taken twice")
	}
	if err := s.AddPages("four", part("four-page", "y"), "nobody"); err == nil {
		t.Error("uses a part not added")
	}
	if err := s.AddPages("five", fstest.MapFS{"templates/pages/five.html": {Data: []byte(`{{define "content"}}{{end`)}}); err == nil {
		t.Error("a page that does not parse")
	}
	if err := s.AddPages("six", fstest.MapFS{"templates/pages/six.html": {Data: []byte(`<p>no content</p>`)}}); err == nil {
		t.Error("a page without content")
	}
	s.HandleFunc("GET /two", func(w http.ResponseWriter, r *http.Request) {
		p := s.Page(r)
		p.Title = "Två"
		s.Render(w, r, http.StatusOK, "two-page", p)
	})
	h := s.Handler()
	for _, l := range web.Languages {
		res := get(t, h, "/two?lang="+l.Code)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", l.Code, res.StatusCode)
		}
		mustContain(t, res.Body, "<h1>one-partial "+l.T("layout.logout")+"</h1>", `lang="`+l.Code+`"`)
	}
	if err := s.AddPages("late", part("late-page", "z")); err == nil {
		t.Error("AddPages after Handler")
	}
}
