package payments_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/payments"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// sent makes a payment run of every payment the robot ordered and returns
// the service, the run and its payments.
func sent(t *testing.T, households int) (*store.CaseStore, *payments.Service, *paymentdb.PaymentRun, []*store.Payment) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t)
	cases := decided(t, db, households, payments.Policy{})
	svc := service(cases, payments.Policy{})
	_, r, err := svc.Run(ctx, t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := paymentdb.New(cases).RunPayments(ctx, r.ID)
	if err != nil || len(ps) < 3 {
		t.Fatalf("%d payments in the run (%v), want at least 3", len(ps), err)
	}
	return cases, svc, r, ps
}

func mustState(t *testing.T, cases *store.CaseStore, id string, want skalig.CaseState) *skalig.Case {
	t.Helper()
	c, err := cases.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != want {
		t.Errorf("case %s is %s (%v), want %s", id, c.State, c.RoutingReasons, want)
	}
	return c
}

func TestImportExecuted(t *testing.T) {
	ctx := context.Background()
	cases, svc, r, ps := sent(t, 16)
	answer, err := payments.SimulatedNotification(r, ps, debtor, r.CreatedAt, nil)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "camt.054.001.02.xsd", answer)
	imp, err := svc.Import(ctx, answer, "test")
	if err != nil {
		t.Fatal(err)
	}
	if imp.Executed != len(ps) || imp.Rejected != 0 {
		t.Errorf("executed %d rejected %d, want %d and 0", imp.Executed, imp.Rejected, len(ps))
	}
	for _, p := range ps {
		mustState(t, cases, p.CaseID, skalig.StatePaid)
		got, _ := paymentdb.New(cases).Payment(ctx, p.ID)
		if got.Status != store.PaymentExecuted || got.SettledAt.IsZero() {
			t.Errorf("payment %s is %s, want executed", p.ID, got.Status)
		}
	}
	t.Run("ErrDuplicate", func(t *testing.T) {
		_, err := svc.Import(ctx, answer, "test")
		if skalig.ErrorCode(err) != skalig.ECONFLICT || !strings.Contains(skalig.ErrorMessage(err), "redan inläst") {
			t.Errorf("second import: %v, want ECONFLICT naming the file as read", err)
		}
	})
	t.Run("SettledAgainIsNoChange", func(t *testing.T) {
		// The status report after the debit notification: ACSC again.
		report, err := payments.SimulatedStatusReport(r, ps, r.CreatedAt, nil)
		if err != nil {
			t.Fatal(err)
		}
		imp, err := svc.Import(ctx, report, "test")
		if err != nil || imp.Unchanged != len(ps) || imp.Executed != 0 {
			t.Errorf("import of the same outcome again: %+v, %v; want all unchanged", imp, err)
		}
	})
}

