// Package storage names what a storage engine provides: every context's
// store, opened and migrated behind one value with one Close. The sqlite and
// postgres packages each implement it; main picks one of them, once.
package storage

import (
	"context"
	"slices"
	"strings"

	"partnership-service/internal/audit"
	"partnership-service/internal/changes"
	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/migrations"
	"partnership-service/internal/storefront"
	"partnership-service/internal/storesql"
	"partnership-service/internal/webauth"
	"partnership-service/internal/webhook"
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
	// Shared is the database as the store code both engines share sees it.
	Shared() storesql.DB
	// UnreferencedBlobs returns the keys, of those given, that no record
	// names: what a crash between storing a file and committing its record
	// left behind.
	UnreferencedBlobs(ctx context.Context, keys []string) ([]string, error)
	// Changes carries change notices to every process on this database
	// (replicas, CLI commands), so in-memory caches follow each other's
	// writes: LISTEN/NOTIFY on PostgreSQL, nothing on SQLite (one process).
	Changes() changes.Bus
	// Exclusive runs fn unless another process on this database is running
	// the job of the same name right now, and reports whether it ran: how
	// background work that every replica starts (the orphan sweep) is done
	// by one at a time. PostgreSQL holds an advisory lock while fn runs;
	// SQLite (one process) always runs fn.
	Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error)

	EnergyCatalog() energy.CatalogStore
	EnergyPartners() energy.PartnerStore
	EnergyLeads() energy.LeadStore
	Storefront() storefront.Store
	Companies() companies.Store
	Webhooks() webhook.Store
	// Audit is the operator console's audit trail.
	Audit() audit.Store
	WebAuth() webauth.Store
}

// Contexts is the part of Stores both engines share: the context stores an
// engine built, with the accessors Stores names, and the reference counts
// read through the shared view of its database. Each engine's Stores
// embeds it.
type Contexts struct {
	DB                 storesql.DB
	EnergyCatalogStore interface {
		energy.CatalogStore
		energy.PartnerStore
	}
	EnergyLeadStore energy.LeadStore
	StorefrontStore storefront.Store
	CompaniesStore  companies.Store
	Bus             changes.Bus
	WebhookStore    webhook.Store
	WebAuthStore    webauth.Store
}

func (c Contexts) Changes() changes.Bus                { return c.Bus }
func (c Contexts) EnergyCatalog() energy.CatalogStore  { return c.EnergyCatalogStore }
func (c Contexts) EnergyPartners() energy.PartnerStore { return c.EnergyCatalogStore }
func (c Contexts) EnergyLeads() energy.LeadStore       { return c.EnergyLeadStore }
func (c Contexts) Storefront() storefront.Store        { return c.StorefrontStore }
func (c Contexts) Companies() companies.Store          { return c.CompaniesStore }
func (c Contexts) Webhooks() webhook.Store             { return c.WebhookStore }
func (c Contexts) Audit() audit.Store                  { return storesql.AuditLog{DB: c.DB} }
func (c Contexts) WebAuth() webauth.Store              { return c.WebAuthStore }

// ReferenceCounts reports how many reference rows the migrations loaded.
func (c Contexts) ReferenceCounts(ctx context.Context) (migrations.ReferenceCounts, error) {
	var n migrations.ReferenceCounts
	err := c.DB.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM states),
		(SELECT count(*) FROM municipalities),
		(SELECT count(*) FROM cep_ranges)`).Scan(&n.States, &n.Municipalities, &n.CEPRanges)
	return n, c.DB.MapError(err)
}

// blobReferences are the columns that name stored files, each indexed.
var blobReferences = []string{
	`SELECT blob_key FROM energy_lead_documents WHERE blob_key IN `,
	`SELECT contract_key FROM energy_leads WHERE contract_key IN `,
	`SELECT blob_key FROM storefront_subscription_files WHERE blob_key IN `,
}

// UnreferencedBlobs implements Stores.
func (c Contexts) UnreferencedBlobs(ctx context.Context, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	marks := "(?" + strings.Repeat(", ?", len(keys)-1) + ")"
	parts := make([]string, len(blobReferences))
	args := make([]any, 0, len(keys)*len(blobReferences))
	for i, q := range blobReferences {
		parts[i] = q + marks
		for _, k := range keys {
			args = append(args, k)
		}
	}
	named, err := storesql.QueryAll(ctx, c.DB, storesql.Scalar[string], strings.Join(parts, " UNION "), args...)
	if err != nil {
		return nil, c.DB.MapError(err)
	}
	var out []string
	for _, k := range keys {
		if !slices.Contains(named, k) {
			out = append(out, k)
		}
	}
	return out, nil
}
