package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/server"
)

// energyServices wires the GD catalog and the partners to the configured
// database, once per app: the energy API and the operator console share
// them, so a change made on one shows on the other at once.
func (a *app) energyServices(ctx context.Context) (*energy.CatalogService, *energy.PartnerService, error) {
	if a.catalog != nil {
		return a.catalog, a.partners, nil
	}
	catalog, err := energy.NewCatalogService(ctx, a.stores.EnergyCatalog(), a.geo, a.log)
	if err != nil {
		return nil, nil, err
	}
	partners := energy.NewPartnerService(a.stores.EnergyPartners(), a.now)
	// Writes are announced to, and followed from, every other process on
	// the database (replicas, the CLI).
	catalog.ShareChanges(a.stores.Changes())
	partners.ShareChanges(a.stores.Changes(), a.log)
	a.catalog, a.partners = catalog, partners
	return catalog, partners, nil
}

// energyStack is the energy services serve runs, made once and shared by
// the API and the partner console: one catalog snapshot, refreshed, and
// one lead service with its retention sweep.
type energyStack struct {
	catalog  *energy.CatalogService
	partners *energy.PartnerService
	leads    *energy.LeadService
}

func (a *app) energyStack(ctx context.Context) (*energyStack, error) {
	if a.energy != nil {
		return a.energy, nil
	}
	catalog, partners, err := a.energyServices(ctx)
	if err != nil {
		return nil, err
	}
	// Catalog changes made by the CLI or another replica arrive as change
	// notices; should one be lost, they show within a minute.
	go catalog.RefreshEvery(ctx, time.Minute)
	leads, err := a.energyLeadService(ctx, catalog)
	if err != nil {
		return nil, err
	}
	if a.retention > 0 {
		// Every replica sweeps; each lead is re-checked inside its write.
		go leads.SweepRetentionEvery(ctx, a.retention, time.Hour)
	}
	a.energy = &energyStack{catalog: catalog, partners: partners, leads: leads}
	return a.energy, nil
}

// energySurface is the energy partnerships API.
func (a *app) energySurface(ctx context.Context) (server.Surface, error) {
	e, err := a.energyStack(ctx)
	if err != nil {
		return server.Surface{}, err
	}
	api := &energy.API{Log: a.log, Catalog: e.catalog, Partners: e.partners, Leads: e.leads, PublicURL: a.cfg.PublicURL,
		Webhooks: a.webhookHandlers(energy.Render, apperr.Invalid), Guard: a.guard}
	return server.Surface{Name: "energy", Prefixes: energy.Prefixes, SecretPaths: []string{energy.SignPathPrefix}, Render: energy.Render, Routes: api.Routes}, nil
}

// demoPlans are realistic GD plans for the utilities the demo qualifies.
var demoPlans = []struct {
	utility string
	plans   []energy.PlanInput
}{
	{"ENEL SP", []energy.PlanInput{{Name: "Plano Premium", FidelityMonths: 60, Discount: "0.14", Benefits: []string{"Primeira Fatura Grátis"}}, {Name: "Plano Flex", FidelityMonths: 12, Discount: "0.08", Benefits: []string{}}}},
	{"CPFL PAULISTA", []energy.PlanInput{{Name: "Plano Premium", FidelityMonths: 60, Discount: "0.15", Benefits: []string{"Primeira Fatura Grátis"}}, {Name: "Plano Essencial", FidelityMonths: 24, Discount: "0.10", Benefits: []string{}}}},
	{"CEMIG-D", []energy.PlanInput{{Name: "Plano Premium", FidelityMonths: 60, Discount: "0.18", Benefits: []string{"Primeira Fatura Grátis", "Sem taxa de adesão"}}}},
	{"LIGHT", []energy.PlanInput{{Name: "Plano Premium", FidelityMonths: 36, Discount: "0.12", Benefits: []string{"Primeira Fatura Grátis"}}}},
}

const demoPartner = "Parceiro Demo"

// loadEnergyDemo qualifies four utilities with plans (once), creates the
// demo partner, issues a key and prints how to call the API.
func (a *app) loadEnergyDemo(ctx context.Context, w io.Writer, baseURL string) error {
	catalog, partners, err := a.energyServices(ctx)
	if err != nil {
		return err
	}
	if err := seedEnergyDemo(ctx, catalog); err != nil {
		return err
	}
	if _, err := partners.CreatePartner(ctx, demoPartner); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	key, _, err := partners.CreateKey(ctx, demoPartner, "Vendedor Demo", true)
	if err != nil {
		return err
	}
	cpfl, _ := catalog.UtilityByName("CPFL PAULISTA")
	fmt.Fprintf(w, `
Energy partnerships (partner %[3]q, admin key just issued):
  export KEY=%[2]s
  curl -H "Authorization: Bearer $KEY" '%[1]s/distribuited-generation/operation-areas?state=sp&city=sao%%20paulo'
  curl -H "Authorization: Bearer $KEY" '%[1]s/distribuited-generation/operation-areas?ibge_code=3509502'
  curl -H "Authorization: Bearer $KEY" '%[1]s/distribuited-generation/plans?energy_utility_public_id=%[4]s'
  curl -H "Authorization: Bearer $KEY" '%[1]s/sales-conversion/leads/qualification?state=SP&city=Campinas&personType=natural&utilityBillingValue=815,50'
`, baseURL, key, demoPartner, cpfl.PublicID)
	return nil
}

func seedEnergyDemo(ctx context.Context, catalog *energy.CatalogService) error {
	for _, demo := range demoPlans {
		u, ok := catalog.UtilityByName(demo.utility)
		if !ok {
			return fmt.Errorf("demo: utility %s is not in the reference data", demo.utility)
		}
		if !u.Qualified {
			if _, err := catalog.UpdateUtility(ctx, u.PublicID, energy.UtilityInput{Name: u.Name, UF: u.UF, Qualified: true}); err != nil {
				return err
			}
		}
		_, existing, _ := catalog.PlansOf(u.PublicID)
		if len(existing) > 0 {
			continue
		}
		for _, p := range demo.plans {
			if _, err := catalog.CreatePlan(ctx, u.PublicID, p); err != nil {
				return err
			}
		}
	}
	return nil
}
