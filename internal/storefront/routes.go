package storefront

import "net/http"

// Routes registers the storefront (each route with its CORS preflight) and
// the provider's admin API.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.withPreflight(mux, "GET", "/api/v2/providers", h.storefront(h.serveDocument(providerDocument)))
	h.withPreflight(mux, "GET", "/api/v2/providers/categories", h.storefront(h.serveDocument(categoriesDocument)))
	h.withPreflight(mux, "GET", "/api/v2/providers/plans", h.storefront(h.serveDocument(plansDocument)))
	h.withPreflight(mux, "GET", "/api/v2/providers/check_coupon_availability", h.limited(h.storefront(h.checkCoupon)))
	h.withPreflight(mux, "POST", "/api/v2/subscriptions", h.limited(h.storefront(h.createSubscription)))
	h.withPreflight(mux, "PUT", "/api/v2/subscriptions/{uuid}", h.limited(h.storefront(h.updateSubscription)))
	h.withPreflight(mux, "POST", "/api/v2/subscriptions/{uuid}/files", h.limited(h.storefront(h.uploadFiles)))

	mux.HandleFunc("GET /api/v2/admin/provider", h.admin(h.getProvider))
	mux.HandleFunc("PUT /api/v2/admin/provider", h.admin(h.putProvider))

	// The catalog's collections: GET and POST on the list, GET, PUT and
	// DELETE on a record (origins can only be added and removed).
	collectionRoutes(mux, h, "/api/v2/admin/origins", h.origins())
	collectionRoutes(mux, h, "/api/v2/admin/categories", h.items(Categories, "categories", func(c *Catalog) []Item { return c.Categories }))
	collectionRoutes(mux, h, "/api/v2/admin/payment_methods", h.items(PaymentMethods, "payment_methods", func(c *Catalog) []Item { return c.PaymentMethods }))
	collectionRoutes(mux, h, "/api/v2/admin/services", h.items(Services, "services", func(c *Catalog) []Item { return c.Services }))
	collectionRoutes(mux, h, "/api/v2/admin/plans", h.plans())
	collectionRoutes(mux, h, "/api/v2/admin/coupons", h.coupons())
	collectionRoutes(mux, h, "/api/v2/admin/coverage_areas", h.coverageAreas())

	mux.HandleFunc("GET /api/v2/admin/subscriptions", h.admin(h.listSubscriptions))
	mux.HandleFunc("GET /api/v2/admin/subscriptions/export", h.admin(h.exportSubscriptions))
	mux.HandleFunc("GET /api/v2/admin/subscriptions/{uuid}", h.admin(h.getSubscription))
	mux.HandleFunc("GET /api/v2/admin/subscriptions/{uuid}/files/{kind}", h.admin(h.downloadFile))
	mux.HandleFunc("GET /api/v2/admin/subscriptions/{uuid}/personal-data", h.admin(h.personalData))
	mux.HandleFunc("DELETE /api/v2/admin/subscriptions/{uuid}/personal-data", h.admin(h.erasePersonalData))

	// Webhook endpoints: the one handler set of package webhook.
	if h.Webhooks != nil {
		hooks := h.Webhooks
		mux.HandleFunc("POST /api/v2/admin/webhook-endpoints", h.webhooks(hooks.Create))
		mux.HandleFunc("GET /api/v2/admin/webhook-endpoints", h.webhooks(hooks.List))
		mux.HandleFunc("GET /api/v2/admin/webhook-endpoints/{id}", h.webhooks(hooks.Get))
		mux.HandleFunc("PATCH /api/v2/admin/webhook-endpoints/{id}", h.webhooks(hooks.Update))
		mux.HandleFunc("DELETE /api/v2/admin/webhook-endpoints/{id}", h.webhooks(hooks.Delete))
		mux.HandleFunc("POST /api/v2/admin/webhook-endpoints/{id}/rotate-secret", h.webhooks(hooks.RotateSecret))
		mux.HandleFunc("GET /api/v2/admin/webhook-endpoints/{id}/deliveries", h.webhooks(hooks.Deliveries))
		mux.HandleFunc("POST /api/v2/admin/webhook-endpoints/{id}/deliveries/{delivery_id}/retry", h.webhooks(hooks.Retry))
	}
}

// withPreflight registers a storefront route, method and path, and the
// CORS preflight (OPTIONS path) that allows it.
func (h *Handler) withPreflight(mux *http.ServeMux, method, path string, serve http.HandlerFunc) {
	mux.HandleFunc(method+" "+path, serve)
	mux.HandleFunc("OPTIONS "+path, h.storefront(preflight(method)))
}

// collectionRoutes registers the provider's admin handlers of c at path:
// index and create on path, show, replace (unless c is addOnly) and
// delete on path/{id}.
func collectionRoutes[T any](mux *http.ServeMux, h *Handler, path string, c collection[T]) {
	mux.HandleFunc("GET "+path, h.admin(c.index))
	mux.HandleFunc("POST "+path, h.admin(c.create))
	mux.HandleFunc("GET "+path+"/{id}", h.admin(c.show))
	if !c.addOnly {
		mux.HandleFunc("PUT "+path+"/{id}", h.admin(c.replace))
	}
	mux.HandleFunc("DELETE "+path+"/{id}", h.admin(c.delete))
}
