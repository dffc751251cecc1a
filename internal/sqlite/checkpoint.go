package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
)

// WAL checkpoints (issue 13). By default SQLite checkpoints inside the
// COMMIT that takes the WAL past 1000 pages, on the committing connection:
// here the single writer, so every write queued behind that commit waited
// for the checkpoint to copy the WAL into the database file and fsync it,
// the lead create's tail of hundreds of milliseconds that came and went.
// Instead:
//
//   - the writer never checkpoints (wal_autocheckpoint=0);
//   - a checkpointer goroutine on its own connection runs a PASSIVE
//     checkpoint once the WAL file grows past walCheckpointBytes: it copies
//     the frames no reader still needs while the writer goes on appending
//     and the readers go on reading, since PASSIVE takes no lock either of
//     them waits on; then it fsyncs the database file itself, so the pages
//     it copied reach the disk off the writer's path too;
//   - the frames the writer appended meanwhile (a batch or two) are the
//     tail: before its next batch the writer waits for one more checkpoint
//     of just those, and, every frame copied, its next transaction starts
//     the WAL over from its beginning and its commit cuts the file back to
//     walCheckpointBytes (journal_size_limit). Without that pause the
//     checkpointer chased the writer: every checkpoint left the frames of
//     the commits made during it, so the WAL never started over until the
//     hard bound below, and cutting a 64 MiB file back stalled a commit
//     for 26 ms; checkpointing whenever the file was at least the soft
//     size (as it is right after a start-over) had run one after every
//     commit, a sixth of a lead create's CPU;
//   - should the checkpointer fall behind anyway (a burst of writes on a
//     slow disk, a reader holding an old snapshot), the writer itself waits
//     for a checkpoint before a batch once the file has passed walMaxBytes:
//     a write is always durable, the file is bounded, and only then is the
//     writer's latency spent.
const (
	walCheckpointBytes = 4 << 20  // about SQLite's default of 1000 pages
	walMaxBytes        = 64 << 20 // the file's bound, plus one batch
)

// checkpointer runs the passive checkpoints on its own connection.
type checkpointer struct {
	conn *sql.DB
	// dbFile is the database file, open for fsyncs, and closed only after
	// every SQLite connection (closeFile): closing any descriptor of a file
	// drops all of the process's POSIX locks on it, SQLite's included.
	dbFile  *os.File
	walPath string
	// soft and hard are walCheckpointBytes and walMaxBytes; tests lower
	// them.
	soft, hard int64
	nudge      chan struct{} // a commit happened: look at the WAL's size
	// tail is set once a background checkpoint has copied the bulk of the
	// WAL: the writer's next batch waits for the rest to be copied.
	tail       atomic.Bool
	runs       atomic.Int64 // checkpoints run, for tests
	sync       chan chan error
	stop, done chan struct{}
	stopOnce   sync.Once
}

func newCheckpointer(path, dsn string) (*checkpointer, error) {
	dbFile, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		dbFile.Close()
		return nil, fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c := &checkpointer{conn: conn, dbFile: dbFile, walPath: path + "-wal", soft: walCheckpointBytes, hard: walMaxBytes,
		nudge: make(chan struct{}, 1), sync: make(chan chan error), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

// walSize is the WAL file's size, 0 when there is none.
func (c *checkpointer) walSize() int64 {
	st, err := os.Stat(c.walPath)
	if err != nil {
		return 0
	}
	return st.Size()
}

// committed tells the checkpointer that the WAL grew, without waiting.
func (c *checkpointer) committed() {
	select {
	case c.nudge <- struct{}{}:
	default:
	}
}

// beforeBatch makes the writer wait for a checkpoint of the WAL's tail
// once the bulk is copied, or of all of it when the file has passed the
// hard bound.
func (c *checkpointer) beforeBatch() {
	if !c.tail.Swap(false) && c.walSize() < c.hard {
		return
	}
	reply := make(chan error)
	select {
	case c.sync <- reply:
		if err := <-reply; err != nil {
			slog.Warn("sqlite: checkpoint before a write batch failed", "err", err)
		}
	case <-c.done:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.nudge:
			// After a start-over the file keeps its soft size of old
			// frames being overwritten: only past it are there new ones.
			if c.tail.Load() || c.walSize() <= c.soft {
				continue
			}
			if err := c.checkpoint(); err != nil {
				slog.Warn("sqlite: passive checkpoint failed", "err", err)
				continue
			}
			if err := c.syncDatabase(); err != nil {
				slog.Warn("sqlite: fsync after a checkpoint failed", "err", err)
			}
			c.tail.Store(true)
		case reply := <-c.sync:
			reply <- c.checkpoint()
		case <-c.stop:
			return
		}
	}
}

// checkpoint runs one PASSIVE checkpoint: it never waits for a lock, and
// copies what it can.
func (c *checkpointer) checkpoint() error {
	c.runs.Add(1)
	var busy, logFrames, copied int
	return c.conn.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &copied)
}

// syncDatabase fsyncs the database file, whose pages a checkpoint that
// stopped short of the WAL's end wrote without one.
func (c *checkpointer) syncDatabase() error { return c.dbFile.Sync() }

// Close stops the goroutine and closes the connection; again, it does
// nothing.
func (c *checkpointer) Close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}

// closeFile closes the database file once no SQLite connection is open;
// again, it does nothing.
func (c *checkpointer) closeFile() error {
	if err := c.dbFile.Close(); !errors.Is(err, os.ErrClosed) {
		return err
	}
	return nil
}
