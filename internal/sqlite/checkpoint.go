package sqlite

import (
	"context"
	"database/sql"
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
//     checkpoint once the WAL file grows past walCheckpointBytes: it copies the
//     frames no reader still needs and fsyncs the database file while the
//     writer goes on appending and the readers go on reading, since PASSIVE
//     takes no lock either of them waits on;
//   - once a checkpoint has copied every frame, the writer's next
//     transaction starts the WAL over from its beginning, and its commit
//     cuts the file back to walCheckpointBytes (journal_size_limit). The
//     file then holds that many bytes of old frames being overwritten, so
//     only a file larger than that has new frames to copy (see due):
//     checkpointing at that size ran a checkpoint, and an fsync of the
//     database file, after every commit (a sixth of a lead create's CPU),
//     copying each batch's pages where waiting lets the pages every batch
//     rewrites (the indexes' last leaves, the counters) be copied once;
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
	conn    *sql.DB
	walPath string
	// soft and hard are walCheckpointBytes and walMaxBytes; tests lower
	// them.
	soft, hard int64
	nudge      chan struct{} // a commit happened: look at the WAL's size
	runs       atomic.Int64  // checkpoints run, for tests
	sync       chan chan error
	stop, done chan struct{}
	stopOnce   sync.Once
}

func newCheckpointer(path, dsn string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c := &checkpointer{conn: conn, walPath: path + "-wal", soft: walCheckpointBytes, hard: walMaxBytes,
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

// beforeBatch makes the writer wait for a checkpoint when the WAL file has
// passed the hard bound.
func (c *checkpointer) beforeBatch() {
	if c.walSize() < c.hard {
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
	// copiedTo is the WAL's size when the last checkpoint began: the frames
	// below it are in the database file (or were left for a reader).
	var copiedTo int64
	for {
		select {
		case <-c.nudge:
			size := c.walSize()
			if size < copiedTo {
				copiedTo = 0 // the WAL started over and was cut back
			}
			if c.due(size, copiedTo) {
				copiedTo = size
				if err := c.checkpoint(); err != nil {
					slog.Warn("sqlite: passive checkpoint failed", "err", err)
				}
			}
		case reply := <-c.sync:
			copiedTo = c.walSize()
			reply <- c.checkpoint()
		case <-c.stop:
			return
		}
	}
}

// due reports whether a WAL file of size bytes, copied up to copiedTo,
// has frames enough to checkpoint. After a start-over only a file past the
// soft size has new frames beyond the old ones it overwrites. While the
// writer keeps the WAL from starting over (it appends during every
// checkpoint), one checkpoint per quarter of the soft size of new frames
// keeps the file growing slowly towards the hard bound, where one per
// commit copied each batch's pages and fsynced the database file for it.
func (c *checkpointer) due(size, copiedTo int64) bool {
	return size > c.soft && size-copiedTo >= c.soft/4
}

// checkpoint runs one PASSIVE checkpoint: it never waits for a lock, and
// copies what it can.
func (c *checkpointer) checkpoint() error {
	c.runs.Add(1)
	var busy, logFrames, copied int
	return c.conn.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &copied)
}

// Close stops the goroutine and closes the connection; again, it does
// nothing.
func (c *checkpointer) Close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}
