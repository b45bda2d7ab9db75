package letters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/letters"
	"skalig/internal/municipal"
)

// A cost the municipality's guideline cuts is a reduced item with the
// guideline as its specific ground, in a letter built from a receipt alone.
func TestLetterGuidelineCutIsAReducedItem(t *testing.T) {
	m := skalig.MonthOf(2026, 11)
	trace := []calcformat.Line{
		{Item: "norm", Amount: skalig.Kronor(5220), Source: "rule", Law: "SoF (2025:468) 12 kap. 2 §", Text: "Riksnormen för hushållet"},
		{Item: "electricity", Amount: skalig.Kronor(900), Source: "applicant", Law: "SoL (2025:400) 12 kap. 7 §", Text: "Hushållsel, faktisk kostnad"},
		{Item: "electricity_guideline", Amount: skalig.Kronor(-200), Source: "rule", Law: "SoL (2025:400) 12 kap. 7 §",
			Text: "Hushållsel över kommunens belopp 700\u00a0kr (1 person): 200\u00a0kr räknas inte med"},
		{Item: "aid", Amount: skalig.Kronor(5920), Source: "rule", Law: "SoL (2025:400) 12 kap. 1 och 7 §§", Text: "Att betala"},
	}
	tr, _ := json.Marshal(trace)
	res, _ := json.Marshal(calcformat.Output{Month: m.String(), Status: "complete", Norm: skalig.Kronor(5220),
		ReasonableCosts: skalig.Kronor(700), Aid: skalig.Kronor(5920)})
	r := &skalig.Receipt{CaseID: "C-1", Month: m, CalculatedOn: m.First(),
		Members: []skalig.Member{{ID: "p1", PersonalNumber: "197503059805", Role: skalig.RoleApplicant}},
		Facts: []skalig.Fact{{Kind: skalig.KindCostPrefix + "electricity", Period: m, Value: skalig.AmountValue(skalig.Kronor(900)),
			Source: skalig.SourceApplicant, At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}},
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "test", Result: res, Trace: tr,
		Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(5920), DecidedBy: skalig.Automated("Punkt 3.1 (exempel)")}
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	d := &skalig.Decision{ID: "D-1", CaseID: "C-1", Outcome: r.Outcome, Month: m, Amount: r.Amount, DecidedBy: r.DecidedBy,
		DecidedAt: time.Date(2026, 11, 3, 23, 30, 0, 0, time.UTC), ReceiptHash: r.Hash}
	mun, _ := municipal.Default()
	mm, _ := mun.Get("0821")
	in := letters.Input{Receipt: r, Decision: d, Municipality: mm.Name, Contact: mm.Contact,
		Payment:    &letters.Payment{PayOn: skalig.Date{Y: 2026, M: 11, D: 5}, Account: "8327-9, 123 456 789-0"},
		Recipients: []string{"Alva Testsson", "Åke Öberg"}}
	l, err := letters.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 {
		t.Fatalf("items %+v", l.Items)
	}
	it := l.Items[0]
	if it.Applied != skalig.Kronor(900) || it.Granted != skalig.Kronor(700) || it.Decision != skalig.OutcomePartlyApproved ||
		!strings.Contains(it.Ground, "kommunens belopp") {
		t.Fatalf("electricity %+v, want 900 applied, 700 granted, delvis bifall with the guideline as ground", it)
	}
	html, err := l.HTML()
	if err != nil {
		t.Fatal(err)
	}
	text := plain(string(html))
	// 23:30 UTC on 3 November is 4 November in Sweden.
	for _, s := range []string{"Beslutsdatum: 2026-11-04", "Till Alva Testsson och Åke Öberg", "den 2026-11-05 till kontot som slutar på 7890",
		"Hushållsel: Hushållsel över kommunens belopp 700 kr", "Beslut: bifall. Du får försörjningsstöd med 5 920 kr för november 2026."} {
		if !strings.Contains(text, s) {
			t.Errorf("the letter lacks %q", s)
		}
	}
	// A receipt that does not belong to the decision is refused.
	d2 := *d
	d2.ReceiptHash = strings.Repeat("0", 64)
	if _, err := letters.Build(letters.Input{Receipt: r, Decision: &d2, Municipality: mm.Name, Contact: mm.Contact}); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Errorf("a foreign receipt: %v", err)
	}
	// The letter does not depend on the clock or on anything but its input.
	a, _ := l.PDF()
	l2, _ := letters.Build(in)
	b, _ := l2.PDF()
	if string(a) != string(b) {
		t.Error("the same input gave different PDF bytes")
	}
}

