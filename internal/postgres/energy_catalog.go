package postgres

import (
	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyCatalogStore keeps partners, API keys and the GD catalog in
// PostgreSQL: the shared store (storesql.EnergyCatalog), whose statements
// pgx prepares and caches.
type EnergyCatalogStore struct {
	storesql.EnergyCatalog
}

var (
	_ energy.CatalogStore = (*EnergyCatalogStore)(nil)
	_ energy.PartnerStore = (*EnergyCatalogStore)(nil)
)

// newEnergyCatalogStore returns the store.
func newEnergyCatalogStore(db *DB) *EnergyCatalogStore {
	return &EnergyCatalogStore{storesql.NewEnergyCatalog(db.Shared())}
}
