// Package logins holds what every password login of the service shares:
// argon2id hashes, the attempt counts and their limits (in memory, or in
// the database for many replicas), and the Guard that runs one attempt
// under them with a bound on concurrent hashes. The companies API and the
// web consoles both log in through it, so the limits exist once.
package logins

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"partnership-service/internal/apperr"
)

// Argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes,
// 1 lane), a few tens of milliseconds per check on a small server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns the PHC string of password under argon2id.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether password matches the PHC string encoded,
// reading the parameters from it so stronger settings can come later.
func checkPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("logins: unknown password hash format")
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("logins: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, fmt.Errorf("logins: argon2 parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when the e-mail is unknown, so a wrong
// e-mail costs as much time as a wrong password and timing tells nothing.
var dummyHash = func() string {
	h, err := HashPassword("not a real password")
	if err != nil {
		panic(err)
	}
	return h
}()

// Config bounds what logins cost. The zero value is the production
// default.
type Config struct {
	// MaxHashes is how many argon2id checks (19 MiB each) run at once;
	// 0 means 2 × GOMAXPROCS.
	MaxHashes int
	// HashWait is how long a login waits for a free hash slot before it
	// is refused; 0 means 300 ms.
	HashWait time.Duration
	// Attempts counts attempts; nil means in memory (NewMemoryAttempts).
	Attempts Attempts
}

// Guard runs login attempts under the attempt limits and the bound on
// concurrent hashes.
type Guard struct {
	attempts Attempts
	hashes   chan struct{}
	wait     time.Duration
	// running, peak and total count hashes, for tests and metrics.
	running, peak, total atomic.Int64
}

// NewGuard returns a guard bounded by cfg.
func NewGuard(cfg Config) *Guard {
	if cfg.MaxHashes <= 0 {
		cfg.MaxHashes = 2 * runtime.GOMAXPROCS(0)
	}
	if cfg.HashWait <= 0 {
		cfg.HashWait = 300 * time.Millisecond
	}
	if cfg.Attempts == nil {
		cfg.Attempts = NewMemoryAttempts(Limits{})
	}
	return &Guard{attempts: cfg.Attempts, hashes: make(chan struct{}, cfg.MaxHashes), wait: cfg.HashWait}
}

// Refused is the error of an attempt not checked: past a limit, or no hash
// slot free in time. Wait is how long until the client may try again.
type Refused struct{ Wait time.Duration }

func (r *Refused) Error() string { return fmt.Sprintf("logins: attempt refused, retry in %v", r.Wait) }

// Attempt runs one login of key with password: counted before the
// password is checked (so concurrent guesses cannot all slip under a
// limit), checked against the hash lookup returns, and settled by how it
// ended. lookup answering not found checks a dummy hash, so an unknown
// e-mail costs the same time as a wrong password; both report false.
// Past a limit it checks nothing and returns *Refused.
func (g *Guard) Attempt(ctx context.Context, key Key, now func() time.Time, password string,
	lookup func(ctx context.Context) (hash string, err error)) (bool, error) {
	if wait, err := g.attempts.Reserve(ctx, key, now()); err != nil {
		return false, err
	} else if wait > 0 {
		return false, &Refused{Wait: wait}
	}
	outcome := Unchecked
	defer func() {
		// A fresh context: the outcome must be recorded even when the
		// client hung up. A failure to record is not the client's
		// problem: a shared store's entry expires with its window.
		_ = g.attempts.Settle(context.WithoutCancel(ctx), key, outcome, now())
	}()
	hash, err := lookup(ctx)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	known := err == nil
	if !known {
		hash = dummyHash
	}
	ok, err := g.check(ctx, hash, password)
	if err != nil {
		return false, err
	}
	if !known || !ok {
		outcome = Failed
		return false, nil
	}
	outcome = Succeeded
	return true, nil
}

// HashStats returns how many password hashes g ran and the most that ran
// at once.
func (g *Guard) HashStats() (total, peak int64) { return g.total.Load(), g.peak.Load() }

// check runs checkPassword in one of the hash slots, waiting at most
// g.wait for one (*Refused after that).
func (g *Guard) check(ctx context.Context, encoded, password string) (bool, error) {
	select {
	case g.hashes <- struct{}{}:
	default:
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.hashes <- struct{}{}:
		case <-t.C:
			return false, &Refused{Wait: time.Second}
		case <-ctx.Done():
			return false, &apperr.Error{Code: apperr.ClientGone, Message: "logins: login cancelled", Err: ctx.Err()}
		}
	}
	defer func() { <-g.hashes }()
	n := g.running.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	g.total.Add(1)
	defer g.running.Add(-1)
	return checkPassword(encoded, password)
}

// AddrKey is the rate-limit bucket of a client address: the address
// itself, or its /64 for IPv6, since one host usually holds a whole /64.
func AddrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}
