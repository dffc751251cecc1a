package main

import (
	"context"

	"partnership-service/internal/energy"
)

// energyLeadService builds the lead journey for the energy surface: the
// lead store of the engine in use, and the secret box that seals utility
// passwords and signing links.
func (a *app) energyLeadService(ctx context.Context, catalog *energy.CatalogService) (*energy.LeadService, error) {
	box, err := a.secretBox()
	if err != nil {
		return nil, err
	}
	return energy.NewLeadService(energy.LeadConfig{
		Store: a.stores.EnergyLeads(), Catalog: catalog, Geo: a.geo, Blobs: a.blobs, Box: box,
		MaxUploadBytes: a.cfg.MaxUploadSize, Log: a.log, Now: a.now,
		Mail: a.mail, PublicURL: a.cfg.PublicURL,
	})
}
