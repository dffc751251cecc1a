package companies

import (
	"context"
	"sync"
	"time"
)

// LoginKey is who attempts a login: the e-mail tried and the client
// address's bucket.
type LoginKey struct{ Email, Addr string }

// LoginOutcome is how an attempt ended.
type LoginOutcome int

const (
	// LoginUnchecked: the password was never checked (no hash slot, the
	// client left, a store error); the attempt does not count.
	LoginUnchecked LoginOutcome = iota
	// LoginFailed: a wrong e-mail or password; the attempt counts.
	LoginFailed
	// LoginSucceeded: the right password; the (address, e-mail) count is
	// cleared.
	LoginSucceeded
)

// LoginAttempts counts login attempts. It is all the login needs from the
// limiter's state, so a shared store (PostgreSQL, for many replicas) can
// replace the in-memory one.
type LoginAttempts interface {
	// Reserve counts one attempt of key at now, before its password is
	// checked, atomically with the limit checks. Refused, it counts
	// nothing and returns how long until the client may try again.
	Reserve(ctx context.Context, key LoginKey, now time.Time) (wait time.Duration, err error)
	// Settle records how a reserved attempt ended.
	Settle(ctx context.Context, key LoginKey, outcome LoginOutcome, now time.Time) error
}

// LoginLimits are the limits of the in-memory attempt counts; zero fields
// take the defaults.
type LoginLimits struct {
	// Window is the fixed window of the per-pair and per-address counts
	// and how long an idle e-mail count lives (15 min).
	Window time.Duration
	// PerPair is the attempts per (address, e-mail) and window (5).
	PerPair int
	// PerAddr is the attempts per address and window, across e-mails (50).
	PerAddr int
	// PerEmail is the attempts per e-mail, across addresses, before each
	// further one must wait a delay doubling from EmailDelay up to
	// MaxEmailDelay (20, 1 s, 1 min). No single address can reach it, so
	// an attacker alone never delays the owner; many addresses slow the
	// owner by at most MaxEmailDelay at a time, never lock them out.
	PerEmail                  int
	EmailDelay, MaxEmailDelay time.Duration
	// MaxKeys caps the entries kept (100,000).
	MaxKeys int
}

func (l *LoginLimits) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur(&l.Window, 15*time.Minute)
	def(&l.PerPair, 5)
	def(&l.PerAddr, 50)
	def(&l.PerEmail, 20)
	defDur(&l.EmailDelay, time.Second)
	defDur(&l.MaxEmailDelay, time.Minute)
	def(&l.MaxKeys, 100_000)
}

// MemoryLoginAttempts keeps the counts in memory: a restart forgets them,
// which only ever helps the legitimate user.
type MemoryLoginAttempts struct {
	mu     sync.Mutex
	limits LoginLimits
	counts map[string]*attempts
}

var _ LoginAttempts = (*MemoryLoginAttempts)(nil)

// attempts is one key's count: attempts since the window began (failures
// plus those in flight), the last attempt, and how many are in flight.
type attempts struct {
	n, pending int
	since      time.Time
	last       time.Time
}

// NewMemoryLoginAttempts returns empty counts under limits.
func NewMemoryLoginAttempts(limits LoginLimits) *MemoryLoginAttempts {
	limits.defaults()
	return &MemoryLoginAttempts{limits: limits, counts: map[string]*attempts{}}
}

func pairKey(k LoginKey) string   { return "p:" + k.Addr + "\x00" + k.Email }
func addrKeyOf(k LoginKey) string { return "a:" + k.Addr }
func emailKey(k LoginKey) string  { return "e:" + k.Email }

// live returns key's entry at now, nil when absent or expired.
func (m *MemoryLoginAttempts) live(key string, now time.Time) *attempts {
	a := m.counts[key]
	if a == nil || m.expired(key, a, now) {
		return nil
	}
	return a
}

// expired: pair and address counts live for a fixed window from their
// first attempt; an e-mail count until it has been idle for a window, so a
// steady attack keeps its delays.
func (m *MemoryLoginAttempts) expired(key string, a *attempts, now time.Time) bool {
	if a.pending > 0 {
		return false
	}
	if key[0] == 'e' {
		return now.Sub(a.last) >= m.limits.Window
	}
	return now.Sub(a.since) >= m.limits.Window
}

// emailDelay is the wait an e-mail with n attempts imposes after its last.
func (m *MemoryLoginAttempts) emailDelay(n int) time.Duration {
	over := n - m.limits.PerEmail
	if over < 0 {
		return 0
	}
	d := m.limits.EmailDelay
	for range min(over, 30) {
		d *= 2
		if d >= m.limits.MaxEmailDelay {
			return m.limits.MaxEmailDelay
		}
	}
	return d
}

// Reserve implements LoginAttempts.
func (m *MemoryLoginAttempts) Reserve(_ context.Context, k LoginKey, now time.Time) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var wait time.Duration
	for _, c := range []struct {
		key   string
		limit int
	}{{pairKey(k), m.limits.PerPair}, {addrKeyOf(k), m.limits.PerAddr}} {
		if a := m.live(c.key, now); a != nil && a.n >= c.limit {
			wait = max(wait, a.since.Add(m.limits.Window).Sub(now))
		}
	}
	if a := m.live(emailKey(k), now); a != nil {
		if until := a.last.Add(m.emailDelay(a.n)); until.After(now) {
			wait = max(wait, until.Sub(now))
		}
	}
	if wait > 0 {
		return wait, nil
	}
	m.makeRoom(now)
	for _, key := range []string{pairKey(k), addrKeyOf(k), emailKey(k)} {
		a := m.live(key, now)
		if a == nil {
			a = &attempts{since: now}
			m.counts[key] = a
		}
		a.n++
		a.pending++
		a.last = now
	}
	return 0, nil
}

// Settle implements LoginAttempts.
func (m *MemoryLoginAttempts) Settle(_ context.Context, k LoginKey, outcome LoginOutcome, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, key := range []string{pairKey(k), addrKeyOf(k), emailKey(k)} {
		a := m.counts[key]
		if a == nil {
			continue // evicted meanwhile
		}
		a.pending = max(a.pending-1, 0)
		switch {
		case outcome == LoginSucceeded && key[0] == 'p':
			delete(m.counts, key)
		case outcome != LoginFailed:
			// Not a failure: the address's and e-mail's counts keep only
			// failures, so one good account cannot reset guessing at others.
			a.n = max(a.n-1, 0)
		}
	}
	return nil
}

// makeRoom keeps the entries under MaxKeys for up to three more: it drops
// expired entries and, if the cap is still reached (an attack from many
// thousands of addresses), arbitrary idle ones down to 90%. Losing some
// counts then is better than refusing every login.
func (m *MemoryLoginAttempts) makeRoom(now time.Time) {
	if len(m.counts)+3 <= m.limits.MaxKeys {
		return
	}
	for key, a := range m.counts {
		if m.expired(key, a, now) {
			delete(m.counts, key)
		}
	}
	target := m.limits.MaxKeys * 9 / 10
	for key, a := range m.counts {
		if len(m.counts) <= target {
			break
		}
		if a.pending == 0 {
			delete(m.counts, key)
		}
	}
}

// Len is the number of entries kept.
func (m *MemoryLoginAttempts) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.counts)
}
