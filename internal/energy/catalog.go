package energy

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/changes"
	"partnership-service/internal/energyref"
	"partnership-service/internal/geo"
)

// Utility is an energy distributor (distribuidora) as the catalog knows it.
type Utility struct {
	PublicID  string // UUID
	Name      string // "ENEL SP"
	UF        string // main state
	Qualified bool   // energyUtilityQualified: GD is sold in its area
	// GD minimum monthly bill per person type, in cents; 0 = the default.
	GDMinNaturalCents   int64
	GDMinJuridicalCents int64
}

// Plan is a GD plan a utility offers.
type Plan struct {
	ID             int64
	UtilityID      string // Utility.PublicID
	Name           string
	FidelityMonths int
	Discount       string // decimal fraction as text, e.g. "0.14"
	Benefits       []string
}

// OperationArea says a utility serves a municipality.
type OperationArea struct {
	UtilityID string
	IBGECode  int
}

// Thresholds are the qualification rules that are not per utility.
type Thresholds struct {
	// FreeMarketMinCents: a juridical person billed at least this much a
	// month is a free-market ("Mercado Livre") candidate.
	FreeMarketMinCents int64
}

// Defaults of the qualification rules, documented in api/energy.yaml.
const (
	DefaultGDMinNaturalCents   = 200_00
	DefaultGDMinJuridicalCents = 300_00
	DefaultFreeMarketMinCents  = 10_000_00
)

// CatalogData is the whole commercial catalog as the store holds it. It is
// small (a hundred utilities, thousands of areas), so it is read whole and
// served from memory.
type CatalogData struct {
	Utilities  []Utility
	Areas      []OperationArea
	Plans      []Plan
	Thresholds Thresholds
}

// CatalogStore persists the catalog.
type CatalogStore interface {
	LoadCatalog(ctx context.Context) (CatalogData, error)
	CreateUtility(ctx context.Context, u Utility) error
	// UpdateUtility saves the commercial fields (name, UF, qualified, GD minimums).
	UpdateUtility(ctx context.Context, u Utility) error
	DeleteUtility(ctx context.Context, publicID string) error
	// AddAreas adds operation areas, ignoring ones that exist; it returns how many were new.
	AddAreas(ctx context.Context, areas []OperationArea) (int, error)
	DeleteArea(ctx context.Context, a OperationArea) error
	// CreatePlan stores p and returns it with its new ID.
	CreatePlan(ctx context.Context, p Plan) (Plan, error)
	UpdatePlan(ctx context.Context, p Plan) error
	DeletePlan(ctx context.Context, id int64) error
	SaveThresholds(ctx context.Context, t Thresholds) error
}

// CatalogService serves the GD catalog and qualification from an
// immutable in-memory snapshot, rebuilt whenever the catalog changes.
type CatalogService struct {
	store CatalogStore
	geo   *geo.Directory
	log   *slog.Logger

	snap   atomic.Pointer[snapshot]
	reload sync.Mutex  // one rebuild at a time
	bus    changes.Bus // set by ShareChanges; nil: one process
}

// NewCatalogService loads the catalog and returns the service.
func NewCatalogService(ctx context.Context, store CatalogStore, dir *geo.Directory, log *slog.Logger) (*CatalogService, error) {
	c := &CatalogService{store: store, geo: dir, log: log}
	if err := c.Reload(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload rebuilds the snapshot from the store.
func (c *CatalogService) Reload(ctx context.Context) error {
	c.reload.Lock()
	defer c.reload.Unlock()
	data, err := c.store.LoadCatalog(ctx)
	if err != nil {
		return err
	}
	var version uint64 = 1
	if old := c.snap.Load(); old != nil {
		version = old.version + 1
	}
	c.snap.Store(buildSnapshot(version, data))
	return nil
}

// ShareChanges publishes this service's catalog writes on bus and reloads
// on every notice there (another replica's write, or the CLI's), so
// replicas serve a change within moments; RefreshEvery stays as the
// fallback. Call it before serving.
func (c *CatalogService) ShareChanges(bus changes.Bus) {
	c.bus = bus
	bus.Subscribe(changes.EnergyCatalog, func(ctx context.Context, _ string) {
		if err := c.Reload(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("catalog reload on change notice", "err", err)
		}
	})
}

// RefreshEvery reloads the catalog periodically until ctx ends, so changes
// made by another process (the CLI import, another replica) show up.
func (c *CatalogService) RefreshEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Reload(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("catalog refresh", "err", err)
			}
		}
	}
}

