package admin

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/audit"
	"partnership-service/internal/energy"
	"partnership-service/internal/energyref"
	"partnership-service/internal/web"
)

// catalogLabels name the GD catalog's fields as an operator reads them;
// the inputs carry the energy admin API's field names.
var catalogLabels = map[string]string{
	"energyUtilityName":       "Nome",
	"state":                   "UF",
	"energyUtilityQualified":  "Vende GD na área",
	"gdMinimumBill.natural":   "Conta mínima GD, pessoa física (R$)",
	"gdMinimumBill.juridical": "Conta mínima GD, pessoa jurídica (R$)",
	"freeMarketMinimumBill":   "Conta mínima para o Mercado Livre (R$)",
	"name":                    "Nome do plano",
	"fidelityMonths":          "Fidelidade (meses)",
	"discount":                "Desconto (fração, como 0.14)",
	"offeredBenefits":         "Benefícios (um por linha)",
	"arquivo":                 "Arquivo CSV",
	"base":                    "Catálogo",
}

func catalogForm(v url.Values) *web.Form { return web.NewForm(v, catalogLabels) }

// reais shows cents as a form field holds an amount: "1234,56"; 0 is ""
// (the default applies).
func reais(cents int64) string {
	if cents == 0 {
		return ""
	}
	return strconv.FormatInt(cents/100, 10) + "," + twoDigits(cents%100)
}

func twoDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

// --- the catalog: utilities, the free-market threshold, the areas import ---

type catalogView struct {
	Utilities  []energy.Utility
	Threshold  *web.Form
	Import     *web.Form
	ImportPath string
	Report     *energy.ImportReport
}

func (h *Handler) catalogPage(q *request) {
	h.renderCatalog(q, http.StatusOK, catalogView{Threshold: h.thresholdForm(nil)})
}

func (h *Handler) thresholdForm(v url.Values) *web.Form {
	if v == nil {
		v = url.Values{"freeMarketMinimumBill": {reais(h.cfg.Catalog.Data().Thresholds.FreeMarketMinCents)}}
	}
	return catalogForm(v)
}

func (h *Handler) renderCatalog(q *request, status int, v catalogView) {
	v.Utilities = slices.Clone(h.cfg.Catalog.Data().Utilities)
	slices.SortFunc(v.Utilities, func(a, b energy.Utility) int { return strings.Compare(a.Name, b.Name) })
	if v.Import == nil {
		v.Import = catalogForm(nil)
	}
	// The upload is streamed, so its CSRF token travels in the URL.
	v.ImportPath = Base + "catalogo/areas?" + url.Values{web.CSRFField: {h.cfg.CSRF.Token(q.w, q.r)}}.Encode()
	h.render(q, status, "catalog", "catalogo", "Catálogo GD", v)
}

// setThreshold is PUT /admin/energy/thresholds'.
func (h *Handler) setThreshold(q *request) {
	f := catalogForm(q.r.PostForm)
	value := strings.TrimSpace(f.Values.Get("freeMarketMinimumBill"))
	before := reais(h.cfg.Catalog.Data().Thresholds.FreeMarketMinCents)
	err := h.change(q, "Limite do Mercado Livre alterado", "Catálogo GD", audit.Fields{catalogLabels["freeMarketMinimumBill"]: before},
		audit.Fields{catalogLabels["freeMarketMinimumBill"]: value}, func(ctx context.Context) error {
			_, err := h.cfg.Catalog.SetFreeMarketMinimum(ctx, value)
			return err
		})
	if err != nil {
		h.failed(q, err, f, func(status int) { h.renderCatalog(q, status, catalogView{Threshold: f}) })
		return
	}
	q.redirect(Base + "catalogo#mercado-livre")
}

