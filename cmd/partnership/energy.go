package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/energyref"
	"partnership-service/internal/server"
)

// energyServices builds the catalog and partner services.
func (a *app) energyServices(ctx context.Context) (*energy.CatalogService, *energy.PartnerService, error) {
	catalog, err := energy.NewCatalogService(ctx, a.stores.EnergyCatalog(), a.geo, a.log)
	if err != nil {
		return nil, nil, err
	}
	return catalog, energy.NewPartnerService(a.stores.EnergyPartners(), a.now), nil
}

// energySurface is the energy partnerships API.
func (a *app) energySurface(ctx context.Context) (server.Surface, error) {
	catalog, partners, err := a.energyServices(ctx)
	if err != nil {
		return server.Surface{}, err
	}
	// Catalog changes made by the CLI or another replica show within a minute.
	go catalog.RefreshEvery(ctx, time.Minute)
	leads, err := a.energyLeadService(ctx, catalog)
	if err != nil {
		return server.Surface{}, err
	}
	api := &energy.API{Log: a.log, Catalog: catalog, Partners: partners, Leads: leads}
	return server.Surface{Name: "energy", Prefixes: energy.Prefixes, Render: energy.Render, Routes: api.Routes}, nil
}

// withEnergy opens the app for an energy admin command.
func withEnergy(ctx context.Context, env *environment, name string, args []string, flags func(*flag.FlagSet), run func(*app, *energy.CatalogService, *energy.PartnerService, []string) error) error {
	var cfg config
	fs := newFlagSet(env, name, &cfg)
	flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	catalog, partners, err := a.energyServices(ctx)
	if err != nil {
		return err
	}
	return run(a, catalog, partners, fs.Args())
}

// runPartner: partnership partner create --name NAME prints the partner id.
func runPartner(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(env.stderr, "usage: partnership partner create --name NAME")
		return errors.New("partner: expected create")
	}
	var name *string
	return withEnergy(ctx, env, "partner create", args[1:], func(fs *flag.FlagSet) {
		name = fs.String("name", "", "the partner's name")
	}, func(_ *app, _ *energy.CatalogService, partners *energy.PartnerService, _ []string) error {
		p, err := partners.CreatePartner(ctx, *name)
		if err != nil {
			return cliError("partner", err)
		}
		fmt.Fprintln(env.stdout, p.ID)
		return nil
	})
}

// runAPIKey: partnership apikey create --partner NAME [--seller NAME] [--admin]
// prints the new key alone; partnership apikey revoke KEY_PREFIX.
func runAPIKey(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		fmt.Fprintln(env.stderr, "usage: partnership apikey create --partner NAME [--seller NAME] [--admin]\n       partnership apikey revoke KEY_PREFIX")
		return errors.New("apikey: expected create or revoke")
	}
	var partner, seller *string
	var admin *bool
	return withEnergy(ctx, env, "apikey "+args[0], args[1:], func(fs *flag.FlagSet) {
		partner = fs.String("partner", "", "the partner's name (create)")
		seller = fs.String("seller", "", "the seller the key is issued to; leads record it as sellerName (create)")
		admin = fs.Bool("admin", false, "the key may also manage the catalog (create)")
	}, func(_ *app, _ *energy.CatalogService, partners *energy.PartnerService, rest []string) error {
		if args[0] == "revoke" {
			if len(rest) != 1 {
				return errors.New("apikey revoke: expected one KEY_PREFIX")
			}
			if err := partners.RevokeKey(ctx, rest[0]); err != nil {
				return cliError("apikey", err)
			}
			fmt.Fprintln(env.stdout, "revoked")
			return nil
		}
		key, _, err := partners.CreateKey(ctx, *partner, *seller, *admin)
		if err != nil {
			return cliError("apikey", err)
		}
		fmt.Fprintln(env.stdout, key)
		return nil
	})
}

// runCatalog: partnership catalog import-areas FILE.csv
func runCatalog(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "import-areas" {
		fmt.Fprintln(env.stderr, "usage: partnership catalog import-areas FILE.csv   (columns utility_name,ibge_code)")
		return errors.New("catalog: expected import-areas")
	}
	return withEnergy(ctx, env, "catalog import-areas", args[1:], func(*flag.FlagSet) {},
		func(_ *app, catalog *energy.CatalogService, _ *energy.PartnerService, rest []string) error {
			if len(rest) != 1 {
				return errors.New("catalog import-areas: expected one FILE.csv")
			}
			f, err := os.Open(rest[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rows, err := energyref.ReadAreasCSV(f)
			if err != nil {
				return fmt.Errorf("catalog import-areas: %s: %w", rest[0], err)
			}
			rep, err := catalog.ImportAreas(ctx, rows)
			if err != nil {
				return err
			}
			for _, bad := range rep.Bad {
				fmt.Fprintln(env.stderr, "skipped", bad)
			}
			fmt.Fprintf(env.stdout, "%d areas added, %d already known, %d rows skipped\n", rep.Added, rep.Existing, len(rep.Bad))
			return nil
		})
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
