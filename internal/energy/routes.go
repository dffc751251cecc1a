package energy

import "net/http"

// Routes registers every energy route on mux.
//
// The GD catalog and qualification need a partner API key; the seed's
// misspelt "distribuited" is the contract, and the correct spelling is
// served as an alias. The catalog admin API needs an admin key.
//
// The sales-conversion lead journey (absent when the API has no lead
// service, as in catalog-only tests) needs a partner API key, except the
// built-in signing page: the token in its path is the only credential, and
// whoever has the link may read the contract, and sign it as a signer
// with the one-time code mailed to that signer. Its answers are HTML pages and the contract PDF.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /distribuited-generation/operation-areas", a.authenticated(a.operationAreas))
	mux.HandleFunc("GET /distribuited-generation/plans", a.authenticated(a.plans))
	mux.HandleFunc("GET /distributed-generation/operation-areas", a.authenticated(a.operationAreas))
	mux.HandleFunc("GET /distributed-generation/plans", a.authenticated(a.plans))
	mux.HandleFunc("GET /sales-conversion/leads/qualification", a.authenticated(a.qualification))

	mux.HandleFunc("GET /admin/energy/utilities", a.adminOnly(a.listUtilities))
	mux.HandleFunc("POST /admin/energy/utilities", a.adminOnly(a.createUtility))
	mux.HandleFunc("PUT /admin/energy/utilities/{id}", a.adminOnly(a.updateUtility))
	mux.HandleFunc("DELETE /admin/energy/utilities/{id}", a.adminOnly(a.deleteUtility))
	mux.HandleFunc("PUT /admin/energy/utilities/{id}/operation-areas/{ibgeCode}", a.adminOnly(a.addArea))
	mux.HandleFunc("DELETE /admin/energy/utilities/{id}/operation-areas/{ibgeCode}", a.adminOnly(a.deleteArea))
	mux.HandleFunc("POST /admin/energy/utilities/{id}/plans", a.adminOnly(a.createPlan))
	mux.HandleFunc("PUT /admin/energy/plans/{planId}", a.adminOnly(a.updatePlan))
	mux.HandleFunc("DELETE /admin/energy/plans/{planId}", a.adminOnly(a.deletePlan))
	mux.HandleFunc("GET /admin/energy/thresholds", a.adminOnly(a.getThresholds))
	mux.HandleFunc("PUT /admin/energy/thresholds", a.adminOnly(a.setThresholds))

	if a.Leads == nil {
		return
	}
	mux.HandleFunc("POST /sales-conversion/leads", a.partner(a.createLead))
	mux.HandleFunc("GET /sales-conversion/leads", a.partner(a.listLeads))
	mux.HandleFunc("GET /sales-conversion/leads/{id}", a.partner(a.getLead))
	mux.HandleFunc("PUT /sales-conversion/leads/{id}", a.partner(a.updateLead))
	mux.HandleFunc("PATCH /sales-conversion/leads/{id}/energy-utility-credentials", a.partner(a.setCredentials))
	mux.HandleFunc("POST /sales-conversion/leads/{id}/utility-bill", a.partner(a.upload(UtilityBillForm)))
	mux.HandleFunc("POST /sales-conversion/leads/{id}/document", a.partner(a.upload(DocumentForm)))
	mux.HandleFunc("PUT /sales-conversion/leads/{id}/v2/document", a.partner(a.upload(DocumentsV2Form)))
	mux.HandleFunc("POST /sales-conversion/leads/{id}/contracts", a.partner(a.createContract))
	mux.HandleFunc("GET /sales-conversion/leads/{id}/contract", a.partner(a.downloadContract))
	mux.HandleFunc("GET /sales-conversion/leads/{id}/personal-data", a.partner(a.personalData))
	mux.HandleFunc("DELETE /sales-conversion/leads/{id}/personal-data", a.partner(a.erasePersonalData))

	// Webhook endpoints: the one handler set of package webhook.
	if a.Webhooks != nil {
		hooks := a.Webhooks
		mux.HandleFunc("POST /sales-conversion/webhook-endpoints", a.webhooks(hooks.Create))
		mux.HandleFunc("GET /sales-conversion/webhook-endpoints", a.webhooks(hooks.List))
		mux.HandleFunc("GET /sales-conversion/webhook-endpoints/{id}", a.webhooks(hooks.Get))
		mux.HandleFunc("PATCH /sales-conversion/webhook-endpoints/{id}", a.webhooks(hooks.Update))
		mux.HandleFunc("DELETE /sales-conversion/webhook-endpoints/{id}", a.webhooks(hooks.Delete))
		mux.HandleFunc("POST /sales-conversion/webhook-endpoints/{id}/rotate-secret", a.webhooks(hooks.RotateSecret))
		mux.HandleFunc("GET /sales-conversion/webhook-endpoints/{id}/deliveries", a.webhooks(hooks.Deliveries))
		mux.HandleFunc("POST /sales-conversion/webhook-endpoints/{id}/deliveries/{delivery_id}/retry", a.webhooks(hooks.Retry))
	}

	// SignPathPrefix + "{token}": the links SigningPage hands out.
	mux.HandleFunc("GET /sales-conversion/sign/{token}", a.signingPage)
	mux.HandleFunc("POST /sales-conversion/sign/{token}", a.sign)
	mux.HandleFunc("POST /sales-conversion/sign/{token}/code", a.requestCode)
	mux.HandleFunc("GET /sales-conversion/sign/{token}/contrato.pdf", a.signingContract)
}
