// Package audit keeps Skälig's audit trail: append-only events, each chained
// to the one before by a hash, written in the same transaction as the change
// they record. Editing, deleting or reordering an event breaks the chain, and
// Verify names the first broken link. docs/audit.md describes the whole.
//
// The chain is event n's hash = SHA-256(hash of event n-1 || canonical JSON
// of event n's link), the hashes as raw 32 bytes and the first event chained
// to nothing. The link (format 2, V2) is
//
//	{"v":2,"seq":N,"at":"2026-03-02T09:30:00.000000Z","actor":"…","action":"…","case_id":"…","digest":"…"}
//
// where digest is the hex SHA-256 of the event's data canonicalised by
// skalig.CanonicalizeJSON. The data itself, the payload with its personal
// data, is stored beside the link and may be removed (RemovePayloads,
// payload.go): the chain still verifies. Events written before format 2
// (V1) hashed the data itself; they verify as before, and CoverV1 makes
// them removable. Events are numbered 1, 2, 3, … without gaps.
//
// Whoever can write the database could rewrite an event and every later
// hash and the head; signed checkpoints of the head (checkpoint.go), kept in
// the database and exported elsewhere, catch that.
//
// The tables (audit_events, and audit_head: one row holding the last number
// and hash) belong to the store's migrations. The head row is also the lock
// that serialises appends: Append first updates it, which on PostgreSQL takes
// its row lock until the caller's transaction ends, and on SQLite happens in
// a transaction that already holds the database's write lock. Concurrent
// appends therefore wait for each other and the chain stays one line.
//
// Holding the head until commit makes every appending transaction wait for
// the commit (the disk) of the one before: on PostgreSQL, with many
// transactions at once, that is the limit of the whole system. There a
// transaction can instead write its events unnumbered to audit_pending
// (DeferPending), in the same transaction as the change, and Seal numbers
// and chains the committed pending events afterwards, in commit order, and
// moves them into audit_events. The pending events are as durable as the
// change they record; what they lack until sealed (normally for
// milliseconds) is their place in the chain. That is no weaker than before:
// the newest events of a chain can always be rewritten together with the
// head by whoever can write the database, until the head is published. The
// view audit_trail shows both, sealed events first.
//
// The chain proves that the trail was not changed by anyone who could not
// also rewrite every later event and the head. To also catch that, sign
// checkpoints of the head and export them (WriteCheckpoint,
// WriteCheckpoints).
package audit

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"skalig"
)

type Event = skalig.AuditEvent

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
	e.Digest = digest(data)
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
	if err := insertEvents(ctx, tx, []Event{e}); err != nil {
		return Event{}, fmt.Errorf("audit append %s: insert: %w", e.Action, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, e.Hash); err != nil {
		return Event{}, fmt.Errorf("audit append %s: head: %w", e.Action, err)
	}
	return e, nil
}

