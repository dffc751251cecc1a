package mail

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// These tests drive the queue with a Sender of their own: they are about
// the queue (retries, bounds, draining), not about SMTP, which
// smtp_test.go tests against a real server.

// recorder is a Sender that fails while fail says so and records what it
// delivered.
type recorder struct {
	mu        sync.Mutex
	attempts  int
	delivered []Message
	fail      func(attempt int) error
	delay     time.Duration
	block     chan struct{} // when set, each Send waits for it
}

func (r *recorder) Send(ctx context.Context, m Message) error {
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if r.fail != nil {
		if err := r.fail(r.attempts); err != nil {
			return err
		}
	}
	r.delivered = append(r.delivered, m)
	return nil
}

func (r *recorder) counts() (attempts, delivered int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts, len(r.delivered)
}

var fast = Retry{MaxAttempts: 5, Initial: time.Millisecond, Max: 4 * time.Millisecond}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	r := Retry{MaxAttempts: 10, Initial: 100 * time.Millisecond, Max: time.Second}
	tests := []struct {
		attempt int
		step    time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{50, time.Second},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := r.Delay(tt.attempt)
			if d < tt.step/2 || d > tt.step {
				t.Fatalf("Delay(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.step/2, tt.step)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("Delay(%d) took only %d values in 200 draws: no jitter", tt.attempt, len(seen))
		}
	}
	if d := (Retry{}).Delay(1); d < time.Second || d > 2*time.Second {
		t.Errorf("default first delay = %v, want 1–2 s", d)
	}
}

// A failing sender is retried until it succeeds; each failure is logged
// with a masked recipient and without the body.
func TestQueueRetriesUntilDelivered(t *testing.T) {
	t.Parallel()
	rec := &recorder{fail: func(n int) error {
		if n < 3 {
			return errors.New("421 try again later, maria.souza@example.com")
		}
		return nil
	}}
	log, logs := newLogger(t)
	q := NewQueue(rec, QueueConfig{Retry: fast, Logger: log})
	m := validMessage("maria.souza@example.com")
	if err := q.Enqueue(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatalf("Close = %v", err)
	}
	attempts, delivered := rec.counts()
	if attempts != 3 || delivered != 1 {
		t.Fatalf("attempts %d delivered %d, want 3 and 1", attempts, delivered)
	}
	if rec.delivered[0].ID == "" {
		t.Error("queued message got no ID")
	}
	if got := logs.Count("mail send failed; will retry"); got != 2 {
		t.Errorf("%d failure lines, want 2", got)
	}
	if got := logs.Count("mail sent"); got != 1 {
		t.Errorf("%d sent lines, want 1", got)
	}
	assertNoSecrets(t, logs.String(), m, "")
	if !strings.Contains(logs.String(), "m***@example.com") {
		t.Errorf("logs do not name the masked recipient:\n%s", logs)
	}
}

