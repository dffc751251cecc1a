package energy

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"partnership-service/internal/mail"
	"strings"
	"time"

	"github.com/google/uuid"

	"partnership-service/internal/apperr"
	"partnership-service/internal/blob"
	"partnership-service/internal/geo"
	"partnership-service/internal/secretbox"
	"partnership-service/internal/webhook"
)

// PersonType says whether a customer is a person (pessoa física) or a
// company (pessoa jurídica).
type PersonType string

const (
	Natural   PersonType = "natural"
	Juridical PersonType = "juridical"
)

// LeadStatus is where a lead is in the sales journey.
type LeadStatus string

const (
	StatusIndicado       LeadStatus = "indicado"       // registered by the partner
	StatusNegociacao     LeadStatus = "negociacao"     // contract sent for signature
	StatusAssinado       LeadStatus = "assinado"       // contract signed
	StatusDesqualificado LeadStatus = "desqualificado" // out of the journey (back office)
)

// Open reports whether a lead still counts for the one-open-lead-per-customer
// rule: a signed or disqualified lead is closed.
func (s LeadStatus) Open() bool { return s == StatusIndicado || s == StatusNegociacao }

// Lead is a customer a partner's seller registered, with everything the
// journey gathered about it.
type Lead struct {
	ID         string // UUIDv7, so ids sort by creation time
	PartnerID  string
	SellerName string

	PersonType           PersonType
	FullName             string
	CompanyName          string
	PersonCPF            string // juridical leads: the contact person's CPF (UpdateLeadDTO "cpf")
	Email                string
	MobilePhone          string // 11 digits: DDD + 9 + number
	UtilityBillHolder    PersonType
	UtilityBillCents     int64
	IdentificationNumber string // CPF (11 digits) for natural, CNPJ (14 characters) for juridical
	Nationality          string
	MaritalStatus        string
	Profession           string
	InstallationNumber   string
	BirthDate            string // YYYY-MM-DD, or ""
	Address              Address

	UtilityID   string // the catalog utility serving Address.IBGECode, "" when none
	UtilityName string
	Plan        *LeadPlan

	Status        LeadStatus
	StatusDetails string
	// History holds every status change, oldest first; a write records the
	// entries appended after a load.
	History []StatusChange

	// Credentials is the sealed (encrypted and authenticated) utility login.
	Credentials []byte

	// Documents are the files received, in upload order; appended like
	// History.
	Documents []Document

	LegalRepresentatives []LegalRepresentative
	Contract             *Contract
	// Signatures are the signers' evidence, in signing order; appended
	// like History.
	Signatures []Signature

	CreatedAt time.Time
	UpdatedAt time.Time

	// Snapshot is the lead's GET answer as its write stores it beside the
	// lead (see LeadService.snapshot); nil when none is stored. Reads of
	// the lead leave it nil.
	Snapshot []byte
}

// Address is where the consumer unit is.
type Address struct {
	ZipCode      string // 8 digits
	State        string // UF
	City         string // IBGE spelling
	IBGECode     int
	Street       string
	Number       string
	Neighborhood string
	Complement   string
}

// LeadPlan is the catalog plan a lead chose, copied when chosen so that a
// later catalog change does not alter what the customer was offered.
type LeadPlan struct {
	ID             int64
	Name           string
	Discount       string // decimal fraction, as in the catalog: "0.14"
	FidelityMonths int
	Benefit        string // the benefit's description in the catalog
}

// LegalRepresentative signs for a juridical lead.
type LegalRepresentative struct {
	Name          string
	CPF           string
	Email         string
	Cellphone     string
	Nationality   string
	Profession    string
	MaritalStatus string
	Address       Address
}

// HasCredentials reports whether the utility login was stored.
func (l *Lead) HasCredentials() bool { return len(l.Credentials) > 0 }

// Document returns the lead's document of kind k.
func (l *Lead) Document(k DocumentKind) (Document, bool) {
	for _, d := range l.Documents {
		if d.Kind == k {
			return d, true
		}
	}
	return Document{}, false
}

