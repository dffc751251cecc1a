package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"partnership-service/internal/companies"
	"partnership-service/internal/geo"
)

// CompaniesStore keeps the Companies API in PostgreSQL.
type CompaniesStore struct {
	db *DB
}

var _ companies.Store = (*CompaniesStore)(nil)

// newCompaniesStore returns the store over db.
func newCompaniesStore(db *DB) *CompaniesStore { return &CompaniesStore{db: db} }

// coSelect reads a company with its account's and parent's names, in the
// order scanCompany expects.
const coSelect = `SELECT c.id, c.account_id, a.name, COALESCE(c.parent_id, 0), COALESCE(p.name, ''), c.name,
	c.external_id, c.unit_code, c.cnpj, c.corporate_name, c.address, c.number, c.complement, c.district,
	c.zip_code, c.cnae, c.city_id, c.state_id, c.contact_name, c.contact_telephone, c.contact_cellphone,
	c.contact_email, COALESCE(c.code_ibge, 0), c.energy_demands_peak, c.energy_demands_off_peak,
	c.created_at, c.updated_at
	FROM companies c JOIN companies_accounts a ON a.id = c.account_id LEFT JOIN companies p ON p.id = c.parent_id`

// coWriteColumns are bound as $1…$23 by insert and update.
const coWriteColumns = `account_id, parent_id, name, name_folded, external_id, unit_code, cnpj, corporate_name,
	address, number, complement, district, zip_code, cnae, city_id, state_id, contact_name, contact_telephone,
	contact_cellphone, contact_email, code_ibge, energy_demands_peak, energy_demands_off_peak`

const coWriteValues = `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
	$21, $22, $23`

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// --- accounts, users, tokens ---

func (s *CompaniesStore) CreateAccount(ctx context.Context, a companies.Account) (companies.Account, error) {
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO companies_accounts (name, type, manager_id, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, a.Name, string(a.Type), nullID(a.ManagerID), a.CreatedAt).Scan(&a.ID)
	return a, MapError(err)
}

const accountSelect = `SELECT id, name, type, COALESCE(manager_id, 0), created_at FROM companies_accounts`

func scanAccount(row pgx.Row) (companies.Account, error) {
	var a companies.Account
	var typ string
	err := row.Scan(&a.ID, &a.Name, &typ, &a.ManagerID, &a.CreatedAt)
	a.Type, a.CreatedAt = companies.AccountType(typ), a.CreatedAt.UTC()
	return a, MapError(err)
}

func (s *CompaniesStore) AccountByName(ctx context.Context, name string) (companies.Account, error) {
	return scanAccount(s.db.Pool.QueryRow(ctx, accountSelect+` WHERE name = $1`, name))
}

func (s *CompaniesStore) Account(ctx context.Context, id int64) (companies.Account, error) {
	return scanAccount(s.db.Pool.QueryRow(ctx, accountSelect+` WHERE id = $1`, id))
}

func (s *CompaniesStore) CreateUser(ctx context.Context, u companies.User) (companies.User, error) {
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO companies_users (email, password_hash, account_id, super_admin, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, u.Email, u.PasswordHash, nullID(u.AccountID), u.SuperAdmin,
		u.CreatedAt).Scan(&u.ID)
	return u, MapError(err)
}

func (s *CompaniesStore) UserByEmail(ctx context.Context, email string) (companies.User, error) {
	var u companies.User
	err := s.db.Pool.QueryRow(ctx, `SELECT id, email, password_hash, COALESCE(account_id, 0), super_admin, created_at
		FROM companies_users WHERE email = $1`, email).
		Scan(&u.ID, &u.Email, &u.PasswordHash, &u.AccountID, &u.SuperAdmin, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, MapError(err)
}

func (s *CompaniesStore) CreateToken(ctx context.Context, hash []byte, userID int64, createdAt, expiresAt time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO companies_tokens (token_hash, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, hash, userID, createdAt, expiresAt)
	return MapError(err)
}

func (s *CompaniesStore) SessionByToken(ctx context.Context, hash []byte, now time.Time) (companies.Session, error) {
	var sess companies.Session
	u, a := &sess.User, &sess.Account
	var typ string
	err := s.db.Pool.QueryRow(ctx, `SELECT u.id, u.email, u.password_hash, COALESCE(u.account_id, 0), u.super_admin,
		u.created_at, COALESCE(a.id, 0), COALESCE(a.name, ''), COALESCE(a.type, ''), COALESCE(a.manager_id, 0)
		FROM companies_tokens t JOIN companies_users u ON u.id = t.user_id
		LEFT JOIN companies_accounts a ON a.id = u.account_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2`, hash, now).Scan(&u.ID, &u.Email,
		&u.PasswordHash, &u.AccountID, &u.SuperAdmin, &u.CreatedAt, &a.ID, &a.Name, &typ, &a.ManagerID)
	if err != nil {
		return companies.Session{}, MapError(err)
	}
	u.CreatedAt, a.Type = u.CreatedAt.UTC(), companies.AccountType(typ)
	if a.Type == companies.Management {
		rows, err := s.db.Pool.Query(ctx, `SELECT id FROM companies_accounts WHERE manager_id = $1 ORDER BY id`, a.ID)
		if err != nil {
			return companies.Session{}, MapError(err)
		}
		if sess.Managed, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return companies.Session{}, MapError(err)
		}
	}
	return sess, nil
}

