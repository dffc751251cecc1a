package postgres_test

import (
	"testing"

	"partnership-service/internal/storage"
	"partnership-service/internal/storetest"
	"partnership-service/internal/testdb"
)

// TestConformance runs the storage conformance suite on Postgres.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Stores { return testdb.Postgres(t) })
}
