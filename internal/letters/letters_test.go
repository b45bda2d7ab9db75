package letters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/letters"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

var month = skalig.MonthOf(2026, 11)

type env struct {
	db  *store.DB
	wf  *workflow.Workflow
	mun *municipal.Set
}

func setup(t *testing.T) *env {
	t.Helper()
	db := dbtest.Open(t)
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	wf, err := workflow.New(workflow.Config{Cases: store.NewCaseStore(db), Params: p, Municipal: mun,
		Registers: sim.New(sim.Config{Seed: 1}), RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, wf: wf, mun: mun}
}

// run runs the workers until no job is due.
func (e *env) run(t *testing.T) {
	t.Helper()
	dbtest.RunJobs(t, e.db, e.wf.Run)
}

func caseworker(subject string) skalig.Actor {
	return skalig.PersonActor(subject, []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"})
}

// submit submits demo households of scenario and runs the workflow.
func (e *env) submit(t *testing.T, seed uint64, s demo.Scenario, n int) []*skalig.Case {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for _, h := range demo.GenerateScenario(seed, "0821", month, s, n) {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	e.run(t)
	var out []*skalig.Case
	for _, id := range ids {
		c, err := e.wf.Cases().Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func (e *env) calc(t *testing.T, id string) casecalc.Calculation {
	t.Helper()
	var calc casecalc.Calculation
	if err := e.wf.Cases().LatestRecord(context.Background(), id, store.RecordCalculation, &calc); err != nil {
		t.Fatal(err)
	}
	return calc
}

// waiting returns a case of scenario s that waits for a person with aid
// to pay.
func (e *env) waiting(t *testing.T, s demo.Scenario) *skalig.Case {
	t.Helper()
	for _, c := range e.submit(t, 5, s, 6) {
		if calc := e.calc(t, c.ID); c.State == skalig.StateAwaitingCaseworker && calc.Output != nil && calc.Output.Aid > skalig.Kronor(1000) {
			return c
		}
	}
	t.Fatalf("no %s case waits for a person", s)
	return nil
}

// automated returns a plain case the robot decided, with its payment
// ordered (whatever the payment's state: run, executed or waiting).
func (e *env) automated(t *testing.T) *skalig.Case {
	t.Helper()
	ctx := context.Background()
	for _, c := range e.submit(t, 1, demo.Plain, 6) {
		d, err := e.wf.Cases().CaseDecision(ctx, c.ID)
		if err != nil || !d.DecidedBy.IsAutomated() {
			continue
		}
		if _, err := e.wf.Cases().CasePayment(ctx, c.ID); err == nil {
			return c
		}
	}
	t.Fatal("no plain case was decided automatically with a payment ordered")
	return nil
}

var reader = workflow.Reader{Actor: "caseworker:hl-9", Via: "cli"}

// letter loads and renders the letter of case id in both forms and checks
// what every letter must say against the receipt.
func (e *env) letter(t *testing.T, id string) (letters.Input, *letters.Letter, string, []byte) {
	t.Helper()
	in, err := letters.Load(context.Background(), e.wf, e.mun, id, reader)
	if err != nil {
		t.Fatal(err)
	}
	l, err := letters.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	html, err := l.HTML()
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := l.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text := plain(string(html))
	r := in.Receipt
	if in.CaseNumber == "" {
		t.Fatal("the letter's input has no case number")
	}
	var trace []calcformat.Line
	if err := json.Unmarshal(r.Trace, &trace); err != nil {
		t.Fatal(err)
	}
	var out calcformat.Output
	json.Unmarshal(r.Result, &out)
	must := []string{
		"Beslut: " + r.Outcome.Swedish() + ".",
		"Ärendenummer: " + in.CaseNumber, // the number people quote, not the internal id
		"november 2026",
		"Beslutsdatum: " + skalig.DateOf(in.Decision.DecidedAt).String(),
		// FL 33 §: how to appeal.
		"överklaga beslutet till förvaltningsrätten", "Skicka överklagandet till oss", "inom tre veckor från den dag du fick del av beslutet",
		"förvaltningslagen (2017:900) 33",
		// The municipality's contact details.
		in.Contact.Phone, in.Contact.Email, in.Contact.Address[0], "exempel i Skäligs demo",
		// The calculation's figures with their legal references.
		"hushållets behov för november 2026", out.IncomeCounted.Swedish(),
	}
	for _, tl := range trace {
		if tl.Item == "review_reason" {
			continue
		}
		must = append(must, tl.NamePersons(in.StaffNames), tl.Law)
	}
	for _, s := range must {
		if !strings.Contains(strings.ToLower(text), strings.ToLower(plain(s))) {
			t.Errorf("the letter lacks %q", s)
		}
	}
	for _, s := range in.Decision.Reasons {
		if !strings.Contains(text, plain(s)) {
			t.Errorf("the letter lacks the reason %q", s)
		}
	}
	if r.Amount > 0 && !strings.Contains(text, "försörjningsstöd med "+plain(r.Amount.Swedish())) {
		t.Errorf("the letter lacks the amount %s", r.Amount.Swedish())
	}
	// Accessible HTML: language, headings and the calculation as a table.
	for _, s := range []string{`<html lang="sv-SE">`, "<h1>Beslut om försörjningsstöd</h1>", "<h2>Så har vi räknat</h2>",
		`<th scope="col">Lagrum</th>`, `<th scope="row">`, "<caption>"} {
		if !bytes.Contains(html, []byte(s)) {
			t.Errorf("HTML lacks %s", s)
		}
	}
	// The same receipt gives the same bytes, read again from the store.
	in2, err := letters.Load(context.Background(), e.wf, e.mun, id, reader)
	if err != nil {
		t.Fatal(err)
	}
	pdf2, err := letters.Render(in2, true)
	if err != nil {
		t.Fatal(err)
	}
	html2, _ := letters.Render(in2, false)
	if !bytes.Equal(pdf, pdf2) || !bytes.Equal(html, html2) {
		t.Error("the same receipt gave different letter bytes")
	}
	checkPDF(t, pdf, l)
	return in, l, text, pdf
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plain is text without tags and with ordinary spaces.
func plain(s string) string {
	s = tags.ReplaceAllString(s, " ")
	s = strings.NewReplacer("\u00a0", " ", "&amp;", "&", "&#39;", "'", "&#34;", `"`, "&quot;", `"`).Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// checkPDF checks the PDF with poppler-utils: tagged, every font embedded,
// title and language, the structure tree, and the text of the letter.
func checkPDF(t *testing.T, pdf []byte, l *letters.Letter) {
	t.Helper()
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Skip("pdfinfo (Debian poppler-utils) is not installed; CI installs it")
	}
	file := filepath.Join(t.TempDir(), "brev.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) string {
		out, err := exec.Command(name, append(args, file)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		return string(out)
	}
	info := run("pdfinfo")
	for _, s := range []string{"Tagged:          yes", "Title:           " + l.Title, "PDF version:     1.7"} {
		if !strings.Contains(info, s) {
			t.Errorf("pdfinfo lacks %q:\n%s", s, info)
		}
	}
	if strings.Contains(info, "Syntax Error") {
		t.Errorf("pdfinfo reports errors:\n%s", info)
	}
	fonts := strings.Split(strings.TrimSpace(run("pdffonts")), "\n")
	if len(fonts) < 3 {
		t.Fatalf("pdffonts lists no font:\n%s", strings.Join(fonts, "\n"))
	}
	for _, f := range fonts[2:] {
		if fs := strings.Fields(f); len(fs) < 6 || fs[3] != "yes" {
			t.Errorf("font not embedded: %s", f)
		}
	}
	st := run("pdfinfo", "-struct")
	for _, s := range []string{"Document", "H1", "H2", "P", "Table", "TR", "TH", "TD", "/Scope /Column", "/Scope /Row"} {
		if !regexp.MustCompile(`(?m)^\s*`+regexp.QuoteMeta(s)).MatchString(st) && !strings.Contains(st, s) {
			t.Errorf("structure tree lacks %s", s)
		}
	}
	// The text belongs to its structure element: the title to H1, the
	// column headers to TH with a column scope.
	st = run("pdfinfo", "-struct-text")
	for _, re := range []string{`H1 \(block\)\n\s+"Beslut om försörjningsstöd"`, `TH:\n\s+/Scope /Column\n\s+"Lagrum"`,
		`H2 \(block\)\n\s+"Om du inte är nöjd med beslutet"`} {
		if !regexp.MustCompile(re).MatchString(st) {
			t.Errorf("the structure tree's text lacks %s", re)
		}
	}
	meta := run("pdfinfo", "-meta")
	for _, s := range []string{"<pdfuaid:part>1</pdfuaid:part>", "<rdf:li>sv-SE</rdf:li>",
		// PDF/A-2a, with pdfuaid declared in an extension schema (PDF/A-2
		// allows only predefined or declared XMP properties).
		"<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>A</pdfaid:conformance>",
		"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>", "<pdfaProperty:name>part</pdfaProperty:name>",
		`<rdf:li xml:lang="x-default">` + l.Title + "</rdf:li>"} {
		if !strings.Contains(meta, s) {
			t.Errorf("XMP metadata lacks %s", s)
		}
	}
	var x struct{}
	if err := xml.Unmarshal([]byte(meta), &x); err != nil {
		t.Errorf("the XMP metadata is not well-formed XML: %v", err)
	}
	// The document information agrees with the XMP (PDF/A-2 6.6.3):
	// creation date, creator tool, producer.
	created := regexp.MustCompile(`<xmp:CreateDate>([^<]+)</xmp:CreateDate>`).FindStringSubmatch(meta)
	if created == nil || !bytes.Contains(pdf, []byte("/CreationDate (D:"+strings.NewReplacer("-", "", "T", "", ":", "").Replace(created[1])+")")) ||
		!strings.Contains(meta, "<xmp:CreatorTool>Skälig</xmp:CreatorTool>") || !strings.Contains(info, "Creator:         Skälig") ||
		!strings.Contains(meta, "<pdf:Producer>Skälig</pdf:Producer>") || !strings.Contains(info, "Producer:        Skälig") {
		t.Errorf("the document information and the XMP metadata differ:\n%s\n%s", info, meta)
	}
	// The PDF/A output intent with its ICC profile, and a ToUnicode map on
	// every font.
	for _, s := range []string{"/OutputIntents [<</Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1)", "/DestOutputProfile "} {
		if !bytes.Contains(pdf, []byte(s)) {
			t.Errorf("the catalog lacks %s", s)
		}
	}
	if n, m := bytes.Count(pdf, []byte("/Subtype /TrueType")), bytes.Count(pdf, []byte("/ToUnicode ")); n == 0 || n != m {
		t.Errorf("%d fonts, %d with ToUnicode", n, m)
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		// qpdf reads every object and stream: the cross-reference table
		// and the stream lengths are right.
		if out, err := exec.Command("qpdf", "--check", file).CombinedOutput(); err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
			t.Errorf("qpdf --check: %v\n%s", err, out)
		}
	}
	if !bytes.Contains(pdf, []byte("/Lang <FEFF00730076002D00530045>")) || !bytes.Contains(pdf, []byte("/DisplayDocTitle true")) {
		t.Error("the catalog lacks /Lang sv-SE or DisplayDocTitle")
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext: %v\n%s", err, out)
		}
		text := plain(string(out))
		for _, s := range []string{"Beslut om försörjningsstöd", "Om du inte är nöjd med beslutet", "Skicka överklagandet till oss"} {
			if !strings.Contains(text, s) {
				t.Errorf("the PDF's text lacks %q", s)
			}
		}
	}
}

func TestLetterAutomatedApproval(t *testing.T) {
	e := setup(t)
	c := e.automated(t)
	in, l, text, _ := e.letter(t, c.ID)
	r := in.Receipt
	if r.Outcome != skalig.OutcomeApproved || !r.DecidedBy.IsAutomated() || in.Payment == nil {
		t.Fatalf("receipt outcome %s decided by %v payment %v", r.Outcome, r.DecidedBy, in.Payment)
	}
	for _, s := range []string{"Beslutet har fattats automatiskt (förvaltningslagen 28 §) enligt nämndens delegation: " + r.DecidedBy.Delegation,
		"den " + in.Payment.PayOn.String() + " till kontot som slutar på " + last4(in.Payment.Account)} {
		if !strings.Contains(text, plain(s)) {
			t.Errorf("the letter lacks %q", s)
		}
	}
	if digits := onlyDigits(in.Payment.Account); strings.Contains(strings.ReplaceAll(text, " ", ""), digits) {
		t.Error("the letter shows the whole account number")
	}
	for _, it := range l.Items {
		if it.Decision != skalig.OutcomeApproved || it.Granted != it.Applied || it.Ground != "" {
			t.Errorf("item %+v of an approval in full", it)
		}
	}
	if len(l.Items) == 0 {
		t.Error("no item applied for in the letter")
	}
}

func TestLetterPartlyApprovedByAPerson(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	c := e.waiting(t, demo.OtherNeed)
	// The caseworker approves 100 kr of the other need and reduces the month.
	need := skalig.Fact{Kind: skalig.KindOtherNeedPrefix + "1", Value: skalig.AmountValue(skalig.Kronor(100))}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-7"), []skalig.Fact{need}, "Bara en del av kostnaden är skälig"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.wf.Cases().Case(ctx, c.ID)
	calc := e.calc(t, c.ID)
	amount := calc.Output.Aid - skalig.Kronor(500)
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-7"),
		Outcome: skalig.OutcomePartlyApproved, Amount: amount, Reasons: []string{"Du har fått 500 kr för samma behov förra månaden."},
		KommuniceringException: skalig.ReasonKommuniceringUnnecessary})
	if err != nil || res.Decision == nil {
		t.Fatalf("decide: %+v %v", res, err)
	}
	e.run(t)
	in, l, text, _ := e.letter(t, c.ID)
	if in.Receipt.Outcome != skalig.OutcomePartlyApproved || in.Receipt.Amount != amount {
		t.Fatalf("receipt %s %s", in.Receipt.Outcome, in.Receipt.Amount)
	}
	for _, s := range []string{"Beslutet har fattats av handläggaren med id hl-7, handläggare",
		"Enligt beräkningen var beloppet " + calc.Output.Aid.Swedish() + ". Beslutet beviljar " + amount.Swedish(),
		"Skäl: Bara en del av kostnaden är skälig"} {
		if !strings.Contains(text, plain(s)) {
			t.Errorf("the letter lacks %q", s)
		}
	}
	if strings.Contains(text, "automatiskt") {
		t.Error("a person's decision is called automated")
	}
	found := false
	for _, it := range l.Items {
		if strings.HasPrefix(it.Name, "Övrigt behov") {
			found = true
			if it.Granted != skalig.Kronor(100) || it.Applied <= it.Granted || it.Decision != skalig.OutcomePartlyApproved || it.Ground == "" {
				t.Errorf("other need %+v, want delvis bifall 100 kr with its ground", it)
			}
			if !strings.Contains(text, plain(it.Applied.Swedish()+" "+it.Granted.Swedish()+" delvis bifall")) {
				t.Errorf("the items table lacks the other need's row")
			}
		}
	}
	if !found {
		t.Error("the other need applied for is not in the letter")
	}
}

func TestLetterRejectedByAPerson(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	c := e.waiting(t, demo.First)
	reason := "Du har pengar på banken som räcker till hushållets behov i november 2026."
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-2"),
		Outcome: skalig.OutcomeRejected, Reasons: []string{reason}, KommuniceringException: skalig.ReasonKommuniceringUnnecessary})
	if err != nil || res.Decision == nil {
		t.Fatalf("decide: %+v %v", res, err)
	}
	e.run(t)
	in, _, text, _ := e.letter(t, c.ID)
	if in.Receipt.Outcome != skalig.OutcomeRejected || in.Payment != nil {
		t.Fatalf("receipt %s payment %v", in.Receipt.Outcome, in.Payment)
	}
	for _, s := range []string{"Du får inget försörjningsstöd för november 2026", reason, "Inget belopp betalas ut.",
		"Du får ändå inget försörjningsstöd, av skälen nedan.", "vad som godtogs i beräkningen",
		"Beslutet har fattats av handläggaren med id hl-2"} {
		if !strings.Contains(text, plain(s)) {
			t.Errorf("the letter lacks %q", s)
		}
	}
	// The decider's name and title when the municipality gives them.
	in.DeciderName, in.DeciderTitle = "Eva Exempelsson", "socialsekreterare"
	html, err := letters.Render(in, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain(string(html)), "Beslutet har fattats av Eva Exempelsson, socialsekreterare") {
		t.Error("the decider's name and title are not in the letter")
	}
}

func TestLetterRefusesWithoutWhatItNeeds(t *testing.T) {
	e := setup(t)
	c := e.waiting(t, demo.First)
	if _, err := letters.Load(context.Background(), e.wf, e.mun, c.ID, reader); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("a case without a decision: %v, want ENOTFOUND", err)
	}
	_, err := letters.Build(letters.Input{})
	var se *skalig.Error
	if !asError(err, &se) || se.Code != skalig.EINVALID || len(se.Fields) < 3 {
		t.Fatalf("empty input: %v", err)
	}
}

