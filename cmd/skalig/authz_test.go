package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/config"
	"skalig/internal/demo"
	"skalig/internal/store"
)

// The authorization test (issue 12): every route the program registers
// (the web pages', the login's, the API's, as the muxes recorded them,
// httpx.Mux) × every role and municipality, against the whole handler as
// serve builds it, with the development provider for the logins. It
// asserts the status of each request and that a response showing the
// case's personal data logged a case.read, and that a refused one logged
// none. A route with no entry in authzRoutes fails the test: a new route
// cannot be missed.

// authzRole is who sends a request: a person of the development provider
// logged in through it, or an API client with its bearer token.
type authzRole struct {
	name  string
	sub   string // devidp subject; "" for nobody
	token string // API bearer token
}

const (
	tokenOwn   = "own-client-token-0123456789"
	tokenOther = "other-client-token-0123456789"
)

var authzRoles = []authzRole{
	{name: "anonymous"},
	{name: "applicant (owner)", sub: devidp.AlvaTestsson},
	{name: "applicant (someone else)", sub: devidp.BoProvsson},
	{name: "caseworker 0821", sub: devidp.SaraHandlaggarsson},
	{name: "financial assistant 0821", sub: devidp.UllaEkonomsson},
	{name: "manager 0821", sub: devidp.ViktorChefsson},
	{name: "administrator 0821", sub: devidp.WilmaAdminsson},
	{name: "caseworker 0880", sub: devidp.YusufKalmarsson},
	{name: "API client 0821", token: tokenOwn},
	{name: "API client 0880", token: tokenOther},
}

// Who a role is, for the classes below.
func (r authzRole) is(names ...string) bool { return slices.Contains(names, r.name) }

const (
	rAnon      = "anonymous"
	rOwner     = "applicant (owner)"
	rApplicant = "applicant (someone else)"
	rCW        = "caseworker 0821"
	rFA        = "financial assistant 0821"
	rManager   = "manager 0821"
	rAdmin     = "administrator 0821"
	rCWOther   = "caseworker 0880"
	rAPIOwn    = "API client 0821"
	rAPIOther  = "API client 0880"
)

// anyOK marks an allowed request whose status depends on the empty form
// the test sends (a 303, 400, 409 or 422): any status below 500 that is
// not a refusal (401, 403, 404).
const anyOK = -1

// authzClass says who may use a route: the status each role gets. ok is
// the status of an allowed request.
type authzClass func(r authzRole, method string, ok int) int

// webLogin is the answer to nobody signed in on a page behind login: a
// GET goes to the login, anything else is 401.
func webLogin(method string) int {
	if method == http.MethodGet {
		return http.StatusSeeOther
	}
	return http.StatusUnauthorized
}

