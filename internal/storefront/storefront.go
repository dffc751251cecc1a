// Package storefront is the ISP storefront: internet providers (tenants,
// chosen by the request's Origin) publish their branding, categories, plans,
// payment methods, services, coupons, due days and coverage areas; visitors
// check coverage and subscribe, and upload their documents. Providers manage
// all of it, and read their subscriptions, through a token-authenticated
// admin API.
//
// The package holds the types, the Store interface the adapters implement,
// the Service with the business rules, and the HTTP handlers.
package storefront

import (
	"context"
	"strings"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/webhook"
)

// Branding is how a provider's storefront looks. Empty means unset.
type Branding struct {
	PlansBackgroundColor string
	IntroFontColor       string
	FooterColor          string
	FooterFontColor      string
	NavbarColor          string
	Wallpaper            string
	Logo                 string
}

// Provider is a tenant: an internet provider with its own storefront.
type Provider struct {
	ID   int64
	Name string
	// Slug names the provider's storefront pages (/loja/{slug}); "" when
	// it has none.
	Slug     string
	Branding Branding
	// DueDays are the days of the month a customer may pick for the bill,
	// ascending. Empty means any day from 1 to 31.
	DueDays   []int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Token is a provider admin token as it is kept: its hash, never the
// token.
type Token struct {
	Hash                            []byte
	CreatedAt, ExpiresAt, RevokedAt time.Time
}

// Origin is a web origin registered for a provider, normalized (see
// NormalizeOrigin).
type Origin struct {
	ID  int64
	URL string
}

// ItemKind names the three small lists a provider keeps: categories, payment
// methods and services share one shape.
type ItemKind int

const (
	Categories ItemKind = iota
	PaymentMethods
	Services
)

// Item is a category, a payment method or a service.
type Item struct {
	ID        int64
	Name      string
	SortOrder *int
}

// Plan is an internet plan. Free-text fields are "" when unset.
type Plan struct {
	ID                          int64
	Name                        string
	SortOrder                   *int
	MonthlyPriceCents           int64
	InstallationFeeUpfront      string // free text, as the seed shows ("100")
	InstallationFeeInstallments string // free text ("2x R$ 60,00")
	UploadSpeed                 int
	DownloadSpeed               int
	PriceNote                   string
	DetailLine1                 string
	DetailLine2                 string
	DetailLine3                 string
	PrimaryColor                string
	SecondaryColor              string
	Title                       string
	HTML                        string
	CategoryIDs                 []int64
	PaymentMethodIDs            []int64
	ServiceIDs                  []int64
}

// Coupon is a discount a visitor names when subscribing.
type Coupon struct {
	ID          int64
	Name        string
	Description string
	// PlanIDs are the plans it applies to; empty means every plan.
	PlanIDs []int64
	// ValidFrom and ValidUntil bound when it may be used; zero means open.
	ValidFrom  time.Time
	ValidUntil time.Time
	// MaxRedemptions caps how many subscriptions may use it; nil: no cap.
	MaxRedemptions *int
	Redemptions    int
}

// CoverageArea is where a provider serves: a polygon area or a CEP range.
type CoverageArea struct {
	ID int64
	// PlanID limits the area to one plan; 0 means every plan.
	PlanID int64
	Name   string
	// Exactly one of Geometry and the CEP range is set.
	Geometry *Geometry
	CEPStart int // 8-digit CEP as an integer (01310100 is 1310100)
	CEPEnd   int
}

// Catalog is everything about a provider that changes only through the
// admin API: the storefront serves it from memory.
type Catalog struct {
	Provider       Provider
	Origins        []Origin
	Categories     []Item
	PaymentMethods []Item
	Services       []Item
	Plans          []Plan
	Coverage       []CoverageArea
}

// FileKind is one of the documents a subscription may carry.
type FileKind string

const (
	ProofOfResidence FileKind = "comprovante_res"
	IdentityDocument FileKind = "comprovante_rg"
	Selfie           FileKind = "selfie"
)

// FileKinds lists the documents in the order the API shows them.
var FileKinds = []FileKind{ProofOfResidence, IdentityDocument, Selfie}

// SubscriptionFile is a document stored for a subscription.
type SubscriptionFile struct {
	Kind       FileKind
	FileName   string
	Object     blob.Object
	UploadedAt time.Time
}

// Subscription is a visitor's (pre-)subscription. Text fields are "" when
// unset; ids are 0 when unset.
type Subscription struct {
	ID              string // UUID
	ProviderID      int64
	PlanID          int64
	CouponID        int64
	PaymentMethodID int64
	ColdLead        bool
	Coverage        bool
	Name            string // nome_razao_social
	Email           string
	MobilePhone     string    // as typed, in one of the accepted masks
	Document        string    // CPF or CNPJ, normalized (digits; CNPJ upper case)
	IDDocument      string    // rg_ie
	BirthDate       time.Time // a date: midnight UTC
	DueDay          int
	// UpfrontInstallation is nil when the visitor did not say.
	UpfrontInstallation *bool
	InstallationFee     string
	Street              string
	Number              string
	Complement          string
	District            string
	City                string
	CEP                 string // 8 digits
	CurrentProvider     string // "provedor": the visitor's current provider
	Location            *Point
	Files               []SubscriptionFile
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Page selects a slice of a list, newest first; with UpdatedSince, of the
// records changed after it, in the order they changed (a poller's change
// feed).
type Page struct {
	Limit        int
	Offset       int
	UpdatedSince time.Time
	// Status, when set, selects the subscriptions of that status only.
	Status SubscriptionStatus
}

// SubscriptionStatus is where a subscription stands (Subscription.Status).
type SubscriptionStatus string

const (
	// StatusColdLead: no coverage at the visitor's address; a name and a
	// phone to call back.
	StatusColdLead SubscriptionStatus = "sem_cobertura"
	// StatusAwaitingDocuments: covered, with fewer than the documents of
	// FileKinds.
	StatusAwaitingDocuments SubscriptionStatus = "aguardando_documentos"
	// StatusComplete: covered, with every document.
	StatusComplete SubscriptionStatus = "completa"
)

// SubscriptionStatuses lists the statuses in the order a sign-up passes
// them.
var SubscriptionStatuses = []SubscriptionStatus{StatusColdLead, StatusAwaitingDocuments, StatusComplete}

// Status is where s stands; s must carry its files (Service.Subscription).
// A store's Page.Status filter selects by the same rule.
func (s Subscription) Status() SubscriptionStatus {
	switch {
	case s.ColdLead:
		return StatusColdLead
	case len(s.Files) < len(FileKinds):
		return StatusAwaitingDocuments
	}
	return StatusComplete
}

// Store keeps the storefront's data. Every method is scoped to one provider:
// an id of another provider's record is not found. Errors are *apperr.Error:
// NotFound, Conflict (duplicates, records in use), Unprocessable (coupon
// used up), Invalid (a reference to a record that does not exist).
type Store interface {
	// CreateProvider stores p's name and slug with its first origin.
	CreateProvider(ctx context.Context, p Provider, origin string, now time.Time) (Provider, error)
	// UpdateProvider saves name, slug, branding and due days.
	UpdateProvider(ctx context.Context, p Provider, now time.Time) error
	ProviderIDByOrigin(ctx context.Context, origin string) (int64, error)
	ProviderIDBySlug(ctx context.Context, slug string) (int64, error)
	AddOrigin(ctx context.Context, providerID int64, origin string) (Origin, error)
	DeleteOrigin(ctx context.Context, providerID, originID int64) error
	// CreateToken stores an admin token's hash, valid until expiresAt.
	CreateToken(ctx context.Context, providerID int64, hash []byte, now, expiresAt time.Time) error
	// ProviderIDByToken answers not found for unknown, expired and revoked
	// tokens alike.
	ProviderIDByToken(ctx context.Context, hash []byte, now time.Time) (int64, error)
	// RevokeToken answers not found when no live token has hash.
	RevokeToken(ctx context.Context, hash []byte, now time.Time) error
	// Providers lists every provider (name, slug, times), by name.
	Providers(ctx context.Context) ([]Provider, error)
	// Tokens lists a provider's admin tokens (their hashes), newest first.
	Tokens(ctx context.Context, providerID int64) ([]Token, error)

	// Catalog loads what the storefront serves from memory.
	Catalog(ctx context.Context, providerID int64) (Catalog, error)

	// The Save methods create a record when its ID is 0 and otherwise
	// replace the provider's record of that ID; they return it as saved.

	SaveItem(ctx context.Context, kind ItemKind, providerID int64, it Item) (Item, error)
	DeleteItem(ctx context.Context, kind ItemKind, providerID, id int64) error

	// SavePlan saves the plan with its categories, payment methods and
	// services.
	SavePlan(ctx context.Context, providerID int64, p Plan) (Plan, error)
	DeletePlan(ctx context.Context, providerID, id int64) error

	Coupons(ctx context.Context, providerID int64) ([]Coupon, error)
	Coupon(ctx context.Context, providerID, id int64) (Coupon, error)
	// CouponByName finds a coupon by name without regard to case.
	CouponByName(ctx context.Context, providerID int64, name string) (Coupon, error)
	// SaveCoupon saves everything but the redemption count.
	SaveCoupon(ctx context.Context, providerID int64, c Coupon) (Coupon, error)
	DeleteCoupon(ctx context.Context, providerID, id int64) error

	SaveCoverageArea(ctx context.Context, providerID int64, a CoverageArea) (CoverageArea, error)
	DeleteCoverageArea(ctx context.Context, providerID, id int64) error

	// CreateSubscription runs write in one transaction over the provider's
	// subscriptions: everything write did commits together, or nothing does
	// when it returns an error (which is returned as it is).
	CreateSubscription(ctx context.Context, providerID int64, write func(tx SubscriptionTx) error) error
	// UpdateSubscription loads subscription id (without its files), locked
	// against concurrent writes, and runs write with it in the same
	// transaction, as CreateSubscription does.
	UpdateSubscription(ctx context.Context, providerID int64, id string, write func(tx SubscriptionTx, stored Subscription) error) error
	// Subscription returns one subscription with its files.
	Subscription(ctx context.Context, providerID int64, id string) (Subscription, error)
	// Subscriptions lists newest first (without files) with the total count;
	// page.Status selects by Subscription.Status's rule.
	Subscriptions(ctx context.Context, providerID int64, page Page) ([]Subscription, int, error)
	// EachSubscription calls fn for every subscription, oldest first,
	// without loading them all at once.
	EachSubscription(ctx context.Context, providerID int64, fn func(Subscription) error) error
	// PutSubscriptionFiles records files, replacing those of the same kind,
	// and ev in the same transaction, and returns the replaced ones so
	// their blobs can be deleted.
	PutSubscriptionFiles(ctx context.Context, providerID int64, subscriptionID string, files []SubscriptionFile, ev webhook.Event) (replaced []SubscriptionFile, err error)
	// Erasures lists a subscription's erasures, oldest first.
	Erasures(ctx context.Context, providerID int64, subscriptionID string) ([]Erasure, error)
}

// Erasure records one erasure of a data subject's personal data (LGPD):
// who asked, when, and which fields went.
type Erasure struct {
	At     time.Time
	By     string
	Fields []string
}

// SubscriptionTx is what a subscription write may do inside the store's
// transaction, scoped to the provider of the write: the rules (which coupon
// to redeem or release, when a redemption fails the write) are the
// Service's.
type SubscriptionTx interface {
	// Insert stores a new subscription (not its files).
	Insert(sub Subscription) error
	// Save stores sub's fields (not its files, nor its creation time) over
	// the stored subscription with sub's id.
	Save(sub Subscription) error
	// RedeemCoupon counts one use of a coupon, unless it is at its limit
	// (or not the provider's): taken reports whether it counted. The
	// condition is checked by the UPDATE itself, so concurrent redemptions
	// never pass the limit.
	RedeemCoupon(couponID int64) (taken bool, err error)
	// ReleaseCoupon gives one use of a coupon back.
	ReleaseCoupon(couponID int64) error
	// DeleteFiles removes the records of every file of the subscription
	// and returns them, so their blobs can be deleted after the commit.
	DeleteFiles(subscriptionID string) ([]SubscriptionFile, error)
	// RecordErasure keeps the record of an erasure of the subscription.
	RecordErasure(subscriptionID string, e Erasure) error
	Emit(ev webhook.Event) error // records ev, delivered once the transaction commits
}

// CouponKey is the form coupon names are compared in: trimmed and
// lower-cased, so "Promo10" and "PROMO10 " are the same coupon.
func CouponKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
