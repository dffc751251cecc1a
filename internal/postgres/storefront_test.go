package postgres_test

import (
	"testing"

	"partnership-service/internal/postgres"
	"partnership-service/internal/storefront"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

func TestStorefrontStoreConformance(t *testing.T) {
	storetest.RunStorefront(t, func(t *testing.T) storefront.Store {
		return postgres.NewStorefrontStore(testdb.Postgres(t))
	})
}
