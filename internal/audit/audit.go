// Package audit keeps Skälig's audit trail: append-only events, each chained
// to the one before by a hash, written in the same transaction as the change
// they record. Editing, deleting or reordering an event breaks the chain, and
// Verify names the first broken link.
//
// The chain is event n's hash = SHA-256(hash of event n-1 || canonical JSON
// of event n), the hashes as raw 32 bytes and the first event chained to
// nothing. The canonical JSON is
//
//	{"seq":N,"at":"2026-03-02T09:30:00.000000Z","actor":"…","action":"…","case_id":"…","data":{…}}
//
// with data canonicalised by skalig.CanonicalizeJSON. Events are numbered
// 1, 2, 3, … without gaps.
//
// The tables (audit_events, and audit_head: one row holding the last number
// and hash) belong to the store's migrations. The head row is also the lock
// that serialises appends: Append first updates it, which on PostgreSQL takes
// its row lock until the caller's transaction ends, and on SQLite happens in
// a transaction that already holds the database's write lock. Concurrent
// appends therefore wait for each other and the chain stays one line.
//
// The chain proves that the trail was not changed by anyone who could not
// also rewrite every later event and the head. To also catch that, publish
// the head hash elsewhere from time to time (see Head).
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"skalig"
)

// Event is one entry of the audit trail.
type Event struct {
	Seq    int64     // assigned by Append: 1, 2, 3, …
	At     time.Time // when the change happened (stored to the microsecond)
	Actor  string    // who or what: "system", "worker:fetch", "caseworker:hl-17", "applicant"
	Action string    // what, as a stable code: "application.submitted", "case.transition"
	CaseID string    // the case concerned, or ""
	Data   json.RawMessage
	Hash   string // hex SHA-256, assigned by Append
}

// Tx is what Append needs of the caller's transaction; *sql.Tx has it. It
// must be a transaction: the event and the change it records commit
// together or not at all.
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Querier is what Verify and Head need: *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Append numbers e, chains it to the last event and writes it in tx. It
// returns e with Seq, Hash, At (as stored) and Data (canonical) set. The
// caller's transaction holds the chain until it commits or rolls back, so
// keep it short. Data may be nil (stored as null).
//
// In a transaction given to Defer, Append only checks e and keeps it, and
// returns it without Seq and Hash; Batch.Flush writes it.
func Append(ctx context.Context, tx Tx, e Event) (Event, error) {
	if e.Actor == "" || e.Action == "" || e.At.IsZero() {
		return Event{}, fmt.Errorf("audit append: actor, action and time are required")
	}
	data, err := skalig.CanonicalizeJSON(e.Data)
	if err != nil {
		return Event{}, fmt.Errorf("audit append %s: data: %w", e.Action, err)
	}
	e.Data = data
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if b, ok := deferred.Load(tx); ok {
		b := b.(*Batch)
		b.mu.Lock()
		b.events = append(b.events, e)
		b.mu.Unlock()
		return e, nil
	}

	var prev string
	if err := tx.QueryRowContext(ctx,
		`UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&e.Seq, &prev); err != nil {
		return Event{}, fmt.Errorf("audit append %s: head: %w", e.Action, err)
	}
	e.Hash, err = chain(prev, e)
	if err != nil {
		return Event{}, fmt.Errorf("audit append %s: %w", e.Action, err)
	}
	var caseID any
	if e.CaseID != "" {
		caseID = e.CaseID
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO audit_events (seq, at, actor, action, case_id, data, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.Seq, skalig.FormatTime(e.At), e.Actor, e.Action, caseID, string(e.Data), e.Hash); err != nil {
		return Event{}, fmt.Errorf("audit append %s: insert: %w", e.Action, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, e.Hash); err != nil {
		return Event{}, fmt.Errorf("audit append %s: head: %w", e.Action, err)
	}
	return e, nil
}

// deferred holds the Batch of each transaction given to Defer.
var deferred sync.Map // Tx → *Batch

// Batch is the audit events of one transaction, kept by Append until Flush
// writes them together at the end of the transaction.
//
// Appending takes the chain's head, which every other appending
// transaction then waits for until this one commits. Appending each event
// as it happens holds the head from the first event to the commit, across
// every statement in between; a batch holds it only for its three
// statements at the end (and the commit). Under many concurrent
// transactions, PostgreSQL's in particular, that is the difference between
// queueing on the head and not.
type Batch struct {
	tx     Tx
	head   *HeadCache
	mu     sync.Mutex
	events []Event
}

// HeadCache is a process's guess of the chain's head: the number and hash
// of the last event it appended. With it, Batch.Flush on PostgreSQL writes
// the head and the events in one statement, checked against the guess in
// the database; when another process (or a transaction that rolled back)
// made the guess wrong, the statement changes nothing and Flush reads the
// head as without a cache. The callers of Flush must take turns (one
// Flush at a time per cache). The zero value is an empty cache.
type HeadCache struct {
	mu   sync.Mutex
	seq  int64
	hash string
	ok   bool
}

func (h *HeadCache) get() (int64, string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq, h.hash, h.ok
}

func (h *HeadCache) set(seq int64, hash string) {
	h.mu.Lock()
	h.seq, h.hash, h.ok = seq, hash, true
	h.mu.Unlock()
}

// Forget empties the cache: the transaction that wrote the head it holds
// did not commit.
func (h *HeadCache) Forget() {
	h.mu.Lock()
	h.ok = false
	h.mu.Unlock()
}

// Defer makes Append keep the events of tx in the returned batch until
// Flush, which the caller must run as the last thing before committing
// tx, or Discard when it rolls back.
func Defer(tx Tx) *Batch {
	b := &Batch{tx: tx}
	deferred.Store(tx, b)
	return b
}

// DeferPostgres is Defer on PostgreSQL with the process's head cache: its
// Flush writes the events and the head in one statement when the cache is
// right. Forget the cache when the transaction does not commit after a
// Flush.
func DeferPostgres(tx Tx, head *HeadCache) *Batch {
	b := Defer(tx)
	b.head = head
	return b
}

// Len returns the number of events waiting in the batch.
func (b *Batch) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.events)
}

// Discard forgets the batch's events (the transaction rolls back).
func (b *Batch) Discard() { deferred.CompareAndDelete(b.tx, b) }

// Flush numbers and chains the batch's events and writes them in its
// transaction: one update of the head, the events in one insert (per 100),
// one more update of the head. Append writes at once in the transaction
// after Flush.
func (b *Batch) Flush(ctx context.Context) error {
	deferred.CompareAndDelete(b.tx, b)
	b.mu.Lock()
	events := b.events
	b.events = nil
	b.mu.Unlock()
	if len(events) == 0 {
		return nil
	}
	if b.head != nil && len(events) <= 100 {
		if seq, hash, ok := b.head.get(); ok {
			done, err := b.flushOnGuess(ctx, events, seq, hash)
			if err != nil || done {
				return err
			}
		}
	}
	var last int64
	var prev string
	if err := b.tx.QueryRowContext(ctx,
		`UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash`, len(events)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit append %s: head: %w", events[0].Action, err)
	}
	seq := last - int64(len(events))
	for i := range events {
		seq++
		events[i].Seq = seq
		h, err := chain(prev, events[i])
		if err != nil {
			return fmt.Errorf("audit append %s: %w", events[i].Action, err)
		}
		events[i].Hash, prev = h, h
	}
	for len(events) > 0 {
		chunk := events[:min(len(events), 100)]
		events = events[len(chunk):]
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_events (seq, at, actor, action, case_id, data, hash) VALUES `)
		args := make([]any, 0, 7*len(chunk))
		for i, e := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
			var caseID any
			if e.CaseID != "" {
				caseID = e.CaseID
			}
			args = append(args, e.Seq, skalig.FormatTime(e.At), e.Actor, e.Action, caseID, string(e.Data), e.Hash)
		}
		if _, err := b.tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("audit append %s: insert: %w", chunk[0].Action, err)
		}
	}
	if _, err := b.tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, prev); err != nil {
		return fmt.Errorf("audit append: head: %w", err)
	}
	if b.head != nil {
		b.head.set(last, prev)
	}
	return nil
}

