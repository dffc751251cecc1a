package companies

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/geo"
	"partnership-service/internal/logins"
	"partnership-service/internal/webhook"
)

// Token lifetimes: a login lasts a working day; CLI tokens are for
// integrations and last longer unless the caller says otherwise.
const (
	LoginTTL = 24 * time.Hour
	CLITTL   = 30 * 24 * time.Hour
)

// Service holds the companies' business rules.
type Service struct {
	store  Store
	geo    *geo.Directory
	now    func() time.Time
	logins *logins.Guard
}

// NewService returns a service over store; now is the clock (time.Now when
// nil), which the login rate limit uses too.
func NewService(store Store, dir *geo.Directory, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, geo: dir, now: now, logins: logins.NewGuard(logins.Config{})}
}

// fail is an error without a field: the surface shows Message as is (a
// one-element list), so it must be the Portuguese text clients see.
func fail(code apperr.Code, message string) *apperr.Error {
	return &apperr.Error{Code: code, Message: message, Meta: map[string]string{metaShow: "true"}}
}

func errUnauthenticated() error { return fail(apperr.Unauthorized, "Não autenticado.") }
func errCompanyNotFound() error { return fail(apperr.NotFound, "Empresa não encontrada.") }
func errForbidden() error       { return fail(apperr.Forbidden, msgNoPermission) }

// errHasChildren refuses to delete a company that is the parent of others:
// they would be orphaned, so the client must move or delete them first.
func errHasChildren() error {
	return apperr.Field(apperr.Unprocessable, "id", "A empresa possui empresas filhas.")
}

// --- accounts, users, tokens ---

// CreateAccount creates an account; a client account may name the
// management account that manages it.
func (s *Service) CreateAccount(ctx context.Context, name string, typ AccountType, managerName string) (Account, error) {
	var errs apperr.Fields
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxText {
		errs.Add("name", msgRequired("name"))
	}
	if typ != Client && typ != Management {
		errs.Add("type", msgInvalid("type"))
	}
	a := Account{Name: name, Type: typ, CreatedAt: s.now().UTC()}
	if managerName = strings.TrimSpace(managerName); managerName != "" {
		m, err := s.store.AccountByName(ctx, managerName)
		switch {
		case apperr.Is(err, apperr.NotFound):
			errs.Add("manager", msgInvalid("manager"))
		case err != nil:
			return Account{}, err
		case m.Type != Management || typ != Client:
			errs.Add("manager", "Apenas contas de gestão gerenciam, e apenas contas cliente são gerenciadas.")
		default:
			a.ManagerID = m.ID
		}
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return Account{}, err
	}
	a, err := s.store.CreateAccount(ctx, a)
	if apperr.Is(err, apperr.Conflict) {
		return Account{}, apperr.Field(apperr.Conflict, "name", "Já existe uma conta com esse nome.")
	}
	return a, err
}

// CreateUser creates a user of the named account, or a super admin.
func (s *Service) CreateUser(ctx context.Context, email, password, accountName string, superAdmin bool) (User, error) {
	var errs apperr.Fields
	email = normalizeLogin(email)
	if !brdoc.IsEmail(email) {
		errs.Add("email", "O campo email deve ser um endereço de e-mail válido.")
	}
	if len(password) < 8 || len(password) > 256 {
		errs.Add("password", "O campo password deve ter entre 8 e 256 caracteres.")
	}
	u := User{Email: email, SuperAdmin: superAdmin, CreatedAt: s.now().UTC()}
	switch {
	case superAdmin == (accountName != ""):
		errs.Add("account", "Informe uma conta ou super admin, não ambos.")
	case !superAdmin:
		a, err := s.store.AccountByName(ctx, accountName)
		if apperr.Is(err, apperr.NotFound) {
			errs.Add("account", msgInvalid("account"))
		} else if err != nil {
			return User{}, err
		}
		u.AccountID = a.ID
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return User{}, err
	}
	hash, err := logins.HashPassword(password)
	if err != nil {
		return User{}, err
	}
	u.PasswordHash = hash
	u, err = s.store.CreateUser(ctx, u)
	if apperr.Is(err, apperr.Conflict) {
		return User{}, apperr.Field(apperr.Conflict, "email", "Já existe um usuário com esse e-mail.")
	}
	return u, err
}

// Accounts lists every account, by name.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) { return s.store.Accounts(ctx) }

// Users lists every user, by e-mail, without their password hashes.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	users, err := s.store.Users(ctx)
	for i := range users {
		users[i].PasswordHash = ""
	}
	return users, err
}

