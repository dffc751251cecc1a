package storesql

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"partnership-service/internal/companies"
	"partnership-service/internal/geo"
)

// The Companies API's dialect-free pieces: what both adapters select,
// write and scan. Times are left to the adapters (SQLite text, PostgreSQL
// timestamptz); everything else is bound and scanned alike.

// AccountSelect reads an account in the order ScanAccount expects.
const AccountSelect = `SELECT id, name, type, COALESCE(manager_id, 0), created_at FROM companies_accounts`

// ScanAccount reads a row of AccountSelect.
func ScanAccount(row Row) (companies.Account, error) {
	var a companies.Account
	var typ string
	var created Time
	err := row.Scan(&a.ID, &a.Name, &typ, &a.ManagerID, &created)
	a.Type, a.CreatedAt = companies.AccountType(typ), created.T
	return a, err
}

// AccountInsertColumns are bound by AccountValues, then the adapter's time.
const AccountInsertColumns = `name, type, manager_id, created_at`

// AccountValues binds AccountInsertColumns but the time.
func AccountValues(a companies.Account) []any {
	return []any{a.Name, string(a.Type), NullID(a.ManagerID)}
}

// UserSelect reads a user in the order ScanUser expects.
const UserSelect = `SELECT id, email, password_hash, COALESCE(account_id, 0), super_admin, created_at FROM companies_users`

// ScanUser reads a row of UserSelect.
func ScanUser(row Row) (companies.User, error) {
	var u companies.User
	var created Time
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.AccountID, &u.SuperAdmin, &created)
	u.CreatedAt = created.T
	return u, err
}

// UserInsertColumns are bound by UserValues, then the adapter's time.
const UserInsertColumns = `email, password_hash, account_id, super_admin, created_at`

// UserValues binds UserInsertColumns but the time.
func UserValues(u companies.User) []any {
	return []any{u.Email, u.PasswordHash, NullID(u.AccountID), u.SuperAdmin}
}

// SessionSelect reads the user and account of a token, in the order
// ScanSession expects; the adapter adds the token condition.
const SessionSelect = `SELECT u.id, u.email, u.password_hash, COALESCE(u.account_id, 0), u.super_admin,
	u.created_at, COALESCE(a.id, 0), COALESCE(a.name, ''), COALESCE(a.type, ''), COALESCE(a.manager_id, 0)
	FROM companies_tokens t JOIN companies_users u ON u.id = t.user_id
	LEFT JOIN companies_accounts a ON a.id = u.account_id`

// ScanSession reads a row of SessionSelect; Managed is the adapter's
// second read.
func ScanSession(row Row) (companies.Session, error) {
	var sess companies.Session
	u, a := &sess.User, &sess.Account
	var typ string
	var created Time
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.AccountID, &u.SuperAdmin, &created,
		&a.ID, &a.Name, &typ, &a.ManagerID)
	u.CreatedAt, a.Type = created.T, companies.AccountType(typ)
	return sess, err
}

// CompanySelect reads a company with its account's and parent's names, in
// the order ScanCompany expects.
const CompanySelect = `SELECT c.id, c.account_id, a.name, COALESCE(c.parent_id, 0), COALESCE(p.name, ''), c.name,
	c.external_id, c.unit_code, c.cnpj, c.corporate_name, c.address, c.number, c.complement, c.district,
	c.zip_code, c.cnae, c.city_id, c.state_id, c.contact_name, c.contact_telephone, c.contact_cellphone,
	c.contact_email, COALESCE(c.code_ibge, 0), c.energy_demands_peak, c.energy_demands_off_peak,
	c.created_at, c.updated_at
	FROM companies c JOIN companies_accounts a ON a.id = c.account_id LEFT JOIN companies p ON p.id = c.parent_id`