func asError(err error, target **skalig.Error) bool {
	e, ok := err.(*skalig.Error)
	*target = e
	return ok
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func last4(s string) string { d := onlyDigits(s); return d[len(d)-4:] }

func TestMaskAccount(t *testing.T) {
	for in, want := range map[string]string{"8327-9 123 456 789-0": "kontot som slutar på 7890", "12": "ditt konto", "": "ditt konto"} {
		if got := letters.MaskAccount(in); got != want {
			t.Errorf("MaskAccount(%q) = %q, want %q", in, got, want)
		}
	}
}

// pdfText returns the text of pdf by pdftotext, or false when poppler-utils
// is not installed.
func pdfText(t *testing.T, pdf []byte) (string, bool) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return "", false
	}
	file := filepath.Join(t.TempDir(), "prov.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out), true
}

// A person's bifall: the letter names the caseworker from the staff
// directory (the name the login provider gave), with the title
// "handläggare" (Skälig keeps no titles), grants what was applied for,
// and the PDF's text says the same as the HTML.
func TestLetterApprovedByANamedCaseworker(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if err := deskdb.New(e.db).SeeStaff(ctx, store.StaffMember{Subject: "hl-5", Name: "Eva Exempelsson",
		Roles: []string{string(skalig.StaffCaseworker)}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	c := e.waiting(t, demo.First)
	calc := e.calc(t, c.ID)
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-5"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
	if err != nil || res.Decision == nil {
		t.Fatalf("decide: %+v %v", res, err)
	}
	e.run(t)
	in, l, text, pdf := e.letter(t, c.ID)
	if in.Receipt.Outcome != skalig.OutcomeApproved || in.Receipt.Amount != calc.Output.Aid || in.DeciderName != "Eva Exempelsson" {
		t.Fatalf("receipt %s %s, decider %q", in.Receipt.Outcome, in.Receipt.Amount, in.DeciderName)
	}
	want := []string{"Beslut: bifall. Du får försörjningsstöd med " + calc.Output.Aid.Swedish() + " för november 2026.",
		"Beslutet har fattats av Eva Exempelsson, handläggare, " + in.Contact.Authority + "."}
	for _, s := range want {
		if !strings.Contains(text, plain(s)) {
			t.Errorf("the letter lacks %q", s)
		}
	}
	if strings.Contains(text, "automatiskt") || strings.Contains(text, "Enligt beräkningen var beloppet") {
		t.Error("a person's bifall of the calculated amount reads as automated or reduced")
	}
	for _, it := range l.Items {
		if it.Decision != skalig.OutcomeApproved || it.Ground != "" {
			t.Errorf("item %+v of a bifall", it)
		}
	}
	if out, ok := pdfText(t, pdf); ok {
		flat := plain(out)
		for _, s := range want {
			if !strings.Contains(flat, plain(s)) {
				t.Errorf("the PDF's text lacks %q", s)
			}
		}
	}
}

// An amount a caseworker approved (glasses, livsföring i övrigt) is shown
// in the letter's calculation with the caseworker's name, never with the
// login subject the engine's trace carries.
func TestLetterNamesWhoApprovedAnAmount(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if err := deskdb.New(e.db).SeeStaff(ctx, store.StaffMember{Subject: "hl-5-subject", Name: "Eva Exempelsson",
		Roles: []string{string(skalig.StaffCaseworker)}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	c := e.waiting(t, demo.OtherNeed)
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-5-subject"),
		[]skalig.Fact{{Kind: skalig.KindOtherNeedPrefix + "1", Value: skalig.AmountValue(skalig.Kronor(1450))}}, "Synundersökning visar behov."); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, err := e.wf.Cases().Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	calc := e.calc(t, c.ID)
	if res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-5-subject"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); err != nil || res.Decision == nil {
		t.Fatalf("decide: %+v %v", res, err)
	}
	e.run(t)
	_, _, text, _ := e.letter(t, c.ID)
	if strings.Contains(text, "hl-5-subject") {
		t.Errorf("the letter names the caseworker by the login subject:\n%s", text)
	}
	if !strings.Contains(text, plain("beviljat 1 450 kr av Eva Exempelsson")) {
		t.Errorf("the letter does not say who approved the glasses:\n%s", text)
	}
}
