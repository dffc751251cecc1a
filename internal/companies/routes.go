package companies

import "net/http"

// Routes registers the surface's routes.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v4/auth/login", h.login)
	mux.HandleFunc("GET /api/v4/states", h.listStates)
	mux.HandleFunc("GET /api/v4/cities", h.listCities)
	mux.HandleFunc("GET /api/v4/companies", h.authed(h.listCompanies))
	mux.HandleFunc("POST /api/v4/companies", h.authed(h.createCompany))
	mux.HandleFunc("GET /api/v4/companies/{id}", h.authed(h.getCompany))
	mux.HandleFunc("PUT /api/v4/companies/{id}", h.authed(h.updateCompany))
	mux.HandleFunc("DELETE /api/v4/companies/{id}", h.authed(h.deleteCompany))
	mux.HandleFunc("DELETE /api/v3/companies/{id}", h.authed(h.deleteCompany))
	mux.HandleFunc("GET /api/v4/companies/{id}/personal-data", h.authed(h.contactData))
	mux.HandleFunc("DELETE /api/v4/companies/{id}/personal-data", h.authed(h.eraseContact))
	mux.HandleFunc("GET /api/v4/audit-log", h.authed(h.auditLog))

	// Webhook endpoints: the one handler set of package webhook.
	if h.Webhooks != nil {
		hooks := h.Webhooks
		mux.HandleFunc("POST /api/v4/webhook-endpoints", h.webhooks(hooks.Create))
		mux.HandleFunc("GET /api/v4/webhook-endpoints", h.webhooks(hooks.List))
		mux.HandleFunc("GET /api/v4/webhook-endpoints/{id}", h.webhooks(hooks.Get))
		mux.HandleFunc("PATCH /api/v4/webhook-endpoints/{id}", h.webhooks(hooks.Update))
		mux.HandleFunc("DELETE /api/v4/webhook-endpoints/{id}", h.webhooks(hooks.Delete))
		mux.HandleFunc("POST /api/v4/webhook-endpoints/{id}/rotate-secret", h.webhooks(hooks.RotateSecret))
		mux.HandleFunc("GET /api/v4/webhook-endpoints/{id}/deliveries", h.webhooks(hooks.Deliveries))
		mux.HandleFunc("POST /api/v4/webhook-endpoints/{id}/deliveries/{delivery_id}/retry", h.webhooks(hooks.Retry))
	}
}
