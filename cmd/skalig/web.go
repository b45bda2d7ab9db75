package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"skalig"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"skalig/internal/auth"
	"skalig/internal/auth/devidp"
	"skalig/internal/httpx"
	"skalig/internal/letters"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/drafts"
	"skalig/internal/store/paramdb"
	"skalig/internal/store/recordsdb"
	"skalig/internal/store/statsdb"
	"skalig/internal/web"
	"skalig/internal/web/admin"
	"skalig/internal/web/applicant"
	"skalig/internal/web/caseworker"
	"skalig/internal/web/statistics"
	"skalig/internal/web/whatifweb"

	"github.com/prometheus/client_golang/prometheus"
)

// staleDrafts is how long an application draft that nobody touches is
// kept before it is deleted: personal data is not kept longer than needed.
const staleDrafts = 60 * 24 * time.Hour

// handler puts the JSON API (/api/, /healthz, /readyz, /metrics) and the web pages
// together: the public pages, login (internal/auth), the applicant's
// e-service and Mina sidor, and the caseworker's pages. In the demo the
// development identity provider runs in the same process under /devidp,
// with a client secret made at start; in serve the provider is the one
// configured (SKALIG_OIDC_*), and without one only the public pages are
// served.
//
//	/api/, /healthz, /readyz, /metrics   the API (internal/api); /metrics only with
//	                            SKALIG_METRICS_TOKEN (else on the debug
//	                            address only)
//	/devidp/                    the development provider (demo only; outside
//	                            the web middleware: its page is its own)
//	/static/                    static files, outside the session store
//	everything else             the web pages, in the web middleware (request
//	                            id, CSP, language, log), then CSRF, then the
//	                            session
//
// With an https base URL every answer carries Strict-Transport-Security.
func (m *Main) handler(apiHandler http.Handler) (http.Handler, error) {
	base := strings.TrimSuffix(m.Config.BaseURL, "/")
	municipality := m.Config.Municipality
	if m.Demo || base == "" {
		base = "http://" + m.Addr()
	}
	if m.Demo {
		municipality = demoMunicipality
	}
	secure := strings.HasPrefix(base, "https://")
	issuer, clientID, secret := m.Config.OIDCIssuer, m.Config.OIDCClientID, m.Config.OIDCClientSecret

	var idp *devidp.Server
	if m.Demo {
		issuer, clientID, secret = base+"/devidp", "skalig", rand.Text()
		var err error
		idp, err = devidp.New(devidp.Config{Issuer: issuer, Logger: m.Logger, Clients: []devidp.Client{{
			ID: clientID, Secret: secret, RedirectURIs: []string{base + "/auth/callback"},
			PostLogoutRedirectURIs: []string{base + web.LoggedOutPath},
		}}})
		if err != nil {
			return nil, err
		}
	}

	var srv *web.Server
	wcfg := web.Config{
		Params: m.Params, Municipalities: m.Municipal, Municipality: municipality, Logger: m.Logger,
		SecureCookies: secure, Version: versionString(),
	}
	var a *auth.Auth
	var sessions *auth.SessionStore
	if issuer != "" {
		var err error
		if sessions, err = auth.NewSessionStore(m.DB.SQL(), string(m.DB.Dialect())); err != nil {
			return nil, err
		}
		sessions.InTx = m.DB.InTx
		acfg := auth.DefaultConfig()
		acfg.Issuer, acfg.ClientID, acfg.ClientSecret = issuer, clientID, secret
		acfg.PersonalNumberClaim = m.Config.OIDCClaimPersonalNumber
		acfg.RolesClaim = m.Config.OIDCClaimRoles
		acfg.MunicipalitiesClaim = m.Config.OIDCClaimMunicipalities
		acfg.RedirectURL = base + "/auth/callback"
		acfg.PostLogoutRedirectURL = base + web.LoggedOutPath
		acfg.CookieSecure = secure
		a, err = auth.New(acfg, auth.Options{Store: sessions, Logger: m.Logger,
			ErrorPage: func(w http.ResponseWriter, r *http.Request, status int, msg string) { srv.AuthError(w, r, status, msg) }})
		if err != nil {
			return nil, &exitError{Code: exitUsage, Msg: err.Error()}
		}
		wcfg.Session, wcfg.LoginURL = web.AuthSession(a), auth.LoginURL
	} else {
		m.Logger.Warn("no login configured (SKALIG_OIDC_ISSUER): only the public web pages are served")
	}
	wcfg.ObserveRoute = webMetrics(m.Registry)
	var err error
	if srv, err = web.New(wcfg); err != nil {
		return nil, err
	}
	drafts := drafts.New(m.DB)
	if a != nil {
		var lm *letters.Metrics
		if m.Registry != nil {
			if lm, err = letters.NewMetrics(m.Registry, "web"); err != nil {
				return nil, err
			}
		}
		if err := applicant.Register(srv, applicant.Config{Workflow: m.Workflow, Drafts: drafts, Require: a.RequireApplicant, Municipal: m.Municipal,
			LetterMetrics: lm, Registerutdrag: recordsdb.New(m.DB)}); err != nil {
			return nil, err
		}
		var staff []skalig.StaffMember
		if m.Demo {
			for _, p := range devidp.Persons() {
				if p.IsStaff() {
					staff = append(staff, skalig.StaffMember{Subject: p.Subject, Name: p.Name(), Roles: p.Roles, Municipalities: p.Municipalities})
				}
			}
		}
		desk, err := caseworker.Mount(srv, caseworker.Deps{Workflow: m.Workflow, Casework: deskdb.New(m.DB),
			Config: m.MunicipalConfig, Directory: staff, Drafts: drafts, Registerutdrag: recordsdb.New(m.DB)})
		if err != nil {
			return nil, err
		}
		if err := admin.Mount(srv, desk, admin.WithParamVersions(paramdb.New(m.DB)), admin.WithWhatIf(m.WhatIf),
			admin.WithProposals(m.MunicipalConfig, m.WhatIf)); err != nil {
			return nil, err
		}
		if err := statistics.Mount(srv, desk, statsdb.New(m.DB)); err != nil {
			return nil, err
		}
		if err := whatifweb.Mount(srv, desk, m.WhatIf, m.Cases); err != nil {
			return nil, err
		}
	}

	inner := httpx.NewMux()
	var site http.Handler = inner
	if a != nil {
		a.Register(inner)
		site = a.Middleware(inner)
	}
	inner.Handle("/", srv.Routes())
	outer := httpx.NewMux()
	outer.Handle("GET /static/", srv.Routes())
	outer.Handle("/", auth.CSRF(site))

	root := httpx.NewMux()
	for _, p := range []string{"/api/", "/healthz", "/readyz", "/metrics"} {
		root.Handle(p, apiHandler)
	}
	if idp != nil {
		root.Handle("/devidp/", idp)
	}
	root.Handle("/", srv.Middleware(outer))
	// Every route, for the authorization test (authz_test.go): the muxes
	// here and the web pages'; the API's are added by Open.
	m.routes = append(m.routes, root.Patterns()...)
	m.routes = append(m.routes, outer.Patterns()...)
	m.routes = append(m.routes, inner.Patterns()...)
	m.routes = append(m.routes, srv.Patterns()...)
	var h http.Handler = root
	if secure {
		h = httpx.HSTS(root) // every answer, the API's too
	}
	return m.sweeper(h, sessions, drafts), nil
}

