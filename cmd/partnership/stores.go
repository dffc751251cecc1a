package main

import (
	"context"

	"partnership-service/internal/postgres"
	"partnership-service/internal/sqlite"
	"partnership-service/internal/storage"
)

// openStores opens and migrates the configured engine: the one place that
// chooses between the embedded SQLite file and a PostgreSQL server.
func openStores(ctx context.Context, cfg config) (storage.Stores, error) {
	if cfg.usesPostgres() {
		return postgres.Open(ctx, cfg.DatabaseURL)
	}
	return sqlite.Open(ctx, cfg.sqlitePath())
}
