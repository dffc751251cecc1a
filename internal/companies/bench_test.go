package companies_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"

	"partnership-service/internal/companies"
	"partnership-service/internal/geo"
	"partnership-service/internal/testdb"
)

// benchCompanies is the size the list benchmark runs at.
const benchCompanies = 100_000

// BenchmarkListCompanies lists at 100k companies in SQLite (20 accounts of
// 5k): as a gestão user (its own and a managed account: 10k companies) and
// as the super admin (all of them), with the list's filters.
func BenchmarkListCompanies(b *testing.B) {
	stores := testdb.SQLite(b)
	db := stores.DB
	w := newWorld(b, stores)
	ctx := context.Background()
	var accounts []int64
	for i := range 18 {
		a, err := w.svc.CreateAccount(ctx, fmt.Sprintf("Conta %d", i), companies.Client, "")
		w.must(err)
		accounts = append(accounts, a.ID)
	}
	accounts = append(accounts, w.gestao, w.cliente)
	err := db.Write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO companies (account_id, name, name_folded, external_id, city_id,
			state_id, created_at, updated_at) VALUES (?, ?, ?, ?, 3550308, 35, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range benchCompanies {
			// Names cycle through five words, so every account holds each.
			name := fmt.Sprintf("Empresa %s %d", []string{"Açaí", "Beta", "Gama", "Delta", "Épsilon"}[i/len(accounts)%5], i)
			if _, err := stmt.ExecContext(ctx, accounts[i%len(accounts)], name, geo.Fold(name), fmt.Sprint(i)); err != nil {
				return err
			}
		}
		return nil
	})
	w.must(err)
	_, err = db.Writer().ExecContext(ctx, "ANALYZE")
	w.must(err)
	manager, super := w.managerSess, w.superSess
	for _, bc := range []struct {
		name  string
		sess  *companies.Session
		query map[string][]string
	}{
		{"gestao/id desc", manager, map[string][]string{}},
		{"gestao/q=acai sort=name", manager, map[string][]string{"_q": {"ACAI"}, "_sort": {"name"}, "_order": {"asc"}}},
		{"gestao/external_id", manager, map[string][]string{"external_id": {"19", "39", "59"}}},
		{"gestao/page 50 of 100", manager, map[string][]string{"_page": {"50"}, "_limit": {"100"}}},
		{"super/id desc", super, map[string][]string{}},
		{"super/q=acai", super, map[string][]string{"_q": {"acai"}}},
		// A fragment few names hold (a name and its number): the search
		// whose matches are kept by version once found.
		{"super/q=gama 4242", super, map[string][]string{"_q": {"gama 4242"}}},
		{"super/account_id sort=nome", super, map[string][]string{"account_id": {fmt.Sprint(accounts[3])}, "_sort": {"nome"}}},
		{"super/parent_id", super, map[string][]string{"parent_id": {fmt.Sprint(w.clienteCo)}}},
	} {
		q, err := companies.ParseListQuery(bc.query)
		w.must(err)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := w.svc.ListCompanies(ctx, bc.sess, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateCompany is the durable create with its audit entry,
// through the service (rules, parent check, SQLite group commit).
func BenchmarkCreateCompany(b *testing.B) {
	w := newWorld(b, testdb.SQLite(b))
	ctx := context.Background()
	sess := w.clientSess
	var raw map[string]json.RawMessage
	w.must(json.Unmarshal([]byte(fmt.Sprintf(`{"name":"Filial","parent_id":%d,"city_id":3550308,"state_id":35,
		"cnpj":"11.222.333/0001-81","cnae":"4721-1/02","zip_code":"01310-100"}`, w.clienteCo)), &raw))
	in, err := companies.ParseCompanyInput(raw)
	w.must(err)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.svc.CreateCompany(ctx, sess, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
