package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"partnership-service/internal/companies"
	"partnership-service/internal/geo"
)

// CompaniesStore keeps the Companies API in SQLite.
type CompaniesStore struct {
	db *DB

	// Hot reads, prepared on the reader pool.
	companyByID    *sql.Stmt
	accountByID    *sql.Stmt
	sessionByToken *sql.Stmt
	managedIDs     *sql.Stmt

	// Hot writes, prepared on the writer and bound to each transaction.
	insertCompany *sql.Stmt
	updateCompany *sql.Stmt
	insertAudit   *sql.Stmt
	parentCheck   *sql.Stmt
	childCount    *sql.Stmt
	deleteCompany *sql.Stmt
}

var _ companies.Store = (*CompaniesStore)(nil)

// coSelect reads a company with its account's and parent's names, in the
// order scanCompany expects.
const coSelect = `SELECT c.id, c.account_id, a.name, COALESCE(c.parent_id, 0), COALESCE(p.name, ''), c.name,
	c.external_id, c.unit_code, c.cnpj, c.corporate_name, c.address, c.number, c.complement, c.district,
	c.zip_code, c.cnae, c.city_id, c.state_id, c.contact_name, c.contact_telephone, c.contact_cellphone,
	c.contact_email, COALESCE(c.code_ibge, 0), c.energy_demands_peak, c.energy_demands_off_peak,
	c.created_at, c.updated_at
	FROM companies c JOIN companies_accounts a ON a.id = c.account_id LEFT JOIN companies p ON p.id = c.parent_id`

// coWriteColumns are bound in this order by insert and update.
const coWriteColumns = `account_id, parent_id, name, name_folded, external_id, unit_code, cnpj, corporate_name,
	address, number, complement, district, zip_code, cnae, city_id, state_id, contact_name, contact_telephone,
	contact_cellphone, contact_email, code_ibge, energy_demands_peak, energy_demands_off_peak`