func normalizeLogin(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// IssueToken creates a token for the user with email, valid for ttl.
func (s *Service) IssueToken(ctx context.Context, email string, ttl time.Duration) (string, time.Time, error) {
	u, err := s.store.UserByEmail(ctx, normalizeLogin(email))
	if apperr.Is(err, apperr.NotFound) {
		return "", time.Time{}, apperr.Field(apperr.NotFound, "email", "Usuário não encontrado.")
	}
	if err != nil {
		return "", time.Time{}, err
	}
	return s.issue(ctx, u.ID, ttl)
}

func (s *Service) issue(ctx context.Context, userID int64, ttl time.Duration) (string, time.Time, error) {
	token, hash, err := newToken()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.now().UTC()
	expires := now.Add(ttl).Truncate(time.Second)
	if err := s.store.CreateToken(ctx, hash, userID, now, expires); err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// RevokeToken ends a token before it expires.
func (s *Service) RevokeToken(ctx context.Context, token string) error {
	err := s.store.RevokeToken(ctx, tokenHash(strings.TrimSpace(token)), s.now().UTC())
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field(apperr.NotFound, "token", "Token não encontrado, expirado ou já revogado.")
	}
	return err
}

// MetaRetryAfter carries, on a 429, the seconds until the client may try
// again.
const MetaRetryAfter = "retry_after"

// Authenticate returns the session of a bearer token.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 256 {
		return nil, errUnauthenticated()
	}
	sess, err := s.store.SessionByToken(ctx, tokenHash(token), s.now().UTC())
	if apperr.Is(err, apperr.NotFound) {
		return nil, errUnauthenticated()
	}
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

// ActsFor reports whether the session may see and change the companies of
// account: a super admin every account, a management user its own and
// those it manages, a client user its own.
func (s *Session) ActsFor(accountID int64) bool {
	switch {
	case s.User.SuperAdmin:
		return true
	case accountID == s.Account.ID:
		return true
	case s.Account.Type == Management:
		return slices.Contains(s.Managed, accountID)
	}
	return false
}

// accounts lists the accounts the session acts for; nil means all.
func (s *Session) accounts() []int64 {
	if s.User.SuperAdmin {
		return nil
	}
	return append([]int64{s.Account.ID}, s.Managed...)
}

// --- companies ---

// Page is one page of a company list.
type Page struct {
	Items []Company
	Total int
	Limit int
	Page  int
}

// ListCompanies lists the companies the session may see. Only a super
// admin may filter by account_id (as the seed says), and only by existing
// accounts; from anyone else the parameter is a 422. parent_id must name
// companies the session may see.
func (s *Service) ListCompanies(ctx context.Context, sess *Session, q ListQuery) (Page, error) {
	f := Filter{AccountIDs: sess.accounts(), ExternalIDs: q.ExternalIDs, Sort: q.Sort, Desc: q.Desc,
		Limit: q.Limit, Offset: (q.Page - 1) * q.Limit, UpdatedSince: q.UpdatedSince}
	var errs apperr.Fields
	if len(q.AccountIDs) > 0 {
		for _, id := range q.AccountIDs {
			ok := sess.User.SuperAdmin
			if ok {
				_, err := s.store.Account(ctx, id)
				if err != nil && !apperr.Is(err, apperr.NotFound) {
					return Page{}, err
				}
				ok = err == nil
			}
			if !ok {
				errs.Add("account_id", msgInvalid("account_id"))
				break
			}
		}
		f.AccountIDs = q.AccountIDs
	}
	for _, id := range q.ParentIDs {
		if _, err := s.visibleCompany(ctx, sess, id); err != nil {
			if !apperr.Is(err, apperr.NotFound) {
				return Page{}, err
			}
			errs.Add("parent_id", msgNoPermission)
			break
		}
	}
	f.ParentIDs = q.ParentIDs
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return Page{}, err
	}
	if q.Q != "" {
		f.Query = geo.Fold(q.Q)
		if id, err := strconv.ParseInt(q.Q, 10, 64); err == nil && id > 0 {
			f.QueryID = id
		}
	}
	items, total, err := s.store.Companies(ctx, f)
	if err != nil {
		return Page{}, err
	}
	for i := range items {
		s.fillPlace(&items[i])
	}
	return Page{Items: items, Total: total, Limit: q.Limit, Page: q.Page}, nil
}

