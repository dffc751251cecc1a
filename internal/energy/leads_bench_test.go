package energy_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"partnership-service/internal/brdoc"
	"partnership-service/internal/testdb"
)

// benchLeads is how many leads BenchmarkListLeads seeds for the listing
// partner (PARTNERSHIP_BENCH_LEADS overrides, e.g. 1000000).
func benchLeads(b *testing.B) int {
	if n, err := strconv.Atoi(os.Getenv("PARTNERSHIP_BENCH_LEADS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

func serve(b *testing.B, env *leadEnv, method, path string, body []byte, want int) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env.KeyA)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return rec
}

// BenchmarkCreateLead is a durable create (SQLite, group commit, fsync)
// through the whole handler, with validation, catalog and plan checks.
// Parallel, because group commit is what makes concurrent creates cheap.
func BenchmarkCreateLead(b *testing.B) {
	env := newLeadEnv(b, testdb.SQLite(b))
	// Valid CPFs, one per create, so no create hits the one-open-lead rule.
	var next atomic.Int64
	newBody := func() []byte {
		l := naturalLead()
		l["identificationNumber"] = cpfFor(next.Add(1))
		body, _ := json.Marshal(l)
		return body
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serve(b, env, http.MethodPost, "/sales-conversion/leads", newBody(), http.StatusCreated)
		}
	})
}

func BenchmarkGetLead(b *testing.B) {
	env := newLeadEnv(b, testdb.SQLite(b))
	body, _ := json.Marshal(naturalLead())
	rec := serve(b, env, http.MethodPost, "/sales-conversion/leads", body, http.StatusCreated)
	var lead struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &lead); err != nil {
		b.Fatal(err)
	}
	id := lead.ID
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serve(b, env, http.MethodGet, "/sales-conversion/leads/"+id, nil, http.StatusOK)
		}
	})
}

// BenchmarkListLeads lists from a partner with many leads (bulk-inserted in
// SQL), and another partner's as many, so every query must use the
// partner's index range.
func BenchmarkListLeads(b *testing.B) {
	env, n := bulkLeads(b, false)
	middle := strconv.Itoa(n / 2)
	benchList(b, env, []struct{ name, query string }{
		{"first page", ""},
		{"page 100", "page=100&limit=100"},
		{"status", "filters=" + url.QueryEscape("status:negociação")},
		{"seller", "filters=" + url.QueryEscape("seller_name:Vendedor 7")},
		{"created_at day", "filters=" + url.QueryEscape("created_at:2024-02-15")},
		{"customer document", "filters=" + url.QueryEscape("customer:"+fmt.Sprintf("%011s", middle))},
		{"customer name prefix", "filters=" + url.QueryEscape("customer:Cliente "+middle)},
		{"all filters", "filters=" + url.QueryEscape("customer:Cliente 1,seller_name:Vendedor 1,created_at:2024-01-08,status:negociacao")},
	})
}

// BenchmarkListLeadsSkewed lists issue 13's worst case: every lead named
// "Maria da Silva", by one seller, on one day, all indicado
// (PARTNERSHIP_BENCH_LEADS=1000000 for its size).
func BenchmarkListLeadsSkewed(b *testing.B) {
	env, n := bulkLeads(b, true)
	benchList(b, env, []struct{ name, query string }{
		{"customer name", "filters=" + url.QueryEscape("customer:maria")},
		{"customer document", "filters=" + url.QueryEscape("customer:"+fmt.Sprintf("%011d", n/2))},
		{"seller", "filters=" + url.QueryEscape("seller_name:Vendedor Demo")},
		{"created_at day", "filters=" + url.QueryEscape("created_at:2024-01-01")},
		{"status with no lead", "filters=" + url.QueryEscape("status:negociacao")},
		{"seller and status with no lead", "filters=" + url.QueryEscape("seller_name:Vendedor Demo,status:negociacao")},
		{"customer name and day", "filters=" + url.QueryEscape("customer:maria,created_at:2024-01-01")},
		{"customer name, seller and status", "filters=" + url.QueryEscape("customer:maria,seller_name:Vendedor Demo,status:indicado")},
		{"page 1000", "page=1000&limit=100"},
	})
}

func benchList(b *testing.B, env *leadEnv, cases []struct{ name, query string }) {
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				serve(b, env, http.MethodGet, "/sales-conversion/leads?"+bc.query, nil, http.StatusOK)
			}
		})
	}
}

