package payments_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"skalig"
	"skalig/internal/payments"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPain001Golden writes a fixed run and compares it with
// testdata/pain001_golden.xml (go test -run TestPain001Golden -update
// rewrites it): the file format, byte for byte, for a BBAN with clearing
// number, a Swedish IBAN and a debtor with a BIC.
func TestPain001Golden(t *testing.T) {
	r := &paymentdb.PaymentRun{ID: "01KB0000000000000000000000", MessageID: "SKALIG-01KB0000000000000000000000",
		CreatedAt: time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC), ExecutionDate: skalig.Date{Y: 2026, M: 11, D: 24}}
	ps := []*store.Payment{
		{ID: "01KB0000000000000000000001", DecisionID: "01KA0000000000000000000001", Amount: skalig.Kronor(6680), Account: "8327-9 123456789"},
		{ID: "01KB0000000000000000000002", DecisionID: "01KA0000000000000000000002", Amount: skalig.Kronor(5210) + 50, Account: "SE45 5000 0000 0583 9825 7466"},
	}
	d := debtor
	d.BIC = "TESTSESS" // synthetic
	got, err := payments.Pain001(r, ps, d)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "pain.001.001.03.xsd", got)
	path := filepath.Join("testdata", "pain001_golden.xml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("pain.001 differs from %s (run with -update after checking the change):\n%s", path, got)
	}
	again, _ := payments.Pain001(r, ps, d)
	if string(again) != string(got) {
		t.Errorf("the same run gave other bytes")
	}
}
