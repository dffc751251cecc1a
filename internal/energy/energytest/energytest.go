// Package energytest builds a working energy surface on a real database for
// HTTP tests: the reference catalog with one qualified utility and a plan,
// two partners with their keys, and an admin key.
package energytest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/geo"
	"partnership-service/internal/httpx"
	"partnership-service/internal/server"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
)

// PublicURL is where the environment's links point.
const PublicURL = "https://parceiros.example.com"

// Options customise the environment.
type Options struct {
	// Leads builds the lead service; nil leaves the lead routes without one.
	Leads func(tb testing.TB, e storage.Stores, catalog *energy.CatalogService) *energy.LeadService
	// Log receives the service's logs; nil discards them.
	Log io.Writer
	// Guard rate-limits the keys and handles Idempotency-Key; nil: none.
	Guard *httpx.Guard
}

// Env is a ready energy surface.
type Env struct {
	Handler  http.Handler
	Stores   storage.Stores
	Catalog  *energy.CatalogService
	Partners *energy.PartnerService
	// KeyA and KeyB belong to two different partners (seller "Seller A",
	// "Seller B"); AdminKey to a third partner and may manage the catalog.
	KeyA, KeyB, AdminKey string
	// Utility is CPFL PAULISTA (serves Campinas, 3509502), qualified, with Plan.
	Utility energy.Utility
	Plan    energy.Plan
}

// Each runs test as a subtest per engine (testdb.Each), each on a fresh
// environment built with opts.
func Each(t *testing.T, opts Options, test func(t *testing.T, env *Env)) {
	t.Helper()
	testdb.Each(t, func(t *testing.T, e storage.Stores) { test(t, New(t, e, opts)) })
}

// New builds the environment on e's stores.
func New(tb testing.TB, e storage.Stores, opts Options) *Env {
	tb.Helper()
	ctx := context.Background()
	out := opts.Log
	if out == nil {
		out = io.Discard
	}
	log := slog.New(slog.NewJSONHandler(out, nil))
	catalog, err := energy.NewCatalogService(ctx, e.EnergyCatalog(), geo.MustLoad(), log)
	if err != nil {
		tb.Fatal(err)
	}
	partners := energy.NewPartnerService(e.EnergyPartners(), time.Now)
	env := &Env{Stores: e, Catalog: catalog, Partners: partners}

	u, ok := catalog.UtilityByName("CPFL PAULISTA")
	if !ok {
		tb.Fatal("reference data lacks CPFL PAULISTA")
	}
	if env.Utility, err = catalog.UpdateUtility(ctx, u.PublicID, energy.UtilityInput{Name: u.Name, UF: u.UF, Qualified: true}); err != nil {
		tb.Fatal(err)
	}
	if env.Plan, err = catalog.CreatePlan(ctx, u.PublicID, energy.PlanInput{
		Name: "Plano Premium", FidelityMonths: 60, Discount: "0.14", Benefits: []string{"Primeira Fatura Grátis"},
	}); err != nil {
		tb.Fatal(err)
	}
	for _, k := range []struct {
		partner, seller string
		admin           bool
		dst             *string
	}{{"Partner A", "Seller A", false, &env.KeyA}, {"Partner B", "Seller B", false, &env.KeyB}, {"Operator", "", true, &env.AdminKey}} {
		if _, err := partners.CreatePartner(ctx, k.partner); err != nil {
			tb.Fatal(err)
		}
		if *k.dst, _, err = partners.CreateKey(ctx, k.partner, k.seller, k.admin); err != nil {
			tb.Fatal(err)
		}
	}
	api := &energy.API{Log: log, Catalog: catalog, Partners: partners, PublicURL: PublicURL, Guard: opts.Guard}
	if opts.Leads != nil {
		api.Leads = opts.Leads(tb, e, catalog)
	}
	env.Handler, err = server.New(server.Config{Log: log, Surfaces: []server.Surface{{
		Name: "energy", Prefixes: energy.Prefixes, SecretPaths: []string{energy.SignPathPrefix}, Render: energy.Render, Routes: api.Routes,
	}}})
	if err != nil {
		tb.Fatal(err)
	}
	return env
}
