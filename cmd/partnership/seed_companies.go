package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"time"

	"partnership-service/internal/companies"
)

// seedCompaniesBatch is how many companies one write transaction stores.
const seedCompaniesBatch = 5_000

func bindSeedCompanies(fs *flag.FlagSet, _ *environment) action {
	account := fs.String("account", demoClientAccount, "the account the companies belong to (it must exist: serve --demo creates this one)")
	count := fs.Int("count", 100_000, "how many companies to store")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		if *count < 1 {
			return inv.usagef("--count must be positive")
		}
		acc, err := a.stores.Companies().AccountByName(ctx, *account)
		if err != nil {
			return cliError("account", err)
		}
		start := time.Now()
		n, err := seedCompanies(ctx, a.stores.Companies(), acc.ID, *count, a.now().UTC())
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.env.stderr, "stored %d companies of %s in %s\n", n, acc.Name, time.Since(start).Round(time.Millisecond))
		return inv.printed(n)
	})
}

// seedCompanies stores count generated companies of accountID in batches,
// through the store's write primitives and without audit entries (they
// are load-test data, not anyone's changes). Names are an activity, a
// family name and a legal form, so that a search for a common word ("ltda"
// is in a third of them) matches tens of thousands: the _q search's worst
// case (issue 13).
func seedCompanies(ctx context.Context, store companies.Store, accountID int64, count int, now time.Time) (int, error) {
	rng := rand.New(rand.NewPCG(uint64(accountID), 17))
	activities := []string{"Padaria", "Mercado", "Comércio", "Indústria", "Serviços", "Transportes", "Construtora", "Farmácia",
		"Metalúrgica", "Alimentos", "Energia Solar", "Auto Peças"}
	families := []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes"}
	forms := []string{"Ltda", "ME", "EIRELI", "S.A.", "Ltda", "EPP"}
	stored := 0
	for stored < count {
		n := min(seedCompaniesBatch, count-stored)
		err := store.UpdateCompanies(ctx, accountID, func(tx companies.CompanyTx) error {
			for i := range n {
				name := fmt.Sprintf("%s %s %s %d", activities[rng.IntN(len(activities))], families[rng.IntN(len(families))],
					forms[rng.IntN(len(forms))], stored+i+1)
				at := now.Add(-time.Duration(count-stored-i) * time.Second)
				if _, err := tx.Insert(ctx, companies.Company{AccountID: accountID, Name: name, CityID: 3550308, StateID: 35,
					CreatedAt: at, UpdatedAt: at}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return stored, err
		}
		stored += n
	}
	return stored, nil
}