// snapshot is one immutable view of the catalog, indexed for the reads.
type snapshot struct {
	version   uint64 // one more on every rebuild
	data      CatalogData
	utilities map[string]Utility   // by public id
	alone     map[string][]Utility // each utility in a list of its own, by public id
	byName    map[string]Utility   // by nameKey of its name and aliases
	atCity    map[int][]Utility    // serving a municipality, by name
	areasOf   map[string][]int     // municipalities a utility serves, by code
	plans     map[string][]Plan    // by utility, by id
}

func buildSnapshot(version uint64, d CatalogData) *snapshot {
	s := &snapshot{
		version:   version,
		data:      d,
		utilities: map[string]Utility{},
		alone:     map[string][]Utility{},
		byName:    map[string]Utility{},
		atCity:    map[int][]Utility{},
		areasOf:   map[string][]int{},
		plans:     map[string][]Plan{},
	}
	for _, u := range d.Utilities {
		s.utilities[u.PublicID] = u
		s.alone[u.PublicID] = []Utility{u}
		s.byName[nameKey(u.Name)] = u
	}
	// The names the reference data knows a utility by (its legal name,
	// former names, the spellings of ANEEL's files) find it too, unless a
	// utility of the catalog has that name now.
	for _, a := range energyref.Aliases() {
		k := nameKey(a.Name)
		if _, taken := s.byName[k]; taken {
			continue
		}
		if u, ok := s.utilities[a.UtilityID]; ok {
			s.byName[k] = u
		}
	}
	for _, a := range d.Areas {
		if u, ok := s.utilities[a.UtilityID]; ok {
			s.atCity[a.IBGECode] = append(s.atCity[a.IBGECode], u)
			s.areasOf[u.PublicID] = append(s.areasOf[u.PublicID], a.IBGECode)
		}
	}
	for _, us := range s.atCity {
		slices.SortFunc(us, func(a, b Utility) int { return strings.Compare(a.Name, b.Name) })
	}
	for _, p := range d.Plans {
		s.plans[p.UtilityID] = append(s.plans[p.UtilityID], p)
	}
	for id := range s.plans {
		slices.SortFunc(s.plans[id], func(a, b Plan) int { return int(a.ID - b.ID) })
	}
	return s
}

// CatalogListing answers a catalog read: the utilities it lists, each with
// its plans. Version and Key identify it: within one catalog version, the
// same key is the same listing, so an edge may encode it once per version
// (and, reading it from a cache, never call Utilities).
type CatalogListing struct {
	Version uint64
	Key     ListingKey
	// Municipality is the place asked about; zero when asked by utility.
	Municipality geo.Municipality
	utilities    []Utility
	plans        map[string][]Plan
}

// ListingKey names a listing within a catalog version: comparable, and
// made without an allocation.
type ListingKey struct {
	Kind      string // "areas", "plans-at" or "plans-of"
	IBGECode  int    // the municipality's, but for plans-of
	UtilityID string // plans-of's
}

// Utilities are the listed utilities with their plans, built anew on each
// call.
func (l CatalogListing) Utilities() []UtilityPlans {
	out := make([]UtilityPlans, len(l.utilities))
	for i, u := range l.utilities {
		out[i] = UtilityPlans{Utility: u, Plans: l.plans[u.PublicID]}
	}
	return out
}

// UtilityPlans is a utility with its plans, by id.
type UtilityPlans struct {
	Utility Utility
	Plans   []Plan
}

func (s *snapshot) listing(key ListingKey, m geo.Municipality, us []Utility) CatalogListing {
	return CatalogListing{Version: s.version, Key: key, Municipality: m, utilities: us, plans: s.plans}
}

// Place is a municipality named by the caller, either way the seed allows.
type Place struct {
	IBGECode string // alone, or
	UF, City string // together
}

// resolve finds the municipality, with the parameter rules of the notes:
// ibge_code goes alone, state and city go together, one of the two is
// required; a well-formed but unknown place is a 400 too, so a typo is
// never mistaken for "no utility here".
func (c *CatalogService) resolve(p Place) (geo.Municipality, error) {
	var f apperr.Fields
	hasCity := p.UF != "" || p.City != ""
	switch {
	case p.IBGECode != "" && hasCity:
		f.Add("ibge_code", "ibge_code deve ser enviado sozinho, sem state e city")
	case p.IBGECode != "":
		code, err := strconv.Atoi(p.IBGECode)
		if err != nil || len(p.IBGECode) != 7 {
			f.Add("ibge_code", "ibge_code deve ser o código IBGE de 7 dígitos de um município")
			break
		}
		if m, ok := c.geo.Municipality(code); ok {
			return m, nil
		}
		f.Add("ibge_code", "ibge_code não corresponde a um município brasileiro")
	case hasCity:
		if p.UF == "" {
			f.Add("state", "state é obrigatório quando city é enviado")
		}
		if strings.TrimSpace(p.City) == "" {
			f.Add("city", "city é obrigatório quando state é enviado")
		}
		if !f.Empty() {
			break
		}
		if _, ok := c.geo.StateByUF(p.UF); !ok {
			f.Add("state", "state deve ser a sigla de um estado brasileiro (UF)")
			break
		}
		if m, ok := c.geo.MunicipalityByName(p.UF, p.City); ok {
			return m, nil
		}
		f.Add("city", "city não é um município de "+strings.ToUpper(strings.TrimSpace(p.UF)))
	default:
		f.Add("state", "informe state e city, ou ibge_code")
	}
	return geo.Municipality{}, f.Err(apperr.Invalid)
}

