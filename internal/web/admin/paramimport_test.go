package admin_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"skalig/internal/auth/devidp"
	"skalig/internal/store/paramdb"
	"skalig/internal/web/webtest"
)

// upload posts a parameter file as staff.
func upload(t *testing.T, e *webtest.StaffEnv, staff, name string, body []byte) webtest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(body)
	}
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/handlaggning/parametrar/import", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set(webtest.StaffHeader, staff)
	return webtest.Do(t, e.H, r)
}

// An administrator loads a year's parameter file in the administration:
// a bad file is refused with the line and the field; a good one becomes a
// pending version that the one who loaded it cannot approve (four eyes)
// and another administrator can.
func TestParameterImport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	wilma := devidp.WilmaAdminsson
	good, err := os.ReadFile("../../params/testdata/year-2027-testdata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	res := e.Get(t, wilma, "/handlaggning/parametrar")
	mustContain(t, res.Body, "Inlästa parameterversioner", "riksnorm 2027", `name="file"`)
	// What is missing is said in the page's language.
	res = e.Get(t, wilma, "/handlaggning/parametrar?lang=en")
	mustContain(t, res.Body, "the riksnorm for 2027 (personal costs", "the prisbasbelopp for 2027")
	mustNotContain(t, res.Body, "riksnorm 2027 (personliga")
	res = e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/parametrar")
	mustNotContain(t, res.Body, `name="file"`)
	wantStatus(t, upload(t, e, devidp.SaraHandlaggarsson, "riksnorm-2027.tsv", good), 403, "a caseworker uploads")

	res = upload(t, e, wilma, "", nil)
	wantStatus(t, res, 422, "no file")
	mustContain(t, res.Body, "Parameterfil: välj en fil", `href="#f-file"`)
	bad := []byte(strings.Replace(string(good), "\tofficial\t", "\tofficiell\t", 1))
	res = upload(t, e, wilma, "riksnorm-2027.tsv", bad)
	wantStatus(t, res, 422, "a bad file")
	mustContain(t, res.Body, "riksnorm-2027.tsv rad", `href="#f-file"`)

	res = upload(t, e, wilma, "riksnorm-2027.tsv", good)
	wantStatus(t, res, http.StatusSeeOther, "a good file")
	ps := paramdb.New(e.DB)
	vs, err := ps.Versions(ctx)
	if err != nil || len(vs) != 1 || vs[0].Status != "pending" || vs[0].LoadedBy != wilma {
		t.Fatalf("versions %+v %v", vs, err)
	}
	res = e.Get(t, wilma, "/handlaggning/parametrar?klart=parametrar_inlasta")
	mustContain(t, res.Body, "En annan administratör behöver godkänna den", "Väntar på en annan administratör")
	res = e.Post(t, wilma, "/handlaggning/parametrar/godkann", url.Values{"version": {"1"}})
	wantStatus(t, res, 422, "approve one's own version")
	mustContain(t, res.Body, "fyra ögon", `id="f-version"`)
	res = e.Post(t, wilma, "/handlaggning/parametrar/godkann", url.Values{"version": {"x"}})
	wantStatus(t, res, 422, "no version")

	// A version another administrator loaded: Wilma approves it.
	v2, err := ps.Import(ctx, "riksnorm-2027-b.tsv", good, "admin-b")
	if err != nil {
		t.Fatal(err)
	}
	res = e.Get(t, wilma, "/handlaggning/parametrar")
	mustContain(t, res.Body, "Godkänn version 2")
	res = e.Post(t, wilma, "/handlaggning/parametrar/godkann", url.Values{"version": {"2"}})
	wantStatus(t, res, http.StatusSeeOther, "approve another's version")
	if vs, _ := ps.Versions(ctx); len(vs) != 2 || vs[1].ID != v2.ID || vs[1].Status != "approved" || vs[1].ApprovedBy != wilma {
		t.Fatalf("versions after approval %+v", vs)
	}
	res = e.Get(t, wilma, "/handlaggning/parametrar?klart=parametrar_godkanda")
	mustContain(t, res.Body, "Versionen är godkänd och gäller nu")
	mustNotContain(t, res.Body, "riksnorm 2027 (")
}
