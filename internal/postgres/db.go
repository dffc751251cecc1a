// Package postgres is the production store, on pgx. pgx prepares and caches
// each statement per connection on first use, so the hand-written SQL here
// runs as prepared statements without extra bookkeeping.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"partnership-service/internal/migrations"
	"partnership-service/internal/storesql"
	"partnership-service/internal/webhook"
)

// DB is a PostgreSQL connection pool.
type DB struct {
	Pool *pgxpool.Pool
}

// OpenDB connects to url (postgres://…) and checks the connection.
func OpenDB(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	// Times are stored and compared in UTC whatever the server's zone.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
		encodeTimes(conn.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: ping: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Sibling opens a second pool to db's database, with db's settings and at
// most conns connections.
func (db *DB) Sibling(ctx context.Context, conns int32) (*DB, error) {
	cfg := db.Pool.Config() // a copy
	cfg.MaxConns, cfg.MinConns = conns, min(cfg.MinConns, conns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Migrate applies the embedded migrations.
func (db *DB) Migrate(ctx context.Context) error {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	return migrations.Up(ctx, migrations.Postgres, sqlDB)
}

// Ping checks the pool answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// Close closes the pool.
func (db *DB) Close() error {
	db.Pool.Close()
	return nil
}

// Tx runs fn in a transaction, committing when it returns nil.
//
// An Idempotency-Key record pending in ctx is inserted in the same
// transaction (internal/idempotency), and so is an operator's audit entry
// (internal/audit); the webhook deliveries it queues are handed to this
// process's dispatcher once it commits (webhook.Handoff).
func (db *DB) Tx(ctx context.Context, fn func(pgx.Tx) error) error {
	key, fn, err := withPendingKey(ctx, fn)
	if err != nil {
		return err
	}
	entry, fn := withPendingAudit(ctx, fn)
	fn, handed := webhook.WithHandoff(ctx, fn)
	err = pgx.BeginFunc(ctx, db.Pool, fn)
	key.Committed(err)
	entry.Committed(err)
	handed(err)
	return err
}

// MapError turns driver errors into domain errors by SQLSTATE: no rows is
// not_found, unique_violation is conflict, foreign_key_violation is invalid.
// Anything else is internal.
func MapError(err error) error { return storesql.MapError(err, classify) }

// classify reads PostgreSQL's SQLSTATE codes.
func classify(err error) storesql.Violation {
	if errors.Is(err, pgx.ErrNoRows) {
		return storesql.NoRows
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return storesql.Unique
		case "23503":
			return storesql.ForeignKey
		case "22P02", "22003", "22001":
			// invalid_text_representation, numeric_value_out_of_range,
			// string_data_right_truncation.
			return storesql.BadValue
		}
	}
	return storesql.NoViolation
}

// MigrationStatus lists each migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]string, error) {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	return migrations.Status(ctx, migrations.Postgres, sqlDB)
}

// encodeTimes has pgx write a storesql.Time as the timestamptz it holds.
// Its driver.Valuer form is SQLite's text, which pgx, binding a binary
// timestamptz, first failed to encode (formatting an error each time), then
// parsed back into a time: 4% of a lead create's CPU. NULL for the zero
// time, as Value says.
func encodeTimes(m *pgtype.Map) {
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{wrapTime}, m.TryWrapEncodePlanFuncs...)
}

func wrapTime(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	if _, ok := value.(storesql.Time); !ok {
		return nil, nil, false
	}
	return &timePlan{}, time.Time{}, true
}

// timePlan encodes a storesql.Time with the plan of a time.Time.
type timePlan struct{ next pgtype.EncodePlan }

func (p *timePlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *timePlan) Encode(value any, buf []byte) ([]byte, error) {
	t := value.(storesql.Time)
	if t.T.IsZero() {
		return nil, nil
	}
	return p.next.Encode(t.T, buf)
}
