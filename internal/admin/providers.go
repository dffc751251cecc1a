package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/audit"
	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
)

// providerLabels name the storefront's fields as an operator reads them;
// the inputs carry the admin API's field names, so the service's messages
// land next to them.
var providerLabels = map[string]string{
	"nome":                      "Nome",
	"origin":                    "Origem (endereço do site)",
	"url":                       "Nova origem",
	"slug":                      "Endereço da loja (/loja/…)",
	"token":                     "Token",
	"base":                      "Origens",
	"mensalidade":               "Mensalidade (R$)",
	"velocidade_download":       "Download (Mega)",
	"velocidade_upload":         "Upload (Mega)",
	"taxa_instalacao_a_vista":   "Instalação à vista",
	"taxa_instalacao_parcelada": "Instalação parcelada",
	"detalhes_linha1":           "Detalhe 1",
	"detalhes_linha2":           "Detalhe 2",
	"detalhes_linha3":           "Detalhe 3",
}

func providerForm(v url.Values) *web.Form { return web.NewForm(v, providerLabels) }

// --- the list and the creation ---

type providersView struct {
	Providers []storefront.Provider
	Form      *web.Form
}

func (h *Handler) providersPage(q *request) { h.renderProviders(q, http.StatusOK, providerForm(nil)) }

func (h *Handler) renderProviders(q *request, status int, f *web.Form) {
	list, err := h.cfg.Storefront.Providers(q.r.Context())
	if err != nil {
		web.Render(q.w, q.r, err)
		return
	}
	h.render(q, status, "providers", "provedores", "Provedores", providersView{Providers: list, Form: f})
}

// createProvider is partnership provider create: a name, the first
// origin, and a slug when the provider has storefront pages.
func (h *Handler) createProvider(q *request) {
	f := providerForm(q.r.PostForm)
	name, origin, slug := f.Values.Get("nome"), f.Values.Get("origin"), f.Values.Get("slug")
	var created storefront.Provider
	err := h.change(q, "Provedor criado", strings.TrimSpace(name), nil,
		audit.Fields{"Nome": name, "Origem": origin, "Endereço da loja": slug}, func(ctx context.Context) (err error) {
			created, err = h.cfg.Storefront.CreateProvider(ctx, name, origin, slug)
			return err
		})
	if err != nil {
		h.failed(q, err, f, func(status int) { h.renderProviders(q, status, f) })
		return
	}
	q.redirect(providerPath(created.ID))
}

func providerPath(id int64) string { return Base + "provedores/" + strconv.FormatInt(id, 10) }

// --- one provider ---

type providerRequest struct {
	*request
	catalog *storefront.Catalog
}

// provider resolves {provider}: an unknown one is a 404.
func (h *Handler) provider(next func(p *providerRequest)) handler {
	return func(q *request) {
		id, ok := pathID(q, "provider")
		if !ok {
			return
		}
		c, err := h.cfg.Storefront.Catalog(q.r.Context(), id)
		if err != nil {
			web.Render(q.w, q.r, err)
			return
		}
		next(&providerRequest{request: q, catalog: c})
	}
}

type tokenView struct {
	ID                            string
	Created, Expires, RevokedDate string
	Live                          bool
}

type providerView struct {
	Provider  storefront.Provider
	Path      string
	Origins   []storefront.Origin
	Plans     []planRow
	Tokens    []tokenView
	Form      *web.Form // name and slug
	Origin    *web.Form // a new origin
	TokenForm *web.Form // issue and revoke messages
	NewToken  string    // the token just issued: shown this once
	LojaURL   string
}

type planRow struct {
	ID    int64
	Name  string
	Price int64
	Path  string
}

func (h *Handler) providerPage(p *providerRequest) { h.renderProvider(p, http.StatusOK, p.forms()) }

// forms are the provider page's forms as a GET shows them; a refused post
// replaces its own.
func (p *providerRequest) forms() providerView {
	prov := p.catalog.Provider
	return providerView{Form: providerForm(url.Values{"nome": {prov.Name}, "slug": {prov.Slug}}), Origin: providerForm(nil),
		TokenForm: providerForm(nil)}
}

// refused answers a post the service refused: the provider page again,
// with f (which set puts in its place) carrying the service's messages.
func (h *Handler) refused(p *providerRequest, err error, f *web.Form, set func(v *providerView)) {
	h.failed(p.request, err, f, func(status int) {
		v := p.forms()
		set(&v)
		h.renderProvider(p, status, v)
	})
}

