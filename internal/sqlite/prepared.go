package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"partnership-service/internal/storesql"
)

// statements are a store's prepared statements by their query text: the
// shared store code (storesql) names a statement by its text, and SQLite
// runs the one prepared for it, on hot paths where re-preparing would cost.
type statements map[string]*sql.Stmt

// prepareAll prepares every text on pool; on failure nothing stays open.
func prepareAll(ctx context.Context, pool *sql.DB, texts []string) (statements, error) {
	s := statements{}
	for _, text := range texts {
		st, err := pool.PrepareContext(ctx, text)
		if err != nil {
			return nil, errors.Join(err, s.Close())
		}
		s[text] = st
	}
	return s, nil
}

// Close releases the statements.
func (s statements) Close() error {
	var errs []error
	for _, st := range s {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// preparedDB is db.Shared() running the reads it holds as prepared
// statements on the reader pool, and the writes it holds bound to each
// transaction of the single writer. Any other text runs as is.
type preparedDB struct {
	storesql.DB
	db            *DB
	reads, writes statements
}

func (p preparedDB) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	if st, ok := p.reads[query]; ok {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRow(ctx, query, args...)
}

func (p preparedDB) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	if st, ok := p.reads[query]; ok {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.Query(ctx, query, args...)
}

func (p preparedDB) Write(ctx context.Context, fn func(storesql.Querier) error) error {
	return p.db.Write(ctx, func(tx *sql.Tx) error { return fn(preparedTx{tx: tx, stmts: p.writes}) })
}

// preparedTx is one write transaction running the texts it holds as their
// prepared statements.
type preparedTx struct {
	tx    *sql.Tx
	stmts statements
}

func (t preparedTx) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t preparedTx) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t preparedTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	st, ok := t.stmts[query]
	if !ok {
		return txQuerier{t.tx}.Exec(ctx, query, args...)
	}
	res, err := t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
