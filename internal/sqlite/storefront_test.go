package sqlite_test

import (
	"context"
	"testing"

	"partnership-service/internal/sqlite"
	"partnership-service/internal/storefront"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

func TestStorefrontStoreConformance(t *testing.T) {
	storetest.RunStorefront(t, func(t *testing.T) storefront.Store {
		s, err := sqlite.NewStorefrontStore(context.Background(), testdb.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
