package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"partnership-service/internal/audit"
	"partnership-service/internal/energy"
	"partnership-service/internal/web"
)

// partnerLabels name the partners' fields as an operator reads them; the
// inputs carry the service's field names.
var partnerLabels = map[string]string{
	"name":   "Nome do parceiro",
	"seller": "Vendedor (nome gravado nas indicações)",
	"admin":  "Chave de administrador",
	"base":   "Chave",
}

func partnerForm(v url.Values) *web.Form { return web.NewForm(v, partnerLabels) }

type partnersView struct {
	Partners []energy.Partner
	Form     *web.Form
}

func (h *Handler) partnersPage(q *request) { h.renderPartners(q, http.StatusOK, partnerForm(nil)) }

func (h *Handler) renderPartners(q *request, status int, f *web.Form) {
	list, err := h.cfg.Partners.Partners(q.r.Context())
	if err != nil {
		web.Render(q.w, q.r, err)
		return
	}
	h.render(q, status, "partners", "parceiros", "Parceiros de energia", partnersView{Partners: list, Form: f})
}

// createPartner is partnership partner create.
func (h *Handler) createPartner(q *request) {
	f := partnerForm(q.r.PostForm)
	name := f.Values.Get("name")
	var created energy.Partner
	err := h.change(q, "Parceiro criado", strings.TrimSpace(name), nil, audit.Fields{partnerLabels["name"]: strings.TrimSpace(name)},
		func(ctx context.Context) (err error) {
			created, err = h.cfg.Partners.CreatePartner(ctx, name)
			return err
		})
	if err != nil {
		h.failed(q, err, f, func(status int) { h.renderPartners(q, status, f) })
		return
	}
	q.redirect(partnerPath(created.ID))
}

func partnerPath(id string) string { return Base + "parceiros/" + id }

type partnerRequest struct {
	*request
	partner energy.Partner
}

func (h *Handler) partner(next func(p *partnerRequest)) handler {
	return func(q *request) {
		p, err := h.cfg.Partners.PartnerByID(q.r.Context(), q.r.PathValue("partner"))
		if err != nil {
			web.Render(q.w, q.r, err)
			return
		}
		next(&partnerRequest{request: q, partner: p})
	}
}

type partnerView struct {
	Partner energy.Partner
	Path    string
	Keys    []energy.APIKey
	Form    *web.Form
	NewKey  string // the key just issued: shown this once
}

func (h *Handler) partnerPage(p *partnerRequest) {
	h.renderPartner(p, http.StatusOK, partnerForm(nil), "")
}

func (h *Handler) renderPartner(p *partnerRequest, status int, f *web.Form, newKey string) {
	keys, err := h.cfg.Partners.Keys(p.r.Context(), p.partner.ID)
	if err != nil {
		web.Render(p.w, p.r, err)
		return
	}
	h.render(p.request, status, "partner", "parceiros", p.partner.Name, partnerView{Partner: p.partner,
		Path: partnerPath(p.partner.ID), Keys: keys, Form: f, NewKey: newKey})
}

// issueKey is partnership apikey create: the page that answers shows the
// key this once; the trail records its prefix, never the key.
func (h *Handler) issueKey(p *partnerRequest) {
	f := partnerForm(p.r.PostForm)
	seller, admin := f.Values.Get("seller"), f.Values.Get("admin") == "sim"
	var key string
	err := h.change(p.request, "Chave de API emitida", p.partner.Name, nil,
		audit.Fields{partnerLabels["seller"]: strings.TrimSpace(seller), partnerLabels["admin"]: yesNo(admin)},
		func(ctx context.Context) (err error) {
			key, _, err = h.cfg.Partners.CreateKey(ctx, p.partner.Name, seller, admin)
			return err
		})
	if err != nil {
		h.failed(p.request, err, f, func(status int) { h.renderPartner(p, status, f, "") })
		return
	}
	h.renderPartner(p, http.StatusOK, partnerForm(nil), key)
}

// revokeKey is partnership apikey revoke, scoped to the partner.
func (h *Handler) revokeKey(p *partnerRequest) {
	prefix := p.r.PathValue("prefix")
	err := h.change(p.request, "Chave de API revogada", p.partner.Name+" · pk_"+prefix,
		audit.Fields{"Situação": "ativa"}, audit.Fields{"Situação": "revogada"}, func(ctx context.Context) error {
			return h.cfg.Partners.RevokePartnerKey(ctx, p.partner.ID, prefix)
		})
	if err != nil {
		web.Render(p.w, p.r, err)
		return
	}
	p.redirect(partnerPath(p.partner.ID) + "#chaves")
}