// newCompaniesStore prepares the statements on db.
func newCompaniesStore(ctx context.Context, db *DB) (*CompaniesStore, error) {
	s := &CompaniesStore{db: db}
	for _, p := range []struct {
		pool *sql.DB
		dst  **sql.Stmt
		sql  string
	}{
		{db.reader, &s.companyByID, coSelect + ` WHERE c.id = ?`},
		{db.reader, &s.accountByID, `SELECT id, name, type, COALESCE(manager_id, 0), created_at FROM companies_accounts WHERE id = ?`},
		{db.reader, &s.sessionByToken, `SELECT u.id, u.email, u.password_hash, COALESCE(u.account_id, 0), u.super_admin,
			u.created_at, COALESCE(a.id, 0), COALESCE(a.name, ''), COALESCE(a.type, ''), COALESCE(a.manager_id, 0)
			FROM companies_tokens t JOIN companies_users u ON u.id = t.user_id
			LEFT JOIN companies_accounts a ON a.id = u.account_id
			WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?`},
		{db.reader, &s.managedIDs, `SELECT id FROM companies_accounts WHERE manager_id = ? ORDER BY id`},
		{db.writer, &s.insertCompany, `INSERT INTO companies (` + coWriteColumns + `, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`},
		{db.writer, &s.updateCompany, `UPDATE companies SET (` + coWriteColumns + `, updated_at)
			= (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?`},
		{db.writer, &s.insertAudit, `INSERT INTO companies_audit (company_id, user_id, user_email, action, changes, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`},
		{db.writer, &s.parentCheck, parentCheckSQL},
		{db.writer, &s.childCount, `SELECT COUNT(*) FROM companies WHERE parent_id = ?`},
		{db.writer, &s.deleteCompany, `DELETE FROM companies WHERE id = ?`},
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
	for _, st := range []*sql.Stmt{s.companyByID, s.accountByID, s.sessionByToken, s.managedIDs, s.insertCompany,
		s.updateCompany, s.insertAudit, s.parentCheck, s.childCount, s.deleteCompany} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// --- accounts, users, tokens ---

func (s *CompaniesStore) CreateAccount(ctx context.Context, a companies.Account) (companies.Account, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO companies_accounts (name, type, manager_id, created_at)
			VALUES (?, ?, ?, ?) RETURNING id`, a.Name, a.Type, nullID(a.ManagerID), FormatTime(a.CreatedAt)).Scan(&a.ID)
	})
	return a, MapError(err)
}

func scanAccount(row interface{ Scan(...any) error }) (companies.Account, error) {
	var a companies.Account
	var created string
	err := row.Scan(&a.ID, &a.Name, &a.Type, &a.ManagerID, &created)
	if err == nil {
		a.CreatedAt, err = ParseTime(created)
	}
	return a, MapError(err)
}

func (s *CompaniesStore) AccountByName(ctx context.Context, name string) (companies.Account, error) {
	return scanAccount(s.db.reader.QueryRowContext(ctx,
		`SELECT id, name, type, COALESCE(manager_id, 0), created_at FROM companies_accounts WHERE name = ?`, name))
}

func (s *CompaniesStore) Account(ctx context.Context, id int64) (companies.Account, error) {
	return scanAccount(s.accountByID.QueryRowContext(ctx, id))
}

func (s *CompaniesStore) CreateUser(ctx context.Context, u companies.User) (companies.User, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO companies_users (email, password_hash, account_id, super_admin, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, u.Email, u.PasswordHash, nullID(u.AccountID), u.SuperAdmin,
			FormatTime(u.CreatedAt)).Scan(&u.ID)
	})
	return u, MapError(err)
}

func (s *CompaniesStore) UserByEmail(ctx context.Context, email string) (companies.User, error) {
	var u companies.User
	var created string
	err := s.db.reader.QueryRowContext(ctx, `SELECT id, email, password_hash, COALESCE(account_id, 0), super_admin,
		created_at FROM companies_users WHERE email = ?`, email).
		Scan(&u.ID, &u.Email, &u.PasswordHash, &u.AccountID, &u.SuperAdmin, &created)
	if err == nil {
		u.CreatedAt, err = ParseTime(created)
	}
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
	var sess companies.Session
	u, a := &sess.User, &sess.Account
	var created string
	err := s.sessionByToken.QueryRowContext(ctx, hash, FormatTime(now)).Scan(&u.ID, &u.Email, &u.PasswordHash,
		&u.AccountID, &u.SuperAdmin, &created, &a.ID, &a.Name, &a.Type, &a.ManagerID)
	if err == nil {
		u.CreatedAt, err = ParseTime(created)
	}
	if err != nil {
		return companies.Session{}, MapError(err)
	}
	if a.Type == companies.Management {
		rows, err := s.managedIDs.QueryContext(ctx, a.ID)
		if err != nil {
			return companies.Session{}, MapError(err)
		}
		sess.Managed, err = scanIDs(rows)
		if err != nil {
			return companies.Session{}, MapError(err)
		}
	}
	return sess, nil
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
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

func scanCompany(row interface{ Scan(...any) error }) (companies.Company, error) {
	var c companies.Company
	var peak, offPeak, created, updated string
	err := row.Scan(&c.ID, &c.AccountID, &c.AccountName, &c.ParentID, &c.ParentName, &c.Name, &c.ExternalID,
		&c.UnitCode, &c.CNPJ, &c.CorporateName, &c.Address, &c.Number, &c.Complement, &c.District, &c.ZipCode,
		&c.CNAE, &c.CityID, &c.StateID, &c.ContactName, &c.ContactTelephone, &c.ContactCellphone, &c.ContactEmail,
		&c.CodeIBGE, &peak, &offPeak, &created, &updated)
	if err != nil {
		return c, err
	}
	if c.EnergyDemandsPeak, err = companies.DecodeDemands(peak); err != nil {
		return c, err
	}
	if c.EnergyDemandsOffPeak, err = companies.DecodeDemands(offPeak); err != nil {
		return c, err
	}
	if c.CreatedAt, err = ParseTime(created); err != nil {
		return c, err
	}
	c.UpdatedAt, err = ParseTime(updated)
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
	c, err := scanCompany(s.companyByID.QueryRowContext(ctx, id))
	return c, MapError(err)
}

// likePattern escapes LIKE's wildcards in a fragment.
func likePattern(fragment string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(fragment) + "%"
}

// inList appends "col IN (?, ?, …)" for values.
func inList[T any](where []string, args []any, col string, values []T) ([]string, []any) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")
	for _, v := range values {
		args = append(args, v)
	}
	return append(where, col+" IN ("+marks+")"), args
}

func (s *CompaniesStore) Companies(ctx context.Context, f companies.Filter) ([]companies.Company, int, error) {
	if f.AccountIDs != nil && len(f.AccountIDs) == 0 {
		return nil, 0, nil
	}
	var where []string
	var args []any
	if f.AccountIDs != nil {
		where, args = inList(where, args, "c.account_id", f.AccountIDs)
	}
	if f.Query != "" {
		where = append(where, `(c.name_folded LIKE ? ESCAPE '\' OR c.id = ?)`)
		args = append(args, likePattern(f.Query), f.QueryID)
	}
	if len(f.ExternalIDs) > 0 {
		where, args = inList(where, args, "c.external_id", f.ExternalIDs)
	}
	if len(f.ParentIDs) > 0 {
		where, args = inList(where, args, "c.parent_id", f.ParentIDs)
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
		order = " ORDER BY c.name_folded" + dir + ", c.id" + dir
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
	rows, err := tx.QueryContext(ctx, coSelect+` WHERE c.id IN (SELECT c.id FROM companies c`+cond+order+
		` LIMIT ? OFFSET ?)`+order, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, MapError(err)
	}
	defer rows.Close()
	out := make([]companies.Company, 0, f.Limit)
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, 0, MapError(err)
		}
		out = append(out, c)
	}
	return out, total, MapError(rows.Err())
}

func (s *CompaniesStore) writeAudit(ctx context.Context, tx *sql.Tx, companyID int64, a companies.AuditEntry) error {
	_, err := tx.StmtContext(ctx, s.insertAudit).ExecContext(ctx, companyID, a.UserID, a.UserEmail, a.Action,
		string(a.Changes), FormatTime(a.At))
	return err
}

// parentCheckSQL reads, for parent ?1, its account and whether company ?2
// is among the parent and its ancestors. UNION (not UNION ALL) ends the
// walk even on a cycle.
const parentCheckSQL = `WITH RECURSIVE up(id, parent_id) AS (
		SELECT id, parent_id FROM companies WHERE id = ?1
		UNION
		SELECT c.id, c.parent_id FROM companies c JOIN up ON c.id = up.parent_id
	)
	SELECT p.account_id, EXISTS (SELECT 1 FROM up WHERE up.id = ?2) FROM companies p WHERE p.id = ?1`

// checkParent enforces the tree rules of companies.Store inside the
// writing transaction; the single writer serializes it with every other
// change.
func (s *CompaniesStore) checkParent(ctx context.Context, tx *sql.Tx, c *companies.Company) error {
	if c.ParentID == 0 {
		return nil
	}
	var account int64
	var cycle bool
	err := tx.StmtContext(ctx, s.parentCheck).QueryRowContext(ctx, c.ParentID, c.ID).Scan(&account, &cycle)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && account != c.AccountID:
		return companies.ParentOutsideAccount()
	case err != nil:
		return err
	case cycle:
		return companies.ParentCycle()
	}
	return nil
}

