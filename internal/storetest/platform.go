package storetest

import (
	"context"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/geo"
	"partnership-service/internal/migrations"
	"partnership-service/internal/storesql"
	"partnership-service/internal/testkit"
)

// platform is the part of a store every context relies on: migrations and
// the reference tables.
type platform interface {
	Migrate(ctx context.Context) error
	Ping(ctx context.Context) error
	ReferenceCounts(ctx context.Context) (migrations.ReferenceCounts, error)
	Shared() storesql.DB
}

// runPlatform checks that a migrated database holds exactly the embedded
// reference data and that migrating again changes nothing.
func runPlatform(t *testing.T, open func(t *testing.T) platform) {
	dir := geo.MustLoad()
	want := migrations.ReferenceCounts{
		States:         len(dir.States()),
		Municipalities: len(dir.Municipalities()),
		CEPRanges:      len(dir.StateCEPRanges()) + len(dir.MunicipalityCEPRanges()),
	}
	if want.States != 27 || want.Municipalities != 5571 {
		t.Fatalf("embedded reference data: %+v, want 27 states and 5571 municipalities", want)
	}
	ctx := context.Background()

	t.Run("reference data loaded once", func(t *testing.T) {
		p := open(t)
		if err := p.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		counts := func(when string) {
			got, err := p.ReferenceCounts(ctx)
			if err != nil {
				t.Fatalf("ReferenceCounts %s: %v", when, err)
			}
			if got != want {
				t.Fatalf("reference counts %s = %+v, want %+v", when, got, want)
			}
		}
		counts("after the first migrate")
		if err := p.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		counts("after re-migrate")
	})

	t.Run("driver errors map to domain codes by the driver's code", func(t *testing.T) {
		db := open(t).Shared()
		tests := []struct {
			name string
			run  func(tx storesql.Querier) error
			want apperr.Code
		}{
			{"unique violation is conflict", func(tx storesql.Querier) error {
				_, err := tx.Exec(ctx, `INSERT INTO states (ibge_code, uf, name) VALUES (99, 'SP', 'Duplicate UF')`)
				return err
			}, apperr.Conflict},
			{"foreign key violation is invalid", func(tx storesql.Querier) error {
				_, err := tx.Exec(ctx, `INSERT INTO municipalities (ibge_code, name, uf, lat, lon) VALUES (9999999, 'Nowhere', 'XX', 0, 0)`)
				return err
			}, apperr.Invalid},
			{"no rows is not found", func(tx storesql.Querier) error {
				var name string
				return tx.QueryRow(ctx, `SELECT name FROM states WHERE uf = ?`, "XX").Scan(&name)
			}, apperr.NotFound},
			{"a domain error passes through", func(storesql.Querier) error {
				return apperr.New(apperr.Forbidden, "no")
			}, apperr.Forbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				testkit.WantCode(t, tt.name, db.MapError(db.Write(ctx, tt.run)), tt.want)
			})
		}
		// A failed write left nothing behind.
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM states WHERE ibge_code = 99`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled-back insert: %d rows, %v", n, err)
		}
	})
}