func TestImportRejected(t *testing.T) {
	ctx := context.Background()
	cases, svc, r, ps := sent(t, 16)
	rejected := map[string]string{ps[0].ID: "AC04", ps[1].ID: "MD07"}
	report, err := payments.SimulatedStatusReport(r, ps, r.CreatedAt, rejected)
	if err != nil {
		t.Fatal(err)
	}
	// The report with rejections only is valid against the (DK) schema,
	// which admits only RJCT; the whole report is read by Skälig.
	rjctOnly, _ := payments.SimulatedStatusReport(r, ps[:2], r.CreatedAt, rejected)
	validate(t, "pain.002.001.03.xsd", rjctOnly)
	imp, err := svc.Import(ctx, report, "test")
	if err != nil {
		t.Fatal(err)
	}
	if imp.Rejected != 2 || imp.Executed != len(ps)-2 {
		t.Errorf("executed %d rejected %d, want %d and 2", imp.Executed, imp.Rejected, len(ps)-2)
	}
	c := mustState(t, cases, ps[0].CaseID, skalig.StateAwaitingCaseworker)
	if !slices.Contains(c.RoutingReasons, skalig.ReasonPaymentRejected) || !slices.Contains(c.RoutingReasons, "bank:AC04") {
		t.Errorf("reasons %v, want payment_rejected and bank:AC04", c.RoutingReasons)
	}
	p, _ := paymentdb.New(cases).Payment(ctx, ps[0].ID)
	if p.Status != store.PaymentRejected || p.BankCode != "AC04" || p.BankText != "Kontot är avslutat." {
		t.Errorf("payment %s: %s %q %q, want rejected AC04 with its text", p.ID, p.Status, p.BankCode, p.BankText)
	}
	recs, err := cases.Records(ctx, ps[1].CaseID, store.RecordPaymentRejected)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v %v, want one payment_rejected", recs, err)
	}
	var rec struct{ Code, Text string }
	json.Unmarshal(recs[0].Body, &rec)
	if rec.Code != "MD07" || rec.Text != "Mottagaren är avliden." {
		t.Errorf("record %+v", rec)
	}
	mustState(t, cases, ps[2].CaseID, skalig.StatePaid)

	t.Run("Reorder", func(t *testing.T) {
		if _, err := svc.Reorder(ctx, ps[2].ID, "hl-2"); skalig.ErrorCode(err) != skalig.ECONFLICT {
			t.Errorf("reorder of an executed payment: %v, want ECONFLICT", err)
		}
		np, err := svc.Reorder(ctx, ps[0].ID, "hl-2")
		if err != nil {
			t.Fatal(err)
		}
		mustState(t, cases, ps[0].CaseID, skalig.StateNotified)
		if np.Status != store.PaymentOrdered || np.Amount != ps[0].Amount {
			t.Errorf("new payment %+v, want ordered for %v", np, ps[0].Amount)
		}
		_, r2, err := svc.Run(ctx, t.TempDir(), "test")
		if err != nil || r2.Count != 1 {
			t.Fatalf("run after the reorder: %v %v, want one payment", r2, err)
		}
	})
}

func TestImportRefused(t *testing.T) {
	ctx := context.Background()
	cases, svc, r, ps := sent(t, 16)
	good, _ := payments.SimulatedNotification(r, ps, debtor, r.CreatedAt, nil)
	unknown := strings.Replace(string(good), "<EndToEndId>"+ps[1].ID+"</EndToEndId>", "<EndToEndId>01NOSUCHPAYMENT0000000000X</EndToEndId>", 1)
	for _, tt := range []struct {
		name, file, want string
	}{
		{"Empty", "", "tom"},
		{"NotXML", "hej", "ingen XML"},
		{"Truncated", string(good[:len(good)/2]), "inte giltig XML"},
		{"OtherMessage", strings.ReplaceAll(string(good), payments.NSCamt054, "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"), "camt.053.001.02"},
		{"OwnPaymentFile", string(r.Document), "betalningsfil (pain.001)"},
		{"UnknownPayment", unknown, "01NOSUCHPAYMENT0000000000X är ingen utbetalning i Skälig"},
		{"NoEndToEnd", strings.Replace(string(good), "<EndToEndId>"+ps[0].ID+"</EndToEndId>", "", 1), "saknar end-to-end-id"},
		{"WrongAmount", strings.Replace(string(good), "<Amt Ccy=\"SEK\">"+payments.Decimal(ps[0].Amount)+"</Amt>", "<Amt Ccy=\"SEK\">1.00</Amt>", 2), "men banken anger 1"},
		{"UnknownOriginal", strings.ReplaceAll(mustReport(t, r, ps), r.MessageID, "SKALIG-NOSUCHRUN"), "SKALIG-NOSUCHRUN, som inte finns"},
		{"GroupRejectOfUnknownFile", `<Document xmlns="` + payments.NSPain002 + `"><CstmrPmtStsRpt><GrpHdr><MsgId>B1</MsgId></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>SKALIG-X</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId><GrpSts>RJCT</GrpSts></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>`, "SKALIG-X, som inte finns"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Import(ctx, []byte(tt.file), "test")
			if skalig.ErrorCode(err) != skalig.EINVALID || !strings.Contains(skalig.ErrorMessage(err), tt.want) {
				t.Errorf("err=%v, want EINVALID with %q", err, tt.want)
			}
		})
	}
	// Nothing of the refused files was applied: every payment is still in
	// the run and every case still notified.
	for _, p := range ps {
		got, _ := paymentdb.New(cases).Payment(ctx, p.ID)
		if got.Status != store.PaymentInRun {
			t.Errorf("payment %s is %s after refused files, want in_run", p.ID, got.Status)
		}
		mustState(t, cases, p.CaseID, skalig.StateNotified)
	}
	if _, err := svc.Import(ctx, good, "test"); err != nil {
		t.Errorf("the good file after the refused ones: %v", err)
	}
}

