package storefront

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"partnership-service/internal/apperr"
	"partnership-service/internal/blob"
	"partnership-service/internal/changes"
	"partnership-service/internal/textnorm"
)

// tokenPrefix marks storefront admin tokens, so a leaked one is
// recognizable in logs and secret scanners.
const tokenPrefix = "sfa_"

const maxLongText = 10_000

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreateProvider registers a provider with its first origin and, unless
// slug is "", the slug of its storefront pages.
func (s *Service) CreateProvider(ctx context.Context, name, origin, slug string) (Provider, error) {
	var errs apperr.Fields
	p := Provider{Name: strings.TrimSpace(name), Slug: strings.TrimSpace(slug)}
	checkText(&errs, "nome", p.Name, true, maxTextLen)
	norm, ok := NormalizeOrigin(origin)
	if !ok {
		errs.Add("origin", msgOrigin)
	}
	checkSlug(&errs, p.Slug)
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return Provider{}, err
	}
	created, err := s.store.CreateProvider(ctx, p, norm, s.now())
	if apperr.Is(err, apperr.Conflict) {
		if s.slugTaken(ctx, p.Slug, 0) {
			return Provider{}, apperr.Field(apperr.Conflict, "slug", msgTaken)
		}
		return Provider{}, apperr.Field(apperr.Conflict, "origin", msgTaken)
	}
	return created, err
}

// slugPattern is what a slug looks like: it is a path segment people type
// and read, so lower-case letters, digits and inner hyphens only.
var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

const msgSlug = "deve ter até 63 letras minúsculas, números ou hífens, sem hífen no início ou no fim"

func checkSlug(errs *apperr.Fields, slug string) {
	if slug != "" && !slugPattern.MatchString(slug) {
		errs.Add("slug", msgSlug)
	}
}

// slugTaken tells, after a unique violation, whether it was the slug's:
// whether a provider other than self holds slug.
func (s *Service) slugTaken(ctx context.Context, slug string, self int64) bool {
	if slug == "" {
		return false
	}
	id, err := s.store.ProviderIDBySlug(ctx, slug)
	return err == nil && id != self
}

// DefaultTokenTTL is how long an admin token lasts unless told otherwise.
const DefaultTokenTTL = 90 * 24 * time.Hour

// IssueToken creates a new admin token for the provider registered at
// origin, valid for ttl. The token is returned once; only its hash is kept.
func (s *Service) IssueToken(ctx context.Context, origin string, ttl time.Duration) (string, error) {
	norm, ok := NormalizeOrigin(origin)
	if !ok {
		return "", apperr.Field(apperr.Unprocessable, "origin", msgOrigin)
	}
	id, err := s.store.ProviderIDByOrigin(ctx, norm)
	if apperr.Is(err, apperr.NotFound) {
		return "", errUnknownOrigin()
	}
	if err != nil {
		return "", err
	}
	return s.IssueProviderToken(ctx, id, ttl)
}

// IssueProviderToken creates a new admin token for provider id, valid for
// ttl; like IssueToken, the token is returned once.
func (s *Service) IssueProviderToken(ctx context.Context, id int64, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", apperr.Field(apperr.Unprocessable, "ttl", "a validade do token deve ser positiva")
	}
	var b [32]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		return "", apperr.Wrap(apperr.Internal, err, "generate token")
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	if err := s.store.CreateToken(ctx, id, hashToken(token), now, now.Add(ttl)); err != nil {
		return "", err
	}
	return token, nil
}

// CatalogByOrigin returns the catalog of the provider registered at
// origin, and the origin in the form it was registered in.
func (s *Service) CatalogByOrigin(ctx context.Context, origin string) (*Catalog, string, error) {
	t, registered, err := s.tenants.byOriginHeader(ctx, origin)
	if err != nil {
		return nil, "", err
	}
	return &t.Catalog, registered, nil
}

// CatalogBySlug returns the catalog of the provider whose storefront pages
// are at /loja/{slug}.
func (s *Service) CatalogBySlug(ctx context.Context, slug string) (*Catalog, error) {
	t, err := s.tenants.bySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	return &t.Catalog, nil
}

