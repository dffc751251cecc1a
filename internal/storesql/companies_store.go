package storesql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"partnership-service/internal/companies"
	"partnership-service/internal/logins"
	"partnership-service/internal/webhook"
)

// CompaniesStore is the part of companies.Store whose SQL is the same on
// both engines, written once over DB. An adapter's store embeds it and adds
// what differs per engine: the company list (its dialect and its read
// snapshot) and, on SQLite, prepared statements behind DB for the
// statements named by CompaniesReads and CompaniesTxStatements.
type CompaniesStore struct {
	DB DB
	// AccountLock, when set, is the statement UpdateCompanies runs first,
	// with the account id, to serialize the changes of an account's
	// companies; unset where the engine serializes every write already.
	AccountLock string
	// Totals keeps the company lists' counts (see CompanyTotals).
	Totals *CompanyTotals
}

// The statements of CompaniesStore on hot paths.
const (
	companyByID    = CompanySelect + ` WHERE c.id = ?`
	accountByID    = AccountSelect + ` WHERE id = ?`
	sessionByToken = SessionSelect + ` WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?`
	managedIDs     = `SELECT id FROM companies_accounts WHERE manager_id = ? ORDER BY id`

	// companyLineage selects the company ? names and the ids above it, up
	// to the root. UNION (not UNION ALL) ends the walk even on a cycle.
	companyLineage = `WITH RECURSIVE up(id, parent_id) AS (
		SELECT id, parent_id FROM companies WHERE id = ?
		UNION
		SELECT c.id, c.parent_id FROM companies c JOIN up ON c.id = up.parent_id
	) SELECT id FROM up`
	childCount    = `SELECT COUNT(*) FROM companies WHERE parent_id = ?`
	insertCompany = `INSERT INTO companies (` + CompanyWriteColumns + `, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	updateCompany = `UPDATE companies SET (` + CompanyWriteColumns + `, updated_at)
		= (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?`
	deleteCompany = `DELETE FROM companies WHERE id = ?`
	insertAudit   = `INSERT INTO companies_audit (` + AuditInsertColumns + `) VALUES (?, ?, ?, ?, ?, ?)`
)

// CompaniesReads are the reads of CompaniesStore worth preparing where an
// engine does not cache statements itself: a session on every
// authenticated request, a company on every GET.
func CompaniesReads() []string {
	return []string{companyByID, accountByID, sessionByToken, managedIDs}
}

// CompaniesTxStatements are the statements of UpdateCompanies'
// primitives, worth preparing on the engine's writer.
func CompaniesTxStatements() []string {
	return []string{companyByID, companyLineage, childCount, insertCompany, updateCompany, deleteCompany, insertAudit}
}

// --- accounts, users, tokens ---

func (s CompaniesStore) CreateAccount(ctx context.Context, a companies.Account) (companies.Account, error) {
	err := s.DB.Write(ctx, func(tx Querier) error {
		return tx.QueryRow(ctx, `INSERT INTO companies_accounts (`+AccountInsertColumns+`)
			VALUES (?, ?, ?, ?) RETURNING id`, append(AccountValues(a), Time{T: a.CreatedAt})...).Scan(&a.ID)
	})
	return a, s.DB.MapError(err)
}

func (s CompaniesStore) AccountByName(ctx context.Context, name string) (companies.Account, error) {
	a, err := ScanAccount(s.DB.QueryRow(ctx, AccountSelect+` WHERE name = ?`, name))
	return a, s.DB.MapError(err)
}

func (s CompaniesStore) Account(ctx context.Context, id int64) (companies.Account, error) {
	a, err := ScanAccount(s.DB.QueryRow(ctx, accountByID, id))
	return a, s.DB.MapError(err)
}

func (s CompaniesStore) CreateUser(ctx context.Context, u companies.User) (companies.User, error) {
	err := s.DB.Write(ctx, func(tx Querier) error {
		return tx.QueryRow(ctx, `INSERT INTO companies_users (`+UserInsertColumns+`)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, append(UserValues(u), Time{T: u.CreatedAt})...).Scan(&u.ID)
	})
	return u, s.DB.MapError(err)
}

func (s CompaniesStore) UserByEmail(ctx context.Context, email string) (companies.User, error) {
	u, err := ScanUser(s.DB.QueryRow(ctx, UserSelect+` WHERE email = ?`, email))
	return u, s.DB.MapError(err)
}

