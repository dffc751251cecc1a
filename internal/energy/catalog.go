package energy

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"partnership-service/internal/apperr"
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
	reload sync.Mutex // one rebuild at a time
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
	s, err := buildSnapshot(data, c.geo)
	if err != nil {
		return err
	}
	c.snap.Store(s)
	return nil
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

// snapshot is one immutable view of the catalog with its answers
// pre-encoded: a catalog read is a map lookup and a write of cached bytes.
type snapshot struct {
	data        CatalogData
	utilities   map[string]Utility    // by public id
	byName      map[string]Utility    // by folded name
	atCity      map[int][]Utility     // serving a municipality, by name
	areasOf     map[string][]int      // municipalities a utility serves, by code
	plans       map[string][]Plan     // by utility, by id
	areasJSON   map[int]cachedBody    // operation-areas answer per municipality
	plansByUtil map[string]cachedBody // plans answer per utility
	plansAtCity map[int]cachedBody    // plans answer per municipality
	empty       cachedBody            // "[]"
}

// cachedBody is a pre-encoded answer with its entity tag, and the header
// values that go with it, built once per catalog version.
type cachedBody struct {
	body   []byte
	etag   string
	header http.Header
}

func newCachedBody(v any) (cachedBody, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return cachedBody{}, err
	}
	h := fnv.New64a()
	h.Write(b)
	etag := `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	return cachedBody{body: b, etag: etag, header: http.Header{
		"Content-Type":   {"application/json; charset=utf-8"},
		"Content-Length": {strconv.Itoa(len(b))},
		"Etag":           {etag},
		"Cache-Control":  {"private, no-cache"},
	}}, nil
}

func buildSnapshot(d CatalogData, dir *geo.Directory) (*snapshot, error) {
	s := &snapshot{
		data:        d,
		utilities:   map[string]Utility{},
		byName:      map[string]Utility{},
		atCity:      map[int][]Utility{},
		areasOf:     map[string][]int{},
		plans:       map[string][]Plan{},
		areasJSON:   map[int]cachedBody{},
		plansByUtil: map[string]cachedBody{},
		plansAtCity: map[int]cachedBody{},
	}
	for _, u := range d.Utilities {
		s.utilities[u.PublicID] = u
		s.byName[geo.Fold(u.Name)] = u
	}
	for _, a := range d.Areas {
		if u, ok := s.utilities[a.UtilityID]; ok {
			s.atCity[a.IBGECode] = append(s.atCity[a.IBGECode], u)
			s.areasOf[u.PublicID] = append(s.areasOf[u.PublicID], a.IBGECode)
		}
	}
	for _, p := range d.Plans {
		s.plans[p.UtilityID] = append(s.plans[p.UtilityID], p)
	}
	for id := range s.plans {
		slices.SortFunc(s.plans[id], func(a, b Plan) int { return int(a.ID - b.ID) })
	}
	var err error
	if s.empty, err = newCachedBody([]struct{}{}); err != nil {
		return nil, err
	}
	for _, u := range d.Utilities {
		if s.plansByUtil[u.PublicID], err = newCachedBody([]utilityPlansBody{s.utilityPlansBody(u)}); err != nil {
			return nil, err
		}
	}
	for ibge, us := range s.atCity {
		slices.SortFunc(us, func(a, b Utility) int { return strings.Compare(a.Name, b.Name) })
		m, _ := dir.Municipality(ibge)
		areas := make([]operationAreaBody, 0, len(us))
		plans := make([]utilityPlansBody, 0, len(us))
		for _, u := range us {
			areas = append(areas, operationAreaBody{
				EnergyUtilityPublicID:  u.PublicID,
				EnergyUtilityName:      u.Name,
				EnergyUtilityQualified: u.Qualified,
				IBGECode:               strconv.Itoa(ibge),
				State:                  m.UF,
				City:                   m.Name,
			})
			plans = append(plans, s.utilityPlansBody(u))
		}
		if s.areasJSON[ibge], err = newCachedBody(areas); err != nil {
			return nil, err
		}
		if s.plansAtCity[ibge], err = newCachedBody(plans); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Wire shapes of the catalog reads (seed: DistribuitedGenerationOperationAreaDto, PlansDto).
type operationAreaBody struct {
	EnergyUtilityPublicID  string `json:"energyUtilityPublicId"`
	EnergyUtilityName      string `json:"energyUtilityName"`
	EnergyUtilityQualified bool   `json:"energyUtilityQualified"`
	IBGECode               string `json:"ibgeCode"`
	State                  string `json:"state"`
	City                   string `json:"city"`
}

type utilityPlansBody struct {
	EnergyUtilityName string            `json:"energyUtilityName"`
	Plans             []catalogPlanBody `json:"plans"`
}

type catalogPlanBody struct {
	ID              int64                `json:"id"`
	Name            string               `json:"name"`
	FidelityMonths  int                  `json:"fidelityMonths"`
	Discount        string               `json:"discount"`
	OfferedBenefits []catalogBenefitBody `json:"offeredBenefits"`
}

type catalogBenefitBody struct {
	Description string `json:"description"`
}

func (s *snapshot) utilityPlansBody(u Utility) utilityPlansBody {
	out := utilityPlansBody{EnergyUtilityName: u.Name, Plans: []catalogPlanBody{}}
	for _, p := range s.plans[u.PublicID] {
		out.Plans = append(out.Plans, toCatalogPlanBody(p))
	}
	return out
}

func toCatalogPlanBody(p Plan) catalogPlanBody {
	b := catalogPlanBody{ID: p.ID, Name: p.Name, FidelityMonths: p.FidelityMonths, Discount: p.Discount, OfferedBenefits: []catalogBenefitBody{}}
	for _, d := range p.Benefits {
		b.OfferedBenefits = append(b.OfferedBenefits, catalogBenefitBody{Description: d})
	}
	return b
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

// OperationAreas answers GET /distribuited-generation/operation-areas.
func (c *CatalogService) OperationAreas(p Place) (cachedBody, error) {
	m, err := c.resolve(p)
	if err != nil {
		return cachedBody{}, err
	}
	s := c.snap.Load()
	if b, ok := s.areasJSON[m.IBGECode]; ok {
		return b, nil
	}
	return s.empty, nil
}

// PlansFor answers GET /distribuited-generation/plans: by utility when
// utilityID is given (it wins over the place), else by place.
func (c *CatalogService) PlansFor(utilityID string, p Place) (cachedBody, error) {
	s := c.snap.Load()
	if utilityID != "" {
		if !isUUID(utilityID) {
			return cachedBody{}, apperr.Field(apperr.Invalid, "energy_utility_public_id", "energy_utility_public_id deve ser um UUID válido")
		}
		b, ok := s.plansByUtil[strings.ToLower(utilityID)]
		if !ok {
			return cachedBody{}, apperr.New(apperr.NotFound, "distribuidora não encontrada")
		}
		return b, nil
	}
	m, err := c.resolve(p)
	if err != nil {
		return cachedBody{}, err
	}
	if b, ok := s.plansAtCity[m.IBGECode]; ok {
		return b, nil
	}
	return s.empty, nil
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

// UtilityByName finds a utility by name, ignoring case and accents.
func (c *CatalogService) UtilityByName(name string) (Utility, bool) {
	u, ok := c.snap.Load().byName[geo.Fold(name)]
	return u, ok
}

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
