package workflow

import (
	"context"

	"skalig"
	"skalig/internal/workflow/replay"
)

// Replay recomputes the decision with id from its receipt alone (the facts,
// the household and the month it holds) with the parameters and guidelines
// this program has, and reports whether the result and every trace line are
// identical, or how they differ.
func (w *Workflow) Replay(ctx context.Context, decisionID string) (*replay.Report, error) {
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
	return w.replayer().Decision(d, r, c.Municipality, r.Verify()), nil
}

// ReplayStored is Replay of a decision read with its stored receipt
// (replay.Replayer.Stored): what skalig decision replay --all runs on many
// decisions at once (internal/whatif.Replayer).
func (w *Workflow) ReplayStored(decisionID, municipality string, outcome skalig.Outcome, amount skalig.Money, hash string, body []byte) *replay.Report {
	return w.replayer().Stored(decisionID, municipality, outcome, amount, hash, body)
}

// ReplayVerified is Replay of decision d (its id, outcome and amount) on
// its receipt r, already read, of a case of municipality: hashValid says
// whether the caller found r's stored content to match its hash. The
// what-if package's Replayer reads many receipts at once and calls it on
// each of its goroutines, each with a scratch space of its own (sc; nil:
// none).
func (w *Workflow) ReplayVerified(d *skalig.Decision, r *skalig.Receipt, municipality string, hashValid bool, sc *replay.Scratch) *replay.Report {
	rp := w.replayer()
	rp.Scratch = sc
	return rp.Decision(d, r, municipality, hashValid)
}

// replayer recomputes with the workflow's parameters and configuration.
func (w *Workflow) replayer() replay.Replayer {
	return replay.Replayer{Params: w.params, Municipal: w.mun}
}