func (s CompaniesStore) Accounts(ctx context.Context) ([]companies.Account, error) {
	out, err := QueryAll(ctx, s.DB, ScanAccount, AccountSelect+` ORDER BY name, id`)
	return out, s.DB.MapError(err)
}

func (s CompaniesStore) Users(ctx context.Context) ([]companies.User, error) {
	out, err := QueryAll(ctx, s.DB, ScanUser, UserSelect+` ORDER BY email, id`)
	return out, s.DB.MapError(err)
}

func (s CompaniesStore) CreateToken(ctx context.Context, hash []byte, userID int64, createdAt, expiresAt time.Time) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO companies_tokens (token_hash, user_id, created_at, expires_at)
		VALUES (?, ?, ?, ?)`, hash, userID, Time{T: createdAt}, Time{T: expiresAt})
	return s.DB.MapError(err)
}

// SessionByToken reads the token's user and account and, for a management
// account, the accounts it manages.
func (s CompaniesStore) SessionByToken(ctx context.Context, hash []byte, now time.Time) (companies.Session, error) {
	sess, err := ScanSession(s.DB.QueryRow(ctx, sessionByToken, hash, Time{T: now}))
	if err != nil || sess.Account.Type != companies.Management {
		return sess, s.DB.MapError(err)
	}
	sess.Managed, err = QueryAll(ctx, s.DB, Scalar[int64], managedIDs, sess.Account.ID)
	return sess, s.DB.MapError(err)
}

func (s CompaniesStore) RevokeToken(ctx context.Context, hash []byte, now time.Time) error {
	at := Time{T: now}
	return s.DB.MapError(ExecOne(ctx, s.DB, `UPDATE companies_tokens SET revoked_at = ?
		WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`, at, hash, at))
}

// --- companies ---

func (s CompaniesStore) Company(ctx context.Context, id int64) (companies.Company, error) {
	c, err := ScanCompany(s.DB.QueryRow(ctx, companyByID, id))
	return c, s.DB.MapError(err)
}

// UpdateCompanies runs fn in one write transaction, after AccountLock when
// the engine needs it.
func (s CompaniesStore) UpdateCompanies(ctx context.Context, accountID int64, fn func(tx companies.CompanyTx) error) error {
	return s.write(ctx, accountID, fn)
}

// WriteCompanies runs fn in one write transaction, without AccountLock.
func (s CompaniesStore) WriteCompanies(ctx context.Context, fn func(tx companies.CompanyTx) error) error {
	return s.write(ctx, 0, fn)
}

// write runs fn in one write transaction, after AccountLock of lockAccount
// unless it is 0.
func (s CompaniesStore) write(ctx context.Context, lockAccount int64, fn func(tx companies.CompanyTx) error) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		if s.AccountLock != "" && lockAccount != 0 {
			if _, err := tx.Exec(ctx, s.AccountLock, lockAccount); err != nil {
				return err
			}
		}
		return fn(companyTx{q: tx, mapError: s.DB.MapError})
	}))
}

// companyTx is companies.CompanyTx over one write transaction.
type companyTx struct {
	q        Querier
	mapError func(error) error
}

func (t companyTx) Company(ctx context.Context, id int64) (companies.Company, error) {
	c, err := ScanCompany(t.q.QueryRow(ctx, companyByID, id))
	return c, t.mapError(err)
}

func (t companyTx) Lineage(ctx context.Context, id int64) ([]int64, error) {
	ids, err := QueryAll(ctx, t.q, Scalar[int64], companyLineage, id)
	return ids, t.mapError(err)
}

func (t companyTx) CountChildren(ctx context.Context, id int64) (int, error) {
	var n int
	err := t.q.QueryRow(ctx, childCount, id).Scan(&n)
	return n, t.mapError(err)
}

func (t companyTx) Insert(ctx context.Context, c companies.Company) (int64, error) {
	var id int64
	err := t.q.QueryRow(ctx, insertCompany,
		append(CompanyValues(c), Time{T: c.CreatedAt}, Time{T: c.UpdatedAt})...).Scan(&id)
	return id, t.mapError(err)
}

func (t companyTx) Update(ctx context.Context, c companies.Company) error {
	return t.mapError(ExecOne(ctx, t.q, updateCompany,
		append(CompanyValues(c), Time{T: c.UpdatedAt}, c.ID)...))
}

func (t companyTx) Delete(ctx context.Context, id int64) error {
	return t.mapError(ExecOne(ctx, t.q, deleteCompany, id))
}

func (t companyTx) Emit(ctx context.Context, ev webhook.Event) error {
	return t.mapError(Emit(ctx, t.q, ev))
}

func (t companyTx) AppendAudit(ctx context.Context, e companies.AuditEntry) error {
	_, err := t.q.Exec(ctx, insertAudit, append(AuditValues(e), Time{T: e.At})...)
	return t.mapError(err)
}

func (t companyTx) CompanyAudit(ctx context.Context, companyID int64) ([]companies.AuditEntry, error) {
	out, err := QueryAll(ctx, t.q, ScanAuditEntry, AuditSelect+` WHERE company_id = ? ORDER BY id`, companyID)
	return out, t.mapError(err)
}

func (t companyTx) SetAuditChanges(ctx context.Context, entryID int64, changes []byte) error {
	_, err := t.q.Exec(ctx, `UPDATE companies_audit SET changes = ? WHERE id = ?`, string(changes), entryID)
	return t.mapError(err)
}

// --- audit log ---

func (s CompaniesStore) AuditLog(ctx context.Context, companyID int64, limit, offset int) ([]companies.AuditEntry, int, error) {
	cond, args := "", []any{}
	if companyID != 0 {
		cond, args = " WHERE company_id = ?", append(args, companyID)
	}
	var total int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM companies_audit`+cond, args...).Scan(&total); err != nil {
		return nil, 0, s.DB.MapError(err)
	}
	out, err := QueryAll(ctx, s.DB, ScanAuditEntry, AuditSelect+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	return out, total, s.DB.MapError(err)
}

