package registry

import (
	"sync"
	"time"
)

// Breaker states, as the skalig_register_breaker_state gauge shows them.
const (
	stateClosed   = 0 // the source is asked
	stateHalfOpen = 1 // one exchange probes the source
	stateOpen     = 2 // the source is not asked until the cool-down has passed
)

// outcome is what an exchange says about a source's health.
type outcome int

const (
	success outcome = iota // the source answered (data, unknown person or its own error)
	failure                // the source or the service failed
	neutral                // nothing learnt: our own context ended
)

// breaker is the circuit breaker of one source.
type breaker struct {
	cfg      BreakerConfig
	onChange func(state int)

	mu       sync.Mutex
	state    int
	failures int // consecutive
	openedAt time.Time
	probing  bool
	opened   int // times opened
}

// allow reports whether an exchange may ask the source now, and whether
// that exchange is the probe of a half-open breaker. Every allowed exchange
// must be followed by done.
func (b *breaker) allow(now time.Time) (ok, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case stateClosed:
		return true, false
	case stateOpen:
		if now.Sub(b.openedAt) < b.cfg.CoolDown {
			return false, false
		}
		b.set(stateHalfOpen)
	}
	if b.probing {
		return false, false
	}
	b.probing = true
	return true, true
}

// done records the outcome of an allowed exchange.
func (b *breaker) done(now time.Time, probe bool, o outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	switch o {
	case success:
		b.failures = 0
		b.set(stateClosed)
	case failure:
		b.failures++
		if (b.state == stateHalfOpen && probe) || (b.state == stateClosed && b.failures >= b.cfg.Failures) {
			b.openedAt = now
			b.opened++
			b.set(stateOpen)
		}
	}
}

func (b *breaker) set(s int) {
	if b.state == s {
		return
	}
	b.state = s
	if b.onChange != nil {
		b.onChange(s)
	}
}

// snapshot returns the state and how many times the breaker opened.
func (b *breaker) snapshot() (state, opened int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state, b.opened
}
