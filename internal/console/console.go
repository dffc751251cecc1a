// Package console serves the energy partners' console at /console/: the
// leads pipeline (counts, filters, charts, CSV export), a lead's page and
// the forms to create and change leads, the partner's API keys and its
// webhook endpoints. Every page calls the energy (and webhook) service the
// API calls, so a rule and its message exist once; inputs carry the API's
// field names, so a message lands next to its field.
//
// Sign-in is not this package's: the surface wraps every page in the
// partner realm's session check (Config.Require) and tells the page who
// is signed in (Config.User). A seller sees the leads it created, an admin
// all its partner's; nobody sees another partner's (404).
package console

import (
	"embed"
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/web"
	"partnership-service/internal/webhook"
)

//go:embed pages/*.html
var pagesFS embed.FS

// Base is where the console lives.
const Base = "/console/"

// Prefixes are the console's paths (their unknown routes get an HTML 404).
var Prefixes = []string{Base}

// User is who is signed in, as the console needs it.
type User struct {
	PartnerID string // the energy partner the user works for
	Name      string // shown in pages; a seller's is the seller name of its leads
	Seller    bool   // role seller: only its own leads, no keys or webhooks
}

// Config is what the console is built from.
type Config struct {
	Leads    *energy.LeadService
	Partners *energy.PartnerService
	Catalog  *energy.CatalogService
	Webhooks *webhook.Service // nil: no webhook pages
	CSRF     *web.CSRF
	// User tells who is signed in; a request without a user is not found.
	User func(*http.Request) (User, bool)
	// Require runs before every page: it sends a request without a
	// session to the sign-in page (nil: pages rely on User alone).
	Require func(http.Handler) http.Handler
	// PublicURL (scheme and host) makes signing links absolute.
	PublicURL string
}

// Handler serves the console's pages.
type Handler struct {
	Config
	pages *web.Templates
}

// New returns the console of cfg.
func New(cfg Config) (*Handler, error) {
	pages, err := web.ParseTemplates(pagesFS, funcs)
	if err != nil {
		return nil, err
	}
	if cfg.Require == nil {
		cfg.Require = func(h http.Handler) http.Handler { return h }
	}
	return &Handler{Config: cfg, pages: pages}, nil
}

// Routes registers the pages.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /console/{$}", h.page(h.pipeline))
	mux.Handle("GET /console/leads.csv", h.page(h.exportCSV))
	mux.Handle("GET /console/qualificacao", h.page(h.qualification))
	mux.Handle("GET /console/leads/novo", h.page(h.newLeadPage))
	mux.Handle("POST /console/leads", h.post(h.createLead))
	mux.Handle("GET /console/leads/{id}", h.page(h.lead(h.leadPage)))
	mux.Handle("GET /console/leads/{id}/editar", h.page(h.lead(h.editLeadPage)))
	mux.Handle("POST /console/leads/{id}", h.post(h.lead(h.updateLead)))
	mux.Handle("POST /console/leads/{id}/contrato", h.post(h.lead(h.createContract)))
	mux.Handle("GET /console/leads/{id}/contrato.pdf", h.page(h.contractPDF))
	mux.Handle("POST /console/leads/{id}/reenviar", h.post(h.lead(h.resendMail)))

	mux.Handle("GET /console/chaves", h.page(h.admin(h.keysPage)))
	mux.Handle("POST /console/chaves", h.post(h.admin(h.issueKey)))
	mux.Handle("POST /console/chaves/{prefix}/revogar", h.post(h.admin(h.revokeKey)))
	if h.Webhooks != nil {
		mux.Handle("GET /console/webhooks", h.page(h.admin(h.webhooksPage)))
		mux.Handle("POST /console/webhooks", h.post(h.admin(h.createWebhook)))
		mux.Handle("GET /console/webhooks/{id}", h.page(h.admin(h.webhookPage)))
		mux.Handle("POST /console/webhooks/{id}/excluir", h.post(h.admin(h.deleteWebhook)))
		mux.Handle("POST /console/webhooks/{id}/entregas/{delivery}/reenviar", h.post(h.admin(h.retryDelivery)))
	}
}

// session is one request of a signed-in user: who, for which partner, and
// as whom the energy services see it.
type session struct {
	User      User
	Partner   energy.Partner
	Principal energy.Principal
	CSRF      string
	Webhooks  bool // the webhook pages exist
}

type pageHandler func(w http.ResponseWriter, r *http.Request, s *session)

// page resolves the signed-in user and its partner, behind Require.
func (h *Handler) page(next pageHandler) http.Handler {
	return h.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := h.User(r)
		if !ok || u.PartnerID == "" {
			web.RenderError(w, r, http.StatusNotFound)
			return
		}
		p, err := h.Partners.PartnerByID(r.Context(), u.PartnerID)
		if err != nil {
			web.Render(w, r, err)
			return
		}
		next(w, r, &session{User: u, Partner: p, CSRF: h.CSRF.Token(w, r), Webhooks: h.Webhooks != nil,
			Principal: energy.Principal{PartnerID: p.ID, PartnerName: p.Name, SellerName: u.Name, SellerOnly: u.Seller}})
	}))
}

// post is a form post: its body capped and parsed, its CSRF token checked
// (403 otherwise), then the page.
func (h *Handler) post(next pageHandler) http.Handler {
	return h.page(func(w http.ResponseWriter, r *http.Request, s *session) {
		if h.CSRF.ParseForm(w, r, web.MaxFormBody) {
			next(w, r, s)
		}
	})
}

// admin keeps a page to the partner's admins: for a seller it does not
// exist.
func (h *Handler) admin(next pageHandler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		if s.User.Seller {
			web.RenderError(w, r, http.StatusNotFound)
			return
		}
		next(w, r, s)
	}
}

type leadHandler func(w http.ResponseWriter, r *http.Request, s *session, l *energy.Lead)

// lead resolves {id} among the leads the user sees: another seller's or
// another partner's lead is not found, as a lead that does not exist.
func (h *Handler) lead(next leadHandler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		l, err := h.Leads.Get(r.Context(), s.Principal, r.PathValue("id"))
		if err != nil {
			web.Render(w, r, leadNotFound(err))
			return
		}
		next(w, r, s, &l)
	}
}

// leadNotFound words a lead id that is no UUID (the API's 400) as the page
// of a lead that does not exist: an address nobody could have.
func leadNotFound(err error) error {
	if apperr.Is(err, apperr.Invalid) {
		return apperr.New(apperr.NotFound, "Lead não encontrado.")
	}
	return err
}

// render writes a page of the console.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, title string, s *session, view any) {
	h.pages.Render(w, r, status, name, web.Page{Title: title + " · Console do parceiro", CSRF: s.CSRF,
		Stylesheets: []string{consoleCSS}, Scripts: []string{"console.js"}, Data: pageData{S: s, View: view}})
}

// consoleCSS is the console's own styles (tables, charts, the timeline).
var consoleCSS = func() string {
	u, err := web.Base.URL("console.css")
	if err != nil {
		panic(err)
	}
	return u
}()

// pageData is what every page template gets: .S (the session) and its
// own .View.
type pageData struct {
	S    *session
	View any
}
