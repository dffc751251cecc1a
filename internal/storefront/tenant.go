package storefront

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"partnership-service/internal/apperr"
)

// tenantTTL bounds how long a cached catalog is served without reloading.
// Changes made through this process's admin API are seen at once; the TTL
// is for changes made by other processes (replicas, the CLI).
const tenantTTL = time.Minute

// tenant is a provider's catalog as the storefront serves it, indexed for
// validation.
type tenant struct {
	Catalog
	plans          map[int64]*Plan
	paymentMethods map[int64]bool
	dueDays        map[int]bool

	loadedAt time.Time
}

func newTenant(c Catalog) *tenant {
	t := &tenant{
		Catalog:        c,
		plans:          make(map[int64]*Plan, len(c.Plans)),
		paymentMethods: make(map[int64]bool, len(c.PaymentMethods)),
		dueDays:        make(map[int]bool, len(c.Provider.DueDays)),
		loadedAt:       time.Now(),
	}
	for i := range t.Plans {
		t.plans[t.Plans[i].ID] = &t.Plans[i]
	}
	for _, pm := range c.PaymentMethods {
		t.paymentMethods[pm.ID] = true
	}
	for _, d := range c.Provider.DueDays {
		t.dueDays[d] = true
	}
	return t
}

// covers reports whether the provider serves a visitor at pt (nil when
// unknown) with CEP cep ("" when unknown) on plan planID (0: no plan chosen,
// so only areas serving every plan count).
func (t *tenant) covers(planID int64, pt *Point, cep string) bool {
	cepNum := 0
	if cep != "" {
		cepNum = atoi(cep)
	}
	for i := range t.Coverage {
		a := &t.Coverage[i]
		if a.PlanID != 0 && a.PlanID != planID {
			continue
		}
		if a.Covers(pt, cepNum) {
			return true
		}
	}
	return false
}

func atoi(digits string) int {
	n := 0
	for i := 0; i < len(digits); i++ {
		n = n*10 + int(digits[i]-'0')
	}
	return n
}

// tenants caches tenants by provider id, and provider ids by origin.
// Unknown origins are not cached, so a provider created by another process
// is found on its first request. Every storefront request reads the
// caches, from every core, so reads take no lock (sync.Map); mu orders a
// load's store against invalidations.
type tenants struct {
	store Store

	byOrigin sync.Map // origin → provider id (int64)
	bySlugs  sync.Map // slug → provider id (int64)
	byID     sync.Map // provider id → *tenant

	mu sync.Mutex
	// generation counts invalidations: a load that started before one must
	// not store what it read.
	generation atomic.Uint64
}

func newTenants(store Store) *tenants { return &tenants{store: store} }

// cachedID is key's provider id in m.
func cachedID(m *sync.Map, key string) (int64, bool) {
	v, ok := m.Load(key)
	if !ok {
		return 0, false
	}
	return v.(int64), true
}

// errUnknownOrigin is what every storefront request without a registered
// Origin gets.
func errUnknownOrigin() error {
	return apperr.Field(apperr.NotFound, "origin", "provedor não encontrado")
}

// byOriginHeader resolves the tenant of an Origin header value, and the
// origin as the provider registered it (what CORS answers echo). Browsers
// send origins in the normalized form they are stored in, so the header is
// first tried as is; only normalized origins are ever cached, so variants
// of an origin cannot grow the cache.
func (ts *tenants) byOriginHeader(ctx context.Context, header string) (*tenant, string, error) {
	if header == "" {
		return nil, "", errUnknownOrigin()
	}
	origin := header
	id, ok := cachedID(&ts.byOrigin, origin)
	if !ok {
		var valid bool
		if origin, valid = NormalizeOrigin(header); !valid {
			return nil, "", errUnknownOrigin()
		}
		id, ok = cachedID(&ts.byOrigin, origin)
	}
	if !ok {
		var err error
		id, err = ts.store.ProviderIDByOrigin(ctx, origin)
		if apperr.Is(err, apperr.NotFound) {
			return nil, "", errUnknownOrigin()
		}
		if err != nil {
			return nil, "", err
		}
		ts.byOrigin.Store(origin, id)
	}
	t, err := ts.get(ctx, id)
	if err != nil {
		return nil, "", err
	}
	// An origin removed by another process stays mapped until the tenant
	// is reloaded; the reloaded catalog is the authority.
	if !t.hasOrigin(origin) {
		ts.byOrigin.Delete(origin)
		return nil, "", errUnknownOrigin()
	}
	return t, origin, nil
}

// errUnknownSlug is what a page of a slug no provider holds gets.
func errUnknownSlug() error {
	return apperr.Field(apperr.NotFound, "slug", "provedor não encontrado")
}

// bySlug resolves the tenant whose storefront pages are at slug. Only slugs
// a provider holds are cached, so unknown ones cannot grow the cache.
func (ts *tenants) bySlug(ctx context.Context, slug string) (*tenant, error) {
	if !slugPattern.MatchString(slug) {
		return nil, errUnknownSlug()
	}
	id, ok := cachedID(&ts.bySlugs, slug)
	if !ok {
		var err error
		id, err = ts.store.ProviderIDBySlug(ctx, slug)
		if apperr.Is(err, apperr.NotFound) {
			return nil, errUnknownSlug()
		}
		if err != nil {
			return nil, err
		}
		ts.bySlugs.Store(slug, id)
	}
	t, err := ts.get(ctx, id)
	if err != nil {
		return nil, err
	}
	// A slug changed by another process stays mapped until the tenant is
	// reloaded; the reloaded catalog is the authority.
	if t.Provider.Slug != slug {
		ts.bySlugs.Delete(slug)
		return nil, errUnknownSlug()
	}
	return t, nil
}

func (t *tenant) hasOrigin(origin string) bool {
	for _, o := range t.Origins {
		if o.URL == origin {
			return true
		}
	}
	return false
}

// get returns the provider's tenant, loading it when missing or stale.
func (ts *tenants) get(ctx context.Context, providerID int64) (*tenant, error) {
	gen := ts.generation.Load()
	if v, ok := ts.byID.Load(providerID); ok {
		if t := v.(*tenant); time.Since(t.loadedAt) < tenantTTL {
			return t, nil
		}
	}
	c, err := ts.store.Catalog(ctx, providerID)
	if err != nil {
		return nil, err
	}
	t := newTenant(c)
	ts.mu.Lock()
	if ts.generation.Load() == gen {
		ts.byID.Store(providerID, t)
	}
	ts.mu.Unlock()
	return t, nil
}

// invalidate drops what is cached about a provider, after its data changed.
func (ts *tenants) invalidate(providerID int64) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.generation.Add(1)
	ts.byID.Delete(providerID)
	dropID(&ts.byOrigin, providerID)
	dropID(&ts.bySlugs, providerID)
}

// invalidateAll drops every cached tenant: changes may have been missed.
func (ts *tenants) invalidateAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.generation.Add(1)
	ts.byID.Clear()
	ts.byOrigin.Clear()
}

// dropID deletes m's entries that map to providerID.
func dropID(m *sync.Map, providerID int64) {
	m.Range(func(k, v any) bool {
		if v.(int64) == providerID {
			m.Delete(k)
		}
		return true
	})
}
