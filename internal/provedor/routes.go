package provedor

import "net/http"

// Routes registers the login, the logouts and the pages.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.sessions.Routes(mux) // GET+POST /provedor/entrar, POST /provedor/sair, POST /provedor/sair-de-todos
	mux.Handle("GET /provedor/{$}", h.page("", h.home))

	mux.Handle("GET /provedor/assinaturas", h.page("assinaturas", h.subscriptions))
	mux.Handle("GET /provedor/assinaturas.csv", h.page("assinaturas", h.exportSubscriptions))
	mux.Handle("GET /provedor/assinaturas/{uuid}", h.page("assinaturas", h.subscription))
	mux.Handle("GET /provedor/assinaturas/{uuid}/arquivos/{kind}", h.page("assinaturas", h.subscriptionFile))

	mux.Handle("GET /provedor/planos", h.page("planos", h.plans))
	mux.Handle("GET /provedor/planos/{id}", h.page("planos", plans.edit(h)))
	mux.Handle("POST /provedor/planos/{id}", h.post("planos", plans.save(h)))
	mux.Handle("POST /provedor/planos/{id}/excluir", h.post("planos", plans.delete(h)))

	mux.Handle("GET /provedor/cupons", h.page("cupons", h.coupons))
	mux.Handle("GET /provedor/cupons/{id}", h.page("cupons", coupons.edit(h)))
	mux.Handle("POST /provedor/cupons/{id}", h.post("cupons", coupons.save(h)))
	mux.Handle("POST /provedor/cupons/{id}/excluir", h.post("cupons", coupons.delete(h)))
}
