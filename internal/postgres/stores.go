package postgres

import (
	"context"
	"errors"

	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
)

// Stores is the production engine: one connection pool and every context's
// store on it.
type Stores struct {
	*DB
	storage.Contexts
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
	return &Stores{DB: db, Contexts: storage.Contexts{
		DB:                 db.Shared(),
		EnergyCatalogStore: newEnergyCatalogStore(db),
		EnergyLeadStore:    newEnergyLeadStore(db),
		StorefrontStore:    newStorefrontStore(db),
		CompaniesStore:     newCompaniesStore(db),
		WebhookStore:       storesql.Webhooks{DB: db.Shared(), SkipLocked: skipLocked},
	}}, nil
}

// Engine names the engine.
func (s *Stores) Engine() string { return "postgres" }

// skipLocked lets replicas claim webhook work side by side: each takes the
// rows no other transaction holds (of table alias, when a join names more
// than one).
func skipLocked(alias string) string {
	if alias == "" {
		return " FOR UPDATE SKIP LOCKED"
	}
	return " FOR UPDATE OF " + alias + " SKIP LOCKED"
}
