package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"

	"partnership-service/internal/changes"
	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
)

// Stores is the embedded engine: one SQLite file and every context's store
// on it.
type Stores struct {
	*DB
	storage.Contexts
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
	s := &Stores{DB: db, Contexts: storage.Contexts{DB: db.Shared(), Bus: changes.Local{}, WebhookStore: storesql.Webhooks{DB: db.Shared()},
		WebAuthStore: storesql.WebAuth{DB: db.Shared()}}}
	if err := db.Migrate(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	energyCatalog, err := newEnergyCatalogStore(ctx, db)
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.EnergyCatalogStore, s.closers = energyCatalog, append(s.closers, energyCatalog)
	energyLeads, err := newEnergyLeadStore(db)
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.EnergyLeadStore, s.closers = energyLeads, append(s.closers, energyLeads)
	storefront, err := newStorefrontStore(ctx, db)
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.StorefrontStore, s.closers = storefront, append(s.closers, storefront)
	companies, err := newCompaniesStore(ctx, db)
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.CompaniesStore, s.closers = companies, append(s.closers, companies)
	return s, nil
}

// Engine names the engine and its file.
func (s *Stores) Engine() string { return fmt.Sprintf("sqlite (%s)", s.Path()) }

// Close releases the prepared statements, then the database.
func (s *Stores) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(append(errs, s.DB.Close())...)
}

// Exclusive implements storage.Stores: one process, nobody to exclude.
func (s *Stores) Exclusive(ctx context.Context, _ string, fn func(ctx context.Context) error) (bool, error) {
	return true, fn(ctx)
}