// flushOnGuess writes events chained to the head (guessSeq, guessHash)
// the cache holds, and the new head, in one PostgreSQL statement that
// changes nothing unless the head in the database is the guess. It reports
// whether it wrote them.
func (b *Batch) flushOnGuess(ctx context.Context, events []Event, guessSeq int64, guessHash string) (bool, error) {
	chained := make([]Event, len(events))
	copy(chained, events)
	seq, prev := guessSeq, guessHash
	for i := range chained {
		seq++
		chained[i].Seq = seq
		h, err := chain(prev, chained[i])
		if err != nil {
			return false, fmt.Errorf("audit append %s: %w", chained[i].Action, err)
		}
		chained[i].Hash, prev = h, h
	}
	var q strings.Builder
	q.WriteString(`WITH h AS (UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3 AND hash = $4 RETURNING 1)
		INSERT INTO audit_events (seq, at, actor, action, case_id, data, hash)
		SELECT v.seq, v.at, v.actor, v.action, v.case_id, v.data, v.hash FROM (VALUES `)
	args := []any{seq, prev, guessSeq, guessHash}
	for i, e := range chained {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d::bigint, $%d::timestamptz, $%d::text, $%d::text, $%d::text, $%d::text, $%d::text)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
		var caseID any
		if e.CaseID != "" {
			caseID = e.CaseID
		}
		args = append(args, e.Seq, skalig.FormatTime(e.At), e.Actor, e.Action, caseID, string(e.Data), e.Hash)
	}
	q.WriteString(`) AS v (seq, at, actor, action, case_id, data, hash) WHERE EXISTS (SELECT 1 FROM h)`)
	res, err := b.tx.ExecContext(ctx, q.String(), args...)
	if err != nil {
		return false, fmt.Errorf("audit append %s: %w", chained[0].Action, err)
	}
	if n, _ := res.RowsAffected(); n != int64(len(chained)) {
		return false, nil // the guess was wrong: read the head
	}
	copy(events, chained)
	b.head.set(seq, prev)
	return true, nil
}

