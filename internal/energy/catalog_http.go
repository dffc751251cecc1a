package energy

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

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

func toCatalogPlanBody(p Plan) catalogPlanBody {
	b := catalogPlanBody{ID: p.ID, Name: p.Name, FidelityMonths: p.FidelityMonths, Discount: p.Discount, OfferedBenefits: []catalogBenefitBody{}}
	for _, d := range p.Benefits {
		b.OfferedBenefits = append(b.OfferedBenefits, catalogBenefitBody{Description: d})
	}
	return b
}

func toUtilityPlansBody(up UtilityPlans) utilityPlansBody {
	out := utilityPlansBody{EnergyUtilityName: up.Utility.Name, Plans: []catalogPlanBody{}}
	for _, p := range up.Plans {
		out.Plans = append(out.Plans, toCatalogPlanBody(p))
	}
	return out
}

func operationAreasBody(l CatalogListing) any {
	ups := l.Utilities()
	out := make([]operationAreaBody, len(ups))
	m := l.Municipality
	for i, up := range ups {
		u := up.Utility
		out[i] = operationAreaBody{EnergyUtilityPublicID: u.PublicID, EnergyUtilityName: u.Name, EnergyUtilityQualified: u.Qualified,
			IBGECode: strconv.Itoa(m.IBGECode), State: m.UF, City: m.Name}
	}
	return out
}

func plansBody(l CatalogListing) any {
	ups := l.Utilities()
	out := make([]utilityPlansBody, len(ups))
	for i, up := range ups {
		out[i] = toUtilityPlansBody(up)
	}
	return out
}

// catalogBodies holds the encoded catalog reads of the current catalog
// version: each listing is encoded on first use, so a read is a lookup
// and a write of cached bytes; a new version starts afresh. Reads take no
// lock: every catalog request passes here, from every core.
type catalogBodies struct {
	current atomic.Pointer[versionBodies]
}

// versionBodies are one catalog version's encoded listings.
type versionBodies struct {
	version uint64
	bodies  sync.Map // ListingKey → cachedBody
}

// cachedBody is an encoded answer with its entity tag, and the header
// values that go with it.
type cachedBody struct {
	body   []byte
	etag   string
	header http.Header
}

func (c *catalogBodies) get(l CatalogListing, shape func(CatalogListing) any) (cachedBody, error) {
	cur := c.current.Load()
	if cur != nil && cur.version == l.Version {
		if b, ok := cur.bodies.Load(l.Key); ok {
			return b.(cachedBody), nil
		}
	}
	b, err := newCachedBody(shape(l))
	if err != nil {
		return cachedBody{}, err
	}
	switch {
	case cur == nil || l.Version > cur.version:
		next := &versionBodies{version: l.Version}
		next.bodies.Store(l.Key, b)
		// Losing the race to another new version costs an encoding on a
		// later read, nothing more.
		c.current.CompareAndSwap(cur, next)
	case l.Version == cur.version:
		cur.bodies.Store(l.Key, b)
	}
	// A listing of an older version than the cache's is answered but
	// not kept.
	return b, nil
}

