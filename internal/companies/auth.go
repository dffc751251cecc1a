package companies

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
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
var dummyHash = func() string {
	h, err := hashPassword("not a real password")
	if err != nil {
		panic(err)
	}
	return h
}()

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

// loginLimiter counts failed logins per e-mail and per client IP in fixed
// windows. Over the limit, login answers 429 before checking the password,
// so guessing slows to a few tries per window. It lives in memory: a
// restart forgets the counts, which only ever helps the legitimate user.
type loginLimiter struct {
	mu       sync.Mutex
	window   time.Duration
	perEmail int
	perIP    int
	counts   map[string]*failures
}

type failures struct {
	n     int
	since time.Time
}

// maxTracked bounds the memory a flood of distinct keys can take: past it,
// expired windows are swept.
const maxTracked = 100_000

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{window: 15 * time.Minute, perEmail: 5, perIP: 50, counts: map[string]*failures{}}
}

// blocked reports whether email or ip used up its failures at now, and how
// long until the window ends.
func (l *loginLimiter) blocked(email, ip string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []struct {
		key   string
		limit int
	}{{"e:" + email, l.perEmail}, {"i:" + ip, l.perIP}} {
		f := l.counts[k.key]
		if f != nil && now.Sub(f.since) < l.window && f.n >= k.limit {
			return true, f.since.Add(l.window).Sub(now)
		}
	}
	return false, 0
}

// fail records a failed attempt.
func (l *loginLimiter) fail(email, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) >= maxTracked {
		for k, f := range l.counts {
			if now.Sub(f.since) >= l.window {
				delete(l.counts, k)
			}
		}
	}
	for _, key := range []string{"e:" + email, "i:" + ip} {
		f := l.counts[key]
		if f == nil || now.Sub(f.since) >= l.window {
			f = &failures{since: now}
			l.counts[key] = f
		}
		f.n++
	}
}

// succeed forgets the e-mail's failures; the IP's stay, so one good
// account cannot be used to reset guessing at others.
func (l *loginLimiter) succeed(email string) {
	l.mu.Lock()
	delete(l.counts, "e:"+email)
	l.mu.Unlock()
}
