package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"partnership-service/internal/sqlite"
	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

// TestConformance runs the storage conformance suite on SQLite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Stores { return testdb.SQLite(t) })
}

// TestGroupCommitIsolatesFailures runs many concurrent writes, some of which
// fail: every successful one must be stored and no failed one may leave a
// trace, even when they share a commit.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t).DB
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE gc_probe (n INTEGER PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	errOdd := errors.New("odd numbers are refused")
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = db.Write(ctx, func(tx *sql.Tx) error {
				if _, err := tx.Exec(`INSERT INTO gc_probe (n) VALUES (?)`, i); err != nil {
					return err
				}
				if i%2 == 1 {
					return errOdd // after the insert: the savepoint must undo it
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%2 == 1 && !errors.Is(err, errOdd) {
			t.Fatalf("write %d: err = %v, want errOdd", i, err)
		}
		if i%2 == 0 && err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	var count, odd int
	if err := db.Reader().QueryRow(`SELECT count(*), coalesce(sum(n % 2), 0) FROM gc_probe`).Scan(&count, &odd); err != nil {
		t.Fatal(err)
	}
	if count != n/2 || odd != 0 {
		t.Fatalf("stored %d rows with %d odd, want %d rows and no odd", count, odd, n/2)
	}
}

func TestWriteAfterCloseFails(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t).DB
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err := db.Write(context.Background(), func(*sql.Tx) error { return nil })
	if !errors.Is(err, sqlite.ErrClosed) {
		t.Fatalf("Write after Close = %v, want ErrClosed", err)
	}
}

func BenchmarkWriteParallel(b *testing.B) {
	db := testdb.SQLite(b).DB
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE bench (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := db.Write(ctx, func(tx *sql.Tx) error {
				_, err := tx.Exec(`INSERT INTO bench (v) VALUES ('x')`)
				return err
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestCallerHangingUpSparesItsBatch: a caller whose context ends while its
// write runs in a shared batch neither undoes the batch nor fails the
// other writes in it. (The driver interrupts a statement whose context
// ends, and SQLite rolls an interrupted write's whole transaction back:
// the other writes of the batch got a 500.) The write of the caller who
// hung up completes too, since Write reports whether it committed.
func TestCallerHangingUpSparesItsBatch(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t).DB
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE hangup_probe (n INTEGER PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The writer waits inside a batch of its own while the others queue,
	// so that they share the next one.
	release := make(chan struct{})
	blocked := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = db.Write(ctx, func(*sql.Tx) error { close(blocked); <-release; return nil })
	})
	<-blocked
	const rows, others = 20_000, 8
	hangUp, cancel := context.WithCancel(ctx)
	running := make(chan struct{})
	var hungUpErr error
	wg.Go(func() {
		hungUpErr = db.Shared().Write(hangUp, func(q storesql.Querier) error {
			close(running)
			_, err := q.Exec(hangUp, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
				INSERT INTO hangup_probe (n) SELECT x FROM c`, rows)
			return err
		})
	})
	errs := make([]error, others)
	for i := range others {
		wg.Go(func() {
			errs[i] = db.Shared().Write(ctx, func(q storesql.Querier) error {
				_, err := q.Exec(ctx, `INSERT INTO hangup_probe (n) VALUES (?)`, rows+1+i)
				return err
			})
		})
	}
	time.Sleep(100 * time.Millisecond) // the writes queue behind the blocked batch
	close(release)
	<-running
	cancel()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d of the batch: %v", i, err)
		}
	}
	if hungUpErr != nil {
		t.Errorf("the write whose caller hung up: %v", hungUpErr)
	}
	var n int
	if err := db.Reader().QueryRow(`SELECT count(*) FROM hangup_probe`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != rows+others {
		t.Errorf("stored %d rows, want %d", n, rows+others)
	}
}
