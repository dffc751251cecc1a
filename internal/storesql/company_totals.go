package storesql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CompanyTotals remembers how many companies a list's filter matched, by
// the filter and the version of the accounts it counted in, and, for a
// name search few companies match, the matches themselves in list order.
// Counting is the cost of a search most names match (a legal form, a
// common word): the page stops after a few rows in sort order, but the
// exact total reads every company of the account. For a search of a few
// hundred matches the cost is finding them (the trigram index intersects
// the long lists of trigrams most names share: 6-9 ms on PostgreSQL for
// "silva ltda 1" at 100,000 companies), which every page and every total
// would repeat. Every change to a company bumps its account's version in
// the same transaction (a trigger, migration 00340), and the version is
// read in the snapshot that lists, so an entry is found only while what it
// holds is unchanged, on this replica or any other. A first search, or one
// after a change, still counts or searches.
type CompanyTotals struct {
	byQuery *Kept[int]
	matches *Kept[[]int64]
}

// keptMatches is the most matches of a search kept: up to 40 KB an entry.
// A search with more (most names) pages in sort order and is counted once.
const keptMatches = 5_000

// NewCompanyTotals returns an empty cache of at most 4,096 totals (about
// 300 bytes each) and 256 searches' matches.
func NewCompanyTotals() *CompanyTotals {
	return &CompanyTotals{byQuery: NewKept[int](4096), matches: NewKept[[]int64](256)}
}

// count is the number of companies where (bound by args) selects, in
// accounts (nil: every account), read through q: the kept total if the
// accounts' version is the one it was counted at, otherwise counted and
// kept.
func (t *CompanyTotals) count(ctx context.Context, q Querier, version int64, where string, args []any) (int, error) {
	key := totalKey(version, where, args)
	if total, ok := t.byQuery.Get(key); ok {
		return total, nil
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM companies c`+where, args...).Scan(&total); err != nil {
		return 0, err
	}
	t.byQuery.Put(key, total)
	return total, nil
}

// searchMatches is every match of a name search in list order (where and
// order, bound by args), of which there are total: kept, or found with
// matchIDs and kept; nil when there are more than keptMatches.
func (t *CompanyTotals) searchMatches(ctx context.Context, q Querier, version int64, total int, where, order string, args []any,
	matchIDs func(q Querier, limit int) ([]int64, error)) ([]int64, error) {
	if total > keptMatches {
		return nil, nil
	}
	key := totalKey(version, where, args) + "\x00" + order
	if ids, ok := t.matches.Get(key); ok {
		return ids, nil
	}
	ids, err := matchIDs(q, keptMatches)
	if err != nil {
		return nil, err
	}
	t.matches.Put(key, ids)
	return ids, nil
}

// companiesVersion sums the versions of accounts (nil: every account).
// Versions only grow and accounts are never deleted, so for one set of
// accounts the sum names one state of their companies.
func companiesVersion(ctx context.Context, q Querier, accounts []int64) (int64, error) {
	query := `SELECT COALESCE(SUM(companies_version), 0) FROM companies_accounts`
	var args []any
	if accounts != nil {
		if len(accounts) == 0 {
			return 0, nil
		}
		marks := strings.Repeat(", ?", len(accounts))[2:]
		query += ` WHERE id IN (` + marks + `)`
		for _, id := range accounts {
			args = append(args, id)
		}
	}
	var version int64
	err := q.QueryRow(ctx, query, args...).Scan(&version)
	return version, err
}

// totalKey names a count: the version, the WHERE text and each bound
// value, strings quoted so that no two argument lists read alike.
func totalKey(version int64, where string, args []any) string {
	b := strconv.AppendInt(nil, version, 10)
	b = append(b, 0)
	b = append(b, where...)
	for _, a := range args {
		b = append(b, 0)
		switch v := a.(type) {
		case string:
			b = strconv.AppendQuote(b, v)
		case []string:
			for _, s := range v {
				b = strconv.AppendQuote(b, s)
			}
		case Time:
			b = v.T.UTC().AppendFormat(b, time.RFC3339Nano)
		default:
			b = fmt.Appendf(b, "%#v", v)
		}
	}
	return string(b)
}
