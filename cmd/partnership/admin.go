package main

import (
	"context"

	"partnership-service/internal/admin"
	"partnership-service/internal/audit"
	"partnership-service/internal/server"
	"partnership-service/internal/web"
	"partnership-service/internal/webauth"
)

// adminSurface is the operator console at /admin/: its login (webauth,
// operator realm) and its pages over the services the APIs and the CLI
// use, each change recorded in the audit trail.
func (a *app) adminSurface(ctx context.Context) (server.Surface, error) {
	sessions, csrf, err := a.consoleSessions(webauth.RealmOperator, admin.Base)
	if err != nil {
		return server.Surface{}, err
	}
	catalog, partners, err := a.energyServices(ctx)
	if err != nil {
		return server.Surface{}, err
	}
	h, err := admin.New(admin.Config{Storefront: a.storefrontService(), Catalog: catalog, Partners: partners, Companies: a.companiesService(), Audit: audit.NewLog(a.stores.Audit(), a.now),
		CSRF: csrf, Require: sessions.Require, Now: a.now})
	if err != nil {
		return server.Surface{}, err
	}
	return web.Surface("admin", admin.Prefixes, sessions.Routes, h.Routes), nil
}