// AppendEach appends, as Append would one by one, an event like e for each
// case of caseIDs (e.CaseID is ignored), in that order: the events of a
// command that reads many cases at once. The data is made canonical once.
func AppendEach(ctx context.Context, tx Tx, e Event, caseIDs []string) error {
	if len(caseIDs) == 0 {
		return nil
	}
	e.CaseID = caseIDs[0]
	first, err := Append(ctx, tx, e)
	if err != nil {
		return err
	}
	b, ok := deferred.Load(tx)
	if !ok {
		for _, id := range caseIDs[1:] {
			e.CaseID = id
			if _, err := Append(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}
	// A deferred batch: the rest as Append keeps them, the data and its
	// digest as Append made them for the first.
	e.Data, e.Digest, e.At = first.Data, first.Digest, first.At
	batch := b.(*Batch)
	batch.mu.Lock()
	defer batch.mu.Unlock()
	batch.events = slices.Grow(batch.events, len(caseIDs)-1)
	for _, id := range caseIDs[1:] {
		e.CaseID = id
		batch.events = append(batch.events, e)
	}
	return nil
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
// statements at the end (and the commit). A pending batch (DeferPending)
// does not take the head at all.
type Batch struct {
	tx      Tx
	pending bool
	mu      sync.Mutex
	events  []Event
}

// Defer makes Append keep the events of tx in the returned batch until
// Flush, which the caller must run as the last thing before committing
// tx, or Discard when it rolls back.
func Defer(tx Tx) *Batch {
	b := &Batch{tx: tx}
	deferred.Store(tx, b)
	return b
}

// DeferPending is Defer for a batch whose Flush writes the events to
// audit_pending, unnumbered, for Seal to chain after the commit.
func DeferPending(tx Tx) *Batch {
	b := Defer(tx)
	b.pending = true
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
// one more update of the head; or, for a pending batch, the events in one
// insert into audit_pending. Append writes at once in the transaction
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
	if b.pending {
		return b.flushPending(ctx, events)
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
	for rest := events; len(rest) > 0; {
		chunk := rest[:min(len(rest), 100)]
		rest = rest[len(chunk):]
		if err := insertEvents(ctx, b.tx, chunk); err != nil {
			return fmt.Errorf("audit append %s: insert: %w", chunk[0].Action, err)
		}
	}
	if _, err := b.tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, prev); err != nil {
		return fmt.Errorf("audit append: head: %w", err)
	}
	return nil
}

// flushPending writes events to audit_pending, in their order, 500 to a
// statement.
func (b *Batch) flushPending(ctx context.Context, events []Event) error {
	for len(events) > 0 {
		chunk := events[:min(len(events), 500)]
		events = events[len(chunk):]
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_pending (at, actor, action, case_id, data) VALUES `)
		args := make([]any, 0, 5*len(chunk))
		for i, e := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
			var caseID any
			if e.CaseID != "" {
				caseID = e.CaseID
			}
			args = append(args, skalig.FormatTime(e.At), e.Actor, e.Action, caseID, string(e.Data))
		}
		if _, err := b.tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("audit append %s: pending: %w", chunk[0].Action, err)
		}
	}
	return nil
}

// Beginner begins transactions: *sql.DB.
type Beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// Seal chains the committed pending events (audit_pending) whose numbers
// are among the max from the oldest, oldest first, after the head, moves
// them into audit_events and returns how many it sealed. It takes the head like Append, so sealers of several processes
// take turns, and an event is sealed once. Events committed while it runs
// are left for the next call. Their order in the chain is the order in
// which Seal finds them, which keeps the order of events of transactions
// that followed each other (a case's steps): a transaction that began
// after another committed has its events numbered after the other's.
func Seal(ctx context.Context, db Beginner, max int) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("audit seal: %w", err)
	}
	defer tx.Rollback()
	var seq int64
	var prev string
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash`).Scan(&seq, &prev); err != nil {
		return 0, fmt.Errorf("audit seal: head: %w", err)
	}
	// Taken by their ids, exactly the rows read: a pending event that
	// commits meanwhile must not go without being sealed.
	// (A range of the key from the oldest: one statement, so that what it
	// deletes is exactly what it returns, and cheap however many deleted
	// rows vacuum has yet to clear.)
	rows, err := tx.QueryContext(ctx, `DELETE FROM audit_pending WHERE id < (SELECT MIN(id) FROM audit_pending) + $1
		RETURNING id, at, actor, action, case_id, data`, max)
	if err != nil {
		return 0, fmt.Errorf("audit seal: %w", err)
	}
	type pending struct {
		id int64
		e  Event
	}
	var ps []pending
	for rows.Next() {
		var p pending
		var at timeValue
		var caseID sql.NullString
		var data string
		if err := rows.Scan(&p.id, &at, &p.e.Actor, &p.e.Action, &caseID, &data); err != nil {
			rows.Close()
			return 0, fmt.Errorf("audit seal: %w", err)
		}
		p.e.At, p.e.CaseID, p.e.Data = at.t, caseID.String, json.RawMessage(data)
		p.e.Digest = digest(p.e.Data)
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("audit seal: %w", err)
	}
	if len(ps) == 0 {
		return 0, nil
	}
	slices.SortFunc(ps, func(a, b pending) int { return cmp.Compare(a.id, b.id) })
	events := make([]Event, len(ps))
	for i, p := range ps {
		seq++
		p.e.Seq = seq
		if p.e.Hash, err = chain(prev, p.e); err != nil {
			return 0, fmt.Errorf("audit seal %s: %w", p.e.Action, err)
		}
		prev = p.e.Hash
		events[i] = p.e
	}
	for rest := events; len(rest) > 0; {
		chunk := rest[:min(len(rest), 1000)]
		rest = rest[len(chunk):]
		if err := insertEvents(ctx, tx, chunk); err != nil {
			return 0, fmt.Errorf("audit seal: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, seq, prev); err != nil {
		return 0, fmt.Errorf("audit seal: head: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("audit seal: %w", err)
	}
	return len(events), nil
}

// SealAll seals pending events, in rounds of up to 1000, until a round
// finds fewer than 500: what is left then is sealed by the next call.
func SealAll(ctx context.Context, db Beginner) (int, error) {
	total := 0
	for {
		n, err := Seal(ctx, db, 1000)
		total += n
		if err != nil || n < 500 {
			return total, err
		}
	}
}

// insertEvents writes numbered and chained events to audit_events in one
// statement.
func insertEvents(ctx context.Context, tx Tx, events []Event) error {
	q := make([]byte, 0, 96+48*len(events))
	q = append(q, `INSERT INTO audit_events (seq, v, at, actor, action, case_id, digest, data, hash) VALUES `...)
	var caseID = func(e *Event) any {
		if e.CaseID == "" {
			return nil
		}
		return e.CaseID
	}
	if shareAll(events) {
		// The reads of many cases at once: the events differ only in their
		// number, case and hash, and the time, actor, action, digest and
		// data are bound once ($1…$5) for every row.
		e := &events[0]
		args := make([]any, 5, 5+3*len(events))
		args[0], args[1], args[2], args[3], args[4] = skalig.FormatTime(e.At), e.Actor, e.Action, e.Digest, string(e.Data)
		for i := range events {
			if i > 0 {
				q = append(q, ", "...)
			}
			n := int64(len(args))
			q = strconv.AppendInt(append(q, "($"...), n+1, 10)
			q = strconv.AppendInt(append(q, ", 2, $1, $2, $3, $"...), n+2, 10)
			q = strconv.AppendInt(append(q, ", $4, $5, $"...), n+3, 10)
			q = append(q, ')')
			args = append(args, events[i].Seq, caseID(&events[i]), events[i].Hash)
		}
		_, err := tx.ExecContext(ctx, string(q), args...)
		return err
	}
	args := make([]any, 0, 8*len(events))
	for i := range events {
		e := &events[i]
		if i > 0 {
			q = append(q, ", "...)
		}
		n := len(args)
		for j, col := range [...]string{"($", ", 2, $", ", $", ", $", ", $", ", $", ", $", ", $"} {
			q = strconv.AppendInt(append(q, col...), int64(n+j+1), 10)
		}
		q = append(q, ')')
		args = append(args, e.Seq, skalig.FormatTime(e.At), e.Actor, e.Action, caseID(e), e.Digest, string(e.Data), e.Hash)
	}
	_, err := tx.ExecContext(ctx, string(q), args...)
	return err
}

// shareAll reports whether events (more than one) have the same time,
// actor, action, digest and data.
func shareAll(events []Event) bool {
	if len(events) < 2 {
		return false
	}
	e := &events[0]
	for i := range events[1:] {
		o := &events[i+1]
		if !o.At.Equal(e.At) || o.Actor != e.Actor || o.Action != e.Action || o.Digest != e.Digest || !bytes.Equal(o.Data, e.Data) {
			return false
		}
	}
	return true
}

// The two formats of an event's link in the chain (the column v).
const (
	// V1 is the first format: the event's hash covers its data itself, so
	// the data cannot be removed without a manifest (CoverV1) vouching for
	// the event.
	V1 = 1
	// V2 is the current format: the event's hash covers the digest of its
	// data, and the data (the payload, which holds personal data) is stored
	// beside it and may be removed (RemovePayloads).
	V2 = 2
)

// ActionV1Manifest is the action of the event that CoverV1 appends: its
// payload holds the digest of every event of the first format since the
// previous manifest, and it is never removed.
const ActionV1Manifest = "audit.v1_manifest"

// linkV1 is what the first format hashes.
type linkV1 struct {
	Seq    int64           `json:"seq"`
	At     string          `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	CaseID string          `json:"case_id"`
	Data   json.RawMessage `json:"data"`
}

// linkV2 is what the current format hashes.
type linkV2 struct {
	V      int    `json:"v"`
	Seq    int64  `json:"seq"`
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	CaseID string `json:"case_id"`
	Digest string `json:"digest"`
}

// digest returns the hex SHA-256 of the canonical payload data ("null"
// when there is none).
func digest(data json.RawMessage) string {
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func prevBytes(prev string) ([]byte, error) {
	p, err := hex.DecodeString(prev)
	if err != nil || (len(p) != 0 && len(p) != sha256.Size) {
		return nil, fmt.Errorf("previous hash %q is not a SHA-256", prev)
	}
	return p, nil
}

func link(prev string, v any) (string, error) {
	p, err := prevBytes(prev)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(p)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// chain returns the hex hash of e (format 2, e.Digest set) chained to the
// event whose hex hash is prev ("" for the first event).
func chain(prev string, e Event) (string, error) {
	return link(prev, linkV2{V: V2, Seq: e.Seq, At: skalig.FormatTime(e.At), Actor: e.Actor, Action: e.Action,
		CaseID: e.CaseID, Digest: e.Digest})
}

// chainV1 returns the hex hash of e in the first format, which covers its
// data.
func chainV1(prev string, e Event) (string, error) {
	// The data is canonical as Append stored it (and a change to it must
	// show), so it is hashed as it is, not canonicalised again.
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	return link(prev, linkV1{Seq: e.Seq, At: skalig.FormatTime(e.At), Actor: e.Actor, Action: e.Action,
		CaseID: e.CaseID, Data: data})
}

// BrokenError reports the first broken link of the chain.
type BrokenError struct {
	Seq    int64  // the first event that is missing or does not verify
	Reason string // what is wrong, in English for the operator
}

func (e *BrokenError) Error() string {
	return "audit chain broken at event " + strconv.FormatInt(e.Seq, 10) + ": " + e.Reason
}

// Report is what VerifyTrail found.
type Report struct {
	Head     int64  // the number of the last event (the head)
	HeadHash string // its hash
	V1       int64  // events chained in the first format
	Removed  int64  // events whose payload (personal data) was removed
	// Checkpoints is the number of signed checkpoints checked, over every
	// source; LastCheckpoint the newest one's event number (0: none).
	Checkpoints    int
	LastCheckpoint int64
}

// VerifyTrail recomputes the chain from the first event to the head, checks
// every payload still present against its digest, and then checks the
// checkpoints of each source in turn with pub: each must carry a valid
// signature and the hash the chain has at its event. It returns what it
// found, and the first failure: a *BrokenError for the chain (an event
// changed in place breaks at that event; a deleted event at its number;
// events deleted from the end at the first of them, since the head still
// counts them), a *CheckpointError for a checkpoint (a chain rewritten
// whole, from an event on, with every later hash and the head, verifies
// as a chain but not against a checkpoint signed before). Any other error
// is a failure to read.
//
// VerifyTrail reads the head first and then the events up to it, so
// appends running meanwhile do not disturb it and it needs no lock: events
// up to the head committed with or before it.
func VerifyTrail(ctx context.Context, db Querier, pub ed25519.PublicKey, sources ...CheckpointSource) (Report, error) {
	var r Report
	headSeq, headHash, err := Head(ctx, db)
	if err != nil {
		return r, err
	}
	r.Head, r.HeadHash = headSeq, headHash
	// The chain's hash at each checkpointed event, filled in on the way.
	at := map[int64]string{}
	for _, src := range sources {
		for _, cp := range src.Checkpoints {
			at[cp.Seq] = ""
		}
	}
	rows, err := db.QueryContext(ctx,
		`SELECT seq, v, at, actor, action, case_id, digest, data, hash FROM audit_events WHERE seq <= $1 ORDER BY seq`, headSeq)
	if err != nil {
		return r, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	prev := ""
	want := int64(1)
	m := newManifest()
	var uncovered int64 // the first removed payload of the first format that no manifest covers yet
	for rows.Next() {
		var e Event
		var v int
		var ts timeValue
		var caseID, dg, data sql.NullString
		if err := rows.Scan(&e.Seq, &v, &ts, &e.Actor, &e.Action, &caseID, &dg, &data, &e.Hash); err != nil {
			return r, fmt.Errorf("audit verify: %w", err)
		}
		e.At, e.CaseID = ts.t, caseID.String
		if data.Valid {
			e.Data = json.RawMessage(data.String)
		}
		if e.Seq != want {
			return r, &BrokenError{Seq: want, Reason: "the event is missing"}
		}
		broken := func(reason string) (Report, error) { return r, &BrokenError{Seq: e.Seq, Reason: reason} }
		if !data.Valid {
			r.Removed++
		}
		switch v {
		case V1:
			r.V1++
			if data.Valid {
				h, err := chainV1(prev, e)
				if err != nil {
					return broken(err.Error())
				}
				if h != e.Hash {
					return broken("the hash does not match the event and the one before it")
				}
				e.Digest = digest(e.Data)
				if dg.Valid && dg.String != e.Digest {
					return broken("the payload does not match its digest")
				}
			} else {
				// The hash cannot be recomputed without the data: the
				// manifest after it vouches for the event and its hash.
				if !dg.Valid {
					return broken("the payload was removed and no digest of it was kept")
				}
				if _, err := prevBytes(e.Hash); err != nil {
					return broken(err.Error())
				}
				e.Digest = dg.String
				if uncovered == 0 {
					uncovered = e.Seq
				}
			}
			if err := m.add(e); err != nil {
				return r, fmt.Errorf("audit verify: %w", err)
			}
		case V2:
			if !dg.Valid {
				return broken("the event has no digest of its payload")
			}
			e.Digest = dg.String
			if data.Valid && digest(e.Data) != e.Digest {
				return broken("the payload does not match its digest")
			}
			h, err := chain(prev, e)
			if err != nil {
				return broken(err.Error())
			}
			if h != e.Hash {
				return broken("the hash does not match the event and the one before it")
			}
			if e.Action == ActionV1Manifest {
				if !data.Valid {
					return broken("the payload of the manifest of first-format events was removed")
				}
				if !m.matches(e.Data) {
					return broken("the manifest does not match the first-format events before it")
				}
				m = newManifest()
				uncovered = 0
			}
		default:
			return broken(fmt.Sprintf("unknown format %d", v))
		}
		if _, ok := at[e.Seq]; ok {
			at[e.Seq] = e.Hash
		}
		prev = e.Hash
		want++
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("audit verify: %w", err)
	}
	if want-1 != headSeq {
		return r, &BrokenError{Seq: want, Reason: fmt.Sprintf("the head counts %d events, the trail ends at %d", headSeq, want-1)}
	}
	if prev != headHash {
		return r, &BrokenError{Seq: headSeq, Reason: "the head hash does not match the last event"}
	}
	if uncovered != 0 {
		return r, &BrokenError{Seq: uncovered, Reason: "the payload of a first-format event was removed and no manifest covers it"}
	}
	for _, src := range sources {
		n, last, err := checkCheckpoints(src, pub, headSeq, at)
		r.Checkpoints += n
		r.LastCheckpoint = max(r.LastCheckpoint, last)
		if err != nil {
			return r, err
		}
	}
	return r, nil
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

// Trail returns the events of the trail, sealed and pending (the view
// audit_trail), that the SQL condition where selects, with args for its
// $1, $2 …; oldest first, or newest first. A pending event has Seq 0 and
// no Hash; an event whose payload was removed has nil Data (and no
// Digest: Trail does not read it).
func Trail(ctx context.Context, db Querier, where string, newestFirst bool, args ...any) ([]Event, error) {
	order := `pending, pos`
	if newestFirst {
		order = `pending DESC, pos DESC`
	}
	rows, err := db.QueryContext(ctx,
		`SELECT seq, at, actor, action, case_id, data, hash FROM audit_trail WHERE `+where+` ORDER BY `+order, args...)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var seq sql.NullInt64
		var at timeValue
		var cid, hash, data sql.NullString
		if err := rows.Scan(&seq, &at, &e.Actor, &e.Action, &cid, &data, &hash); err != nil {
			return nil, fmt.Errorf("audit events: %w", err)
		}
		e.Seq, e.At, e.CaseID, e.Hash = seq.Int64, at.t, cid.String, hash.String
		if data.Valid {
			e.Data = json.RawMessage(data.String)
		}
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