// importAreas is partnership catalog import-areas on an uploaded file:
// the same reader (energyref.AreaFile), the same import and its report.
// The file is read as it arrives, so the upload's progress (forms.js
// shows it) is the import's.
func (h *Handler) importAreas(q *request) {
	if !h.cfg.CSRF.Valid(q.r, q.r.URL.Query().Get(web.CSRFField)) {
		web.RenderError(q.w, q.r, http.StatusForbidden)
		return
	}
	f := catalogForm(nil)
	fail := func(status int, msg string) {
		f.Errors["arquivo"] = []string{msg}
		h.renderCatalog(q, status, catalogView{Threshold: h.thresholdForm(nil), Import: f})
	}
	mr, err := q.r.MultipartReader()
	if err != nil {
		fail(http.StatusBadRequest, "envie o arquivo pelo formulário")
		return
	}
	dryRun := false
	var part *multipart.Part
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail(http.StatusBadRequest, "o envio chegou incompleto; tente de novo")
			return
		}
		if p.FormName() == "simulacao" {
			dryRun = true
			continue
		}
		if p.FormName() == "arquivo" && p.FileName() != "" {
			part = p
			break
		}
	}
	if part == nil {
		fail(http.StatusUnprocessableEntity, "escolha um arquivo CSV")
		return
	}
	file, err := energyref.OpenAreaFile(part, energyref.DefaultAreaColumns)
	if err != nil {
		fail(http.StatusUnprocessableEntity, err.Error())
		return
	}
	var rep energy.ImportReport
	run := func(ctx context.Context) (err error) {
		rep, err = h.cfg.Catalog.ImportAreas(ctx, file, energy.AreaImportOptions{DryRun: dryRun})
		return err
	}
	if dryRun { // a check, no change: nothing to record
		err = run(q.r.Context())
	} else {
		err = h.change(q, "Áreas importadas", "Catálogo GD", nil, audit.Fields{"Arquivo": part.FileName()}, run)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(http.StatusRequestEntityTooLarge, "o arquivo passou do tamanho máximo")
			return
		}
		if e := apperr.As(err); e.Code == apperr.Internal {
			web.Render(q.w, q.r, err)
			return
		}
		fail(http.StatusUnprocessableEntity, err.Error())
		return
	}
	h.renderCatalog(q, http.StatusOK, catalogView{Threshold: h.thresholdForm(nil), Report: &rep})
}

// --- a utility and its plans ---

type utilityRequest struct {
	*request
	utility energy.Utility
}

func (h *Handler) utility(next func(u *utilityRequest)) handler {
	return func(q *request) {
		u, ok := h.cfg.Catalog.Utility(q.r.PathValue("utility"))
		if !ok {
			web.RenderError(q.w, q.r, http.StatusNotFound)
			return
		}
		next(&utilityRequest{request: q, utility: u})
	}
}

type utilityView struct {
	Utility energy.Utility
	Path    string
	Form    *web.Form
	Plans   []energy.Plan
	NewPlan *web.Form
}

func utilityFields(u energy.Utility) url.Values {
	v := url.Values{"energyUtilityName": {u.Name}, "state": {u.UF},
		"gdMinimumBill.natural": {reais(u.GDMinNaturalCents)}, "gdMinimumBill.juridical": {reais(u.GDMinJuridicalCents)}}
	if u.Qualified {
		v.Set("energyUtilityQualified", "sim")
	}
	return v
}

func utilityPath(id string) string { return Base + "catalogo/distribuidoras/" + id }

func (h *Handler) utilityPage(u *utilityRequest) {
	h.renderUtility(u, http.StatusOK, catalogForm(utilityFields(u.utility)), catalogForm(nil))
}

func (h *Handler) renderUtility(u *utilityRequest, status int, f, newPlan *web.Form) {
	_, plans, _ := h.cfg.Catalog.PlansOf(u.utility.PublicID)
	h.render(u.request, status, "utility", "catalogo", u.utility.Name, utilityView{Utility: u.utility,
		Path: utilityPath(u.utility.PublicID), Form: f, Plans: plans, NewPlan: newPlan})
}

// updateUtility is PUT /admin/energy/utilities/{id}'s.
func (h *Handler) updateUtility(u *utilityRequest) {
	f := catalogForm(u.r.PostForm)
	in := energy.UtilityInput{Name: f.Values.Get("energyUtilityName"), UF: f.Values.Get("state"),
		Qualified:    f.Values.Get("energyUtilityQualified") == "sim",
		GDMinNatural: strings.TrimSpace(f.Values.Get("gdMinimumBill.natural")), GDMinJuridical: strings.TrimSpace(f.Values.Get("gdMinimumBill.juridical"))}
	after := catalogFields(url.Values{"energyUtilityName": {strings.TrimSpace(in.Name)}, "state": {strings.ToUpper(strings.TrimSpace(in.UF))},
		"gdMinimumBill.natural": {in.GDMinNatural}, "gdMinimumBill.juridical": {in.GDMinJuridical}})
	after[catalogLabels["energyUtilityQualified"]] = yesNo(in.Qualified)
	before := catalogFields(utilityFields(u.utility))
	before[catalogLabels["energyUtilityQualified"]] = yesNo(u.utility.Qualified)
	err := h.change(u.request, "Distribuidora alterada", u.utility.Name, before, after, func(ctx context.Context) error {
		_, err := h.cfg.Catalog.UpdateUtility(ctx, u.utility.PublicID, in)
		return err
	})
	if err != nil {
		h.failed(u.request, err, f, func(status int) { h.renderUtility(u, status, f, catalogForm(nil)) })
		return
	}
	u.redirect(utilityPath(u.utility.PublicID))
}

