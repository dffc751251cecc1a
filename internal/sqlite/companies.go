package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"partnership-service/internal/companies"
	"partnership-service/internal/storesql"
)

// CompaniesStore keeps the Companies API in SQLite.
type CompaniesStore struct {
	db *DB

	// Hot reads, prepared on the reader pool.
	companyByID    *sql.Stmt
	accountByID    *sql.Stmt
	sessionByToken *sql.Stmt
	managedIDs     *sql.Stmt

	// The primitives of companyTx, prepared on the writer and bound to
	// each transaction.
	txCompany     *sql.Stmt
	lineage       *sql.Stmt
	childCount    *sql.Stmt
	insertCompany *sql.Stmt
	updateCompany *sql.Stmt
	deleteCompany *sql.Stmt
	insertAudit   *sql.Stmt
}

var _ companies.Store = (*CompaniesStore)(nil)

// newCompaniesStore prepares the statements on db.
func newCompaniesStore(ctx context.Context, db *DB) (*CompaniesStore, error) {
	s := &CompaniesStore{db: db}
	for _, p := range []struct {
		pool *sql.DB
		dst  **sql.Stmt
		sql  string
	}{
		{db.reader, &s.companyByID, storesql.CompanySelect + ` WHERE c.id = ?`},
		{db.reader, &s.accountByID, storesql.AccountSelect + ` WHERE id = ?`},
		{db.reader, &s.sessionByToken, storesql.SessionSelect +
			` WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?`},
		{db.reader, &s.managedIDs, `SELECT id FROM companies_accounts WHERE manager_id = ? ORDER BY id`},
		{db.writer, &s.txCompany, storesql.CompanySelect + ` WHERE c.id = ?`},
		{db.writer, &s.lineage, storesql.CompanyLineage("?")},
		{db.writer, &s.childCount, `SELECT COUNT(*) FROM companies WHERE parent_id = ?`},
		{db.writer, &s.insertCompany, `INSERT INTO companies (` + storesql.CompanyWriteColumns + `, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`},
		{db.writer, &s.updateCompany, `UPDATE companies SET (` + storesql.CompanyWriteColumns + `, updated_at)
			= (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?`},
		{db.writer, &s.deleteCompany, `DELETE FROM companies WHERE id = ?`},
		{db.writer, &s.insertAudit, `INSERT INTO companies_audit (` + storesql.AuditInsertColumns + `)
			VALUES (?, ?, ?, ?, ?, ?)`},
	} {
		stmt, err := p.pool.PrepareContext(ctx, p.sql)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlite: prepare companies statement: %w", err)
		}
		*p.dst = stmt
	}
	return s, nil
}

// Close releases the prepared statements.
func (s *CompaniesStore) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.companyByID, s.accountByID, s.sessionByToken, s.managedIDs, s.txCompany,
		s.lineage, s.childCount, s.insertCompany, s.updateCompany, s.deleteCompany, s.insertAudit} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// --- accounts, users, tokens ---

func (s *CompaniesStore) CreateAccount(ctx context.Context, a companies.Account) (companies.Account, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO companies_accounts (`+storesql.AccountInsertColumns+`)
			VALUES (?, ?, ?, ?) RETURNING id`, append(storesql.AccountValues(a), FormatTime(a.CreatedAt))...).Scan(&a.ID)
	})
	return a, MapError(err)
}

func (s *CompaniesStore) AccountByName(ctx context.Context, name string) (companies.Account, error) {
	a, err := storesql.ScanAccount(s.db.reader.QueryRowContext(ctx, storesql.AccountSelect+` WHERE name = ?`, name))
	return a, MapError(err)
}

func (s *CompaniesStore) Account(ctx context.Context, id int64) (companies.Account, error) {
	a, err := storesql.ScanAccount(s.accountByID.QueryRowContext(ctx, id))
	return a, MapError(err)
}

func (s *CompaniesStore) CreateUser(ctx context.Context, u companies.User) (companies.User, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO companies_users (`+storesql.UserInsertColumns+`)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, append(storesql.UserValues(u), FormatTime(u.CreatedAt))...).Scan(&u.ID)
	})
	return u, MapError(err)
}

func (s *CompaniesStore) UserByEmail(ctx context.Context, email string) (companies.User, error) {
	u, err := storesql.ScanUser(s.db.reader.QueryRowContext(ctx, storesql.UserSelect+` WHERE email = ?`, email))
	return u, MapError(err)
}

func (s *CompaniesStore) CreateToken(ctx context.Context, hash []byte, userID int64, createdAt, expiresAt time.Time) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO companies_tokens (token_hash, user_id, created_at, expires_at)
			VALUES (?, ?, ?, ?)`, hash, userID, FormatTime(createdAt), FormatTime(expiresAt))
		return err
	}))
}

