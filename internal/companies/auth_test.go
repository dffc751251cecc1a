package companies

import (
	"fmt"
	"testing"
	"time"
)

func TestLoginLimiter(t *testing.T) {
	t0 := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

	t.Run("per client address, across e-mails", func(t *testing.T) {
		l := newLoginLimiter()
		for i := range l.perIP {
			l.fail(fmt.Sprintf("u%d@example.com", i), "198.51.100.7", t0)
		}
		if blocked, _ := l.blocked("fresh@example.com", "198.51.100.7", t0); !blocked {
			t.Error("a guesser rotating e-mails from one address is not slowed down")
		}
		if blocked, _ := l.blocked("fresh@example.com", "203.0.113.9", t0); blocked {
			t.Error("another address is blocked too")
		}
	})

	t.Run("per e-mail, across addresses, until the window ends", func(t *testing.T) {
		l := newLoginLimiter()
		for i := range l.perEmail {
			l.fail("alvo@example.com", fmt.Sprintf("198.51.100.%d", i), t0)
		}
		blocked, wait := l.blocked("alvo@example.com", "203.0.113.9", t0.Add(time.Minute))
		if !blocked || wait != l.window-time.Minute {
			t.Errorf("blocked = %v, wait = %v", blocked, wait)
		}
		if blocked, _ := l.blocked("alvo@example.com", "203.0.113.9", t0.Add(l.window)); blocked {
			t.Error("still blocked after the window")
		}
	})

	t.Run("success forgets the e-mail, not the address", func(t *testing.T) {
		l := newLoginLimiter()
		l.perIP = l.perEmail // so the address reaches its limit with the e-mail
		for range l.perEmail - 1 {
			l.fail("dono@example.com", "198.51.100.7", t0)
		}
		l.succeed("dono@example.com")
		l.fail("dono@example.com", "198.51.100.7", t0)
		if blocked, _ := l.blocked("dono@example.com", "203.0.113.9", t0); blocked {
			t.Error("the e-mail's failures before the success still count")
		}
		if blocked, _ := l.blocked("outro@example.com", "198.51.100.7", t0); !blocked {
			t.Error("a success reset the address's failures")
		}
	})

	t.Run("memory stays bounded", func(t *testing.T) {
		l := newLoginLimiter()
		for i := range maxTracked {
			l.fail(fmt.Sprintf("u%d@example.com", i), "198.51.100.7", t0)
		}
		l.fail("late@example.com", "203.0.113.9", t0.Add(l.window))
		if n := len(l.counts); n > 2 {
			t.Errorf("%d keys tracked after every window expired", n)
		}
	})
}
