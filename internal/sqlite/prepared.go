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

// stmtCache prepares on a pool, on first use, the texts its users run and
// keeps them: the lead list's (one per combination of filters and plan, a
// few dozen), every text of the shared store code. Texts built with a
// varying number of placeholders (IN lists) are many but bounded; past
// maxCachedStmts a new text runs unprepared (get answers nil).
type stmtCache struct {
	pool    *sql.DB
	mu      sync.RWMutex
	stmts   statements
	queued  map[string]bool
	closed  bool
	pending sync.WaitGroup
}

const maxCachedStmts = 512

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: statements{}, queued: map[string]bool{}}
}

// cached is query's statement if it is prepared; else nil, and query is
// prepared in the background for its next run. It is what a transaction
// uses: preparing on the pool there would wait for a connection the
// transaction may hold (the writer has one).
func (c *stmtCache) cached(query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.stmts[query]
	c.mu.RUnlock()
	if ok {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.queued[query] || c.closed || len(c.stmts)+len(c.queued) >= maxCachedStmts {
		return nil
	}
	c.queued[query] = true
	c.pending.Add(1)
	go func() {
		defer c.pending.Done()
		_, _ = c.get(context.Background(), query) // a failing text fails again where it runs
		c.mu.Lock()
		delete(c.queued, query)
		c.mu.Unlock()
	}()
	return nil
}

// get is query's statement, prepared now if need be (nil once the cache is
// full), for a caller holding none of the pool's connections. The lock is
// not held while preparing, which may wait for a connection.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= maxCachedStmts || c.closed
	c.mu.RUnlock()
	if ok || full {
		return st, nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.stmts[query]; ok || c.closed {
		st.Close()
		return kept, nil
	}
	c.stmts[query] = st
	return st, nil
}

// Close waits for the preparations under way and releases the statements.
func (c *stmtCache) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.pending.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts.Close()
}

// preparedDB is db.Shared() running the reads it holds as statements
// prepared at open on the reader pool, and the writes it holds bound to
// each transaction of the single writer; any other text runs on the
// statement Shared() keeps for it (DB.readStmts, DB.writeStmts).
type preparedDB struct {
	storesql.DB
	db            *DB
	reads, writes statements
}

// lookupInTx is a transaction's statement for query: one of stmts, else
// lazy's; a statement lazy has not prepared yet is prepared in the
// background (see stmtCache.cached), and nil runs the text as is.
func lookupInTx(stmts statements, lazy *stmtCache, query string) *sql.Stmt {
	if st, ok := stmts[query]; ok {
		return st
	}
	if lazy == nil {
		return nil
	}
	return lazy.cached(query)
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

// errRow is a row whose query could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (p preparedDB) Write(ctx context.Context, fn func(storesql.Querier) error) error {
	return p.db.Write(ctx, func(tx *sql.Tx) error { return fn(p.db.writeTx(tx, p.writes)) })
}

// ReadSnapshot runs fn in one read transaction on the reader pool, its
// reads on their prepared statements: preparing a lead's four statements
// anew took most of a lead GET's time.
func (p preparedDB) ReadSnapshot(ctx context.Context, fn func(storesql.Querier) error) error {
	return p.db.readTx(ctx, func(tx *sql.Tx) error { return fn(preparedTx{tx: tx, stmts: p.reads, lazy: p.db.readStmts}) })
}

// preparedTx is one transaction running the texts it holds (and, with
// lazy, those it prepares on first use) as their prepared statements,
// bound to it with tx.StmtContext; any other text runs as is.
type preparedTx struct {
	tx    *sql.Tx
	stmts statements
	lazy  *stmtCache
	// batch marks a transaction of the writer's batch, whose statements
	// run without their caller's cancellation (see statementContext).
	batch bool
}

// statementContext is ctx for a statement of t. In the writer's batch it
// keeps the caller's values but not its cancellation: the driver
// interrupts a statement whose context ends, and SQLite answers an
// interrupted write inside a transaction by rolling the whole transaction
// back, so one client hanging up mid-batch undid the batch and failed
// every other write in it with a 500 ("no such savepoint"). A caller who
// gives up is still answered by Write, which waits for the batch's
// outcome; and a context that cannot end spares each statement the
// driver's watcher goroutine.
func (t preparedTx) statementContext(ctx context.Context) context.Context {
	if t.batch {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (t preparedTx) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	ctx = t.statementContext(ctx)
	if st := lookupInTx(t.stmts, t.lazy, query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t preparedTx) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	ctx = t.statementContext(ctx)
	if st := lookupInTx(t.stmts, t.lazy, query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t preparedTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	ctx = t.statementContext(ctx)
	var res sql.Result
	var err error
	if st := lookupInTx(t.stmts, t.lazy, query); st != nil {
		res, err = t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		res, err = t.tx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
