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

// BenchmarkListCompanies lists as a gestão user (two accounts of 20)
// with a name query and name order, at 100k companies in SQLite.
func BenchmarkListCompanies(b *testing.B) {
	db := testdb.SQLite(b)
	w := newWorld(b, testdb.Engine{Name: "sqlite", SQLite: db})
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
			name := fmt.Sprintf("Empresa %s %d", []string{"Açaí", "Beta", "Gama", "Delta"}[i%4], i)
			if _, err := stmt.ExecContext(ctx, accounts[i%len(accounts)], name, geo.Fold(name), fmt.Sprint(i)); err != nil {
				return err
			}
		}
		return nil
	})
	w.must(err)
	sess := session(b, w, "gestor@example.com")
	for _, bc := range []struct {
		name  string
		query map[string][]string
	}{
		{"id desc", map[string][]string{}},
		{"q=acai sort=name", map[string][]string{"_q": {"acai"}, "_sort": {"name"}, "_order": {"asc"}}},
		{"external_id", map[string][]string{"external_id": {"19", "39", "59"}}},
		{"page 50", map[string][]string{"_page": {"50"}, "_limit": {"100"}}},
	} {
		q, err := companies.ParseListQuery(bc.query)
		w.must(err)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := w.svc.ListCompanies(ctx, sess, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateCompany is the durable create with its audit entry,
// through the service (rules, parent check, SQLite group commit).
func BenchmarkCreateCompany(b *testing.B) {
	w := newWorld(b, testdb.Engine{Name: "sqlite", SQLite: testdb.SQLite(b)})
	ctx := context.Background()
	sess := session(b, w, "cliente@example.com")
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

func session(tb testing.TB, w *world, email string) *companies.Session {
	tb.Helper()
	token, _, err := w.svc.IssueToken(context.Background(), email, 1<<40)
	w.must(err)
	sess, err := w.svc.Authenticate(context.Background(), token)
	w.must(err)
	return sess
}
