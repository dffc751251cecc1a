package postgres

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"partnership-service/internal/audit"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/storesql"
)

// shared is the pool as storesql's shared store code sees it.
type shared struct{ db *DB }

var _ storesql.DB = shared{}

// Shared is db for the store code both engines share.
func (db *DB) Shared() storesql.DB { return shared{db} }

func (s shared) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	return s.db.Pool.QueryRow(ctx, rebind(query), args...)
}

func (s shared) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	return queryRows(s.db.Pool.Query(ctx, rebind(query), args...))
}

func (s shared) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if idempotency.FromContext(ctx) != nil || audit.FromContext(ctx) != nil {
		// A change guarded by an Idempotency-Key commits with its record,
		// an operator's change with its audit entry.
		var n int64
		err := s.Write(ctx, func(tx storesql.Querier) (err error) {
			n, err = tx.Exec(ctx, query, args...)
			return err
		})
		return n, err
	}
	tag, err := s.db.Pool.Exec(ctx, rebind(query), args...)
	return tag.RowsAffected(), err
}

func (s shared) Write(ctx context.Context, fn func(storesql.Querier) error) error {
	return s.db.Tx(ctx, func(tx pgx.Tx) error { return fn(txQuerier{tx}) })
}

// ReadSnapshot runs fn in a read-only, repeatable-read transaction.
func (s shared) ReadSnapshot(ctx context.Context, fn func(storesql.Querier) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return pgx.BeginTxFunc(ctx, s.db.Pool, opts, func(tx pgx.Tx) error { return fn(txQuerier{tx}) })
}

func (shared) MapError(err error) error { return MapError(err) }

// txQuerier runs the shared code inside one transaction.
type txQuerier struct{ tx pgx.Tx }

func (t txQuerier) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	return t.tx.QueryRow(ctx, rebind(query), args...)
}

func (t txQuerier) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	return queryRows(t.tx.Query(ctx, rebind(query), args...))
}

func (t txQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(ctx, rebind(query), args...)
	return tag.RowsAffected(), err
}

// CopyRows implements storesql.Copier with COPY FROM STDIN.
func (t txQuerier) CopyRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
	return err
}

func queryRows(rows pgx.Rows, err error) (storesql.Rows, error) {
	if err != nil {
		return nil, err
	}
	return pgxRows{rows}, nil
}

// pgxRows gives pgx's rows the Close that database/sql's have.
type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

// rebound caches each query's PostgreSQL spelling: the shared statements
// are a fixed, small set.
var rebound sync.Map // string → string

// rebind turns the shared SQL's ? placeholders into $1, $2, …. The shared
// statements never hold a ? inside a literal.
func rebind(query string) string {
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}
