package main

import (
	"context"
	"errors"

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

// migrationStatus reports the configured database's migrations and
// reference data versions without applying anything.
func migrationStatus(ctx context.Context, cfg config) (engine string, status []string, err error) {
	if cfg.usesPostgres() {
		db, err := postgres.OpenDB(ctx, cfg.DatabaseURL)
		if err != nil {
			return "", nil, err
		}
		status, err = db.MigrationStatus(ctx)
		return "postgres", status, errors.Join(err, db.Close())
	}
	db, err := sqlite.OpenDB(cfg.sqlitePath())
	if err != nil {
		return "", nil, err
	}
	status, err = db.MigrationStatus(ctx)
	return "sqlite (" + cfg.sqlitePath() + ")", status, errors.Join(err, db.Close())
}
