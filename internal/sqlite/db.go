// Package sqlite is the embedded store: pure-Go SQLite (modernc.org/sqlite)
// in WAL mode with one writer connection and a pool of readers. All writes go
// through one goroutine that commits concurrent writes together (group
// commit), so a durable (fsynced) write costs one fsync per batch, not one
// per request.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"partnership-service/internal/migrations"
	"partnership-service/internal/storesql"
	"partnership-service/internal/webhook"
)

// maxBatch bounds how many queued writes share one commit, so one batch
// cannot hold the write lock for long.
const maxBatch = 256

// DB is an open SQLite database.
type DB struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	// readStmts and writeStmts are the statements of the shared store
	// code (Shared), prepared on first use on the reader pool and on the
	// writer: preparing anew cost a small query most of its time.
	readStmts, writeStmts *stmtCache
	checkpoints           *checkpointer
	queue                 chan *writeOp
	stop                  chan struct{}
	done                  chan struct{}

	// closeMu makes "not closed, so enqueue" atomic against Close, so no
	// write is queued after the writer's final drain.
	closeMu sync.RWMutex
	closed  bool
}

type writeOp struct {
	ctx   context.Context
	fn    func(*sql.Tx) error
	err   error
	panic any
	done  chan struct{}
}

// OpenDB opens (creating if needed) the database file at path. It does not
// migrate; call Migrate.
func OpenDB(path string) (*DB, error) {
	// The database holds personal data: only the service's user may read
	// it. SQLite gives its -wal and -shm files the database file's mode,
	// so creating the file first, 0600, covers them too; a file an older
	// version created with the umask's mode is tightened.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create data dir: %w", err)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	// synchronous(FULL): in WAL mode NORMAL does not fsync on commit, and a
	// 201 must mean the record survives a power cut.
	common := url.Values{}
	common.Add("_pragma", "busy_timeout(10000)")
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_pragma", "journal_mode(WAL)")
	common.Add("_pragma", "synchronous(FULL)")
	// Each grouped write runs under a savepoint, whose page copies go to a
	// statement journal: in memory, not a temp file written per write.
	common.Add("_pragma", "temp_store(MEMORY)")
	checkpointDSN := "file:" + path + "?" + common.Encode()
	// The writer never checkpoints and keeps the WAL file near the
	// checkpointer's threshold (checkpoint.go).
	common.Add("_pragma", "wal_autocheckpoint(0)")
	common.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walCheckpointBytes))
	writerDSN := "file:" + path + "?" + common.Encode() + "&_txlock=immediate"
	readerQ := url.Values{}
	readerQ.Add("_pragma", "busy_timeout(10000)")
	readerQ.Add("_pragma", "foreign_keys(1)")
	readerQ.Add("_pragma", "query_only(1)")
	readerDSN := "file:" + path + "?" + readerQ.Encode()

	writer, err := sql.Open("sqlite", writerDSN)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	// Touch the file now so journal_mode(WAL) is set before readers open it.
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", readerDSN)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open reader: %w", err)
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	reader.SetConnMaxLifetime(0)
	checkpoints, err := newCheckpointer(path, checkpointDSN)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, err
	}

	db := &DB{
		path:        path,
		writer:      writer,
		reader:      reader,
		readStmts:   newStmtCache(reader),
		writeStmts:  newStmtCache(writer),
		checkpoints: checkpoints,
		queue:       make(chan *writeOp, maxBatch),
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
	}
	go db.writeLoop()
	return db, nil
}

// createPrivate creates path empty with mode 0600 if it does not exist (an
// empty file is a valid, new SQLite database), and takes group and other
// permissions off an existing one and its -wal and -shm files.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	st, err := f.Stat()
	f.Close()
	if err != nil {
		return fmt.Errorf("sqlite: stat %s: %w", path, err)
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o077 == 0 {
		return nil
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sqlite: chmod %s: %w", p, err)
		}
	}
	return nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Reader is the read-only pool; use it for every query outside Write.
func (db *DB) Reader() *sql.DB { return db.reader }

// Writer is the single write connection, for preparing statements that are
// then bound to a write transaction with tx.StmtContext.
func (db *DB) Writer() *sql.DB { return db.writer }

// Migrate applies the embedded migrations.
func (db *DB) Migrate(ctx context.Context) error {
	return migrations.Up(ctx, migrations.SQLite, db.writer)
}

// Ping checks that both pools answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.reader.PingContext(ctx); err != nil {
		return err
	}
	return db.writer.PingContext(ctx)
}

