// Package testdb gives tests real, migrated databases: a fresh SQLite file
// per test, and (when PARTNERSHIP_TEST_POSTGRES_URL is set) a fresh
// PostgreSQL database per test, cloned from a migrated template so the
// reference data is loaded once per schema version, not once per test.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"partnership-service/internal/migrations"
	"partnership-service/internal/postgres"
	"partnership-service/internal/sqlite"
	"partnership-service/internal/storage"
	"partnership-service/internal/testkit"
)

// PostgresURLEnv turns the PostgreSQL tests on.
const PostgresURLEnv = "PARTNERSHIP_TEST_POSTGRES_URL"

// Each runs fn as a subtest per engine, with that engine's stores on a
// fresh database: "sqlite" always, "postgres" when
// PARTNERSHIP_TEST_POSTGRES_URL is set (skipped with a message otherwise).
func Each(t *testing.T, fn func(t *testing.T, s storage.Stores)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

var sqliteTemplate = sync.OnceValues(func() (string, error) {
	path := filepath.Join(os.TempDir(), "partnership-test-"+migrations.Fingerprint(migrations.SQLite)+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	// Build in a private file and rename, so parallel test binaries never
	// see a half-built template.
	tmp := fmt.Sprintf("%s.%s.tmp", path, randomHex(6))
	db, err := sqlite.Open(context.Background(), tmp)
	if err != nil {
		return "", err
	}
	// Closing the last connection checkpoints the WAL into the main file.
	if err := db.Close(); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	return path, os.Rename(tmp, path)
})

// SQLite returns the stores of a migrated SQLite database in tb's temp dir,
// closed at cleanup.
func SQLite(tb testing.TB) *sqlite.Stores {
	tb.Helper()
	tmpl, err := sqliteTemplate()
	if err != nil {
		tb.Fatalf("testdb: build sqlite template: %v", err)
	}
	path := filepath.Join(tb.TempDir(), "test.db")
	if err := copyFile(tmpl, path); err != nil {
		tb.Fatalf("testdb: copy template: %v", err)
	}
	// Migrating a copy of the template is a no-op unless it is stale.
	db, err := sqlite.Open(context.Background(), path)
	return opened(tb, "sqlite", db, err)
}

// opened fails tb with err, or returns the stores s, closed at cleanup.
func opened[S interface{ Close() error }](tb testing.TB, engine string, s S, err error) S {
	tb.Helper()
	if err != nil {
		tb.Fatalf("testdb: open %s: %v", engine, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// PostgresURL returns the server URL, skipping tb when it is not set.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv(PostgresURLEnv)
	testkit.SkipUnlessPresent(tb, url != "", fmt.Sprintf("PostgreSQL tests are off: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them; .ci/run does", PostgresURLEnv))
	return url
}

// Postgres returns the stores of a fresh, migrated PostgreSQL database,
// dropped at cleanup.
func Postgres(tb testing.TB) *postgres.Stores {
	tb.Helper()
	return OpenPostgres(tb, PostgresDatabase(tb))
}

// OpenPostgres opens the stores of the database at url, closed at cleanup:
// a replica of its own on a database another test helper created.
func OpenPostgres(tb testing.TB, url string) *postgres.Stores {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, url)
	return opened(tb, "postgres", db, err)
}

// PostgresDatabase creates a fresh, migrated PostgreSQL database and
// returns its URL; it is dropped at cleanup (after every cleanup
// registered later, so stores opened on it close first).
func PostgresDatabase(tb testing.TB) string {
	tb.Helper()
	url := PostgresURL(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("testdb: connect %s: %v", PostgresURLEnv, err)
	}
	defer admin.Close(ctx)
	tmpl, err := ensurePostgresTemplate(ctx, admin, url)
	if err != nil {
		tb.Fatalf("testdb: postgres template: %v", err)
	}
	name := "partnership_test_" + randomHex(8)
	if err := createFromTemplate(ctx, admin, name, tmpl); err != nil {
		tb.Fatalf("testdb: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, url); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	return withDatabase(url, name)
}

func ensurePostgresTemplate(ctx context.Context, admin *pgx.Conn, url string) (string, error) {
	name := "partnership_tmpl_" + migrations.Fingerprint(migrations.Postgres)
	// One builder at a time across all test processes.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(70612024)"); err != nil {
		return "", err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(70612024)")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	db, err := postgres.Open(ctx, withDatabase(url, building))
	if err != nil {
		return "", err
	}
	db.Close()
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, nil
}

func createFromTemplate(ctx context.Context, admin *pgx.Conn, name, tmpl string) error {
	for attempt := 0; ; attempt++ {
		_, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
		var pe *pgconn.PgError
		// 55006 object_in_use: another clone is reading the template.
		if err == nil || !errors.As(err, &pe) || pe.Code != "55006" || attempt == 50 {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// withDatabase swaps the database name in a postgres:// URL.
func withDatabase(url, name string) string {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return url
	}
	query := ""
	if i := strings.IndexByte(url, '?'); i >= 0 {
		query = url[i:]
	}
	user := cfg.User
	if cfg.Password != "" {
		user += ":" + cfg.Password
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s%s", user, cfg.Host, cfg.Port, name, query)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
