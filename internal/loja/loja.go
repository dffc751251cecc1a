// Package loja serves each internet provider's white-label sign-up site:
// its plans by category, a coupon check, the coverage check, the sign-up
// form, the three documents and a confirmation, at /loja/{slug} and at /
// on a provider's own domain. The pages are the storefront API's second
// face: every step calls the same storefront.Service method the API
// handler calls, so a rule (and its message) exists once.
//
// Pages work without JavaScript: forms post and are answered with a
// redirect (a 303 to the next step) or with the form again and the
// service's messages next to their fields. The state between steps (plan,
// coupon, address) travels in the URL; a stored subscription is reached by
// its UUID, as in the API.
package loja

import (
	"embed"
	"net/http"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
)

//go:embed pages/*.html
var pagesFS embed.FS

// Prefixes are the paths of the pages (their unknown routes get an HTML
// 404).
var Prefixes = []string{"/loja/"}

// Handler serves the storefront pages.
type Handler struct {
	svc    *storefront.Service
	pages  *web.Templates
	csrf   *web.CSRF
	themes perCatalog[themeCSS]
	homes  perCatalog[[]byte]
	// writes limits the posts (coupon checks, coverage checks, sign-ups,
	// documents) per client address and provider, as the API does its
	// own: the pages are no way around the API's limit.
	writes *httpx.RateLimiter
}

// New returns the pages of svc, protecting forms with csrf.
func New(svc *storefront.Service, csrf *web.CSRF, now func() time.Time) (*Handler, error) {
	pages, err := web.ParseTemplates(pagesFS, funcs)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Handler{svc: svc, pages: pages, csrf: csrf,
		writes: httpx.NewRateLimiter(storefront.DefaultPublicWriteLimit, time.Minute, now)}, nil
}

// Routes registers the pages.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.customDomain)
	mux.HandleFunc("GET /loja/{slug}", h.shop(h.home))
	mux.HandleFunc("GET /loja/{slug}/tema.css", h.shop(h.theme))
	mux.HandleFunc("GET /loja/{slug}/planos/{plan}", h.shop(h.plan(h.planPage)))
	mux.HandleFunc("POST /loja/{slug}/planos/{plan}/cupom", h.post(h.plan(h.applyCoupon)))
	mux.HandleFunc("POST /loja/{slug}/planos/{plan}/cobertura", h.post(h.plan(h.checkCoverage)))
	mux.HandleFunc("GET /loja/{slug}/planos/{plan}/cadastro", h.shop(h.plan(h.signUpPage)))
	mux.HandleFunc("POST /loja/{slug}/planos/{plan}/cadastro", h.post(h.plan(h.signUp)))
	mux.HandleFunc("GET /loja/{slug}/sem-cobertura", h.shop(h.coldLeadPage))
	mux.HandleFunc("POST /loja/{slug}/sem-cobertura", h.post(h.coldLead))
	mux.HandleFunc("GET /loja/{slug}/sem-cobertura/obrigado", h.shop(h.coldLeadThanks))
	mux.HandleFunc("GET /loja/{slug}/assinaturas/{uuid}/documentos", h.shop(h.subscription(h.documentsPage)))
	// Multipart: the body is streamed to storage, so the CSRF token comes
	// in the query string, checked before a byte of it is read.
	mux.HandleFunc("POST /loja/{slug}/assinaturas/{uuid}/documentos", h.limited(h.shop(h.subscription(h.uploadDocuments))))
	mux.HandleFunc("GET /loja/{slug}/assinaturas/{uuid}", h.shop(h.subscription(h.confirmation)))
}

// shop is a provider's site as one request sees it.
type shop struct {
	*storefront.Catalog
	// Base is the path the site's links start from: /loja/{slug}.
	Base  string
	Theme string // the theme stylesheet's URL

	w     http.ResponseWriter
	r     *http.Request
	csrf  *web.CSRF
	token string
}

// CSRF is the token of the page's forms, made (and its cookie set) when a
// page first asks for it: the home page has no form, so it is the same for
// every visitor and is kept rendered (see homes).
func (s *shop) CSRF() string {
	if s.token == "" {
		s.token = s.csrf.Token(s.w, s.r)
	}
	return s.token
}

type shopHandler func(w http.ResponseWriter, r *http.Request, s *shop)

// shop resolves the provider of /loja/{slug}.
func (h *Handler) shop(next shopHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := h.svc.CatalogBySlug(r.Context(), r.PathValue("slug"))
		if err != nil {
			web.Render(w, r, err)
			return
		}
		next(w, r, h.newShop(w, r, c))
	}
}

func (h *Handler) newShop(w http.ResponseWriter, r *http.Request, c *storefront.Catalog) *shop {
	base := "/loja/" + c.Provider.Slug
	return &shop{Catalog: c, Base: base, Theme: base + "/tema.css?v=" + h.themeOf(c).version, w: w, r: r, csrf: h.csrf}
}

// customDomain serves the home page at / when the Host is one a provider
// registered as an origin (its own domain pointed at the service). Any
// other Host gets what / answered before: the plain not-found.
func (h *Handler) customDomain(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.CatalogByHost(r.Context(), r.Host)
	if err == nil && c.Provider.Slug == "" {
		err = apperr.New(apperr.NotFound, "route not found")
	}
	if err != nil {
		httpx.RenderPlain(w, r, apperr.New(apperr.NotFound, "route not found"))
		return
	}
	h.home(w, r, h.newShop(w, r, c))
}

// limited applies the write limit per client address and provider.
func (h *Handler) limited(next http.HandlerFunc) http.HandlerFunc {
	return httpx.Limited(h.writes, func(r *http.Request) string {
		return httpx.ClientAddr(r) + " " + r.PathValue("slug")
	}, web.Render, next)
}

// post is a form post: limited, its body capped and parsed, its CSRF token
// checked (403 otherwise), then the provider resolved.
func (h *Handler) post(next shopHandler) http.HandlerFunc {
	return h.limited(func(w http.ResponseWriter, r *http.Request) {
		if h.csrf.ParseForm(w, r, web.MaxFormBody) {
			h.shop(next)(w, r)
		}
	})
}

// themeOf is the stylesheet of c.
func (h *Handler) themeOf(c *storefront.Catalog) themeCSS {
	t, _ := h.themes.of(c, func() (themeCSS, error) { return newThemeCSS(c), nil })
	return t
}

// theme serves the provider's stylesheet; the page links it with its
// content hash, so a versioned URL may be cached for good.
func (h *Handler) theme(w http.ResponseWriter, r *http.Request, s *shop) {
	t := h.themeOf(s.Catalog)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/css; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == t.version {
		hdr.Set("Cache-Control", web.ImmutableCache)
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	_, _ = w.Write(t.body)
}

// render writes a page of the shop.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, title string, s *shop, data any) {
	h.pages.Render(w, r, status, name, shopPage(title, s, data))
}

func shopPage(title string, s *shop, data any) web.Page {
	return web.Page{Title: title + " · " + s.Provider.Name, Stylesheets: []string{s.Theme}, Data: pageData{Shop: s, View: data}}
}

// pageData is what every page template gets: .Shop and its own .View.
type pageData struct {
	Shop *shop
	View any
}
