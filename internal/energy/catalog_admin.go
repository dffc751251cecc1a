package energy

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/changes"
)

// UtilityInput is the commercial data an admin sets on a utility.
type UtilityInput struct {
	Name           string
	UF             string
	Qualified      bool
	GDMinNatural   string // reais, "" = default
	GDMinJuridical string
}

// PlanInput is a plan as an admin writes it.
type PlanInput struct {
	Name           string
	FidelityMonths int
	Discount       string // decimal fraction, "0.14"
	Benefits       []string
}

func (in UtilityInput) validate(id string) (Utility, error) {
	var f apperr.Fields
	u := Utility{PublicID: id, Name: strings.TrimSpace(in.Name), Qualified: in.Qualified}
	if u.Name == "" || len(u.Name) > 120 {
		f.Add("energyUtilityName", "energyUtilityName deve ter de 1 a 120 caracteres")
	}
	uf, ok := brdoc.NormalizeUF(in.UF)
	if !ok {
		f.Add("state", "state deve ser a sigla de um estado brasileiro (UF)")
	}
	u.UF = uf
	for _, m := range []struct {
		field, value string
		dst          *int64
	}{{"gdMinimumBill.natural", in.GDMinNatural, &u.GDMinNaturalCents}, {"gdMinimumBill.juridical", in.GDMinJuridical, &u.GDMinJuridicalCents}} {
		if m.value == "" {
			continue
		}
		cents, ok := ParseBRL(m.value)
		if !ok {
			f.Add(m.field, m.field+" deve ser um valor positivo, como 200 ou 250,50")
		}
		*m.dst = cents
	}
	return u, f.Err(apperr.Invalid)
}

func (in PlanInput) validate() (Plan, error) {
	var f apperr.Fields
	p := Plan{Name: strings.TrimSpace(in.Name), FidelityMonths: in.FidelityMonths}
	if p.Name == "" || len(p.Name) > 120 {
		f.Add("name", "name deve ter de 1 a 120 caracteres")
	}
	if in.FidelityMonths < 0 || in.FidelityMonths > 240 {
		f.Add("fidelityMonths", "fidelityMonths deve estar entre 0 e 240")
	}
	d, err := strconv.ParseFloat(in.Discount, 64)
	if err != nil || d <= 0 || d >= 1 || strings.ContainsAny(in.Discount, "eE+-") || len(in.Discount) > 8 {
		f.Add("discount", `discount deve ser uma fração decimal entre 0 e 1, como "0.14"`)
	}
	p.Discount = in.Discount
	for _, b := range in.Benefits {
		b = strings.TrimSpace(b)
		if b == "" || len(b) > 200 {
			f.Add("offeredBenefits", "cada benefício precisa de uma descrição de 1 a 200 caracteres")
			break
		}
		p.Benefits = append(p.Benefits, b)
	}
	if len(in.Benefits) > 20 {
		f.Add("offeredBenefits", "no máximo 20 benefícios")
	}
	if p.Benefits == nil {
		p.Benefits = []string{}
	}
	return p, f.Err(apperr.Invalid)
}

// changed reloads the snapshot after a successful write, so the next read
// sees it, and tells the other processes on the database (ShareChanges).
func (c *CatalogService) changed(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if c.bus != nil {
		if err := c.bus.Publish(ctx, changes.EnergyCatalog, ""); err != nil {
			c.log.Warn("catalog: publish change", "err", err)
		}
	}
	return c.Reload(ctx)
}

// CreateUtility adds a utility (one ANEEL does not list, or a new name).
func (c *CatalogService) CreateUtility(ctx context.Context, in UtilityInput) (Utility, error) {
	u, err := in.validate(uuid.NewString())
	if err != nil {
		return Utility{}, err
	}
	return u, c.changed(ctx, c.store.CreateUtility(ctx, u))
}

