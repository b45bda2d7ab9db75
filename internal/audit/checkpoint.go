package audit

import (
	"bufio"
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"skalig"
)

// A checkpoint anchors the chain: the head's number and hash at a time,
// signed with an ed25519 key kept outside the database. Whoever can write
// the database can rewrite an event and every later hash and the head, and
// the chain still verifies; a checkpoint signed before no longer matches,
// and without the key it cannot be signed again. Checkpoints are stored in
// audit_checkpoints and exported (WriteCheckpoints, one JSON object a
// line) for publication or a second system, where the table cannot reach
// them.
//
// What is signed is the text
//
//	skalig audit checkpoint\nseq 1234\nhash 9f86d0…\nat 2026-03-02T09:30:00.000000Z\n
//
// (the hash in lower-case hex, the time in skalig.TimeFormat).

// Checkpoint is one signed head of the chain.
type Checkpoint struct {
	Seq   int64     `json:"seq"`
	Hash  string    `json:"hash"`
	At    time.Time `json:"at"`
	KeyID string    `json:"key_id"` // KeyID of the public key that verifies Sig
	Sig   []byte    `json:"sig"`    // ed25519 signature of Message (base64 in JSON)
}

// Message returns the text the checkpoint's signature covers.
func (c Checkpoint) Message() []byte {
	return []byte("skalig audit checkpoint\nseq " + strconv.FormatInt(c.Seq, 10) + "\nhash " + c.Hash +
		"\nat " + skalig.FormatTime(c.At) + "\n")
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Sign returns the checkpoint of seq and hash at at, signed with key.
func Sign(key ed25519.PrivateKey, seq int64, hash string, at time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hash, At: at.UTC().Truncate(time.Microsecond),
		KeyID: KeyID(key.Public().(ed25519.PublicKey))}
	c.Sig = ed25519.Sign(key, c.Message())
	return c
}

// CheckpointSource is a list of checkpoints and where they come from ("the
// database", a file name), for the message that names a failing one.
type CheckpointSource struct {
	Name        string
	Checkpoints []Checkpoint
}

// CheckpointError reports the first checkpoint that fails.
type CheckpointError struct {
	Source string // where the checkpoint comes from
	Seq    int64  // the event it anchors
	At     time.Time
	Kind   CheckpointFailure
	Reason string // what is wrong, in English for the operator
}

// CheckpointFailure is the kind of a checkpoint's failure.
type CheckpointFailure string

// The ways a checkpoint fails.
const (
	NoKey       CheckpointFailure = "no-key"    // no public key was given to check it with
	OtherKey    CheckpointFailure = "other-key" // signed with another key than the one given
	BadSig      CheckpointFailure = "signature" // the signature does not verify
	Truncated   CheckpointFailure = "truncated" // the trail ends before its event
	Rewritten   CheckpointFailure = "rewritten" // the chain's hash at its event is another
	NotAnchored CheckpointFailure = "no-seq"    // it names no event
)

func (e *CheckpointError) Error() string {
	return fmt.Sprintf("audit checkpoint at event %d (%s, from %s) fails: %s",
		e.Seq, skalig.FormatTime(e.At), e.Source, e.Reason)
}

