package energy_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"partnership-service/internal/energy/energytest"
	"partnership-service/internal/testdb"
)

// benchmarkGet measures one catalog read through the real handler and
// middleware (auth, logging, metrics), as a partner's request runs.
func benchmarkGet(b *testing.B, path func(*energytest.Env) string) {
	env := energytest.New(b, testdb.SQLite(b), energytest.Options{})
	req := httptest.NewRequest(http.MethodGet, path(env), nil)
	req.Header.Set("Authorization", "Bearer "+env.KeyA)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			env.Handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
}

func BenchmarkOperationAreas(b *testing.B) {
	benchmarkGet(b, func(*energytest.Env) string {
		return "/distribuited-generation/operation-areas?state=SP&city=S%C3%A3o%20Paulo"
	})
}

func BenchmarkPlans(b *testing.B) {
	benchmarkGet(b, func(env *energytest.Env) string {
		return "/distribuited-generation/plans?energy_utility_public_id=" + env.Utility.PublicID
	})
}

func BenchmarkQualification(b *testing.B) {
	benchmarkGet(b, func(*energytest.Env) string {
		return "/sales-conversion/leads/qualification?city=Campinas&state=SP&personType=natural&utilityBillingValue=815,50"
	})
}
