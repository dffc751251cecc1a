package postgres_test

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/postgres"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

func TestEnergyLeadStoreConformance(t *testing.T) {
	storetest.RunEnergyLeads(t, func(t *testing.T) storetest.EnergyLeadHarness {
		db := testdb.Postgres(t)
		partners := postgres.NewEnergyCatalogStore(db)
		return storetest.EnergyLeadHarness{Store: postgres.NewEnergyLeadStore(db), AddPartner: func(t *testing.T, id, name string) {
			t.Helper()
			if err := partners.CreatePartner(context.Background(), energy.Partner{ID: id, Name: name, CreatedAt: time.Now()}); err != nil {
				t.Fatalf("add partner: %v", err)
			}
		}}
	})
}