func mustReport(t *testing.T, r *paymentdb.PaymentRun, ps []*store.Payment) string {
	t.Helper()
	b, err := payments.SimulatedStatusReport(r, ps, r.CreatedAt, nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHold(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	policy := payments.Policy{HoldAbove: skalig.Kronor(5000), AccountChangeDays: 30}
	cases := decided(t, db, 24, policy)
	held, err := service(cases, policy).Held(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ordered, _ := paymentdb.New(cases).PaymentsByStatus(ctx, store.PaymentOrdered, 1000)
	if len(held) == 0 || len(ordered) == 0 {
		t.Fatalf("%d held and %d ordered, want both", len(held), len(ordered))
	}
	for _, p := range held {
		if p.Amount <= policy.HoldAbove || p.HoldReason != payments.HoldAmount {
			t.Errorf("held %v with %q", p.Amount, p.HoldReason)
		}
	}
	for _, p := range ordered {
		if p.Amount > policy.HoldAbove {
			t.Errorf("ordered %v above the limit", p.Amount)
		}
	}
	svc := service(cases, policy)
	dir := t.TempDir()
	if _, r, err := svc.Run(ctx, dir, "test"); err != nil || r.Count != len(ordered) {
		t.Fatalf("run: %v %v, want only the %d ordered", r, err, len(ordered))
	}
	if _, err := svc.Release(ctx, held[0].ID, ""); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Errorf("release by no one: %v", err)
	}
	p, err := svc.Release(ctx, held[0].ID, "hl-7")
	if err != nil || p.Status != store.PaymentOrdered || p.ReleasedBy != "hl-7" {
		t.Fatalf("release: %+v %v", p, err)
	}
	if _, err := svc.Release(ctx, held[0].ID, "hl-8"); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("second release: %v, want ECONFLICT", err)
	}
	if _, r, err := svc.Run(ctx, dir, "test"); err != nil || r.Count != 1 {
		t.Fatalf("run after the release: %v %v, want the released payment", r, err)
	}
	evs, _ := cases.AuditEvents(ctx, held[0].CaseID)
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	for _, a := range []string{store.ActionPaymentHeld, store.ActionPaymentReleased, store.ActionPaymentInRun} {
		if !slices.Contains(actions, a) {
			t.Errorf("no %s in %v", a, actions)
		}
	}
}

// TestReleaseFourEyes: a caseworker's decision whose payment is held may
// not be released by the same caseworker.
func TestReleaseFourEyes(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	policy := payments.Policy{HoldAbove: skalig.Kronor(1)}
	cases, wf, drain := robot(t, db, policy)
	for _, h := range demo.Generate(1, "0821", month, 16) {
		if _, _, err := wf.Submit(ctx, h.App); err != nil {
			t.Fatal(err)
		}
	}
	drain()
	waiting, err := cases.Cases(ctx, skalig.CaseFilter{State: skalig.StateAwaitingCaseworker})
	if err != nil {
		t.Fatal(err)
	}
	var d *skalig.Decision
	for _, c := range waiting {
		var calc casecalc.Calculation
		if err := cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil || calc.Output.Aid <= 0 {
			continue
		}
		res, err := wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version,
			Actor:   skalig.PersonActor("hl-1", []skalig.StaffRole{skalig.StaffCaseworker}, []string{c.Municipality}),
			Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
		if err == nil && res.Decision != nil {
			d = res.Decision
			break
		}
	}
	if d == nil {
		t.Fatal("no case a caseworker could approve")
	}
	drain()
	p, err := cases.CasePayment(ctx, d.CaseID)
	if err != nil || p.Status != store.PaymentHeld {
		t.Fatalf("payment %+v %v, want held", p, err)
	}
	svc := service(cases, policy)
	if _, err := svc.Release(ctx, p.ID, "hl-1"); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Errorf("release by the decider: %v, want EFORBIDDEN", err)
	}
	if got, err := svc.Release(ctx, p.ID, "hl-2"); err != nil || got.Status != store.PaymentOrdered {
		t.Errorf("release by another: %+v %v", got, err)
	}
}

