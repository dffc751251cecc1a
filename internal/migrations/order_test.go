package migrations

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// TestLaterMigrationBelowAnotherContextsApplies: a context's new migration
// may be numbered below another context's latest (each owns a version
// range): a database that already has the later one still gets it. Here a
// database from before 00210 (storefront) but after 00310 (companies).
func TestLaterMigrationBelowAnotherContextsApplies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := Up(ctx, SQLite, db); err != nil {
		t.Fatal(err)
	}
	for _, undo := range []string{
		`DELETE FROM goose_db_version WHERE version_id = 210`,
		`ALTER TABLE storefront_tokens DROP COLUMN revoked_at`,
		`ALTER TABLE storefront_tokens DROP COLUMN expires_at`,
	} {
		if _, err := db.ExecContext(ctx, undo); err != nil {
			t.Fatal(err)
		}
	}
	if err := Up(ctx, SQLite, db); err != nil {
		t.Fatalf("Up with 00210 missing below 00310: %v", err)
	}
	if _, err := db.ExecContext(ctx, `SELECT expires_at, revoked_at FROM storefront_tokens`); err != nil {
		t.Fatalf("00210 did not apply: %v", err)
	}
}