var (
	// public: anyone, signed in or not.
	classPublic authzClass = func(r authzRole, method string, ok int) int { return ok }
	// loggedOut: the page after logout; someone still logged in is
	// sent on.
	classLoggedOut authzClass = func(r authzRole, method string, ok int) int {
		if r.sub != "" {
			return http.StatusSeeOther
		}
		return ok
	}
	// signedIn: anyone logged in through the provider; the rest 401.
	classSignedIn authzClass = func(r authzRole, method string, ok int) int {
		if r.sub != "" {
			return ok
		}
		return http.StatusUnauthorized
	}
	// applicant: any signed-in applicant; staff 403.
	classApplicant authzClass = func(r authzRole, method string, ok int) int {
		switch {
		case r.is(rOwner, rApplicant):
			return ok
		case r.sub == "":
			return webLogin(method)
		}
		return http.StatusForbidden
	}
	// applicantOwn: the applicant whose case or draft it is; another
	// applicant gets 404, the same as for nothing there.
	classApplicantOwn authzClass = func(r authzRole, method string, ok int) int {
		if r.is(rApplicant) {
			return http.StatusNotFound
		}
		return classApplicant(r, method, ok)
	}
	// staff builds the class of a caseworker page for roles (nil: the
	// queues, which other municipalities' staff see too, of their own);
	// onCase: the page is about the 0821 case, which is 404 for staff
	// of another municipality.
	staff = func(onCase bool, allowed ...string) authzClass {
		return func(r authzRole, method string, ok int) int {
			switch {
			case r.is(allowed...):
				return ok
			case r.sub == "":
				return webLogin(method)
			case r.is(rCWOther) && slices.Contains(allowed, rCW):
				if onCase {
					return http.StatusNotFound
				}
				return ok
			}
			return http.StatusForbidden
		}
	}
	// staffEntry is the staff's start page: the queues for those who
	// work with cases, a redirect to the administration for an
	// administrator.
	staffEntry authzClass = func(r authzRole, method string, ok int) int {
		if r.is(rAdmin) {
			return http.StatusSeeOther
		}
		return staff(false, work...)(r, method, ok)
	}
	work     = []string{rCW, rFA, rManager}
	act      = []string{rCW, rFA}
	decide   = []string{rCW}
	viewConf = []string{rAdmin, rManager}
	editConf = []string{rAdmin}
	// apiClient: any API client; the rest 401 (cookies count for
	// nothing in the API).
	classAPIClient authzClass = func(r authzRole, method string, ok int) int {
		if r.token != "" {
			return ok
		}
		return http.StatusUnauthorized
	}
	// apiCase: the 0821 client; the 0880 client gets 404.
	classAPICase authzClass = func(r authzRole, method string, ok int) int {
		if r.is(rAPIOther) {
			return http.StatusNotFound
		}
		return classAPIClient(r, method, ok)
	}
	// apiNoAction: a route whose action none of the test's clients holds
	// (their keys give submit and read only): 403 before the case is
	// looked up, so another municipality's client learns nothing either.
	classAPINoAction authzClass = func(r authzRole, method string, ok int) int {
		if r.token != "" {
			return http.StatusForbidden
		}
		return http.StatusUnauthorized
	}
	// metrics: nobody of these roles holds the metrics token.
	classMetrics authzClass = func(r authzRole, method string, ok int) int { return http.StatusUnauthorized }
)

// authzRoute is the expectation of one recorded pattern.
type authzRoute struct {
	class authzClass
	ok    int    // the status of an allowed request
	query string // added to the URL
}

