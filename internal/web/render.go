package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
	"time"

	"skalig"
)

// Page is what every page template gets as its dot. Handlers fill Title and
// Data (and Form for a form page); Server.Page fills the rest from the
// request.
type Page struct {
	// Title is the page's own title, already translated; the layout adds
	// the service name and, when Form has errors, the "Fel:" prefix.
	Title string
	// Data is the page's own data.
	Data any
	// Form is the form of the page, if any: its values and field errors.
	Form *Form

	Lang         *Lang
	Langs        []LangLink
	Municipality string // the municipality's name, shown in the header
	// Contact is how to reach social services (Config.Contact), for the
	// footer and the pages that tell whom to call.
	Contact Contact
	Session Session
	// SessionEnds is Session.ExpiresAt as a clock time in the server's time
	// zone ("14.32"), or "".
	SessionEnds string
	RequestID   string
	Path        string // the request path, for "current page" marks and "return" fields
	// LoginURL is where "Logga in" goes from this page, or "".
	LoginURL string
	Version  string
}

// T translates key in the page's language (the same as the template
// function t).
func (p *Page) T(key string, args ...any) string { return p.Lang.T(key, args...) }

// HasErrors reports whether the page's form has errors.
func (p *Page) HasErrors() bool { return p.Form != nil && p.Form.HasErrors() }

// Session is what the layout shows about the person who is logged in. The
// zero value is "not logged in". Config.Session fills it; AuthSession does
// it for internal/auth. The layout follows the markup contract of
// docs/login.md: a visible notice of the idle timeout with a button that
// extends the session (works without JavaScript), and a warning dialog that
// the login package's script (ScriptURL) opens before the end.
type Session struct {
	// Name is the person's name in the header; "" when not logged in.
	Name string
	// LogoutURL is where the logout button POSTs.
	LogoutURL string
	// ExtendURL is where "Förläng inloggningen" POSTs (with the field
	// "return": the page to come back to). Empty: no such button.
	ExtendURL string
	// ScriptURL is the idle-timeout script; ExpiredURL is where it sends the
	// browser when the session has ended. Empty ScriptURL: no script.
	ScriptURL, ExpiredURL string
	// IdleTimeout is how long the session lives without activity: every
	// page says so ("Du loggas ut efter 20 minuter utan aktivitet.").
	IdleTimeout time.Duration
	// Remaining is the time left of the session, ExpiresAt when it ends,
	// and Warning how long before the end the dialog opens (two minutes
	// when zero).
	Remaining time.Duration
	ExpiresAt time.Time
	Warning   time.Duration
	// Extendable is false when the session's lifetime, not idleness, ends
	// it: the dialog then says that the person must log in again soon.
	Extendable bool
	// CSRFName and CSRFToken, when set, are written as a hidden field into
	// every form that uses the "csrf" partial. Skälig's CSRF protection
	// (http.CrossOriginProtection) needs no token.
	CSRFName, CSRFToken string
}

// LoggedIn reports whether someone is logged in.
func (s Session) LoggedIn() bool { return s.Name != "" }

// IdleMinutes is IdleTimeout in whole minutes, rounded up.
func (s Session) IdleMinutes() int { return int((s.IdleTimeout + time.Minute - 1) / time.Minute) }

// RemainingSeconds is Remaining in whole seconds (IdleTimeout when
// Remaining is zero), for the script.
func (s Session) RemainingSeconds() int {
	if s.Remaining <= 0 {
		return int(s.IdleTimeout / time.Second)
	}
	return int(s.Remaining / time.Second)
}

// WarningSeconds is Warning in whole seconds (default 120), for the script.
func (s Session) WarningSeconds() int {
	if s.Warning <= 0 {
		return 120
	}
	return int(s.Warning / time.Second)
}

// WarningClock is the warning time as the countdown starts it: "2:00".
func (s Session) WarningClock() string {
	w := s.WarningSeconds()
	return fmt.Sprintf("%d:%02d", w/60, w%60)
}

// engine holds the parsed templates: one set per page and language, parsed
// once at start (or, with a development directory, on every render).
type engine struct {
	sets   map[string]map[string]*template.Template // page -> lang code -> template
	static map[string]string                        // file -> content hash (cache busting)
	base   *template.Template                       // the layout and the shared partials
	parts  map[string]pageSource                    // the parts added, by name
}

