package logins

import (
	"context"
	"sync"
	"time"

	"partnership-service/internal/pacer"
)

// Key is who attempts a login: the e-mail tried and the client
// address's bucket.
type Key struct{ Email, Addr string }

// Outcome is how an attempt ended.
type Outcome int

const (
	// Unchecked: the password was never checked (no hash slot, the
	// client left, a store error); the attempt does not count.
	Unchecked Outcome = iota
	// Failed: a wrong e-mail or password; the attempt counts.
	Failed
	// Succeeded: the right password; the (address, e-mail) count is
	// cleared.
	Succeeded
)

// Attempts counts login attempts. It is all the login needs from the
// limiter's state, so a shared store (PostgreSQL, for many replicas) can
// replace the in-memory one.
type Attempts interface {
	// Reserve counts one attempt of key at now, before its password is
	// checked, atomically with the limit checks. Refused, it counts
	// nothing and returns how long until the client may try again.
	Reserve(ctx context.Context, key Key, now time.Time) (wait time.Duration, err error)
	// Settle records how a reserved attempt ended.
	Settle(ctx context.Context, key Key, outcome Outcome, now time.Time) error
}

// Limits are the limits of the in-memory attempt counts; zero fields
// take the defaults.
type Limits struct {
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

func (l *Limits) defaults() {
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

// Count is one key's count: attempts since the window began
// (failures plus those in flight), the last attempt, and how many are in
// flight.
type Count struct {
	N, Pending  int
	Since, Last time.Time
}

// loginKeys are the three counts an attempt touches.
func loginKeys(k Key) []string { return []string{pairKey(k), addrKeyOf(k), emailKey(k)} }

func pairKey(k Key) string   { return "p:" + k.Addr + "\x00" + k.Email }
func addrKeyOf(k Key) string { return "a:" + k.Addr }
func emailKey(k Key) string  { return "e:" + k.Email }

// The rules below apply the limits to counts kept anywhere (in memory, or
// in the database for many replicas), so both keep the same limits.

// live returns key's entry at now, nil when absent or expired.
func (l *Limits) live(counts map[string]*Count, key string, now time.Time) *Count {
	a := counts[key]
	if a == nil || l.expired(key, a, now) {
		return nil
	}
	return a
}

// expired: pair and address counts live for a fixed window from their
// first attempt; an e-mail count until it has been idle for a window, so a
// steady attack keeps its delays. An entry with attempts in flight stays,
// but for one window after its last attempt at most: a process that
// crashed mid-login never settles its attempts.
func (l *Limits) expired(key string, a *Count, now time.Time) bool {
	if a.Pending > 0 && now.Sub(a.Last) < l.Window {
		return false
	}
	if key[0] == 'e' {
		return now.Sub(a.Last) >= l.Window
	}
	return now.Sub(a.Since) >= l.Window
}

// emailDelay is the wait an e-mail with n attempts imposes after its last.
func (l *Limits) emailDelay(n int) time.Duration {
	over := n - l.PerEmail
	if over < 0 {
		return 0
	}
	d := l.EmailDelay
	for range min(over, 30) {
		d *= 2
		if d >= l.MaxEmailDelay {
			return l.MaxEmailDelay
		}
	}
	return d
}

// check returns how long k must wait before an attempt at now; 0: none.
func (l *Limits) check(counts map[string]*Count, k Key, now time.Time) time.Duration {
	var wait time.Duration
	for _, c := range []struct {
		key   string
		limit int
	}{{pairKey(k), l.PerPair}, {addrKeyOf(k), l.PerAddr}} {
		if a := l.live(counts, c.key, now); a != nil && a.N >= c.limit {
			wait = max(wait, a.Since.Add(l.Window).Sub(now))
		}
	}
	if a := l.live(counts, emailKey(k), now); a != nil {
		if until := a.Last.Add(l.emailDelay(a.N)); until.After(now) {
			wait = max(wait, until.Sub(now))
		}
	}
	return wait
}

// count counts one attempt of k at now, in flight until settled.
func (l *Limits) count(counts map[string]*Count, k Key, now time.Time) {
	for _, key := range loginKeys(k) {
		a := l.live(counts, key, now)
		if a == nil {
			a = &Count{Since: now}
			counts[key] = a
		}
		a.N++
		a.Pending++
		a.Last = now
	}
}

// settle records how an attempt of k counted before ended.
func (l *Limits) settle(counts map[string]*Count, k Key, outcome Outcome) {
	for _, key := range loginKeys(k) {
		a := counts[key]
		if a == nil {
			continue // evicted meanwhile
		}
		a.Pending = max(a.Pending-1, 0)
		switch {
		case outcome == Succeeded && key[0] == 'p':
			delete(counts, key)
		case outcome != Failed:
			// Not a failure: the address's and e-mail's counts keep only
			// failures, so one good account cannot reset guessing at others.
			a.N = max(a.N-1, 0)
		}
	}
}

// MemoryAttempts keeps the counts in memory: a restart forgets them,
// which only ever helps the legitimate user. With many replicas each
// counts its own share: SharedAttempts counts in the database.
type MemoryAttempts struct {
	mu     sync.Mutex
	limits Limits
	counts map[string]*Count
}

var _ Attempts = (*MemoryAttempts)(nil)

// NewMemoryAttempts returns empty counts under limits.
func NewMemoryAttempts(limits Limits) *MemoryAttempts {
	limits.defaults()
	return &MemoryAttempts{limits: limits, counts: map[string]*Count{}}
}

// Reserve implements Attempts.
func (m *MemoryAttempts) Reserve(_ context.Context, k Key, now time.Time) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if wait := m.limits.check(m.counts, k, now); wait > 0 {
		return wait, nil
	}
	m.makeRoom(now)
	m.limits.count(m.counts, k, now)
	return 0, nil
}

// Settle implements Attempts.
func (m *MemoryAttempts) Settle(_ context.Context, k Key, outcome Outcome, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limits.settle(m.counts, k, outcome)
	return nil
}

// makeRoom keeps the entries under MaxKeys for up to three more: it drops
// expired entries and, if the cap is still reached (an attack from many
// thousands of addresses), arbitrary idle ones down to 90%. Losing some
// counts then is better than refusing every login.
func (m *MemoryAttempts) makeRoom(now time.Time) {
	if len(m.counts)+3 <= m.limits.MaxKeys {
		return
	}
	for key, a := range m.counts {
		if m.limits.expired(key, a, now) {
			delete(m.counts, key)
		}
	}
	target := m.limits.MaxKeys * 9 / 10
	for key, a := range m.counts {
		if len(m.counts) <= target {
			break
		}
		if a.Pending == 0 {
			delete(m.counts, key)
		}
	}
}

// Len is the number of entries kept.
func (m *MemoryAttempts) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.counts)
}

