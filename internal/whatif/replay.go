package whatif

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"runtime"
	"sync"
	"unicode/utf8"

	"skalig"
	"skalig/internal/decisioninput"
	"skalig/internal/store/whatifdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/replay"
)

// Replayer replays many stored decisions from their receipts
// (workflow.ReplayStored: the result and every trace line recalculated and
// compared, the receipt's hash checked): skalig decision replay --all.
type Replayer struct {
	Cases    *whatifdb.Store
	Workflow *workflow.Workflow
	// Workers replay in parallel; default GOMAXPROCS.
	Workers int
	// PageSize is the number of decisions read at a time; default 1 000.
	PageSize int
}

// ReplayAll replays every stored decision, in decision id order, a page at
// a time: one goroutine reads the pages (decisions with their receipts, in
// one statement a page), Workers replay them, and page is called with each
// page's reports, in order, on the calling goroutine (to log the reads and
// print what differs). Memory is bounded by the pages in flight. It
// returns the number of decisions replayed and the first error of the
// reads or of page.
func (r *Replayer) ReplayAll(ctx context.Context, page func([]*replay.Report) error) (int, error) {
	workers, size := r.Workers, r.PageSize
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if size <= 0 {
		size = 1000
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		decided []whatifdb.DecidedReceipt
		reports []*replay.Report
		done    chan struct{}
	}
	jobs := make(chan *job, workers)    // to the workers
	order := make(chan *job, 2*workers) // to the caller, in read order
	var readErr error
	go func() {
		defer close(order)
		defer close(jobs)
		after := ""
		for {
			pg, err := r.Cases.DecidedReceipts(ctx, whatifdb.Selection{}, after, size)
			if err != nil {
				readErr = err
				return
			}
			if len(pg) == 0 {
				return
			}
			j := &job{decided: pg, reports: make([]*replay.Report, len(pg)), done: make(chan struct{})}
			select {
			case order <- j:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
			after = pg[len(pg)-1].DecisionID
			if len(pg) < size {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc scratch
			for j := range jobs {
				for i := range j.decided {
					j.reports[i] = r.replay(&j.decided[i], &sc)
				}
				close(j.done)
			}
		}()
	}
	defer wg.Wait()
	n := 0
	for j := range order {
		select {
		case <-j.done:
		case <-ctx.Done():
			return n, ctx.Err()
		}
		if err := page(j.reports); err != nil {
			cancel()
			return n, err
		}
		n += len(j.reports)
	}
	if readErr != nil {
		return n, readErr
	}
	return n, ctx.Err()
}

// replay replays the decision d. A receipt whose stored body hashes to its
// hash is the canonical JSON that was sealed: its household and facts are
// then taken from the decision's compact inputs (made from the same
// receipt) and the rest read in place. A decision that replays identically
// that way is reported; anything else (a difference, a body that does not
// hash or read so) is replayed on the whole receipt, parsed
// (workflow.ReplayStored), which tells what differs.
func (r *Replayer) replay(d *whatifdb.DecidedReceipt, sc *scratch) *replay.Report {
	if d.Inputs != nil {
		if rc := receiptFromInputs(d, sc); rc != nil {
			rep := r.Workflow.ReplayVerified(&skalig.Decision{ID: d.DecisionID, Outcome: d.Outcome, Amount: d.Amount}, rc, d.Municipality, true, &sc.replay)
			if rep.Identical {
				rep.CaseID = d.CaseID
				return rep
			}
			// What differs is told by the whole receipt, parsed.
		}
	}
	rep := r.Workflow.ReplayStored(d.DecisionID, d.Municipality, d.Outcome, d.Amount, d.ReceiptHash, d.Body)
	rep.CaseID = d.CaseID
	return rep
}

var (
	keyResult = []byte(`,"result":`)
	keyTrace  = []byte(`,"trace":`)
	// The end of a canonical result and the receipt's trace key after it.
	keyResultEnd = []byte(`,"trace":null},"trace":`)
	keyOutcome   = []byte(`,"outcome":"`)
)

// receiptFromInputs is the receipt of d from its compact inputs and the
// part of its body after the facts, or nil when the body does not hash to
// d's receipt hash or does not read that way.
func receiptFromInputs(d *whatifdb.DecidedReceipt, sc *scratch) *skalig.Receipt {
	sum := sha256.Sum256(d.Body)
	if hex.EncodeToString(sum[:]) != d.ReceiptHash || !bytes.HasPrefix(d.Body, prefixV1) {
		return nil
	}
	cut := bytes.Index(d.Body, keyParamSet)
	if cut < 0 {
		return nil
	}
	// The canonical encoding's order after the facts: param_set,
	// param_status, engine_version, guideline_version (strings), result
	// (an object), trace (an array), outcome, amount, decided_by. A quote
	// inside a string is always escaped, so the keys searched for can only
	// be keys; "outcome" is the last key of that name (the trace's lines
	// and decided_by have none), and the receipt's "trace" the last
	// before it (the result's own "trace" comes first).
	rest := d.Body[cut+1:]
	ri := bytes.Index(rest, keyResult)
	oi := bytes.LastIndex(rest, keyOutcome)
	if ri < 0 || oi < ri {
		return nil
	}
	// The receipt's "trace" key: right after the result, whose canonical
	// form ends with its own `"trace":null` (calcformat), found in the
	// result's few hundred bytes; otherwise the last "trace" key before the
	// outcome, searched forward through the trace (the search backward is
	// several times slower).
	ti := -1
	if j := bytes.Index(rest[ri:oi], keyResultEnd); j >= 0 {
		ti = ri + j + len(keyResultEnd) - len(keyTrace)
	} else {
		for i := ri; ; {
			j := bytes.Index(rest[i:oi], keyTrace)
			if j < 0 {
				break
			}
			ti, i = i+j, i+j+len(keyTrace)
		}
	}
	if ti < ri {
		return nil
	}
	result, trace := rest[ri+len(keyResult):ti], rest[ti+len(keyTrace):oi]
	if len(result) < 2 || result[0] != '{' || result[len(result)-1] != '}' || len(trace) < 2 || trace[0] != '[' || trace[len(trace)-1] != ']' {
		return nil
	}
	var head struct {
		ParamSet         string `json:"param_set"`
		ParamStatus      string `json:"param_status"`
		EngineVersion    string `json:"engine_version"`
		GuidelineVersion string `json:"guideline_version"`
	}
	var tail struct {
		Outcome   string         `json:"outcome"`
		Amount    string         `json:"amount"`
		DecidedBy skalig.Decider `json:"decided_by"`
	}
	if !readHead(rest[:ri], &head.ParamSet, &head.ParamStatus, &head.EngineVersion, &head.GuidelineVersion) ||
		!readTail(rest[oi+1:], &tail.Outcome, &tail.Amount, &tail.DecidedBy) {
		// Not the plain form: read by encoding/json.
		buf := make([]byte, 0, max(ri, len(rest)-oi)+2)
		if json.Unmarshal(append(append(append(buf, '{'), rest[:ri]...), '}'), &head) != nil ||
			json.Unmarshal(append(append(buf[:0], '{'), rest[oi+1:]...), &tail) != nil {
			return nil
		}
	}
	amount, ok := skalig.ParseMoney(tail.Amount)
	if !ok {
		return nil
	}
	if err := decisioninput.DecodeReceipt(d.Inputs, &sc.in); err != nil {
		return nil
	}
	in := &sc.in
	return &skalig.Receipt{CaseID: d.CaseID, Month: in.Month, CalculatedOn: in.CalculatedOn, Members: in.Members, Facts: in.Facts,
		ParamSet: head.ParamSet, ParamStatus: head.ParamStatus, EngineVersion: head.EngineVersion, GuidelineVersion: head.GuidelineVersion,
		Result: result, Trace: trace, Outcome: skalig.Outcome(tail.Outcome), Amount: amount, DecidedBy: tail.DecidedBy,
		Hash: d.ReceiptHash}
}

// plainString reads, at the start of b, `"key":` and a JSON string without
// escapes (valid UTF-8): its value and the rest of b; ok false for
// anything else, which encoding/json then reads.
func plainString(b []byte, key string) (v string, rest []byte, ok bool) {
	if len(b) < len(key)+5 || b[0] != '"' || string(b[1:1+len(key)]) != key || string(b[1+len(key):3+len(key)]) != `":` {
		return "", nil, false
	}
	b = b[3+len(key):]
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	end := bytes.IndexByte(b[1:], '"')
	if end < 0 {
		return "", nil, false
	}
	s := b[1 : 1+end]
	for _, c := range s {
		if c == '\\' || c < 0x20 {
			return "", nil, false
		}
	}
	if !utf8.Valid(s) {
		return "", nil, false
	}
	return string(s), b[end+2:], true
}

// readHead reads the receipt's fields between the facts and the result in
// their canonical order, all plain strings.
func readHead(b []byte, paramSet, paramStatus, engine, guideline *string) bool {
	var ok bool
	for i, f := range []struct {
		key string
		v   *string
	}{{"param_set", paramSet}, {"param_status", paramStatus}, {"engine_version", engine}, {"guideline_version", guideline}} {
		if i > 0 {
			if len(b) == 0 || b[0] != ',' {
				return false
			}
			b = b[1:]
		}
		if *f.v, b, ok = plainString(b, f.key); !ok {
			return false
		}
	}
	return len(b) == 0
}

// readTail reads the receipt's fields after the trace, outcome, amount and
// decided_by, when they are plain strings and decided_by is one of the two
// forms skalig.Decider writes with a plain string.
func readTail(b []byte, outcome, amount *string, by *skalig.Decider) bool {
	var ok bool
	if *outcome, b, ok = plainString(b, "outcome"); !ok || len(b) == 0 || b[0] != ',' {
		return false
	}
	if *amount, b, ok = plainString(b[1:], "amount"); !ok || !bytes.HasPrefix(b, []byte(`,"decided_by":{`)) {
		return false
	}
	b = b[len(`,"decided_by":{`):]
	*by = skalig.Decider{}
	v, end, ok := plainString(b, "caseworker")
	if ok {
		by.Caseworker = v
	} else if v, end, ok = plainString(b, "delegation"); ok {
		by.Delegation = v
	}
	return ok && v != "" && string(end) == "}}"
}
