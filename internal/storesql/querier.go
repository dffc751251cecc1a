package storesql

import (
	"context"

	"partnership-service/internal/apperr"
)

// Querier runs SQL written once, with ? placeholders, on either engine;
// the PostgreSQL adapter rebinds them to $1, $2, … (once per query text).
// Statements shared through it use only what both dialects accept
// (RETURNING, ON CONFLICT, COALESCE…); what differs stays in the adapters.
type Querier interface {
	QueryRow(ctx context.Context, query string, args ...any) Row
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// Exec runs a statement and reports how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
}

// Copier is a transaction that loads many rows in one go (PostgreSQL's
// COPY), where one INSERT a row would cost a round trip each. A Querier
// without it (SQLite's writer, in process) gets one prepared INSERT a row.
type Copier interface {
	CopyRows(ctx context.Context, table string, columns []string, rows [][]any) error
}

// Rows is an open result: a Cursor the caller closes.
type Rows interface {
	Cursor
	Close() error
}

// DB is an engine as the shared store code sees it. Its Querier methods
// read outside any transaction (SQLite's reader pool); a write goes
// through Write, which on SQLite joins the single writer's group commit.
type DB interface {
	Querier
	// Write runs fn in one write transaction: fn's error rolls back its
	// changes and is returned as is.
	Write(ctx context.Context, fn func(tx Querier) error) error
	// ReadSnapshot runs fn in one read-only transaction, so every query in
	// it sees the same committed state (a count and its page, a catalog).
	ReadSnapshot(ctx context.Context, fn func(tx Querier) error) error
	// MapError turns the engine's errors into domain errors by their codes
	// (no rows: not_found; unique violation: conflict; …).
	MapError(err error) error
}

// QueryAll runs query on q and scans every row with scan; nil when there
// are none.
func QueryAll[T any](ctx context.Context, q Querier, scan func(Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return CollectAll(rows, scan)
}

// ExecOne runs a statement that must change exactly one row; when it
// changes none, the record is not there: not_found.
func ExecOne(ctx context.Context, q Querier, query string, args ...any) error {
	n, err := q.Exec(ctx, query, args...)
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "not found")
	}
	return err
}

// Scalar scans a row of one column.
func Scalar[T any](row Row) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}
