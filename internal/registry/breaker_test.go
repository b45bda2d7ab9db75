package registry

import (
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	var states []int
	b := &breaker{cfg: BreakerConfig{Failures: 3, CoolDown: time.Minute}, onChange: func(s int) { states = append(states, s) }}
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	step := func(o outcome) {
		t.Helper()
		ok, probe := b.allow(t0)
		if !ok {
			t.Fatalf("allow refused in state %d", b.state)
		}
		b.done(t0, probe, o)
	}
	step(failure)
	step(failure)
	step(success) // resets the count
	step(failure)
	step(failure)
	step(neutral) // our own cancellation says nothing
	if b.state != stateClosed {
		t.Fatalf("state %d after 2 failures, want closed", b.state)
	}
	step(failure)
	if b.state != stateOpen {
		t.Fatalf("state %d after 3 consecutive failures, want open", b.state)
	}
	if ok, _ := b.allow(t0.Add(59 * time.Second)); ok {
		t.Fatal("allowed during the cool-down")
	}
	ok, probe := b.allow(t0.Add(time.Minute))
	if !ok || !probe {
		t.Fatalf("after the cool-down allow=%v probe=%v, want a probe", ok, probe)
	}
	if ok, _ := b.allow(t0.Add(time.Minute)); ok {
		t.Fatal("a second exchange allowed while the probe is under way")
	}
	b.done(t0.Add(time.Minute), true, failure)
	if b.state != stateOpen {
		t.Fatalf("state %d after a failed probe, want open", b.state)
	}
	t1 := t0.Add(2 * time.Minute)
	ok, probe = b.allow(t1)
	b.done(t1, probe, neutral)
	if b.state != stateHalfOpen {
		t.Fatalf("state %d after a neutral probe, want half-open", b.state)
	}
	ok, probe = b.allow(t1)
	if !ok || !probe {
		t.Fatal("no new probe after a neutral one")
	}
	b.done(t1, probe, success)
	if b.state != stateClosed {
		t.Fatalf("state %d after a good probe, want closed", b.state)
	}
	want := []int{stateOpen, stateHalfOpen, stateOpen, stateHalfOpen, stateClosed}
	if len(states) != len(want) {
		t.Fatalf("state changes %v, want %v", states, want)
	}
	for i := range want {
		if states[i] != want[i] {
			t.Fatalf("state changes %v, want %v", states, want)
		}
	}
	if _, opened := b.snapshot(); opened != 2 {
		t.Errorf("opened %d, want 2", opened)
	}
}

func TestBackoff(t *testing.T) {
	c := &Client{cfg: Config{Retry: RetryConfig{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}}}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		for range 50 {
			if d := c.backoff(n); d < want/2 || d > want {
				t.Fatalf("backoff(%d)=%v, want %v-%v", n, d, want/2, want)
			}
		}
	}
	c.cfg.Retry = RetryConfig{}
	if d := c.backoff(3); d != 0 {
		t.Errorf("backoff without delays=%v, want 0", d)
	}
}

func TestOrgNumber(t *testing.T) {
	for in, want := range map[string]string{"212000-0142": "212000-0142", "2120000142": "212000-0142", " 2120000142 ": "212000-0142"} {
		if got, ok := OrgNumber(in); !ok || got != want {
			t.Errorf("OrgNumber(%q)=%q,%v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "212000-0143", "21200-00142", "212000+0142", "21200001420", "abcdef-ghij"} {
		if _, ok := OrgNumber(in); ok {
			t.Errorf("OrgNumber(%q) accepted", in)
		}
	}
}
