package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWALStaysBounded: under a stream of writes the WAL file never grows
// past the hard bound plus one batch, whether the checkpointer keeps up
// on its own or the writer has to wait for it; and every write is there.
// The writer never checkpoints itself (wal_autocheckpoint=0), so without
// the checkpointer this stream would leave a 19 MiB WAL.
func TestWALStaysBounded(t *testing.T) {
	t.Parallel()
	const soft, hard, row, writes = 256 << 10, 1 << 20, 64 << 10, 300
	db, largest := writeProbes(t, soft, hard, row, writes)
	// One batch here is a row's pages and the index and header pages
	// around it.
	if bound := int64(hard + 2*row); largest > bound {
		t.Errorf("the WAL reached %d bytes after %d writes of %d bytes; want at most %d", largest, writes, row, bound)
	}
	var n int
	if err := db.Reader().QueryRowContext(context.Background(), `SELECT count(*) FROM wal_probe`).Scan(&n); err != nil || n != writes {
		t.Fatalf("stored %d rows, %v; want %d", n, err, writes)
	}
	t.Logf("largest WAL: %d bytes over %d bytes written", largest, writes*row)
}

// TestCheckpointsWaitForNewFrames: once the WAL has started over, the file
// keeps its soft size of old frames, and the checkpointer waits for new
// frames past it instead of checkpointing after every commit (each a
// copy of one batch's pages and an fsync of the database file); and the
// WAL starts over near its soft size, rather than growing to the hard
// bound while the checkpointer chases the writer's new frames.
func TestCheckpointsWaitForNewFrames(t *testing.T) {
	t.Parallel()
	// Each write commits a page or two: 64 pages fill the soft size.
	const soft, hard, row, writes = 256 << 10, 1 << 20, 2000, 600
	db, largest := writeProbes(t, soft, hard, row, writes)
	if largest >= hard {
		t.Errorf("the WAL reached %d bytes, the hard bound %d: it did not start over after the soft size %d", largest, hard, soft)
	}
	runs := db.checkpoints.runs.Load()
	if runs == 0 || runs > writes/5 {
		t.Errorf("%d checkpoints for %d commits; want a few per %d bytes of WAL, not one per commit", runs, writes, soft)
	}
	t.Logf("%d checkpoints for %d commits; largest WAL %d bytes", runs, writes, largest)
}

// writeProbes opens a database whose checkpointer has the soft and hard
// bounds given, commits writes rows of row bytes one by one into a table
// wal_probe, and returns it with the largest size the WAL file reached.
func writeProbes(t *testing.T, soft, hard int64, row, writes int) (*DB, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wal.db")
	db := openDB(t, path)
	db.checkpoints.soft, db.checkpoints.hard = soft, hard
	ctx := context.Background()
	if _, err := db.writer.ExecContext(ctx, fmt.Sprintf(`PRAGMA journal_size_limit = %d`, soft)); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE wal_probe (n INTEGER PRIMARY KEY, body BLOB NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, row)
	var largest int64
	for i := range writes {
		if err := db.Write(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO wal_probe (n, body) VALUES (?, ?)`, i, body)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path + "-wal"); err == nil {
			largest = max(largest, st.Size())
		}
	}
	return db, largest
}
