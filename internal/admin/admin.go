// Package admin is the operator console at /admin/: storefront providers
// (origins, slug, admin tokens) and their plans, the GD catalog (utilities,
// plans, the free-market threshold, the areas import), energy partners and
// their API keys, companies accounts and users, and the audit trail of
// every change an operator makes there.
//
// The pages are the admin API's and the CLI's second face: each form calls
// the same domain service method they call, so a rule and its message
// exist once, and the message lands next to its field. Every change goes
// through Handler.change, which records it in the audit trail in the
// change's own transaction (internal/audit). Sign-in is webauth's: a
// session of the operator realm, and nothing else, opens these pages.
package admin

import (
	"context"
	"embed"
	"net/http"
	"slices"
	"strconv"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/audit"
	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
	"partnership-service/internal/webauth"
)

//go:embed pages/*.html
var pagesFS embed.FS

// Base is where the console lives.
const Base = "/admin/"

// Prefixes are the console's paths (its unknown routes get an HTML 404).
var Prefixes = []string{Base}

// Config is what the console needs.
type Config struct {
	Storefront *storefront.Service
	Catalog    *energy.CatalogService
	Partners   *energy.PartnerService
	Companies  *companies.Service
	Audit      *audit.Log
	CSRF       *web.CSRF
	// Require guards every page with the operator's session
	// (webauth.Sessions.Require of RealmOperator).
	Require func(http.Handler) http.Handler
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Handler serves the console.
type Handler struct {
	cfg   Config
	pages *web.Templates
}

// New returns the console.
func New(cfg Config) (*Handler, error) {
	pages, err := web.ParseTemplates(pagesFS, nil)
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, pages: pages}, nil
}

func (h *Handler) now() time.Time { return h.cfg.Now() }

// Routes registers the pages.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /admin/{$}", h.page(h.home))
	mux.Handle("GET /admin/auditoria", h.page(h.auditPage))
	mux.Handle("GET /admin/provedores", h.page(h.providersPage))
	mux.Handle("POST /admin/provedores", h.post(h.createProvider))
	mux.Handle("GET /admin/provedores/{provider}", h.page(h.provider(h.providerPage)))
	mux.Handle("POST /admin/provedores/{provider}", h.post(h.provider(h.updateProvider)))
	mux.Handle("POST /admin/provedores/{provider}/origens", h.post(h.provider(h.addOrigin)))
	mux.Handle("POST /admin/provedores/{provider}/origens/{origin}/remover", h.post(h.provider(h.removeOrigin)))
	mux.Handle("POST /admin/provedores/{provider}/tokens", h.post(h.provider(h.issueToken)))
	mux.Handle("POST /admin/provedores/{provider}/tokens/{token}/revogar", h.post(h.provider(h.revokeToken)))
	mux.Handle("GET /admin/parceiros", h.page(h.partnersPage))
	mux.Handle("POST /admin/parceiros", h.post(h.createPartner))
	mux.Handle("GET /admin/parceiros/{partner}", h.page(h.partner(h.partnerPage)))
	mux.Handle("POST /admin/parceiros/{partner}/chaves", h.post(h.partner(h.issueKey)))
	mux.Handle("POST /admin/parceiros/{partner}/chaves/{prefix}/revogar", h.post(h.partner(h.revokeKey)))
	mux.Handle("GET /admin/contas", h.page(h.accountsPage))
	mux.Handle("POST /admin/contas", h.post(h.createAccount))
	mux.Handle("POST /admin/contas/usuarios", h.post(h.createUser))
	mux.Handle("GET /admin/catalogo", h.page(h.catalogPage))
	mux.Handle("POST /admin/catalogo/mercado-livre", h.post(h.setThreshold))
	// Multipart: the file is read as it arrives, so the CSRF token comes
	// in the query string, checked before a byte of it is read.
	mux.Handle("POST /admin/catalogo/areas", h.page(h.importAreas))
	mux.Handle("GET /admin/catalogo/distribuidoras/{utility}", h.page(h.utility(h.utilityPage)))
	mux.Handle("POST /admin/catalogo/distribuidoras/{utility}", h.post(h.utility(h.updateUtility)))
	mux.Handle("POST /admin/catalogo/distribuidoras/{utility}/planos", h.post(h.utility(h.createGDPlan)))
	mux.Handle("GET /admin/catalogo/planos/{plan}", h.page(h.gdPlan(h.gdPlanPage)))
	mux.Handle("POST /admin/catalogo/planos/{plan}", h.post(h.gdPlan(h.updateGDPlan)))
	mux.Handle("GET /admin/provedores/{provider}/planos/{plan}", h.page(h.provider(h.plan(h.planPage))))
	mux.Handle("POST /admin/provedores/{provider}/planos/{plan}", h.post(h.provider(h.plan(h.updatePlan))))
}

