package storefront

import (
	"net/http"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// Prefixes are the paths the storefront surface answers (its error envelope
// applies to unknown routes under them too).
var Prefixes = []string{"/api/v2/providers", "/api/v2/subscriptions", "/api/v2/admin"}

// maxSubscriptionBody caps a subscription request: a few hundred bytes of
// form fields, with ample room.
const maxSubscriptionBody = 64 << 10

// Handler serves the storefront and its admin API.
type Handler struct {
	svc    *Service
	upload uploadPolicy
}

// NewHandler returns the HTTP side of svc; maxFileBytes caps each uploaded
// document.
func NewHandler(svc *Service, maxFileBytes int64) *Handler {
	return &Handler{svc: svc, upload: newUploadPolicy(maxFileBytes)}
}

// Routes registers the storefront and admin routes.
func (h *Handler) Routes(mux *http.ServeMux) {
	routes := []struct {
		method, path string
		handle       func(http.ResponseWriter, *http.Request, *tenant)
	}{
		{"GET", "/api/v2/providers", h.serveDocument(func(t *tenant) *document { return &t.providerDoc })},
		{"GET", "/api/v2/providers/categories", h.serveDocument(func(t *tenant) *document { return &t.categoriesDoc })},
		{"GET", "/api/v2/providers/plans", h.serveDocument(func(t *tenant) *document { return &t.plansDoc })},
		{"GET", "/api/v2/providers/check_coupon_availability", h.checkCoupon},
		{"POST", "/api/v2/subscriptions", h.createSubscription},
		{"PUT", "/api/v2/subscriptions/{uuid}", h.updateSubscription},
		{"POST", "/api/v2/subscriptions/{uuid}/files", h.uploadFiles},
	}
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.path, h.withTenant(rt.handle))
		mux.HandleFunc("OPTIONS "+rt.path, h.withTenant(preflight(rt.method)))
	}
	h.adminRoutes(mux)
}

// withTenant resolves the provider from the Origin header and answers CORS
// for it. An Origin that no provider registered gets a 404 and no CORS
// headers, so browsers refuse the answer.
func (h *Handler) withTenant(next func(http.ResponseWriter, *http.Request, *tenant)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		t, err := h.svc.tenants.byOriginHeader(r.Context(), origin)
		if err != nil {
			Render(w, r, err)
			return
		}
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Origin", origin)
		hdr.Set("Access-Control-Expose-Headers", "ETag, X-Request-Id")
		next(w, r, t)
	}
}

// preflight answers a CORS preflight for a route that takes method.
func preflight(method string) func(http.ResponseWriter, *http.Request, *tenant) {
	methods := method + ", OPTIONS"
	return func(w http.ResponseWriter, r *http.Request, _ *tenant) {
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Methods", methods)
		hdr.Set("Access-Control-Allow-Headers", "Content-Type, X-Request-Id, If-None-Match")
		hdr.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	}
}

// serveDocument serves one of the tenant's pre-encoded catalog documents,
// or 304 when the client already has it.
func (h *Handler) serveDocument(pick func(*tenant) *document) func(http.ResponseWriter, *http.Request, *tenant) {
	return func(w http.ResponseWriter, r *http.Request, t *tenant) {
		doc := pick(t)
		hdr := w.Header()
		hdr.Set("ETag", doc.etag)
		hdr.Set("Cache-Control", "no-cache")
		if etagMatches(r.Header.Get("If-None-Match"), doc.etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		httpx.WriteRawJSON(w, http.StatusOK, doc.body)
	}
}

// etagMatches implements If-None-Match's weak comparison over a list.
func etagMatches(header, etag string) bool {
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag || tag == "*" {
			return true
		}
	}
	return false
}

type couponAttrs struct {
	Description string `json:"description"`
	ID          int64  `json:"id"`
	Name        string `json:"name"`
}

// checkCoupon: GET /api/v2/providers/check_coupon_availability?name=&plan_id=.
// Every coupon that cannot be used, and a plan_id that names no plan of
// the provider, answer the seed's 422.
func (h *Handler) checkCoupon(w http.ResponseWriter, r *http.Request, t *tenant) {
	q := r.URL.Query()
	var planID int64
	if s := q.Get("plan_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			Render(w, r, couponNotFound())
			return
		}
		planID = id
	}
	c, err := h.svc.CheckCoupon(r.Context(), t, q.Get("name"), planID)
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, one[resource[couponAttrs]]{Data: resource[couponAttrs]{
		ID: idString(c.ID), Type: "cupom", Attributes: couponAttrs{Description: c.Description, ID: c.ID, Name: c.Name},
	}})
}

type subscriptionAttrs struct {
	Coverage bool `json:"coverage"`
}

type subscriptionResource struct {
	ID         *string           `json:"id"`
	Type       string            `json:"type"`
	Attributes subscriptionAttrs `json:"attributes"`
}

func writeSubscribeResult(w http.ResponseWriter, res SubscribeResult) {
	httpx.WriteJSON(w, http.StatusOK, one[subscriptionResource]{Data: subscriptionResource{
		ID: nullable(res.ID), Type: "subscriptions", Attributes: subscriptionAttrs{Coverage: res.Coverage},
	}})
}

// createSubscription: POST /api/v2/subscriptions.
func (h *Handler) createSubscription(w http.ResponseWriter, r *http.Request, t *tenant) {
	in, err := decodeSubscription(w, r)
	if err == nil {
		var res SubscribeResult
		if res, err = h.svc.Subscribe(r.Context(), t, in); err == nil {
			writeSubscribeResult(w, res)
			return
		}
	}
	Render(w, r, err)
}

// updateSubscription: PUT /api/v2/subscriptions/{uuid}.
func (h *Handler) updateSubscription(w http.ResponseWriter, r *http.Request, t *tenant) {
	in, err := decodeSubscription(w, r)
	if err == nil {
		var res SubscribeResult
		if res, err = h.svc.UpdateSubscription(r.Context(), t, r.PathValue("uuid"), in); err == nil {
			writeSubscribeResult(w, res)
			return
		}
	}
	Render(w, r, err)
}

// uploadFiles: POST /api/v2/subscriptions/{uuid}/files.
func (h *Handler) uploadFiles(w http.ResponseWriter, r *http.Request, t *tenant) {
	res, err := h.svc.AttachFiles(r.Context(), t, r.PathValue("uuid"), h.upload.receiver(r))
	if err != nil {
		Render(w, r, err)
		return
	}
	writeSubscribeResult(w, res)
}

// decodeJSON is httpx.DecodeJSON with the surface's Portuguese wording for
// type errors; a body of the wrong type (an array, a string) is a "base"
// error like other malformed bodies.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) error {
	err := httpx.DecodeJSON(w, r, dst, maxBytes)
	if e := apperr.As(err); err != nil && len(e.Fields) > 0 {
		fields := make(map[string][]string, len(e.Fields))
		for k := range e.Fields {
			if k == "body" {
				fields["base"] = []string{"o corpo deve ser um objeto JSON"}
				continue
			}
			fields[k] = []string{"tipo inválido"}
		}
		return &apperr.Error{Code: e.Code, Message: e.Message, Fields: fields, Err: e}
	}
	return err
}