// CatalogByHost returns the catalog of the provider that registered an
// origin on host (a request's Host: name and port), https tried before
// http: a provider's own domain pointed at the service.
func (s *Service) CatalogByHost(ctx context.Context, host string) (*Catalog, error) {
	if host == "" || strings.ContainsAny(host, "/?#@") {
		return nil, errUnknownOrigin()
	}
	c, _, err := s.CatalogByOrigin(ctx, "https://"+host)
	if apperr.Is(err, apperr.NotFound) {
		c, _, err = s.CatalogByOrigin(ctx, "http://"+host)
	}
	return c, err
}

// Authenticate returns the provider an admin token belongs to.
func (s *Service) Authenticate(ctx context.Context, token string) (int64, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return 0, errBadToken()
	}
	id, err := s.store.ProviderIDByToken(ctx, hashToken(token), s.now())
	if apperr.Is(err, apperr.NotFound) {
		return 0, errBadToken()
	}
	return id, err
}

// RevokeToken ends an admin token at once: the next request with it is
// refused.
func (s *Service) RevokeToken(ctx context.Context, token string) error {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return errBadToken()
	}
	err := s.store.RevokeToken(ctx, hashToken(token), s.now())
	if apperr.Is(err, apperr.NotFound) {
		return errBadToken()
	}
	return err
}

// Providers lists every provider, by name.
func (s *Service) Providers(ctx context.Context) ([]Provider, error) {
	return s.store.Providers(ctx)
}

// Tokens lists the provider's admin tokens, newest first.
func (s *Service) Tokens(ctx context.Context, providerID int64) ([]Token, error) {
	return s.store.Tokens(ctx, providerID)
}

// TokenID names a token in lists and forms: the hex of its hash's first
// bytes, which reveals nothing of the token.
func TokenID(t Token) string { return hex.EncodeToString(t.Hash[:8]) }

// RevokeProviderToken ends, at once, the provider's live token that
// TokenID names.
func (s *Service) RevokeProviderToken(ctx context.Context, providerID int64, id string) error {
	tokens, err := s.store.Tokens(ctx, providerID)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if TokenID(t) == id {
			err := s.store.RevokeToken(ctx, t.Hash, s.now())
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Field(apperr.Conflict, "token", "o token já expirou ou foi revogado")
			}
			return err
		}
	}
	return apperr.New(apperr.NotFound, "token não encontrado")
}

func errBadToken() error { return apperr.Field(apperr.Unauthorized, "token", "token inválido") }

const (
	msgOrigin = "deve ser uma origem http(s) como https://loja.provedor.com.br"
	msgTaken  = "já está em uso"
	msgInUse  = "está em uso por assinaturas"
)

// checkText records a blank required value or an over-long one.
func checkText(errs *apperr.Fields, field, v string, required bool, maxLen int) {
	switch {
	case !textnorm.Allowed(v, false):
		errs.Add(field, textnorm.Message)
	case required && v == "":
		errs.Add(field, msgBlank)
	case utf8.RuneCountInString(v) > maxLen:
		errs.Add(field, msgTooLong)
	}
}

// Catalog returns the provider's current catalog (from memory).
func (s *Service) Catalog(ctx context.Context, providerID int64) (*Catalog, error) {
	t, err := s.tenants.get(ctx, providerID)
	if err != nil {
		return nil, err
	}
	return &t.Catalog, nil
}

// changed runs a write and drops the provider's cached catalog after it,
// so the storefront serves the change on its next request, and tells the
// other processes on the database (ShareChanges) to drop theirs.
func (s *Service) changed(ctx context.Context, providerID int64, err error) error {
	s.tenants.invalidate(providerID)
	if err == nil && s.bus != nil {
		if perr := s.bus.Publish(ctx, changes.Storefront, strconv.FormatInt(providerID, 10)); perr != nil {
			s.log.Warn("storefront: publish change", "provider_id", providerID, "err", perr)
		}
	}
	return err
}

// ShareChanges publishes this service's catalog writes on bus and drops a
// provider's cached catalog on every notice there (another replica's
// write, or the CLI's); the tenant TTL stays as the fallback. Call it
// before serving.
func (s *Service) ShareChanges(bus changes.Bus, log *slog.Logger) {
	s.bus, s.log = bus, log
	bus.Subscribe(changes.Storefront, func(_ context.Context, payload string) {
		if payload == "" {
			s.tenants.invalidateAll()
			return
		}
		if id, err := strconv.ParseInt(payload, 10, 64); err == nil {
			s.tenants.invalidate(id)
		}
	})
}

