package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/energy"
)

// seedBatch is how many leads one write transaction stores: big enough
// that the commit (an fsync) is rare, small enough that the writer is not
// held for long. seedWriters transactions run at once: PostgreSQL's run in
// parallel (each insert is a round trip), SQLite's single writer takes
// them one after the other while the next batch is built.
const (
	seedBatch   = 5_000
	seedWriters = 4
)

func bindSeedLeads(fs *flag.FlagSet, _ *environment) action {
	partner := fs.String("partner", demoPartner, "the partner the leads belong to; created when missing")
	count := fs.Int("count", 1_000_000, "how many leads to store")
	skewed := fs.Bool("skewed", false, `every lead named "Maria da Silva", by the seller "Vendedor Demo", created today (issue 13's worst case); otherwise names, sellers, days and statuses vary`)
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		if *count < 1 {
			return inv.usagef("--count must be positive")
		}
		_, partners, err := a.energyServices(ctx)
		if err != nil {
			return err
		}
		if _, err := partners.CreatePartner(ctx, *partner); err != nil && !apperr.Is(err, apperr.Conflict) {
			return cliError("partner", err)
		}
		p, err := partners.PartnerByName(ctx, *partner)
		if err != nil {
			return cliError("partner", err)
		}
		start := time.Now()
		n, err := seedLeads(ctx, a.stores.EnergyLeads(), p.ID, *count, *skewed, a.now().UTC())
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.env.stderr, "stored %d leads of %s in %s\n", n, p.Name, time.Since(start).Round(time.Millisecond))
		return inv.printed(n)
	})
}

// seedLeads stores count generated leads of partnerID in batches, through
// the store's write primitives, with their first history entry and their
// counts: what the lead service would store, without its per-request
// cost. Each lead has its own valid CPF, numbered from the partner's
// existing leads on, so that a second run adds more; one an open lead of
// the partner already holds is left out (the count printed is of the
// leads stored). Times step back from now by a microsecond (skewed) or spread over
// the last year.
func seedLeads(ctx context.Context, store energy.LeadStore, partnerID string, count int, skewed bool, now time.Time) (int, error) {
	_, existing, err := store.ListLeads(ctx, partnerID, energy.LeadQuery{Page: 1, Limit: 1})
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(uint64(existing.Count), 13))
	firstNames := []string{"Maria", "José", "Ana", "João", "Antônio", "Francisca", "Carlos", "Paulo", "Adriana", "Lucas"}
	lastNames := []string{"da Silva", "dos Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes"}
	statuses := []energy.LeadStatus{energy.StatusIndicado, energy.StatusIndicado, energy.StatusIndicado, energy.StatusNegociacao,
		energy.StatusAssinado, energy.StatusDesqualificado}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		stored   int
		firstErr error
		slots    = make(chan struct{}, seedWriters)
	)
	for built := 0; built < count; {
		batch := make([]energy.Lead, 0, min(seedBatch, count-built))
		for range cap(batch) {
			i := existing.Count + built + len(batch)
			l := energy.Lead{
				ID: uuid.Must(uuid.NewV7()).String(), PartnerID: partnerID, SellerName: "Vendedor Demo",
				PersonType: energy.Natural, FullName: "Maria da Silva", Email: "maria@example.com", MobilePhone: "11999885544",
				UtilityBillHolder: energy.Natural, UtilityBillCents: 85015, IdentificationNumber: brdoc.CompleteCPF(fmt.Sprintf("%09d", 100_000_000+i)),
				Nationality: "Brasileira", MaritalStatus: "Solteira", Profession: "Engenheira",
				Address: energy.Address{ZipCode: "13010000", State: "SP", City: "Campinas", IBGECode: 3509502,
					Street: "Rua Ladrilhos Dourados", Number: "777", Neighborhood: "Centro"},
				Status: energy.StatusIndicado, StatusDetails: "Lead cadastrado pelo parceiro.",
				CreatedAt: now.Add(-time.Duration(i) * time.Microsecond),
			}
			if !skewed {
				l.FullName = firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
				l.SellerName = fmt.Sprintf("Vendedor %d", rng.IntN(20)+1)
				l.CreatedAt = now.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Microsecond)
				l.Status = statuses[rng.IntN(len(statuses))]
			}
			l.UpdatedAt = l.CreatedAt
			l.History = []energy.StatusChange{{Status: l.Status, Details: l.StatusDetails, At: l.CreatedAt}}
			batch = append(batch, l)
		}
		built += len(batch)
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			var n int
			err := store.WriteLeads(ctx, func(tx energy.LeadTx) (err error) {
				n, err = insertSeeded(tx, batch)
				return err
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = cmp.Or(firstErr, err)
				return
			}
			stored += n
		})
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
	}
	wg.Wait()
	return stored, firstErr
}

// insertSeeded stores a batch with one count change per status, count
// shard, seller and day in it, made in that order: batches stored at once
// (on PostgreSQL) lock the rows of counts and tallies they change until
// they commit, and two that took them in different orders would deadlock.
// In this order each row of counts comes before every tally under it. An
// open lead to seed whose CPF an open lead of the partner already holds
// (one the API stored, such as a load test's random CPFs) is left out, as
// the open-lead rule wants.
func insertSeeded(tx energy.LeadTx, batch []energy.Lead) (int, error) {
	fresh := make([]energy.Lead, 0, len(batch))
	for _, l := range batch {
		taken, err := openLeadHolds(tx, l)
		if err != nil {
			return 0, err
		}
		if !taken {
			fresh = append(fresh, l)
		}
	}
	if err := tx.InsertNew(fresh); err != nil {
		return 0, err
	}
	type key struct {
		status      energy.LeadStatus
		shard       int
		seller, day string
	}
	counts := map[key]int{}
	like := map[key]energy.Lead{}
	for _, l := range fresh {
		k := key{l.Status, energy.CountShard(l.ID), l.SellerName, energy.LeadDay(l.CreatedAt)}
		counts[k]++
		like[k] = l
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.status, b.status), cmp.Compare(a.shard, b.shard),
			cmp.Compare(a.seller, b.seller), cmp.Compare(a.day, b.day))
	})
	for _, k := range keys {
		if err := tx.AdjustCount(like[k], k.status, counts[k]); err != nil {
			return 0, err
		}
	}
	return len(fresh), nil
}

// openLeadHolds reports whether an open lead of the partner already holds
// the CPF of l, an open lead to seed.
func openLeadHolds(tx energy.LeadTx, l energy.Lead) (bool, error) {
	if !l.Status.Open() {
		return false, nil
	}
	other, err := tx.OpenLeadWith(l.PartnerID, l.IdentificationNumber, l.ID)
	return other != "", err
}