func (s *CompaniesStore) RevokeToken(ctx context.Context, hash []byte, now time.Time) error {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE companies_tokens SET revoked_at = $2
		WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2`, hash, now)
	return MapError(sfExpectOne(tag, err))
}

// --- companies ---

func scanCompany(row pgx.Row) (companies.Company, error) {
	var c companies.Company
	var peak, offPeak string
	err := row.Scan(&c.ID, &c.AccountID, &c.AccountName, &c.ParentID, &c.ParentName, &c.Name, &c.ExternalID,
		&c.UnitCode, &c.CNPJ, &c.CorporateName, &c.Address, &c.Number, &c.Complement, &c.District, &c.ZipCode,
		&c.CNAE, &c.CityID, &c.StateID, &c.ContactName, &c.ContactTelephone, &c.ContactCellphone, &c.ContactEmail,
		&c.CodeIBGE, &peak, &offPeak, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if c.EnergyDemandsPeak, err = companies.DecodeDemands(peak); err != nil {
		return c, err
	}
	c.EnergyDemandsOffPeak, err = companies.DecodeDemands(offPeak)
	return c, err
}

// companyArgs binds coWriteColumns.
func companyArgs(c *companies.Company) []any {
	return []any{c.AccountID, nullID(c.ParentID), c.Name, geo.Fold(c.Name), c.ExternalID, c.UnitCode, c.CNPJ,
		c.CorporateName, c.Address, c.Number, c.Complement, c.District, c.ZipCode, c.CNAE, c.CityID, c.StateID,
		c.ContactName, c.ContactTelephone, c.ContactCellphone, c.ContactEmail, nullID(c.CodeIBGE),
		companies.EncodeDemands(c.EnergyDemandsPeak), companies.EncodeDemands(c.EnergyDemandsOffPeak)}
}

func (s *CompaniesStore) Company(ctx context.Context, id int64) (companies.Company, error) {
	c, err := scanCompany(s.db.Pool.QueryRow(ctx, coSelect+` WHERE c.id = $1`, id))
	return c, MapError(err)
}

// likePattern escapes LIKE's wildcards in a fragment.
func likePattern(fragment string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(fragment) + "%"
}

func (s *CompaniesStore) Companies(ctx context.Context, f companies.Filter) ([]companies.Company, int, error) {
	if f.AccountIDs != nil && len(f.AccountIDs) == 0 {
		return nil, 0, nil
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.AccountIDs != nil {
		where = append(where, "c.account_id = ANY("+arg(f.AccountIDs)+")")
	}
	if f.Query != "" {
		where = append(where, "(c.name_folded LIKE "+arg(likePattern(f.Query))+" OR c.id = "+arg(f.QueryID)+")")
	}
	if len(f.ExternalIDs) > 0 {
		where = append(where, "c.external_id = ANY("+arg(f.ExternalIDs)+")")
	}
	if len(f.ParentIDs) > 0 {
		where = append(where, "c.parent_id = ANY("+arg(f.ParentIDs)+")")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	order := " ORDER BY c.id" + dir
	if f.Sort == companies.SortByName {
		// COLLATE "C": the folded name is plain ASCII, and byte order keeps
		// both engines sorting alike.
		order = ` ORDER BY c.name_folded COLLATE "C"` + dir + ", c.id" + dir
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
			rows, err := tx.Query(ctx, coSelect+cond+order+fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(page)-1, len(page)), page...)
			if err != nil {
				return err
			}
			out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (companies.Company, error) { return scanCompany(r) })
			return err
		})
	if err != nil {
		return nil, 0, MapError(err)
	}
	return out, total, nil
}

func writeAudit(ctx context.Context, tx pgx.Tx, companyID int64, a companies.AuditEntry) error {
	_, err := tx.Exec(ctx, `INSERT INTO companies_audit (company_id, user_id, user_email, action, changes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, companyID, a.UserID, a.UserEmail, string(a.Action), string(a.Changes), a.At)
	return err
}