// --- login attempt counts (logins.CountStore) ---

var _ logins.CountStore = CompaniesStore{}

// loginKey is how a count's key is stored: its SHA-256, so the table holds
// no e-mail address in clear and any text (a NUL, a megabyte) is a valid key.
func loginKey(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])
}

// UpdateLoginCounts implements logins.CountStore. Each key's row is
// first upserted (a placeholder of zeros when absent), which locks it on
// PostgreSQL until the transaction ends; keys are locked in sorted order,
// so two logins never wait on each other in a cycle. SQLite's one writer
// serializes the whole transaction anyway.
func (s CompaniesStore) UpdateLoginCounts(ctx context.Context, keys []string, fn func(map[string]*logins.Count)) error {
	byStored := make(map[string]string, len(keys))
	for _, k := range keys {
		byStored[loginKey(k)] = k
	}
	stored := slices.Sorted(maps.Keys(byStored))
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		for _, k := range stored {
			if _, err := tx.Exec(ctx, `INSERT INTO companies_login_counts (login_key, n, pending, since_ns, last_ns)
				VALUES (?, 0, 0, 0, 0) ON CONFLICT (login_key) DO UPDATE SET n = companies_login_counts.n`, k); err != nil {
				return err
			}
		}
		counts := make(map[string]*logins.Count, len(keys))
		args := make([]any, len(stored))
		for i, k := range stored {
			args[i] = k
		}
		rows, err := tx.Query(ctx, `SELECT login_key, n, pending, since_ns, last_ns FROM companies_login_counts
			WHERE login_key IN (?`+strings.Repeat(", ?", len(stored)-1)+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				k           string
				c           logins.Count
				since, last int64
			)
			if err := rows.Scan(&k, &c.N, &c.Pending, &since, &last); err != nil {
				rows.Close()
				return err
			}
			if c.N == 0 && c.Pending == 0 && since == 0 {
				continue // the placeholder: no count
			}
			c.Since, c.Last = time.Unix(0, since).UTC(), time.Unix(0, last).UTC()
			counts[byStored[k]] = &c
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		fn(counts)
		for _, k := range stored {
			c, ok := counts[byStored[k]]
			if !ok {
				if _, err := tx.Exec(ctx, `DELETE FROM companies_login_counts WHERE login_key = ?`, k); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE companies_login_counts SET n = ?, pending = ?, since_ns = ?, last_ns = ? WHERE login_key = ?`,
				c.N, c.Pending, c.Since.UnixNano(), c.Last.UnixNano(), k); err != nil {
				return err
			}
		}
		return nil
	}))
}

// DeleteLoginCounts implements logins.CountStore.
func (s CompaniesStore) DeleteLoginCounts(ctx context.Context, idleSince time.Time) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx Querier) error {
		var err error
		n, err = tx.Exec(ctx, `DELETE FROM companies_login_counts WHERE last_ns < ?`, idleSince.UnixNano())
		return err
	})
	return n, s.DB.MapError(err)
}
