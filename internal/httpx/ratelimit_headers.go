package httpx

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"partnership-service/internal/apperr"
)

// RateCounter counts requests per key against a quota per window. The
// in-process RateLimiter is one; a counter shared by several replicas (in
// PostgreSQL, say) is another, plugged in without touching the middleware.
type RateCounter interface {
	// Take counts one request for key and says whether it is allowed.
	Take(key string) RateDecision
}

// RateDecision is a RateCounter's answer for one request.
type RateDecision struct {
	Allowed bool
	// Limit requests per Window is the policy.
	Limit  int
	Window time.Duration
	// Remaining requests may follow at once; after Reset the whole quota
	// is back.
	Remaining int
	Reset     time.Duration
	// RetryAfter is how long a refused request should wait.
	RetryAfter time.Duration
}

// RatePolicyName names the one policy in the RateLimit headers.
const RatePolicyName = "default"

// SetRateHeaders writes d as the IETF draft "RateLimit header fields for
// HTTP" spells it: RateLimit-Policy: "default";q=1200;w=60 and
// RateLimit: "default";r=1199;t=1 (seconds, rounded up), and Retry-After
// when d refused the request. Every credentialed answer carries them, so
// they are built without Header.Set's canonicalising, and the policy,
// the same for every answer of one limiter, is built once.
func SetRateHeaders(h http.Header, d RateDecision) {
	h["Ratelimit-Policy"] = policyValue(d.Limit, d.Window)
	h["Ratelimit"] = []string{rateItem("r", d.Remaining, "t", seconds(d.Reset))}
	if !d.Allowed {
		h["Retry-After"] = []string{strconv.Itoa(max(seconds(d.RetryAfter), 1))}
	}
}

// policyValue is the RateLimit-Policy value of limit per window, shared by
// the answers of one policy (len == cap: an Add copies).
func policyValue(limit int, window time.Duration) []string {
	if p := lastPolicy.Load(); p != nil && p.limit == limit && p.window == window {
		return p.value
	}
	v := []string{rateItem("q", limit, "w", seconds(window))}
	lastPolicy.Store(&policy{limit: limit, window: window, value: v})
	return v
}

type policy struct {
	limit  int
	window time.Duration
	value  []string
}

// lastPolicy is the policy answered last: a process runs one, so it is
// nearly always the one asked for.
var lastPolicy atomic.Pointer[policy]

// rateItem is `"default";k1=v1;k2=v2`.
func rateItem(k1 string, v1 int, k2 string, v2 int) string {
	var buf [48]byte // on the stack: the string is the one allocation
	b := buf[:0]
	b = append(b, `"`+RatePolicyName+`";`...)
	b = append(append(b, k1...), '=')
	b = strconv.AppendInt(b, int64(v1), 10)
	b = append(append(append(b, ';'), k2...), '=')
	b = strconv.AppendInt(b, int64(v2), 10)
	return string(b)
}

// seconds rounds d up to whole seconds.
func seconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// KeyMiddleware serves a write behind Idempotency-Key handling for one
// credential (owner); internal/idempotency implements it.
type KeyMiddleware interface {
	Serve(w http.ResponseWriter, r *http.Request, owner string, render Renderer, next http.HandlerFunc)
}

// Guard is what every credentialed route of the three surfaces runs
// behind: a rate limit per credential, then Idempotency-Key handling for
// writes. Each surface resolves the credential itself and passes its
// envelope; a nil Guard (or nil parts) serves next directly.
type Guard struct {
	Limits RateCounter
	Keys   KeyMiddleware
}

// Credential names a caller for the Guard: RateKey counts its requests,
// KeyOwner scopes its idempotency keys (stored, so it must hold no
// secret).
type Credential struct {
	RateKey  string
	KeyOwner string
}

// Serve runs next(w, r, v) for the caller c, answering 429 in render's
// envelope past the rate limit. It takes v for next rather than a closure
// over it: a read (no idempotency key to handle) then allocates nothing
// here.
func Serve[T any](g *Guard, w http.ResponseWriter, r *http.Request, c Credential, render Renderer, v T, next func(http.ResponseWriter, *http.Request, T)) {
	if g != nil && g.Limits != nil {
		d := g.Limits.Take(c.RateKey)
		SetRateHeaders(w.Header(), d)
		if !d.Allowed {
			render(w, r, apperr.New(apperr.TooManyRequests, "too many requests"))
			return
		}
	}
	if g == nil || g.Keys == nil || !TakesKey(r.Method) {
		next(w, r, v)
		return
	}
	g.Keys.Serve(w, r, c.KeyOwner, render, func(w http.ResponseWriter, r *http.Request) { next(w, r, v) })
}

// TakesKey says whether method's requests may carry an Idempotency-Key
// (POST, PUT and PATCH).
func TakesKey(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}