// A decision replayed from its stored receipt (the canonical JSON, parsed
// again) gives the same letter byte for byte.
func TestLetterFromTheStoredReceiptIsTheSame(t *testing.T) {
	e := setup(t)
	id := e.automated(t).ID
	in, err := letters.Load(context.Background(), e.wf, e.mun, id, reader)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := letters.Render(in, true)
	_, body, err := e.wf.Receipt(context.Background(), id, reader)
	if err != nil {
		t.Fatal(err)
	}
	r, err := skalig.ParseReceipt(body)
	if err != nil {
		t.Fatal(err)
	}
	r.Hash = in.Receipt.Hash
	if !r.Verify() {
		t.Fatal("the stored receipt does not verify")
	}
	in.Receipt = r
	got, err := letters.Render(in, true)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("the letter from the replayed receipt differs")
	}
}

// A word wider than the page is broken, not drawn past the margin: the
// PDF keeps all of its characters.
func TestLetterLongWord(t *testing.T) {
	long := strings.Repeat("överklagande", 20)
	d := &letters.Document{Title: "Prov", Lang: "sv-SE", Author: "Test", Footer: "Prov",
		Blocks: []letters.Block{{Kind: letters.KindP, Text: "Början " + long + " slut."}}}
	pdf, err := d.PDF()
	if err != nil {
		t.Fatal(err)
	}
	if len(pdf) == 0 {
		t.Fatal("no PDF")
	}
	if out, ok := pdfText(t, pdf); ok && !strings.Contains(strings.Join(strings.Fields(out), ""), "Början"+long+"slut.") {
		t.Errorf("the long word is not kept whole in the text: %q", out)
	}
}

// The output intent's ICC profile is a valid sRGB display profile: Little
// CMS (Debian liblcms2-utils' transicc) reads it and maps sRGB red to its
// CIELAB value under D50 (54.29, 80.80, 69.89).
func TestOutputIntentProfile(t *testing.T) {
	if _, err := exec.LookPath("transicc"); err != nil {
		t.Skip("transicc (Debian liblcms2-utils) is not installed")
	}
	icc := letters.SRGBProfileForTest()
	if len(icc) < 128 || string(icc[36:40]) != "acsp" || string(icc[12:16]) != "mntr" || string(icc[16:20]) != "RGB " ||
		int(icc[0])<<24|int(icc[1])<<16|int(icc[2])<<8|int(icc[3]) != len(icc) {
		t.Fatalf("the profile's header is wrong: % x", icc[:min(len(icc), 40)])
	}
	file := filepath.Join(t.TempDir(), "srgb.icc")
	if err := os.WriteFile(file, icc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("transicc", "-i", file, "-o", "*Lab", "-n")
	cmd.Stdin = strings.NewReader("255 0 0\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("transicc: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var l, a, b float64
	if _, err := fmt.Sscan(lines[len(lines)-1], &l, &a, &b); err != nil || math.Abs(l-54.29) > 0.2 || math.Abs(a-80.80) > 0.3 || math.Abs(b-69.89) > 0.3 {
		t.Errorf("sRGB red through the profile: %q (%v), want Lab 54.29 80.80 69.89", lines[len(lines)-1], err)
	}
}
