package sqlite

import (
	"context"
	"database/sql"

	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyCatalogStore keeps partners, API keys and the GD catalog in SQLite:
// the shared store (storesql.EnergyCatalog) with the authentication lookup
// prepared.
type EnergyCatalogStore struct {
	storesql.EnergyCatalog
	keyByHash *sql.Stmt // the one hot read: authentication on a cache miss
}

var (
	_ energy.CatalogStore = (*EnergyCatalogStore)(nil)
	_ energy.PartnerStore = (*EnergyCatalogStore)(nil)
)

// newEnergyCatalogStore prepares the store's statements on db.
func newEnergyCatalogStore(ctx context.Context, db *DB) (*EnergyCatalogStore, error) {
	stmt, err := db.reader.PrepareContext(ctx, storesql.KeyByHashSQL)
	if err != nil {
		return nil, err
	}
	return &EnergyCatalogStore{EnergyCatalog: storesql.NewEnergyCatalog(db.Shared()), keyByHash: stmt}, nil
}

// Close releases the prepared statement.
func (s *EnergyCatalogStore) Close() error { return s.keyByHash.Close() }

// KeyByHash shadows the shared lookup with the prepared statement.
func (s *EnergyCatalogStore) KeyByHash(ctx context.Context, hash string) (energy.APIKey, energy.Partner, error) {
	k, p, err := storesql.ScanAPIKey(s.keyByHash.QueryRowContext(ctx, hash))
	return k, p, MapError(err)
}
