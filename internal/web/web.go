// Package web serves Skälig's HTML pages: the base layout, the language
// switch and the message catalogs (Swedish, English, Arabic), the form
// helpers and partials, the error pages, the static files, and the public
// pages that need no login: the start page, the transparency page about the
// automated handling (/om-automatiserad-handlaggning) and the accessibility
// statement (/tillganglighet). The other parts of the site are packages by
// audience built on the same Server with AddPages, Handle, Page and Render:
// applicant (the e-service and Mina sidor), caseworker (the staff's desk)
// and admin (the administration). The messages of all of them are the
// catalogs in locales/.
//
// Everything is server-rendered and works without JavaScript; the one
// script (static/skalig.js) only enhances. Pages are WCAG 2.1 AA: the
// browser tests in e2e/ run axe-core on them. Templates and static files are
// embedded and parsed once at start; Config.DevDir reads them from disk on
// every request instead. docs/web.md tells how to build a page.
package web

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"skalig"
	"skalig/internal/httpx"
	"skalig/internal/municipal"
	"skalig/internal/params"
)

//go:embed templates static
var embedded embed.FS

// Config is what the web server needs from the program that wires it (cmd/).
type Config struct {
	// Params are the dated parameters, shown on the transparency page.
	// Required.
	Params *params.Params
	// Municipalities are the municipalities Skälig knows. Required.
	Municipalities *municipal.Set
	// Municipality is the kommunkod of the municipality this server is for:
	// its name heads every page. Required, and must be in Municipalities.
	Municipality string
	// Delegation returns what the municipal board has delegated to the
	// automated decision function in month m, for the transparency page.
	// Nil, or a nil *Delegation: nothing is delegated, and the page says
	// that the robot only proposes. An error is logged and the page says
	// the information is missing.
	Delegation func(code string, m skalig.Month) (*Delegation, error)
	// Session tells the layout who is logged in and when the session ends.
	// Nil: nobody. AuthSession(a) gives it for internal/auth.
	Session func(r *http.Request) Session
	// LoginURL returns the path that logs in and comes back to returnTo
	// (auth.LoginURL). Nil: the pages offer no login link.
	LoginURL func(returnTo string) string
	// Contact is how the public reaches the municipality's social services,
	// shown where the pages tell how to ask for a person, how to appeal and
	// whom to call. Empty (no Name): the municipality's configured contact
	// details (ContactOf), or only "Socialtjänsten, <municipality>" when it
	// has none.
	Contact Contact
	// Now is the clock; the month in force is read from it. Nil: time.Now.
	Now func() time.Time
	// Location is the time zone of "the month in force". Nil:
	// Europe/Stockholm (or the local zone if the zone data is missing).
	Location *time.Location
	// ObserveRoute, when set, is told of every request a page route
	// answered (the request metrics by route pattern). Optional.
	ObserveRoute httpx.RouteObserver
	// Logger receives one line per request and the detail of errors. Nil:
	// slog.Default().
	Logger *slog.Logger
	// SecureCookies sets Secure on the cookies this package sets (the
	// language); set it whenever the site is served over HTTPS, also behind
	// a proxy.
	SecureCookies bool
	// Components serves /dev/komponenter, a page that shows every form
	// partial, with errors on POST: for developers, and for the browser
	// tests. Off in production.
	Components bool
	// DevDir, when set, is the directory of this package's source
	// (internal/web): templates and static files are read from it on every
	// request, so that a change shows without a rebuild; the templates of
	// a part added with AddPages from its subdirectory.
	DevDir string
	// Version is shown in the footer of the transparency page. Empty:
	// skalig.Version.
	Version string
}

// Contact is how to reach the municipality's social services. The texts
// are Swedish, from the municipality's configuration.
type Contact struct {
	Name    string   // "Socialtjänsten, Högsby kommun"
	Phone   string   // "0491-290 00"
	Email   string   //
	URL     string   // the municipality's own page about ekonomiskt bistånd
	Address []string // the postal address an appeal is sent to, one line each
	Hours   string   // "Telefontid måndag–fredag 9.00–11.30"
	// Emergency is who answers out of office hours ("Socialjouren") and
	// EmergencyPhone their number.
	Emergency      string
	EmergencyPhone string
}

