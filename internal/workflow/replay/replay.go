// Package replay recomputes a decision from its receipt alone (the facts,
// the household and the month it holds) with the parameters and the
// municipal configuration this program has, and tells, field by field and
// line by line, whether the result is identical. It is pure: the workflow
// reads the receipt (workflow.Workflow.Replay) and skalig decision replay
// --all reads many (internal/whatif.Replayer).
package replay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/rules"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/jsondiff"
	"skalig/internal/workflow/manualcalc"
)

// Report is the result of recomputing a decision from its receipt.
type Report struct {
	DecisionID  string   `json:"decision_id"`
	CaseID      string   `json:"case_id"`
	ReceiptHash string   `json:"receipt_hash"`
	HashValid   bool     `json:"hash_valid"` // the receipt's content still matches its hash
	Identical   bool     `json:"identical"`
	Differences []string `json:"differences,omitempty"`
}

// Replayer recomputes receipts with the parameters and the municipal
// configuration (guidelines) in force in this program.
type Replayer struct {
	Params    casecalc.ParamSource
	Municipal casecalc.Municipal
	// Scratch, when set, is reused from one receipt to the next: the
	// space of one goroutine that replays many (nil: allocated anew).
	Scratch *Scratch
}

// Scratch is the space a replay recalculates in: the trace, its public
// form and their canonical JSON. One goroutine replaying decision after
// decision keeps one; it must not be shared.
type Scratch struct {
	trace         rules.Trace
	out           calcformat.Output
	result, lines []byte
}

// Stored is Decision of a decision read with its stored receipt: the
// decision decisionID (outcome, amount) of a case of municipality, whose
// receipt is body as stored under hash. A stored body is the canonical
// JSON that was sealed, so its SHA-256 is its hash; only when it is not is
// the receipt encoded again to tell (skalig.Receipt.Verify). It is what
// skalig decision replay --all runs on many decisions at once
// (internal/whatif.ReplayAll).
func (rp Replayer) Stored(decisionID, municipality string, outcome skalig.Outcome, amount skalig.Money, hash string, body []byte) *Report {
	r, err := skalig.ParseReceipt(body)
	if err != nil {
		return &Report{DecisionID: decisionID, ReceiptHash: hash, Differences: []string{"underlaget kan inte läsas: " + err.Error()}}
	}
	r.Hash = hash
	sum := sha256.Sum256(body)
	verified := hex.EncodeToString(sum[:]) == hash || r.Verify()
	return rp.Decision(&skalig.Decision{ID: decisionID, Outcome: outcome, Amount: amount}, r, municipality, verified)
}

// Decision recomputes decision d (its id, outcome and amount) from its
// receipt r, of a case of municipality: verified says whether the caller
// found r's content to match its hash (skalig.Receipt.Verify). The
// receipt's outcome and amount must be the decision's.
func (rp Replayer) Decision(d *skalig.Decision, r *skalig.Receipt, municipality string, verified bool) *Report {
	rep := rp.Receipt(r, municipality, verified)
	rep.DecisionID = d.ID
	if r.Outcome != d.Outcome || r.Amount != d.Amount {
		rep.Identical = false
		rep.Differences = append(rep.Differences, fmt.Sprintf("beslutet (%s, %s) stämmer inte med underlaget (%s, %s)",
			d.Outcome, d.Amount, r.Outcome, r.Amount))
	}
	return rep
}

// Receipt recomputes receipt r of a case of municipality: the result and
// every trace line, compared with the stored ones; verified says whether
// r's content matches its hash.
func (rp Replayer) Receipt(r *skalig.Receipt, municipality string, verified bool) *Report {
	rep := &Report{CaseID: r.CaseID, ReceiptHash: r.Hash, HashValid: verified}
	diff := func(format string, args ...any) {
		rep.Differences = append(rep.Differences, fmt.Sprintf(format, args...))
	}
	if !rep.HashValid {
		diff("underlagets innehåll stämmer inte med dess kontrollsumma")
	}
	if r.ParamSet == manualcalc.ParamSet && r.EngineVersion == manualcalc.Engine {
		manual(r, rep, diff)
		return rep
	}
	if r.EngineVersion != rules.EngineVersion {
		diff("beräkningsmotorn är %s, underlaget gjordes med %s", rules.EngineVersion, r.EngineVersion)
	}
	in, err := casecalc.InputOf(r.Month, r.Members, r.Facts)
	if err != nil {
		diff("indata kan inte byggas: %v", err)
		return rep
	}
	ps, err := rp.Params.At(r.Month)
	if err != nil {
		diff("parametrar för %s: %s", r.Month, skalig.ErrorMessage(err))
		return rep
	}
	g, err := rp.Municipal.Guidelines(municipality, r.Month)
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
	sc := rp.Scratch
	if sc == nil {
		sc = &Scratch{}
	}
	tr := &sc.trace
	tr.Lines = tr.Lines[:0]
	res, err := rules.Calculate(in, ps, g, tr)
	if err != nil {
		diff("beräkningen misslyckas: %s", skalig.ErrorMessage(err))
		return rep
	}
	out := &sc.out
	out.Set(res, tr)
	if out.Parameters.Set != r.ParamSet || out.Parameters.Status != r.ParamStatus {
		diff("parameteruppsättning %s (%s), underlaget %s (%s)", out.Parameters.Set, out.Parameters.Status, r.ParamSet, r.ParamStatus)
	}
	// The stored result and trace are canonical JSON (keys sorted): the
	// output written in canonical form (calcformat.Output.CanonicalJSON) is compared byte for byte, and
	// only when that differs the two are compared as documents.
	result, trace, err := out.AppendCanonicalJSON(sc.result[:0], sc.lines[:0])
	if err != nil {
		diff("%v", err)
		return rep
	}
	sc.result, sc.lines = result, trace
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
