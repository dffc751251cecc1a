package sqlite

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/storesql"
)

// TestSharedStatementsAreKept: the shared store code's texts end up
// prepared once, a read's at its first run and a write's in the background
// (the writer's one connection is held by the transaction that first runs
// it: preparing there at once would wait for ever), and a write keeps
// working meanwhile.
func TestSharedStatementsAreKept(t *testing.T) {
	db := openDB(t, t.TempDir()+"/db.sqlite")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := db.Shared()
	if _, err := s.Exec(ctx, `CREATE TABLE probe (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	const insert, count = `INSERT INTO probe (n) VALUES (?)`, `SELECT count(*) FROM probe`
	for i := range 50 {
		if err := s.Write(ctx, func(q storesql.Querier) error {
			_, err := q.Exec(ctx, insert, i)
			return err
		}); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	var n int
	if err := s.QueryRow(ctx, count).Scan(&n); err != nil || n != 50 {
		t.Fatalf("count = %d, %v", n, err)
	}
	if db.readStmts.cached(count) == nil {
		t.Error("the read's statement was not kept")
	}
	for db.writeStmts.cached(insert) == nil {
		if ctx.Err() != nil {
			t.Fatal("the write's statement was never prepared")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
