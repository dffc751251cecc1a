package sqlite_test

import (
	"context"
	"testing"

	"partnership-service/internal/companies"
	"partnership-service/internal/sqlite"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

func TestCompaniesStoreConformance(t *testing.T) {
	storetest.RunCompanies(t, func(t *testing.T) companies.Store {
		s, err := sqlite.NewCompaniesStore(context.Background(), testdb.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