type eventJSON struct {
	Seq    int64           `json:"seq"`
	At     string          `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	CaseID string          `json:"case_id"`
	Data   json.RawMessage `json:"data"`
}

// chain returns the hex hash of e chained to the event whose hex hash is prev
// ("" for the first event).
func chain(prev string, e Event) (string, error) {
	p, err := hex.DecodeString(prev)
	if err != nil || (len(p) != 0 && len(p) != sha256.Size) {
		return "", fmt.Errorf("previous hash %q is not a SHA-256", prev)
	}
	data, err := skalig.CanonicalizeJSON(e.Data)
	if err != nil {
		return "", fmt.Errorf("data: %w", err)
	}
	b, err := json.Marshal(eventJSON{
		Seq: e.Seq, At: skalig.FormatTime(e.At), Actor: e.Actor, Action: e.Action, CaseID: e.CaseID, Data: data,
	})
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(p)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// BrokenError reports the first broken link of the chain.
type BrokenError struct {
	Seq    int64  // the first event that is missing or does not verify
	Reason string // what is wrong, in English for the operator
}

func (e *BrokenError) Error() string {
	return "audit chain broken at event " + strconv.FormatInt(e.Seq, 10) + ": " + e.Reason
}

// Verify recomputes the chain from the first event to the head and returns
// the number of the first broken link with a *BrokenError describing it; or
// 0 and nil when the whole chain verifies. Any other error is a failure to
// read. An event changed in place breaks at that event; a deleted event
// breaks at its number; events deleted from the end break at the first of
// them (the head still counts them).
//
// Verify reads the head first and then the events up to it, so appends
// running meanwhile do not disturb it and it needs no lock: events up to the
// head committed with or before it.
func Verify(ctx context.Context, db Querier) (firstBroken int64, err error) {
	headSeq, headHash, err := Head(ctx, db)
	if err != nil {
		return 0, err
	}
	rows, err := db.QueryContext(ctx,
		`SELECT seq, at, actor, action, case_id, data, hash FROM audit_events WHERE seq <= $1 ORDER BY seq`, headSeq)
	if err != nil {
		return 0, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	prev := ""
	want := int64(1)
	for rows.Next() {
		var e Event
		var at timeValue
		var caseID sql.NullString
		var data string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &caseID, &data, &e.Hash); err != nil {
			return 0, fmt.Errorf("audit verify: %w", err)
		}
		e.At, e.CaseID, e.Data = at.t, caseID.String, json.RawMessage(data)
		if e.Seq != want {
			return want, &BrokenError{Seq: want, Reason: "the event is missing"}
		}
		h, err := chain(prev, e)
		if err != nil {
			return e.Seq, &BrokenError{Seq: e.Seq, Reason: err.Error()}
		}
		if h != e.Hash {
			return e.Seq, &BrokenError{Seq: e.Seq, Reason: "the hash does not match the event and the one before it"}
		}
		prev = e.Hash
		want++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("audit verify: %w", err)
	}
	if want-1 != headSeq {
		return want, &BrokenError{Seq: want, Reason: fmt.Sprintf("the head counts %d events, the trail ends at %d", headSeq, want-1)}
	}
	if prev != headHash {
		return headSeq, &BrokenError{Seq: headSeq, Reason: "the head hash does not match the last event"}
	}
	return 0, nil
}

// Head returns the number and hash of the last event appended, 0 and "" for
// an empty trail. Publishing it (in a report to the board, a log shipped
// elsewhere) anchors everything up to it.
func Head(ctx context.Context, db Querier) (seq int64, hash string, err error) {
	err = db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", &BrokenError{Seq: 1, Reason: "the head row is missing"}
	}
	if err != nil {
		return 0, "", fmt.Errorf("audit head: %w", err)
	}
	return seq, hash, nil
}

// Events returns the events of the case with caseID, oldest first.
func Events(ctx context.Context, db Querier, caseID string) ([]Event, error) {
	rows, err := db.QueryContext(ctx,
		`SELECT seq, at, actor, action, case_id, data, hash FROM audit_events WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at timeValue
		var cid sql.NullString
		var data string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &cid, &data, &e.Hash); err != nil {
			return nil, fmt.Errorf("audit events: %w", err)
		}
		e.At, e.CaseID, e.Data = at.t, cid.String, json.RawMessage(data)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	return out, nil
}

// timeValue scans an instant stored as timestamptz (PostgreSQL) or as text
// in skalig.TimeFormat (SQLite).
type timeValue struct{ t time.Time }

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case time.Time:
		v.t = x.UTC().Truncate(time.Microsecond)
		return nil
	case string:
		t, err := skalig.ParseTime(x)
		v.t = t
		return err
	case []byte:
		t, err := skalig.ParseTime(string(x))
		v.t = t
		return err
	}
	return fmt.Errorf("audit: cannot scan %T as a time", src)
}
