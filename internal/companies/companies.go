// Package companies is the Companies API (seed 004): accounts, users and
// their personas, bearer tokens, and the companies each account owns, with
// an audit log of every change.
package companies

import (
	"context"
	"encoding/json"
	"time"
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
}

// AuditAction is what happened to a company.
type AuditAction string

const (
	Created AuditAction = "create"
	Updated AuditAction = "update"
	Deleted AuditAction = "delete"
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
	CreateAccount(ctx context.Context, a Account) (Account, error)
	AccountByName(ctx context.Context, name string) (Account, error)
	Account(ctx context.Context, id int64) (Account, error)

	CreateUser(ctx context.Context, u User) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)

	CreateToken(ctx context.Context, hash []byte, userID int64, createdAt, expiresAt time.Time) error
	// SessionByToken answers not found for unknown, expired and revoked
	// tokens alike.
	SessionByToken(ctx context.Context, hash []byte, now time.Time) (Session, error)
	// RevokeToken answers not found when no live token has hash.
	RevokeToken(ctx context.Context, hash []byte, now time.Time) error

	Companies(ctx context.Context, f Filter) ([]Company, int, error)
	Company(ctx context.Context, id int64) (Company, error)
	// CreateCompany stores c and its audit entry (whose CompanyID it sets)
	// in one transaction. Create and update check the parent in the writing
	// transaction, serialized with every other change of the account's
	// tree: a parent that is no company of c's account answers
	// ParentOutsideAccount(), one that is c or a descendant of c
	// ParentCycle().
	CreateCompany(ctx context.Context, c Company, audit AuditEntry) (Company, error)
	UpdateCompany(ctx context.Context, c Company, audit AuditEntry) error
	// DeleteCompany answers HasChildren() when other companies name it as
	// their parent, checked in the deleting transaction.
	DeleteCompany(ctx context.Context, id int64, audit AuditEntry) error

	AuditLog(ctx context.Context, companyID int64, limit, offset int) ([]AuditEntry, int, error)
}

type demandRecord struct {
	ValueKW   float64 `json:"value_kw"`
	StartDate string  `json:"start_date"`
}

// EncodeDemands is how stores keep a demand list: a JSON array of
// {value_kw, start_date}.
func EncodeDemands(ds []EnergyDemand) string {
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
func DecodeDemands(s string) ([]EnergyDemand, error) {
	var recs []demandRecord
	if err := json.Unmarshal([]byte(s), &recs); err != nil {
		return nil, err
	}
	out := make([]EnergyDemand, len(recs))
	for i, r := range recs {
		out[i] = EnergyDemand(r)
	}
	return out, nil
}
