package logins

import (
	"context"
	"fmt"
	"testing"
	"time"

	"partnership-service/internal/testkit"
)

func TestMemoryAttempts(t *testing.T) {
	t0 := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	fail := func(m *MemoryAttempts, email, addr string, now time.Time) time.Duration {
		t.Helper()
		k := Key{Email: email, Addr: addr}
		wait, err := m.Reserve(ctx, k, now)
		if err != nil {
			t.Fatal(err)
		}
		if wait == 0 {
			if err := m.Settle(ctx, k, Failed, now); err != nil {
				t.Fatal(err)
			}
		}
		return wait
	}
	reserve := func(m *MemoryAttempts, email, addr string, now time.Time) time.Duration {
		t.Helper()
		wait, err := m.Reserve(ctx, Key{Email: email, Addr: addr}, now)
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}

	t.Run("per client address, across e-mails", func(t *testing.T) {
		m := NewMemoryAttempts(Limits{})
		for i := range m.limits.PerAddr {
			fail(m, fmt.Sprintf("u%d@example.com", i), "198.51.100.7", t0)
		}
		if reserve(m, "fresh@example.com", "198.51.100.7", t0) == 0 {
			t.Error("a guesser rotating e-mails from one address is not slowed down")
		}
		if reserve(m, "fresh@example.com", "203.0.113.9", t0) != 0 {
			t.Error("another address is refused too")
		}
	})

	t.Run("per (address, e-mail), not per e-mail alone", func(t *testing.T) {
		m := NewMemoryAttempts(Limits{})
		for range m.limits.PerPair {
			fail(m, "alvo@example.com", "198.51.100.7", t0)
		}
		wait := reserve(m, "alvo@example.com", "198.51.100.7", t0.Add(time.Minute))
		if wait != m.limits.Window-time.Minute {
			t.Errorf("the attacker's address waits %v", wait)
		}
		if w := reserve(m, "alvo@example.com", "203.0.113.9", t0.Add(time.Minute)); w != 0 {
			t.Errorf("the owner's address waits %v", w)
		}
		if reserve(m, "alvo@example.com", "198.51.100.7", t0.Add(m.limits.Window)) != 0 {
			t.Error("still refused after the window")
		}
	})

	t.Run("in-flight attempts count", func(t *testing.T) {
		m := NewMemoryAttempts(Limits{})
		for i := range m.limits.PerPair {
			if w := reserve(m, "alvo@example.com", "198.51.100.7", t0); w != 0 {
				t.Fatalf("attempt %d refused", i)
			}
		}
		if reserve(m, "alvo@example.com", "198.51.100.7", t0) == 0 {
			t.Error("a sixth concurrent attempt was let through")
		}
		k := Key{Email: "alvo@example.com", Addr: "198.51.100.7"}
		m.Settle(ctx, k, Unchecked, t0)
		if reserve(m, "alvo@example.com", "198.51.100.7", t0) != 0 {
			t.Error("an unchecked attempt was not given back")
		}
	})

	t.Run("per e-mail, growing delays that never lock out", func(t *testing.T) {
		m := NewMemoryAttempts(Limits{})
		now := t0
		for i := range m.limits.PerEmail {
			if w := fail(m, "alvo@example.com", fmt.Sprintf("198.51.100.%d", i), now); w != 0 {
				t.Fatalf("attempt %d below the e-mail's limit waited %v", i, w)
			}
		}
		var waits []time.Duration
		for i := range 10 {
			addr := fmt.Sprintf("203.0.113.%d", i)
			w := reserve(m, "alvo@example.com", addr, now)
			waits = append(waits, w)
			now = now.Add(w)
			if w := fail(m, "alvo@example.com", addr, now); w != 0 {
				t.Fatalf("refused after waiting: %v", w)
			}
		}
		for i := 1; i < len(waits); i++ {
			if waits[i] < waits[i-1] || waits[i] > m.limits.MaxEmailDelay {
				t.Fatalf("delays %v: not growing up to %v", waits, m.limits.MaxEmailDelay)
			}
		}
		if waits[0] != m.limits.EmailDelay || waits[len(waits)-1] != m.limits.MaxEmailDelay {
			t.Errorf("delays %v", waits)
		}
	})

	t.Run("success clears the pair, not the address", func(t *testing.T) {
		m := NewMemoryAttempts(Limits{PerAddr: 9})
		for range 4 {
			fail(m, "dono@example.com", "198.51.100.7", t0)
		}
		k := Key{Email: "dono@example.com", Addr: "198.51.100.7"}
		if reserve(m, k.Email, k.Addr, t0) != 0 {
			t.Fatal("the fifth attempt refused")
		}
		m.Settle(ctx, k, Succeeded, t0)
		for i := range m.limits.PerPair {
			if w := fail(m, "dono@example.com", "198.51.100.7", t0); w != 0 {
				t.Fatalf("failure %d after the success refused: the pair's earlier failures still count", i+1)
			}
		}
		if reserve(m, "outro@example.com", "198.51.100.7", t0) == 0 {
			t.Error("a success reset the address's failures")
		}
	})

	t.Run("memory stays bounded", func(t *testing.T) {
		m := NewMemoryAttempts(Limits{MaxKeys: 1000})
		for i := range 5000 {
			fail(m, fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256), t0)
		}
		if n := m.Len(); n > 1000 {
			t.Errorf("%d keys tracked, cap 1000", n)
		}
		fail(m, "late@example.com", "203.0.113.9", t0.Add(m.limits.Window))
		if n := m.Len(); n > 1000 {
			t.Errorf("%d keys tracked", n)
		}
	})
}

func TestAddrKey(t *testing.T) {
	testkit.Strings(t, "AddrKey", AddrKey, map[string]string{
		"198.51.100.7":         "198.51.100.7",
		"::ffff:198.51.100.7":  "198.51.100.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"not an address":       "not an address",
	})
}
