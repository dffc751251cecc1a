package energy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"partnership-service/internal/apperr"
	"partnership-service/internal/changes"
	"partnership-service/internal/textnorm"
)

// Partner is a company whose sellers send leads.
type Partner struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// APIKey is a partner's credential; only its hash is stored.
type APIKey struct {
	ID         string
	PartnerID  string
	Prefix     string // shown in lists and used to revoke
	Hash       string // hex SHA-256 of the whole key
	SellerName string
	Admin      bool
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

// PartnerStore persists partners and keys.
type PartnerStore interface {
	CreatePartner(ctx context.Context, p Partner) error // conflict when the name exists
	PartnerByName(ctx context.Context, name string) (Partner, error)
	PartnerByID(ctx context.Context, id string) (Partner, error)
	// Keys lists the partner's keys, revoked ones too, newest first.
	Keys(ctx context.Context, partnerID string) ([]APIKey, error)
	CreateKey(ctx context.Context, k APIKey) error
	// KeyByHash returns the key and its partner; revoked keys are returned too.
	KeyByHash(ctx context.Context, hash string) (APIKey, Partner, error)
	// RevokeKey revokes the key with prefix; not_found when none is active.
	RevokeKey(ctx context.Context, prefix string, at time.Time) error
	// Partners lists every partner, by name.
	Partners(ctx context.Context) ([]Partner, error)
}

// PartnerService manages partners and authenticates their API keys.
type PartnerService struct {
	store PartnerStore
	now   func() time.Time
	// cacheTTL bounds how long another process's revocation may take to
	// show; this process's own revocations apply at once.
	cacheTTL time.Duration

	// cache is read by every partner request, from every core: sync.Map
	// takes no lock to read.
	cache  sync.Map // key → cachedPrincipal
	cached atomic.Int64
	// bus and log are set by ShareChanges; nil bus: one process.
	bus changes.Bus
	log *slog.Logger
}

type cachedPrincipal struct {
	principal Principal
	ok        bool
	until     time.Time
}

// PartnerKeyCacheTTL is how long an authentication answer is reused: the
// bound on how late another replica sees a revocation (issue 10 #9). A miss
// costs one indexed SELECT, so the bound is kept short.
const PartnerKeyCacheTTL = 2 * time.Second

// NewPartnerService returns the service; now is the clock.
func NewPartnerService(store PartnerStore, now func() time.Time) *PartnerService {
	return &PartnerService{store: store, now: now, cacheTTL: PartnerKeyCacheTTL}
}

// CreatePartner registers a partner.
func (s *PartnerService) CreatePartner(ctx context.Context, name string) (Partner, error) {
	name, ok := textnorm.Line(name)
	if !ok {
		return Partner{}, apperr.Field(apperr.Invalid, "name", "o nome do parceiro "+textnorm.Message)
	}
	if name == "" || len(name) > 200 {
		return Partner{}, apperr.Field(apperr.Invalid, "name", "o nome do parceiro deve ter de 1 a 200 caracteres")
	}
	p := Partner{ID: uuid.NewString(), Name: name, CreatedAt: s.now().UTC()}
	if err := s.store.CreatePartner(ctx, p); apperr.Is(err, apperr.Conflict) {
		return Partner{}, apperr.Field(apperr.Conflict, "name", "já existe um parceiro com esse nome")
	} else if err != nil {
		return Partner{}, err
	}
	return p, nil
}

// PartnerByName finds a partner.
func (s *PartnerService) PartnerByName(ctx context.Context, name string) (Partner, error) {
	return s.store.PartnerByName(ctx, strings.TrimSpace(name))
}

// PartnerByID finds a partner by its id.
func (s *PartnerService) PartnerByID(ctx context.Context, id string) (Partner, error) {
	p, err := s.store.PartnerByID(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return Partner{}, apperr.New(apperr.NotFound, "Parceiro não encontrado.")
	}
	return p, err
}

// Keys lists the partner's API keys (their prefixes, sellers and dates;
// a key itself is never kept), newest first.
func (s *PartnerService) Keys(ctx context.Context, partnerID string) ([]APIKey, error) {
	return s.store.Keys(ctx, partnerID)
}

// RevokePartnerKey revokes the partner's key with prefix; another
// partner's key is not found.
func (s *PartnerService) RevokePartnerKey(ctx context.Context, partnerID, prefix string) error {
	keys, err := s.store.Keys(ctx, partnerID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.Prefix == prefix && k.RevokedAt == nil {
			return s.RevokeKey(ctx, prefix)
		}
	}
	return apperr.New(apperr.NotFound, "Chave não encontrada.")
}

// keyEncoding keeps keys copy-paste safe: letters and digits only.
var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// CreateKey issues a key for a partner and returns it in clear: the only
// time it is ever visible. Format: "pk_<prefix>_<secret>".
func (s *PartnerService) CreateKey(ctx context.Context, partnerName, seller string, admin bool) (string, APIKey, error) {
	seller, ok := textnorm.Line(seller)
	if !ok {
		return "", APIKey{}, apperr.Field(apperr.Invalid, "seller", "o nome do vendedor "+textnorm.Message)
	}
	p, err := s.PartnerByName(ctx, partnerName)
	if err != nil {
		return "", APIKey{}, err
	}
	var prefix [5]byte
	var secret [32]byte
	_, _ = rand.Read(prefix[:])
	_, _ = rand.Read(secret[:])
	pre := strings.ToLower(keyEncoding.EncodeToString(prefix[:]))
	key := "pk_" + pre + "_" + strings.ToLower(keyEncoding.EncodeToString(secret[:]))
	k := APIKey{
		ID: uuid.NewString(), PartnerID: p.ID, Prefix: pre, Hash: hashKey(key),
		SellerName: seller, Admin: admin, CreatedAt: s.now().UTC(),
	}
	if err := s.store.CreateKey(ctx, k); err != nil {
		return "", APIKey{}, err
	}
	return key, k, nil
}

// RevokeKey revokes the key with the given prefix ("pk_xxxxxxxx" or the
// bare prefix).
func (s *PartnerService) RevokeKey(ctx context.Context, prefix string) error {
	prefix = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(prefix)), "pk_")
	prefix, _, _ = strings.Cut(prefix, "_")
	if prefix == "" {
		return apperr.New(apperr.Invalid, "informe o prefixo da chave")
	}
	if err := s.store.RevokeKey(ctx, prefix, s.now().UTC()); err != nil {
		return err
	}
	s.forget()
	if s.bus != nil {
		if err := s.bus.Publish(ctx, changes.EnergyKeys, ""); err != nil {
			s.log.Warn("partner keys: publish revocation", "err", err)
		}
	}
	return nil
}

