package postgres

import (
	"context"
	"fmt"

	"partnership-service/internal/companies"
	"partnership-service/internal/storesql"
)

// CompaniesStore keeps the Companies API in PostgreSQL: the statements
// both engines share, behind pgx's statement cache, and PostgreSQL's own
// company list.
type CompaniesStore struct {
	storesql.CompaniesStore
}

var _ companies.Store = (*CompaniesStore)(nil)

// newCompaniesStore returns the store over db.
func newCompaniesStore(db *DB) *CompaniesStore {
	return &CompaniesStore{
		CompaniesStore: storesql.CompaniesStore{
			DB: db.Shared(),
			// The account row lock serializes the changes of an account's
			// companies, so every check UpdateCompanies' fn makes after it
			// sees every change committed before. FOR NO KEY UPDATE leaves
			// the foreign-key checks of the account's other writes
			// unblocked.
			AccountLock: `SELECT id FROM companies_accounts WHERE id = ? FOR NO KEY UPDATE`,
			Totals:      storesql.NewCompanyTotals(),
		},
	}
}

func (s *CompaniesStore) Companies(ctx context.Context, f companies.Filter) ([]companies.Company, int, error) {
	var args []any
	bind := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	in := func(col string, values any) string { return col + " = ANY(" + bind(values) + ")" }
	// COLLATE "C": the folded name is plain ASCII, and byte order keeps both
	// engines sorting alike.
	contains := func(fragment string) string { return storesql.NameLike(fragment, bind) } // pg_trgm's index
	cond, order, none := storesql.CompanyList(f, bind, in, `c.name_folded COLLATE "C"`, contains)
	if none {
		return nil, 0, nil
	}
	matchIDs := func(q storesql.Querier, limit int) ([]int64, error) {
		return storesql.QueryAll(ctx, q, storesql.ScanID, `SELECT c.id FROM companies c`+cond+order+
			fmt.Sprintf(" LIMIT $%d", len(args)+1), append(args, limit)...)
	}
	return storesql.CompanyPage(ctx, s.DB, s.Totals, f, cond, order, args, matchIDs, func(q storesql.Querier) ([]companies.Company, error) {
		page := append(args, f.Limit, f.Offset)
		return storesql.QueryAll(ctx, q, storesql.ScanCompany, storesql.CompanySelect+cond+order+
			fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(page)-1, len(page)), page...)
	})
}