// visibleCompany loads a company the session may see; any other is as
// unknown as a missing one, so ids of other accounts reveal nothing.
func (s *Service) visibleCompany(ctx context.Context, sess *Session, id int64) (Company, error) {
	c, err := s.store.Company(ctx, id)
	if apperr.Is(err, apperr.NotFound) || err == nil && !sess.ActsFor(c.AccountID) {
		return Company{}, errCompanyNotFound()
	}
	if err != nil {
		return Company{}, err
	}
	s.fillPlace(&c)
	return c, nil
}

func (s *Service) fillPlace(c *Company) {
	if m, ok := s.geo.Municipality(int(c.CityID)); ok {
		c.CityName = m.Name
	}
	if st, ok := s.geo.StateByCode(int(c.StateID)); ok {
		c.StateName = st.Name
	}
}

// Company returns a company the session may see.
func (s *Service) Company(ctx context.Context, sess *Session, id int64) (Company, error) {
	return s.visibleCompany(ctx, sess, id)
}

// CreateCompany creates a company in an account the session acts for.
// account_id is required for super admins and management users; a client
// user's company goes to its own account.
func (s *Service) CreateCompany(ctx context.Context, sess *Session, in CompanyInput) (Company, error) {
	var errs apperr.Fields
	c := Company{EnergyDemandsPeak: []EnergyDemand{}, EnergyDemandsOffPeak: []EnergyDemand{}}
	switch {
	case in.AccountID.set && in.AccountID.v != 0:
		c.AccountID = in.AccountID.v
		if err := s.checkAccount(ctx, sess, c.AccountID); err != nil {
			if !apperr.Is(err, apperr.NotFound) {
				return Company{}, err
			}
			errs.Add("account_id", msgInvalid("account_id"))
		}
	case sess.User.SuperAdmin || sess.Account.Type == Management:
		errs.Add("account_id", msgRequired("account_id"))
	default:
		c.AccountID = sess.Account.ID
	}
	applyInput(&c, in)
	now := s.now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	// A new company without a parent reads no other company in its checks,
	// so it need not wait for the account's other writes (on PostgreSQL
	// they queue on the account's row, each until it commits).
	write := func(fn func(tx CompanyTx) error) error { return s.store.UpdateCompanies(ctx, c.AccountID, fn) }
	if c.ParentID == 0 {
		write = func(fn func(tx CompanyTx) error) error { return s.store.WriteCompanies(ctx, fn) }
	}
	err := write(func(tx CompanyTx) error {
		if err := s.check(ctx, tx, &c, &errs); err != nil {
			return err
		}
		id, err := tx.Insert(ctx, c)
		if err != nil {
			return err
		}
		c.ID = id
		if err := tx.AppendAudit(ctx, s.audit(sess, id, Created, diff(nil, &c), now)); err != nil {
			return err
		}
		return s.emitStored(ctx, tx, webhook.CompanyCreated, id, now)
	})
	if err != nil {
		return Company{}, err
	}
	return s.visibleCompany(ctx, sess, c.ID)
}

// checkAccount answers not found unless the account exists and the
// session acts for it.
func (s *Service) checkAccount(ctx context.Context, sess *Session, id int64) error {
	if !sess.ActsFor(id) {
		return errCompanyNotFound()
	}
	_, err := s.store.Account(ctx, id)
	return err
}

// UpdateCompany changes the fields present in in. A company never changes
// account (403); its new parent must be in its account and not below it.
// The fields are applied to the company as the writing transaction reads
// it, so what is checked is what is written.
func (s *Service) UpdateCompany(ctx context.Context, sess *Session, id int64, in CompanyInput) (Company, error) {
	err := s.writeCompany(ctx, sess, id, func(tx CompanyTx, cur Company, now time.Time) error {
		if in.AccountID.set && in.AccountID.v != cur.AccountID {
			return fail(apperr.Forbidden, msgAccountChange)
		}
		c := cur
		applyInput(&c, in)
		var errs apperr.Fields
		if err := s.check(ctx, tx, &c, &errs); err != nil {
			return err
		}
		changes := diff(&cur, &c)
		if changes == nil {
			return nil // nothing to write, nothing to audit
		}
		c.UpdatedAt = now
		if err := tx.Update(ctx, c); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, s.audit(sess, id, Updated, changes, now)); err != nil {
			return err
		}
		return s.emitStored(ctx, tx, webhook.CompanyUpdated, id, now)
	})
	if err != nil {
		return Company{}, err
	}
	return s.visibleCompany(ctx, sess, id)
}

