package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"partnership-service/internal/companies"
	"partnership-service/internal/storesql"
)

// CompaniesStore keeps the Companies API in SQLite: the statements both
// engines share run through prepared statements (the hot reads on the
// reader pool, UpdateCompanies' primitives on the writer); the company list
// is SQLite's own.
type CompaniesStore struct {
	storesql.CompaniesStore
	db *DB
	// The prepared statements by their text.
	reads, writes statements
	// fewNamesHold's answers by fragment, at most 4,096.
	plans *storesql.Kept[namePlan]
}

var _ companies.Store = (*CompaniesStore)(nil)

// newCompaniesStore prepares the statements on db.
func newCompaniesStore(ctx context.Context, db *DB) (*CompaniesStore, error) {
	s := &CompaniesStore{db: db, plans: storesql.NewKept[namePlan](4096)}
	var err error
	if s.reads, err = prepareAll(ctx, db.reader, storesql.CompaniesReads()); err != nil {
		return nil, fmt.Errorf("sqlite: prepare companies statement: %w", err)
	}
	if s.writes, err = prepareAll(ctx, db.writer, storesql.CompaniesTxStatements()); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: prepare companies statement: %w", err), s.reads.Close())
	}
	s.CompaniesStore = storesql.CompaniesStore{
		DB:     preparedDB{DB: db.Shared(), db: db, reads: s.reads, writes: s.writes},
		Totals: storesql.NewCompanyTotals(),
	}
	return s, nil
}

// Close releases the prepared statements.
func (s *CompaniesStore) Close() error { return errors.Join(s.reads.Close(), s.writes.Close()) }

// bindList binds a []int64 or []string as "col IN (?, ?, …)".
func bindList(bind func(any) string, col string, values any) string {
	var marks []string
	switch vs := values.(type) {
	case []int64:
		for _, v := range vs {
			marks = append(marks, bind(v))
		}
	case []string:
		for _, v := range vs {
			marks = append(marks, bind(v))
		}
	default:
		panic(fmt.Sprintf("sqlite: cannot bind %T as a list", values))
	}
	return col + " IN (" + strings.Join(marks, ", ") + ")"
}

func (s *CompaniesStore) Companies(ctx context.Context, f companies.Filter) ([]companies.Company, int, error) {
	var args []any
	bind := func(v any) string {
		args = append(args, v)
		return "?"
	}
	byIndex := s.fewNamesHold(ctx, f.Query)
	in := func(col string, values any) string {
		if byIndex && col == "c.account_id" {
			// The trigram index drives the search: the account is tested
			// on each match ("+" keeps SQLite off the account's index,
			// which would read every company of the account).
			col = "+" + col
		}
		return bindList(bind, col, values)
	}
	cond, order, none := storesql.CompanyList(f, bind, in, "c.name_folded", func(fragment string) string {
		if !byIndex {
			// instr, not LIKE: both sides are folded already, and SQLite
			// prepares a statement anew whenever a LIKE pattern it binds
			// changes, which cost a fifth of a search.
			return `instr(c.name_folded, ` + bind(fragment) + `) > 0`
		}
		return `c.id IN (SELECT rowid FROM companies_name_trigrams WHERE companies_name_trigrams MATCH ` + bind(ftsPhrase(fragment)) + `)`
	})
	if none {
		return nil, 0, nil
	}
	matchIDs := func(q storesql.Querier, limit int) ([]int64, error) {
		return storesql.QueryAll(ctx, q, storesql.ScanID, `SELECT c.id FROM companies c`+cond+order+` LIMIT ?`, append(args, limit)...)
	}
	return storesql.CompanyPage(ctx, s.db.Shared(), s.Totals, f, cond, order, args, matchIDs, func(q storesql.Querier) ([]companies.Company, error) {
		// The page's ids are picked from the covering indexes first, so only
		// the rows on the page are joined and decoded, not every match.
		return storesql.QueryAll(ctx, q, storesql.ScanCompany, storesql.CompanySelect+` WHERE c.id IN (SELECT c.id FROM companies c`+cond+order+
			` LIMIT ? OFFSET ?)`+order, append(args, f.Limit, f.Offset)...)
	})
}

// fewNamesHold reports whether the trigram index (migration 00330) should
// find the companies whose folded name contains fragment: when few names
// hold it. The index finds those at once, where a scan reads every company;
// but it hands over every match, to be sorted and counted, so for a
// fragment most names share (a legal form, a common word) the scan, which
// stops at a page's worth in sort order, is faster. A probe of the index
// that stops at indexedMatches tells the two apart. A fragment shorter
// than a trigram has nothing to look up.
//
// The probe cost as much as the search it chose for, so its answer is
// kept for a while (namePlanLife): an outdated one only picks the slower of
// two searches that find the same companies.
func (s *CompaniesStore) fewNamesHold(ctx context.Context, fragment string) bool {
	if utf8.RuneCountInString(fragment) < 3 {
		return false
	}
	now := time.Now()
	if plan, ok := s.plans.Get(fragment); ok && now.Before(plan.until) {
		return plan.few
	}
	var n int
	err := s.db.Shared().QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM companies_name_trigrams
		WHERE companies_name_trigrams MATCH ? LIMIT ?)`, ftsPhrase(fragment), indexedMatches).Scan(&n)
	if err != nil {
		return false
	}
	few := n < indexedMatches
	s.plans.Put(fragment, namePlan{few: few, until: now.Add(namePlanLife)})
	return few
}

// namePlan is a kept answer of fewNamesHold, good until until.
type namePlan struct {
	few   bool
	until time.Time
}

// namePlanLife is how long fewNamesHold trusts an answer it kept.
const namePlanLife = time.Minute

// indexedMatches is where the index stops paying (see fewNamesHold): below
// it, a search through the index costs a few milliseconds at 100,000
// companies.
const indexedMatches = 2_000

// ftsPhrase is fragment as one FTS5 phrase, in which only a double quote
// needs escaping.
func ftsPhrase(fragment string) string { return `"` + strings.ReplaceAll(fragment, `"`, `""`) + `"` }
