package provedor

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
)

// editor is a record edited through a form. Plans and coupons take the
// same shape: a form filled from the record, parsed back over it (only
// what the form cannot even read is refused here), and saved by the
// storefront.Service method the admin API calls, whose messages show next
// to their fields. One pair of handlers serves both.
type editor[T any] struct {
	page, noun, list string // the template, "plano", the list's path
	labels           map[string]string
	// find returns the record of id; new is the zero value.
	find   func(ctx context.Context, h *Handler, providerID, id int64) (T, error)
	values func(T) url.Values
	// parse reads the form over v, adding to errs what it cannot read.
	parse func(f url.Values, v T, errs *apperr.Fields) T
	store func(ctx context.Context, h *Handler, providerID int64, v T) (T, error)
	// remove deletes the record of id (refused while subscriptions name it).
	remove func(ctx context.Context, h *Handler, providerID, id int64) error
	// choices are the form's checkbox lists, by field.
	choices func(c *console) map[string][]choice
}

// choice is one checkbox of a list.
type choice struct {
	ID   int64
	Name string
}

// formView is an edit page's data: the form and its checkbox lists.
type formView struct {
	*web.Form
	New            bool
	Noun, Action   string
	Choices        map[string][]choice
	Saved, ListURL string
}

// record reads {id}: "novo" is a new record (0); anything else must be a
// positive id, or the page is not found.
func (e editor[T]) record(r *http.Request, h *Handler, c *console) (T, int64, error) {
	var zero T
	s := r.PathValue("id")
	if s == "novo" {
		return zero, 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return zero, 0, apperr.New(apperr.NotFound, "not found")
	}
	v, err := e.find(r.Context(), h, c.Provider.ID, id)
	return v, id, err
}

func (e editor[T]) view(r *http.Request, c *console, id int64, f *web.Form) formView {
	action := e.list + "/novo"
	if id != 0 {
		action = e.list + "/" + strconv.FormatInt(id, 10)
	}
	return formView{Form: f, New: id == 0, Noun: e.noun, Action: action, Choices: e.choices(c), ListURL: e.list,
		Saved: r.URL.Query().Get("salvo")}
}

func (e editor[T]) title(id int64) string {
	if id == 0 {
		return "Novo " + e.noun
	}
	return "Editar " + e.noun
}

// edit: GET the form of a record (or of a new one).
func (e editor[T]) edit(h *Handler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, c *console) {
		v, id, err := e.record(r, h, c)
		if err != nil {
			web.Render(w, r, err)
			return
		}
		h.render(w, r, http.StatusOK, e.page, e.title(id), c, e.view(r, c, id, web.NewForm(e.values(v), e.labels)))
	}
}

// save: POST the form. Saved, it returns to the record's page (303);
// refused, the form again with the messages and the values sent.
func (e editor[T]) save(h *Handler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, c *console) {
		v, id, err := e.record(r, h, c)
		if err != nil {
			web.Render(w, r, err)
			return
		}
		var errs apperr.Fields
		v = e.parse(r.PostForm, v, &errs)
		err = errs.Err(apperr.Unprocessable)
		var saved T
		if err == nil {
			saved, err = e.store(r.Context(), h, c.Provider.ID, v)
		}
		f := web.NewForm(r.PostForm, e.labels)
		switch {
		case err == nil:
			web.SeeOther(w, r, e.list+"/"+strconv.FormatInt(e.idOf(saved), 10)+"?salvo=1")
		case f.Fail(err):
			h.render(w, r, apperr.HTTPStatus(apperr.CodeOf(err)), e.page, e.title(id), c, e.view(r, c, id, f))
		default:
			web.Render(w, r, err)
		}
	}
}

// delete: POST …/{id}/excluir. Deleted, back to the list (303); refused
// (subscriptions name it), the form with the service's message.
func (e editor[T]) delete(h *Handler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, c *console) {
		v, id, err := e.record(r, h, c)
		if err == nil && id == 0 {
			err = apperr.New(apperr.NotFound, "not found")
		}
		if err == nil {
			err = e.remove(r.Context(), h, c.Provider.ID, id)
		}
		f := web.NewForm(e.values(v), e.labels)
		switch {
		case err == nil:
			web.SeeOther(w, r, e.list+"?excluido=1")
		case f.Fail(err):
			h.render(w, r, apperr.HTTPStatus(apperr.CodeOf(err)), e.page, e.title(id), c, e.view(r, c, id, f))
		default:
			web.Render(w, r, err)
		}
	}
}

