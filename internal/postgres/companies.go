package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"partnership-service/internal/companies"
	"partnership-service/internal/storesql"
)

// CompaniesStore keeps the Companies API in PostgreSQL.
type CompaniesStore struct {
	db *DB
}

var _ companies.Store = (*CompaniesStore)(nil)

// newCompaniesStore returns the store over db.
func newCompaniesStore(db *DB) *CompaniesStore { return &CompaniesStore{db: db} }

// oneRow turns "no row changed" into not found.
func oneRow(tag pgconn.CommandTag, err error) error {
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return MapError(err)
}

// --- accounts, users, tokens ---

func (s *CompaniesStore) CreateAccount(ctx context.Context, a companies.Account) (companies.Account, error) {
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO companies_accounts (`+storesql.AccountInsertColumns+`)
		VALUES ($1, $2, $3, $4) RETURNING id`, append(storesql.AccountValues(a), a.CreatedAt)...).Scan(&a.ID)
	return a, MapError(err)
}

func (s *CompaniesStore) AccountByName(ctx context.Context, name string) (companies.Account, error) {
	a, err := storesql.ScanAccount(s.db.Pool.QueryRow(ctx, storesql.AccountSelect+` WHERE name = $1`, name))
	return a, MapError(err)
}

func (s *CompaniesStore) Account(ctx context.Context, id int64) (companies.Account, error) {
	a, err := storesql.ScanAccount(s.db.Pool.QueryRow(ctx, storesql.AccountSelect+` WHERE id = $1`, id))
	return a, MapError(err)
}

func (s *CompaniesStore) CreateUser(ctx context.Context, u companies.User) (companies.User, error) {
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO companies_users (`+storesql.UserInsertColumns+`)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, append(storesql.UserValues(u), u.CreatedAt)...).Scan(&u.ID)
	return u, MapError(err)
}

func (s *CompaniesStore) UserByEmail(ctx context.Context, email string) (companies.User, error) {
	u, err := storesql.ScanUser(s.db.Pool.QueryRow(ctx, storesql.UserSelect+` WHERE email = $1`, email))
	return u, MapError(err)
}

func (s *CompaniesStore) CreateToken(ctx context.Context, hash []byte, userID int64, createdAt, expiresAt time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO companies_tokens (token_hash, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, hash, userID, createdAt, expiresAt)
	return MapError(err)
}

func (s *CompaniesStore) SessionByToken(ctx context.Context, hash []byte, now time.Time) (companies.Session, error) {
	sess, err := storesql.ScanSession(s.db.Pool.QueryRow(ctx, storesql.SessionSelect+
		` WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2`, hash, now))
	if err != nil || sess.Account.Type != companies.Management {
		return sess, MapError(err)
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT id FROM companies_accounts WHERE manager_id = $1 ORDER BY id`, sess.Account.ID)
	if err == nil {
		sess.Managed, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	return sess, MapError(err)
}

func (s *CompaniesStore) RevokeToken(ctx context.Context, hash []byte, now time.Time) error {
	return oneRow(s.db.Pool.Exec(ctx, `UPDATE companies_tokens SET revoked_at = $2
		WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2`, hash, now))
}

// --- companies ---

func (s *CompaniesStore) Company(ctx context.Context, id int64) (companies.Company, error) {
	c, err := storesql.ScanCompany(s.db.Pool.QueryRow(ctx, storesql.CompanySelect+` WHERE c.id = $1`, id))
	return c, MapError(err)
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
	cond, order, none := storesql.CompanyList(f, bind, in, `c.name_folded COLLATE "C"`)
	if none {
		return nil, 0, nil
	}
	var out []companies.Company
	var total int
	// Repeatable read: the count and the page see the same snapshot.
	err := pgx.BeginTxFunc(ctx, s.db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM companies c`+cond, args...).Scan(&total); err != nil {
				return err
			}
			if total <= f.Offset {
				return nil
			}
			page := append(args, f.Limit, f.Offset)
			rows, err := tx.Query(ctx, storesql.CompanySelect+cond+order+
				fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(page)-1, len(page)), page...)
			if err != nil {
				return err
			}
			out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (companies.Company, error) {
				return storesql.ScanCompany(r)
			})
			return err
		})
	if err != nil {
		return nil, 0, MapError(err)
	}
	return out, total, nil
}

// UpdateCompanies first takes the account row lock that serializes the
// changes of an account's companies, so every check fn makes after it sees
// every change committed before. FOR NO KEY UPDATE leaves the foreign-key
// checks of the account's other writes unblocked.
func (s *CompaniesStore) UpdateCompanies(ctx context.Context, accountID int64, fn func(tx companies.CompanyTx) error) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT id FROM companies_accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID); err != nil {
			return err
		}
		return fn(companyTx{tx})
	}))
}

// companyTx is companies.CompanyTx over one transaction.
type companyTx struct{ tx pgx.Tx }

func (t companyTx) Company(ctx context.Context, id int64) (companies.Company, error) {
	c, err := storesql.ScanCompany(t.tx.QueryRow(ctx, storesql.CompanySelect+` WHERE c.id = $1`, id))
	return c, MapError(err)
}

func (t companyTx) Lineage(ctx context.Context, id int64) ([]int64, error) {
	rows, err := t.tx.Query(ctx, storesql.CompanyLineage("$1"), id)
	if err != nil {
		return nil, MapError(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, MapError(err)
}

func (t companyTx) CountChildren(ctx context.Context, id int64) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT COUNT(*) FROM companies WHERE parent_id = $1`, id).Scan(&n)
	return n, MapError(err)
}

// companyValues are $1…$23 of insert and update.
const companyValues = `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
	$21, $22, $23`

func (t companyTx) Insert(ctx context.Context, c companies.Company) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO companies (`+storesql.CompanyWriteColumns+`, created_at, updated_at)
		VALUES (`+companyValues+`, $24, $25) RETURNING id`,
		append(storesql.CompanyValues(c), c.CreatedAt, c.UpdatedAt)...).Scan(&id)
	return id, MapError(err)
}

func (t companyTx) Update(ctx context.Context, c companies.Company) error {
	return oneRow(t.tx.Exec(ctx, `UPDATE companies SET (`+storesql.CompanyWriteColumns+`, updated_at)
		= (`+companyValues+`, $24) WHERE id = $25`, append(storesql.CompanyValues(c), c.UpdatedAt, c.ID)...))
}

func (t companyTx) Delete(ctx context.Context, id int64) error {
	return oneRow(t.tx.Exec(ctx, `DELETE FROM companies WHERE id = $1`, id))
}

func (t companyTx) AppendAudit(ctx context.Context, e companies.AuditEntry) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO companies_audit (`+storesql.AuditInsertColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`, append(storesql.AuditValues(e), e.At)...)
	return MapError(err)
}

func (s *CompaniesStore) AuditLog(ctx context.Context, companyID int64, limit, offset int) ([]companies.AuditEntry, int, error) {
	cond := ` WHERE ($1 = 0 OR company_id = $1)`
	var total int
	if err := s.db.Pool.QueryRow(ctx, `SELECT COUNT(*) FROM companies_audit`+cond, companyID).Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	rows, err := s.db.Pool.Query(ctx, storesql.AuditSelect+cond+` ORDER BY id DESC LIMIT $2 OFFSET $3`,
		companyID, limit, offset)
	if err != nil {
		return nil, 0, MapError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (companies.AuditEntry, error) {
		return storesql.ScanAuditEntry(r)
	})
	return out, total, MapError(err)
}