// ScanCompany reads a row of CompanySelect.
func ScanCompany(row Row) (companies.Company, error) {
	var c companies.Company
	var peak, offPeak string
	var created, updated Time
	err := row.Scan(&c.ID, &c.AccountID, &c.AccountName, &c.ParentID, &c.ParentName, &c.Name, &c.ExternalID,
		&c.UnitCode, &c.CNPJ, &c.CorporateName, &c.Address, &c.Number, &c.Complement, &c.District, &c.ZipCode,
		&c.CNAE, &c.CityID, &c.StateID, &c.ContactName, &c.ContactTelephone, &c.ContactCellphone, &c.ContactEmail,
		&c.CodeIBGE, &peak, &offPeak, &created, &updated)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = created.T, updated.T
	if c.EnergyDemandsPeak, err = DecodeDemands(peak); err != nil {
		return c, err
	}
	c.EnergyDemandsOffPeak, err = DecodeDemands(offPeak)
	return c, err
}

// CompanyWriteColumns are what insert and update write, bound by
// CompanyValues in this order; the adapters add the timestamps.
const CompanyWriteColumns = `account_id, parent_id, name, name_folded, external_id, unit_code, cnpj, corporate_name,
	address, number, complement, district, zip_code, cnae, city_id, state_id, contact_name, contact_telephone,
	contact_cellphone, contact_email, code_ibge, energy_demands_peak, energy_demands_off_peak`

// CompanyValues binds CompanyWriteColumns.
func CompanyValues(c companies.Company) []any {
	return []any{c.AccountID, NullID(c.ParentID), c.Name, geo.Fold(c.Name), c.ExternalID, c.UnitCode, c.CNPJ,
		c.CorporateName, c.Address, c.Number, c.Complement, c.District, c.ZipCode, c.CNAE, c.CityID, c.StateID,
		c.ContactName, c.ContactTelephone, c.ContactCellphone, c.ContactEmail, NullID(c.CodeIBGE),
		EncodeDemands(c.EnergyDemandsPeak), EncodeDemands(c.EnergyDemandsOffPeak)}
}

// CompanyPage counts the companies of f's accounts matching where (bound
// by args), through totals, and, unless f's offset is past them, reads the
// page with page, in one snapshot: the count and the page see the same
// state. The matches of a name search few companies match are found once
// with matchIDs (where and order as an id list, at most limit ids) and
// kept: its pages are then read from them (see CompanyTotals).
func CompanyPage(ctx context.Context, db DB, totals *CompanyTotals, f companies.Filter, where, order string, args []any,
	matchIDs func(q Querier, limit int) ([]int64, error), page func(q Querier) ([]companies.Company, error)) ([]companies.Company, int, error) {
	var out []companies.Company
	var total int
	err := db.ReadSnapshot(ctx, func(q Querier) error {
		version, err := companiesVersion(ctx, q, f.AccountIDs)
		if err != nil {
			return err
		}
		if total, err = totals.count(ctx, q, version, where, args); err != nil || total <= f.Offset {
			return err
		}
		if f.Query != "" {
			ids, err := totals.searchMatches(ctx, q, version, total, where, order, args, matchIDs)
			if err != nil {
				return err
			}
			if ids != nil {
				out, err = companiesByID(ctx, q, window(ids, f.Offset, f.Limit))
				return err
			}
		}
		out, err = page(q)
		return err
	})
	if err != nil {
		return nil, 0, db.MapError(err)
	}
	return out, total, nil
}

// window is ids[offset:offset+limit], cut to ids.
func window(ids []int64, offset, limit int) []int64 {
	if offset >= len(ids) {
		return nil
	}
	return ids[offset:min(len(ids), offset+limit)]
}