// Attempts are bounded; the message given up is logged at error level and
// handed to the dead-letter sender, so it is not lost silently.
func TestQueueGivesUpAfterMaxAttemptsIntoDeadLetter(t *testing.T) {
	t.Parallel()
	rec := &recorder{fail: func(int) error { return errors.New("connection refused") }}
	dead := &recorder{}
	log, logs := newLogger(t)
	q := NewQueue(rec, QueueConfig{Retry: fast, Logger: log, DeadLetter: dead})
	if err := q.Enqueue(context.Background(), validMessage("maria@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if attempts, _ := rec.counts(); attempts != fast.MaxAttempts {
		t.Errorf("%d attempts, want %d", attempts, fast.MaxAttempts)
	}
	if _, n := dead.counts(); n != 1 {
		t.Errorf("dead letter got %d messages, want 1", n)
	}
	if got := logs.Count("mail not sent: attempts exhausted"); got != 1 {
		t.Errorf("%d give-up lines, want 1", got)
	}
}

// A permanent refusal (an invalid message, a 5xx) is not retried.
func TestQueueDoesNotRetryPermanentFailures(t *testing.T) {
	t.Parallel()
	rec := &recorder{fail: func(int) error { return &deliveryError{text: "550 no such user", permanent: true} }}
	log, logs := newLogger(t)
	q := NewQueue(rec, QueueConfig{Retry: fast, Logger: log})
	if err := q.Enqueue(context.Background(), validMessage("maria@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if attempts, _ := rec.counts(); attempts != 1 {
		t.Errorf("%d attempts, want 1", attempts)
	}
	if logs.Count("mail not sent: permanent failure") != 1 {
		t.Errorf("no permanent-failure line")
	}
}

// Enqueue never waits for the sender: with the only worker stuck, it
// returns at once, and a full queue says so instead of blocking.
func TestQueueEnqueueNeverBlocks(t *testing.T) {
	t.Parallel()
	rec := &recorder{block: make(chan struct{})}
	q := NewQueue(rec, QueueConfig{Retry: fast, Logger: discardLogger(), Workers: 1, Capacity: 3})
	start := time.Now()
	for i := range 3 {
		if err := q.Enqueue(context.Background(), validMessage("maria@example.com")); err != nil {
			t.Fatalf("Enqueue %d = %v", i, err)
		}
	}
	if err := q.Enqueue(context.Background(), validMessage("maria@example.com")); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Enqueue beyond capacity = %v, want ErrQueueFull", err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("four Enqueues took %v with the sender stuck", took)
	}
	close(rec.block)
	if err := q.Close(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, n := rec.counts(); n != 3 {
		t.Errorf("delivered %d, want 3", n)
	}
	if err := q.Enqueue(context.Background(), validMessage("maria@example.com")); !errors.Is(err, ErrQueueClosed) {
		t.Errorf("Enqueue after Close = %v, want ErrQueueClosed", err)
	}
}

// Close waits until everything queued is delivered.
func TestQueueCloseDrains(t *testing.T) {
	t.Parallel()
	rec := &recorder{delay: 5 * time.Millisecond}
	q := NewQueue(rec, QueueConfig{Retry: fast, Logger: discardLogger()})
	for range 30 {
		if err := q.Enqueue(context.Background(), validMessage("maria@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Close(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if _, n := rec.counts(); n != 30 {
		t.Errorf("Close returned with %d of 30 delivered", n)
	}
}

// When Close's deadline passes first, Close returns by then, and what is
// left is logged and dead-lettered, not dropped.
func TestQueueCloseDeadlineDeadLettersTheRest(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	failing := &recorder{fail: func(int) error { calls.Add(1); return errors.New("connection refused") }}
	dead := &recorder{}
	log, logs := newLogger(t)
	q := NewQueue(failing, QueueConfig{
		Retry:      Retry{MaxAttempts: 10, Initial: time.Hour, Max: time.Hour},
		Logger:     log,
		DeadLetter: dead,
	})
	for range 2 {
		if err := q.Enqueue(context.Background(), validMessage("maria@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, func() bool { return calls.Load() == 2 })
	start := time.Now()
	err := q.Close(ctxTimeout(t, 100*time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "2 message(s) not delivered") {
		t.Fatalf("Close = %v, want 2 undelivered", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v past a 100 ms deadline", took)
	}
	if _, n := dead.counts(); n != 2 {
		t.Errorf("dead letter got %d, want 2", n)
	}
	if got := logs.Count("mail not sent before shutdown"); got != 2 {
		t.Errorf("%d shutdown lines, want 2", got)
	}
}

func ctxTimeout(tb testing.TB, d time.Duration) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}

func waitFor(tb testing.TB, d time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("condition not met within %v", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// assertNoSecrets fails if logs show the recipient's full address, a line
// of the body, or the password.
func assertNoSecrets(tb testing.TB, logs string, m Message, password string) {
	tb.Helper()
	addr := m.To
	if a, err := parseAddress("to", m.To); err == nil {
		addr = a.Address
	}
	for _, secret := range []string{addr, "Código", "123456", "necessária", password} {
		if secret != "" && strings.Contains(logs, secret) {
			tb.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

// closedPort returns a loopback port nothing listens on (it was free a
// moment ago).
func closedPort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}