// DeleteCompany deletes a company without children.
func (s *Service) DeleteCompany(ctx context.Context, sess *Session, id int64) error {
	return s.writeCompany(ctx, sess, id, func(tx CompanyTx, cur Company, now time.Time) error {
		children, err := tx.CountChildren(ctx, id)
		if err != nil {
			return err
		}
		if children > 0 {
			return errHasChildren()
		}
		if err := tx.Delete(ctx, id); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, s.audit(sess, id, Deleted, diff(&cur, nil), now)); err != nil {
			return err
		}
		return s.emit(ctx, tx, webhook.CompanyDeleted, cur, now)
	})
}

// writeCompany runs fn in the writing transaction of the account of the
// company id the session sees, with the company as that transaction reads
// it (cur) and the time of the change.
func (s *Service) writeCompany(ctx context.Context, sess *Session, id int64, fn func(tx CompanyTx, cur Company, now time.Time) error) error {
	old, err := s.visibleCompany(ctx, sess, id)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.store.UpdateCompanies(ctx, old.AccountID, func(tx CompanyTx) error {
		cur, err := currentCompany(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, cur, now)
	})
}

// currentCompany reads a company inside the writing transaction; one
// deleted by a concurrent request since the session saw it is not found.
func currentCompany(ctx context.Context, tx CompanyTx, id int64) (Company, error) {
	c, err := tx.Company(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return Company{}, errCompanyNotFound()
	}
	return c, err
}

func (s *Service) audit(sess *Session, companyID int64, action AuditAction, changes []byte, now time.Time) AuditEntry {
	return AuditEntry{CompanyID: companyID, UserID: sess.User.ID, UserEmail: sess.User.Email, Action: action,
		Changes: changes, At: now}
}

// applyInput copies the fields present in in onto c.
func applyInput(c *Company, in CompanyInput) {
	for _, f := range []struct {
		src opt[string]
		dst *string
	}{
		{in.Name, &c.Name}, {in.ExternalID, &c.ExternalID}, {in.UnitCode, &c.UnitCode}, {in.CNPJ, &c.CNPJ},
		{in.CorporateName, &c.CorporateName}, {in.Address, &c.Address}, {in.Number, &c.Number},
		{in.Complement, &c.Complement}, {in.District, &c.District}, {in.ZipCode, &c.ZipCode}, {in.CNAE, &c.CNAE},
		{in.ContactName, &c.ContactName}, {in.ContactTelephone, &c.ContactTelephone},
		{in.ContactCellphone, &c.ContactCellphone}, {in.ContactEmail, &c.ContactEmail},
	} {
		if f.src.set {
			*f.dst = f.src.v
		}
	}
	for _, f := range []struct {
		src opt[int64]
		dst *int64
	}{{in.ParentID, &c.ParentID}, {in.CityID, &c.CityID}, {in.StateID, &c.StateID}, {in.CodeIBGE, &c.CodeIBGE}} {
		if f.src.set {
			*f.dst = f.src.v
		}
	}
	if in.EnergyDemandsPeak.set {
		c.EnergyDemandsPeak = in.EnergyDemandsPeak.v
	}
	if in.EnergyDemandsOffPeak.set {
		c.EnergyDemandsOffPeak = in.EnergyDemandsOffPeak.v
	}
}

// check decides, inside the writing transaction, whether c may be
// written: its required fields, its places and its parent, every problem
// reported at once together with those already in errs (the account's).
// The checks are in memory plus at most two indexed reads, short enough
// for SQLite's single writer.
func (s *Service) check(ctx context.Context, tx CompanyTx, c *Company, errs *apperr.Fields) error {
	s.checkFields(c, errs)
	if err := checkParent(ctx, tx, c, errs); err != nil {
		return err
	}
	return errs.Err(apperr.Unprocessable)
}

// checkFields checks the required fields and the places.
func (s *Service) checkFields(c *Company, errs *apperr.Fields) {
	if c.Name == "" && !errs.Has("name") {
		errs.Add("name", msgRequired("name"))
	}
	state, stateOK := s.geo.StateByCode(int(c.StateID))
	checkPlace(errs, "state_id", c.StateID, stateOK)
	city, cityOK := s.geo.Municipality(int(c.CityID))
	if checkPlace(errs, "city_id", c.CityID, cityOK) && stateOK && city.UF != state.UF {
		errs.Add("city_id", "O campo city id não pertence ao estado informado.")
	}
	if c.CodeIBGE != 0 {
		if _, ok := s.geo.Municipality(int(c.CodeIBGE)); !ok {
			errs.Add("code_ibge", "O campo code ibge não é um código IBGE válido.")
		}
	}
}

