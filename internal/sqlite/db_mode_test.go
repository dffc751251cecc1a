package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDatabaseFilesArePrivate: issue 10 #14. The database holds personal
// data; its directory is 0700 and the database, WAL and shared-memory files
// are 0600, also when an older version left the file world-readable.
func TestDatabaseFilesArePrivate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "partnership.db")
	db := openDB(t, path)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkMode(t, dir, 0o700)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		checkMode(t, p, 0o600)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	openDB(t, path) // opening makes the file private again
	checkMode(t, path, 0o600)
}

// openDB opens the database at path, closed at the test's end.
func openDB(t *testing.T, path string) *DB {
	t.Helper()
	db, err := OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
	}
}