// idOf is the saved record's id, read back through its form values.
func (e editor[T]) idOf(v T) int64 {
	id, _ := strconv.ParseInt(e.values(v).Get("id"), 10, 64)
	return id
}

// --- plans ---

var plans = editor[storefront.Plan]{
	page: "plano", noun: "plano", list: Base + "planos",
	labels: map[string]string{
		"nome": "Nome", "mensalidade": "Mensalidade", "velocidade_download": "Download (Mega)",
		"velocidade_upload": "Upload (Mega)", "taxa_instalacao_a_vista": "Instalação à vista",
		"taxa_instalacao_parcelada": "Instalação parcelada", "mensalidade_observacao": "Observação da mensalidade",
		"detalhes_linha1": "Detalhe 1", "detalhes_linha2": "Detalhe 2", "detalhes_linha3": "Detalhe 3",
		"titulo": "Título", "category_ids": "Categorias", "payment_method_ids": "Formas de pagamento",
		"service_ids": "Serviços", "base": "Plano",
	},
	find: func(ctx context.Context, h *Handler, providerID, id int64) (storefront.Plan, error) {
		c, err := h.svc.Catalog(ctx, providerID)
		if err != nil {
			return storefront.Plan{}, err
		}
		for _, p := range c.Plans {
			if p.ID == id {
				return p, nil
			}
		}
		return storefront.Plan{}, apperr.New(apperr.NotFound, "not found")
	},
	values: func(p storefront.Plan) url.Values {
		v := url.Values{
			"id": {strconv.FormatInt(p.ID, 10)}, "nome": {p.Name},
			"velocidade_download": {speed(p.DownloadSpeed)}, "velocidade_upload": {speed(p.UploadSpeed)},
			"taxa_instalacao_a_vista": {p.InstallationFeeUpfront}, "taxa_instalacao_parcelada": {p.InstallationFeeInstallments},
			"mensalidade_observacao": {p.PriceNote}, "detalhes_linha1": {p.DetailLine1}, "detalhes_linha2": {p.DetailLine2},
			"detalhes_linha3": {p.DetailLine3}, "titulo": {p.Title},
			"category_ids": ids(p.CategoryIDs), "payment_method_ids": ids(p.PaymentMethodIDs), "service_ids": ids(p.ServiceIDs),
		}
		if p.ID != 0 {
			// As typed: "1234,50", which ParsePrice reads back.
			v.Set("mensalidade", fmt.Sprintf("%d,%02d", p.MonthlyPriceCents/100, p.MonthlyPriceCents%100))
		}
		return v
	},
	parse: func(f url.Values, p storefront.Plan, errs *apperr.Fields) storefront.Plan {
		p.Name = f.Get("nome")
		price := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(f.Get("mensalidade")), "R$"))
		cents, ok := storefront.ParsePrice(price)
		if !ok {
			errs.Add("mensalidade", "deve ser um valor como 29,90")
		}
		p.MonthlyPriceCents = cents
		p.DownloadSpeed = readInt(f, "velocidade_download", errs)
		p.UploadSpeed = readInt(f, "velocidade_upload", errs)
		p.InstallationFeeUpfront, p.InstallationFeeInstallments = f.Get("taxa_instalacao_a_vista"), f.Get("taxa_instalacao_parcelada")
		p.PriceNote, p.Title = f.Get("mensalidade_observacao"), f.Get("titulo")
		p.DetailLine1, p.DetailLine2, p.DetailLine3 = f.Get("detalhes_linha1"), f.Get("detalhes_linha2"), f.Get("detalhes_linha3")
		p.CategoryIDs = readIDs(f, "category_ids", errs)
		p.PaymentMethodIDs = readIDs(f, "payment_method_ids", errs)
		p.ServiceIDs = readIDs(f, "service_ids", errs)
		return p
	},
	store: func(ctx context.Context, h *Handler, providerID int64, p storefront.Plan) (storefront.Plan, error) {
		return h.svc.SavePlan(ctx, providerID, p)
	},
	remove: func(ctx context.Context, h *Handler, providerID, id int64) error {
		return h.svc.DeletePlan(ctx, providerID, id)
	},
	choices: func(c *console) map[string][]choice {
		return map[string][]choice{
			"category_ids": items(c.Categories), "payment_method_ids": items(c.PaymentMethods), "service_ids": items(c.Services),
		}
	},
}

// plans: GET /provedor/planos.
func (h *Handler) plans(w http.ResponseWriter, r *http.Request, c *console) {
	h.render(w, r, http.StatusOK, "planos", "Planos", c, listPage{Items: c.Plans, Deleted: r.URL.Query().Has("excluido")})
}