// authzRoutes has an entry for every pattern any mux records. Patterns
// without a method are the mounts and the 405/404 fallbacks: a GET of the
// path itself. The fallback of a path that has method routes is tested with
// DELETE (405) and needs no entry.
var authzRoutes = map[string]authzRoute{
	// The root mounts.
	"/":        {class: classPublic, ok: 200}, // the start page
	"/api/":    {class: classPublic, ok: 404},
	"/api/v1":  {class: classPublic, ok: 404},
	"/api/v1/": {class: classPublic, ok: 404},
	"/healthz": {class: classPublic, ok: 200},
	"/metrics": {class: classMetrics},
	"/devidp/": {class: classPublic, ok: 404}, // the demo's provider: its pages are its own

	// The API.
	"POST /api/v1/calculations":                          {class: classPublic, ok: 400},
	"GET /api/v1/openapi.json":                           {class: classPublic, ok: 200},
	"POST /api/v1/applications":                          {class: classAPIClient, ok: 400},
	"GET /api/v1/cases":                                  {class: classAPIClient, ok: 200},
	"GET /api/v1/cases/{id}":                             {class: classAPICase, ok: 200},
	"GET /api/v1/cases/{id}/receipt":                     {class: classAPICase, ok: 404}, // not decided
	"GET /api/v1/cases/{id}/letter.pdf":                  {class: classAPICase, ok: 404}, // not decided
	"GET /api/v1/cases/{id}/letter.html":                 {class: classAPICase, ok: 404}, // not decided
	"POST /api/v1/cases/{id}/decision":                   {class: classAPINoAction},
	"POST /api/v1/cases/{id}/withdraw":                   {class: classAPIClient, ok: anyOK}, // a form, not JSON: 415
	"POST /api/v1/cases/{id}/appeal":                     {class: classAPIClient, ok: anyOK},
	"POST /api/v1/cases/{id}/review":                     {class: classAPIClient, ok: anyOK},
	"GET /api/v1/cases/{id}/requests":                    {class: classAPICase, ok: 200},
	"POST /api/v1/cases/{id}/kommunicering":              {class: classAPINoAction},
	"POST /api/v1/cases/{id}/comment":                    {class: classAPIClient, ok: anyOK}, // a form, not JSON: 415
	"GET /api/v1/review-requests":                        {class: classAPIClient, ok: 400},   // no municipality given
	"POST /api/v1/review-requests/{id}/keep":             {class: classAPINoAction},
	"POST /api/v1/review-requests/{id}/change":           {class: classAPINoAction},
	"POST /api/v1/cases/{id}/change":                     {class: classAPINoAction},
	"POST /api/v1/cases/{id}/change/sign":                {class: classAPINoAction},
	"POST /api/v1/cases/{id}/change/return":              {class: classAPINoAction},
	"POST /api/v1/cases/{id}/manual-calculation":         {class: classAPINoAction},
	"POST /api/v1/cases/{id}/adjustments":                {class: classAPINoAction},
	"POST /api/v1/cases/{id}/conditions":                 {class: classAPINoAction},
	"POST /api/v1/aid-history":                           {class: classAPINoAction},
	"POST /api/v1/review-requests/{id}/forward":          {class: classAPINoAction},
	"POST /api/v1/review-requests/{id}/reject-late":      {class: classAPINoAction},
	"POST /api/v1/whatif":                                {class: classAPIClient, ok: 400}, // no candidate given
	"GET /api/v1/whatif/{id}":                            {class: classAPIClient, ok: 404}, // no such run
	"POST /api/v1/whatif/{id}/stop":                      {class: classAPIClient, ok: 404}, // no such run
	"POST /api/v1/config-proposals/{id}/put-in-force":    {class: classAPINoAction},        // the test keys may not decide
	"GET /api/v1/statistics":                             {class: classAPIClient, ok: 400}, // no month given
	"GET /api/v1/decisions/{id}/replay":                  {class: classAPICase, ok: 404},   // no decision
	"GET /healthz":                                       {class: classPublic, ok: 200},
	"GET /readyz":                                        {class: classPublic, ok: 200},
	"GET /metrics":                                       {class: classMetrics},
	"GET /static/":                                       {class: classPublic, ok: 404},
	"GET /static/{file...}":                              {class: classPublic, ok: 404},
	"GET /favicon.ico":                                   {class: classPublic, ok: http.StatusMovedPermanently},
	"GET /om-automatiserad-handlaggning":                 {class: classPublic, ok: 200},
	"GET /tillganglighet":                                {class: classPublic, ok: 200},
	"GET /utloggad":                                      {class: classLoggedOut, ok: 200},
	"GET /{$}":                                           {class: classPublic, ok: 200},
	"GET /kommun/{kommun}/om-automatiserad-handlaggning": {class: classPublic, ok: 200},

	// The login.
	"GET /login":              {class: classPublic, ok: http.StatusFound},
	"GET /auth/callback":      {class: classPublic, ok: 400},
	"POST /logout":            {class: classPublic, ok: http.StatusSeeOther},
	"POST /session/extend":    {class: classSignedIn, ok: anyOK},
	"GET /session/timeout.js": {class: classPublic, ok: 200},

	// The applicant's pages.
	"GET /mina-sidor":                             {class: classApplicant, ok: 200},
	"GET /mina-sidor/arenden/{id}":                {class: classApplicantOwn, ok: 200},
	"GET /mina-sidor/arenden/{id}/berakning":      {class: classApplicantOwn, ok: 200},
	"GET /mina-sidor/arenden/{id}/dokument/{doc}": {class: classApplicantOwn, ok: 200},
	"GET /mina-sidor/arenden/{id}/beslut.pdf":     {class: classApplicantOwn, ok: 404}, // not decided
	"GET /mina-sidor/arenden/{id}/beslut.html":    {class: classApplicantOwn, ok: 404}, // not decided
	"POST /mina-sidor/arenden/{id}/dokument":      {class: classApplicantOwn, ok: 400},
	"POST /mina-sidor/arenden/{id}/meddelanden":   {class: classApplicantOwn, ok: 422},
	"POST /mina-sidor/arenden/{id}/omprovning":    {class: classApplicantOwn, ok: anyOK},
	"GET /mina-sidor/registerutdrag.pdf":          {class: classApplicant, ok: 200},
	"GET /mina-sidor/registerutdrag.json":         {class: classApplicant, ok: 200},
	"GET /mina-sidor/arenden/{id}/ta-tillbaka":    {class: classApplicantOwn, ok: 200},
	"POST /mina-sidor/arenden/{id}/ta-tillbaka":   {class: classApplicantOwn, ok: 422}, // not confirmed: nothing withdrawn
	"POST /mina-sidor/arenden/{id}/yttrande":      {class: classApplicantOwn, ok: 422},
	"POST /mina-sidor/arenden/{id}/overklagande":  {class: classApplicantOwn, ok: 422},
	"POST /ansokan":                                 {class: classApplicant, ok: http.StatusSeeOther},
	"GET /ansokan/{id}":                             {class: classApplicantOwn, ok: anyOK},
	"GET /ansokan/{id}/hushall":                     {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/hushall":                    {class: classApplicantOwn, ok: 422},
	"GET /ansokan/{id}/barn":                        {class: classApplicantOwn, ok: anyOK},
	"POST /ansokan/{id}/barn":                       {class: classApplicantOwn, ok: anyOK},
	"GET /ansokan/{id}/boende":                      {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/boende":                     {class: classApplicantOwn, ok: 422},
	"GET /ansokan/{id}/inkomster":                   {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/inkomster":                  {class: classApplicantOwn, ok: anyOK},
	"GET /ansokan/{id}/kostnader":                   {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/kostnader":                  {class: classApplicantOwn, ok: anyOK},
	"GET /ansokan/{id}/tillgangar":                  {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/tillgangar":                 {class: classApplicantOwn, ok: 422},
	"GET /ansokan/{id}/arbete":                      {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/arbete":                     {class: classApplicantOwn, ok: 422},
	"GET /ansokan/{id}/utbetalning":                 {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/utbetalning":                {class: classApplicantOwn, ok: 422},
	"GET /ansokan/{id}/ovrigt":                      {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/ovrigt":                     {class: classApplicantOwn, ok: anyOK},
	"GET /ansokan/{id}/granska":                     {class: classApplicantOwn, ok: 200},
	"POST /ansokan/{id}/granska":                    {class: classApplicantOwn, ok: anyOK},
	"GET /ansokan/{id}/underskrift":                 {class: classApplicantOwn, ok: anyOK},
	"POST /ansokan/{id}/underskrift":                {class: classApplicantOwn, ok: anyOK},
	"GET /ansokan/{id}/kvitto":                      {class: classApplicantOwn, ok: anyOK},
	"POST /ansokan/{id}/skicka":                     {class: classApplicantOwn, ok: anyOK},
	"POST /ansokan/{id}/ta-tillbaka":                {class: classApplicantOwn, ok: anyOK},
	"GET /ansokan/{id}/ta-bort":                     {class: classApplicantOwn, ok: anyOK},
	"POST /ansokan/{id}/ta-bort":                    {class: classApplicantOwn, ok: anyOK},
	"GET /handlaggning":                             {class: staffEntry, ok: 200},
	"GET /handlaggning/{$}":                         {class: staffEntry, ok: 200},
	"GET /handlaggning/registerutdrag":              {class: staff(false, act...), ok: 200},
	"POST /handlaggning/registerutdrag":             {class: staff(false, act...), ok: 422}, // no personnummer
	"GET /handlaggning/sok":                         {class: staff(false, work...), ok: 200},
	"POST /handlaggning/sok":                        {class: staff(false, work...), ok: 422}, // no search term
	"GET /handlaggning/arenden/{id}":                {class: staff(true, work...), ok: 200},
	"POST /handlaggning/arenden/{id}/tilldela":      {class: staff(true, work...), ok: anyOK},
	"GET /handlaggning/arenden/{id}/godkann":        {class: staff(true, act...), ok: 200},
	"POST /handlaggning/arenden/{id}/godkann":       {class: staff(true, act...), ok: 200}, // no bekrafta=ja: the confirmation
	"GET /handlaggning/arenden/{id}/beslut":         {class: staff(true, act...), ok: 200},
	"POST /handlaggning/arenden/{id}/beslut":        {class: staff(true, act...), ok: 422},
	"POST /handlaggning/arenden/{id}/signera":       {class: staff(true, decide...), ok: 400}, // no choice of sign or return
	"GET /handlaggning/arenden/{id}/justera":        {class: staff(true, act...), ok: 200},
	"POST /handlaggning/arenden/{id}/justera":       {class: staff(true, act...), ok: 400},
	"GET /handlaggning/arenden/{id}/villkor":        {class: staff(true, act...), ok: 200},
	"POST /handlaggning/arenden/{id}/villkor":       {class: staff(true, act...), ok: 422},
	"GET /handlaggning/arenden/{id}/komplettering":  {class: staff(true, act...), ok: 200},
	"POST /handlaggning/arenden/{id}/komplettering": {class: staff(true, act...), ok: 422},
	"GET /handlaggning/arenden/{id}/meddelande":     {class: staff(true, act...), ok: 200},
	"POST /handlaggning/arenden/{id}/meddelande":    {class: staff(true, act...), ok: 422},
	"GET /handlaggning/arenden/{id}/kommunicera":    {class: staff(true, decide...), ok: 200},
	"POST /handlaggning/arenden/{id}/kommunicera":   {class: staff(true, decide...), ok: 422},
	"GET /handlaggning/arenden/{id}/berakna":        {class: staff(true, decide...), ok: 200},
	"POST /handlaggning/arenden/{id}/berakna":       {class: staff(true, decide...), ok: 422},
	"GET /handlaggning/arenden/{id}/omprovning":     {class: staff(true, work...), ok: 200},
	"GET /handlaggning/arenden/{id}/andra":          {class: staff(true, decide...), ok: 200},
	"POST /handlaggning/arenden/{id}/andra":         {class: staff(true, decide...), ok: 422},
	"GET /handlaggning/arenden/{id}/andring":        {class: staff(true, decide...), ok: 404}, // no change waits
	"POST /handlaggning/arenden/{id}/andring":       {class: staff(true, decide...), ok: 404},
	"POST /handlaggning/arenden/{id}/omprovning":    {class: staff(true, decide...), ok: 422},
	"GET /handlaggning/omprovning":                  {class: staff(false, work...), ok: 200},
	"GET /handlaggning/arenden/{id}/stickprov":      {class: staff(true, act...), ok: 200},
	"POST /handlaggning/arenden/{id}/stickprov":     {class: staff(true, act...), ok: 422},
	"GET /handlaggning/arenden/{id}/dokument/{doc}": {class: staff(true, work...), ok: 200},
	"GET /handlaggning/arenden/{id}/underlag":       {class: staff(true, work...), ok: 200, query: "ref={evidence}"},
	"GET /handlaggning/api/arenden/{id}":            {class: staff(true, work...), ok: 200},
	"GET /handlaggning/api/koer":                    {class: staff(false, work...), ok: 200},
	"GET /handlaggning/admin":                       {class: staff(false, viewConf...), ok: 200},
	"GET /handlaggning/admin/routing":               {class: staff(false, viewConf...), ok: 200},
	"POST /handlaggning/admin/routing":              {class: staff(false, editConf...), ok: anyOK},
	"GET /handlaggning/admin/regeltest":             {class: staff(false, viewConf...), ok: 200},
	"POST /handlaggning/admin/regeltest":            {class: staff(false, viewConf...), ok: 422}, // no case or rule given
	"GET /handlaggning/admin/riktlinjer":            {class: staff(false, viewConf...), ok: 200},
	"POST /handlaggning/admin/riktlinjer":           {class: staff(false, editConf...), ok: anyOK},
	"GET /handlaggning/admin/handlaggning":          {class: staff(false, viewConf...), ok: 200},
	"POST /handlaggning/admin/handlaggning":         {class: staff(false, editConf...), ok: anyOK},
	"GET /handlaggning/admin/forslag/{id}":          {class: staff(false, viewConf...), ok: 404}, // no such proposal
	"POST /handlaggning/admin/forslag/{id}":         {class: staff(false, viewConf...), ok: 404},
	"POST /handlaggning/admin/forslag/{id}/provkor": {class: staff(false, viewConf...), ok: 404},
	"GET /handlaggning/parametrar":                  {class: staff(false, append(slices.Clone(work), rAdmin)...), ok: 200},
	"GET /handlaggning/statistik":                   {class: staff(false, viewConf...), ok: 200},
	"GET /handlaggning/statistik/csv":               {class: staff(false, viewConf...), ok: 400}, // no month given
	"POST /handlaggning/parametrar/import":          {class: staff(false, editConf...), ok: 422},
	"POST /handlaggning/parametrar/godkann":         {class: staff(false, editConf...), ok: 422},

	// What-if runs ({id} is the target case, not a run: 404).
	"GET /handlaggning/provkorning":                        {class: staff(false, viewConf...), ok: 200},
	"POST /handlaggning/provkorning":                       {class: staff(false, viewConf...), ok: 422}, // no candidate chosen
	"GET /handlaggning/provkorning/{id}":                   {class: staff(false, viewConf...), ok: 404},
	"GET /handlaggning/provkorning/{id}/csv":               {class: staff(false, viewConf...), ok: 404},
	"POST /handlaggning/provkorning/{id}/avsluta":          {class: staff(false, editConf...), ok: 404}, // no such run
	"GET /handlaggning/provkorning/{id}/arende/{decision}": {class: staff(false, viewConf...), ok: 404},
}

var (
	authzHidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	authzAction = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

// authzEnv is the running program and a client per role.
type authzEnv struct {
	t       *testing.T
	m       *Main
	base    string
	clients map[string]*http.Client
	caseID  string // the target case: Alva's, in 0821
	pns     []string
	params  map[string]string // {id}, {doc} … per path prefix
}

func (e *authzEnv) client(r authzRole) *http.Client {
	if c, ok := e.clients[r.name]; ok {
		return c
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if r.sub != "" {
		e.login(c, r.sub)
	}
	e.clients[r.name] = c
	return c
}

func (e *authzEnv) do(c *http.Client, method, target string, form url.Values, header ...string) (*http.Response, string) {
	e.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = e.base + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// login logs c in as sub through the development provider, as a browser.
func (e *authzEnv) login(c *http.Client, sub string) {
	e.t.Helper()
	res, _ := e.do(c, "GET", "/login", nil)
	authorize, err := res.Location()
	if err != nil {
		e.t.Fatalf("login: %s", res.Status)
	}
	res, page := e.do(c, "GET", authorize.String(), nil)
	m := authzAction.FindStringSubmatch(page)
	if res.StatusCode != 200 || m == nil {
		e.t.Fatalf("provider's page: %s", res.Status)
	}
	form := url.Values{"person": {sub}, "action": {"login"}}
	for _, h := range authzHidden.FindAllStringSubmatch(page, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	action, _ := url.Parse(html.UnescapeString(m[1]))
	res, _ = e.do(c, "POST", authorize.ResolveReference(action).String(), form)
	cb, err := res.Location()
	if err != nil {
		e.t.Fatalf("choosing %s: %s", sub, res.Status)
	}
	if res, _ = e.do(c, "GET", cb.String(), nil); res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("callback for %s: %s", sub, res.Status)
	}
}

// reads counts the case.read events of the target case.
func (e *authzEnv) reads() int {
	e.t.Helper()
	evs, err := e.m.Cases.AuditEvents(context.Background(), e.caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Action == store.ActionRead {
			n++
		}
	}
	return n
}

// waitJobs runs until no job is due.
func (e *authzEnv) waitJobs() {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := e.m.DB.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE state <> 'parked' AND kind NOT IN ('documents_due', 'kommunicering_due')`).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatal("jobs still due after 60 s")
}

// draft returns the owner's current draft, making one when there is none
// (a step of the walk may have sent or deleted the last).
func (e *authzEnv) draft() string {
	e.t.Helper()
	res, _ := e.do(e.client(authzRoles[1]), "POST", "/ansokan", url.Values{})
	loc, err := res.Location()
	if err != nil {
		e.t.Fatalf("POST /ansokan: %s", res.Status)
	}
	return strings.Split(strings.TrimPrefix(loc.Path, "/ansokan/"), "/")[0]
}

// target turns a pattern into the URL a request goes to.
func (e *authzEnv) target(path, query string) string {
	if strings.HasPrefix(path, "/ansokan/{id}") {
		path = strings.Replace(path, "{id}", e.draft(), 1)
	}
	path = strings.NewReplacer("{id}", e.caseID, "{doc}", e.params["doc"], "{kommun}", "0821",
		"{file...}", "no-such-file.css", "{$}", "", "{decision}", "no-such-decision").Replace(path)
	if query != "" {
		path += "?" + strings.NewReplacer("{evidence}", url.QueryEscape(e.params["evidence"])).Replace(query)
	}
	return path
}

func TestAuthorizationEveryRoute(t *testing.T) {
	m := openMain(t, true, func(c *config.Config) {
		c.Registers, c.Workers = "sim", 4
		c.APITokens = "own@0821=" + tokenOwn + ";other@0880=" + tokenOther
		c.MetricsToken = "metrics-token-nobody-has-0123"
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	e := &authzEnv{t: t, m: m, base: "http://" + m.Addr(), clients: map[string]*http.Client{}, params: map[string]string{}}

	// The target case: a first application of Alva's in Högsby, which goes
	// to a caseworker; a document of hers in it.
	alva, _ := devidp.Lookup(devidp.AlvaTestsson)
	month := skalig.DateOf(time.Now()).Month()
	var app *skalig.Application
	for _, hh := range demo.Generate(7, "0821", month, 16) {
		if hh.Scenario == demo.First && len(hh.App.Members) == 1 {
			app = hh.App
			break
		}
	}
	if app == nil {
		t.Fatal("no single first application among the demo households")
	}
	app.Members[0].PersonalNumber = alva.PersonalNumber
	app.IdempotencyKey = "authz-target"
	c, _, err := m.Workflow.Submit(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	e.caseID = c.ID
	e.waitJobs()
	doc, err := m.Workflow.Upload(ctx, c.ID, "", "applicant", "hyresavi.pdf", "application/pdf", []byte("%PDF-1.4 authz test"))
	if err != nil {
		t.Fatal(err)
	}
	e.params["doc"] = doc.ID
	facts, err := m.Cases.Facts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range facts {
		if strings.HasPrefix(f.Evidence, "sha256:") {
			e.params["evidence"] = f.Evidence
		}
	}
	pn := alva.PersonalNumber.Canonical()
	e.pns = []string{pn, pn[:8] + "-" + pn[8:], pn[2:8] + "-" + pn[8:]}

	// Every recorded pattern, and the method routes per path.
	patterns := slices.Clone(m.routes)
	sort.Strings(patterns)
	patterns = slices.Compact(patterns)
	methodPaths := map[string]bool{}
	for _, p := range patterns {
		if _, path, ok := strings.Cut(p, " "); ok {
			methodPaths[path] = true
		}
	}
	// Destructive routes of the owner last: they end the draft or the
	// session.
	sort.SliceStable(patterns, func(i, j int) bool { return destructive(patterns[i]) < destructive(patterns[j]) })
	walked := 0
	used := map[string]bool{}
	for _, pattern := range patterns {
		method, path, hasMethod := strings.Cut(pattern, " ")
		if !hasMethod {
			path, method = pattern, http.MethodGet
			if methodPaths[path] {
				if _, listed := authzRoutes[pattern]; !listed {
					// The 405 fallback of a path with method routes.
					e.fallback(path)
					continue
				}
			}
		}
		exp, ok := authzRoutes[pattern]
		used[pattern] = true
		if !ok {
			t.Errorf("route %q has no expectation in authzRoutes: add one (who may use it, and what the others get)", pattern)
			continue
		}
		for _, r := range authzRoles {
			e.check(r, pattern, method, path, exp)
			walked++
		}
	}
	for p := range authzRoutes {
		if !used[p] {
			t.Errorf("authzRoutes has %q, which no mux registers: remove it", p)
		}
	}
	t.Logf("%d patterns, %d requests", len(patterns), walked)
	if walked < 500 {
		t.Errorf("only %d requests walked", walked)
	}
}

// destructive orders the routes that end the owner's draft or session
// after the rest.
func destructive(pattern string) int {
	switch pattern {
	case "POST /logout":
		return 2
	case "POST /ansokan/{id}/ta-bort", "POST /ansokan/{id}/skicka", "POST /ansokan/{id}/ta-tillbaka", "POST /ansokan/{id}/granska":
		return 1
	}
	return 0
}

// fallback checks that a method a path does not take is 405 for everyone.
func (e *authzEnv) fallback(path string) {
	e.t.Helper()
	for _, r := range authzRoles {
		if r.name == rOwner && strings.HasPrefix(path, "/ansokan/{id}") {
			continue // would make drafts only
		}
		res, _ := e.send(r, http.MethodDelete, e.target(path, ""))
		if res.StatusCode != http.StatusMethodNotAllowed {
			e.t.Errorf("DELETE %s as %s: %d, want 405", path, r.name, res.StatusCode)
		}
	}
}

func (e *authzEnv) send(r authzRole, method, target string) (*http.Response, string) {
	e.t.Helper()
	c := e.client(r)
	var form url.Values
	if method == http.MethodPost {
		form = url.Values{}
	}
	var header []string
	if r.token != "" {
		header = []string{"Authorization", "Bearer " + r.token}
	}
	if strings.HasPrefix(target, "/api/") && method == http.MethodPost {
		form = nil
		header = append(header, "Content-Type", "application/json")
	}
	return e.do(c, method, target, form, header...)
}

// check sends one request and asserts its status and the read log.
func (e *authzEnv) check(r authzRole, pattern, method, path string, exp authzRoute) {
	e.t.Helper()
	if r.name == rOwner && pattern == "POST /logout" {
		defer delete(e.clients, r.name) // logged out: log in again if needed
	}
	want := exp.class(r, method, exp.ok)
	target := e.target(path, exp.query)
	before := e.reads()
	res, body := e.send(r, method, target)
	after := e.reads()
	got := res.StatusCode
	switch {
	case got >= 500:
		e.t.Errorf("%s %s as %s: %d", method, target, r.name, got)
	case want == anyOK:
		if got == 401 || got == 403 || got == 404 {
			e.t.Errorf("%s (%s) as %s: %d, want it allowed", pattern, target, r.name, got)
		}
	case got != want:
		e.t.Errorf("%s (%s) as %s: %d, want %d", pattern, target, r.name, got, want)
	}
	shows := false
	for _, pn := range e.pns {
		shows = shows || strings.Contains(body, pn)
	}
	switch {
	case shows && after == before:
		e.t.Errorf("%s (%s) as %s: %d shows the case's personal number and logged no case.read", pattern, target, r.name, got)
	case (got == 401 || got == 403 || got == 404) && after != before:
		e.t.Errorf("%s (%s) as %s: refused (%d) but logged %d case.read", pattern, target, r.name, got, after-before)
	}
}
