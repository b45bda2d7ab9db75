package skalig_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"skalig"
)

// TestReasonCodesDefinedOnce checks that no Go file but reason.go, and no
// query file (the statistics' SQL), spells a registered reason code: every
// package names a code by its constant, and SQL gets codes as parameters,
// so that the registry is the one list of codes. Migrations are history and
// are not checked. A few files use a word that is
// also a code for something else; they are listed with what the word is
// there.
func TestReasonCodesDefinedOnce(t *testing.T) {
	// homonyms are file → the codes it may spell, for another meaning.
	homonyms := map[string][]string{
		"internal/routing/routing.go":        {skalig.ReasonSample, skalig.ReasonException},                        // the routes "sample", "exception"
		"internal/stats/stats.go":            {skalig.ReasonProposal},                                              // the statistics' route "proposal"
		"internal/stats/format.go":           {skalig.ReasonSample, skalig.ReasonProposal},                         // rows of the figures file
		"internal/whatif/whatif.go":          {skalig.ReasonFirstApplication},                                      // a group of households
		"internal/whatif/run.go":             {skalig.ReasonFirstApplication},                                      // a CSV column
		"internal/demo/demo.go":              {skalig.ReasonIncomeDiffers},                                         // a demo scenario
		"internal/store/payments.go":         {skalig.ReasonPaymentRejected},                                       // the record kind RecordPaymentRejected
		"internal/workflow/kommunicering.go": {skalig.ReasonException},                                             // a key of a record's JSON
		"bench/stats/main.go":                {skalig.ReasonProposal, skalig.ReasonException, skalig.ReasonSample}, // the synthetic routes
	}
	var codes []string
	for _, r := range skalig.Reasons() {
		codes = append(codes, regexp.QuoteMeta(r.Code))
	}
	codes = append(codes, regexp.QuoteMeta(skalig.ReasonMunicipalPrefix), regexp.QuoteMeta(skalig.ReasonBankPrefix))
	// A code in double quotes, in back quotes, or as a JSON string inside
	// SQL.
	re := regexp.MustCompile(`["'` + "`" + `](` + strings.Join(codes, "|") + `)["'` + "`" + `]`)
	n := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && p != "." {
			return filepath.SkipDir
		}
		if d.IsDir() && d.Name() == "migrations" {
			return filepath.SkipDir
		}
		query := strings.HasSuffix(p, ".sql")
		if d.IsDir() || !(strings.HasSuffix(p, ".go") || query) || strings.HasSuffix(p, "_test.go") || p == "reason.go" {
			return nil
		}
		n++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if t := strings.TrimSpace(line); strings.HasPrefix(t, "//") || query && strings.HasPrefix(t, "--") {
				continue
			}
			for _, m := range re.FindAllStringSubmatch(line, -1) {
				if slices.Contains(homonyms[filepath.ToSlash(p)], m[1]) {
					continue
				}
				t.Errorf("%s:%d spells the reason code %q; use its constant skalig.Reason*", p, i+1, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("walked only %d Go files: the walk is broken", n)
	}
}

// TestReasonRegistry checks the registry itself: codes are unique, every
// kind is one of the declared ones, and every registered reason has its
// Swedish text.
func TestReasonRegistry(t *testing.T) {
	kinds := []skalig.ReasonKind{skalig.ReasonKindStop, skalig.ReasonKindReview, skalig.ReasonKindFailure,
		skalig.ReasonKindSample, skalig.ReasonKindProposal, skalig.ReasonKindCasework, skalig.ReasonKindKommunicering,
		skalig.ReasonKindRequest, skalig.ReasonKindAppeal, skalig.ReasonKindPayment, skalig.ReasonKindKommuniceringException,
		skalig.ReasonKindChangeGround}
	seen := map[string]bool{}
	for _, r := range skalig.Reasons() {
		if seen[r.Code] {
			t.Errorf("code %s is registered twice", r.Code)
		}
		seen[r.Code] = true
		if !slices.Contains(kinds, r.Kind) {
			t.Errorf("code %s: kind %q is not declared", r.Code, r.Kind)
		}
		if skalig.ReasonText(r.Code) == "" {
			t.Errorf("code %s has no Swedish text (%s in locales/reasons.sv.json)", r.Code, r.TextID())
		}
		if id, _, ok := skalig.ReasonLabelID(r.Code); !ok || id != r.LabelID() {
			t.Errorf("ReasonLabelID(%s)=%q, %v, want %s", r.Code, id, ok, r.LabelID())
		}
	}
	if skalig.ReasonText("municipal:x") != "" || skalig.ReasonText("no_such_code") != "" {
		t.Error("ReasonText of an unregistered code is not empty")
	}
	if id, arg, _ := skalig.ReasonLabelID("municipal:hyra"); id != "reason.municipal" || arg != "hyra" {
		t.Errorf("ReasonLabelID(municipal:hyra)=%s, %s", id, arg)
	}
	for code, want := range map[string]bool{skalig.ReasonSocialRisk: true, skalig.ReasonNoDelegation: false,
		skalig.ReasonAdjusted: false, skalig.ReasonKommuniceringSent: false, skalig.ReasonReviewRequested: false,
		skalig.ReasonAppealReceived: true, skalig.ReasonPaymentRejected: true, "municipal:x": true, skalig.ReasonCalculationFailed: true} {
		if got := skalig.ReasonStops(code); got != want {
			t.Errorf("ReasonStops(%s)=%v, want %v", code, got, want)
		}
	}
	if !skalig.IsKommuniceringException(skalig.ReasonKommuniceringUrgent) || skalig.IsKommuniceringException(skalig.ReasonSample) {
		t.Error("IsKommuniceringException is wrong")
	}
}

func TestBankReasonText(t *testing.T) {
	if got := skalig.BankReasonText("AC04"); got != "Kontot är avslutat." {
		t.Errorf("AC04: %q", got)
	}
	if got := skalig.BankReasonText("ZZ99"); got != "Banken avvisade betalningen med koden ZZ99." {
		t.Errorf("an unknown code: %q", got)
	}
	if id, args := skalig.BankReasonTextID("unknown"); id != "bank.unknown" || len(args) != 1 {
		t.Errorf("the code \"unknown\" is not a message of its own: %q %v", id, args)
	}
}