// --- coupons ---

// brasilia is the zone coupon dates are read in: a coupon valid from a
// day is valid from its first minute in Brazil, until its last.
var brasilia = time.FixedZone("BRT", -3*60*60)

var coupons = editor[storefront.Coupon]{
	page: "cupom", noun: "cupom", list: Base + "cupons",
	labels: map[string]string{
		"name": "Código", "description": "Descrição", "plan_ids": "Planos",
		"valid_from": "Válido de", "valid_until": "Válido até", "max_redemptions": "Limite de usos", "base": "Cupom",
	},
	find: func(ctx context.Context, h *Handler, providerID, id int64) (storefront.Coupon, error) {
		return h.svc.Coupon(ctx, providerID, id)
	},
	values: func(c storefront.Coupon) url.Values {
		v := url.Values{"id": {strconv.FormatInt(c.ID, 10)}, "name": {c.Name}, "description": {c.Description},
			"plan_ids": ids(c.PlanIDs), "valid_from": {web.Date(c.ValidFrom)}, "valid_until": {web.Date(c.ValidUntil)}}
		if c.MaxRedemptions != nil {
			v.Set("max_redemptions", strconv.Itoa(*c.MaxRedemptions))
		}
		return v
	},
	parse: func(f url.Values, c storefront.Coupon, errs *apperr.Fields) storefront.Coupon {
		c.Name, c.Description = f.Get("name"), f.Get("description")
		c.PlanIDs = readIDs(f, "plan_ids", errs)
		c.ValidFrom = readDate(f, "valid_from", 0, errs)
		c.ValidUntil = readDate(f, "valid_until", 24*time.Hour-time.Second, errs)
		c.MaxRedemptions = nil
		if strings.TrimSpace(f.Get("max_redemptions")) != "" {
			n := readInt(f, "max_redemptions", errs)
			c.MaxRedemptions = &n
		}
		return c
	},
	store: func(ctx context.Context, h *Handler, providerID int64, c storefront.Coupon) (storefront.Coupon, error) {
		return h.svc.SaveCoupon(ctx, providerID, c)
	},
	remove: func(ctx context.Context, h *Handler, providerID, id int64) error {
		return h.svc.DeleteCoupon(ctx, providerID, id)
	},
	choices: func(c *console) map[string][]choice {
		out := make([]choice, 0, len(c.Plans))
		for _, p := range c.Plans {
			out = append(out, choice{ID: p.ID, Name: p.Name})
		}
		return map[string][]choice{"plan_ids": out}
	},
}

// coupons: GET /provedor/cupons.
func (h *Handler) coupons(w http.ResponseWriter, r *http.Request, c *console) {
	list, err := h.svc.Coupons(r.Context(), c.Provider.ID)
	if err != nil {
		web.Render(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "cupons", "Cupons", c, listPage{Items: list, Deleted: r.URL.Query().Has("excluido")})
}

// listPage is a list of plans or coupons, after a deletion or not.
type listPage struct {
	Items   any
	Deleted bool
}

// --- reading forms ---

func speed(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func ids(list []int64) []string {
	out := make([]string, len(list))
	for i, id := range list {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

func items(list []storefront.Item) []choice {
	out := make([]choice, 0, len(list))
	for _, it := range list {
		out = append(out, choice{ID: it.ID, Name: it.Name})
	}
	return out
}

// readInt reads a whole number, 0 when empty.
func readInt(f url.Values, field string, errs *apperr.Fields) int {
	s := strings.TrimSpace(f.Get(field))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 1_000_000_000 {
		errs.Add(field, "deve ser um número inteiro")
	}
	return n
}

// readIDs reads the checked boxes of a list.
func readIDs(f url.Values, field string, errs *apperr.Fields) []int64 {
	var out []int64
	for _, s := range f[field] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			errs.Add(field, "opção inválida")
			continue
		}
		out = append(out, id)
	}
	return out
}

// readDate reads dd/mm/aaaa as that day's start in Brasília, plus offset;
// empty is the zero time (no bound).
func readDate(f url.Values, field string, offset time.Duration, errs *apperr.Fields) time.Time {
	s := strings.TrimSpace(f.Get(field))
	if s == "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation("02/01/2006", s, brasilia)
	if err != nil {
		errs.Add(field, "deve ser uma data como 31/12/2026")
		return time.Time{}
	}
	return d.Add(offset).UTC()
}