// Close stops the writer after the queued writes and closes the pools.
func (db *DB) Close() error {
	db.closeMu.Lock()
	if !db.closed {
		db.closed = true
		close(db.stop)
	}
	db.closeMu.Unlock()
	<-db.done
	return errors.Join(db.readStmts.Close(), db.writeStmts.Close(), db.checkpoints.Close(), db.reader.Close(), db.writer.Close(),
		db.checkpoints.closeFile())
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("sqlite: database closed")

// Write runs fn inside a write transaction shared with other concurrent
// writes. fn runs under its own savepoint: if it returns an error, only its
// changes are rolled back and the error is returned; the others commit. Write
// returns after the batch is durably committed. fn must not keep tx.
//
// The records pending in ctx (an Idempotency-Key's, an audit entry) are
// written in fn's savepoint, and the webhook deliveries fn queues are
// handed to this process's dispatcher once it commits (webhook.Handoff).
func (db *DB) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key, fn, err := db.withPendingKey(ctx, fn)
	if err != nil {
		return err
	}
	entry, fn := db.withPendingAudit(ctx, fn)
	fn, handed := webhook.WithHandoff(ctx, fn)
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan struct{})}
	if err := db.enqueue(ctx, op); err != nil {
		return err
	}
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// know whether its write committed.
	<-op.done
	if op.panic != nil {
		panic(op.panic)
	}
	key.Committed(op.err)
	entry.Committed(op.err)
	handed(op.err)
	return op.err
}

func (db *DB) enqueue(ctx context.Context, op *writeOp) error {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return ErrClosed
	}
	select {
	case db.queue <- op:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (db *DB) writeLoop() {
	defer close(db.done)
	for {
		var first *writeOp
		select {
		case first = <-db.queue:
		case <-db.stop:
			// Drain what was queued before the stop.
			for {
				select {
				case op := <-db.queue:
					db.commit([]*writeOp{op})
					db.checkpoints.committed()
				default:
					return
				}
			}
		}
		batch := []*writeOp{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case op := <-db.queue:
				batch = append(batch, op)
			default:
				break drain
			}
		}
		db.checkpoints.beforeBatch()
		db.commit(batch)
		db.checkpoints.committed()
	}
}

func (db *DB) commit(batch []*writeOp) {
	defer func() {
		for _, op := range batch {
			close(op.done)
		}
	}()
	fail := func(err error) {
		for _, op := range batch {
			if op.err == nil && op.panic == nil {
				op.err = err
			}
		}
	}
	// The batch's own context is not any caller's: one caller giving up must
	// not abort the others' commit.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("sqlite: begin: %w", err))
		return
	}
	applied := 0
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.err = err
			continue
		}
		if err := db.apply(ctx, tx, op); err != nil {
			_ = tx.Rollback()
			fail(err)
			return
		}
		if op.err == nil && op.panic == nil {
			applied++
		}
	}
	if applied == 0 {
		_ = tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("sqlite: commit: %w", err))
	}
}

// apply runs one op under a savepoint. The returned error is fatal for the
// whole batch (the savepoint itself failed); the op's own error is in op.err.
func (db *DB) apply(ctx context.Context, tx *sql.Tx, op *writeOp) (fatal error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT op"); err != nil {
		return fmt.Errorf("sqlite: savepoint: %w", err)
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				op.panic = p
			}
		}()
		op.err = op.fn(tx)
	}()
	if op.err != nil || op.panic != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO op"); err != nil {
			return fmt.Errorf("sqlite: rollback to savepoint: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE op"); err != nil {
		return fmt.Errorf("sqlite: release savepoint: %w", err)
	}
	return nil
}

// MapError turns driver errors into domain errors by their codes: no rows
// is not_found, a unique or primary-key violation is conflict, a foreign-key
// violation is invalid. Anything else is internal.
func MapError(err error) error { return storesql.MapError(err, classify) }

// classify reads SQLite's extended result codes.
func classify(err error) storesql.Violation {
	if errors.Is(err, sql.ErrNoRows) {
		return storesql.NoRows
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return storesql.Unique
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return storesql.ForeignKey
		}
	}
	return storesql.NoViolation
}

// MigrationStatus lists each migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]string, error) {
	return migrations.Status(ctx, migrations.SQLite, db.writer)
}

// collect scans every row of rows and closes them, nil when there are
// none; err is the query's, returned as is.
func collect[T any](rows *sql.Rows, err error, scan func(storesql.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return storesql.CollectAll(rows, scan)
}
