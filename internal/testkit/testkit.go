// Package testkit holds what tests of every package share: a settable
// clock, a log buffer safe for concurrent writers, the error-code
// assertion and the string-in, string-out table. Production code never
// imports it.
package testkit

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"partnership-service/internal/apperr"
)

// Clock is a settable clock; Now is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers, for logs.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WantCode fails tb unless err carries code; what names the step.
func WantCode(tb testing.TB, what string, err error, code apperr.Code) {
	tb.Helper()
	if got := apperr.CodeOf(err); got != code {
		tb.Fatalf("%s: err = %v (code %s), want %s", what, err, got, code)
	}
}

// Strings checks a function of one string against a table of inputs and
// the output each wants, failing tb with "name(in) = got, want want" for
// every input it gets wrong.
func Strings(tb testing.TB, name string, fn func(string) string, want map[string]string) {
	tb.Helper()
	for in, w := range want {
		if got := fn(in); got != w {
			tb.Errorf("%s(%q) = %q, want %q", name, in, got, w)
		}
	}
}

// SkipUnlessPresent skips tb when a real part it needs (a database
// server, an SMTP server) is absent, saying how to provide it; in CI (CI
// set), where .ci/run starts every part, an absent part fails the test
// instead, so no test is skipped there.
func SkipUnlessPresent(tb testing.TB, present bool, help string) {
	tb.Helper()
	if present {
		return
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("CI must provide this part: %s", help)
	}
	tb.Skip(help)
}

// Option is a helper's optional last argument: the first of opts, or T's
// zero value when there is none.
func Option[T any](opts []T) T {
	var o T
	if len(opts) > 0 {
		o = opts[0]
	}
	return o
}

// Burst runs fn(0), …, fn(n-1) at once (each waits until all have started)
// and counts what they return: the statuses a burst of concurrent requests
// got.
func Burst(n int, fn func(i int) int) map[int]int {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[int]int{}
		start  = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			got := fn(i)
			mu.Lock()
			counts[got]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return counts
}
