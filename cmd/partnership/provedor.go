package main

import (
	"context"

	"partnership-service/internal/provedor"
	"partnership-service/internal/server"
	"partnership-service/internal/web"
	"partnership-service/internal/webauth"
)

// provedorSurface is the providers' back-office at /provedor/: provider
// users sign in (webauth.RealmProvider) and manage their subscriptions,
// plans and coupons through the storefront service the API uses.
func (a *app) provedorSurface(context.Context) (server.Surface, error) {
	sessions, csrf, err := a.consoleSessions(webauth.RealmProvider, provedor.Base)
	if err != nil {
		return server.Surface{}, err
	}
	h, err := provedor.New(a.storefrontService(), sessions, csrf)
	if err != nil {
		return server.Surface{}, err
	}
	// h.Routes registers the login's routes too (admin and console pass sessions.Routes here).
	return web.Surface("provedor", provedor.Prefixes, h.Routes), nil
}
