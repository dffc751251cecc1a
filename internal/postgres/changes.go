package postgres

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnership-service/internal/changes"
)

// changeChannel is the one NOTIFY channel; a notice's payload is
// "<topic>:<payload>".
const changeChannel = "partnership_changes"

// changeBus is changes.Bus on LISTEN/NOTIFY: Publish is pg_notify on the
// pool (delivered to every listener when it commits, within milliseconds);
// the first Subscribe starts one dedicated connection that LISTENs and
// dispatches, reconnecting when it drops. A process that only publishes
// (a CLI command) never opens it.
type changeBus struct {
	pool *pgxpool.Pool
	log  *slog.Logger

	mu      sync.Mutex
	subs    map[string][]func(context.Context, string)
	started bool
	stop    context.CancelFunc
	done    chan struct{}
}

var _ changes.Bus = (*changeBus)(nil)

func newChangeBus(pool *pgxpool.Pool) *changeBus {
	return &changeBus{pool: pool, log: slog.Default(), subs: map[string][]func(context.Context, string){}}
}

// Publish implements changes.Bus.
func (b *changeBus) Publish(ctx context.Context, topic, payload string) error {
	_, err := b.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, changeChannel, topic+":"+payload)
	return err
}

// Subscribe implements changes.Bus.
func (b *changeBus) Subscribe(topic string, fn func(context.Context, string)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[topic] = append(b.subs[topic], fn)
	if !b.started {
		b.started = true
		ctx, stop := context.WithCancel(context.Background())
		b.stop, b.done = stop, make(chan struct{})
		go b.listen(ctx)
	}
}

// reconnectDelay is the pause before listening again after a failure.
const reconnectDelay = time.Second

// listen holds the LISTEN connection until ctx ends. After every (re)start
// of listening each subscriber is told "" (anything may have changed), so
// a notice sent while no connection listened is never lost for good.
func (b *changeBus) listen(ctx context.Context) {
	defer close(b.done)
	for ctx.Err() == nil {
		err := b.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("change notices: listening failed, retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(reconnectDelay):
		}
	}
}

func (b *changeBus) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, b.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN `+changeChannel); err != nil {
		return err
	}
	b.dispatchAll(ctx)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		topic, payload, _ := strings.Cut(n.Payload, ":")
		b.dispatch(ctx, topic, payload)
	}
}

func (b *changeBus) subscribers(topic string) []func(context.Context, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.subs[topic]
}

func (b *changeBus) dispatch(ctx context.Context, topic, payload string) {
	for _, fn := range b.subscribers(topic) {
		fn(ctx, payload)
	}
}

func (b *changeBus) dispatchAll(ctx context.Context) {
	b.mu.Lock()
	topics := make([]string, 0, len(b.subs))
	for t := range b.subs {
		topics = append(topics, t)
	}
	b.mu.Unlock()
	for _, t := range topics {
		b.dispatch(ctx, t, "")
	}
}

// Close stops listening and waits for the listener to end.
func (b *changeBus) Close() {
	b.mu.Lock()
	stop, done := b.stop, b.done
	b.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}
