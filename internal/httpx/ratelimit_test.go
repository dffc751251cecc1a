package httpx

import (
	"strconv"
	"testing"
	"time"

	"partnership-service/internal/testkit"
)

func TestRateLimiter(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := NewRateLimiter(20, time.Minute, clock.Now)
	for i := range 20 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of 20 refused", i+1)
		}
	}
	ok, retry := l.Allow("a")
	if ok || retry <= 0 || retry > 3*time.Second {
		t.Fatalf("21st request: ok %v, retry %v; want refused for about 3 s", ok, retry)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key was refused")
	}
	clock.Advance(retry)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refused after waiting Retry-After")
	}
	clock.Advance(time.Minute)
	for i := range 20 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("after a quiet minute, request %d refused", i+1)
		}
	}
}

func TestRateLimiterBoundsKeys(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := NewRateLimiter(10, time.Minute, clock.Now)
	l.maxKeys = 100
	for i := range 100 {
		l.Allow(strconv.Itoa(i))
	}
	if ok, _ := l.Allow("one too many"); ok {
		t.Fatal("a key past the cap was allowed")
	}
	clock.Advance(2 * time.Minute)
	if ok, _ := l.Allow("one too many"); !ok || len(l.arrivals) != 1 {
		t.Fatalf("after the keys expired: ok %v, %d keys kept", ok, len(l.arrivals))
	}
}
