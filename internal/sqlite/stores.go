package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"

	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/migrations"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
)

// Stores is the embedded engine: one SQLite file and every context's store
// on it.
type Stores struct {
	db            *DB
	energyCatalog *EnergyCatalogStore
	energyLeads   *EnergyLeadStore
	storefront    *StorefrontStore
	companies     *CompaniesStore
	// closers are the stores opened so far, closed before the database.
	closers []io.Closer
}

var _ storage.Stores = (*Stores)(nil)

// Open opens (creating if needed) and migrates the database file at path,
// and prepares every store's statements.
func Open(ctx context.Context, path string) (*Stores, error) {
	db, err := OpenDB(path)
	if err != nil {
		return nil, err
	}
	s := &Stores{db: db}
	if err := db.Migrate(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	if s.energyCatalog, err = newEnergyCatalogStore(ctx, db); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.closers = append(s.closers, s.energyCatalog)
	if s.energyLeads, err = newEnergyLeadStore(db); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.closers = append(s.closers, s.energyLeads)
	if s.storefront, err = newStorefrontStore(ctx, db); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.closers = append(s.closers, s.storefront)
	if s.companies, err = newCompaniesStore(ctx, db); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.closers = append(s.closers, s.companies)
	return s, nil
}

// DB is the database under the stores, for the adapter's own tests.
func (s *Stores) DB() *DB { return s.db }

// Engine names the engine and its file.
func (s *Stores) Engine() string { return fmt.Sprintf("sqlite (%s)", s.db.Path()) }

// Ping checks that the database answers.
func (s *Stores) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Migrate applies the embedded migrations.
func (s *Stores) Migrate(ctx context.Context) error { return s.db.Migrate(ctx) }

// MigrationStatus lists each migration and whether it is applied.
func (s *Stores) MigrationStatus(ctx context.Context) ([]string, error) {
	return s.db.MigrationStatus(ctx)
}

// Close releases the prepared statements, then the database.
func (s *Stores) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(append(errs, s.db.Close())...)
}

func (s *Stores) EnergyCatalog() energy.CatalogStore  { return s.energyCatalog }
func (s *Stores) EnergyPartners() energy.PartnerStore { return s.energyCatalog }
func (s *Stores) EnergyLeads() energy.LeadStore       { return s.energyLeads }
func (s *Stores) Storefront() storefront.Store        { return s.storefront }
func (s *Stores) Companies() companies.Store          { return s.companies }

// ReferenceCounts reports how many reference rows the migrations loaded.
func (s *Stores) ReferenceCounts(ctx context.Context) (migrations.ReferenceCounts, error) {
	return s.db.ReferenceCounts(ctx)
}