func TestPolicy(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	p := payments.Policy{AccountChangeDays: 30, HoldAbove: skalig.Kronor(20000)}
	for _, tt := range []struct {
		name    string
		amount  skalig.Money
		account string
		h       store.AccountHistory
		want    string
	}{
		{"FirstPayment", skalig.Kronor(5000), "8327-9 1", store.AccountHistory{}, ""},
		{"SameAccount", skalig.Kronor(5000), "8327-9 1", store.AccountHistory{Previous: "83279 1"}, ""},
		{"ChangedNow", skalig.Kronor(5000), "8327-9 2", store.AccountHistory{Previous: "8327-9 1"}, payments.HoldAccountChanged},
		{"ChangedLongAgo", skalig.Kronor(5000), "8327-9 2", store.AccountHistory{Previous: "8327-9 1", FirstStated: now.AddDate(0, 0, -31)}, ""},
		{"ChangedRecently", skalig.Kronor(5000), "8327-9 2", store.AccountHistory{Previous: "8327-9 1", FirstStated: now.AddDate(0, 0, -29)}, payments.HoldAccountChanged},
		{"Large", skalig.Kronor(20001), "8327-9 1", store.AccountHistory{}, payments.HoldAmount},
		{"AtLimit", skalig.Kronor(20000), "8327-9 1", store.AccountHistory{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Hold(tt.amount, tt.account, tt.h, now); got != tt.want {
				t.Errorf("Hold=%q, want %q", got, tt.want)
			}
		})
	}
	if got := (payments.Policy{}).Hold(skalig.Kronor(1e6), "x", store.AccountHistory{Previous: "y"}, now); got != "" {
		t.Errorf("the zero policy holds: %q", got)
	}
}