// OperationAreas answers GET /distribuited-generation/operation-areas: the
// utilities serving the place.
func (c *CatalogService) OperationAreas(p Place) (CatalogListing, error) {
	m, err := c.resolve(p)
	if err != nil {
		return CatalogListing{}, err
	}
	s := c.snap.Load()
	return s.listing(ListingKey{Kind: "areas", IBGECode: m.IBGECode}, m, s.atCity[m.IBGECode]), nil
}

// PlansFor answers GET /distribuited-generation/plans: by utility when
// utilityID is given (it wins over the place), else by place.
func (c *CatalogService) PlansFor(utilityID string, p Place) (CatalogListing, error) {
	s := c.snap.Load()
	if utilityID != "" {
		if !isUUID(utilityID) {
			return CatalogListing{}, apperr.Field(apperr.Invalid, "energy_utility_public_id", "energy_utility_public_id deve ser um UUID válido")
		}
		u, ok := s.alone[strings.ToLower(utilityID)]
		if !ok {
			return CatalogListing{}, apperr.New(apperr.NotFound, "distribuidora não encontrada")
		}
		return s.listing(ListingKey{Kind: "plans-of", UtilityID: u[0].PublicID}, geo.Municipality{}, u), nil
	}
	m, err := c.resolve(p)
	if err != nil {
		return CatalogListing{}, err
	}
	return s.listing(ListingKey{Kind: "plans-at", IBGECode: m.IBGECode}, m, s.atCity[m.IBGECode]), nil
}

// UtilityFor returns the utility serving a municipality, preferring one
// where GD is sold, then by name: deterministic when areas overlap.
func (c *CatalogService) UtilityFor(ibgeCode int) (Utility, bool) {
	us := c.snap.Load().atCity[ibgeCode]
	for _, u := range us {
		if u.Qualified {
			return u, true
		}
	}
	if len(us) > 0 {
		return us[0], true
	}
	return Utility{}, false
}

// PlansOf returns a utility and its plans.
func (c *CatalogService) PlansOf(utilityPublicID string) (Utility, []Plan, bool) {
	s := c.snap.Load()
	u, ok := s.utilities[strings.ToLower(utilityPublicID)]
	return u, s.plans[u.PublicID], ok
}

// Utility returns one utility by public id.
func (c *CatalogService) Utility(publicID string) (Utility, bool) {
	u, ok := c.snap.Load().utilities[strings.ToLower(publicID)]
	return u, ok
}

// UtilityByName finds a utility by its name or one of its aliases,
// ignoring case, accents and punctuation.
func (c *CatalogService) UtilityByName(name string) (Utility, bool) {
	u, ok := c.snap.Load().byName[nameKey(name)]
	return u, ok
}

// nameKey is how utility names compare: geo.Fold (case, accents, hyphens,
// dots) with slashes and commas as spaces too, so "CEMIG-D" is "Cemig D"
// and "S/A" is "S.A.".
func nameKey(name string) string {
	return geo.Fold(nameSeparators.Replace(name))
}

var nameSeparators = strings.NewReplacer("/", " ", ",", " ")

// Data returns the catalog as loaded, for the admin API.
func (c *CatalogService) Data() CatalogData { return c.snap.Load().data }

// AreasAndPlans returns the municipalities a utility serves (by code) and
// its plans, for the admin API.
func (c *CatalogService) AreasAndPlans(publicID string) ([]int, []Plan) {
	s := c.snap.Load()
	return s.areasOf[publicID], s.plans[publicID]
}

// Plan returns one plan by id.
func (c *CatalogService) Plan(id int64) (Plan, bool) {
	for _, p := range c.snap.Load().data.Plans {
		if p.ID == id {
			return p, true
		}
	}
	return Plan{}, false
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}

// errUtilityNotFound is the admin API's answer for an unknown utility.
func errUtilityNotFound(id string) error {
	return apperr.New(apperr.NotFound, "distribuidora %s não encontrada", id)
}
