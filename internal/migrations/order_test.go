package migrations

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
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

// TestEachEngineKeepsItsVersions: moving the migrations whose SQL is the
// same in both dialects into common/ changed no engine's set: each still
// has every version it had, under the same file name, so a database
// migrated before the move finds nothing gone (want is the list at the
// move; later migrations are free to join it), and both engines have the
// same versions.
func TestEachEngineKeepsItsVersions(t *testing.T) {
	t.Parallel()
	want := []string{
		"00001_reference_tables.sql", "00003_reference_data_versions.sql",
		"00100_energy_catalog.sql", "00110_energy_reference_utilities.sql", "00150_energy_leads.sql",
		"00160_energy_signature_versions.sql", "00170_energy_contract_key_index.sql", "00180_energy_sign_codes.sql",
		"00200_storefront.sql", "00210_storefront_token_expiry.sql", "00220_storefront_file_key_index.sql",
		"00230_storefront_provider_slug.sql", "00240_storefront_erasures.sql",
		"00300_companies.sql", "00310_companies_ids_never_reused.sql", "00320_companies_audit_erase.sql",
		"00400_webhooks.sql", "00430_idempotency_keys.sql", "00440_change_feed_indexes.sql",
		"00460_companies_login_counts.sql", "00480_energy_lead_list_at_scale.sql",
	}
	sqlite, err := fs.Glob(SQLite.files, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	postgres, err := fs.Glob(Postgres.files, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sqlite, postgres) {
		t.Errorf("sqlite migrations = %v,\npostgres migrations = %v", sqlite, postgres)
	}
	for _, name := range want {
		if !slices.Contains(sqlite, name) {
			t.Errorf("sqlite lost %s", name)
		}
		if !slices.Contains(postgres, name) {
			t.Errorf("postgres lost %s", name)
		}
	}
}
