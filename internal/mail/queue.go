package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Enqueuer is all a domain service needs to send mail: hand a message over
// and go on. Enqueue validates the message and returns at once; delivery
// happens later, with retries.
//
// Queue implements it in memory. To survive a crash between the change
// that causes a message and its delivery, back it with a durable outbox
// instead, without changing callers' code beyond where they enqueue:
//
//   - a table mail_outbox(id text primary key (the Message-ID), recipient,
//     subject, text_body, html_body, attempts integer, next_attempt_at,
//     last_error, created_at, sent_at), one migration per engine;
//   - the domain enqueues inside the transaction of the change that caused
//     the message (a LeadTx primitive such as EnqueueMail(Message), both
//     engines implementing it as one INSERT), so the message exists if and
//     only if the change committed;
//   - one relay loop per process claims due rows (PostgreSQL: SELECT … FOR
//     UPDATE SKIP LOCKED; SQLite: the single writer), calls Sender.Send with
//     the row's Message (same ID on every attempt, so duplicates are
//     recognisable), then sets sent_at, or bumps attempts and sets
//     next_attempt_at = now + Retry.Delay(attempts) and last_error (already
//     scrubbed by the Sender), or on IsPermanent / MaxAttempts leaves the row
//     unsent with its error for an operator: nothing is lost silently.
//
// River (which supports pgx and SQLite) can play the relay's part.
type Enqueuer interface {
	Enqueue(ctx context.Context, m Message) error
}

// Errors of Enqueue.
var (
	ErrQueueFull   = errors.New("mail: queue is full")
	ErrQueueClosed = errors.New("mail: queue is closed")
)

// Retry is a bounded exponential backoff with jitter.
type Retry struct {
	// MaxAttempts counts the first try; default 8.
	MaxAttempts int
	// Initial is the wait after the first failure, doubled after each next
	// one up to Max; defaults 2 s and 5 min. With the defaults a message is
	// tried for about 10 minutes before it is given up.
	Initial time.Duration
	Max     time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 8
	}
	if r.Initial <= 0 {
		r.Initial = 2 * time.Second
	}
	if r.Max <= 0 {
		r.Max = 5 * time.Minute
	}
	if r.Max < r.Initial {
		r.Max = r.Initial
	}
	return r
}

// Delay is the wait after the given failed attempt (1 for the first): the
// exponential step d = min(Max, Initial·2^(attempt-1)), jittered uniformly
// in [d/2, d] so that many failed messages do not come back together.
func (r Retry) Delay(attempt int) time.Duration {
	r = r.withDefaults()
	d := r.Initial
	for i := 1; i < attempt && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	half := d / 2
	return half + rand.N(d-half+1)
}

// QueueConfig configures a Queue; the zero value works.
type QueueConfig struct {
	Retry Retry
	// AttemptTimeout bounds one Send; default 1 min.
	AttemptTimeout time.Duration
	// Capacity is how many messages may wait (including those waiting for a
	// retry) before Enqueue answers ErrQueueFull; default 1000.
	Capacity int
	// Workers send concurrently; default 2.
	Workers int
	// Logger gets one line per failure and per delivery; default slog.Default().
	Logger *slog.Logger
	// DeadLetter, when set, receives (one try) every message the
	// queue gives up on: attempts exhausted, a permanent error, or still
	// undelivered when Close's deadline passes. An Outbox under
	// <data-dir>/outbox/failed/ keeps them for an operator.
	DeadLetter Sender
}

// Queue sends messages in the background: Enqueue never waits for a mail
// server; a failed send is logged (recipient masked, no body, no
// credentials) and retried with backoff; a message given up is logged at
// error level and handed to the DeadLetter sender. Close drains it.
type Queue struct {
	sender Sender
	cfg    QueueConfig
	log    *slog.Logger

	jobs   chan *job     // ready to be tried; len ≤ pending ≤ cap
	stop   chan struct{} // closed when Close's deadline passes
	idle   chan struct{} // closed when closing and nothing is pending
	cancel context.CancelFunc
	ctx    context.Context // of every attempt; cancelled at hard stop
	wg     sync.WaitGroup  // workers

	mu      sync.Mutex
	pending int // accepted and not finished
	closing bool
	stopped bool
	waiting map[*job]*time.Timer // failed, waiting for their retry
}

type job struct {
	m        Message
	attempts int
}

var _ Enqueuer = (*Queue)(nil)

// NewQueue starts the workers of a queue sending through s.
func NewQueue(s Sender, cfg QueueConfig) *Queue {
	cfg.Retry = cfg.Retry.withDefaults()
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = time.Minute
	}
	if cfg.Capacity <= 0 {
		cfg.Capacity = 1000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{
		sender:  s,
		cfg:     cfg,
		log:     cfg.Logger,
		jobs:    make(chan *job, cfg.Capacity),
		stop:    make(chan struct{}),
		idle:    make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
		waiting: make(map[*job]*time.Timer),
	}
	for range cfg.Workers {
		q.wg.Go(q.work)
	}
	return q
}

