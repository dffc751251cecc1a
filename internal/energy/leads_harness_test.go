package energy_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"partnership-service/internal/apitest"
	"partnership-service/internal/blob"
	"partnership-service/internal/energy"
	"partnership-service/internal/energy/energytest"
	"partnership-service/internal/geo"
	"partnership-service/internal/httpx"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/secretbox"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

// leadEnv is the energy surface on a fresh database: partner A's and
// partner B's clients, a client with no key, and what tests inspect.
type leadEnv struct {
	A, B, Anon *apitest.Client
	Handler    http.Handler   // the handler, for benchmarks (no contract validation)
	Stores     storage.Stores // the engine under test, for what tests read or change behind the API
	KeyA       string
	PartnerA   string // partner ids
	PartnerB   string
	Leads      *energy.LeadService
	Log        *testkit.SyncBuffer
	BlobDir    string
	Mail       *mailbox // what the lead service enqueued
	clock      *testkit.Clock
}

type leadEnvOptions struct {
	maxUpload int64
	// perMinute > 0 puts the surface behind the guard serve wires:
	// perMinute requests per API key, Idempotency-Key records in the
	// engine's database.
	perMinute int
}

// eachLeadEnv runs test as a subtest per engine (testdb.Each), each on a
// fresh lead env.
func eachLeadEnv(t *testing.T, test func(t *testing.T, env *leadEnv)) {
	t.Helper()
	eachLeadEnvWith(t, leadEnvOptions{}, test)
}

// eachLeadEnvWith is eachLeadEnv on lead envs built with opts.
func eachLeadEnvWith(t *testing.T, opts leadEnvOptions, test func(t *testing.T, env *leadEnv)) {
	t.Helper()
	testdb.Each(t, func(t *testing.T, e storage.Stores) { test(t, newLeadEnv(t, e, opts)) })
}

// newLeadEnv builds the energy surface with energytest (catalog, partners
// and keys) and this package's lead service. CPFL PAULISTA (Campinas)
// offers energytest's "Plano Premium" and a "Plano Básico" added here.
func newLeadEnv(t testing.TB, e storage.Stores, opts ...leadEnvOptions) *leadEnv {
	t.Helper()
	o := testkit.Option(opts)
	ctx := context.Background()
	logs := &testkit.SyncBuffer{}
	clock := testkit.NewClock(time.Now().UTC())
	dir := t.TempDir()
	var leads *energy.LeadService
	box := &mailbox{}
	var guard *httpx.Guard
	var keys *idempotency.Keys
	if o.perMinute > 0 {
		guard, keys = testdb.Guard(e, o.perMinute, clock.Now)
	}
	env := energytest.New(t, e, energytest.Options{Log: logs, Guard: guard, Leads: func(t testing.TB, e storage.Stores, catalog *energy.CatalogService) *energy.LeadService {
		blobs, err := blob.NewDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		sbox, err := secretbox.New(bytes.Repeat([]byte{42}, 32))
		if err != nil {
			t.Fatal(err)
		}
		leads, err = energy.NewLeadService(energy.LeadConfig{
			Store: e.EnergyLeads(), Catalog: catalog, Geo: geo.MustLoad(), Blobs: blobs, Box: sbox,
			Mail: box, PublicURL: "https://parceiros.example.com",
			MaxUploadBytes: o.maxUpload, Log: slog.New(slog.NewJSONHandler(logs, nil)), Now: clock.Now,
		})
		if err != nil {
			t.Fatal(err)
		}
		return leads
	}})
	if _, err := env.Catalog.CreatePlan(ctx, env.Utility.PublicID, energy.PlanInput{Name: "Plano Básico", FidelityMonths: 12, Discount: "0.105"}); err != nil {
		t.Fatal(err)
	}
	partnerID := func(name string) string {
		p, err := env.Partners.PartnerByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	if keys != nil {
		keys.ServeResourcesWith(env.Handler)
	}
	anon := apitest.New(t, env.Handler)
	return &leadEnv{
		A: anon.With("Authorization", "Bearer "+env.KeyA), B: anon.With("Authorization", "Bearer "+env.KeyB), Anon: anon,
		Handler: env.Handler, Stores: e, KeyA: env.KeyA, PartnerA: partnerID("Partner A"), PartnerB: partnerID("Partner B"),
		Leads: leads, Log: logs, BlobDir: dir, Mail: box, clock: clock,
	}
}
