package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

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
	reads, writes map[string]*sql.Stmt
}

var _ companies.Store = (*CompaniesStore)(nil)

// newCompaniesStore prepares the statements on db.
func newCompaniesStore(ctx context.Context, db *DB) (*CompaniesStore, error) {
	s := &CompaniesStore{db: db, reads: map[string]*sql.Stmt{}, writes: map[string]*sql.Stmt{}}
	for _, p := range []struct {
		pool  *sql.DB
		dst   map[string]*sql.Stmt
		texts []string
	}{
		{db.reader, s.reads, storesql.CompaniesReads()},
		{db.writer, s.writes, storesql.CompaniesTxStatements()},
	} {
		for _, text := range p.texts {
			stmt, err := p.pool.PrepareContext(ctx, text)
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("sqlite: prepare companies statement: %w", err)
			}
			p.dst[text] = stmt
		}
	}
	s.CompaniesStore = storesql.CompaniesStore{DB: prepared{DB: db.Shared(), db: db, reads: s.reads, writes: s.writes}}
	return s, nil
}

// Close releases the prepared statements.
func (s *CompaniesStore) Close() error {
	var errs []error
	for _, stmts := range []map[string]*sql.Stmt{s.reads, s.writes} {
		for _, st := range stmts {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// prepared is db.Shared() running the texts it holds as prepared
// statements: reads on the reader pool, writes bound to each transaction
// of the single writer. Any other text runs as is.
type prepared struct {
	storesql.DB
	db            *DB
	reads, writes map[string]*sql.Stmt
}

func (p prepared) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	if st, ok := p.reads[query]; ok {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRow(ctx, query, args...)
}

func (p prepared) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	if st, ok := p.reads[query]; ok {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.Query(ctx, query, args...)
}

func (p prepared) Write(ctx context.Context, fn func(storesql.Querier) error) error {
	return p.db.Write(ctx, func(tx *sql.Tx) error { return fn(preparedTx{txQuerier{tx}, p.writes}) })
}

// preparedTx is one write transaction running the texts it holds as
// their prepared statements.
type preparedTx struct {
	txQuerier
	stmts map[string]*sql.Stmt
}

func (t preparedTx) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.txQuerier.QueryRow(ctx, query, args...)
}

func (t preparedTx) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.txQuerier.Query(ctx, query, args...)
}

func (t preparedTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	st, ok := t.stmts[query]
	if !ok {
		return t.txQuerier.Exec(ctx, query, args...)
	}
	res, err := t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

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
	in := func(col string, values any) string { return bindList(bind, col, values) }
	cond, order, none := storesql.CompanyList(f, bind, in, "c.name_folded")
	if none {
		return nil, 0, nil
	}
	// One read transaction: the count and the page see the same snapshot.
	tx, err := s.db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, MapError(err)
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM companies c`+cond, args...).Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	if total <= f.Offset {
		return nil, total, nil
	}
	// The page's ids are picked from the covering indexes first, so only
	// the rows on the page are joined and decoded, not every match.
	rows, err := tx.QueryContext(ctx, storesql.CompanySelect+` WHERE c.id IN (SELECT c.id FROM companies c`+cond+order+
		` LIMIT ? OFFSET ?)`+order, append(args, f.Limit, f.Offset)...)
	out, err := collect(rows, err, storesql.ScanCompany)
	return out, total, MapError(err)
}