// ContactOf is the web pages' contact details from a municipality's
// configured ones; nil gives the zero Contact.
func ContactOf(c *municipal.Contact) Contact {
	if c == nil {
		return Contact{}
	}
	return Contact{Name: c.DisplayName(), Phone: c.Phone, Email: c.Email, URL: c.Web,
		Address: c.Address, Hours: c.Hours, Emergency: c.Emergency, EmergencyPhone: c.EmergencyPhone}
}

// Server serves the HTML pages. Build it with New, add the pages of other
// parts of Skälig with Handle, and serve Handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
	engines *engineSource
	static  fs.FS
	muni    *municipal.Municipality

	mu       sync.Mutex
	mux      *httpx.Mux
	defaults []defaultRoute
	allow    map[string][]string // path pattern -> methods, for 405
	built    bool
	handler  http.Handler
}

// New returns the web server for cfg. It fails when a required field is
// missing or a template does not parse: mistakes that must stop the program
// at start, not fail a request later.
func New(cfg Config) (*Server, error) {
	if cfg.Params == nil {
		return nil, fmt.Errorf("web: Config.Params is nil")
	}
	if cfg.Municipalities == nil {
		return nil, fmt.Errorf("web: Config.Municipalities is nil")
	}
	m, err := cfg.Municipalities.Get(cfg.Municipality)
	if err != nil {
		return nil, fmt.Errorf("web: Config.Municipality: %w", err)
	}
	if cfg.Contact.Name == "" {
		cfg.Contact = ContactOf(m.Contact)
		if cfg.Contact.Name == "" {
			cfg.Contact.Name = "Socialtjänsten, " + m.Name
		}
	}
	s := &Server{
		cfg:   cfg,
		log:   cfg.Logger,
		now:   cfg.Now,
		loc:   cfg.Location,
		muni:  m,
		mux:   httpx.NewMux(),
		allow: map[string][]string{},
	}
	s.mux.Observe(cfg.ObserveRoute)
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = stockholm()
	}
	if s.cfg.Version == "" {
		s.cfg.Version = skalig.Version
	}
	var fsys fs.FS = embedded
	if cfg.DevDir != "" {
		fsys = os.DirFS(cfg.DevDir)
	}
	e, err := newEngine(fsys)
	if err != nil {
		return nil, err
	}
	s.engines = &engineSource{fixed: e}
	if cfg.DevDir != "" {
		s.engines.dev, s.engines.devDir = fsys, cfg.DevDir
	}
	s.static, err = fs.Sub(fsys, "static")
	if err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func stockholm() *time.Location {
	if loc, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		return loc
	}
	return time.Local
}

// Handle registers h for pattern, a ServeMux pattern with a method
// ("GET /mina-sidor", "POST /ansokan/{id}"). The pattern's path answers
// other methods with the 405 page. Call Handle before Handler; a pattern
// without a method panics, and so does one registered twice (a wiring
// mistake). A pattern that New registers by default (the start page "GET
// /{$}") may be taken over by registering it before Handler.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.built {
		panic("web: Handle " + pattern + " after Handler")
	}
	method, p, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || strings.HasPrefix(p, " ") {
		panic("web: pattern " + pattern + " has no method")
	}
	if slices.Contains(s.allow[p], method) {
		panic("web: pattern " + pattern + " registered twice")
	}
	if len(s.allow[p]) == 0 {
		s.mux.HandleFunc(p, s.methodNotAllowed(p))
	}
	s.allow[p] = append(s.allow[p], method)
	if method == http.MethodGet {
		s.allow[p] = append(s.allow[p], http.MethodHead)
	}
	s.mux.Handle(pattern, h)
}

// HandleFunc is Handle for a function.
func (s *Server) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	s.Handle(pattern, http.HandlerFunc(h))
}

