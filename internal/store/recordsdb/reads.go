package recordsdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"skalig/internal/audit"
	"skalig/internal/store"
)

// LogReads is store.CaseStore.LogRead of each case of caseIDs, in one
// transaction: the reads of a command that reads many cases at once
// (skalig decision replay --all), one audit event a case.
func (s *Store) LogReads(ctx context.Context, actor string, caseIDs []string, via, what string) error {
	if len(caseIDs) == 0 {
		return nil
	}
	// InTx keeps the events and writes them together at the commit.
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		data, _ := json.Marshal(map[string]string{"via": via, "what": what})
		return audit.AppendEach(ctx, tx, audit.Event{At: s.db.Clock(), Actor: actor, Action: store.ActionRead, Data: data}, caseIDs)
	})
}

// ReadLog logs the reads of a command that reads many cases a page at a
// time (skalig decision replay --all) on a goroutine of its own, so that
// reading and recalculating the next pages go on while a page's events
// are written and synced. What was read is logged before anything of it
// is shown: Log's then runs after the commit that logged its cases. When
// the writer is behind, the pages waiting are logged together in one
// transaction (one sync for several pages); Log waits when more than a
// few pages wait, so memory stays bounded.
type ReadLog struct {
	s                *Store
	ctx              context.Context
	actor, via, what string
	pages            chan readPage
	done             chan struct{}
	err              error // the first error, once done is closed
}

type readPage struct {
	caseIDs []string
	then    func()
}

// readLogQueue is how many pages may wait to be logged.
const readLogQueue = 8

// NewReadLog starts logging reads by actor (via, what: as LogRead).
// Close must be called.
func (s *Store) NewReadLog(ctx context.Context, actor, via, what string) *ReadLog {
	l := &ReadLog{s: s, ctx: ctx, actor: actor, via: via, what: what,
		pages: make(chan readPage, readLogQueue), done: make(chan struct{})}
	go l.run()
	return l
}

// Log logs the reads of caseIDs and then runs then (nil: nothing), on the
// log's goroutine, in the order pages were given. After an error nothing
// more is logged or run, and Close returns it.
func (l *ReadLog) Log(caseIDs []string, then func()) {
	select {
	case l.pages <- readPage{caseIDs, then}:
	case <-l.done:
	}
}

// Close waits until every page given is logged and its then has run, and
// returns the first error.
func (l *ReadLog) Close() error {
	close(l.pages)
	<-l.done
	return l.err
}

func (l *ReadLog) run() {
	defer close(l.done)
	var ids []string
	var batch []readPage
	for p := range l.pages {
		batch = append(batch[:0], p)
	more: // the pages waiting, logged with it
		for len(batch) < readLogQueue {
			select {
			case q, ok := <-l.pages:
				if !ok {
					break more
				}
				batch = append(batch, q)
			default:
				break more
			}
		}
		ids = ids[:0]
		for _, b := range batch {
			ids = append(ids, b.caseIDs...)
		}
		if err := l.s.LogReads(l.ctx, l.actor, ids, l.via, l.what); err != nil {
			l.err = err
			return
		}
		for _, b := range batch {
			if b.then != nil {
				b.then()
			}
		}
	}
}
