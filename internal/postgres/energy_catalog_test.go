package postgres_test

import (
	"testing"

	"partnership-service/internal/postgres"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

func TestEnergyCatalogConformance(t *testing.T) {
	storetest.RunEnergyCatalog(t, func(t *testing.T) storetest.EnergyCatalogStore {
		return postgres.NewEnergyCatalogStore(testdb.Postgres(t))
	})
}
