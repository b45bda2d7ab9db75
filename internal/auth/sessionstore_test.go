package auth_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"skalig/internal/auth"
	"skalig/internal/dbtest"
)

// TestSessionStore runs on SQLite, and on PostgreSQL with SKALIG_TEST_PG,
// with writes on the pool and through the store's transactions (as
// cmd/skalig wires it: group commit on SQLite).
func TestSessionStore(t *testing.T) {
	t.Run("pool", func(t *testing.T) { testSessionStore(t, false) })
	t.Run("InTx", func(t *testing.T) { testSessionStore(t, true) })
}

func testSessionStore(t *testing.T, inTx bool) {
	db := dbtest.Open(t)
	s, err := auth.NewSessionStore(db.SQL(), string(db.Dialect()))
	if err != nil {
		t.Fatal(err)
	}
	if inTx {
		s.InTx = db.InTx
	}
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ctx := t.Context()

	t.Run("NotFound", func(t *testing.T) {
		if b, ok, err := s.Find("nope"); ok || b != nil || err != nil {
			t.Errorf("Find(missing)=%q, %v, %v", b, ok, err)
		}
		if err := s.Delete("nope"); err != nil {
			t.Errorf("Delete(missing): %v", err)
		}
	})

	t.Run("CommitFindDelete", func(t *testing.T) {
		data := []byte{0, 1, 2, 0xff, 'x'} // binary, with a NUL
		if err := s.Commit("a", data, now.Add(20*time.Minute)); err != nil {
			t.Fatal(err)
		}
		b, ok, err := s.Find("a")
		if err != nil || !ok || !bytes.Equal(b, data) {
			t.Fatalf("Find=%v, %v, %v; want %v", b, ok, err, data)
		}
		// Commit again replaces data and expiry.
		if err := s.CommitCtx(ctx, "a", []byte("new"), now.Add(40*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if b, ok, _ := s.FindCtx(ctx, "a"); !ok || string(b) != "new" {
			t.Errorf("after the second commit: %q, %v", b, ok)
		}
		if err := s.DeleteCtx(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Find("a"); ok {
			t.Errorf("found after Delete")
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		if err := s.Commit("short", []byte("s"), now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit("long", []byte("l"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Find("short"); !ok {
			t.Fatalf("short not found before its expiry")
		}
		advance(time.Minute) // exactly at the expiry: gone
		if _, ok, err := s.Find("short"); ok || err != nil {
			t.Errorf("found at its expiry (%v)", err)
		}
		if _, ok, _ := s.Find("long"); !ok {
			t.Errorf("long not found")
		}
		n, err := s.DeleteExpired(ctx)
		if err != nil || n != 1 {
			t.Errorf("DeleteExpired()=%d, %v; want 1", n, err)
		}
		advance(2 * time.Hour)
		if n, _ := s.DeleteExpired(ctx); n != 1 {
			t.Errorf("DeleteExpired() after the hour=%d, want 1", n)
		}
		var left int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d rows left, %v", left, err)
		}
	})

	t.Run("SubSecondExpiry", func(t *testing.T) {
		exp := now.Add(1500 * time.Microsecond)
		if err := s.Commit("ms", []byte("m"), exp); err != nil {
			t.Fatal(err)
		}
		advance(time.Millisecond)
		if _, ok, _ := s.Find("ms"); !ok {
			t.Errorf("lost before its expiry: the store rounds instants")
		}
		advance(time.Millisecond)
		if _, ok, _ := s.Find("ms"); ok {
			t.Errorf("found after its expiry")
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 8 {
			wg.Go(func() {
				tok := string(rune('A' + i))
				for j := range 5 {
					if err := s.CommitCtx(ctx, tok, []byte{byte(j)}, now.Add(time.Hour)); err != nil {
						errs <- err
					}
					if _, _, err := s.FindCtx(ctx, tok); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("RunCleanup", func(t *testing.T) {
		if err := s.Commit("old", []byte("o"), now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- s.RunCleanup(cctx, 10*time.Millisecond, nil) }()
		deadline := time.Now().Add(5 * time.Second)
		for {
			var n int
			db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE token = 'old'`).Scan(&n)
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("RunCleanup did not delete the expired session")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err == nil {
			t.Errorf("RunCleanup returned nil after cancel")
		}
	})

	if _, err := auth.NewSessionStore(db.SQL(), "mysql"); err == nil {
		t.Errorf("an unknown dialect was accepted")
	}
}
