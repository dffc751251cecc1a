package storetest

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/energyref"
)

// energyCatalogStore is what both engines implement for the energy catalog.
type energyCatalogStore interface {
	energy.CatalogStore
	energy.PartnerStore
}

// runEnergyCatalog checks the catalog and partner store of one engine.
func runEnergyCatalog(t *testing.T, open func(t *testing.T) energyCatalogStore) {
	ctx := context.Background()
	wantCode := func(t *testing.T, err error, code apperr.Code) {
		t.Helper()
		if apperr.CodeOf(err) != code {
			t.Fatalf("err = %v, want %s", err, code)
		}
	}

	t.Run("reference utilities are loaded, none qualified", func(t *testing.T) {
		s := open(t)
		d, err := s.LoadCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Utilities) != 105 || len(d.Areas) != 44 || len(d.Plans) != 0 {
			t.Fatalf("loaded %d utilities, %d areas, %d plans; want 105, 44, 0", len(d.Utilities), len(d.Areas), len(d.Plans))
		}
		// The stable id derives from ANEEL's 2021 name, which a renamed
		// utility (ENEL GO, now EQUATORIAL GO) no longer shows.
		ref, _, err := energyref.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		stable := map[string]string{}
		for _, r := range ref {
			stable[r.Name] = energyref.UtilityPublicID(r.ANEELName)
		}
		for _, u := range d.Utilities {
			if u.Qualified {
				t.Fatalf("%s is qualified by reference data", u.Name)
			}
			if u.PublicID != stable[u.Name] {
				t.Fatalf("%s has id %s, want the stable one", u.Name, u.PublicID)
			}
		}
	})

	t.Run("utilities, areas, plans and thresholds round-trip", func(t *testing.T) {
		s := open(t)
		u := energy.Utility{PublicID: "7b0c6a0e-3c8f-4a57-9a53-0c6e8f1f2d11", Name: "NOVA ENERGIA", UF: "SP", Qualified: true, GDMinNaturalCents: 150_00}
		if err := s.CreateUtility(ctx, u); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.CreateUtility(ctx, energy.Utility{PublicID: "8b0c6a0e-3c8f-4a57-9a53-0c6e8f1f2d11", Name: "NOVA ENERGIA", UF: "SP"}), apperr.Conflict)
		wantCode(t, s.CreateUtility(ctx, energy.Utility{PublicID: "9b0c6a0e-3c8f-4a57-9a53-0c6e8f1f2d11", Name: "X", UF: "XX"}), apperr.Invalid)
		added, err := s.AddAreas(ctx, []energy.OperationArea{{UtilityID: u.PublicID, IBGECode: 3509502}, {UtilityID: u.PublicID, IBGECode: 3550308}})
		if err != nil || added != 2 {
			t.Fatalf("AddAreas = %d, %v; want 2 new", added, err)
		}
		if added, err = s.AddAreas(ctx, []energy.OperationArea{{UtilityID: u.PublicID, IBGECode: 3509502}}); err != nil || added != 0 {
			t.Fatalf("re-adding an area = %d, %v; want 0 new", added, err)
		}
		_, err = s.AddAreas(ctx, []energy.OperationArea{{UtilityID: u.PublicID, IBGECode: 1}})
		wantCode(t, err, apperr.Invalid)
		p, err := s.CreatePlan(ctx, energy.Plan{UtilityID: u.PublicID, Name: "Sol", FidelityMonths: 12, Discount: "0.1", Benefits: []string{"Brinde", "Fatura"}})
		if err != nil || p.ID == 0 {
			t.Fatalf("CreatePlan = %+v, %v", p, err)
		}
		_, err = s.CreatePlan(ctx, energy.Plan{UtilityID: u.PublicID, Name: "Sol", FidelityMonths: 1, Discount: "0.2", Benefits: []string{}})
		wantCode(t, err, apperr.Conflict)
		p.FidelityMonths = 24
		if err := s.UpdatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.UpdatePlan(ctx, energy.Plan{ID: 999999, Name: "x", Benefits: []string{}}), apperr.NotFound)
		if err := s.SaveThresholds(ctx, energy.Thresholds{FreeMarketMinCents: 5_000_00}); err != nil {
			t.Fatal(err)
		}
		d, err := s.LoadCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got energy.Plan
		for _, q := range d.Plans {
			if q.ID == p.ID {
				got = q
			}
		}
		if got.FidelityMonths != 24 || len(got.Benefits) != 2 || got.Benefits[1] != "Fatura" {
			t.Fatalf("plan read back = %+v", got)
		}
		if d.Thresholds.FreeMarketMinCents != 5_000_00 {
			t.Fatalf("thresholds = %+v", d.Thresholds)
		}
		wantCode(t, s.DeleteArea(ctx, energy.OperationArea{UtilityID: u.PublicID, IBGECode: 3304557}), apperr.NotFound)
		if err := s.DeleteUtility(ctx, u.PublicID); err != nil {
			t.Fatal(err)
		}
		d, _ = s.LoadCatalog(ctx)
		for _, a := range d.Areas {
			if a.UtilityID == u.PublicID {
				t.Fatal("areas of a deleted utility survive")
			}
		}
		for _, q := range d.Plans {
			if q.UtilityID == u.PublicID {
				t.Fatal("plans of a deleted utility survive")
			}
		}
		wantCode(t, s.DeleteUtility(ctx, u.PublicID), apperr.NotFound)
	})

	t.Run("the list of partners", func(t *testing.T) {
		s := open(t)
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		for i, name := range []string{"Sol Nascente", "Amanhecer Energia"} {
			if err := s.CreatePartner(ctx, energy.Partner{ID: "7a4f2c1e-0000-4000-8000-00000000000" + string(rune('1'+i)), Name: name, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.Partners(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "Amanhecer Energia" || list[1].Name != "Sol Nascente" || !list[0].CreatedAt.Equal(now) {
			t.Fatalf("Partners = %+v, %v", list, err)
		}
	})
	t.Run("partners and keys", func(t *testing.T) {
		s := open(t)
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		p := energy.Partner{ID: "5a4f2c1e-0000-4000-8000-000000000001", Name: "Solar Parceiro", CreatedAt: now}
		if err := s.CreatePartner(ctx, p); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.CreatePartner(ctx, energy.Partner{ID: "5a4f2c1e-0000-4000-8000-000000000002", Name: "Solar Parceiro", CreatedAt: now}), apperr.Conflict)
		got, err := s.PartnerByName(ctx, "Solar Parceiro")
		if err != nil || got.ID != p.ID || !got.CreatedAt.Equal(now) {
			t.Fatalf("PartnerByName = %+v, %v", got, err)
		}
		_, err = s.PartnerByName(ctx, "Nobody")
		wantCode(t, err, apperr.NotFound)
		k := energy.APIKey{ID: "6a4f2c1e-0000-4000-8000-000000000001", PartnerID: p.ID, Prefix: "abcd1234", Hash: "h1", SellerName: "Ana", Admin: true, CreatedAt: now}
		if err := s.CreateKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.CreateKey(ctx, energy.APIKey{ID: "6a4f2c1e-0000-4000-8000-000000000002", PartnerID: "missing", Prefix: "zzz", Hash: "h2", CreatedAt: now}), apperr.Invalid)
		gk, gp, err := s.KeyByHash(ctx, "h1")
		if err != nil || gk.SellerName != "Ana" || !gk.Admin || gp.Name != "Solar Parceiro" || gk.RevokedAt != nil {
			t.Fatalf("KeyByHash = %+v %+v %v", gk, gp, err)
		}
		_, _, err = s.KeyByHash(ctx, "nope")
		wantCode(t, err, apperr.NotFound)
		if err := s.RevokeKey(ctx, "abcd1234", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.RevokeKey(ctx, "abcd1234", now), apperr.NotFound)
		gk, _, err = s.KeyByHash(ctx, "h1")
		if err != nil || gk.RevokedAt == nil || !gk.RevokedAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("revoked key = %+v, %v", gk, err)
		}
		// By id, and its keys (the revoked one too), newest first.
		if got, err := s.PartnerByID(ctx, p.ID); err != nil || got.Name != p.Name {
			t.Fatalf("PartnerByID = %+v, %v", got, err)
		}
		_, err = s.PartnerByID(ctx, "5a4f2c1e-0000-4000-8000-00000000ffff")
		wantCode(t, err, apperr.NotFound)
		k2 := energy.APIKey{ID: "6a4f2c1e-0000-4000-8000-000000000003", PartnerID: p.ID, Prefix: "efgh5678", Hash: "h3", CreatedAt: now.Add(time.Minute)}
		if err := s.CreateKey(ctx, k2); err != nil {
			t.Fatal(err)
		}
		keys, err := s.Keys(ctx, p.ID)
		if err != nil || len(keys) != 2 || keys[0].Prefix != "efgh5678" || keys[1].Prefix != "abcd1234" || keys[1].RevokedAt == nil ||
			keys[1].SellerName != "Ana" || !keys[1].Admin {
			t.Fatalf("Keys = %+v, %v", keys, err)
		}
		if keys, err := s.Keys(ctx, "5a4f2c1e-0000-4000-8000-00000000ffff"); err != nil || len(keys) != 0 {
			t.Fatalf("another partner's Keys = %+v, %v", keys, err)
		}
	})
}
