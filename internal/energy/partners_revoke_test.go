package energy_test

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

// TestRevokedKeyRefusedWithinTwoSeconds replays issue 10 #9: a key revoked
// through one PartnerService is refused at once there, and within
// PartnerKeyCacheTTL (2 s) by another PartnerService on the same store, as
// another replica would be.
func TestRevokedKeyRefusedWithinTwoSeconds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Now().UTC())
		here := energy.NewPartnerService(e.EnergyPartners(), clock.Now)
		there := energy.NewPartnerService(e.EnergyPartners(), clock.Now)
		if _, err := here.CreatePartner(ctx, "Replica Partner"); err != nil {
			t.Fatal(err)
		}
		key, k, err := here.CreateKey(ctx, "Replica Partner", "Seller", false)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*energy.PartnerService{here, there} {
			if _, err := s.Authenticate(ctx, "Bearer "+key); err != nil {
				t.Fatalf("before revocation: %v", err)
			}
		}
		if err := here.RevokeKey(ctx, k.Prefix); err != nil {
			t.Fatal(err)
		}
		if _, err := here.Authenticate(ctx, "Bearer "+key); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("revoking process: got %v, want unauthorized at once", err)
		}
		if energy.PartnerKeyCacheTTL > 2*time.Second {
			t.Fatalf("PartnerKeyCacheTTL = %v, want ≤ 2s", energy.PartnerKeyCacheTTL)
		}
		clock.Advance(2 * time.Second)
		if _, err := there.Authenticate(ctx, "Bearer "+key); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("other replica after 2s: got %v, want unauthorized", err)
		}
	})
}

// TestPartnerNamesRefuseControlsAndBidi: the partner and seller names shown
// on leads go through textnorm too (issue 10 #11).
func TestPartnerNamesRefuseControlsAndBidi(t *testing.T) {
	e := testdb.SQLite(t)
	ctx := context.Background()
	s := energy.NewPartnerService(e.EnergyPartners(), time.Now)
	if _, err := s.CreatePartner(ctx, "Acme\u202eSA"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("CreatePartner with RLO = %v, want invalid", err)
	}
	if _, err := s.CreatePartner(ctx, "São João d'Aliança – Ação"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateKey(ctx, "São João d'Aliança – Ação", "Se\x1bller", false); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("CreateKey with ESC in seller = %v, want invalid", err)
	}
}
