package main

import (
	"context"
	"os"
	"path/filepath"

	"partnership-service/internal/energy"
	"partnership-service/internal/secretbox"
)

// secretKey is the service's secret key: PARTNERSHIP_SECRET_KEY or, when
// it is unset, <data-dir>/secret.key (generated on first start, mode 0600).
func (a *app) secretKey() ([]byte, error) {
	return secretbox.LoadKey(os.Getenv(secretbox.KeyEnv), filepath.Join(a.cfg.DataDir, "secret.key"))
}

// energyLeadService builds the lead journey for the energy surface: the
// lead store of the engine in use, and the secret box that seals utility
// passwords and signing links, keyed by PARTNERSHIP_SECRET_KEY or, when it
// is unset, by <data-dir>/secret.key (generated on first start, mode 0600).
// Losing that file makes the stored passwords unreadable: back it up with
// the database.
func (a *app) energyLeadService(ctx context.Context, catalog *energy.CatalogService) (*energy.LeadService, error) {
	key, err := a.secretKey()
	if err != nil {
		return nil, err
	}
	box, err := secretbox.New(key)
	if err != nil {
		return nil, err
	}
	return energy.NewLeadService(energy.LeadConfig{
		Store: a.stores.EnergyLeads(), Catalog: catalog, Geo: a.geo, Blobs: a.blobs, Box: box,
		MaxUploadBytes: a.cfg.MaxUploadSize, Log: a.log, Now: a.now,
		Mail: a.mail, PublicURL: a.cfg.PublicURL,
	})
}