// lockTree takes the account row lock that serializes the changes of an
// account's company tree (setting a parent, deleting a company), so a
// check made after it sees every change committed before. FOR NO KEY
// UPDATE leaves the foreign-key checks of the account's other writes
// unblocked.
const lockTree = `SELECT a.id FROM companies_accounts a WHERE a.id = $1 FOR NO KEY UPDATE`

// parentCheckSQL reads, for parent $1, its account and whether company $2
// is among the parent and its ancestors. UNION (not UNION ALL) ends the
// walk even on a cycle.
const parentCheckSQL = `WITH RECURSIVE up(id, parent_id) AS (
		SELECT id, parent_id FROM companies WHERE id = $1
		UNION
		SELECT c.id, c.parent_id FROM companies c JOIN up ON c.id = up.parent_id
	)
	SELECT p.account_id, EXISTS (SELECT 1 FROM up WHERE up.id = $2) FROM companies p WHERE p.id = $1`

// checkParent enforces the tree rules of companies.Store inside the
// writing transaction, under the account's tree lock.
func checkParent(ctx context.Context, tx pgx.Tx, c *companies.Company) error {
	if c.ParentID == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, lockTree, c.AccountID); err != nil {
		return err
	}
	var account int64
	var cycle bool
	err := tx.QueryRow(ctx, parentCheckSQL, c.ParentID, c.ID).Scan(&account, &cycle)
	switch {
	case errors.Is(err, pgx.ErrNoRows) || err == nil && account != c.AccountID:
		return companies.ParentOutsideAccount()
	case err != nil:
		return err
	case cycle:
		return companies.ParentCycle()
	}
	return nil
}

func (s *CompaniesStore) CreateCompany(ctx context.Context, c companies.Company, audit companies.AuditEntry) (companies.Company, error) {
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		if err := checkParent(ctx, tx, &c); err != nil {
			return err
		}
		args := append(companyArgs(&c), c.CreatedAt, c.UpdatedAt)
		if err := tx.QueryRow(ctx, `INSERT INTO companies (`+coWriteColumns+`, created_at, updated_at)
			VALUES (`+coWriteValues+`, $24, $25) RETURNING id`, args...).Scan(&c.ID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, c.ID, audit)
	})
	return c, MapError(err)
}

func (s *CompaniesStore) UpdateCompany(ctx context.Context, c companies.Company, audit companies.AuditEntry) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		if err := checkParent(ctx, tx, &c); err != nil {
			return err
		}
		args := append(companyArgs(&c), c.UpdatedAt, c.ID)
		tag, err := tx.Exec(ctx, `UPDATE companies SET (`+coWriteColumns+`, updated_at)
			= (`+coWriteValues+`, $24) WHERE id = $25`, args...)
		if err := sfExpectOne(tag, err); err != nil {
			return err
		}
		return writeAudit(ctx, tx, c.ID, audit)
	}))
}

func (s *CompaniesStore) DeleteCompany(ctx context.Context, id int64, audit companies.AuditEntry) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		// Under the tree lock, a child being added concurrently is either
		// committed (and counted below) or finds its parent gone.
		var account int64
		if err := tx.QueryRow(ctx, `SELECT account_id FROM companies WHERE id = $1`, id).Scan(&account); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, lockTree, account); err != nil {
			return err
		}
		var children bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM companies WHERE parent_id = $1)`, id).Scan(&children); err != nil {
			return err
		}
		if children {
			return companies.HasChildren()
		}
		tag, err := tx.Exec(ctx, `DELETE FROM companies WHERE id = $1`, id)
		if err := sfExpectOne(tag, err); err != nil {
			return err
		}
		return writeAudit(ctx, tx, id, audit)
	}))
}

func (s *CompaniesStore) AuditLog(ctx context.Context, companyID int64, limit, offset int) ([]companies.AuditEntry, int, error) {
	cond := ` WHERE ($1 = 0 OR company_id = $1)`
	var total int
	if err := s.db.Pool.QueryRow(ctx, `SELECT COUNT(*) FROM companies_audit`+cond, companyID).Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT id, company_id, user_id, user_email, action, changes, created_at
		FROM companies_audit`+cond+` ORDER BY id DESC LIMIT $2 OFFSET $3`, companyID, limit, offset)
	if err != nil {
		return nil, 0, MapError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (companies.AuditEntry, error) {
		var e companies.AuditEntry
		var action, changes string
		err := r.Scan(&e.ID, &e.CompanyID, &e.UserID, &e.UserEmail, &action, &changes, &e.At)
		e.Action, e.Changes, e.At = companies.AuditAction(action), []byte(changes), e.At.UTC()
		return e, err
	})
	return out, total, MapError(err)
}