// bulkLeads stores benchLeads leads for each of two partners in SQL, with
// the counts and tallies the store would keep: varied names, 50 sellers,
// a minute apart and the four statuses in turn; or, skewed, all "Maria da
// Silva" by "Vendedor Demo" in status indicado, a microsecond apart on
// 2024-01-01 in São Paulo.
func bulkLeads(b *testing.B, skewed bool) (*leadEnv, int) {
	stores := testdb.SQLite(b)
	db := stores.DB
	env := newLeadEnv(b, stores)
	n := benchLeads(b)
	name, seller, status := `'Cliente ' || i`, `'Vendedor ' || (i % 50)`,
		`CASE i % 4 WHEN 0 THEN 'indicado' WHEN 1 THEN 'negociacao' WHEN 2 THEN 'assinado' ELSE 'desqualificado' END`
	at := `strftime('%Y-%m-%dT%H:%M:%S', 1704067200 + i * 60, 'unixepoch') || '.000000Z'`
	if skewed {
		name, seller, status = `'Maria da Silva'`, `'Vendedor Demo'`, `'indicado'`
		at = `strftime('%Y-%m-%dT%H:%M:%S', 1704110400 + i / 1000000, 'unixepoch') || printf('.%06dZ', i % 1000000)`
	}
	// In batches: one write transaction must commit within the writer's timeout.
	const batch = 100_000
	for first := 1; first <= n; first += batch {
		err := db.Write(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
			INSERT INTO energy_leads (id, partner_id, seller_name, seller_name_folded, person_type, full_name, full_name_folded,
				company_name, company_name_folded, person_cpf, email, mobile_phone, utility_bill_holder, utility_bill_cents,
				identification_number, nationality, marital_status, profession, installation_number, birth_date,
				zip_code, state, city, ibge_code, street, number, neighborhood, complement, utility_id, utility_name,
				plan_id, plan_name, plan_discount, plan_fidelity_months, plan_benefit, status, status_details,
				legal_representatives, created_at, updated_at)
			SELECT printf('00000000-0000-7000-%04x-%012x', p, i), CASE p WHEN 0 THEN ? ELSE ? END,
				`+seller+`, lower(`+seller+`), 'natural', `+name+`, lower(`+name+`),
				'', '', '', 'c' || i || '@example.com', '11999885544', 'natural', 85015,
				printf('%011d', i), 'Brasileira', 'Solteira', 'Engenheira', '', '',
				'13010000', 'SP', 'Campinas', 3509502, 'Rua A', '1', 'Centro', '', '', '',
				NULL, '', '', 0, '', `+status+`, 'seed', '[]', `+at+`, `+at+`
			FROM seq, (SELECT 0 AS p UNION ALL SELECT 1)`, first, min(first+batch-1, n), env.PartnerA, env.PartnerB)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// The store keeps these counts and tallies as it writes; a bulk insert
	// sets them (the São Paulo day is UTC-3 all year).
	err := db.Write(context.Background(), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO energy_lead_counts (partner_id, status, leads)
			SELECT partner_id, status, count(*) FROM energy_leads GROUP BY partner_id, status`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO energy_lead_tallies (partner_id, seller_name_folded, created_day, status, leads)
			SELECT partner_id, seller_name_folded, date(created_at, '-3 hours'), status, count(*) FROM energy_leads GROUP BY 1, 2, 3, 4`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return env, n
}

// cpfFor returns a valid CPF built from n.
func cpfFor(n int64) string { return brdoc.CompleteCPF(fmt.Sprintf("%09d", n%1_000_000_000)) }

// BenchmarkCreateLeadIdempotency is BenchmarkCreateLead behind the guard
// serve wires (a rate limit out of reach), without and with a fresh
// Idempotency-Key per create: the key's cost is its record, inserted in
// the create's transaction, and the answer stored by one more write.
func BenchmarkCreateLeadIdempotency(b *testing.B) {
	for _, keyed := range []bool{false, true} {
		name := "without-key"
		if keyed {
			name = "with-key"
		}
		b.Run(name, func(b *testing.B) {
			env := newLeadEnv(b, testdb.SQLite(b), leadEnvOptions{perMinute: 1_000_000_000})
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := next.Add(1)
					l := naturalLead()
					l["identificationNumber"] = cpfFor(n)
					body, _ := json.Marshal(l)
					req := httptest.NewRequest(http.MethodPost, "/sales-conversion/leads", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+env.KeyA)
					req.Header.Set("Content-Type", "application/json")
					if keyed {
						req.Header.Set("Idempotency-Key", "bench-"+strconv.FormatInt(n, 10))
					}
					rec := httptest.NewRecorder()
					env.Handler.ServeHTTP(rec, req)
					if rec.Code != http.StatusCreated {
						b.Fatalf("create: %d %s", rec.Code, rec.Body)
					}
				}
			})
		})
	}
}
