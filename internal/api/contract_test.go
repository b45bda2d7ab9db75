package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"skalig/internal/api"
	"skalig/internal/params"
	"skalig/internal/rules"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
)

// contract is the OpenAPI document compiled for checking responses: every
// response an API test receives goes through validating, which fails the
// test when its status is not documented for the operation or its body does
// not match the documented schema. So the document and the code cannot
// drift apart.
type contract struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	paths    []contractPath

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema
	seen    map[string]bool // "<operation pointer> <status>" answered and checked
}

type contractPath struct {
	template string
	re       *regexp.Regexp
}

const contractURL = "https://skalig.se/openapi.json"

var (
	contractOnce sync.Once
	contractDoc  *contract
	contractErr  error
)

func loadContract() (*contract, error) {
	contractOnce.Do(func() {
		data, err := os.ReadFile("openapi.json")
		if err != nil {
			contractErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			contractErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		if err := c.AddResource(contractURL, doc); err != nil {
			contractErr = err
			return
		}
		ct := &contract{doc: doc.(map[string]any), compiler: c, schemas: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
		for p := range ct.doc["paths"].(map[string]any) {
			re := "^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
			ct.paths = append(ct.paths, contractPath{template: p, re: regexp.MustCompile(re)})
		}
		sort.Slice(ct.paths, func(i, j int) bool { return ct.paths[i].template < ct.paths[j].template })
		contractDoc = ct
	})
	return contractDoc, contractErr
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (c *contract) schema(ptr string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(contractURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	c.schemas[ptr] = s
	return s, nil
}

// check returns what is wrong with the response w to method on path, or "".
// A path or method the document does not have must be answered with
// problem details (404, 405); /metrics is not part of the document.
func (c *contract) check(method, path string, status int, header http.Header, body []byte) string {
	if path == "/metrics" && status == http.StatusOK {
		return ""
	}
	if method == http.MethodHead {
		method = http.MethodGet
		if len(body) == 0 {
			return ""
		}
	}
	ptr := ""
	for _, p := range c.paths {
		if p.re.MatchString(path) {
			ops := c.doc["paths"].(map[string]any)[p.template].(map[string]any)
			if _, ok := ops[strings.ToLower(method)]; ok {
				ptr = "/paths/" + pointerEscape(p.template) + "/" + strings.ToLower(method)
			}
			break
		}
	}
	ctype, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if ptr == "" {
		if status < 400 {
			return fmt.Sprintf("%s %s answered %d, but the document has no such operation", method, path, status)
		}
		return c.validate("/components/schemas/Problem", ctype, "application/problem+json", body)
	}
	responses := c.lookup(ptr + "/responses").(map[string]any)
	st := strconv.Itoa(status)
	resp, ok := responses[st].(map[string]any)
	if !ok {
		if status == http.StatusMethodNotAllowed || status == http.StatusNotFound && !strings.HasPrefix(path, "/api/v1/") {
			return c.validate("/components/schemas/Problem", ctype, "application/problem+json", body)
		}
		return fmt.Sprintf("%s %s answered %d, which the document does not list (%s)", method, path, status, ptr)
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			return fmt.Sprintf("%s %s %d has a body, the document none", method, path, status)
		}
		return ""
	}
	if _, ok := content[ctype]; !ok {
		return fmt.Sprintf("%s %s %d: Content-Type %q is not documented", method, path, status, header.Get("Content-Type"))
	}
	if ctype != "application/json" && !strings.HasSuffix(ctype, "+json") {
		// A document that is not JSON (the letter as PDF or HTML): the
		// documented media type is what can be checked.
		if len(body) == 0 {
			return fmt.Sprintf("%s %s %d: empty %s", method, path, status, ctype)
		}
		c.mu.Lock()
		c.seen[ptr+" "+st] = true
		c.mu.Unlock()
		return ""
	}
	msg := c.validate(ptr+"/responses/"+st+"/content/"+pointerEscape(ctype)+"/schema", ctype, ctype, body)
	if msg == "" {
		c.mu.Lock()
		c.seen[ptr+" "+st] = true
		c.mu.Unlock()
	}
	return msg
}

// unseen returns every documented response of every operation that no test
// received (and validated).
func (c *contract) unseen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, p := range c.paths {
		for method, op := range c.doc["paths"].(map[string]any)[p.template].(map[string]any) {
			ptr := "/paths/" + pointerEscape(p.template) + "/" + method
			for st := range op.(map[string]any)["responses"].(map[string]any) {
				// A 500 is answered only on a bug or a failing
				// database; TestRecover and TestEveryDocumentedStatus
				// check its problem details where it can be caused.
				if st != "500" && !c.seen[ptr+" "+st] {
					out = append(out, strings.ToUpper(method)+" "+p.template+" "+st)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestMain runs the tests and then, when all of them ran, fails unless
// every documented response of every operation (each error status
// included) was received by some test and matched the document.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		if c, err := loadContract(); err == nil {
			if missing := c.unseen(); len(missing) > 0 {
				fmt.Fprintf(os.Stderr, "FAIL: documented responses no test received and checked against openapi.json:\n  %s\n", strings.Join(missing, "\n  "))
				code = 1
			}
		}
	}
	os.Exit(code)
}

// checkRequest returns what is wrong with an accepted request body by the
// operation's requestBody schema, or "".
func (c *contract) checkRequest(method, path, contentType string, body []byte) string {
	ctype, _, _ := mime.ParseMediaType(contentType)
	if ctype != "application/json" || len(body) == 0 {
		return ""
	}
	for _, p := range c.paths {
		if !p.re.MatchString(path) {
			continue
		}
		ptr := "/paths/" + pointerEscape(p.template) + "/" + strings.ToLower(method)
		op, ok := c.doc["paths"].(map[string]any)[p.template].(map[string]any)[strings.ToLower(method)].(map[string]any)
		if !ok || op["requestBody"] == nil {
			return ""
		}
		if msg := c.validate(ptr+"/requestBody/content/application~1json/schema", ctype, ctype, body); msg != "" {
			return method + " " + path + ": " + msg
		}
		return ""
	}
	return ""
}

func (c *contract) lookup(ptr string) any {
	var v any = c.doc
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		v = v.(map[string]any)[part]
	}
	return v
}

func (c *contract) validate(ptr, ctype, want string, body []byte) string {
	if ctype != want {
		return fmt.Sprintf("Content-Type %q, want %s", ctype, want)
	}
	s, err := c.schema(ptr)
	if err != nil {
		return fmt.Sprintf("compile %s: %v", ptr, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Sprintf("body is not JSON: %v: %s", err, body)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Sprintf("body does not match %s: %v\nbody: %s", ptr, err, body)
	}
	return ""
}

// validating returns h with every response checked against the document.
func validating(tb testing.TB, h http.Handler) http.Handler {
	c, err := loadContract()
	if err != nil {
		tb.Fatalf("load openapi.json: %v", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		if r.Body != nil {
			reqBody, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if msg := c.check(r.Method, r.URL.Path, rec.Code, rec.Header(), rec.Body.Bytes()); msg != "" {
			tb.Errorf("response does not match the OpenAPI document: %s", msg)
		}
		if rec.Code < 300 {
			if msg := c.checkRequest(r.Method, r.URL.Path, r.Header.Get("Content-Type"), reqBody); msg != "" {
				tb.Errorf("the API accepted a request the OpenAPI document does not allow: %s", msg)
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// TestContractDocumentsProblems checks that every documented error status
// of every operation is described by the Problem schema, and every
// operation declares its security.
func TestContractDocumentsProblems(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.paths {
		for method, op := range c.doc["paths"].(map[string]any)[p.template].(map[string]any) {
			op := op.(map[string]any)
			if _, ok := op["security"]; !ok {
				t.Errorf("%s %s: no security", method, p.template)
			}
			for st, resp := range op["responses"].(map[string]any) {
				if st < "400" {
					continue
				}
				content, _ := resp.(map[string]any)["content"].(map[string]any)
				mt, ok := content["application/problem+json"].(map[string]any)
				if !ok || len(content) != 1 {
					t.Errorf("%s %s %s: want only application/problem+json", method, p.template, st)
					continue
				}
				if ref, _ := mt["schema"].(map[string]any)["$ref"].(string); ref != "#/components/schemas/Problem" {
					t.Errorf("%s %s %s: schema %v, want Problem", method, p.template, st, mt["schema"])
				}
			}
		}
	}
}

// TestEveryDocumentedStatus makes a request for each documented status of
// the case routes that the other tests do not cause, so that each answers
// with a body that matches the document (validating checks it, TestMain
// checks that none is left out).
func TestEveryDocumentedStatus(t *testing.T) {
	h, wf, db := policyServer(t)
	ctx := context.Background()
	want := func(w *httptest.ResponseRecorder, status int, what string) {
		t.Helper()
		if w.Code != status {
			t.Fatalf("%s: %d %s, want %d", what, w.Code, w.Body, status)
		}
	}
	body := strings.Replace(documentedApplication(t, h), `"monthly"`, `"first"`, 1)
	w := call(t, h, "POST", "/api/v1/applications", tokHogby, "every-status-1", body)
	want(w, 201, "submit")
	var sub struct {
		ID string `json:"id"`
	}
	json.Unmarshal(w.Body.Bytes(), &sub)
	cs := runUntilRest(t, wf, sub.ID)
	const sara = "dev-sara-handlaggarsson"
	if err := deskdb.New(db).SeeStaff(ctx, store.StaffMember{Subject: sara, Name: "Sara Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	decide := "/api/v1/cases/" + cs.ID + "/decision"
	reject := fmt.Sprintf(`{"version":%d,"caseworker":%q,"outcome":"rejected","amount":0,"reasons":["Inkomsterna räcker."],"kommunicering_exception":"kommunicering_unnecessary"}`, cs.Version, sara)

	// Client errors.
	for _, path := range []string{"/api/v1/cases", "/api/v1/cases/" + cs.ID, "/api/v1/cases/" + cs.ID + "/receipt",
		"/api/v1/decisions/x/replay", "/api/v1/statistics"} {
		want(call(t, h, "GET", path, "", "", ""), 401, path+" without a key")
	}
	want(call(t, h, "POST", decide, "", "", reject), 401, "decision without a key")
	want(call(t, h, "GET", "/api/v1/cases?municipality=0880", tokHogby, "", ""), 403, "another municipality's cases")
	want(call(t, h, "GET", "/api/v1/cases/nosuchcase/receipt", tokSystem, "", ""), 404, "receipt of no case")
	want(call(t, h, "GET", "/api/v1/cases/"+cs.ID+"/receipt", tokSystem, "", ""), 404, "receipt before the decision")
	want(call(t, h, "GET", "/api/v1/decisions/nosuchdecision/replay", tokSystem, "", ""), 404, "replay of no decision")
	want(call(t, h, "POST", "/api/v1/cases/nosuchcase/decision", tokSystem, "", reject), 404, "decision on no case")
	want(call(t, h, "POST", decide, tokSystem, "", strings.Replace(reject, `"amount":0`, `"amount":"x"`, 1)), 400, "decision with a bad amount")
	r := httptest.NewRequest("POST", decide, strings.NewReader(reject))
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("Authorization", "Bearer "+tokSystem)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	want(rec, 415, "decision as text/plain")
	r = httptest.NewRequest("POST", "/api/v1/applications", strings.NewReader(body))
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("Authorization", "Bearer "+tokHogby)
	r.Header.Set("Idempotency-Key", "every-status-2")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	want(rec, 415, "application as text/plain")
	want(call(t, h, "POST", "/api/v1/applications", tokHogby, "every-status-3", `{"municipality":"0821","x":"`+strings.Repeat("a", 2<<20)+`"}`),
		413, "an application over the limit")

	// A decision, its receipt and its replay.
	w = call(t, h, "POST", decide, tokSystem, "", reject)
	want(w, 201, "decision")
	var dec struct {
		ID string `json:"id"`
	}
	json.Unmarshal(w.Body.Bytes(), &dec)
	want(call(t, h, "GET", "/api/v1/cases/"+cs.ID+"/receipt", tokSystem, "", ""), 200, "receipt")
	want(call(t, h, "GET", "/api/v1/decisions/"+dec.ID+"/replay", tokSystem, "", ""), 200, "replay")

	// A database that fails is an internal error in problem details.
	db.Close()
	want(call(t, h, "GET", "/api/v1/cases", tokSystem, "", ""), 500, "cases without a database")
}

// TestContractExamples checks every example of a request or response body
// against its schema, so that the examples stay real.
func TestContractExamples(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["schema"]; ok && strings.Contains(ptr, "/content/") {
				check := func(ex any, at string) {
					n++
					s, err := c.schema(ptr + "/schema")
					if err != nil {
						t.Errorf("%s: %v", ptr, err)
						return
					}
					if err := s.Validate(ex); err != nil {
						t.Errorf("example %s does not match its schema: %v", at, err)
					}
				}
				if ex, ok := v["example"]; ok {
					check(ex, ptr+"/example")
				}
				if exs, ok := v["examples"].(map[string]any); ok {
					for name, ex := range exs {
						check(ex.(map[string]any)["value"], ptr+"/examples/"+name)
					}
				}
			}
			for k, x := range v {
				walk(ptr+"/"+pointerEscape(k), x)
			}
		case []any:
			for i, x := range v {
				walk(ptr+"/"+strconv.Itoa(i), x)
			}
		}
	}
	walk("/paths", c.doc["paths"])
	if n < 10 {
		t.Errorf("only %d examples checked", n)
	}
}

// TestContractCalculationOptions sends the calculation format's optional
// parts (a norm adjustment, an approved cost and aid beyond the
// calculation, a person's own aid months) so that the document describes
// the request and the result that has them.
func TestContractCalculationOptions(t *testing.T) {
	h, _ := newServer(t, api.Config{})
	w := post(t, h, "/api/v1/calculations", `{
  "month": "2025-09",
  "people": [{"id": "p1", "role": "applicant", "birth_date": "1993-06-01", "aid_months": ["2025-08"]}],
  "costs": [
    {"kind": "housing", "amount": 5200},
    {"kind": "other:glasögon", "amount": 1500, "approved": 1200, "reason": "Nödvändiga glasögon.", "approved_by": "hl1"},
    {"kind": "beyond:tandvård", "amount": 900, "approved": 900, "reason": "Akut tandvård."}
  ],
  "incomes": [{"kind": "activity_support", "amount": 4100}],
  "norm_adjustment": {"amount": -300, "reason": "Kost i verksamhet.", "by": "hl1"}
}`)
	if w.Code != http.StatusOK {
		t.Fatalf("status=%d, want 200; body %s", w.Code, w.Body)
	}
	for _, want := range []string{`"norm_adjustment":-300`, `"beyond_calculation":900`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("result lacks %s: %s", want, w.Body)
		}
	}
}

// TestContractEveryCaseRouteRefuses checks the refusals every case route
// shares: 503 when this process runs no casework, 403 for a key without the
// route's action, and 413 for a body over the limit.
func TestContractEveryCaseRouteRefuses(t *testing.T) {
	routes := []struct{ method, path, body string }{
		{"POST", "/api/v1/applications", "{}"},
		{"GET", "/api/v1/cases", ""},
		{"GET", "/api/v1/cases/x", ""},
		{"GET", "/api/v1/cases/x/receipt", ""},
		{"POST", "/api/v1/cases/x/decision", "{}"},
		{"GET", "/api/v1/decisions/x/replay", ""},
		{"GET", "/api/v1/statistics", ""},
		{"GET", "/api/v1/cases/x/letter.pdf", ""},
		{"GET", "/api/v1/cases/x/letter.html", ""},
		{"POST", "/api/v1/whatif", "{}"},
		{"GET", "/api/v1/whatif/x", ""},
		{"POST", "/api/v1/whatif/x/stop", ""},
	}
	h, _ := newServer(t, api.Config{Tokens: []api.Token{{Name: "t", Secret: tokAll, Municipalities: []string{"*"}}}})
	for _, rt := range routes {
		if w := call(t, h, rt.method, rt.path, tokAll, "k", rt.body); w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s %s without casework: %d, want 503", rt.method, rt.path, w.Code)
		}
	}
	_, wf, _ := caseServer(t)
	p, _ := params.Default()
	h = validating(t, api.New(api.Config{Params: p, Workflow: wf, Tokens: []api.Token{
		{Name: "nothing", Secret: "a-key-that-may-do-nothing", Municipalities: []string{"*"}, Actions: []string{"act_for_person"}},
		{Name: "all", Secret: tokAll, Municipalities: []string{"*"}, Actions: []string{"submit", "read", "decide"}},
	}}).Handler())
	for _, rt := range routes {
		if w := call(t, h, rt.method, rt.path, "a-key-that-may-do-nothing", "k", rt.body); w.Code != http.StatusForbidden {
			t.Errorf("%s %s with a key without the action: %d, want 403", rt.method, rt.path, w.Code)
		}
	}
	big := `{"x":"` + strings.Repeat("a", 2<<20) + `"}`
	w := call(t, h, "POST", "/api/v1/applications", tokAll, "k", documentedApplication(t, h))
	var cs struct {
		ID string `json:"id"`
	}
	json.Unmarshal(w.Body.Bytes(), &cs)
	if w := call(t, h, "POST", "/api/v1/cases/"+cs.ID+"/decision", tokAll, "", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a decision over the limit: %d, want 413 (%s)", w.Code, w.Body)
	}
	if w := call(t, h, "POST", "/api/v1/whatif", tokAll, "", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a what-if run over the limit: %d, want 413 (%s)", w.Code, w.Body)
	}
	r := httptest.NewRequest("POST", "/api/v1/whatif", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("Authorization", "Bearer "+tokAll)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a what-if run as text/plain: %d, want 415", rec.Code)
	}
}

// TestContractReviewReasonsComplete: every review_reasons enum of the
// document lists every review reason the engine can give (a new engine
// reason, such as the 2027 reform's, is documented with it).
func TestContractReviewReasonsComplete(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	want := rules.Reasons(^uint32(0)).Codes()
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if rr, ok := v["review_reasons"].(map[string]any); ok {
				if items, ok := rr["items"].(map[string]any); ok {
					if enum, ok := items["enum"].([]any); ok {
						n++
						var got []string
						for _, e := range enum {
							got = append(got, e.(string))
						}
						for _, w := range want {
							if !slices.Contains(got, w) {
								t.Errorf("review_reasons enum %v lacks %s", got, w)
							}
						}
					}
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(c.doc)
	if n == 0 {
		t.Fatal("no review_reasons enum in the document")
	}
}
