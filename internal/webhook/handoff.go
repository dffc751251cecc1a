package webhook

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The hand-off: a delivery queued by a request's transaction is written
// already leased to this process's dispatcher and, once the transaction
// commits, handed to it in memory, so its first attempt needs no claim (a
// write transaction that read and re-leased every due delivery, on
// SQLite's single writer and on PostgreSQL alike). The lease keeps the
// other replicas' claims off it; should this process die before the
// attempt is recorded, the lease runs out (or, on SQLite, is released at
// the next start) and a claim takes the delivery as any other. A
// transaction that rolls back hands nothing, so no change that did not
// commit is ever announced.

// handedQueue is how many transactions' handed attempts may wait for a
// worker. Past that, they are left to their lease and then to a claim: a
// burst beyond the workers' pace is delivered late, never lost.
const handedQueue = 4096

// Handoff collects the deliveries one request's transactions queue, until
// each transaction's outcome is known. One request writes one transaction
// at a time.
type Handoff struct {
	svc      *Service
	attempts []Attempt
}

type handoffKey struct{}

// HandOff has every write request (POST, PUT, PATCH, DELETE) carry a
// Handoff, so that the deliveries its transactions queue go to this
// process's dispatcher when they commit. Run must be running.
func (s *Service) HandOff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			r = r.WithContext(context.WithValue(r.Context(), handoffKey{}, &Handoff{svc: s}))
		}
		next.ServeHTTP(w, r)
	})
}

// HandoffFrom returns the Handoff ctx carries, or nil: the deliveries
// queued under ctx then wait for a claim.
func HandoffFrom(ctx context.Context) *Handoff {
	h, _ := ctx.Value(handoffKey{}).(*Handoff)
	return h
}

// LeaseUntil is the lease a delivery queued now holds for the hand-off,
// on the dispatcher's clock (the one its claims compare leases with, which
// need not be the clock that timed the change); zero (no lease) without a
// Handoff.
func (h *Handoff) LeaseUntil() time.Time {
	if h == nil {
		return time.Time{}
	}
	return h.svc.clock().Add(h.svc.lease)
}

// Add notes a delivery queued with the lease of LeaseUntil.
func (h *Handoff) Add(a Attempt) {
	if h != nil {
		h.attempts = append(h.attempts, a)
	}
}

// WithHandoff wraps a transaction's fn for the engines' write paths: each
// run of fn starts from what earlier transactions left, and done, called
// with the transaction's outcome, hands the deliveries fn queued to the
// dispatcher if it committed and forgets them if not.
func WithHandoff[T any](ctx context.Context, fn func(T) error) (wrapped func(T) error, done func(error)) {
	h := HandoffFrom(ctx)
	if h == nil {
		return fn, func(error) {}
	}
	mark := len(h.attempts)
	wrapped = func(tx T) error {
		h.attempts = h.attempts[:mark] // a retried transaction queues afresh
		return fn(tx)
	}
	return wrapped, func(err error) {
		if err == nil && len(h.attempts) > mark {
			h.svc.handed.offer(slices.Clone(h.attempts[mark:]))
		}
		clear(h.attempts[mark:])
		h.attempts = h.attempts[:mark]
	}
}

// handedAttempts is the dispatcher's in-memory queue of handed attempts.
type handedAttempts struct {
	ch  chan []Attempt // one transaction's
	svc *Service
	// warned is when a full queue was last logged (Unix seconds): once a
	// minute at most.
	warned atomic.Int64
}

// offer queues one transaction's attempts if there is room; if not, they
// keep their lease and are claimed when it runs out.
func (q *handedAttempts) offer(as []Attempt) {
	select {
	case q.ch <- as:
	default:
		if now, last := time.Now().Unix(), q.warned.Load(); now-last >= 60 && q.warned.CompareAndSwap(last, now) {
			q.svc.log.Warn("webhook hand-off queue full: deliveries wait for their lease to run out",
				"lease", q.svc.lease)
		}
	}
}

// runHanded starts each handed attempt as a worker frees up, until ctx
// ends; what is still queued then is left to its lease.
func (s *Service) runHanded(ctx context.Context, slots chan struct{}, wg *sync.WaitGroup, outcomes chan<- outcome) {
	for {
		var as []Attempt
		select {
		case <-ctx.Done():
			return
		case as = <-s.handed.ch:
		}
		for _, a := range as {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			s.startAttempt(ctx, a, slots, wg, outcomes)
		}
	}
}