func newCachedBody(v any) (cachedBody, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return cachedBody{}, err
	}
	h := fnv.New64a()
	h.Write(b)
	etag := `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	header := http.Header{
		"Content-Type":  {"application/json; charset=utf-8"},
		"Etag":          {etag},
		"Cache-Control": {"private, no-cache"},
	}
	// net/http computes the length of a body it holds whole (up to 2 KiB);
	// leaving it to net/http keeps a short listing's answer at eight
	// headers, the most a header map holds before it grows (a reads' hot
	// path cost).
	if len(b) > 2048 {
		header["Content-Length"] = []string{strconv.Itoa(len(b))}
	}
	return cachedBody{body: b, etag: etag, header: header}, nil
}

// serveListing answers with the listing's encoded bytes, or 304 when the
// client holds the same version.
func (a *API) serveListing(w http.ResponseWriter, r *http.Request, l CatalogListing, err error, shape func(CatalogListing) any) {
	if err != nil {
		Render(w, r, err)
		return
	}
	b, err := a.catalogBodies.get(l, shape)
	if err != nil {
		Render(w, r, apperr.Wrap(apperr.Internal, err, "internal error"))
		return
	}
	h := w.Header()
	if match := r.Header.Get("If-None-Match"); match != "" && httpx.ETagMatches(match, b.etag) {
		h["Etag"], h["Cache-Control"] = b.header["Etag"], b.header["Cache-Control"]
		w.WriteHeader(http.StatusNotModified)
		return
	}
	// The values are shared by every answer of this catalog version;
	// net/http only reads them.
	for k, v := range b.header {
		h[k] = v
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.body)
}

func placeFrom(q httpx.Query) Place {
	return Place{IBGECode: strings.TrimSpace(q.Get("ibge_code")), UF: strings.TrimSpace(q.Get("state")), City: q.Get("city")}
}

func (a *API) operationAreas(w http.ResponseWriter, r *http.Request) {
	l, err := a.Catalog.OperationAreas(placeFrom(httpx.Query(r.URL.RawQuery)))
	a.serveListing(w, r, l, err, operationAreasBody)
}

func (a *API) plans(w http.ResponseWriter, r *http.Request) {
	q := httpx.Query(r.URL.RawQuery)
	l, err := a.Catalog.PlansFor(strings.TrimSpace(q.Get("energy_utility_public_id")), placeFrom(q))
	a.serveListing(w, r, l, err, plansBody)
}

func (a *API) qualification(w http.ResponseWriter, r *http.Request) {
	q := httpx.Query(r.URL.RawQuery)
	res, err := a.Catalog.Qualify(QualificationQuery{
		Place:      Place{UF: strings.TrimSpace(q.Get("state")), City: q.Get("city")},
		PersonType: q.Get("personType"),
		BillValue:  q.Get("utilityBillingValue"),
	})
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, qualificationBody{Product: res.Product, Qualification: res.Qualified})
}

type qualificationBody struct {
	Product       string `json:"product"`
	Qualification bool   `json:"qualification"`
}

// Admin wire shapes.

type utilityAdminBody struct {
	PublicID       string            `json:"energyUtilityPublicId"`
	Name           string            `json:"energyUtilityName"`
	State          string            `json:"state"`
	Qualified      bool              `json:"energyUtilityQualified"`
	GDMinimumBill  gdMinimumBillBody `json:"gdMinimumBill"`
	OperationAreas []string          `json:"operationAreas"`
	Plans          []catalogPlanBody `json:"plans"`
}

type gdMinimumBillBody struct {
	Natural   string `json:"natural"`
	Juridical string `json:"juridical"`
}

type utilityInputBody struct {
	Name          string `json:"energyUtilityName"`
	State         string `json:"state"`
	Qualified     bool   `json:"energyUtilityQualified"`
	GDMinimumBill *struct {
		Natural   string `json:"natural"`
		Juridical string `json:"juridical"`
	} `json:"gdMinimumBill"`
}

func (b utilityInputBody) input() UtilityInput {
	in := UtilityInput{Name: b.Name, UF: b.State, Qualified: b.Qualified}
	if b.GDMinimumBill != nil {
		in.GDMinNatural, in.GDMinJuridical = b.GDMinimumBill.Natural, b.GDMinimumBill.Juridical
	}
	return in
}

type planInputBody struct {
	Name            string               `json:"name"`
	FidelityMonths  int                  `json:"fidelityMonths"`
	Discount        string               `json:"discount"`
	OfferedBenefits []catalogBenefitBody `json:"offeredBenefits"`
}

func (b planInputBody) input() PlanInput {
	in := PlanInput{Name: b.Name, FidelityMonths: b.FidelityMonths, Discount: b.Discount}
	for _, o := range b.OfferedBenefits {
		in.Benefits = append(in.Benefits, o.Description)
	}
	return in
}

func reais(cents, fallback int64) string {
	if cents <= 0 {
		cents = fallback
	}
	return strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
}

func (a *API) utilityBody(u Utility) utilityAdminBody {
	b := utilityAdminBody{
		PublicID: u.PublicID, Name: u.Name, State: u.UF, Qualified: u.Qualified,
		GDMinimumBill: gdMinimumBillBody{
			Natural:   reais(u.GDMinNaturalCents, DefaultGDMinNaturalCents),
			Juridical: reais(u.GDMinJuridicalCents, DefaultGDMinJuridicalCents),
		},
		OperationAreas: []string{},
		Plans:          []catalogPlanBody{},
	}
	areas, plans := a.Catalog.AreasAndPlans(u.PublicID)
	for _, code := range areas {
		b.OperationAreas = append(b.OperationAreas, strconv.Itoa(code))
	}
	slices.Sort(b.OperationAreas)
	for _, p := range plans {
		b.Plans = append(b.Plans, toCatalogPlanBody(p))
	}
	return b
}

func (a *API) listUtilities(w http.ResponseWriter, r *http.Request) {
	utilities := a.Catalog.Data().Utilities
	out := make([]utilityAdminBody, 0, len(utilities))
	for _, u := range utilities {
		out = append(out, a.utilityBody(u))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// catalogBodyMax caps JSON bodies of the operator's catalog changes.
const catalogBodyMax = 16 << 10

// answerUtility writes the utility as stored after a change.
func (a *API) answerUtility(w http.ResponseWriter, r *http.Request, status int, id string, err error) {
	if err != nil {
		Render(w, r, err)
		return
	}
	u, _ := a.Catalog.Utility(id)
	httpx.WriteJSON(w, status, a.utilityBody(u))
}

func (a *API) createUtility(w http.ResponseWriter, r *http.Request) {
	var body utilityInputBody
	if !decode(w, r, &body, catalogBodyMax) {
		return
	}
	u, err := a.Catalog.CreateUtility(r.Context(), body.input())
	a.answerUtility(w, r, http.StatusCreated, u.PublicID, err)
}

func (a *API) updateUtility(w http.ResponseWriter, r *http.Request) {
	var body utilityInputBody
	if !decode(w, r, &body, catalogBodyMax) {
		return
	}
	_, err := a.Catalog.UpdateUtility(r.Context(), r.PathValue("id"), body.input())
	a.answerUtility(w, r, http.StatusOK, r.PathValue("id"), err)
}

func (a *API) deleteUtility(w http.ResponseWriter, r *http.Request) {
	noContent(w, r, a.Catalog.DeleteUtility(r.Context(), r.PathValue("id")))
}

func (a *API) addArea(w http.ResponseWriter, r *http.Request) {
	err := a.Catalog.AddArea(r.Context(), r.PathValue("id"), r.PathValue("ibgeCode"))
	a.answerUtility(w, r, http.StatusOK, r.PathValue("id"), err)
}

func (a *API) deleteArea(w http.ResponseWriter, r *http.Request) {
	noContent(w, r, a.Catalog.DeleteArea(r.Context(), r.PathValue("id"), r.PathValue("ibgeCode")))
}

func (a *API) createPlan(w http.ResponseWriter, r *http.Request) {
	var body planInputBody
	if !decode(w, r, &body, catalogBodyMax) {
		return
	}
	p, err := a.Catalog.CreatePlan(r.Context(), r.PathValue("id"), body.input())
	answerPlan(w, r, http.StatusCreated, p, err)
}

func (a *API) updatePlan(w http.ResponseWriter, r *http.Request) {
	id, ok := planID(w, r)
	if !ok {
		return
	}
	var body planInputBody
	if !decode(w, r, &body, catalogBodyMax) {
		return
	}
	p, err := a.Catalog.UpdatePlan(r.Context(), id, body.input())
	answerPlan(w, r, http.StatusOK, p, err)
}

func (a *API) deletePlan(w http.ResponseWriter, r *http.Request) {
	if id, ok := planID(w, r); ok {
		noContent(w, r, a.Catalog.DeletePlan(r.Context(), id))
	}
}

func planID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("planId"), 10, 64)
	if err != nil || id <= 0 {
		Render(w, r, apperr.Field(apperr.Invalid, "planId", "planId deve ser um número inteiro positivo"))
		return 0, false
	}
	return id, true
}

func answerPlan(w http.ResponseWriter, r *http.Request, status int, p Plan, err error) {
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, toCatalogPlanBody(p))
}

func noContent(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		Render(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type thresholdsBody struct {
	FreeMarketMinimumBill string `json:"freeMarketMinimumBill"`
}

func (a *API) getThresholds(w http.ResponseWriter, r *http.Request) {
	t := a.Catalog.Data().Thresholds
	httpx.WriteJSON(w, http.StatusOK, thresholdsBody{FreeMarketMinimumBill: reais(t.FreeMarketMinCents, DefaultFreeMarketMinCents)})
}

func (a *API) setThresholds(w http.ResponseWriter, r *http.Request) {
	var body thresholdsBody
	if !decode(w, r, &body, 4<<10) {
		return
	}
	t, err := a.Catalog.SetFreeMarketMinimum(r.Context(), body.FreeMarketMinimumBill)
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, thresholdsBody{FreeMarketMinimumBill: reais(t.FreeMarketMinCents, DefaultFreeMarketMinCents)})
}
