package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"partnership-service/internal/apperr"
	"partnership-service/internal/postgres"
	"partnership-service/internal/storage"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

// TestConformance runs the storage conformance suite on Postgres.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Stores { return testdb.Postgres(t) })
}

func TestMapErrorBySQLState(t *testing.T) {
	db := testdb.Postgres(t).DB
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(tx pgx.Tx) error
		want apperr.Code
	}{
		{"unique violation is conflict", func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO states (ibge_code, uf, name) VALUES (99, 'SP', 'Duplicate UF')`)
			return err
		}, apperr.Conflict},
		{"foreign key violation is invalid", func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO municipalities (ibge_code, name, uf, lat, lon) VALUES (9999999, 'Nowhere', 'XX', 0, 0)`)
			return err
		}, apperr.Invalid},
		{"no rows is not found", func(tx pgx.Tx) error {
			var name string
			return tx.QueryRow(ctx, `SELECT name FROM states WHERE uf = 'XX'`).Scan(&name)
		}, apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := postgres.MapError(db.Tx(ctx, tt.run))
			if got := apperr.CodeOf(err); got != tt.want {
				t.Fatalf("code = %s (%v), want %s", got, err, tt.want)
			}
		})
	}
}
