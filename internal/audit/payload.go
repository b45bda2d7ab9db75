package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"time"

	"skalig"
)

// An event's payload (its data: who applied, what was decided, the
// personal data of the case) is kept beside its link in the chain, and the
// chain covers only its digest. Gallring removes the payload
// (RemovePayloads) and the chain still verifies; what is left of the event
// is its number, time, actor, action, case id, digest and hash.
//
// Events of the first format (V1) hashed their data itself. Before their
// payloads can be removed, CoverV1 verifies them once, keeps the digest of
// each beside it, and appends a manifest event (V2, ActionV1Manifest)
// whose payload is the hash of all of them: afterwards Verify checks a V1
// event without its payload against the manifest instead of its hash.

// manifest accumulates the first-format events since the previous
// manifest, as CoverV1 writes and Verify checks them.
type manifest struct {
	h     hash.Hash
	count int64
}

// manifestData is the payload of an ActionV1Manifest event.
type manifestData struct {
	Count  int64  `json:"count"`  // first-format events covered
	Digest string `json:"digest"` // hex SHA-256 of their lines, see manifest.add
}

func newManifest() *manifest { return &manifest{h: sha256.New()} }

// manifestLine is what the manifest covers of each first-format event: all
// that is kept of it when its payload is removed.
type manifestLine struct {
	Seq    int64  `json:"seq"`
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	CaseID string `json:"case_id"`
	Digest string `json:"digest"`
	Hash   string `json:"hash"`
}

// add takes e (Digest set) into the manifest: its line as JSON and a
// newline.
func (m *manifest) add(e Event) error {
	b, err := json.Marshal(manifestLine{Seq: e.Seq, At: skalig.FormatTime(e.At), Actor: e.Actor, Action: e.Action,
		CaseID: e.CaseID, Digest: e.Digest, Hash: e.Hash})
	if err != nil {
		return err
	}
	m.h.Write(b)
	m.h.Write([]byte{'\n'})
	m.count++
	return nil
}

func (m *manifest) data() manifestData {
	return manifestData{Count: m.count, Digest: hex.EncodeToString(m.h.Sum(nil))}
}

// matches reports whether the payload of a manifest event states m.
func (m *manifest) matches(payload json.RawMessage) bool {
	var d manifestData
	if json.Unmarshal(payload, &d) != nil {
		return false
	}
	return d == m.data()
}

// CoverV1 makes the first-format events appended since the last manifest
// removable: it verifies each against the one before it, keeps the digest
// of its payload beside it, and appends a manifest event covering them, at
// now, in one transaction. It returns the number of events covered: 0 when
// there were none (the usual case: only databases from before the second
// format have them). A broken event is a *BrokenError and nothing is
// written.
func CoverV1(ctx context.Context, db Beginner, now time.Time) (int64, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("audit cover v1: %w", err)
	}
	defer tx.Rollback()
	// The head's lock: no event is appended meanwhile.
	var head int64
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq`).Scan(&head); err != nil {
		return 0, fmt.Errorf("audit cover v1: head: %w", err)
	}
	var after int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_events WHERE action = $1 AND v = 2`,
		ActionV1Manifest).Scan(&after); err != nil {
		return 0, fmt.Errorf("audit cover v1: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.seq, e.at, e.actor, e.action, e.case_id, e.digest, e.data, e.hash, p.hash
		FROM audit_events e LEFT JOIN audit_events p ON p.seq = e.seq - 1
		WHERE e.v = 1 AND e.seq > $1 AND e.seq <= $2 ORDER BY e.seq`, after, head)
	if err != nil {
		return 0, fmt.Errorf("audit cover v1: %w", err)
	}
	m := newManifest()
	var events []Event
	for rows.Next() {
		var e Event
		var ts timeValue
		var caseID, dg, data, prev sql.NullString
		if err := rows.Scan(&e.Seq, &ts, &e.Actor, &e.Action, &caseID, &dg, &data, &e.Hash, &prev); err != nil {
			rows.Close()
			return 0, fmt.Errorf("audit cover v1: %w", err)
		}
		e.At, e.CaseID = ts.t, caseID.String
		switch {
		case !data.Valid:
			rows.Close()
			return 0, &BrokenError{Seq: e.Seq, Reason: "the payload of a first-format event was removed before a manifest covered it"}
		case !prev.Valid && e.Seq != 1:
			rows.Close()
			return 0, &BrokenError{Seq: e.Seq - 1, Reason: "the event is missing"}
		}
		e.Data = json.RawMessage(data.String)
		h, err := chainV1(prev.String, e)
		if err != nil || h != e.Hash {
			rows.Close()
			return 0, &BrokenError{Seq: e.Seq, Reason: "the hash does not match the event and the one before it"}
		}
		e.Digest = digest(e.Data)
		if dg.Valid && dg.String != e.Digest {
			rows.Close()
			return 0, &BrokenError{Seq: e.Seq, Reason: "the payload does not match its digest"}
		}
		if err := m.add(e); err != nil {
			rows.Close()
			return 0, fmt.Errorf("audit cover v1: %w", err)
		}
		e.Data = nil
		events = append(events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("audit cover v1: %w", err)
	}
	if len(events) == 0 {
		return 0, nil
	}
	for _, e := range events {
		if _, err := tx.ExecContext(ctx, `UPDATE audit_events SET digest = $1 WHERE seq = $2`, e.Digest, e.Seq); err != nil {
			return 0, fmt.Errorf("audit cover v1: %w", err)
		}
	}
	data, err := json.Marshal(m.data())
	if err != nil {
		return 0, err
	}
	if _, err := Append(ctx, tx, Event{At: now, Actor: "system", Action: ActionV1Manifest, Data: data}); err != nil {
		return 0, fmt.Errorf("audit cover v1: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("audit cover v1: %w", err)
	}
	return int64(len(events)), nil
}

// RemovePayloads removes the payloads of the events numbered seqs, in the
// caller's transaction (gallring removes them together with the rows of
// the case), and returns how many it removed; events without a payload
// already, and numbers of no event, are passed over. The chain still
// verifies afterwards. A first-format event must be covered by a manifest
// first (CoverV1), and a manifest's own payload is never removed: both are
// errors, and nothing is removed.
func RemovePayloads(ctx context.Context, tx Tx, seqs []int64) (int64, error) {
	var total int64
	for len(seqs) > 0 {
		chunk := seqs[:min(len(seqs), 500)]
		seqs = seqs[len(chunk):]
		in, args := inList(chunk, 2)
		var bad sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(seq) FROM audit_events WHERE seq IN (`+in+`) AND (action = $1
			OR (v = 1 AND (digest IS NULL OR seq > (SELECT COALESCE(MAX(seq), 0) FROM audit_events WHERE action = $1 AND v = 2))))`,
			append([]any{ActionV1Manifest}, args...)...).Scan(&bad); err != nil {
			return 0, fmt.Errorf("audit remove payloads: %w", err)
		}
		if bad.Valid {
			return 0, fmt.Errorf("audit remove payloads: event %d is a manifest or a first-format event no manifest covers yet (run CoverV1)", bad.Int64)
		}
		in, args = inList(chunk, 1)
		res, err := tx.ExecContext(ctx, `UPDATE audit_events SET data = NULL WHERE data IS NOT NULL AND seq IN (`+in+`)`, args...)
		if err != nil {
			return 0, fmt.Errorf("audit remove payloads: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("audit remove payloads: %w", err)
		}
		total += n
	}
	return total, nil
}

// inList returns "$first, $first+1, …" for vals and the values as args.
func inList(vals []int64, first int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(vals))
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
		args[i] = v
	}
	return b.String(), args
}
