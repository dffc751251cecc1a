package migrations_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"partnership-service/internal/energyref"
	"partnership-service/internal/geo"
	"partnership-service/internal/migrations"
	"partnership-service/internal/testdb"
)

// TestReferenceDataFollowsTheBinary: a database loaded by an older binary
// (an older municipality list, a state name since corrected, wrong CEP
// ranges, a utility missing and another under its former name) is brought
// up to the embedded data by the next migrate, while the operator's data
// stays: a qualified flag, a plan, an imported area, a name of their own,
// a reference utility they deleted. Unchanged data is a no-op.
func TestReferenceDataFollowsTheBinary(t *testing.T) {
	t.Parallel()
	engines := []struct {
		name    string
		dialect migrations.Dialect
		open    func(t *testing.T) *sql.DB
	}{
		{"sqlite", migrations.SQLite, func(t *testing.T) *sql.DB { return testdb.SQLite(t).Writer() }},
		{"postgres", migrations.Postgres, func(t *testing.T) *sql.DB {
			db := stdlib.OpenDBFromPool(testdb.Postgres(t).Pool)
			t.Cleanup(func() { db.Close() })
			return db
		}},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testReferenceSync(t, e.dialect, e.open(t))
		})
	}
}

func testReferenceSync(t *testing.T, d migrations.Dialect, db *sql.DB) {
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	scalar := func(q string) string {
		t.Helper()
		var v sql.NullString
		if err := db.QueryRowContext(ctx, q).Scan(&v); err != nil && err != sql.ErrNoRows {
			t.Fatalf("%s: %v", q, err)
		}
		return v.String
	}
	id := energyref.UtilityPublicID
	dir := geo.MustLoad()
	wantRanges := fmt.Sprint(len(dir.StateCEPRanges()) + len(dir.MunicipalityCEPRanges()))

	// What an older binary left, and what the operator did since.
	for _, q := range []string{
		`DELETE FROM municipalities WHERE ibge_code = 5101837`, // Boa Esperança do Norte/MT, installed in 2025
		`UPDATE states SET name = 'Rondonia' WHERE uf = 'RO'`,
		`DELETE FROM cep_ranges WHERE uf = 'SP'`,
		`UPDATE cep_ranges SET cep_end = cep_start WHERE uf = 'RJ'`,
		`UPDATE energy_utilities SET name = 'ENEL GO' WHERE public_id = '` + id("ENEL GO") + `'`,
		`DELETE FROM energy_utilities WHERE public_id = '` + id("CERCOS") + `'`, // as if new in the binary's list
		`DELETE FROM energy_reference_utilities WHERE public_id = '` + id("CERCOS") + `'`,
		// The operator's:
		`DELETE FROM energy_utilities WHERE public_id = '` + id("CHESP") + `'`,
		`UPDATE energy_utilities SET name = 'LIGHT RIO' WHERE public_id = '` + id("LIGHT") + `'`,
		`UPDATE energy_utilities SET qualified = true WHERE public_id = '` + id("CPFL PAULISTA") + `'`,
		`INSERT INTO energy_plans (utility_id, name, fidelity_months, discount) VALUES ('` + id("CPFL PAULISTA") + `', 'Plano Operador', 12, '0.1')`,
		`INSERT INTO energy_operation_areas (utility_id, ibge_code) VALUES ('` + id("CPFL PAULISTA") + `', 3501608)`,
		`UPDATE reference_data SET version = 'old'`,
	} {
		exec(q)
	}
	if err := migrations.Up(ctx, d, db); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, query, want string }{
		{"the new municipality", `SELECT name FROM municipalities WHERE ibge_code = 5101837`, "Boa Esperança do Norte"},
		{"the corrected state name", `SELECT name FROM states WHERE uf = 'RO'`, "Rondônia"},
		{"every CEP range, once", `SELECT COUNT(*) FROM cep_ranges`, wantRanges},
		{"corrected CEP ranges", `SELECT COUNT(*) FROM cep_ranges WHERE uf = 'RJ' AND cep_end = cep_start`, "0"},
		{"the current name, same id", `SELECT name FROM energy_utilities WHERE public_id = '` + id("ENEL GO") + `'`, "EQUATORIAL GO"},
		{"the new utility", `SELECT name FROM energy_utilities WHERE public_id = '` + id("CERCOS") + `'`, "CERCOS"},
		{"a deleted utility stays deleted", `SELECT COUNT(*) FROM energy_utilities WHERE public_id = '` + id("CHESP") + `'`, "0"},
		{"the operator's name", `SELECT name FROM energy_utilities WHERE public_id = '` + id("LIGHT") + `'`, "LIGHT RIO"},
		{"the qualified flag", `SELECT COUNT(*) FROM energy_utilities WHERE qualified = true`, "1"},
		{"the plan", `SELECT name FROM energy_plans`, "Plano Operador"},
		{"the imported area", `SELECT COUNT(*) FROM energy_operation_areas WHERE ibge_code = 3501608`, "1"},
		{"the curated areas", `SELECT COUNT(*) FROM energy_operation_areas`, "45"},
		{"the versions", `SELECT COUNT(*) FROM reference_data WHERE version = 'old'`, "0"},
	} {
		if got := scalar(c.query); got != c.want {
			t.Errorf("%s: %s = %q, want %q", c.what, c.query, got, c.want)
		}
	}

	// Unchanged embedded data: the next start changes nothing, not even a
	// row edited by hand.
	exec(`UPDATE states SET name = 'Acre (editado)' WHERE uf = 'AC'`)
	if err := migrations.Up(ctx, d, db); err != nil {
		t.Fatal(err)
	}
	if got := scalar(`SELECT name FROM states WHERE uf = 'AC'`); got != "Acre (editado)" {
		t.Errorf("an unchanged version re-synced: state AC is %q", got)
	}
	status, err := migrations.Status(ctx, d, db)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(status, "\n")
	for _, want := range []string{"reference data geo", "reference data energy_utilities", ", current"} {
		if !strings.Contains(joined, want) {
			t.Errorf("status lacks %q:\n%s", want, joined)
		}
	}
}