// checkPlace reports a required place (state or city) that is absent or
// unknown, and whether it is known.
func checkPlace(errs *apperr.Fields, field string, id int64, known bool) bool {
	switch {
	case id == 0:
		errs.Add(field, msgRequired(field))
	case !known:
		errs.Add(field, msgInvalid(field))
	}
	return id != 0 && known
}

// checkParent holds the tree rules: a parent is a company of c's own
// account, and neither c itself nor a company below it. Whether it is
// below c is asked last, of an otherwise valid existing company (a new one
// has nothing below it).
func checkParent(ctx context.Context, tx CompanyTx, c *Company, errs *apperr.Fields) error {
	if c.ParentID == 0 || c.AccountID == 0 {
		return nil
	}
	if c.ParentID == c.ID {
		errs.Add("parent_id", msgParentCycle)
		return nil
	}
	p, err := tx.Company(ctx, c.ParentID)
	switch {
	case apperr.Is(err, apperr.NotFound) || err == nil && p.AccountID != c.AccountID:
		errs.Add("parent_id", msgNoPermission)
		return nil
	case err != nil:
		return err
	}
	if c.ID == 0 || !errs.Empty() {
		return nil
	}
	lineage, err := tx.Lineage(ctx, c.ParentID)
	if err != nil {
		return err
	}
	if slices.Contains(lineage, c.ID) {
		errs.Add("parent_id", msgParentCycle)
	}
	return nil
}

// --- audit log ---

// AuditPage is one page of the audit log.
type AuditPage struct {
	Items []AuditEntry
	Total int
	Limit int
	Page  int
}

// AuditLog lists audit entries, newest first, of one company (0: all).
// Only super admins read it.
func (s *Service) AuditLog(ctx context.Context, sess *Session, companyID int64, limit, page int) (AuditPage, error) {
	if !sess.User.SuperAdmin {
		return AuditPage{}, errForbidden()
	}
	items, total, err := s.store.AuditLog(ctx, companyID, limit, (page-1)*limit)
	if err != nil {
		return AuditPage{}, err
	}
	return AuditPage{Items: items, Total: total, Limit: limit, Page: page}, nil
}

// --- reference data ---

// States lists the states, ordered by UF.
func (s *Service) States() []geo.State { return s.geo.States() }

// City is a municipality as the API lists it.
type City struct {
	IBGECode int
	Name     string
	StateID  int // the state's IBGE code
}

// CityPage is one page of a city search.
type CityPage struct {
	Items []City
	Total int
	Limit int
	Page  int
}

// Cities finds municipalities of a state (0: any) whose name contains q,
// one page of limit at a time.
func (s *Service) Cities(stateID int64, q string, limit, page int) (CityPage, error) {
	uf := ""
	if stateID != 0 {
		st, ok := s.geo.StateByCode(int(stateID))
		if !ok || stateID > 99 {
			return CityPage{}, apperr.Field(apperr.Unprocessable, "state_id", msgInvalid("state_id"))
		}
		uf = st.UF
	}
	all := s.geo.SearchMunicipalities(uf, q, 0)
	from := min((page-1)*limit, len(all))
	found := all[from:min(from+limit, len(all))]
	items := make([]City, len(found))
	for i, m := range found {
		st, _ := s.geo.StateByUF(m.UF)
		items[i] = City{IBGECode: m.IBGECode, Name: m.Name, StateID: st.IBGECode}
	}
	return CityPage{Items: items, Total: len(all), Limit: limit, Page: page}, nil
}

// emitStored announces company id as the transaction now stores it, with
// the names its GET shows.
func (s *Service) emitStored(ctx context.Context, tx CompanyTx, typ string, id int64, at time.Time) error {
	c, err := tx.Company(ctx, id)
	if err != nil {
		return err
	}
	return s.emit(ctx, tx, typ, c, at)
}

// emit records an event of c's account carrying c as its GET answers it.
func (s *Service) emit(ctx context.Context, tx CompanyTx, typ string, c Company, at time.Time) error {
	s.fillPlace(&c)
	owner := webhook.Owner{Surface: webhook.Companies, ID: strconv.FormatInt(c.AccountID, 10)}
	ev, err := webhook.NewEvent(owner, typ, toJSON(&c), at)
	if err != nil {
		return err
	}
	return tx.Emit(ctx, ev)
}