// checkCheckpoints checks src's checkpoints, oldest first, against pub and
// the chain's hashes at their events (at, filled in by VerifyTrail for a
// chain that verified up to head). It returns how many it checked, the
// newest one's event, and the first failure.
func checkCheckpoints(src CheckpointSource, pub ed25519.PublicKey, head int64, at map[int64]string) (int, int64, error) {
	cps := slices.Clone(src.Checkpoints)
	slices.SortStableFunc(cps, func(a, b Checkpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	var last int64
	for i, c := range cps {
		fail := func(kind CheckpointFailure, reason string) (int, int64, error) {
			return i, last, &CheckpointError{Source: src.Name, Seq: c.Seq, At: c.At, Kind: kind, Reason: reason}
		}
		switch {
		case len(pub) != ed25519.PublicKeySize:
			return fail(NoKey, "no public key to check the signature with")
		case c.KeyID != KeyID(pub):
			return fail(OtherKey, fmt.Sprintf("signed with key %s, not with the key given (%s)", c.KeyID, KeyID(pub)))
		case !ed25519.Verify(pub, c.Message(), c.Sig):
			return fail(BadSig, "the signature does not verify: the checkpoint was changed or not signed with the key")
		case c.Seq < 1:
			return fail(NotAnchored, "no event number")
		case c.Seq > head:
			return fail(Truncated, fmt.Sprintf("the trail ends at event %d: events after it were removed", head))
		case at[c.Seq] != c.Hash:
			return fail(Rewritten, fmt.Sprintf("the chain's hash at event %d is not the signed one: the trail up to it was rewritten", c.Seq))
		}
		last = c.Seq
	}
	return len(cps), last, nil
}

// CheckpointDB is what writing and reading checkpoints needs: *sql.DB.
type CheckpointDB interface {
	Querier
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// WriteCheckpoint signs the head as it is (the sealed events) with key at
// now and stores the checkpoint (StoreCheckpoint). It returns the
// checkpoint and whether one was written.
func WriteCheckpoint(ctx context.Context, db CheckpointDB, key ed25519.PrivateKey, now time.Time) (Checkpoint, bool, error) {
	seq, hash, err := Head(ctx, db)
	if err != nil {
		return Checkpoint{}, false, err
	}
	if seq == 0 {
		return Checkpoint{}, false, nil
	}
	c := Sign(key, seq, hash, now)
	wrote, err := StoreCheckpoint(ctx, db, c)
	return c, wrote, err
}

// StoreCheckpoint stores c, unless the newest stored checkpoint is at c's
// event or after it, and reports whether it did. Several processes may
// store at once: one checkpoint per event number is kept.
func StoreCheckpoint(ctx context.Context, db CheckpointDB, c Checkpoint) (bool, error) {
	var last int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints`).Scan(&last); err != nil {
		return false, fmt.Errorf("audit checkpoint: %w", err)
	}
	if last >= c.Seq {
		return false, nil
	}
	res, err := db.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, sig) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (seq) DO NOTHING`, c.Seq, c.Hash, skalig.FormatTime(c.At), c.KeyID, hex.EncodeToString(c.Sig))
	if err != nil {
		return false, fmt.Errorf("audit checkpoint: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("audit checkpoint: %w", err)
	}
	return n == 1, nil
}

// Checkpoints returns the stored checkpoints, oldest first.
func Checkpoints(ctx context.Context, db Querier) ([]Checkpoint, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, hash, at, key_id, sig FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		var c Checkpoint
		var at timeValue
		var sig string
		if err := rows.Scan(&c.Seq, &c.Hash, &at, &c.KeyID, &sig); err != nil {
			return nil, fmt.Errorf("audit checkpoints: %w", err)
		}
		c.At = at.t
		// A signature that is not hex stays empty and fails to verify.
		c.Sig, _ = hex.DecodeString(sig)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", err)
	}
	return out, nil
}

// WriteCheckpoints writes cps to w as JSON lines:
//
//	{"seq":1234,"hash":"9f86d0…","at":"2026-03-02T09:30:00.000000Z","key_id":"…","sig":"base64…"}
func WriteCheckpoints(w io.Writer, cps []Checkpoint) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, c := range cps {
		if err := enc.Encode(checkpointJSON{Seq: c.Seq, Hash: c.Hash, At: skalig.FormatTime(c.At), KeyID: c.KeyID, Sig: c.Sig}); err != nil {
			return err
		}
	}
	return bw.Flush()
}

type checkpointJSON struct {
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"`
	At    string `json:"at"`
	KeyID string `json:"key_id"`
	Sig   []byte `json:"sig"`
}

// ReadCheckpoints reads checkpoints that WriteCheckpoints wrote. A line that
// does not parse is an error naming it.
func ReadCheckpoints(r io.Reader) ([]Checkpoint, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var out []Checkpoint
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var j checkpointJSON
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		at, err := skalig.ParseTime(j.At)
		if err != nil {
			return nil, fmt.Errorf("line %d: at: %w", n, err)
		}
		out = append(out, Checkpoint{Seq: j.Seq, Hash: j.Hash, At: at, KeyID: j.KeyID, Sig: j.Sig})
	}
	return out, sc.Err()
}

// GenerateKey returns a new signing key as a PEM "PRIVATE KEY" (PKCS #8),
// the form `openssl genpkey -algorithm ed25519` writes.
func GenerateKey() ([]byte, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey reads an ed25519 key from a PEM "PRIVATE KEY" (PKCS #8).
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM PRIVATE KEY")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an ed25519 key", k)
	}
	return key, nil
}

// PublicKeyPEM returns pub as a PEM "PUBLIC KEY" (PKIX), to give a second
// system that verifies exported checkpoints.
func PublicKeyPEM(pub ed25519.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub) // cannot fail for an ed25519 key
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ParsePublicKey reads an ed25519 public key from a PEM "PUBLIC KEY"
// (PKIX), or takes the public half of a PEM "PRIVATE KEY".
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk != nil && blk.Type == "PRIVATE KEY" {
		key, err := ParsePrivateKey(b)
		if err != nil {
			return nil, err
		}
		return key.Public().(ed25519.PublicKey), nil
	}
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM PUBLIC KEY")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an ed25519 key", k)
	}
	return pub, nil
}
