package sqlite_test

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/sqlite"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

func TestEnergyLeadStoreConformance(t *testing.T) {
	storetest.RunEnergyLeads(t, func(t *testing.T) storetest.EnergyLeadHarness {
		ctx := context.Background()
		db := testdb.SQLite(t)
		s, err := sqlite.NewEnergyLeadStore(db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		partners, err := sqlite.NewEnergyCatalogStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.EnergyLeadHarness{Store: s, AddPartner: func(t *testing.T, id, name string) {
			t.Helper()
			if err := partners.CreatePartner(ctx, energy.Partner{ID: id, Name: name, CreatedAt: time.Now()}); err != nil {
				t.Fatalf("add partner: %v", err)
			}
		}}
	})
}