// renderProvider fills v with the provider's origins, plans and tokens
// and renders its page.
func (h *Handler) renderProvider(p *providerRequest, status int, v providerView) {
	c := p.catalog
	tokens, err := h.cfg.Storefront.Tokens(p.r.Context(), c.Provider.ID)
	if err != nil {
		web.Render(p.w, p.r, err)
		return
	}
	v.Provider, v.Origins, v.Path = c.Provider, c.Origins, providerPath(c.Provider.ID)
	if c.Provider.Slug != "" {
		v.LojaURL = "/loja/" + c.Provider.Slug
	}
	for _, pl := range c.Plans {
		v.Plans = append(v.Plans, planRow{ID: pl.ID, Name: pl.Name, Price: pl.MonthlyPriceCents,
			Path: v.Path + "/planos/" + strconv.FormatInt(pl.ID, 10)})
	}
	now := h.now()
	for _, t := range tokens {
		v.Tokens = append(v.Tokens, tokenView{ID: storefront.TokenID(t), Created: web.Date(t.CreatedAt), Expires: web.Date(t.ExpiresAt),
			RevokedDate: web.Date(t.RevokedAt), Live: t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || t.ExpiresAt.After(now))})
	}
	h.render(p.request, status, "provider", "provedores", c.Provider.Name, v)
}

// updateProvider saves the name and slug (PUT /api/v2/admin/provider's),
// keeping the branding and due days as they are.
func (h *Handler) updateProvider(p *providerRequest) {
	f := providerForm(p.r.PostForm)
	prov := p.catalog.Provider
	before := audit.Fields{"Nome": prov.Name, "Endereço da loja": prov.Slug}
	prov.Name, prov.Slug = f.Values.Get("nome"), f.Values.Get("slug")
	err := h.change(p.request, "Provedor alterado", p.catalog.Provider.Name, before,
		audit.Fields{"Nome": strings.TrimSpace(prov.Name), "Endereço da loja": strings.TrimSpace(prov.Slug)}, func(ctx context.Context) error {
			_, err := h.cfg.Storefront.UpdateProvider(ctx, prov)
			return err
		})
	if err != nil {
		h.refused(p, err, f, func(v *providerView) { v.Form = f })
		return
	}
	p.redirect(providerPath(prov.ID))
}

// addOrigin registers another origin (POST /api/v2/admin/origins').
func (h *Handler) addOrigin(p *providerRequest) {
	f := providerForm(p.r.PostForm)
	u := f.Values.Get("url")
	err := h.change(p.request, "Origem adicionada", p.catalog.Provider.Name, nil, audit.Fields{"Origem": u},
		func(ctx context.Context) error {
			_, err := h.cfg.Storefront.AddOrigin(ctx, p.catalog.Provider.ID, u)
			return err
		})
	if err != nil {
		h.refused(p, err, f, func(v *providerView) { v.Origin = f })
		return
	}
	p.redirect(providerPath(p.catalog.Provider.ID))
}

// removeOrigin is DELETE /api/v2/admin/origins/{id}'s; the service keeps
// the last origin, with its message.
func (h *Handler) removeOrigin(p *providerRequest) {
	o, ok := pathItem(p.request, "origin", p.catalog.Origins, func(o storefront.Origin) int64 { return o.ID })
	if !ok {
		return
	}
	err := h.change(p.request, "Origem removida", p.catalog.Provider.Name, audit.Fields{"Origem": o.URL}, nil,
		func(ctx context.Context) error {
			return h.cfg.Storefront.DeleteOrigin(ctx, p.catalog.Provider.ID, o.ID)
		})
	if err != nil {
		f := providerForm(nil)
		h.refused(p, err, f, func(v *providerView) { v.Origin = f })
		return
	}
	p.redirect(providerPath(p.catalog.Provider.ID) + "#origens")
}

// issueToken is partnership provider token: the page that answers shows
// the token this once (it is never stored, only its hash); the trail
// records its id and expiry, never the token.
func (h *Handler) issueToken(p *providerRequest) {
	id := p.catalog.Provider.ID
	var token string
	err := h.change(p.request, "Token de administração emitido", p.catalog.Provider.Name, nil,
		audit.Fields{"Validade": web.Date(h.now().Add(storefront.DefaultTokenTTL))}, func(ctx context.Context) (err error) {
			token, err = h.cfg.Storefront.IssueProviderToken(ctx, id, storefront.DefaultTokenTTL)
			return err
		})
	if err != nil {
		web.Render(p.w, p.r, err)
		return
	}
	v := p.forms()
	v.NewToken = token
	h.renderProvider(p, http.StatusOK, v)
}

