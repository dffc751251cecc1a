// Package provedor is the storefront providers' back-office at /provedor/:
// a provider's users (webauth.RealmProvider) see its subscriptions (list
// by status, detail, documents, CSV export) and edit its plans and
// coupons. Every page calls the storefront.Service method the admin API
// calls, so each rule and its message exist once; the messages show next
// to the fields they are about. A user sees only its own provider's
// records: every call names the provider of the signed-in user.
package provedor

import (
	"embed"
	"net/http"

	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
	"partnership-service/internal/webauth"
)

//go:embed pages/*.html
var pagesFS embed.FS

// Base is where the back-office lives.
const Base = "/provedor/"

// Prefixes are the paths of the pages (their unknown routes get an HTML
// 404).
var Prefixes = []string{Base}

// Handler serves the back-office.
type Handler struct {
	svc      *storefront.Service
	sessions *webauth.Sessions
	csrf     *web.CSRF
	pages    *web.Templates
}

// New returns the back-office over svc; sessions signs provider users in
// (a RealmProvider at Base) and csrf protects the forms.
func New(svc *storefront.Service, sessions *webauth.Sessions, csrf *web.CSRF) (*Handler, error) {
	pages, err := web.ParseTemplates(pagesFS, funcs)
	if err != nil {
		return nil, err
	}
	return &Handler{svc: svc, sessions: sessions, csrf: csrf, pages: pages}, nil
}

// console is the back-office as one request sees it: the signed-in user
// and their provider's catalog.
type console struct {
	User webauth.User
	*storefront.Catalog
	CSRF string
	// Section is the menu entry of the page: "assinaturas", "planos",
	// "cupons".
	Section string
}

type pageHandler func(w http.ResponseWriter, r *http.Request, c *console)

// page serves a page to a signed-in provider user.
func (h *Handler) page(section string, next pageHandler) http.Handler {
	return h.sessions.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := webauth.UserFrom(r.Context())
		cat, err := h.svc.Catalog(r.Context(), u.OwnerID)
		if err != nil {
			web.Render(w, r, err)
			return
		}
		next(w, r, &console{User: u, Catalog: cat, CSRF: h.csrf.Token(w, r), Section: section})
	}))
}

// post is a form post of a signed-in user: its body capped and its CSRF
// token checked (web.CSRF.ParseForm answers 413, 400 or 403 otherwise).
func (h *Handler) post(section string, next pageHandler) http.Handler {
	return h.page(section, func(w http.ResponseWriter, r *http.Request, c *console) {
		if h.csrf.ParseForm(w, r, web.MaxFormBody) {
			next(w, r, c)
		}
	})
}

// pageData is what every page template gets: .Console and its own .View.
type pageData struct {
	Console *console
	View    any
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, title string, c *console, view any) {
	h.pages.Render(w, r, status, name, web.Page{Title: title + " · " + c.Provider.Name, CSRF: c.CSRF,
		Data: pageData{Console: c, View: view}})
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, _ *console) {
	web.SeeOther(w, r, Base+"assinaturas")
}