// companiesByID reads the companies of ids, in the order of ids.
func companiesByID(ctx context.Context, q Querier, ids []int64) ([]companies.Company, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	found, err := QueryAll(ctx, q, ScanCompany, CompanySelect+` WHERE c.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	slices.SortFunc(found, func(a, b companies.Company) int { return at[a.ID] - at[b.ID] })
	return found, nil
}

// CompanyList is the WHERE and ORDER BY of a company list; matchesNone
// says the filter names no account, so there is nothing to query. bind
// binds one value and returns its placeholder; in binds a []int64 or
// []string as a membership test of col; nameOrder is how the folded name
// sorts, so both engines sort bytewise; nameContains is the test that the
// folded name contains a fragment, through the engine's trigram index.
func CompanyList(f companies.Filter, bind func(v any) string, in func(col string, values any) string, nameOrder string,
	nameContains func(fragment string) string) (where, order string, matchesNone bool) {
	if f.AccountIDs != nil && len(f.AccountIDs) == 0 {
		return "", "", true
	}
	var conds []string
	if f.AccountIDs != nil {
		conds = append(conds, in("c.account_id", f.AccountIDs))
	}
	if f.Query != "" {
		conds = append(conds, `(`+nameContains(f.Query)+` OR c.id = `+bind(f.QueryID)+`)`)
	}
	if len(f.ExternalIDs) > 0 {
		conds = append(conds, in("c.external_id", f.ExternalIDs))
	}
	if len(f.ParentIDs) > 0 {
		conds = append(conds, in("c.parent_id", f.ParentIDs))
	}
	if !f.UpdatedSince.IsZero() {
		conds = append(conds, "c.updated_at > "+bind(Time{T: f.UpdatedSince}))
	}
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	if !f.UpdatedSince.IsZero() {
		// A change feed reads in the order the companies changed.
		return where, " ORDER BY c.updated_at, c.id", false
	}
	if f.Sort == companies.SortByName {
		return where, " ORDER BY " + nameOrder + dir + ", c.id" + dir, false
	}
	return where, " ORDER BY c.id" + dir, false
}

// NameLike is the folded name's LIKE test for fragment, bound by bind:
// PostgreSQL's trigram index serves it; SQLite scans.
func NameLike(fragment string, bind func(v any) string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return `c.name_folded LIKE ` + bind("%"+r.Replace(fragment)+"%") + ` ESCAPE '\'`
}

// AuditSelect reads audit entries in the order ScanAuditEntry expects.
const AuditSelect = `SELECT id, company_id, user_id, user_email, action, changes, created_at FROM companies_audit`

// ScanAuditEntry reads a row of AuditSelect.
func ScanAuditEntry(row Row) (companies.AuditEntry, error) {
	var e companies.AuditEntry
	var action, changes string
	var at Time
	err := row.Scan(&e.ID, &e.CompanyID, &e.UserID, &e.UserEmail, &action, &changes, &at)
	e.Action, e.Changes, e.At = companies.AuditAction(action), []byte(changes), at.T
	return e, err
}

// AuditInsertColumns are bound by AuditValues, then the adapter's time.
const AuditInsertColumns = `company_id, user_id, user_email, action, changes, created_at`

// AuditValues binds AuditInsertColumns but the time.
func AuditValues(e companies.AuditEntry) []any {
	return []any{e.CompanyID, e.UserID, e.UserEmail, string(e.Action), string(e.Changes)}
}

type demandRecord struct {
	ValueKW   float64 `json:"value_kw"`
	StartDate string  `json:"start_date"`
}

// EncodeDemands is how the stores keep a demand list: a JSON array of
// {value_kw, start_date}.
func EncodeDemands(ds []companies.EnergyDemand) string {
	recs := make([]demandRecord, len(ds))
	for i, d := range ds {
		recs[i] = demandRecord(d)
	}
	b, err := json.Marshal(recs)
	if err != nil {
		panic(err) // floats from the API are finite: cannot fail
	}
	return string(b)
}

// DecodeDemands reads what EncodeDemands wrote.
func DecodeDemands(s string) ([]companies.EnergyDemand, error) {
	var recs []demandRecord
	if err := json.Unmarshal([]byte(s), &recs); err != nil {
		return nil, err
	}
	out := make([]companies.EnergyDemand, len(recs))
	for i, r := range recs {
		out[i] = companies.EnergyDemand(r)
	}
	return out, nil
}
