package sqlite

import (
	"context"
	"database/sql"

	"partnership-service/internal/storesql"
)

// shared is the database as storesql's shared store code sees it: reads on
// the reader pool, writes through the group-committing writer.
type shared struct{ db *DB }

var _ storesql.DB = shared{}

// Shared is db for the store code both engines share.
func (db *DB) Shared() storesql.DB { return shared{db} }

func (s shared) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	st, err := s.db.readStmts.get(ctx, query)
	switch {
	case err != nil:
		return errRow{err}
	case st != nil:
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.reader.QueryRowContext(ctx, query, args...)
}

func (s shared) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	st, err := s.db.readStmts.get(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.QueryContext(ctx, args...)
	}
	return s.db.reader.QueryContext(ctx, query, args...)
}

func (s shared) Exec(ctx context.Context, query string, args ...any) (n int64, err error) {
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		n, err = s.db.writeTx(tx, nil).Exec(ctx, query, args...)
		return err
	})
	return n, err
}

func (s shared) Write(ctx context.Context, fn func(storesql.Querier) error) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error { return fn(s.db.writeTx(tx, nil)) })
}

// ReadSnapshot runs fn in a read transaction on the reader pool: one
// snapshot of the WAL.
func (s shared) ReadSnapshot(ctx context.Context, fn func(storesql.Querier) error) error {
	return s.db.readTx(ctx, func(tx *sql.Tx) error { return fn(preparedTx{tx: tx, lazy: s.db.readStmts}) })
}

// writeTx is tx of the writer's batch, running stmts (nil: the shared
// store code's, prepared on first use) as prepared statements.
func (db *DB) writeTx(tx *sql.Tx, stmts statements) preparedTx {
	return preparedTx{tx: tx, stmts: stmts, lazy: db.writeStmts, batch: true}
}

// readTx runs fn in a read-only transaction on the reader pool.
func (db *DB) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

func (shared) MapError(err error) error { return MapError(err) }