// UpdateProvider saves the provider's name, slug, branding and due days.
func (s *Service) UpdateProvider(ctx context.Context, p Provider) (Provider, error) {
	var errs apperr.Fields
	p.Name = strings.TrimSpace(p.Name)
	p.Slug = strings.TrimSpace(p.Slug)
	checkText(&errs, "nome", p.Name, true, maxTextLen)
	checkSlug(&errs, p.Slug)
	b := &p.Branding
	for _, f := range []struct {
		field string
		v     *string
		max   int
	}{
		{"cor_background_planos", &b.PlansBackgroundColor, maxShortLen},
		{"cor_fonte_intro", &b.IntroFontColor, maxShortLen},
		{"cor_footer", &b.FooterColor, maxShortLen},
		{"cor_fonte_footer", &b.FooterFontColor, maxShortLen},
		{"cor_navbar", &b.NavbarColor, maxShortLen},
		{"wallpaper", &b.Wallpaper, 2000},
		{"logo", &b.Logo, 2000},
	} {
		*f.v = strings.TrimSpace(*f.v)
		checkText(&errs, f.field, *f.v, false, f.max)
	}
	for _, d := range p.DueDays {
		if d < 1 || d > 31 {
			errs.Add("dias_vencimento", "cada dia deve estar entre 1 e 31")
			break
		}
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return Provider{}, err
	}
	slices.Sort(p.DueDays)
	p.DueDays = slices.Compact(p.DueDays)
	err := s.changed(ctx, p.ID, s.store.UpdateProvider(ctx, p, s.now()))
	if apperr.Is(err, apperr.Conflict) {
		return Provider{}, apperr.Field(apperr.Unprocessable, "slug", msgTaken)
	}
	if err != nil {
		return Provider{}, err
	}
	c, err := s.Catalog(ctx, p.ID)
	if err != nil {
		return Provider{}, err
	}
	return c.Provider, nil
}

// AddOrigin registers another origin for the provider.
func (s *Service) AddOrigin(ctx context.Context, providerID int64, url string) (Origin, error) {
	norm, ok := NormalizeOrigin(url)
	if !ok {
		return Origin{}, apperr.Field(apperr.Unprocessable, "url", msgOrigin)
	}
	o, err := s.store.AddOrigin(ctx, providerID, norm)
	if apperr.Is(err, apperr.Conflict) {
		return Origin{}, apperr.Field(apperr.Unprocessable, "url", msgTaken)
	}
	return o, s.changed(ctx, providerID, err)
}

// DeleteOrigin removes an origin; the last one cannot go, or the provider's
// storefront would be unreachable.
func (s *Service) DeleteOrigin(ctx context.Context, providerID, id int64) error {
	c, err := s.Catalog(ctx, providerID)
	if err != nil {
		return err
	}
	if len(c.Origins) == 1 && c.Origins[0].ID == id {
		return apperr.Field(apperr.Conflict, "base", "a última origem do provedor não pode ser removida")
	}
	return s.changed(ctx, providerID, s.store.DeleteOrigin(ctx, providerID, id))
}

// SaveItem creates (ID 0) or updates a category, payment method or service.
func (s *Service) SaveItem(ctx context.Context, kind ItemKind, providerID int64, it Item) (Item, error) {
	var errs apperr.Fields
	it.Name = strings.TrimSpace(it.Name)
	checkText(&errs, "nome", it.Name, true, maxTextLen)
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return Item{}, err
	}
	it, err := s.store.SaveItem(ctx, kind, providerID, it)
	return it, s.changed(ctx, providerID, err)
}

// DeleteItem removes a category, payment method or service; plans lose it.
// A payment method chosen by a subscription cannot be deleted.
func (s *Service) DeleteItem(ctx context.Context, kind ItemKind, providerID, id int64) error {
	return s.changed(ctx, providerID, inUse(s.store.DeleteItem(ctx, kind, providerID, id)))
}

// inUse words the foreign-key failure of deleting a record subscriptions
// refer to.
func inUse(err error) error {
	if apperr.Is(err, apperr.Invalid) {
		return apperr.Field(apperr.Conflict, "base", msgInUse)
	}
	return err
}

// checkIDs records the ids that name nothing in items.
func checkIDs(errs *apperr.Fields, field string, ids []int64, items []Item) {
	for _, id := range ids {
		if !slices.ContainsFunc(items, func(it Item) bool { return it.ID == id }) {
			errs.Add(field, fmt.Sprintf("%d não encontrado", id))
		}
	}
}