func yesNo(b bool) string {
	if b {
		return "sim"
	}
	return "não"
}

// planInput reads a GD plan's form as the admin API reads its body: a
// fidelity that is no whole number goes to the service as -1, which it
// refuses with its own message; benefits one per line.
func planInput(v url.Values) energy.PlanInput {
	in := energy.PlanInput{Name: v.Get("name"), Discount: strings.TrimSpace(v.Get("discount")), FidelityMonths: -1}
	if n, err := strconv.Atoi(strings.TrimSpace(v.Get("fidelityMonths"))); err == nil {
		in.FidelityMonths = n
	}
	for _, line := range strings.Split(v.Get("offeredBenefits"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Benefits = append(in.Benefits, line)
		}
	}
	return in
}

func gdPlanFields(p energy.Plan) url.Values {
	return url.Values{"name": {p.Name}, "fidelityMonths": {strconv.Itoa(p.FidelityMonths)}, "discount": {p.Discount},
		"offeredBenefits": {strings.Join(p.Benefits, "\n")}}
}

// createGDPlan is POST /admin/energy/utilities/{id}/plans'.
func (h *Handler) createGDPlan(u *utilityRequest) {
	f := catalogForm(u.r.PostForm)
	in := planInput(f.Values)
	err := h.change(u.request, "Plano GD criado", u.utility.Name+" · "+strings.TrimSpace(in.Name), nil,
		catalogFields(gdPlanFields(energy.Plan{Name: in.Name, FidelityMonths: in.FidelityMonths, Discount: in.Discount, Benefits: in.Benefits})),
		func(ctx context.Context) error {
			_, err := h.cfg.Catalog.CreatePlan(ctx, u.utility.PublicID, in)
			return err
		})
	if err != nil {
		h.failed(u.request, err, f, func(status int) { h.renderUtility(u, status, catalogForm(utilityFields(u.utility)), f) })
		return
	}
	u.redirect(utilityPath(u.utility.PublicID) + "#planos")
}

// --- a GD plan ---

type gdPlanRequest struct {
	*request
	plan    energy.Plan
	utility energy.Utility
}

func (h *Handler) gdPlan(next func(p *gdPlanRequest)) handler {
	return func(q *request) {
		id, ok := pathID(q, "plan")
		if !ok {
			return
		}
		p, found := h.cfg.Catalog.Plan(id)
		u, _ := h.cfg.Catalog.Utility(p.UtilityID)
		if !found {
			web.RenderError(q.w, q.r, http.StatusNotFound)
			return
		}
		next(&gdPlanRequest{request: q, plan: p, utility: u})
	}
}

type gdPlanView struct {
	Plan    energy.Plan
	Utility energy.Utility
	Back    string
	Form    *web.Form
}

func (h *Handler) gdPlanPage(p *gdPlanRequest) {
	h.renderGDPlan(p, http.StatusOK, catalogForm(gdPlanFields(p.plan)))
}

func (h *Handler) renderGDPlan(p *gdPlanRequest, status int, f *web.Form) {
	h.render(p.request, status, "gdplan", "catalogo", p.plan.Name+" · "+p.utility.Name,
		gdPlanView{Plan: p.plan, Utility: p.utility, Back: utilityPath(p.utility.PublicID), Form: f})
}

// updateGDPlan is PUT /admin/energy/plans/{id}'s.
func (h *Handler) updateGDPlan(p *gdPlanRequest) {
	f := catalogForm(p.r.PostForm)
	in := planInput(f.Values)
	err := h.change(p.request, "Plano GD alterado", p.utility.Name+" · "+p.plan.Name, catalogFields(gdPlanFields(p.plan)),
		catalogFields(gdPlanFields(energy.Plan{Name: strings.TrimSpace(in.Name), FidelityMonths: in.FidelityMonths, Discount: in.Discount, Benefits: in.Benefits})),
		func(ctx context.Context) error {
			_, err := h.cfg.Catalog.UpdatePlan(ctx, p.plan.ID, in)
			return err
		})
	if err != nil {
		h.failed(p.request, err, f, func(status int) { h.renderGDPlan(p, status, f) })
		return
	}
	p.redirect(utilityPath(p.utility.PublicID) + "#planos")
}

// catalogFields are a form's values by their labels, as the trail shows
// them.
func catalogFields(v url.Values) audit.Fields { return labelledBy(v, catalogLabels) }
