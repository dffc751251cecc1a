package postgres

import (
	"context"
	"errors"

	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
)

// Stores is the production engine: one connection pool and every context's
// store on it, and a small pool of the webhook dispatcher's own.
type Stores struct {
	*DB
	storage.Contexts
	bus  *changeBus
	jobs *DB
}

// jobConns is the size of the webhook dispatcher's pool. On the requests'
// pool (pgx's default: 4 connections on 2 cores) each of its queries
// queued behind every request waiting for a connection: under a load of
// lead creates it delivered about 120 events a second and fell further
// behind every second.
const jobConns = 2

var _ storage.Stores = (*Stores)(nil)

// Open connects to url (postgres://…), migrates the database and builds
// every store.
func Open(ctx context.Context, url string) (*Stores, error) {
	db, err := OpenDB(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	jobs, err := db.Sibling(ctx, jobConns)
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	bus := newChangeBus(db.Pool)
	return &Stores{DB: db, bus: bus, jobs: jobs, Contexts: storage.Contexts{
		Bus:                bus,
		DB:                 db.Shared(),
		EnergyCatalogStore: newEnergyCatalogStore(db),
		EnergyLeadStore:    newEnergyLeadStore(db),
		StorefrontStore:    newStorefrontStore(db),
		CompaniesStore:     newCompaniesStore(db),
		WebhookStore:       storesql.Webhooks{DB: db.Shared(), Jobs: jobs.Shared(), SkipLocked: skipLocked},
		WebAuthStore:       storesql.WebAuth{DB: db.Shared()},
	}}, nil
}

// Engine names the engine.
func (s *Stores) Engine() string { return "postgres" }

// Close stops the change listener, then closes the pools.
func (s *Stores) Close() error {
	s.bus.Close()
	return errors.Join(s.jobs.Close(), s.DB.Close())
}

// Exclusive implements storage.Stores with a session advisory lock keyed
// by the job's name, held on one pooled connection while fn runs; a
// process that dies mid-job loses its session, and with it the lock.
func (s *Stores) Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	conn, err := s.Pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, name).Scan(&got); err != nil || !got {
		return false, err
	}
	defer func() {
		// A fresh context: the lock must go even when ctx ended; should
		// the unlock fail, the connection is dropped and the lock with it.
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, name); err != nil {
			_ = conn.Conn().Close(context.Background())
		}
	}()
	return true, fn(ctx)
}

// skipLocked lets replicas claim webhook work side by side: each takes the
// rows no other transaction holds (of table alias, when a join names more
// than one).
func skipLocked(alias string) string {
	if alias == "" {
		return " FOR UPDATE SKIP LOCKED"
	}
	return " FOR UPDATE OF " + alias + " SKIP LOCKED"
}