// Enqueue validates m, gives it an ID if it has none, and queues it. It
// never blocks: a full queue answers ErrQueueFull, a closed one
// ErrQueueClosed (both logged too).
func (q *Queue) Enqueue(_ context.Context, m Message) error {
	if m.ID == "" {
		m.ID = NewID()
	}
	if err := m.Validate(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.closing:
		q.log.Error("mail not queued: queue is closed", q.attrs(m)...)
		return ErrQueueClosed
	case q.pending >= q.cfg.Capacity:
		q.log.Error("mail not queued: queue is full", append(q.attrs(m), slog.Int("capacity", q.cfg.Capacity))...)
		return ErrQueueFull
	}
	q.pending++
	q.jobs <- &job{m: m} // never blocks: len(jobs) ≤ pending ≤ cap(jobs)
	return nil
}

func (q *Queue) attrs(m Message) []any {
	return []any{slog.String("mail_id", m.ID), slog.String("to", MaskAddress(m.To))}
}

func (q *Queue) work() {
	for {
		select {
		case <-q.stop:
			return
		case j := <-q.jobs:
			q.attempt(j)
		}
	}
}

func (q *Queue) attempt(j *job) {
	j.attempts++
	ctx, cancel := context.WithTimeout(q.ctx, q.cfg.AttemptTimeout)
	err := q.sender.Send(ctx, j.m)
	cancel()
	attrs := append(q.attrs(j.m), slog.Int("attempt", j.attempts))
	if err == nil {
		q.log.Info("mail sent", attrs...)
		q.finish()
		return
	}
	// Errors of this package's senders are scrubbed already; scrub again
	// for a Sender from elsewhere.
	attrs = append(attrs, slog.String("err", scrub(err.Error(), j.m.To)))
	why := ""
	q.mu.Lock()
	switch {
	case q.stopped:
		why = "mail not sent before shutdown"
	case IsPermanent(err):
		why = "mail not sent: permanent failure"
	case j.attempts >= q.cfg.Retry.MaxAttempts:
		why = "mail not sent: attempts exhausted"
	default:
		d := q.cfg.Retry.Delay(j.attempts)
		q.log.Warn("mail send failed; will retry", append(attrs, slog.Duration("retry_in", d))...)
		q.waiting[j] = time.AfterFunc(d, func() { q.ready(j) })
	}
	q.mu.Unlock()
	if why != "" {
		q.giveUp(j, why, attrs)
	}
}

// ready puts a job whose wait is over back in line.
func (q *Queue) ready(j *job) {
	q.mu.Lock()
	if _, ok := q.waiting[j]; !ok {
		q.mu.Unlock()
		return // Close took it
	}
	delete(q.waiting, j)
	if q.stopped {
		q.mu.Unlock()
		q.giveUp(j, "mail not sent before shutdown", q.attrs(j.m))
		return
	}
	q.jobs <- j // never blocks, as in Enqueue
	q.mu.Unlock()
}

// giveUp logs a message that will not be delivered, hands it to the
// dead-letter sender and only then counts it finished, so that a graceful
// Close returns after the dead letter is written. Called without q.mu.
func (q *Queue) giveUp(j *job, why string, attrs []any) {
	dead := q.cfg.DeadLetter != nil
	q.log.Error(why, append(attrs, slog.Int("attempts", j.attempts), slog.Bool("dead_letter", dead))...)
	if dead {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := q.cfg.DeadLetter.Send(ctx, j.m); err != nil {
			q.log.Error("mail lost: dead-letter write failed", append(q.attrs(j.m), slog.String("err", scrub(err.Error(), j.m.To)))...)
		}
		cancel()
	}
	q.finish()
}

func (q *Queue) finish() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.finishLocked()
}

func (q *Queue) finishLocked() {
	q.pending--
	if q.pending == 0 && q.closing {
		q.closeIdleLocked()
	}
}

func (q *Queue) closeIdleLocked() {
	select {
	case <-q.idle:
	default:
		close(q.idle)
	}
}

// Close stops accepting messages and waits until every queued message is
// delivered or given up, or ctx is done. Past ctx's deadline it stops the
// workers, gives up what is left (logged at error level and written to the
// DeadLetter sender before Close returns: a local outbox write takes
// milliseconds) and returns an error that counts it. A send in progress at
// that moment has its context cancelled; it ends within the SMTP timeouts
// and is given up the same way if it fails. Close may be called again.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	q.closing = true
	if q.pending == 0 {
		q.closeIdleLocked()
	}
	q.mu.Unlock()

	select {
	case <-q.idle:
		q.shutdown()
		q.wg.Wait()
		return nil
	case <-ctx.Done():
	}

	q.mu.Lock()
	q.stopped = true
	left := q.pending
	var rest []*job
	for j, t := range q.waiting {
		if t.Stop() { // else its ready is running and gives it up
			delete(q.waiting, j)
			rest = append(rest, j)
		}
	}
	for drained := false; !drained; {
		select {
		case j := <-q.jobs:
			rest = append(rest, j)
		default:
			drained = true
		}
	}
	q.mu.Unlock()
	q.shutdown()
	for _, j := range rest {
		q.giveUp(j, "mail not sent before shutdown", q.attrs(j.m))
	}
	return fmt.Errorf("mail: %d message(s) not delivered before the deadline: %w", left, ctx.Err())
}

func (q *Queue) shutdown() {
	q.mu.Lock()
	select {
	case <-q.stop:
	default:
		close(q.stop)
	}
	q.mu.Unlock()
	q.cancel()
}
