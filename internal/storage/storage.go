// Package storage names what a storage engine provides: every context's
// store, opened and migrated behind one value with one Close. The sqlite and
// postgres packages each implement it; main picks one of them, once.
package storage

import (
	"context"

	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/migrations"
	"partnership-service/internal/storefront"
)

// Stores is one open, migrated database and the stores of every context on it.
type Stores interface {
	// Engine names the engine for logs: "sqlite (<path>)" or "postgres".
	Engine() string
	Ping(ctx context.Context) error
	// Migrate applies the embedded migrations; Open already did, so a
	// second call changes nothing.
	Migrate(ctx context.Context) error
	MigrationStatus(ctx context.Context) ([]string, error)
	ReferenceCounts(ctx context.Context) (migrations.ReferenceCounts, error)
	// Close releases every store and then the database.
	Close() error

	EnergyCatalog() energy.CatalogStore
	EnergyPartners() energy.PartnerStore
	EnergyLeads() energy.LeadStore
	Storefront() storefront.Store
	Companies() companies.Store
}
