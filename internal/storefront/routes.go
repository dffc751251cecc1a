package storefront

import "net/http"

// Routes registers the storefront (each route with its CORS preflight) and
// the provider's admin API.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v2/providers", h.storefront(h.serveDocument(providerDocument)))
	mux.HandleFunc("OPTIONS /api/v2/providers", h.storefront(preflight("GET")))
	mux.HandleFunc("GET /api/v2/providers/categories", h.storefront(h.serveDocument(categoriesDocument)))
	mux.HandleFunc("OPTIONS /api/v2/providers/categories", h.storefront(preflight("GET")))
	mux.HandleFunc("GET /api/v2/providers/plans", h.storefront(h.serveDocument(plansDocument)))
	mux.HandleFunc("OPTIONS /api/v2/providers/plans", h.storefront(preflight("GET")))
	mux.HandleFunc("GET /api/v2/providers/check_coupon_availability", h.limited(h.storefront(h.checkCoupon)))
	mux.HandleFunc("OPTIONS /api/v2/providers/check_coupon_availability", h.storefront(preflight("GET")))
	mux.HandleFunc("POST /api/v2/subscriptions", h.limited(h.storefront(h.createSubscription)))
	mux.HandleFunc("OPTIONS /api/v2/subscriptions", h.storefront(preflight("POST")))
	mux.HandleFunc("PUT /api/v2/subscriptions/{uuid}", h.limited(h.storefront(h.updateSubscription)))
	mux.HandleFunc("OPTIONS /api/v2/subscriptions/{uuid}", h.storefront(preflight("PUT")))
	mux.HandleFunc("POST /api/v2/subscriptions/{uuid}/files", h.limited(h.storefront(h.uploadFiles)))
	mux.HandleFunc("OPTIONS /api/v2/subscriptions/{uuid}/files", h.storefront(preflight("POST")))

	mux.HandleFunc("GET /api/v2/admin/provider", h.admin(h.getProvider))
	mux.HandleFunc("PUT /api/v2/admin/provider", h.admin(h.putProvider))

	// Origins can only be added and removed.
	origins := h.origins()
	mux.HandleFunc("GET /api/v2/admin/origins", h.admin(origins.index))
	mux.HandleFunc("POST /api/v2/admin/origins", h.admin(origins.create))
	mux.HandleFunc("GET /api/v2/admin/origins/{id}", h.admin(origins.show))
	mux.HandleFunc("DELETE /api/v2/admin/origins/{id}", h.admin(origins.delete))

	categories := h.items(Categories, "categories", func(c *Catalog) []Item { return c.Categories })
	mux.HandleFunc("GET /api/v2/admin/categories", h.admin(categories.index))
	mux.HandleFunc("POST /api/v2/admin/categories", h.admin(categories.create))
	mux.HandleFunc("GET /api/v2/admin/categories/{id}", h.admin(categories.show))
	mux.HandleFunc("PUT /api/v2/admin/categories/{id}", h.admin(categories.replace))
	mux.HandleFunc("DELETE /api/v2/admin/categories/{id}", h.admin(categories.delete))

	paymentMethods := h.items(PaymentMethods, "payment_methods", func(c *Catalog) []Item { return c.PaymentMethods })
	mux.HandleFunc("GET /api/v2/admin/payment_methods", h.admin(paymentMethods.index))
	mux.HandleFunc("POST /api/v2/admin/payment_methods", h.admin(paymentMethods.create))
	mux.HandleFunc("GET /api/v2/admin/payment_methods/{id}", h.admin(paymentMethods.show))
	mux.HandleFunc("PUT /api/v2/admin/payment_methods/{id}", h.admin(paymentMethods.replace))
	mux.HandleFunc("DELETE /api/v2/admin/payment_methods/{id}", h.admin(paymentMethods.delete))

	services := h.items(Services, "services", func(c *Catalog) []Item { return c.Services })
	mux.HandleFunc("GET /api/v2/admin/services", h.admin(services.index))
	mux.HandleFunc("POST /api/v2/admin/services", h.admin(services.create))
	mux.HandleFunc("GET /api/v2/admin/services/{id}", h.admin(services.show))
	mux.HandleFunc("PUT /api/v2/admin/services/{id}", h.admin(services.replace))
	mux.HandleFunc("DELETE /api/v2/admin/services/{id}", h.admin(services.delete))

	plans := h.plans()
	mux.HandleFunc("GET /api/v2/admin/plans", h.admin(plans.index))
	mux.HandleFunc("POST /api/v2/admin/plans", h.admin(plans.create))
	mux.HandleFunc("GET /api/v2/admin/plans/{id}", h.admin(plans.show))
	mux.HandleFunc("PUT /api/v2/admin/plans/{id}", h.admin(plans.replace))
	mux.HandleFunc("DELETE /api/v2/admin/plans/{id}", h.admin(plans.delete))

	coupons := h.coupons()
	mux.HandleFunc("GET /api/v2/admin/coupons", h.admin(coupons.index))
	mux.HandleFunc("POST /api/v2/admin/coupons", h.admin(coupons.create))
	mux.HandleFunc("GET /api/v2/admin/coupons/{id}", h.admin(coupons.show))
	mux.HandleFunc("PUT /api/v2/admin/coupons/{id}", h.admin(coupons.replace))
	mux.HandleFunc("DELETE /api/v2/admin/coupons/{id}", h.admin(coupons.delete))

	areas := h.coverageAreas()
	mux.HandleFunc("GET /api/v2/admin/coverage_areas", h.admin(areas.index))
	mux.HandleFunc("POST /api/v2/admin/coverage_areas", h.admin(areas.create))
	mux.HandleFunc("GET /api/v2/admin/coverage_areas/{id}", h.admin(areas.show))
	mux.HandleFunc("PUT /api/v2/admin/coverage_areas/{id}", h.admin(areas.replace))
	mux.HandleFunc("DELETE /api/v2/admin/coverage_areas/{id}", h.admin(areas.delete))

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