// UpdateUtility replaces a utility's commercial data.
func (c *CatalogService) UpdateUtility(ctx context.Context, id string, in UtilityInput) (Utility, error) {
	if _, ok := c.Utility(id); !ok {
		return Utility{}, errUtilityNotFound(id)
	}
	u, err := in.validate(strings.ToLower(id))
	if err != nil {
		return Utility{}, err
	}
	return u, c.changed(ctx, c.store.UpdateUtility(ctx, u))
}

// DeleteUtility removes a utility with its areas and plans.
func (c *CatalogService) DeleteUtility(ctx context.Context, id string) error {
	if _, ok := c.Utility(id); !ok {
		return errUtilityNotFound(id)
	}
	return c.changed(ctx, c.store.DeleteUtility(ctx, strings.ToLower(id)))
}

// AddArea says a utility serves a municipality (idempotent).
func (c *CatalogService) AddArea(ctx context.Context, id, ibge string) error {
	a, err := c.area(id, ibge)
	if err != nil {
		return err
	}
	_, err = c.store.AddAreas(ctx, []OperationArea{a})
	return c.changed(ctx, err)
}

// DeleteArea removes an operation area.
func (c *CatalogService) DeleteArea(ctx context.Context, id, ibge string) error {
	a, err := c.area(id, ibge)
	if err != nil {
		return err
	}
	return c.changed(ctx, c.store.DeleteArea(ctx, a))
}

func (c *CatalogService) area(id, ibge string) (OperationArea, error) {
	u, ok := c.Utility(id)
	if !ok {
		return OperationArea{}, errUtilityNotFound(id)
	}
	code, err := strconv.Atoi(ibge)
	if _, known := c.geo.Municipality(code); err != nil || !known {
		return OperationArea{}, apperr.Field(apperr.Invalid, "ibgeCode", "ibgeCode deve ser o código IBGE de 7 dígitos de um município")
	}
	return OperationArea{UtilityID: u.PublicID, IBGECode: code}, nil
}

// CreatePlan adds a plan to a utility.
func (c *CatalogService) CreatePlan(ctx context.Context, utilityID string, in PlanInput) (Plan, error) {
	u, ok := c.Utility(utilityID)
	if !ok {
		return Plan{}, errUtilityNotFound(utilityID)
	}
	p, err := in.validate()
	if err != nil {
		return Plan{}, err
	}
	p.UtilityID = u.PublicID
	p, err = c.store.CreatePlan(ctx, p)
	return p, c.changed(ctx, err)
}

// UpdatePlan replaces a plan.
func (c *CatalogService) UpdatePlan(ctx context.Context, id int64, in PlanInput) (Plan, error) {
	old, ok := c.Plan(id)
	if !ok {
		return Plan{}, apperr.New(apperr.NotFound, "plano %d não encontrado", id)
	}
	p, err := in.validate()
	if err != nil {
		return Plan{}, err
	}
	p.ID, p.UtilityID = old.ID, old.UtilityID
	return p, c.changed(ctx, c.store.UpdatePlan(ctx, p))
}

// DeletePlan removes a plan.
func (c *CatalogService) DeletePlan(ctx context.Context, id int64) error {
	if _, ok := c.Plan(id); !ok {
		return apperr.New(apperr.NotFound, "plano %d não encontrado", id)
	}
	return c.changed(ctx, c.store.DeletePlan(ctx, id))
}

// SetFreeMarketMinimum sets the free-market threshold ("" = the default).
func (c *CatalogService) SetFreeMarketMinimum(ctx context.Context, value string) (Thresholds, error) {
	var t Thresholds
	if value != "" {
		cents, ok := ParseBRL(value)
		if !ok {
			return t, apperr.Field(apperr.Invalid, "freeMarketMinimumBill", "freeMarketMinimumBill deve ser um valor positivo, como 10000")
		}
		t.FreeMarketMinCents = cents
	}
	return t, c.changed(ctx, c.store.SaveThresholds(ctx, t))
}