// Partners lists every partner, by name.
func (s *PartnerService) Partners(ctx context.Context) ([]Partner, error) {
	return s.store.Partners(ctx)
}

func (s *PartnerService) forget() {
	s.cache.Clear()
	s.cached.Store(0)
}

// ShareChanges publishes this service's revocations on bus and drops the
// cached answers on every notice there, so a key revoked on one replica
// (or by the CLI) is refused by all within moments rather than after
// PartnerKeyCacheTTL. Call it before serving.
func (s *PartnerService) ShareChanges(bus changes.Bus, log *slog.Logger) {
	s.bus, s.log = bus, log
	bus.Subscribe(changes.EnergyKeys, func(context.Context, string) { s.forget() })
}

var errUnauthorized = apperr.New(apperr.Unauthorized, "Unauthorized")

// Authenticate checks an Authorization header ("Bearer <key>"). Answers are
// cached for a short while so the hot catalog paths do not hit the database.
func (s *PartnerService) Authenticate(ctx context.Context, authorization string) (Principal, error) {
	scheme, key, ok := strings.Cut(authorization, " ")
	key = strings.TrimSpace(key)
	if !ok || !strings.EqualFold(scheme, "Bearer") || !wellFormedKey(key) {
		// Refused before the cache and the database: random strings
		// cannot fill the one or load the other.
		return Principal{}, errUnauthorized
	}
	// The cache is keyed by the key itself: the process holds it for the
	// request anyway, and a hit then costs no hashing.
	now := s.now()
	if v, hit := s.cache.Load(key); hit {
		if c := v.(cachedPrincipal); now.Before(c.until) {
			if !c.ok {
				return Principal{}, errUnauthorized
			}
			return c.principal, nil
		}
	}
	k, p, err := s.store.KeyByHash(ctx, hashKey(key))
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.remember(key, cachedPrincipal{until: now.Add(s.cacheTTL)})
		return Principal{}, errUnauthorized
	case err != nil:
		return Principal{}, err
	case k.RevokedAt != nil:
		s.remember(key, cachedPrincipal{until: now.Add(s.cacheTTL)})
		return Principal{}, errUnauthorized
	}
	pr := Principal{PartnerID: p.ID, PartnerName: p.Name, SellerName: k.SellerName, KeyID: k.ID, Admin: k.Admin}
	s.remember(key, cachedPrincipal{principal: pr, ok: true, until: now.Add(s.cacheTTL)})
	return pr, nil
}

// maxCachedKeys bounds the cache against a flood of random keys.
const maxCachedKeys = 10_000

func (s *PartnerService) remember(key string, c cachedPrincipal) {
	if _, existed := s.cache.Swap(key, c); !existed && s.cached.Add(1) > maxCachedKeys {
		s.forget()
	}
}

// wellFormedKey says whether key has the shape CreateKey issues:
// "pk_", 8 prefix characters, "_", 52 secret characters, base32 in lower case.
func wellFormedKey(key string) bool {
	const prefixEnd, length = len("pk_") + 8, len("pk_") + 8 + 1 + 52
	if len(key) != length || key[:3] != "pk_" || key[prefixEnd] != '_' {
		return false
	}
	for i := 3; i < length; i++ {
		if c := key[i]; i != prefixEnd && !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
