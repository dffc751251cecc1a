package storetest

import (
	"context"
	"testing"

	"partnership-service/internal/geo"
	"partnership-service/internal/migrations"
)

// platform is the part of a store every context relies on: migrations and
// the reference tables.
type platform interface {
	Migrate(ctx context.Context) error
	Ping(ctx context.Context) error
	ReferenceCounts(ctx context.Context) (migrations.ReferenceCounts, error)
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
		got, err := p.ReferenceCounts(ctx)
		if err != nil {
			t.Fatalf("ReferenceCounts: %v", err)
		}
		if got != want {
			t.Fatalf("reference counts = %+v, want %+v", got, want)
		}
		if err := p.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		again, err := p.ReferenceCounts(ctx)
		if err != nil {
			t.Fatalf("ReferenceCounts after re-migrate: %v", err)
		}
		if again != want {
			t.Fatalf("after re-migrate counts = %+v, want %+v", again, want)
		}
	})
}
