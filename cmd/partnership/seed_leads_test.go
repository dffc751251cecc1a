package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"partnership-service/internal/brdoc"
	"partnership-service/internal/energy"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
)

// TestSeedLeadsLeavesOutTakenCPFs: seeding after leads the API stored
// (a load test's random CPFs) leaves out the generated lead whose CPF an
// open lead already holds, instead of failing on the open-lead index, and
// a second run adds more; a seeded lead reads back as it was stored, its
// history included (on PostgreSQL the batch goes through COPY).
func TestSeedLeadsLeavesOutTakenCPFs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, stores storage.Stores) {
		ctx := context.Background()
		partner, now := seedPartner(t, stores, "00000000-0000-7000-8000-00000000a001")
		// The seeder numbers CPFs from the partner's count of leads on:
		// with this one stored, the second lead it makes would take this
		// CPF.
		taken := storedLead(partner.ID, "00000000-0000-7000-8000-0000000000c1", "API", 100_000_002, energy.StatusIndicado, now)
		if err := stores.EnergyLeads().WriteLeads(ctx, func(tx energy.LeadTx) error {
			n, err := insertSeeded(tx, []energy.Lead{taken})
			if n != 1 {
				t.Errorf("stored %d of the API's lead", n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := stores.EnergyLeads().Lead(ctx, partner.ID, taken.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.IdentificationNumber != taken.IdentificationNumber || got.FullName != taken.FullName || got.SellerName != taken.SellerName ||
			got.Status != taken.Status || !got.CreatedAt.Equal(taken.CreatedAt) || got.Address != taken.Address ||
			len(got.History) != 1 || got.History[0].Status != taken.Status || !got.History[0].At.Equal(now) {
			t.Errorf("seeded lead read back as %+v; want %+v", got, taken)
		}
		n, err := seedLeads(ctx, stores.EnergyLeads(), partner.ID, 5, true, now)
		if err != nil || n != 4 {
			t.Fatalf("seedLeads = %d, %v; want 4 stored, the taken CPF left out", n, err)
		}
		// The second run's numbering starts at the count, on a CPF the
		// first run holds: that one is left out too.
		again, err := seedLeads(ctx, stores.EnergyLeads(), partner.ID, 5, true, now)
		if err != nil || again != 4 {
			t.Fatalf("second seedLeads = %d, %v; want 4 more", again, err)
		}
		_, total, err := stores.EnergyLeads().ListLeads(ctx, partner.ID, energy.LeadQuery{Page: 1, Limit: 1})
		if err != nil || total.Count != 1+4+4 {
			t.Fatalf("leads = %d, %v; want 9", total.Count, err)
		}
	})
}

// TestSeedLeadsConcurrentBatches: batches stored at once, each changing
// the counts and tallies of every status and shard of one partner, all
// commit on every engine (on PostgreSQL, batches that took those rows in
// different orders deadlocked), and the totals they leave match the leads.
func TestSeedLeadsConcurrentBatches(t *testing.T) {
	testdb.Each(t, func(t *testing.T, stores storage.Stores) {
		ctx := context.Background()
		partner, now := seedPartner(t, stores, "00000000-0000-7000-8000-00000000a002")
		statuses := []energy.LeadStatus{energy.StatusIndicado, energy.StatusNegociacao, energy.StatusAssinado, energy.StatusDesqualificado}
		const batches, perBatch = 16, 64
		errs := make([]error, batches)
		var wg sync.WaitGroup
		for b := range batches {
			batch := make([]energy.Lead, perBatch)
			for i := range batch {
				n := b*perBatch + i
				batch[i] = storedLead(partner.ID, fmt.Sprintf("00000000-0000-7000-8000-%012x", n), fmt.Sprintf("Vendedor %d", n%3),
					200_000_000+n, statuses[(n/16)%len(statuses)], now)
			}
			wg.Go(func() {
				errs[b] = stores.EnergyLeads().WriteLeads(ctx, func(tx energy.LeadTx) error {
					_, err := insertSeeded(tx, batch)
					return err
				})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("batches: %v", err)
		}
		_, total, err := stores.EnergyLeads().ListLeads(ctx, partner.ID, energy.LeadQuery{Page: 1, Limit: 1})
		if err != nil || total.Count != batches*perBatch {
			t.Fatalf("total %d, %v; want %d", total.Count, err, batches*perBatch)
		}
		for _, status := range statuses {
			_, total, err := stores.EnergyLeads().ListLeads(ctx, partner.ID, energy.LeadQuery{Page: 1, Limit: 1, Status: status})
			if err != nil || total.Count != batches*perBatch/len(statuses) {
				t.Errorf("%s: total %d, %v; want %d", status, total.Count, err, batches*perBatch/len(statuses))
			}
		}
	})
}

// seedPartner creates the partner the leads of a test are seeded for, and
// returns it with the time the test stores them at.
func seedPartner(t *testing.T, stores storage.Stores, id string) (energy.Partner, time.Time) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	partner := energy.Partner{ID: id, Name: "Parceiro", CreatedAt: now}
	if err := stores.EnergyPartners().CreatePartner(context.Background(), partner); err != nil {
		t.Fatal(err)
	}
	return partner, now
}

// storedLead is a valid lead of partnerID in status, by seller, whose CPF
// is the one numbered cpfBase, as insertSeeded stores it.
func storedLead(partnerID, id, seller string, cpfBase int, status energy.LeadStatus, at time.Time) energy.Lead {
	return energy.Lead{ID: id, PartnerID: partnerID, SellerName: seller,
		PersonType: energy.Natural, FullName: "Ana", UtilityBillHolder: energy.Natural, UtilityBillCents: 100,
		IdentificationNumber: brdoc.CompleteCPF(fmt.Sprintf("%09d", cpfBase)),
		Address:              energy.Address{ZipCode: "13010000", State: "SP", City: "Campinas", IBGECode: 3509502},
		Status:               status, CreatedAt: at, UpdatedAt: at,
		History: []energy.StatusChange{{Status: status, At: at}}}
}
