// Package energy is the energy-partnerships context: the distributed
// generation (GD) catalog, qualification, partners and their API keys, and
// sales-conversion leads with their credentials, uploads and contracts.
//
// The surface's wire contract is seed 000 (paths, NestJS-style error
// envelope); api/energy.yaml documents it.
package energy

import (
	"log/slog"

	"partnership-service/internal/httpx"
	"partnership-service/internal/webhook"
)

// Principal is who is calling: the partner an API key belongs to, the
// seller it was issued for, and whether it may manage the catalog.
type Principal struct {
	PartnerID   string
	PartnerName string
	SellerName  string
	KeyID       string
	Admin       bool
	// SellerOnly limits the caller to the leads of its seller (the leads
	// whose seller name folds to SellerName's): a partner console user of
	// role seller. Another seller's lead is not found.
	SellerOnly bool
}

// Prefixes are the paths this surface answers (the misspelling is the contract).
var Prefixes = []string{"/distribuited-generation/", "/distributed-generation/", "/sales-conversion/", "/admin/energy/"}

// API serves the energy surface.
type API struct {
	Log      *slog.Logger
	Catalog  *CatalogService
	Partners *PartnerService
	Leads    *LeadService
	// PublicURL is the scheme and host links point at (the signing page):
	// configured, never taken from a request's Host header.
	PublicURL string
	// Guard rate-limits each API key and makes its writes idempotent
	// (Idempotency-Key); nil: neither.
	Guard *httpx.Guard
	// Webhooks serves the partners' webhook endpoints; nil: no such routes.
	Webhooks *webhook.Handlers

	catalogBodies catalogBodies // encoded catalog reads, per catalog version
}