func (s *CompaniesStore) CreateCompany(ctx context.Context, c companies.Company, audit companies.AuditEntry) (companies.Company, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := s.checkParent(ctx, tx, &c); err != nil {
			return err
		}
		args := append(companyArgs(&c), FormatTime(c.CreatedAt), FormatTime(c.UpdatedAt))
		if err := tx.StmtContext(ctx, s.insertCompany).QueryRowContext(ctx, args...).Scan(&c.ID); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, c.ID, audit)
	})
	return c, MapError(err)
}

func (s *CompaniesStore) UpdateCompany(ctx context.Context, c companies.Company, audit companies.AuditEntry) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := s.checkParent(ctx, tx, &c); err != nil {
			return err
		}
		args := append(companyArgs(&c), FormatTime(c.UpdatedAt), c.ID)
		res, err := tx.StmtContext(ctx, s.updateCompany).ExecContext(ctx, args...)
		if err := expectOne(res, err); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, c.ID, audit)
	}))
}

func (s *CompaniesStore) DeleteCompany(ctx context.Context, id int64, audit companies.AuditEntry) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		var children int
		if err := tx.StmtContext(ctx, s.childCount).QueryRowContext(ctx, id).Scan(&children); err != nil {
			return err
		}
		if children > 0 {
			return companies.HasChildren()
		}
		res, err := tx.StmtContext(ctx, s.deleteCompany).ExecContext(ctx, id)
		if err := expectOne(res, err); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, id, audit)
	}))
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
	rows, err := s.db.reader.QueryContext(ctx, `SELECT id, company_id, user_id, user_email, action, changes, created_at
		FROM companies_audit`+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, MapError(err)
	}
	defer rows.Close()
	var out []companies.AuditEntry
	for rows.Next() {
		var e companies.AuditEntry
		var changes, at string
		if err := rows.Scan(&e.ID, &e.CompanyID, &e.UserID, &e.UserEmail, &e.Action, &changes, &at); err != nil {
			return nil, 0, MapError(err)
		}
		e.Changes = []byte(changes)
		if e.At, err = ParseTime(at); err != nil {
			return nil, 0, MapError(err)
		}
		out = append(out, e)
	}
	return out, total, MapError(rows.Err())
}
