package companies

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"partnership-service/internal/apperr"
	"partnership-service/internal/geo"
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

// hashPassword returns the PHC string of password under argon2id.
func hashPassword(password string) (string, error) {
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
		return false, errors.New("companies: unknown password hash format")
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("companies: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, fmt.Errorf("companies: argon2 parameters: %w", err)
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
// It is made at the first such login, not at start: a hash takes 19 MiB
// and tens of milliseconds, which every start paid before.
var dummyHash = sync.OnceValue(func() string {
	h, err := hashPassword("not a real password")
	if err != nil {
		panic(err)
	}
	return h
})

// tokenBytes is the entropy of a token.
const tokenBytes = 32

// newToken returns a random token for the client and its SHA-256, which is
// all the store keeps.
func newToken() (string, []byte, error) {
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	return token, tokenHash(token), nil
}

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Login checks e-mail and password and issues a token. Every wrong
// combination answers the same 401. The attempt is counted before the
// password is checked, so concurrent guesses cannot all slip under the
// limit; past a limit, or when no hash slot frees up in time, it answers
// 429 without checking anything.
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (string, time.Time, error) {
	email = normalizeLogin(email)
	key := LoginKey{Email: email, Addr: addrKey(clientIP)}
	l := s.limiter
	if wait, err := l.attempts.Reserve(ctx, key, s.now()); err != nil {
		return "", time.Time{}, err
	} else if wait > 0 {
		return "", time.Time{}, errTooManyLogins(wait)
	}
	outcome := LoginUnchecked
	defer func() {
		// A fresh context: the outcome must be recorded even when the
		// client hung up. A failure to record is not the client's
		// problem: a shared store's entry expires with its window.
		_ = l.attempts.Settle(context.WithoutCancel(ctx), key, outcome, s.now())
	}()
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", time.Time{}, err
	}
	hash := u.PasswordHash
	if err != nil {
		hash = dummyHash()
	}
	ok, herr := l.check(ctx, hash, password)
	if herr != nil {
		return "", time.Time{}, herr
	}
	if err != nil || !ok {
		outcome = LoginFailed
		return "", time.Time{}, fail(apperr.Unauthorized, "Credenciais inválidas.")
	}
	outcome = LoginSucceeded
	return s.issue(ctx, u.ID, LoginTTL)
}

func errTooManyLogins(wait time.Duration) error {
	e := fail(apperr.TooManyRequests, "Muitas tentativas de login. Tente novamente mais tarde.")
	e.Meta[MetaRetryAfter] = strconv.Itoa(int((wait + time.Second - 1) / time.Second))
	return e
}

// LoginConfig bounds what logins cost. The zero value is the production
// default.
type LoginConfig struct {
	// MaxHashes is how many argon2id checks (19 MiB each) run at once;
	// 0 means 2 × GOMAXPROCS.
	MaxHashes int
	// HashWait is how long a login waits for a free hash slot before it
	// answers 429; 0 means 300 ms.
	HashWait time.Duration
	// Attempts counts attempts; nil means in memory (NewMemoryLoginAttempts).
	Attempts LoginAttempts
}

// NewServiceWith is NewService with the login's bounds set.
func NewServiceWith(store Store, dir *geo.Directory, now func() time.Time, login LoginConfig) *Service {
	s := NewService(store, dir, now)
	s.limiter = newLoginLimiterWith(login)
	return s
}

// loginLimiter is the login's guard: the attempt counts and the bound on
// concurrent hashes.
type loginLimiter struct {
	attempts LoginAttempts
	hashes   chan struct{}
	wait     time.Duration
	// running, peak and total count hashes, for tests and metrics.
	running, peak, total atomic.Int64
}

func newLoginLimiter() *loginLimiter { return newLoginLimiterWith(LoginConfig{}) }

func newLoginLimiterWith(cfg LoginConfig) *loginLimiter {
	if cfg.MaxHashes <= 0 {
		cfg.MaxHashes = 2 * runtime.GOMAXPROCS(0)
	}
	if cfg.HashWait <= 0 {
		cfg.HashWait = 300 * time.Millisecond
	}
	if cfg.Attempts == nil {
		cfg.Attempts = NewMemoryLoginAttempts(LoginLimits{})
	}
	return &loginLimiter{attempts: cfg.Attempts, hashes: make(chan struct{}, cfg.MaxHashes), wait: cfg.HashWait}
}

// check runs checkPassword in one of the hash slots, waiting at most
// l.wait for one (429 after that).
func (l *loginLimiter) check(ctx context.Context, encoded, password string) (bool, error) {
	select {
	case l.hashes <- struct{}{}:
	default:
		t := time.NewTimer(l.wait)
		defer t.Stop()
		select {
		case l.hashes <- struct{}{}:
		case <-t.C:
			return false, errTooManyLogins(time.Second)
		case <-ctx.Done():
			return false, &apperr.Error{Code: apperr.ClientGone, Message: "companies: login cancelled", Err: ctx.Err()}
		}
	}
	defer func() { <-l.hashes }()
	n := l.running.Add(1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	l.total.Add(1)
	defer l.running.Add(-1)
	return checkPassword(encoded, password)
}

// addrKey is the rate-limit bucket of a client address: the address
// itself, or its /64 for IPv6, since one host usually holds a whole /64.
func addrKey(ip string) string {
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
