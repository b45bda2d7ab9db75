package whatif

import (
	"context"
	"runtime"
	"sync"

	"skalig/internal/store/whatifdb"
	"skalig/internal/workflow"
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
func (r *Replayer) ReplayAll(ctx context.Context, page func([]*workflow.ReplayReport) error) (int, error) {
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
		reports []*workflow.ReplayReport
		done    chan struct{}
	}
	jobs := make(chan *job, workers)   // to the workers
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
			j := &job{decided: pg, reports: make([]*workflow.ReplayReport, len(pg)), done: make(chan struct{})}
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
			for j := range jobs {
				for i := range j.decided {
					d := &j.decided[i]
					rep := r.Workflow.ReplayStored(d.DecisionID, d.Municipality, d.Outcome, d.Amount, d.ReceiptHash, d.Body)
					rep.CaseID = d.CaseID
					j.reports[i] = rep
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
