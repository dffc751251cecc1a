package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/energy"
	"partnership-service/internal/geo"
	"partnership-service/internal/httpx"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/logins"
	"partnership-service/internal/mail"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
	"partnership-service/internal/storesql"
	"partnership-service/internal/webauth"
	"partnership-service/internal/webhook"
)

// app holds the opened resources a command works with.
type app struct {
	cfg    config
	log    *slog.Logger
	stores storage.Stores
	blobs  blob.Driver
	geo    *geo.Directory
	now    func() time.Time
	mail   mail.Enqueuer // signers' mail; nil (commands other than serve): none
	// retention is how long unsigned leads keep their files and utility
	// login (serve --retention); 0: no sweep (other commands, tests).
	retention time.Duration
	// guard is the rate limit and Idempotency-Key handling every surface
	// runs its credentialed routes behind; nil (tests, commands other than
	// serve): none.
	guard *httpx.Guard
	// publicWriteLimit bounds each storefront visitor's coupon checks and
	// sign-ups per minute (serve --public-write-limit); 0: the default.
	publicWriteLimit int

	storefront *storefront.Service // made on first use (storefrontService)
	// catalog and partners are made on first use (energyServices), shared
	// by the energy API and the consoles; energy (energyStack) adds the
	// lead service the API and the partner console share.
	catalog  *energy.CatalogService
	partners *energy.PartnerService
	energy   *energyStack
	logins   *logins.Guard    // made on first use (loginGuard)
	webauth  *webauth.Service // made on first use (webauthService)
	// webhooks manages endpoints and delivers events; nil (commands other
	// than serve): no endpoint routes, and events wait in the outbox.
	webhooks *webhook.Service
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
	if a.stores, err = openStores(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.BlobURL == "" {
		a.blobs, err = blob.NewDir(filepath.Join(cfg.DataDir, "files"))
	} else {
		a.blobs, err = blob.Open(ctx, cfg.BlobURL)
	}
	if err != nil {
		return nil, errors.Join(err, a.Close())
	}
	// Uploads cut off by a crash leave temp files (unfinished multipart
	// uploads on object storage); an hour is far longer than any upload in
	// flight.
	if err := a.blobs.SweepTemp(ctx, time.Hour); err != nil {
		log.Warn("sweep upload temp files", "err", err)
	}
	return a, nil
}

// Close releases the database.
func (a *app) Close() error { return a.stores.Close() }

// sweepOrphans deletes the stored files no record names: a file is renamed
// into place before its record commits, so a crash in between leaves one.
// On SQLite (one process) every file older than this process's start is
// settled; on PostgreSQL another replica may be mid-upload, so only files
// older than the longest upload are swept.
func (a *app) sweepOrphans(ctx context.Context, started time.Time) {
	cutoff := started
	if a.cfg.usesPostgres() {
		cutoff = started.Add(-readTimeout)
	}
	// Every replica sweeps on start; one at a time, as the others' sweeps
	// would only race it for the same files.
	var n int
	ran, err := a.stores.Exclusive(ctx, "blob orphan sweep", func(ctx context.Context) error {
		var err error
		n, err = a.blobs.SweepOrphans(ctx, cutoff, a.stores.UnreferencedBlobs)
		return err
	})
	switch {
	case err != nil:
		a.log.Warn("sweep orphan files", "err", err, "removed", n)
	case !ran:
		a.log.Info("orphan files: another replica is sweeping")
	case n > 0:
		a.log.Info("swept orphan files", "removed", n)
	}
}

// useGuard sets the surfaces' guard: perMinute requests per credential,
// and Idempotency-Key records in the database. The keys it returns still
// need the server's handler (ServeResourcesWith).
func (a *app) useGuard(perMinute int) *idempotency.Keys {
	keys := idempotency.NewKeys(storesql.IdempotencyKeys{DB: a.stores.Shared()}, a.now, a.log)
	a.guard = &httpx.Guard{Limits: httpx.NewRateLimiter(perMinute, time.Minute, a.now), Keys: keys}
	return keys
}

// sweepIdempotencyKeys deletes expired Idempotency-Key records now and
// every hour until ctx ends.
func (a *app) sweepIdempotencyKeys(ctx context.Context, keys *idempotency.Keys) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := keys.Sweep(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("sweep idempotency keys", "err", err)
		} else if n > 0 {
			a.log.Info("swept idempotency keys", "removed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