func (s *CompaniesStore) SessionByToken(ctx context.Context, hash []byte, now time.Time) (companies.Session, error) {
	sess, err := storesql.ScanSession(s.sessionByToken.QueryRowContext(ctx, hash, FormatTime(now)))
	if err != nil || sess.Account.Type != companies.Management {
		return sess, MapError(err)
	}
	rows, err := s.managedIDs.QueryContext(ctx, sess.Account.ID)
	sess.Managed, err = collect(rows, err, scanID)
	return sess, MapError(err)
}

func (s *CompaniesStore) RevokeToken(ctx context.Context, hash []byte, now time.Time) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		ts := FormatTime(now)
		res, err := tx.ExecContext(ctx, `UPDATE companies_tokens SET revoked_at = ?
			WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`, ts, hash, ts)
		return expectOne(res, err)
	}))
}

// --- companies ---

func (s *CompaniesStore) Company(ctx context.Context, id int64) (companies.Company, error) {
	c, err := storesql.ScanCompany(s.companyByID.QueryRowContext(ctx, id))
	return c, MapError(err)
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

// UpdateCompanies runs fn in the single writer, which serializes it with
// every other write: no lock is needed for the account's tree.
func (s *CompaniesStore) UpdateCompanies(ctx context.Context, accountID int64, fn func(tx companies.CompanyTx) error) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		return fn(&companyTx{s: s, tx: tx})
	}))
}

// companyTx is companies.CompanyTx over one write transaction.
type companyTx struct {
	s  *CompaniesStore
	tx *sql.Tx
}

func (t *companyTx) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	return t.tx.StmtContext(ctx, st)
}

func (t *companyTx) Company(ctx context.Context, id int64) (companies.Company, error) {
	c, err := storesql.ScanCompany(t.stmt(ctx, t.s.txCompany).QueryRowContext(ctx, id))
	return c, MapError(err)
}

func (t *companyTx) Lineage(ctx context.Context, id int64) ([]int64, error) {
	rows, err := t.stmt(ctx, t.s.lineage).QueryContext(ctx, id)
	ids, err := collect(rows, err, scanID)
	return ids, MapError(err)
}

func (t *companyTx) CountChildren(ctx context.Context, id int64) (int, error) {
	var n int
	err := t.stmt(ctx, t.s.childCount).QueryRowContext(ctx, id).Scan(&n)
	return n, MapError(err)
}

func (t *companyTx) Insert(ctx context.Context, c companies.Company) (int64, error) {
	args := append(storesql.CompanyValues(c), FormatTime(c.CreatedAt), FormatTime(c.UpdatedAt))
	var id int64
	err := t.stmt(ctx, t.s.insertCompany).QueryRowContext(ctx, args...).Scan(&id)
	return id, MapError(err)
}

func (t *companyTx) Update(ctx context.Context, c companies.Company) error {
	args := append(storesql.CompanyValues(c), FormatTime(c.UpdatedAt), c.ID)
	res, err := t.stmt(ctx, t.s.updateCompany).ExecContext(ctx, args...)
	return MapError(expectOne(res, err))
}

func (t *companyTx) Delete(ctx context.Context, id int64) error {
	res, err := t.stmt(ctx, t.s.deleteCompany).ExecContext(ctx, id)
	return MapError(expectOne(res, err))
}

func (t *companyTx) AppendAudit(ctx context.Context, e companies.AuditEntry) error {
	_, err := t.stmt(ctx, t.s.insertAudit).ExecContext(ctx, append(storesql.AuditValues(e), FormatTime(e.At))...)
	return MapError(err)
}

func (s *CompaniesStore) AuditLog(ctx context.Context, companyID int64, limit, offset int) ([]companies.AuditEntry, int, error) {
	cond, args := "", []any{}
	if companyID != 0 {
		cond, args = " WHERE company_id = ?", append(args, companyID)
	}
	var total int
	if err := s.db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM companies_audit`+cond, args...).Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	rows, err := s.db.reader.QueryContext(ctx, storesql.AuditSelect+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	out, err := collect(rows, err, storesql.ScanAuditEntry)
	return out, total, MapError(err)
}

func scanID(row storesql.Row) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}
