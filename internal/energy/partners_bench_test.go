package energy_test

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

// BenchmarkAuthenticate measures the partner-key check (issue 10 #9):
// "cached" is a request within PartnerKeyCacheTTL of the last look-up,
// "miss" one after it expired (one indexed SELECT by key hash), the worst
// case the 2 s bound can cost.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Now().UTC())
	s := energy.NewPartnerService(testdb.SQLite(b).EnergyPartners(), clock.Now)
	if _, err := s.CreatePartner(ctx, "Bench Partner"); err != nil {
		b.Fatal(err)
	}
	key, _, err := s.CreateKey(ctx, "Bench Partner", "Seller", false)
	if err != nil {
		b.Fatal(err)
	}
	auth := "Bearer " + key
	for _, tc := range []struct {
		name    string
		advance time.Duration
	}{{"cached", 0}, {"miss", energy.PartnerKeyCacheTTL}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				clock.Advance(tc.advance)
				if _, err := s.Authenticate(ctx, auth); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
