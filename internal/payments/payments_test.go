package payments_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/municipal/municipaltest"
	"skalig/internal/params"
	"skalig/internal/payments"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

var month = skalig.MonthOf(2026, 11)

var debtor = payments.Debtor{Name: "Testkommunen (syntetisk)", OrgID: "2120000001", IBAN: "SE45 5000 0000 0583 9825 7466"}

// decided runs demo households through the workflow on db until every case
// rests, and returns the store: the robot has decided some of them and
// ordered their payments. policy is the payment control.
func decided(t *testing.T, db *store.DB, households int, policy payments.Policy) *store.CaseStore {
	t.Helper()
	cases, _, drain := robot(t, db, policy)
	for _, h := range demo.Generate(1, "0821", month, households) {
		if _, _, err := cases.SubmitApplication(context.Background(), h.App); err != nil {
			t.Fatal(err)
		}
	}
	drain()
	return cases
}

// robot returns the store and workflow on db, and drain, which runs the
// workers until no job is due.
func robot(t *testing.T, db *store.DB, policy payments.Policy) (*store.CaseStore, *workflow.Workflow, func()) {
	return robotWith(t, db, policy, false)
}

// robotWith is robot; noSample turns the sample draw off, for a test that
// needs a chosen household decided (and paid) automatically.
func robotWith(t *testing.T, db *store.DB, policy payments.Policy, noSample bool) (*store.CaseStore, *workflow.Workflow, func()) {
	t.Helper()
	cases := store.NewCaseStore(db)
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	var m casecalc.Municipal = mun
	if noSample {
		m = municipaltest.Unsampled{Set: mun}
	}
	wf, err := workflow.New(workflow.Config{Cases: cases, Params: p, Municipal: m, Registers: sim.New(sim.Config{Seed: 1}),
		RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second, Payments: policy, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	drain := func() {
		t.Helper()
		dbtest.RunJobs(t, db, wf.Run)
	}
	return cases, wf, drain
}

func service(cases *store.CaseStore, policy payments.Policy) *payments.Service {
	return payments.New(payments.Config{Cases: cases, Debtor: debtor, Policy: policy, Logger: quiet})
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// validate checks file against the XSD name with xmllint (Debian
// libxml2-utils).
func validate(t *testing.T, name string, file []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint is not installed (Debian: apt-get install libxml2-utils); the XSD check needs it")
	}
	f := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(f, file, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", filepath.Join("testdata", "xsd", name), f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint --schema %s: %v\n%s\n%s", name, err, out, file)
	}
}

// parsed is what a test reads back from a pain.001 file.
type parsed struct {
	MsgID   string `xml:"CstmrCdtTrfInitn>GrpHdr>MsgId"`
	NbOfTxs int    `xml:"CstmrCdtTrfInitn>GrpHdr>NbOfTxs"`
	CtrlSum string `xml:"CstmrCdtTrfInitn>GrpHdr>CtrlSum"`
	PmtInf  struct {
		NbOfTxs int    `xml:"NbOfTxs"`
		CtrlSum string `xml:"CtrlSum"`
		Dbtr    string `xml:"DbtrAcct>Id>IBAN"`
		Txs     []struct {
			EndToEndID string `xml:"PmtId>EndToEndId"`
			Amt        struct {
				Value string `xml:",chardata"`
				Ccy   string `xml:"Ccy,attr"`
			} `xml:"Amt>InstdAmt"`
			BBAN     string `xml:"CdtrAcct>Id>Othr>Id"`
			Scheme   string `xml:"CdtrAcct>Id>Othr>SchmeNm>Cd"`
			Clearing string `xml:"CdtrAgt>FinInstnId>ClrSysMmbId>MmbId"`
		} `xml:"CdtTrfTxInf"`
	} `xml:"CstmrCdtTrfInitn>PmtInf"`
}

func readPain001(t *testing.T, b []byte) parsed {
	t.Helper()
	var p parsed
	if err := xml.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func kronor(t *testing.T, s string) skalig.Money {
	t.Helper()
	m, ok := skalig.ParseMoney(s)
	if !ok || !strings.Contains(s, ".") {
		t.Fatalf("amount %q, want kronor with two decimals", s)
	}
	return m
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	cases := decided(t, db, 24, payments.Policy{})
	ordered, err := paymentdb.New(cases).PaymentsByStatus(ctx, store.PaymentOrdered, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ordered) < 5 {
		t.Fatalf("%d payments ordered, want at least 5", len(ordered))
	}
	for _, p := range ordered {
		c, _ := cases.Case(ctx, p.CaseID)
		if c.State != skalig.StateNotified {
			t.Errorf("case %s with an ordered payment is %s, want notified until the bank answers", c.ID, c.State)
		}
	}
	svc := service(cases, payments.Policy{})
	dir := t.TempDir()
	paths, r, err := svc.Run(ctx, dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != filepath.Join(dir, r.MessageID+".xml") {
		t.Fatalf("paths %v, want the run's file", paths)
	}
	file, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "pain.001.001.03.xsd", file)

	t.Run("OneFileOfAllDue", func(t *testing.T) {
		doc := readPain001(t, file)
		if doc.MsgID != r.MessageID || doc.NbOfTxs != len(ordered) || doc.PmtInf.NbOfTxs != len(ordered) {
			t.Errorf("MsgId=%s NbOfTxs=%d/%d, want %s and %d", doc.MsgID, doc.NbOfTxs, doc.PmtInf.NbOfTxs, r.MessageID, len(ordered))
		}
		var sum skalig.Money
		byID := map[string]*store.Payment{}
		for _, p := range ordered {
			sum += p.Amount
			byID[p.ID] = p
		}
		if got := kronor(t, doc.CtrlSum); got != sum || doc.PmtInf.CtrlSum != doc.CtrlSum || r.Total != sum {
			t.Errorf("CtrlSum=%s (%s in the block, %v stored), want %v", doc.CtrlSum, doc.PmtInf.CtrlSum, r.Total, sum)
		}
		if doc.PmtInf.Dbtr != "SE4550000000058398257466" {
			t.Errorf("debtor IBAN %q", doc.PmtInf.Dbtr)
		}
		seen := map[string]bool{}
		for _, tx := range doc.PmtInf.Txs {
			p := byID[tx.EndToEndID]
			if p == nil || seen[tx.EndToEndID] {
				t.Errorf("end-to-end id %s: not one ordered payment, or twice", tx.EndToEndID)
				continue
			}
			seen[tx.EndToEndID] = true
			d, err := cases.Decision(ctx, p.DecisionID)
			if err != nil {
				t.Fatal(err)
			}
			if kronor(t, tx.Amt.Value) != d.Amount || tx.Amt.Ccy != "SEK" {
				t.Errorf("%s: %s %s, want the decision's %v SEK", tx.EndToEndID, tx.Amt.Value, tx.Amt.Ccy, d.Amount)
			}
			acc := payments.ParseAccount(p.Account)
			if tx.BBAN != acc.BBAN || tx.Scheme != "BBAN" || tx.Clearing != acc.Clearing || len(acc.Clearing) != 4 {
				t.Errorf("%s: account %s/%s/%s, want BBAN %s from %q", tx.EndToEndID, tx.BBAN, tx.Scheme, tx.Clearing, acc.BBAN, p.Account)
			}
		}
	})
	t.Run("PaymentsInRun", func(t *testing.T) {
		ps, err := paymentdb.New(cases).RunPayments(ctx, r.ID)
		if err != nil || len(ps) != len(ordered) {
			t.Fatalf("%d payments in the run, want %d (%v)", len(ps), len(ordered), err)
		}
		for _, p := range ps {
			if p.Status != store.PaymentInRun {
				t.Errorf("payment %s is %s, want in_run", p.ID, p.Status)
			}
		}
		if _, _, err := svc.Run(ctx, dir, "test"); !errors.Is(err, paymentdb.ErrNothingDue) {
			t.Errorf("second run: err=%v, want nothing due", err)
		}
	})
	t.Run("ReExportByteForByte", func(t *testing.T) {
		other := t.TempDir()
		p, err := svc.Export(ctx, r.ID, other, "test")
		if err != nil {
			t.Fatal(err)
		}
		again, _ := os.ReadFile(p)
		if string(again) != string(file) {
			t.Errorf("re-exported file differs from the first")
		}
		if _, err := svc.Export(ctx, r.MessageID, dir, "test"); err != nil {
			t.Errorf("export over the same file: %v", err)
		}
		if err := os.WriteFile(filepath.Join(other, payments.FileName(r)), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Export(ctx, r.ID, other, "test"); err == nil {
			t.Errorf("a different file of the run's name was overwritten")
		}
	})
	t.Run("Audited", func(t *testing.T) {
		evs, err := cases.AuditEvents(ctx, ordered[0].CaseID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		for _, a := range []string{store.ActionPayment, store.ActionPaymentInRun} {
			if !slices.Contains(actions, a) {
				t.Errorf("no %s in the case's audit trail %v", a, actions)
			}
		}
		if _, err := db.SealAudit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := audittest.Verify(ctx, db.SQL()); err != nil || n != 0 {
			t.Errorf("audit.Verify=%d, %v", n, err)
		}
	})
}

// TestRunConcurrent runs payment runs at the same time from two database
// handles (two processes' pools) and checks that every payment went into
// exactly one file.
func TestRunConcurrent(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t)
	db1, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db1.Close()
	if err := db1.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cases1 := decided(t, db1, 24, payments.Policy{})
	ordered, _ := paymentdb.New(cases1).PaymentsByStatus(ctx, store.PaymentOrdered, 1000)
	db2, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	svcs := []*payments.Service{service(cases1, payments.Policy{}), service(store.NewCaseStore(db2), payments.Policy{})}
	dir := t.TempDir()
	var mu sync.Mutex
	var files []string
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			paths, _, err := svcs[i%2].Run(ctx, dir, "test")
			if err != nil && !errors.Is(err, paymentdb.ErrNothingDue) {
				t.Errorf("run %d: %v", i, err)
			}
			mu.Lock()
			files = append(files, paths...)
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	in := map[string]int{}
	runs, _ := paymentdb.New(cases1).PaymentRuns(ctx, false, 100)
	for _, r := range runs {
		for _, tx := range readPain001(t, r.Document).PmtInf.Txs {
			in[tx.EndToEndID]++
		}
	}
	for _, p := range ordered {
		if in[p.ID] != 1 {
			t.Errorf("payment %s is in %d files, want 1", p.ID, in[p.ID])
		}
	}
	if len(in) != len(ordered) {
		t.Errorf("%d payments in files, want %d", len(in), len(ordered))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(runs) {
		t.Errorf("%d files written for %d runs", len(entries), len(runs))
	}
	t.Logf("%d payments in %d runs from 4 concurrent runs on two handles", len(ordered), len(runs))
}

// TestRunOverlapping makes a second run while the first one's
// transaction has claimed the payments and not yet committed: the second
// waits and finds nothing due, on another database handle.
func TestRunOverlapping(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t)
	db1, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db1.Close()
	if err := db1.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cases1 := decided(t, db1, 16, payments.Policy{})
	ordered, _ := paymentdb.New(cases1).PaymentsByStatus(ctx, store.PaymentOrdered, 1000)
	db2, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	claimed := make(chan struct{})
	first := payments.New(payments.Config{Cases: cases1, Debtor: debtor, Logger: quiet, InRun: func(*paymentdb.PaymentRun) {
		close(claimed)
		time.Sleep(300 * time.Millisecond) // the second run starts meanwhile
	}})
	second := service(store.NewCaseStore(db2), payments.Policy{})
	done := make(chan *paymentdb.PaymentRun, 1)
	go func() {
		_, r, err := first.Run(ctx, t.TempDir(), "test")
		if err != nil {
			t.Errorf("first run: %v", err)
		}
		done <- r
	}()
	<-claimed
	_, r2, err := second.Run(ctx, t.TempDir(), "test")
	r1 := <-done
	if !errors.Is(err, paymentdb.ErrNothingDue) || r2 != nil {
		t.Errorf("second run during the first: %v, %v; want nothing due", r2, err)
	}
	if r1 == nil || r1.Count != len(ordered) {
		t.Errorf("first run %v, want all %d payments", r1, len(ordered))
	}
}

// TestCrash kills (kill -9) a process making a payment run: inside the
// run's transaction, where nothing may remain, and between its commit and
// the writing of its file, where the run must be written later from what
// is stored, byte for byte, and its payments must not go into another run.
func TestCrash(t *testing.T) {
	if os.Getenv("SKALIG_PAYMENTS_CRASH_DSN") != "" {
		crashChild()
		return
	}
	ctx := context.Background()
	dsn := dbtest.DSN(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cases := decided(t, db, 24, payments.Policy{})
	ordered, _ := paymentdb.New(cases).PaymentsByStatus(ctx, store.PaymentOrdered, 1000)
	dir := t.TempDir()
	kill := func(where string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
		cmd.Env = append(os.Environ(), "SKALIG_PAYMENTS_CRASH_DSN="+dsn, "SKALIG_PAYMENTS_CRASH_AT="+where, "SKALIG_PAYMENTS_CRASH_DIR="+dir)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != -1 {
			t.Fatalf("the child was not killed %s: %v\n%s", where, err, out)
		}
	}

	kill("in_run")
	runs, _ := paymentdb.New(cases).PaymentRuns(ctx, false, 10)
	still, _ := paymentdb.New(cases).PaymentsByStatus(ctx, store.PaymentOrdered, 1000)
	if len(runs) != 0 || len(still) != len(ordered) {
		t.Fatalf("killed inside the transaction: %d runs, %d of %d payments ordered; want none and all", len(runs), len(still), len(ordered))
	}

	kill("after_commit")
	runs, _ = paymentdb.New(cases).PaymentRuns(ctx, false, 10)
	if len(runs) != 1 || !runs[0].ExportedAt.IsZero() || runs[0].Count != len(ordered) {
		t.Fatalf("killed after the commit: runs %v, want one with every payment, not written", runs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a file was written before the kill: %v", entries)
	}
	svc := service(cases, payments.Policy{})
	paths, r, err := svc.Run(ctx, dir, "test")
	if !errors.Is(err, paymentdb.ErrNothingDue) || r != nil {
		t.Fatalf("the next run made a run (%v) or failed: %v", r, err)
	}
	if len(paths) != 1 {
		t.Fatalf("the next run wrote %v, want the killed run's file", paths)
	}
	got, _ := os.ReadFile(paths[0])
	if string(got) != string(runs[0].Document) {
		t.Errorf("the file written after the crash is not the run as stored")
	}
	validate(t, "pain.001.001.03.xsd", got)
	again, err := svc.Export(ctx, runs[0].ID, t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(again); string(b) != string(got) {
		t.Errorf("re-export differs")
	}
	if left, _ := paymentdb.New(cases).PaymentRuns(ctx, true, 10); len(left) != 0 {
		t.Errorf("%d runs still not written", len(left))
	}
}

// crashChild is the process TestCrash kills: it makes a payment run and
// kills itself where SKALIG_PAYMENTS_CRASH_AT says.
func crashChild() {
	ctx := context.Background()
	db, err := store.Open(ctx, os.Getenv("SKALIG_PAYMENTS_CRASH_DSN"))
	if err != nil {
		os.Exit(3)
	}
	die := func(*paymentdb.PaymentRun) {
		p, _ := os.FindProcess(os.Getpid())
		p.Kill() // SIGKILL: no deferred function, no rollback by us
		select {}
	}
	cfg := payments.Config{Cases: store.NewCaseStore(db), Debtor: debtor}
	switch os.Getenv("SKALIG_PAYMENTS_CRASH_AT") {
	case "in_run":
		cfg.InRun = die
	case "after_commit":
		cfg.AfterCommit = die
	}
	payments.New(cfg).Run(ctx, os.Getenv("SKALIG_PAYMENTS_CRASH_DIR"), "crash")
	os.Exit(4)
}
