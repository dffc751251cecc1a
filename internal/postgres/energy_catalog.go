package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

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
	snapshot := func(ctx context.Context, fn func(storesql.Querier) error) error {
		opts := pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}
		return pgx.BeginTxFunc(ctx, db.Pool, opts, func(tx pgx.Tx) error { return fn(txQuerier{tx}) })
	}
	return &EnergyCatalogStore{storesql.NewEnergyCatalog(db.Shared(), snapshot)}
}
