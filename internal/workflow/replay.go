package workflow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/rules"
	"skalig/internal/workflow/jsondiff"
	"skalig/internal/workflow/manualcalc"
)

// ReplayReport is the result of recomputing a decision from its receipt.
type ReplayReport struct {
	DecisionID  string   `json:"decision_id"`
	CaseID      string   `json:"case_id"`
	ReceiptHash string   `json:"receipt_hash"`
	HashValid   bool     `json:"hash_valid"` // the receipt's content still matches its hash
	Identical   bool     `json:"identical"`
	Differences []string `json:"differences,omitempty"`
}

// Replay recomputes the decision with id from its receipt alone (the facts,
// the household and the month it holds) with the parameters and guidelines
// this program has, and reports whether the result and every trace line are
// identical, or how they differ.
func (w *Workflow) Replay(ctx context.Context, decisionID string) (*ReplayReport, error) {
	d, err := w.cases.Decision(ctx, decisionID)
	if err != nil {
		return nil, err
	}
	c, err := w.cases.Case(ctx, d.CaseID)
	if err != nil {
		return nil, err
	}
	r, err := w.cases.Receipt(ctx, d.ReceiptHash)
	if err != nil {
		return nil, err
	}
	return w.replayDecision(d, r, c.Municipality, r.Verify()), nil
}

// ReplayStored is Replay of a decision read with its stored receipt: the
// decision decisionID (outcome, amount) of a case of municipality, whose
// receipt is body as stored under hash. A stored body is the canonical
// JSON that was sealed, so its SHA-256 is its hash; only when it is not is
// the receipt encoded again to tell (skalig.Receipt.Verify). It is what
// skalig decision replay --all runs on many decisions at once
// (internal/whatif.ReplayAll).
func (w *Workflow) ReplayStored(decisionID, municipality string, outcome skalig.Outcome, amount skalig.Money, hash string, body []byte) *ReplayReport {
	r, err := skalig.ParseReceipt(body)
	if err != nil {
		return &ReplayReport{DecisionID: decisionID, ReceiptHash: hash, Differences: []string{"underlaget kan inte läsas: " + err.Error()}}
	}
	r.Hash = hash
	sum := sha256.Sum256(body)
	verified := hex.EncodeToString(sum[:]) == hash || r.Verify()
	return w.replayDecision(&skalig.Decision{ID: decisionID, Outcome: outcome, Amount: amount}, r, municipality, verified)
}

func (w *Workflow) replayDecision(d *skalig.Decision, r *skalig.Receipt, municipality string, verified bool) *ReplayReport {
	rep := w.replayReceipt(r, municipality, verified)
	rep.DecisionID = d.ID
	if r.Outcome != d.Outcome || r.Amount != d.Amount {
		rep.Identical = false
		rep.Differences = append(rep.Differences, fmt.Sprintf("beslutet (%s, %s) stämmer inte med underlaget (%s, %s)",
			d.Outcome, d.Amount, r.Outcome, r.Amount))
	}
	return rep
}

// ReplayReceipt recomputes r for municipality.
func (w *Workflow) ReplayReceipt(r *skalig.Receipt, municipality string) *ReplayReport {
	return w.replayReceipt(r, municipality, r.Verify())
}

func (w *Workflow) replayReceipt(r *skalig.Receipt, municipality string, verified bool) *ReplayReport {
	rep := &ReplayReport{CaseID: r.CaseID, ReceiptHash: r.Hash, HashValid: verified}
	diff := func(format string, args ...any) {
		rep.Differences = append(rep.Differences, fmt.Sprintf(format, args...))
	}
	if !rep.HashValid {
		diff("underlagets innehåll stämmer inte med dess kontrollsumma")
	}
	if r.ParamSet == manualcalc.ParamSet && r.EngineVersion == manualcalc.Engine {
		replayManual(r, rep, diff)
		return rep
	}
	if r.EngineVersion != rules.EngineVersion {
		diff("beräkningsmotorn är %s, underlaget gjordes med %s", rules.EngineVersion, r.EngineVersion)
	}
	in, _, err := BuildInput(r.Month, r.Members, r.Facts)
	if err != nil {
		diff("indata kan inte byggas: %v", err)
		return rep
	}
	ps, err := w.params.At(r.Month)
	if err != nil {
		diff("parametrar för %s: %s", r.Month, skalig.ErrorMessage(err))
		return rep
	}
	g, err := w.mun.Guidelines(municipality, r.Month)
	if err != nil {
		g = nil
	}
	gv := ""
	if g != nil {
		gv = g.Version
	}
	if gv != r.GuidelineVersion {
		diff("kommunens riktlinjer är version %q, underlaget gjordes med %q", gv, r.GuidelineVersion)
	}
	var tr rules.Trace
	res, err := rules.Calculate(in, ps, g, &tr)
	if err != nil {
		diff("beräkningen misslyckas: %s", skalig.ErrorMessage(err))
		return rep
	}
	out := calcformat.NewOutput(res, &tr)
	if out.Parameters.Set != r.ParamSet || out.Parameters.Status != r.ParamStatus {
		diff("parameteruppsättning %s (%s), underlaget %s (%s)", out.Parameters.Set, out.Parameters.Status, r.ParamSet, r.ParamStatus)
	}
	// The stored result and trace are canonical JSON (keys sorted): the
	// output written in canonical form (calcformat.Output.CanonicalJSON) is compared byte for byte, and
	// only when that differs the two are compared as documents.
	result, trace, err := out.CanonicalJSON()
	if err != nil {
		diff("%v", err)
		return rep
	}
	if !bytes.Equal(r.Result, result) {
		jsondiff.Compare("resultat", r.Result, result, diff)
	}
	if !bytes.Equal(r.Trace, trace) {
		jsondiff.Compare("beräkningsrader", r.Trace, trace, diff)
	}
	if r.Outcome == skalig.OutcomeApproved && out.Aid != r.Amount {
		diff("beviljat belopp %s, omräknat %s", r.Amount, out.Aid)
	}
	rep.Identical = len(rep.Differences) == 0
	return rep
}

// ReplayVerified is Replay of decision d (its id, outcome and amount) on
// its receipt r, already read, of a case of municipality: hashValid says
// whether the caller found r's stored content to match its hash. The
// what-if package's Replayer reads many receipts at once and calls it.
func (w *Workflow) ReplayVerified(d *skalig.Decision, r *skalig.Receipt, municipality string, hashValid bool) *ReplayReport {
	return w.replayDecision(d, r, municipality, hashValid)
}
