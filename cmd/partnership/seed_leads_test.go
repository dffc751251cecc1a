package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"partnership-service/internal/brdoc"
	"partnership-service/internal/energy"
	"partnership-service/internal/testdb"
)

// TestSeedLeadsLeavesOutTakenCPFs: seeding after leads the API stored
// (a load test's random CPFs) leaves out the generated lead whose CPF an
// open lead already holds, instead of failing on the open-lead index, and
// a second run adds more.
func TestSeedLeadsLeavesOutTakenCPFs(t *testing.T) {
	ctx := context.Background()
	stores := testdb.SQLite(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	partner := energy.Partner{ID: "00000000-0000-7000-8000-00000000a001", Name: "Parceiro", CreatedAt: now}
	if err := stores.EnergyPartners().CreatePartner(ctx, partner); err != nil {
		t.Fatal(err)
	}
	// The seeder numbers CPFs from the partner's count of leads on: with
	// this one stored, the second lead it makes would take this CPF.
	taken := energy.Lead{ID: "00000000-0000-7000-8000-0000000000c1", PartnerID: partner.ID, SellerName: "API",
		PersonType: energy.Natural, FullName: "Ana", UtilityBillHolder: energy.Natural, UtilityBillCents: 100,
		IdentificationNumber: brdoc.CompleteCPF(fmt.Sprintf("%09d", 100_000_002)),
		Address:              energy.Address{ZipCode: "13010000", State: "SP", City: "Campinas", IBGECode: 3509502},
		Status:               energy.StatusIndicado, CreatedAt: now, UpdatedAt: now}
	taken.History = []energy.StatusChange{{Status: taken.Status, At: now}}
	if err := stores.EnergyLeads().WriteLeads(ctx, func(tx energy.LeadTx) error {
		n, err := insertSeeded(tx, []energy.Lead{taken})
		if n != 1 {
			t.Errorf("stored %d of the API's lead", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n, err := seedLeads(ctx, stores.EnergyLeads(), partner.ID, 5, true, now)
	if err != nil || n != 4 {
		t.Fatalf("seedLeads = %d, %v; want 4 stored, the taken CPF left out", n, err)
	}
	// The second run's numbering starts at the count, on a CPF the first
	// run holds: that one is left out too.
	again, err := seedLeads(ctx, stores.EnergyLeads(), partner.ID, 5, true, now)
	if err != nil || again != 4 {
		t.Fatalf("second seedLeads = %d, %v; want 4 more", again, err)
	}
	_, total, err := stores.EnergyLeads().ListLeads(ctx, partner.ID, energy.LeadQuery{Page: 1, Limit: 1})
	if err != nil || total.Count != 1+4+4 {
		t.Fatalf("leads = %d, %v; want 9", total.Count, err)
	}
}