// pageFiles are the templates every page is parsed with: the layout and the
// partials.
const (
	layoutGlob  = "templates/layout.html"
	partialGlob = "templates/partials/*.html"
	pageGlob    = "templates/pages/*.html"
)

// pageSource is the templates of one part of the site (AddPages):
// templates/pages/*.html, and its own partials in templates/partials/*.html.
type pageSource struct {
	name string // its directory under internal/web, for Config.DevDir
	fsys fs.FS
	uses []string // parts added before whose partials its pages use too
}

// baseFuncs are the template functions that do not depend on the language.
// The language-bound ones (t, money, month, date) are set per language.
func baseFuncs(static map[string]string) template.FuncMap {
	return template.FuncMap{
		"t":       func(key string, args ...any) string { return key },
		"money":   func(m skalig.Money) string { return m.Swedish() },
		"month":   func(m skalig.Month) string { return m.String() },
		"date":    func(t time.Time) string { return t.Format("2006-01-02") },
		"static":  func(name string) (string, error) { return staticURL(static, name) },
		"field":   newField,
		"fieldID": FieldID,
		// tel is a phone number as a tel: URL wants it: digits and a
		// leading +, the rest ("0491-00 00 00 (exempel)") dropped.
		"tel": telDigits,
		"options": func(pairs ...string) ([]Option, error) {
			if len(pairs)%2 != 0 {
				return nil, fmt.Errorf("options: %d arguments, want value/label pairs", len(pairs))
			}
			out := make([]Option, 0, len(pairs)/2)
			for i := 0; i < len(pairs); i += 2 {
				out = append(out, Option{Value: pairs[i], Label: pairs[i+1]})
			}
			return out, nil
		},
		// dict builds a map for passing several values to a partial:
		// {{template "x" dict "Page" . "Item" $item}}.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}

// langFuncs are the template functions bound to one language.
func langFuncs(l *Lang) template.FuncMap {
	return template.FuncMap{
		"t":     l.T,
		"money": l.Money,
		"month": l.Month,
		"date":  l.Date,
	}
}

// newEngine parses every page of fsys with the layout and the partials, for
// every language, and then the pages of each of sources with their own
// partials. It fails on a template that does not parse, a page that does
// not define "content", or two pages of one name: mistakes to catch at
// start.
func newEngine(fsys fs.FS, sources ...pageSource) (*engine, error) {
	e := &engine{sets: map[string]map[string]*template.Template{}, static: map[string]string{}, parts: map[string]pageSource{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		e.static[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	e.base, err = template.New("").Funcs(baseFuncs(e.static)).ParseFS(fsys, layoutGlob, partialGlob)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if err := e.addPages(fsys, e.base); err != nil {
		return nil, err
	}
	for _, src := range sources {
		if err := e.add(src); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// add parses the pages of src with the layout, the shared partials, the
// partials of the parts src uses and src's own partials.
func (e *engine) add(src pageSource) error {
	if _, dup := e.parts[src.name]; dup {
		return fmt.Errorf("web: pages of %s added twice", src.name)
	}
	base, err := e.base.Clone()
	if err != nil {
		return err
	}
	var from []pageSource
	for _, u := range src.uses {
		p, ok := e.parts[u]
		if !ok {
			return fmt.Errorf("web: %s uses the partials of %s, which were not added before", src.name, u)
		}
		from = append(from, p)
	}
	for _, p := range append(from, src) {
		partials, err := fs.Glob(p.fsys, partialGlob)
		if err != nil {
			return err
		}
		if len(partials) > 0 {
			if base, err = base.ParseFS(p.fsys, partialGlob); err != nil {
				return fmt.Errorf("web: %s: %w", src.name, err)
			}
		}
	}
	if err := e.addPages(src.fsys, base); err != nil {
		return err
	}
	e.parts[src.name] = src
	return nil
}

// addPages parses every page of fsys on a clone of base.
func (e *engine) addPages(fsys fs.FS, base *template.Template) error {
	pages, err := fs.Glob(fsys, pageGlob)
	if err != nil {
		return err
	}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if _, dup := e.sets[name]; dup {
			return fmt.Errorf("web: two page templates named %q", name)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.New(p).Parse(string(b)); err != nil {
			return fmt.Errorf("web: %w", err)
		}
		if t.Lookup("content") == nil {
			return fmt.Errorf("web: %s does not define \"content\"", p)
		}
		if err := undefinedTemplates(t); err != nil {
			return fmt.Errorf("web: %s: %w", p, err)
		}
		e.sets[name] = map[string]*template.Template{}
		for _, l := range Languages {
			lt, err := t.Clone()
			if err != nil {
				return err
			}
			e.sets[name][l.Code] = lt.Funcs(langFuncs(l))
		}
	}
	return nil
}

// undefinedTemplates returns an error naming a template that t calls
// ({{template "x"}}) but does not define: html/template finds it only when
// the page is rendered, and a part's page that uses another part's partial
// without AddPages's uses would fail then.
func undefinedTemplates(t *template.Template) error {
	var missing []string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			if t.Lookup(n.Name) == nil && !slices.Contains(missing, n.Name) {
				missing = append(missing, n.Name)
			}
		}
	}
	for _, d := range t.Templates() {
		if d.Tree != nil {
			walk(d.Tree.Root)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("no template %s", strings.Join(missing, ", "))
	}
	return nil
}

// render executes page in language l into a buffer, so that a template error
// becomes a clean error page and never half a page.
func (e *engine) render(page string, l *Lang, data *Page) ([]byte, error) {
	set, ok := e.sets[page]
	if !ok {
		return nil, fmt.Errorf("web: no page template %q", page)
	}
	var buf bytes.Buffer
	if err := set[l.Code].ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("web: render %s (%s): %w", page, l.Code, err)
	}
	if renderHook != nil {
		renderHook(page)
	}
	return buf.Bytes(), nil
}

// renderHook, when set (by the tests), is told every page rendered.
var renderHook func(page string)

// OnRender makes f be told the name of every page rendered, so that the
// tests of a part of the site can check that each of its page templates
// is rendered by some test. For tests only: call it before any request.
func OnRender(f func(page string)) { renderHook = f }

func staticURL(static map[string]string, name string) (string, error) {
	h, ok := static[name]
	if !ok {
		return "", fmt.Errorf("static: no file %q", name)
	}
	return "/static/" + name + "?v=" + h, nil
}

// engineSource gives the engine to use for one render: the one parsed at
// start, or with a development directory a fresh one from disk.
type engineSource struct {
	fixed   *engine
	dev     fs.FS
	devDir  string
	sources []pageSource // as added, for dev
	mu      sync.Mutex
}

func (s *engineSource) get() (*engine, error) {
	if s.dev == nil {
		return s.fixed, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return newEngine(s.dev, s.sources...)
}

// AddPages adds the page templates of another part of the site:
// templates/pages/*.html of fsys, parsed with the layout, the shared
// partials, the partials of the parts named in uses (added before) and
// fsys's own templates/partials/*.html, in every language. name is the
// part's directory under internal/web ("applicant"): with Config.DevDir
// its templates are read from DevDir/name instead. A template that does
// not parse, or a page name already taken, is an error: call it at start,
// before Handler.
func (s *Server) AddPages(name string, fsys fs.FS, uses ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.built {
		return fmt.Errorf("web: AddPages %s after Handler", name)
	}
	src := pageSource{name: name, fsys: fsys, uses: uses}
	if s.engines.dev != nil {
		src.fsys = os.DirFS(filepath.Join(s.engines.devDir, name))
	}
	s.engines.mu.Lock()
	defer s.engines.mu.Unlock()
	if err := s.engines.fixed.add(src); err != nil {
		return err
	}
	s.engines.sources = append(s.engines.sources, src)
	return nil
}

// Render writes page (a file in templates/pages without ".html") with the
// layout in the page's language and status. A template error is logged and
// answered with the 500 page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, page string, p *Page) {
	e, err := s.engines.get()
	var body []byte
	if err == nil {
		body, err = e.render(page, p.Lang, p)
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "render", "request_id", p.RequestID, "page", page, "err", err)
		if page == "error" {
			// The error page itself failed: plain text, still without detail.
			http.Error(w, "Internt fel. Felkod: "+p.RequestID, http.StatusInternalServerError)
			return
		}
		s.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Content-Language", p.Lang.Code)
	w.WriteHeader(status)
	w.Write(body)
}

// telDigits keeps the digits of a phone number, and a leading +.
func telDigits(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}
