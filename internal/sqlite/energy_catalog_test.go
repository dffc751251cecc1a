package sqlite_test

import (
	"context"
	"testing"

	"partnership-service/internal/sqlite"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

func TestEnergyCatalogConformance(t *testing.T) {
	storetest.RunEnergyCatalog(t, func(t *testing.T) storetest.EnergyCatalogStore {
		s, err := sqlite.NewEnergyCatalogStore(context.Background(), testdb.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