// saveChecked saves a record of the provider's catalog: check records
// what is wrong with v against the catalog in errs (and may tidy v); a v
// without faults is stored with save, and the cached catalog dropped.
func saveChecked[T any](ctx context.Context, s *Service, providerID int64, v T,
	check func(c *Catalog, v *T, errs *apperr.Fields), save func(ctx context.Context, providerID int64, v T) (T, error)) (T, error) {
	var zero T
	c, err := s.Catalog(ctx, providerID)
	if err != nil {
		return zero, err
	}
	var errs apperr.Fields
	check(c, &v, &errs)
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return zero, err
	}
	v, err = save(ctx, providerID, v)
	return v, s.changed(ctx, providerID, err)
}

// SavePlan creates (ID 0) or updates a plan.
func (s *Service) SavePlan(ctx context.Context, providerID int64, p Plan) (Plan, error) {
	return saveChecked(ctx, s, providerID, p, checkPlan, s.store.SavePlan)
}

// checkPlan holds a plan's rules; its id lists end up sorted, each id
// once.
func checkPlan(c *Catalog, p *Plan, errs *apperr.Fields) {
	p.Name = strings.TrimSpace(p.Name)
	checkText(errs, "nome", p.Name, true, maxTextLen)
	for _, f := range []struct {
		field string
		v     string
		max   int
	}{
		{"taxa_instalacao_a_vista", p.InstallationFeeUpfront, maxShortLen},
		{"taxa_instalacao_parcelada", p.InstallationFeeInstallments, maxShortLen},
		{"mensalidade_observacao", p.PriceNote, maxTextLen},
		{"detalhes_linha1", p.DetailLine1, maxTextLen},
		{"detalhes_linha2", p.DetailLine2, maxTextLen},
		{"detalhes_linha3", p.DetailLine3, maxTextLen},
		{"cor_primaria", p.PrimaryColor, maxShortLen},
		{"cor_secundaria", p.SecondaryColor, maxShortLen},
		{"titulo", p.Title, maxTextLen},
		{"html", p.HTML, maxLongText},
	} {
		checkText(errs, f.field, f.v, false, f.max)
	}
	if p.MonthlyPriceCents < 0 {
		errs.Add("mensalidade", msgInvalid)
	}
	if p.UploadSpeed < 0 {
		errs.Add("velocidade_upload", msgInvalid)
	}
	if p.DownloadSpeed < 0 {
		errs.Add("velocidade_download", msgInvalid)
	}
	checkIDs(errs, "category_ids", p.CategoryIDs, c.Categories)
	checkIDs(errs, "payment_method_ids", p.PaymentMethodIDs, c.PaymentMethods)
	checkIDs(errs, "service_ids", p.ServiceIDs, c.Services)
	for _, ids := range []*[]int64{&p.CategoryIDs, &p.PaymentMethodIDs, &p.ServiceIDs} {
		slices.Sort(*ids)
		*ids = slices.Compact(*ids)
	}
}

// DeletePlan removes a plan; one that subscriptions chose cannot be deleted.
func (s *Service) DeletePlan(ctx context.Context, providerID, id int64) error {
	return s.changed(ctx, providerID, inUse(s.store.DeletePlan(ctx, providerID, id)))
}

// Coupons lists the provider's coupons with their redemption counts.
func (s *Service) Coupons(ctx context.Context, providerID int64) ([]Coupon, error) {
	return s.store.Coupons(ctx, providerID)
}

// Coupon returns one coupon.
func (s *Service) Coupon(ctx context.Context, providerID, id int64) (Coupon, error) {
	return s.store.Coupon(ctx, providerID, id)
}

