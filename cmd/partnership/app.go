package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/geo"
	"partnership-service/internal/postgres"
	"partnership-service/internal/sqlite"
)

// app holds the opened resources a command works with. Exactly one of
// sqlite and pg is set.
type app struct {
	cfg    config
	log    *slog.Logger
	sqlite *sqlite.DB
	pg     *postgres.DB
	blobs  *blob.Dir
	geo    *geo.Directory
	now    func() time.Time
}

// openApp opens and migrates the configured database, and opens the file
// store.
func openApp(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	dir, err := geo.Load()
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, geo: dir, now: time.Now}
	if cfg.usesPostgres() {
		a.pg, err = postgres.Open(ctx, cfg.DatabaseURL)
		if err == nil {
			err = a.pg.Migrate(ctx)
		}
	} else {
		a.sqlite, err = sqlite.Open(cfg.sqlitePath())
		if err == nil {
			err = a.sqlite.Migrate(ctx)
		}
	}
	if err != nil {
		return nil, errors.Join(err, a.Close())
	}
	a.blobs, err = blob.NewDir(filepath.Join(cfg.DataDir, "files"))
	if err != nil {
		return nil, errors.Join(err, a.Close())
	}
	// Uploads cut off by a crash leave temp files; an hour is far longer
	// than any upload in flight.
	if err := a.blobs.SweepTemp(time.Hour); err != nil {
		log.Warn("sweep upload temp files", "err", err)
	}
	return a, nil
}

// engine names the database in use, for logs.
func (a *app) engine() string {
	if a.pg != nil {
		return "postgres"
	}
	return fmt.Sprintf("sqlite (%s)", a.sqlite.Path())
}

func (a *app) ping(ctx context.Context) error {
	if a.pg != nil {
		return a.pg.Ping(ctx)
	}
	return a.sqlite.Ping(ctx)
}

func (a *app) migrationStatus(ctx context.Context) ([]string, error) {
	if a.pg != nil {
		return a.pg.MigrationStatus(ctx)
	}
	return a.sqlite.MigrationStatus(ctx)
}

// Close releases the database.
func (a *app) Close() error {
	switch {
	case a.pg != nil:
		return a.pg.Close()
	case a.sqlite != nil:
		return a.sqlite.Close()
	}
	return nil
}
