package storetest

import (
	"context"
	"fmt"
	"partnership-service/internal/logins"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// runLoginCounts checks logins.SharedAttempts over an engine's
// LoginCountStore: the limits the in-memory counts keep, held under
// concurrent attempts (each check and count is one transaction), and the
// purge of idle counts.
func runLoginCounts(t *testing.T, newStore func(t *testing.T) logins.CountStore) {
	t0 := epoch
	ctx := context.Background()
	limits := logins.Limits{Window: 15 * time.Minute, PerPair: 5, PerAddr: 8}
	reserve := func(t *testing.T, a logins.Attempts, k logins.Key, now time.Time) time.Duration {
		t.Helper()
		wait, err := a.Reserve(ctx, k, now)
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}
	settle := func(t *testing.T, a logins.Attempts, k logins.Key, o logins.Outcome, now time.Time) {
		t.Helper()
		if err := a.Settle(ctx, k, o, now); err != nil {
			t.Fatal(err)
		}
	}
	attacker := logins.Key{Email: "alvo@example.com", Addr: "198.51.100.7"}
	owner := logins.Key{Email: "alvo@example.com", Addr: "203.0.113.9"}

	t.Run("per (address, e-mail), for a window", func(t *testing.T) {
		t.Parallel()
		a := logins.NewSharedAttempts(newStore(t), limits)
		for i := range limits.PerPair {
			if w := reserve(t, a, attacker, t0); w != 0 {
				t.Fatalf("failure %d refused (%v)", i+1, w)
			}
			settle(t, a, attacker, logins.Failed, t0)
		}
		if w := reserve(t, a, attacker, t0.Add(time.Minute)); w != limits.Window-time.Minute {
			t.Errorf("the attacker's address waits %v, want %v", w, limits.Window-time.Minute)
		}
		if w := reserve(t, a, owner, t0.Add(time.Minute)); w != 0 {
			t.Errorf("the owner's address waits %v", w)
		}
		if w := reserve(t, a, attacker, t0.Add(limits.Window)); w != 0 {
			t.Errorf("still refused after the window: %v", w)
		}
	})

	t.Run("success clears the pair, not the address", func(t *testing.T) {
		t.Parallel()
		a := logins.NewSharedAttempts(newStore(t), limits)
		for range 4 {
			reserve(t, a, attacker, t0)
			settle(t, a, attacker, logins.Failed, t0)
		}
		reserve(t, a, attacker, t0)
		settle(t, a, attacker, logins.Succeeded, t0)
		for i := range 3 {
			if w := reserve(t, a, attacker, t0); w != 0 {
				t.Fatalf("failure %d after the success refused: %v", i+1, w)
			}
			settle(t, a, attacker, logins.Failed, t0)
		}
		// 4 + 3 failures (the success does not count) + 1 in flight = 8.
		reserve(t, a, logins.Key{Email: "outro@example.com", Addr: attacker.Addr}, t0)
		if w := reserve(t, a, logins.Key{Email: "mais@example.com", Addr: attacker.Addr}, t0); w == 0 {
			t.Error("the address's failures were reset by a success")
		}
	})

	t.Run("concurrent attempts: exactly the limit passes", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		// Two limiters on one store: two replicas on one database.
		replicas := []logins.Attempts{logins.NewSharedAttempts(store, limits), logins.NewSharedAttempts(store, limits)}
		var passed atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, 30)
		for i := range 30 {
			wg.Go(func() {
				wait, err := replicas[i%2].Reserve(ctx, attacker, t0)
				if err != nil {
					errs <- err
					return
				}
				if wait == 0 {
					passed.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := passed.Load(); n != int32(limits.PerPair) {
			t.Fatalf("%d of 30 concurrent attempts passed, want exactly %d", n, limits.PerPair)
		}
	})

	t.Run("idle counts are purged", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		a := logins.NewSharedAttempts(store, limits)
		for i := range 3 {
			k := logins.Key{Email: fmt.Sprintf("u%d@example.com", i), Addr: "198.51.100.7"}
			reserve(t, a, k, t0)
			settle(t, a, k, logins.Failed, t0)
		}
		// Three pairs, one address, three e-mails.
		if n, err := store.DeleteLoginCounts(ctx, t0); err != nil || n != 0 {
			t.Fatalf("purge before the last attempt = %d, %v; want 0", n, err)
		}
		if n, err := store.DeleteLoginCounts(ctx, t0.Add(time.Nanosecond)); err != nil || n != 7 {
			t.Fatalf("purge after it = %d, %v; want 7", n, err)
		}
	})
}