// sweeper runs next, and at most every five minutes, in the background,
// deletes expired sessions and drafts nobody has touched for staleDrafts.
// It is driven by requests, so that it needs no lifecycle of its own: a
// server nobody uses keeps nothing new either.
func (m *Main) sweeper(next http.Handler, sessions *auth.SessionStore, drafts skalig.DraftService) http.Handler {
	var last, running atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		if l := last.Load(); now.Sub(time.Unix(0, l)) > 5*time.Minute && last.CompareAndSwap(l, now.UnixNano()) && running.CompareAndSwap(0, 1) {
			go func() {
				defer running.Store(0)
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if sessions != nil {
					if _, err := sessions.DeleteExpired(ctx); err != nil {
						m.Logger.Warn("delete expired sessions", "err", err)
					}
				}
				if _, err := drafts.DeleteStaleDrafts(ctx, now.Add(-staleDrafts)); err != nil {
					m.Logger.Warn("delete stale drafts", "err", err)
				}
			}()
		}
		next.ServeHTTP(w, r)
	})
}

// webInfo is the demo's printout of the web pages: where to log in as an
// applicant and as a caseworker.
func (m *Main) webInfo(base string) string {
	return fmt.Sprintf(`  Webbsidorna:         %[1]s/
  Sökande, Mina sidor: %[1]s/mina-sidor
                       logga in som en påhittad person, till exempel Alva Testsson
                       (ensamstående) eller Cecilia Demosson (gift: David Demosson
                       skriver under med sin egen inloggning)
  Handläggare:         %[1]s%[2]s (logga in som Sara Handläggarsson)
  Statistik:           %[1]s%[4]s (logga in som Viktor Chefsson, enhetschef)
  Administration:      %[1]s%[2]s/admin (logga in som Wilma Adminsson; Xenia Adminberg
                       godkänner det Wilma lägger in, till exempel ett års parametrar)
  Utvecklingsinloggningen (bara för demo): %[1]s/devidp
  Om automatiserad handläggning: %[1]s%[3]s`, base, caseworker.Path, web.TransparencyPath, statistics.Path)
}

// webMetrics returns the web pages' request metrics, registered with reg
// (nil: none): requests by route pattern, method and status, and the time
// taken by route, as the API counts its own (skalig_http_*).
func webMetrics(reg *prometheus.Registry) httpx.RouteObserver {
	if reg == nil {
		return nil
	}
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skalig_web_requests_total",
		Help: "Web page requests answered, by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "skalig_web_request_duration_seconds",
		Help:    "Time to answer a web page request, by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	if err := reg.Register(requests); err != nil {
		return nil
	}
	if err := reg.Register(duration); err != nil {
		return nil
	}
	return func(route, method string, status int, d time.Duration) {
		requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
		duration.WithLabelValues(route).Observe(d.Seconds())
	}
}
