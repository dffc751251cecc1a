// Package storetest is the conformance suite every storage engine must
// pass, in the style of gocloud's drivertest: an adapter's test calls Run
// with a function that opens its engine's stores on a fresh database, and
// the suite checks behaviour and error codes, not just happy paths.
package storetest

import (
	"testing"
	"time"

	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/logins"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
)

// Run checks every context's store of one engine. open must return the
// engine's stores on a fresh, migrated database, closed at t's cleanup.
func Run(t *testing.T, open func(t *testing.T) storage.Stores) {
	t.Run("platform", func(t *testing.T) {
		runPlatform(t, func(t *testing.T) platform { return open(t) })
	})
	t.Run("energy catalog", func(t *testing.T) {
		runEnergyCatalog(t, func(t *testing.T) energyCatalogStore {
			s := open(t)
			return struct {
				energy.CatalogStore
				energy.PartnerStore
			}{s.EnergyCatalog(), s.EnergyPartners()}
		})
	})
	t.Run("energy leads", func(t *testing.T) {
		runEnergyLeads(t, func(t *testing.T) energyLeadHarness {
			s := open(t)
			return energyLeadHarness{Store: s.EnergyLeads(), Partners: s.EnergyPartners()}
		})
	})
	t.Run("storefront", func(t *testing.T) {
		runStorefront(t, func(t *testing.T) storefront.Store { return open(t).Storefront() })
	})
	t.Run("stored files and their records", func(t *testing.T) { runBlobReferences(t, open(t)) })
	t.Run("idempotency keys", func(t *testing.T) { runIdempotencyKeys(t, open(t)) })
	t.Run("operator audit trail", func(t *testing.T) { runAudit(t, open(t)) })
	t.Run("companies", func(t *testing.T) {
		runCompanies(t, func(t *testing.T) companies.Store { return open(t).Companies() })
	})
	t.Run("companies login counts", func(t *testing.T) {
		runLoginCounts(t, func(t *testing.T) logins.CountStore { return open(t).Companies() })
	})
	t.Run("webhooks", func(t *testing.T) { runWebhooks(t, open(t)) })
	t.Run("webhook results recorded in batches", func(t *testing.T) { runWebhookRecordBatch(t, open(t)) })
	t.Run("console users and sessions", func(t *testing.T) { runWebAuth(t, open) })
}

// epoch is when the suites' records are made, where a test needs no time
// of its own.
var epoch = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// addPartner stores the energy partner id, named name, made at at: the
// owner other records refer to.
func addPartner(tb testing.TB, s energy.PartnerStore, id, name string, at time.Time) {
	tb.Helper()
	if err := s.CreatePartner(tb.Context(), energy.Partner{ID: id, Name: name, CreatedAt: at}); err != nil {
		tb.Fatalf("add partner %s: %v", name, err)
	}
}