func TestParseAccount(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want payments.Account
	}{
		{"8327-9 123456789", payments.Account{BBAN: "83279123456789", Clearing: "8327"}},
		{"5000-1234567", payments.Account{BBAN: "50001234567", Clearing: "5000"}},
		{"SE45 5000 0000 0583 9825 7466", payments.Account{IBAN: "SE4550000000058398257466"}},
		{"SE46 5000 0000 0583 9825 7466", payments.Account{BBAN: "4650000000058398257466", Clearing: "4650"}}, // bad check digits
		{"okänt", payments.Account{BBAN: "0"}},
		{"8327-123456", payments.Account{BBAN: "8327123456", Clearing: "8327"}}, // as the e-service writes it
		{"33001234567890", payments.Account{BBAN: "33001234567890", Clearing: "3300"}},
		{"123-45", payments.Account{BBAN: "12345"}},
	} {
		if got := payments.ParseAccount(tt.in); got != tt.want {
			t.Errorf("ParseAccount(%q)=%+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// FuzzParseAnswer: whatever the bank sends, the parser answers a result or
// an EINVALID with a message, never a panic or another error.
// TestFixtures checks the example bank files of testdata against the
// schemas and reads them.
func TestFixtures(t *testing.T) {
	for _, tt := range []struct{ file, xsd string }{
		{"camt054_executed.xml", "camt.054.001.02.xsd"},
		{"pain002_rejected.xml", "pain.002.001.03.xsd"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		validate(t, tt.xsd, b)
		a, err := payments.ParseAnswer(b)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		t.Logf("%s: %s %s, %d results", tt.file, a.Format, a.MessageID, len(a.Results))
		if len(a.Results) != 2 {
			t.Errorf("%s: %d results, want 2", tt.file, len(a.Results))
		}
	}
}

func FuzzParseAnswer(f *testing.F) {
	for _, name := range []string{"camt054_executed.xml", "pain002_rejected.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<Document xmlns="` + payments.NSPain002 + `"><CstmrPmtStsRpt><GrpHdr><MsgId>M</MsgId></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>X</OrgnlMsgId><GrpSts>RJCT</GrpSts></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := payments.ParseAnswer(data)
		if err != nil {
			if skalig.ErrorCode(err) != skalig.EINVALID || skalig.ErrorMessage(err) == "" {
				t.Fatalf("err=%v, want EINVALID with a message", err)
			}
			return
		}
		if a.MessageID == "" || len(a.SHA256) != 64 {
			t.Fatalf("answer without message id or hash: %+v", a)
		}
		for _, r := range a.Results {
			if r.EndToEndID == "" || (!r.Executed && r.Code == "") {
				t.Fatalf("result %+v: no id, or a rejection without a code", r)
			}
		}
	})
}

// TestImportGroupRejected: the bank rejects the whole file (GrpSts RJCT):
// every payment of the file is rejected with the group's reason.
func TestImportGroupRejected(t *testing.T) {
	ctx := context.Background()
	cases, svc, r, ps := sent(t, 16)
	report := `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="` + payments.NSPain002 + `"><CstmrPmtStsRpt>
<GrpHdr><MsgId>BANK-GROUP-1</MsgId><CreDtTm>2026-11-24T16:00:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>` + r.MessageID + `</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>
<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf></OrgnlGrpInfAndSts>
</CstmrPmtStsRpt></Document>`
	validate(t, "pain.002.001.03.xsd", []byte(report))
	imp, err := svc.Import(ctx, []byte(report), "test")
	if err != nil {
		t.Fatal(err)
	}
	if imp.Rejected != len(ps) {
		t.Errorf("rejected %d, want all %d", imp.Rejected, len(ps))
	}
	for _, p := range ps {
		c := mustState(t, cases, p.CaseID, skalig.StateAwaitingCaseworker)
		if !slices.Contains(c.RoutingReasons, "bank:FF01") {
			t.Errorf("reasons %v, want bank:FF01", c.RoutingReasons)
		}
	}
}

// TestHoldAccountChanged: a household paid last month to one account
// applies this month with another: its payment waits for a second person;
// the households with the same account as before are paid as usual.
func TestHoldAccountChanged(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	policy := payments.Policy{AccountChangeDays: 30}
	// No sample draw: the household whose account changes must be decided
	// and paid automatically in both months (a draw is by case id, so a
	// drawn household would make the test fail by chance).
	cases, wf, drain := robotWith(t, db, policy, true)
	for _, h := range demo.Generate(1, "0821", month, 16) {
		if _, _, err := wf.Submit(ctx, h.App); err != nil {
			t.Fatal(err)
		}
	}
	drain()
	svc := service(cases, policy)
	_, r, err := svc.Run(ctx, t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := paymentdb.New(cases).RunPayments(ctx, r.ID)
	answer, _ := payments.SimulatedNotification(r, ps, debtor, r.CreatedAt, nil)
	if _, err := svc.Import(ctx, answer, "test"); err != nil {
		t.Fatal(err)
	}
	// Next month: the same households; one of those paid states a new account.
	paidCase, _ := cases.Case(ctx, ps[0].CaseID)
	paidApp, _ := cases.CaseApplication(ctx, paidCase.ID)
	changed := ""
	for _, h := range demo.Generate(1, "0821", month+1, 16) {
		if h.App.Members[0].PersonalNumber == paidApp.Members[0].PersonalNumber {
			for i, f := range h.App.Facts {
				if f.Kind == skalig.KindPaymentAccount {
					h.App.Facts[i].Value = skalig.TextValue("5000-1234567")
				}
			}
			changed = h.App.IdempotencyKey
		}
		if _, _, err := wf.Submit(ctx, h.App); err != nil {
			t.Fatal(err)
		}
	}
	if changed == "" {
		t.Fatal("the paid household is not in next month's demo households")
	}
	drain()
	held, _ := svc.Held(ctx)
	ordered, _ := paymentdb.New(cases).PaymentsByStatus(ctx, store.PaymentOrdered, 1000)
	if len(held) != 1 || held[0].HoldReason != payments.HoldAccountChanged || held[0].Account != "5000-1234567" {
		t.Fatalf("held %+v, want the one payment to the new account, held as account_changed", held)
	}
	if len(ordered) == 0 {
		t.Errorf("no payment to an unchanged account was ordered")
	}
	for _, p := range ordered {
		if p.Account == "5000-1234567" {
			t.Errorf("payment to the new account ordered without a second person")
		}
	}
}