// LeadStore keeps leads. Every method that takes a partner id only sees that
// partner's leads: another partner's lead is not found. The store decides
// nothing about leads: the LeadService runs its rules inside WriteLeads.
type LeadStore interface {
	// Lead returns a lead with its documents and history.
	Lead(ctx context.Context, partnerID, id string) (Lead, error)
	// LeadSnapshot returns the Snapshot stored with a lead (nil when none
	// is), not found when the partner has no such lead.
	LeadSnapshot(ctx context.Context, partnerID, id string) ([]byte, error)
	// ListLeads returns one page of the partner's leads, newest first, with
	// their documents (not their history), and the number matching (exact
	// up to q.TotalCap for a customer filter, see LeadTotal).
	ListLeads(ctx context.Context, partnerID string, q LeadQuery) ([]Lead, LeadTotal, error)
	// LeadTallies reads the partner's tallies (of the seller, folded, when
	// not ""): the leads per status, and per day and status for the days
	// from sinceDay (YYYY-MM-DD) on.
	LeadTallies(ctx context.Context, partnerID, seller, sinceDay string) (LeadTallies, error)
	// ExportLeads calls each with every lead of the partner q's filters
	// match (its page and limit aside), in list order, without their
	// children, streaming them from one read; an error from each stops it
	// and is returned.
	ExportLeads(ctx context.Context, partnerID string, q LeadQuery, each func(Lead) error) error
	// LeadBySignReference finds the lead whose pending or finished
	// signature request has reference ref, whatever its partner.
	LeadBySignReference(ctx context.Context, ref string) (Lead, error)
	// WriteLeads runs fn in one write transaction: an error from fn rolls
	// back everything fn did and is returned. fn may run on a shared writer
	// (SQLite's group commit), so it must stay cheap: no network or file
	// I/O inside it.
	WriteLeads(ctx context.Context, fn func(tx LeadTx) error) error
	// LeadsPastRetention lists up to limit leads, of any partner, not
	// signed, last changed before before, that still hold an uploaded file
	// or a utility login; oldest change first.
	LeadsPastRetention(ctx context.Context, before time.Time, limit int) ([]LeadRef, error)
}

// LeadRef names a lead.
type LeadRef struct{ PartnerID, ID string }

// LeadTx is what a write transaction offers on leads: small primitives both
// engines implement. The partial unique index on open leads stays under
// them as the backstop: a write it refuses fails with an error matching
// ErrOpenLeadTaken where the engine can tell (PostgreSQL, whose concurrent
// transactions can race; SQLite's single writer cannot), and with a
// conflict in any case.
type LeadTx interface {
	// Lead loads the partner's lead with its documents, history and
	// signatures, locked against concurrent writers until the end of the
	// transaction.
	Lead(partnerID, id string) (Lead, error)
	// OpenLeadWith returns the id of the partner's open lead (see
	// LeadStatus.Open) with identification number doc, other than
	// exceptID, or "" when there is none.
	OpenLeadWith(partnerID, doc, exceptID string) (string, error)
	// Insert stores a new lead's own fields (not its history, documents or
	// signatures).
	Insert(l Lead) error
	// InsertNew stores new leads with their history entries, in bulk
	// (dev seed-leads): what Insert and AppendHistory of each would.
	InsertNew(leads []Lead) error
	// Save writes the lead's own fields over the stored ones.
	Save(l Lead) error
	AppendHistory(leadID string, h StatusChange) error
	// AppendDocument records a file; a second document of one kind is a
	// conflict.
	AppendDocument(leadID string, d Document) error
	AppendSignature(leadID string, sg Signature) error
	// DeleteDocuments removes the records of every file of the lead (the
	// files themselves are the caller's, after the commit).
	DeleteDocuments(leadID string) error
	// RedactHistory replaces the details of every history entry of the
	// lead with details.
	RedactHistory(leadID, details string) error
	// AdjustCount adds delta to the number of leads in status like l: of
	// its partner, seller, day (LeadDay of its CreatedAt) and count shard
	// (CountShard of its ID), which ListLeads answers the totals of those
	// filters from. A delta of several leads is of leads alike in all four.
	AdjustCount(l Lead, status LeadStatus, delta int) error
	Emit(ev webhook.Event) error // records ev, delivered once the transaction commits
}

// CountShard is the shard of a partner's lead counts that the lead with
// id adds to and takes from: the position of the id's last character among
// the hex digits (a UUID's is random; -1 for any other). A store whose
// concurrent writers would queue on one row of counts (PostgreSQL holds an
// updated row's lock until the commit) keeps a row per shard; since every
// adjustment for one lead lands on its one shard, each row stays a count
// of leads and never goes below zero. Migration 00550 computes the same.
func CountShard(id string) int {
	if id == "" {
		return -1
	}
	return strings.IndexByte("0123456789abcdef", id[len(id)-1])
}