// Handler returns the HTTP handler of every page with its middleware:
// request id, security headers, language, the request log and panic
// recovery. Routes that nobody took over get their defaults now; Handle
// cannot be called after.
func (s *Server) Handler() http.Handler {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.built {
		s.built = true
		for _, d := range s.defaults {
			method, p, _ := strings.Cut(d.pattern, " ")
			if slices.Contains(s.allow[p], method) {
				continue
			}
			if len(s.allow[p]) == 0 {
				s.mux.HandleFunc(p, s.methodNotAllowed(p))
			}
			s.allow[p] = append(s.allow[p], method, http.MethodHead)
			s.mux.HandleFunc(d.pattern, d.h)
		}
		s.mux.HandleFunc("/", s.notFound)
		s.handler = s.wrap(s.mux)
	}
	return s.handler
}

// Routes returns the pages without the middleware, for a program that puts
// other handlers (the login package's) between the two: see Middleware.
// Like Handler, it ends the registration of routes.
func (s *Server) Routes() http.Handler {
	s.Handler()
	return s.mux
}

// Patterns returns every pattern registered, the defaults and the 405 and
// 404 fallbacks included, for a test that walks every route. Like Handler,
// it ends the registration of routes.
func (s *Server) Patterns() []string {
	s.Handler()
	return s.mux.Patterns()
}

// Middleware returns next with this package's middleware: request id,
// security headers (the Content Security Policy), language, the request
// log and panic recovery. Handler is Middleware(Routes()); a program that
// mounts the login package wires it as in docs/web.md:
//
//	inner := http.NewServeMux()
//	a.Register(inner)
//	inner.Handle("/", srv.Routes())
//	outer := http.NewServeMux()
//	outer.Handle("GET /static/", srv.Routes()) // outside the session store
//	outer.Handle("/", auth.CSRF(a.Middleware(inner)))
//	handler := srv.Middleware(outer)
func (s *Server) Middleware(next http.Handler) http.Handler { return s.wrap(next) }

// Page returns the page data of request r with everything the layout needs;
// the handler sets Title and Data.
func (s *Server) Page(r *http.Request) *Page {
	l, ok := r.Context().Value(ctxLang).(*Lang)
	if !ok {
		// A request that did not pass the middleware (an error page of
		// the login package mounted outside it).
		l, _ = langFromRequest(r)
	}
	p := &Page{
		Lang:         l,
		Langs:        langLinks(r, l),
		Municipality: s.muni.Name,
		Contact:      s.cfg.Contact,
		RequestID:    RequestID(r.Context()),
		Path:         r.URL.Path,
		Version:      s.cfg.Version,
	}
	if s.cfg.Session != nil {
		p.Session = s.cfg.Session(r)
		if t := p.Session.ExpiresAt; !t.IsZero() {
			layout := "15:04"
			if l == Swedish {
				layout = "15.04"
			}
			p.SessionEnds = t.In(s.loc).Format(layout)
		}
	}
	if s.cfg.LoginURL != nil && !p.Session.LoggedIn() {
		p.LoginURL = s.cfg.LoginURL(r.URL.RequestURI())
	}
	return p
}

// Municipality returns the configuration of the municipality the server is
// for.
func (s *Server) Municipality() *municipal.Municipality { return s.muni }

// Config returns the configuration the server was made with (with
// Version filled in).
func (s *Server) Config() Config { return s.cfg }

// Now returns the server's clock time.
func (s *Server) Now() time.Time { return s.now() }

// Location returns the server's time zone (Europe/Stockholm unless
// configured).
func (s *Server) Location() *time.Location { return s.loc }

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// MonthInForce returns the calendar month now, in the configured time zone.
func (s *Server) MonthInForce() skalig.Month {
	t := s.now().In(s.loc)
	return skalig.MonthOf(t.Year(), int(t.Month()))
}

// defaultRoute is a route New registers unless Handle took it over.
type defaultRoute struct {
	pattern string
	h       http.HandlerFunc
}