// request is one request of a signed-in operator.
type request struct {
	w  http.ResponseWriter
	r  *http.Request
	op webauth.User
}

type handler func(q *request)

// page guards a page: the operator's session, or the way to the login.
// A session of another realm never gets here (webauth keeps the realms'
// cookies apart); a user that is somehow not an operator gets a 404, as
// if the console were not there.
func (h *Handler) page(next handler) http.Handler {
	return h.cfg.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := webauth.UserFrom(r.Context())
		if !ok || u.Realm != webauth.RealmOperator {
			web.RenderError(w, r, http.StatusNotFound)
			return
		}
		next(&request{w: w, r: r, op: u})
	}))
}

// post is a page's form post: its body capped and parsed and its CSRF
// token checked (web.CSRF.ParseForm answers 413, 400 or 403 otherwise).
func (h *Handler) post(next handler) http.Handler {
	return h.page(func(q *request) {
		if h.cfg.CSRF.ParseForm(q.w, q.r, web.MaxFormBody) {
			next(q)
		}
	})
}

// change makes an operator's change and records it in the audit trail, in
// the change's own transaction: the one way every page writes.
func (h *Handler) change(q *request, action, subject string, before, after audit.Fields, fn func(ctx context.Context) error) error {
	return h.cfg.Audit.Record(q.r.Context(), audit.Entry{Actor: q.op.Email, Action: action, Subject: subject,
		Changes: audit.Diff(before, after)}, fn)
}

// view is what every page template gets: the operator, the section the
// navigation marks, and the page's own data.
type view struct {
	Operator webauth.User
	Section  string
	View     any
}

func (h *Handler) render(q *request, status int, name, section, title string, data any) {
	h.pages.Render(q.w, q.r, status, name, web.Page{Title: title + " · Operação", CSRF: h.cfg.CSRF.Token(q.w, q.r),
		Data: view{Operator: q.op, Section: section, View: data}})
}

// failed answers a form the service refused: the form again with the
// service's messages (and the status of its error), or, for an error that
// names no field, its error page.
func (h *Handler) failed(q *request, err error, f *web.Form, again func(status int)) {
	if !f.Fail(err) {
		web.Render(q.w, q.r, err)
		return
	}
	again(apperr.HTTPStatus(apperr.As(err).Code))
}

// redirect answers a post with 303 See Other (web.SeeOther).
func (q *request) redirect(to string) { web.SeeOther(q.w, q.r, to) }

// pathID reads a numeric path segment; anything else is not found.
func pathID(q *request, name string) (int64, bool) {
	id, err := strconv.ParseInt(q.r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		web.RenderError(q.w, q.r, http.StatusNotFound)
		return 0, false
	}
	return id, true
}

// pathItem finds, among items, the one the numeric path segment name
// names; anything else is not found.
func pathItem[T any](q *request, name string, items []T, id func(T) int64) (T, bool) {
	var zero T
	n, ok := pathID(q, name)
	if !ok {
		return zero, false
	}
	i := slices.IndexFunc(items, func(it T) bool { return id(it) == n })
	if i < 0 {
		web.RenderError(q.w, q.r, http.StatusNotFound)
		return zero, false
	}
	return items[i], true
}

func (h *Handler) home(q *request) { q.redirect(Base + "provedores") }