// ErrOpenLeadTaken marks a write the open-lead unique index refused.
var ErrOpenLeadTaken = errors.New("energy: an open lead with this identification number exists")

// PlanCatalog is what leads need from the GD catalog.
type PlanCatalog interface {
	UtilityFor(ibgeCode int) (Utility, bool)
	PlansOf(utilityPublicID string) (Utility, []Plan, bool)
}

// LeadConfig is what a LeadService is built from.
type LeadConfig struct {
	Store   LeadStore
	Catalog PlanCatalog
	Geo     *geo.Directory
	Blobs   blob.Store
	Box     *secretbox.Box
	// Signer sends contracts for signature; nil means the built-in signing
	// page (SigningPage) with SignTTL.
	Signer ESigner
	// SignTTL is how long a signing link stays valid (default 7 days).
	SignTTL time.Duration
	// MaxUploadBytes caps each uploaded file (default 10 MiB).
	MaxUploadBytes int64
	// Mail takes the signing mail sent to each signer when a contract is
	// created; nil sends none (main wires a mail.Queue over the configured
	// SMTP server or the <data-dir>/outbox directory).
	Mail mail.Enqueuer
	// PublicURL (scheme and host) makes the mailed signing links absolute.
	PublicURL string
	Log       *slog.Logger
	Now       func() time.Time // default time.Now
}

// LeadService runs the sales-conversion journey: leads, credentials,
// uploads, contracts and signing.
type LeadService struct {
	store     LeadStore
	catalog   PlanCatalog
	geo       *geo.Directory
	blobs     blob.Store
	box       *secretbox.Box
	signer    ESigner
	maxFile   int64
	mail      mail.Enqueuer
	publicURL string
	log       *slog.Logger
	now       func() time.Time
}

// DefaultMaxUploadBytes is the file size limit when none is configured.
const DefaultMaxUploadBytes = 10 << 20