// CountStore keeps login attempt counts in the database every replica
// shares.
type CountStore interface {
	// UpdateLoginCounts runs fn in one transaction with the counts stored
	// under keys (absent ones missing from the map), locked against every
	// other update of them, then stores what fn left in the map: entries
	// present are saved, entries removed are deleted.
	UpdateLoginCounts(ctx context.Context, keys []string, fn func(counts map[string]*Count)) error
	// DeleteLoginCounts deletes the counts whose last attempt is before
	// idleSince, and reports how many.
	DeleteLoginCounts(ctx context.Context, idleSince time.Time) (int64, error)
}

// SharedAttempts keeps the counts in a CountStore, so a limit
// means the same with one replica or five: every attempt, on any replica,
// counts against it, checked and counted in one transaction.
type SharedAttempts struct {
	store  CountStore
	limits Limits

	purges pacer.Pacer
}

var _ Attempts = (*SharedAttempts)(nil)

// NewSharedAttempts returns counts kept in store under limits.
func NewSharedAttempts(store CountStore, limits Limits) *SharedAttempts {
	limits.defaults()
	return &SharedAttempts{store: store, limits: limits}
}

// Reserve implements Attempts.
func (s *SharedAttempts) Reserve(ctx context.Context, k Key, now time.Time) (time.Duration, error) {
	var wait time.Duration
	err := s.store.UpdateLoginCounts(ctx, loginKeys(k), func(counts map[string]*Count) {
		if wait = s.limits.check(counts, k, now); wait == 0 {
			s.limits.count(counts, k, now)
		}
	})
	if err != nil {
		return 0, err
	}
	s.purge(ctx, now)
	return wait, nil
}

// Settle implements Attempts.
func (s *SharedAttempts) Settle(ctx context.Context, k Key, outcome Outcome, _ time.Time) error {
	return s.store.UpdateLoginCounts(ctx, loginKeys(k), func(counts map[string]*Count) {
		s.limits.settle(counts, k, outcome)
	})
}

// purge deletes, at most once a minute per process, the counts idle for
// two windows: expired whatever their kind, in flight or not. It is what
// bounds the table, as MaxKeys bounds the memory.
func (s *SharedAttempts) purge(ctx context.Context, now time.Time) {
	if s.purges.Due(now, time.Minute) {
		// A failed purge is retried a minute later; the counts stay right.
		_, _ = s.store.DeleteLoginCounts(ctx, now.Add(-2*s.limits.Window))
	}
}