// SaveCoupon creates (ID 0) or updates a coupon. Names are unique per
// provider without regard to case.
func (s *Service) SaveCoupon(ctx context.Context, providerID int64, c Coupon) (Coupon, error) {
	cat, err := s.Catalog(ctx, providerID)
	if err != nil {
		return Coupon{}, err
	}
	var errs apperr.Fields
	c.Name = strings.TrimSpace(c.Name)
	c.Description = strings.TrimSpace(c.Description)
	checkText(&errs, "name", c.Name, true, maxTextLen)
	checkText(&errs, "description", c.Description, false, maxTextLen)
	for _, id := range c.PlanIDs {
		if !slices.ContainsFunc(cat.Plans, func(p Plan) bool { return p.ID == id }) {
			errs.Add("plan_ids", fmt.Sprintf("%d não encontrado", id))
		}
	}
	if !c.ValidFrom.IsZero() && !c.ValidUntil.IsZero() && !c.ValidUntil.After(c.ValidFrom) {
		errs.Add("valid_until", "deve ser depois de valid_from")
	}
	if c.MaxRedemptions != nil && *c.MaxRedemptions < 0 {
		errs.Add("max_redemptions", msgInvalid)
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return Coupon{}, err
	}
	slices.Sort(c.PlanIDs)
	c.PlanIDs = slices.Compact(c.PlanIDs)
	c, err = s.store.SaveCoupon(ctx, providerID, c)
	if apperr.Is(err, apperr.Conflict) {
		return Coupon{}, apperr.Field(apperr.Unprocessable, "name", msgTaken)
	}
	if err != nil {
		return Coupon{}, err
	}
	return s.store.Coupon(ctx, providerID, c.ID)
}

// DeleteCoupon removes a coupon; one that subscriptions used cannot be
// deleted.
func (s *Service) DeleteCoupon(ctx context.Context, providerID, id int64) error {
	return inUse(s.store.DeleteCoupon(ctx, providerID, id))
}

// SaveCoverageArea creates (ID 0) or updates a coverage area.
func (s *Service) SaveCoverageArea(ctx context.Context, providerID int64, a CoverageArea) (CoverageArea, error) {
	return saveChecked(ctx, s, providerID, a, checkCoverageArea, s.store.SaveCoverageArea)
}

// checkCoverageArea holds a coverage area's rules: a name, a plan of the
// catalog or none, and either a polygon or a CEP range.
func checkCoverageArea(c *Catalog, a *CoverageArea, errs *apperr.Fields) {
	a.Name = strings.TrimSpace(a.Name)
	checkText(errs, "nome", a.Name, false, maxTextLen)
	if a.PlanID != 0 && !slices.ContainsFunc(c.Plans, func(p Plan) bool { return p.ID == a.PlanID }) {
		errs.Add("plan_id", msgNotFound)
	}
	switch {
	case a.Geometry != nil && (a.CEPStart != 0 || a.CEPEnd != 0):
		errs.Add("base", "informe geojson ou cep_inicio e cep_fim, não ambos")
	case a.Geometry == nil && (a.CEPStart == 0 || a.CEPEnd == 0):
		errs.Add("base", "informe geojson ou cep_inicio e cep_fim")
	case a.Geometry == nil && a.CEPStart > a.CEPEnd:
		errs.Add("cep_fim", "deve ser maior ou igual a cep_inicio")
	}
}

// DeleteCoverageArea removes a coverage area.
func (s *Service) DeleteCoverageArea(ctx context.Context, providerID, id int64) error {
	return s.changed(ctx, providerID, s.store.DeleteCoverageArea(ctx, providerID, id))
}

// Subscriptions lists the provider's subscriptions, newest first.
func (s *Service) Subscriptions(ctx context.Context, providerID int64, page Page) ([]Subscription, int, error) {
	return s.store.Subscriptions(ctx, providerID, page)
}

// Subscription returns one of the provider's subscriptions with its files.
func (s *Service) Subscription(ctx context.Context, providerID int64, id string) (Subscription, error) {
	return s.subscription(ctx, providerID, id)
}

// EachSubscription streams the provider's subscriptions, oldest first.
func (s *Service) EachSubscription(ctx context.Context, providerID int64, fn func(Subscription) error) error {
	return s.store.EachSubscription(ctx, providerID, fn)
}

// OpenFile opens a document of one of the provider's subscriptions.
func (s *Service) OpenFile(ctx context.Context, providerID int64, id string, kind FileKind) (io.ReadCloser, SubscriptionFile, error) {
	sub, err := s.subscription(ctx, providerID, id)
	if err != nil {
		return nil, SubscriptionFile{}, err
	}
	for _, f := range sub.Files {
		if f.Kind != kind {
			continue
		}
		rc, _, err := s.blobs.Open(ctx, f.Object.Key)
		if errors.Is(err, blob.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, SubscriptionFile{}, apperr.Wrap(apperr.Internal, err, "open file")
		}
		return rc, f, nil
	}
	return nil, SubscriptionFile{}, apperr.Field(apperr.NotFound, "file", "não encontrado")
}
