package postgres

import (
	"context"
	"errors"

	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/migrations"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
)

// Stores is the production engine: one connection pool and every context's
// store on it.
type Stores struct {
	db            *DB
	energyCatalog *EnergyCatalogStore
	energyLeads   *EnergyLeadStore
	storefront    *StorefrontStore
	companies     *CompaniesStore
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
	return &Stores{
		db:            db,
		energyCatalog: newEnergyCatalogStore(db),
		energyLeads:   newEnergyLeadStore(db),
		storefront:    newStorefrontStore(db),
		companies:     newCompaniesStore(db),
	}, nil
}

// DB is the pool under the stores, for the adapter's own tests.
func (s *Stores) DB() *DB { return s.db }

// Engine names the engine.
func (s *Stores) Engine() string { return "postgres" }

// Ping checks that the server answers.
func (s *Stores) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Migrate applies the embedded migrations.
func (s *Stores) Migrate(ctx context.Context) error { return s.db.Migrate(ctx) }

// MigrationStatus lists each migration and whether it is applied.
func (s *Stores) MigrationStatus(ctx context.Context) ([]string, error) {
	return s.db.MigrationStatus(ctx)
}

// ReferenceCounts reports how many reference rows the migrations loaded.
func (s *Stores) ReferenceCounts(ctx context.Context) (migrations.ReferenceCounts, error) {
	return s.db.ReferenceCounts(ctx)
}

// Close closes the pool; the stores hold nothing of their own.
func (s *Stores) Close() error { return s.db.Close() }

func (s *Stores) EnergyCatalog() energy.CatalogStore  { return s.energyCatalog }
func (s *Stores) EnergyPartners() energy.PartnerStore { return s.energyCatalog }
func (s *Stores) EnergyLeads() energy.LeadStore       { return s.energyLeads }
func (s *Stores) Storefront() storefront.Store        { return s.storefront }
func (s *Stores) Companies() companies.Store          { return s.companies }