// NewLeadService checks cfg and builds the service.
func NewLeadService(cfg LeadConfig) (*LeadService, error) {
	if cfg.Store == nil || cfg.Catalog == nil || cfg.Geo == nil || cfg.Blobs == nil || cfg.Box == nil {
		return nil, errors.New("energy: lead service needs a store, a catalog, the geo directory, a blob store and a secret box")
	}
	s := &LeadService{
		store:     cfg.Store,
		catalog:   cfg.Catalog,
		geo:       cfg.Geo,
		blobs:     cfg.Blobs,
		box:       cfg.Box,
		signer:    cfg.Signer,
		maxFile:   cfg.MaxUploadBytes,
		mail:      cfg.Mail,
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/"),
		log:       cfg.Log,
		now:       cfg.Now,
	}
	if s.maxFile <= 0 {
		s.maxFile = DefaultMaxUploadBytes
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.signer == nil {
		s.signer = SigningPage{TTL: cfg.SignTTL, Now: s.now}
	}
	return s, nil
}

// clock is the current time as stores keep it: UTC, whole microseconds.
func (s *LeadService) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Create registers a new lead for the caller's partner and seller, in status
// indicado. The seller is the API key's; a key issued without one records
// the partner's name.
func (s *LeadService) Create(ctx context.Context, p Principal, d LeadDraft) (Lead, error) {
	now := s.clock()
	l := Lead{
		ID:         newLeadID(),
		PartnerID:  p.PartnerID,
		SellerName: cmp.Or(p.SellerName, p.PartnerName),
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if err := s.apply(&l, d, true); err != nil {
		return Lead{}, err
	}
	l.moveTo(StatusIndicado, "Lead cadastrado pelo parceiro.", now)
	if err := s.createLead(ctx, &l); err != nil {
		return Lead{}, err
	}
	return l, nil
}

// Get returns one of the caller's leads.
func (s *LeadService) Get(ctx context.Context, p Principal, id string) (Lead, error) {
	if err := checkLeadID(id); err != nil {
		return Lead{}, err
	}
	l, err := s.store.Lead(ctx, p.PartnerID, id)
	if err == nil && !p.sees(l) {
		err = apperr.New(apperr.NotFound, "not the caller's seller")
	}
	return l, leadNotFound(err)
}

// Answer returns the lead's GET answer: the snapshot its last write stored
// with it, or, where none is stored, the lead read and encoded.
func (s *LeadService) Answer(ctx context.Context, p Principal, id string) ([]byte, error) {
	if err := checkLeadID(id); err != nil {
		return nil, err
	}
	if !p.SellerOnly {
		// A seller-only caller needs the lead's seller: it reads the lead.
		b, err := s.store.LeadSnapshot(ctx, p.PartnerID, id)
		if err != nil || b != nil {
			return b, leadNotFound(err)
		}
	}
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(s.leadBody(s.publicURL, l))
}

// sees reports whether the caller may see l, one of its partner's leads.
func (p Principal) sees(l Lead) bool {
	return !p.SellerOnly || geo.Fold(l.SellerName) == geo.Fold(p.SellerName)
}

// scope limits q to the leads the caller sees. It reports false when
// q asks for another seller than a seller-only caller's own: nothing
// matches.
func (p Principal) scope(q *LeadQuery) bool {
	if !p.SellerOnly {
		return true
	}
	own := geo.Fold(p.SellerName)
	if q.SellerName != "" && q.SellerName != own {
		return false
	}
	q.SellerName = own
	return true
}

// List returns a page of the caller's leads and how many match in all.
func (s *LeadService) List(ctx context.Context, p Principal, q LeadQuery) ([]Lead, LeadTotal, error) {
	if !p.scope(&q) {
		return []Lead{}, LeadTotal{}, nil
	}
	return s.store.ListLeads(ctx, p.PartnerID, q)
}

// Update changes the fields present in d. The result must pass the same
// rules as a new lead. A signed lead cannot change (409); changing a lead
// whose contract awaits signature cancels that contract, so that what the
// customer signs always matches the lead.
func (s *LeadService) Update(ctx context.Context, p Principal, id string, d LeadDraft) (Lead, error) {
	if err := checkLeadID(id); err != nil {
		return Lead{}, err
	}
	var cancelled *Contract
	l, err := s.updateLead(ctx, p, id, func(l *Lead) error {
		cancelled = nil
		if err := l.checkChangeable(); err != nil {
			return err
		}
		if err := s.apply(l, d, false); err != nil {
			return err
		}
		now := s.clock()
		l.UpdatedAt = now
		if l.Status == StatusNegociacao {
			cancelled, l.Contract = l.Contract, nil
			l.moveTo(StatusIndicado, "Dados do lead alterados; o contrato enviado foi cancelado.", now)
		}
		return nil
	})
	if err != nil {
		return Lead{}, leadNotFound(err)
	}
	if cancelled != nil {
		s.deleteBlobs(ctx, cancelled.Key)
	}
	return l, nil
}

// changeableLead loads one of the caller's leads that may still change,
// for the journey steps that prepare outside the write (files, the
// contract) and check again inside it.
func (s *LeadService) changeableLead(ctx context.Context, p Principal, id string) (Lead, error) {
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return Lead{}, err
	}
	return l, l.checkChangeable()
}

// checkChangeable refuses changes to a lead that left the journey.
func (l *Lead) checkChangeable() error {
	switch l.Status {
	case StatusAssinado:
		return apperr.New(apperr.Conflict, "O lead já assinou o contrato e não pode ser alterado.")
	case StatusDesqualificado:
		return apperr.New(apperr.Conflict, "O lead foi desqualificado e não pode ser alterado.")
	}
	return nil
}

// moveTo changes the status and records why in the history.
func (l *Lead) moveTo(status LeadStatus, details string, at time.Time) {
	l.Status = status
	l.StatusDetails = details
	l.History = append(l.History, StatusChange{Status: status, Details: details, At: at})
}

// StatusChange is one entry of a lead's status history.
type StatusChange struct {
	Status  LeadStatus
	Details string
	At      time.Time
}

// newLeadID returns a UUIDv7: ids of leads created later sort later, which
// keeps the primary-key index append-only.
func newLeadID() string {
	// NewV7 fails only when crypto/rand does, which it documents as never.
	return uuid.Must(uuid.NewV7()).String()
}

func checkLeadID(id string) error {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return apperr.Field(apperr.Invalid, "id", "id deve ser um UUID")
	}
	return nil
}

func leadNotFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, "Lead não encontrado.")
	}
	return err
}
