package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

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

// stmtCache prepares on the reader pool, on first use, the texts a store
// builds at run time and keeps them: the lead list's, one per combination
// of filters and plan, a bounded set of a few dozen.
type stmtCache struct {
	pool  *sql.DB
	mu    sync.Mutex
	stmts statements
}

func newStmtCache(pool *sql.DB) *stmtCache { return &stmtCache{pool: pool, stmts: statements{}} }

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

// Close releases the statements.
func (c *stmtCache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts.Close()
}

// preparedDB is db.Shared() running the reads it holds as prepared
// statements on the reader pool, and the writes it holds bound to each
// transaction of the single writer. Any other read is prepared once in
// lazy when there is one; anything else runs as is.
type preparedDB struct {
	storesql.DB
	db            *DB
	reads, writes statements
	lazy          *stmtCache
}

// read is the prepared statement for query, or nil when it runs as is.
func (p preparedDB) read(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := p.reads[query]; ok {
		return st, nil
	}
	if p.lazy == nil {
		return nil, nil
	}
	return p.lazy.get(ctx, query)
}

func (p preparedDB) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	st, err := p.read(ctx, query)
	switch {
	case err != nil:
		return errRow{err}
	case st != nil:
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRow(ctx, query, args...)
}

func (p preparedDB) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	st, err := p.read(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.QueryContext(ctx, args...)
	}
	return p.DB.Query(ctx, query, args...)
}

// errRow is a row whose query could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

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
