package postgres

import (
	"context"
	"errors"

	"partnership-service/internal/storage"
)

// Stores is the production engine: one connection pool and every context's
// store on it.
type Stores struct {
	*DB
	storage.Contexts
	bus *changeBus
}

var _ storage.Stores = (*Stores)(nil)

// Open connects to url (postgres://…), migrates the database and builds
// every store.
func Open(ctx context.Context, url string) (*Stores, error) {
	db, err := OpenDB(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	bus := newChangeBus(db.Pool)
	return &Stores{DB: db, bus: bus, Contexts: storage.Contexts{
		Bus:                bus,
		DB:                 db.Shared(),
		EnergyCatalogStore: newEnergyCatalogStore(db),
		EnergyLeadStore:    newEnergyLeadStore(db),
		StorefrontStore:    newStorefrontStore(db),
		CompaniesStore:     newCompaniesStore(db),
	}}, nil
}

// Engine names the engine.
func (s *Stores) Engine() string { return "postgres" }

// Close stops the change listener, then closes the pool.
func (s *Stores) Close() error {
	s.bus.Close()
	return s.DB.Close()
}
