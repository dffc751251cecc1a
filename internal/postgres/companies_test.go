package postgres_test

import (
	"testing"

	"partnership-service/internal/companies"
	"partnership-service/internal/postgres"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

func TestCompaniesStoreConformance(t *testing.T) {
	storetest.RunCompanies(t, func(t *testing.T) companies.Store {
		return postgres.NewCompaniesStore(testdb.Postgres(t))
	})
}
