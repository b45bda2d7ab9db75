package web

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"skalig"
)

// Paths of the public pages.
const (
	AccessibilityPath = "/tillganglighet"
	ComponentsPath    = "/dev/komponenter"
	// LoggedOutPath says that the session has ended: the idle-timeout
	// script's ExpiredURL, and a place to send the browser after logout.
	LoggedOutPath = "/utloggad"
)

// routes registers the pages of this package. The start page is a default
// that the applicant's pages may take over (see Handle).
func (s *Server) routes() {
	s.HandleFunc("GET /static/{file...}", s.handleStatic)
	s.HandleFunc("GET /favicon.ico", s.handleFavicon)
	s.HandleFunc("GET "+TransparencyPath, s.handleTransparency)
	s.HandleFunc("GET /kommun/{kommun}"+TransparencyPath, s.handleTransparency)
	s.HandleFunc("GET "+AccessibilityPath, s.handleAccessibility)
	s.HandleFunc("GET "+LoggedOutPath, s.handleLoggedOut)
	if s.cfg.Components {
		s.HandleFunc("GET "+ComponentsPath, s.handleComponents)
		s.Handle("POST "+ComponentsPath, http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.handleComponents)))
	}
	s.defaults = append(s.defaults, defaultRoute{"GET /{$}", s.handleHome})
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	p := s.Page(r)
	p.Title = p.T("home.title")
	s.Render(w, r, http.StatusOK, "home", p)
}

func (s *Server) handleAccessibility(w http.ResponseWriter, r *http.Request) {
	p := s.Page(r)
	p.Title = p.T("a11y.title")
	if d, ok := skalig.ParseDate(s.muni.AccessibilityDate); ok {
		p.Data = time.Date(int(d.Y), time.Month(d.M), int(d.D), 12, 0, 0, 0, time.UTC)
	}
	s.Render(w, r, http.StatusOK, "accessibility", p)
}

func (s *Server) handleLoggedOut(w http.ResponseWriter, r *http.Request) {
	p := s.Page(r)
	p.Title = p.T("loggedout.title")
	if p.Session.LoggedIn() {
		// Another tab kept the session alive: nothing ended.
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if s.cfg.LoginURL != nil {
		p.LoginURL = s.cfg.LoginURL("/")
	}
	s.Render(w, r, http.StatusOK, "loggedout", p)
}

// handleStatic serves the embedded static files. A URL with the file's
// content hash (from the template function static) may be cached for a
// year; any other for five minutes.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if !fs.ValidPath(name) || strings.HasPrefix(path.Base(name), ".") {
		s.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(s.static, name)
	if err != nil {
		s.NotFound(w, r)
		return
	}
	e, err := s.engines.get()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if v := r.URL.Query().Get("v"); v != "" && v == e.static[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// handleFavicon sends browsers that ask for /favicon.ico to the icon.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
}

// componentsView is the data of the components page.
type componentsView struct {
	Done              bool
	Name              string
	Rent, Electricity skalig.Money
	HasElectricity    bool
	HousingLabel      string
}

// handleComponents shows every form partial; a POST validates the sample
// form the way an e-service page does, with field errors and the summary.
func (s *Server) handleComponents(w http.ResponseWriter, r *http.Request) {
	p := s.Page(r)
	p.Title = p.T("components.title")
	v := &componentsView{}
	p.Data = v
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			s.ErrorStatus(w, r, http.StatusBadRequest, "")
			return
		}
		f := p.NewForm(r.PostForm)
		p.Form = f
		v.Name, _ = f.Required("name", p.T("components.name.label"))
		v.Rent, _ = f.Amount("rent", p.T("components.rent.label"))
		v.Electricity, _ = f.OptionalAmount("electricity", p.T("components.electricity.label"))
		v.HasElectricity = f.Value("electricity") != ""
		if h, ok := f.OneOf("housing", p.T("components.housing.label"), "rental", "owned", "other"); ok {
			v.HousingLabel = p.T("components.housing." + h)
		}
		if f.Value("consent") != "yes" {
			f.FailKey("consent", "components.consent.error")
		}
		if f.HasErrors() {
			status = http.StatusUnprocessableEntity
		} else {
			v.Done = true
		}
	} else {
		p.Form = p.NewForm(nil)
	}
	s.Render(w, r, status, "components", p)
}
