// Package companies is the Companies API (seed 004): accounts, users and
// their personas, bearer tokens, and the companies each account owns, with
// an audit log of every change.
package companies

import (
	"context"
	"time"

	"partnership-service/internal/logins"
	"partnership-service/internal/webhook"
)

// AccountType is what an account is: a client, or a management account
// that acts for the client accounts it manages.
type AccountType string

const (
	Client     AccountType = "cliente"
	Management AccountType = "gestao"
)

// Account owns companies and users.
type Account struct {
	ID   int64
	Name string
	Type AccountType
	// ManagerID is the management account a client account is managed by
	// (0: none).
	ManagerID int64
	CreatedAt time.Time
}

// User signs in with an e-mail and a password. A super admin belongs to no
// account (AccountID 0) and acts for every account.
type User struct {
	ID           int64
	Email        string
	PasswordHash string
	AccountID    int64
	SuperAdmin   bool
	CreatedAt    time.Time
}

// Session is who a valid token speaks for.
type Session struct {
	User User
	// Account is the user's account (zero for a super admin).
	Account Account
	// Managed lists the client accounts a management account manages.
	Managed []int64
}

// EnergyDemand is a contracted demand in force from StartDate (YYYY-MM-DD).
type EnergyDemand struct {
	ValueKW   float64
	StartDate string
}

// Company is a company of an account. Empty strings are absent values
// (the API shows them as null).
type Company struct {
	ID          int64
	AccountID   int64
	AccountName string // filled by reads
	ParentID    int64  // 0: no parent
	ParentName  string // filled by reads

	Name             string
	ExternalID       string
	UnitCode         string
	CNPJ             string // 14 characters, no mask
	CorporateName    string
	Address          string
	Number           string
	Complement       string
	District         string
	ZipCode          string // 00000-000
	CNAE             string // 7 digits
	CityID           int64  // IBGE municipality code
	StateID          int64  // IBGE state code
	CityName         string // filled by the service from the geo directory
	StateName        string // idem
	ContactName      string
	ContactTelephone string
	ContactCellphone string
	ContactEmail     string
	CodeIBGE         int64 // 0: none

	EnergyDemandsPeak    []EnergyDemand
	EnergyDemandsOffPeak []EnergyDemand

	CreatedAt time.Time
	UpdatedAt time.Time
}

// SortKey orders a company list.
type SortKey string

const (
	SortByID   SortKey = "id"
	SortByName SortKey = "name"
)

// Filter selects a page of companies. Nil AccountIDs means every account;
// an empty, non-nil slice means none.
type Filter struct {
	AccountIDs  []int64
	Query       string // folded name fragment
	QueryID     int64  // when the query is a number: id equals it (or the name matches)
	ExternalIDs []string
	ParentIDs   []int64
	Sort        SortKey
	Desc        bool
	Limit       int
	Offset      int
	// UpdatedSince, when set, keeps the companies changed after it, in the
	// order they changed (a poller's change feed); Sort is then ignored.
	UpdatedSince time.Time
}

// AuditAction is what happened to a company.
type AuditAction string

const (
	Created AuditAction = "create"
	Updated AuditAction = "update"
	Deleted AuditAction = "delete"
	Erased  AuditAction = "erase" // the contact's personal data, under LGPD
)

// AuditEntry records one change of a company, written in the same
// transaction as the change. Changes is JSON: {"field":{"from":…,"to":…}}.
type AuditEntry struct {
	ID        int64
	CompanyID int64
	UserID    int64
	UserEmail string
	Action    AuditAction
	Changes   []byte
	At        time.Time
}

// Store keeps accounts, users, tokens, companies and the audit log.
type Store interface {
	// CountStore keeps the login limiter's counts for many replicas.
	logins.CountStore

	CreateAccount(ctx context.Context, a Account) (Account, error)
	AccountByName(ctx context.Context, name string) (Account, error)
	Account(ctx context.Context, id int64) (Account, error)

	CreateUser(ctx context.Context, u User) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	// Accounts and Users list every account and every user (the
	// operator's lists), by name and by e-mail.
	Accounts(ctx context.Context) ([]Account, error)
	Users(ctx context.Context) ([]User, error)

	CreateToken(ctx context.Context, hash []byte, userID int64, createdAt, expiresAt time.Time) error
	// SessionByToken answers not found for unknown, expired and revoked
	// tokens alike.
	SessionByToken(ctx context.Context, hash []byte, now time.Time) (Session, error)
	// RevokeToken answers not found when no live token has hash.
	RevokeToken(ctx context.Context, hash []byte, now time.Time) error

	Companies(ctx context.Context, f Filter) ([]Company, int, error)
	Company(ctx context.Context, id int64) (Company, error)
	// UpdateCompanies runs fn in one write transaction over the companies
	// of account accountID, serialized with every other UpdateCompanies of
	// that account, so what fn reads through tx stays true until the
	// transaction commits. An error from fn rolls everything back and is
	// returned as is. On SQLite fn runs inside the single writer's group
	// commit: it must be short, with no network or file I/O.
	UpdateCompanies(ctx context.Context, accountID int64, fn func(tx CompanyTx) error) error
	// WriteCompanies is UpdateCompanies without the serialization, for a
	// write whose rules read no other company (a new company without a
	// parent: nothing another write does can make it wrong). The account's
	// other writes do not wait for it, nor it for them.
	WriteCompanies(ctx context.Context, fn func(tx CompanyTx) error) error

	AuditLog(ctx context.Context, companyID int64, limit, offset int) ([]AuditEntry, int, error)
}

// CompanyTx is what the service may do inside UpdateCompanies: small reads
// and writes from which it decides the tree rules. Failed reads answer
// apperr codes (not_found for a missing company).
type CompanyTx interface {
	// Company reads a company of any account.
	Company(ctx context.Context, id int64) (Company, error)
	// Lineage lists id and the ids above it, up to the root (the walk
	// stops at a repeat, so even a corrupt tree ends); empty when id names
	// no company.
	Lineage(ctx context.Context, id int64) ([]int64, error)
	// CountChildren counts the companies that name id as their parent.
	CountChildren(ctx context.Context, id int64) (int, error)
	// Insert stores a new company and returns its id.
	Insert(ctx context.Context, c Company) (int64, error)
	// Update writes every field of company c.ID but CreatedAt; not found
	// when it is gone.
	Update(ctx context.Context, c Company) error
	// Delete removes a company; not found when it is gone.
	Delete(ctx context.Context, id int64) error
	// AppendAudit records an entry of the audit log.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// CompanyAudit lists the audit entries of a company, oldest first.
	CompanyAudit(ctx context.Context, companyID int64) ([]AuditEntry, error)
	// SetAuditChanges rewrites an audit entry's changes (an erasure
	// redacts the personal values it quotes).
	SetAuditChanges(ctx context.Context, entryID int64, changes []byte) error
	Emit(ctx context.Context, ev webhook.Event) error // records ev, delivered once the transaction commits
}
