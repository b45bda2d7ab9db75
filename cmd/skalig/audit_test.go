package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skalig/internal/audit"
	"skalig/internal/store"
)

// TestAuditCommands runs the audit commands as an operator would: sign and
// export checkpoints, verify against them and the exported file, and
// catch the whole-chain rewrite the security review found (an old event
// changed and every later hash and the head recomputed).
func TestAuditCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "skalig.db")
	keyFile := filepath.Join(dir, "audit.key")
	exported := filepath.Join(dir, "checkpoints.jsonl")
	pubFile := filepath.Join(dir, "audit.pub")
	t.Setenv("SKALIG_DATABASE", dbPath)
	t.Setenv("SKALIG_AUDIT_KEY_FILE", "")

	if code, _, errs := runCmd(t, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	if code, out, errs := runCmd(t, "", "audit", "key", "generate", "--out", keyFile); code != 0 || !strings.Contains(out, "PUBLIC KEY") {
		t.Fatalf("key generate: %d %q %q", code, out, errs)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file %v, %v; want mode 0600", st, err)
	}
	if code, _, _ := runCmd(t, "", "audit", "key", "generate", "--out", keyFile); code == 0 {
		t.Error("key generate over an existing key: exit 0")
	}
	// Without the key: the chain is checked, checkpoints cannot be signed.
	appendEvents(t, dbPath, 5)
	if code, out, _ := runCmd(t, "", "audit", "verify"); code != 0 || !strings.Contains(out, "5 händelser") || !strings.Contains(out, "ingen nyckel") {
		t.Errorf("verify without a key: %d %q", code, out)
	}
	if code, _, errs := runCmd(t, "", "audit", "checkpoint"); code != 2 || !strings.Contains(errs, "SKALIG_AUDIT_KEY_FILE") {
		t.Errorf("checkpoint without a key: %d %q", code, errs)
	}

	t.Setenv("SKALIG_AUDIT_KEY_FILE", keyFile)
	if code, out, errs := runCmd(t, "", "audit", "checkpoint"); code != 0 || !strings.Contains(out, "vid händelse 5") {
		t.Fatalf("checkpoint: %d %q %q", code, out, errs)
	}
	appendEvents(t, dbPath, 4)
	// verify signs the head (event 9) after checking.
	if code, out, errs := runCmd(t, "", "audit", "verify"); code != 0 || !strings.Contains(out, "1 signerade kontrollpunkter stämmer") ||
		!strings.Contains(out, "Ny kontrollpunkt signerad vid händelse 9") {
		t.Fatalf("verify: %d %q %q", code, out, errs)
	}
	appendEvents(t, dbPath, 2)
	if code, out, errs := runCmd(t, "", "audit", "checkpoints", "export", "--out", exported); code != 0 || !strings.Contains(out, "2 kontrollpunkter") {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	code, pemOut, _ := runCmd(t, "", "audit", "key", "public")
	if code != 0 || os.WriteFile(pubFile, []byte(pemOut), 0o644) != nil {
		t.Fatalf("key public: %d %q", code, pemOut)
	}
	// A second system: the public key and the exported file only.
	t.Setenv("SKALIG_AUDIT_KEY_FILE", "")
	if code, out, errs := runCmd(t, "", "audit", "verify", "--checkpoints", exported, "--public-key", pubFile); code != 0 ||
		!strings.Contains(out, "4 signerade kontrollpunkter stämmer") || !strings.Contains(out, "den senaste vid händelse 9") {
		t.Fatalf("verify with the exported file: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, "", "audit", "verify", "--checkpoints", exported); code != 2 || !strings.Contains(errs, "--public-key") {
		t.Errorf("--checkpoints without a key: %d %q", code, errs)
	}

	// The attack.
	rewrite(t, dbPath, 3)
	if code, out, errs := runCmd(t, "", "audit", "verify"); code != 0 {
		t.Fatalf("without a key the rewritten chain passes as a chain (what the anchor is for): %d %q %q", code, out, errs)
	}
	code, _, errs := runCmd(t, "", "audit", "verify", "--public-key", pubFile)
	if code != 1 || !strings.Contains(errs, "kontrollpunkten vid händelse 5") || !strings.Contains(errs, "i databasen") || !strings.Contains(errs, "skrivits om") {
		t.Errorf("verify after the rewrite: %d %q", code, errs)
	}
	// The checkpoint table emptied too: the exported file still holds.
	withDB(t, dbPath, func(db *store.DB) {
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM audit_checkpoints`); err != nil {
			t.Fatal(err)
		}
	})
	code, _, errs = runCmd(t, "", "audit", "verify", "--public-key", pubFile, "--checkpoints", exported)
	if code != 1 || !strings.Contains(errs, "kontrollpunkten vid händelse 5") || !strings.Contains(errs, "i "+exported) {
		t.Errorf("verify against the exported file after the rewrite: %d %q", code, errs)
	}
}

func withDB(t *testing.T, path string, fn func(*store.DB)) {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fn(db)
}

// appendEvents appends n events, each with a (synthetic) personnummer.
func appendEvents(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	withDB(t, path, func(db *store.DB) {
		for i := range n {
			tx, err := db.SQL().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := audit.Append(ctx, tx, audit.Event{At: time.Now(), Actor: "system", Action: "case.transition", CaseID: "c1",
				Data: json.RawMessage(fmt.Sprintf(`{"i":%d,"pnr":"19121212121%d"}`, i, i))}); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// rewrite changes event from's payload and recomputes its digest, every
// hash from it on and the head, by the documented format.
func rewrite(t *testing.T, path string, from int64) {
	t.Helper()
	ctx := context.Background()
	withDB(t, path, func(db *store.DB) {
		sdb := db.SQL()
		data := `{"amount":999999}`
		sum := sha256.Sum256([]byte(data))
		if _, err := sdb.ExecContext(ctx, `UPDATE audit_events SET data = $1, digest = $2 WHERE seq = $3`, data, hex.EncodeToString(sum[:]), from); err != nil {
			t.Fatal(err)
		}
		var prev string
		if err := sdb.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE seq = $1`, from-1).Scan(&prev); err != nil {
			t.Fatal(err)
		}
		rows, err := sdb.QueryContext(ctx, `SELECT seq, at, actor, action, COALESCE(case_id, ''), digest FROM audit_events WHERE seq >= $1 ORDER BY seq`, from)
		if err != nil {
			t.Fatal(err)
		}
		type ev struct {
			seq                         int64
			at, actor, action, cid, dig string
		}
		var evs []ev
		for rows.Next() {
			var e ev
			if err := rows.Scan(&e.seq, &e.at, &e.actor, &e.action, &e.cid, &e.dig); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		rows.Close()
		for _, e := range evs {
			p, _ := hex.DecodeString(prev)
			h := sha256.New()
			h.Write(p)
			fmt.Fprintf(h, `{"v":2,"seq":%d,"at":%q,"actor":%q,"action":%q,"case_id":%q,"digest":%q}`, e.seq, e.at, e.actor, e.action, e.cid, e.dig)
			prev = hex.EncodeToString(h.Sum(nil))
			if _, err := sdb.ExecContext(ctx, `UPDATE audit_events SET hash = $1 WHERE seq = $2`, prev, e.seq); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := sdb.ExecContext(ctx, `UPDATE audit_head SET hash = $1`, prev); err != nil {
			t.Fatal(err)
		}
	})
}