// revokeToken is partnership provider token revoke, by the token's id.
func (h *Handler) revokeToken(p *providerRequest) {
	tid := p.r.PathValue("token")
	if len(tid) != 16 || strings.Trim(tid, "0123456789abcdef") != "" {
		web.RenderError(p.w, p.r, http.StatusNotFound)
		return
	}
	err := h.change(p.request, "Token de administração revogado", fmt.Sprintf("%s · token %s", p.catalog.Provider.Name, tid),
		audit.Fields{"Situação": "ativo"}, audit.Fields{"Situação": "revogado"}, func(ctx context.Context) error {
			return h.cfg.Storefront.RevokeProviderToken(ctx, p.catalog.Provider.ID, tid)
		})
	if err != nil {
		f := providerForm(nil)
		h.refused(p, err, f, func(v *providerView) { v.TokenForm = f })
		return
	}
	p.redirect(providerPath(p.catalog.Provider.ID) + "#tokens")
}

// --- a plan ---

type planRequest struct {
	*providerRequest
	plan storefront.Plan
}

// plan resolves {plan} among the provider's plans.
func (h *Handler) plan(next func(p *planRequest)) func(p *providerRequest) {
	return func(p *providerRequest) {
		pl, ok := pathItem(p.request, "plan", p.catalog.Plans, func(pl storefront.Plan) int64 { return pl.ID })
		if ok {
			next(&planRequest{providerRequest: p, plan: pl})
		}
	}
}

type planView struct {
	Provider storefront.Provider
	Plan     storefront.Plan
	Back     string
	Form     *web.Form
}

// planFields are the plan's values as the form shows them (and the trail
// records them).
func planFields(pl storefront.Plan) url.Values {
	return url.Values{
		"nome":                      {pl.Name},
		"mensalidade":               {strconv.FormatInt(pl.MonthlyPriceCents/100, 10) + "," + twoDigits(pl.MonthlyPriceCents%100)},
		"velocidade_download":       {strconv.Itoa(pl.DownloadSpeed)},
		"velocidade_upload":         {strconv.Itoa(pl.UploadSpeed)},
		"taxa_instalacao_a_vista":   {pl.InstallationFeeUpfront},
		"taxa_instalacao_parcelada": {pl.InstallationFeeInstallments},
		"detalhes_linha1":           {pl.DetailLine1},
		"detalhes_linha2":           {pl.DetailLine2},
		"detalhes_linha3":           {pl.DetailLine3},
	}
}

func (h *Handler) planPage(p *planRequest) {
	h.renderPlan(p, http.StatusOK, providerForm(planFields(p.plan)))
}

func (h *Handler) renderPlan(p *planRequest, status int, f *web.Form) {
	h.render(p.request, status, "plan", "provedores", p.plan.Name+" · "+p.catalog.Provider.Name,
		planView{Provider: p.catalog.Provider, Plan: p.plan, Back: providerPath(p.catalog.Provider.ID), Form: f})
}

// updatePlan saves the form's fields over the stored plan with SavePlan
// (PUT /api/v2/admin/plans/{id}'s), the price read as the admin API reads
// it; the storefront shows the change on its next request.
func (h *Handler) updatePlan(p *planRequest) {
	f := providerForm(p.r.PostForm)
	var errs apperr.Fields
	pl := p.plan
	pl.MonthlyPriceCents = storefront.ReadPrice(f.Values.Get("mensalidade"), &errs)
	if err := errs.Err(apperr.Unprocessable); err != nil {
		h.failed(p.request, err, f, func(status int) { h.renderPlan(p, status, f) })
		return
	}
	pl.Name = f.Values.Get("nome")
	pl.DownloadSpeed, pl.UploadSpeed = speed(f.Values.Get("velocidade_download")), speed(f.Values.Get("velocidade_upload"))
	pl.InstallationFeeUpfront, pl.InstallationFeeInstallments = f.Values.Get("taxa_instalacao_a_vista"), f.Values.Get("taxa_instalacao_parcelada")
	pl.DetailLine1, pl.DetailLine2, pl.DetailLine3 = f.Values.Get("detalhes_linha1"), f.Values.Get("detalhes_linha2"), f.Values.Get("detalhes_linha3")
	err := h.change(p.request, "Plano alterado", p.catalog.Provider.Name+" · "+p.plan.Name,
		labelled(planFields(p.plan)), labelled(planFields(pl)), func(ctx context.Context) error {
			_, err := h.cfg.Storefront.SavePlan(ctx, p.catalog.Provider.ID, pl)
			return err
		})
	if err != nil {
		h.failed(p.request, err, f, func(status int) { h.renderPlan(p, status, f) })
		return
	}
	p.redirect(providerPath(p.catalog.Provider.ID) + "#planos")
}

// speed reads a speed in Mega; what is not a whole number goes to the
// service as -1, which it refuses with its own message.
func speed(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return -1
	}
	return n
}

// labelled are a form's values by their labels, as the trail shows them.
func labelled(v url.Values) audit.Fields { return labelledBy(v, providerLabels) }

func labelledBy(v url.Values, labels map[string]string) audit.Fields {
	out := audit.Fields{}
	for k := range v {
		out[labels[k]] = v.Get(k)
	}
	return out
}
