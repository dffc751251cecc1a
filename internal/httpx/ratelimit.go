package httpx

import (
	"net/http"
	"partnership-service/internal/apperr"
	"strconv"
	"sync"
	"time"
)

// RateLimiter allows each key limit requests per period, spread evenly
// with a burst of the whole limit (GCRA: one theoretical arrival time per
// key, so a key costs one map entry). Keys idle for a period are forgotten,
// and the number of keys is capped, so a client inventing keys cannot grow
// memory without bound: past the cap, unknown keys are refused until old
// ones expire.
type RateLimiter struct {
	limit    int
	period   time.Duration
	interval time.Duration // between requests at the sustained rate
	burst    time.Duration // how far ahead of now a key's arrival time may run
	maxKeys  int
	now      func() time.Time

	mu        sync.Mutex
	arrivals  map[string]time.Time
	lastSweep time.Time
}

// DefaultMaxRateKeys bounds the keys a RateLimiter tracks at once.
const DefaultMaxRateKeys = 100_000

// NewRateLimiter allows limit requests per period for each key; now is the
// clock (time.Now when nil).
func NewRateLimiter(limit int, period time.Duration, now func() time.Time) *RateLimiter {
	if now == nil {
		now = time.Now
	}
	interval := period / time.Duration(max(limit, 1))
	return &RateLimiter{
		limit: max(limit, 1), period: period,
		interval: interval, burst: period - interval, maxKeys: DefaultMaxRateKeys, now: now,
		arrivals: map[string]time.Time{},
	}
}

// Allow takes one request for key; when it is refused, retry says how long
// until the next one would be allowed.
func (l *RateLimiter) Allow(key string) (ok bool, retry time.Duration) {
	d := l.Take(key)
	return d.Allowed, d.RetryAfter
}

var _ RateCounter = (*RateLimiter)(nil)

// Take implements RateCounter.
func (l *RateLimiter) Take(key string) RateDecision {
	now := l.now()
	d := RateDecision{Limit: l.limit, Window: l.period}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	tat, known := l.arrivals[key]
	if !known && len(l.arrivals) >= l.maxKeys {
		d.RetryAfter, d.Reset = l.interval, l.interval
		return d
	}
	if tat.Before(now) {
		tat = now
	}
	if ahead := tat.Sub(now); ahead > l.burst {
		d.RetryAfter, d.Reset = ahead-l.burst, ahead
		return d
	}
	tat = tat.Add(l.interval)
	l.arrivals[key] = tat
	// What is left of the window's quota once this request is counted,
	// and how long until the whole quota is back.
	ahead := tat.Sub(now)
	d.Allowed, d.Remaining, d.Reset = true, int((l.period-ahead)/l.interval), ahead
	return d
}

// sweep forgets keys whose arrival time has passed (they are back to a full
// burst, as if unseen), at most once per burst window.
func (l *RateLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.burst+l.interval {
		return
	}
	l.lastSweep = now
	for k, tat := range l.arrivals {
		if tat.Before(now) {
			delete(l.arrivals, k)
		}
	}
}

// Limited serves next while key(r) is within l's rate; past it, the answer
// is 429 with Retry-After (whole seconds, rounded up), rendered by render in
// the surface's envelope.
func Limited(l *RateLimiter, key func(*http.Request) string, render Renderer, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, retry := l.Allow(key(r)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
			render(w, r, apperr.New(apperr.TooManyRequests, "too many requests"))
			return
		}
		next(w, r)
	}
}

// ClientAddr is the address a request came from, without its port.
func ClientAddr(r *http.Request) string { return clientAddr(r.RemoteAddr) }
