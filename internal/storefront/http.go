package storefront

import (
	"net/http"
	"strconv"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
	"partnership-service/internal/upload"
	"partnership-service/internal/webhook"
)

// Prefixes are the paths the storefront surface answers (its error envelope
// applies to unknown routes under them too).
var Prefixes = []string{"/api/v2/"}

// maxSubscriptionBody caps a subscription request: a few hundred bytes of
// form fields, with ample room.
const maxSubscriptionBody = 64 << 10

// Handler serves the storefront and its admin API.
type Handler struct {
	svc  *Service
	docs *documentCache
	// writes limits the anonymous routes that spend or create something
	// (coupon checks, subscriptions, their files) per client address and
	// Origin, so coupons cannot be enumerated or sign-ups spammed.
	writes *httpx.RateLimiter
	// Guard rate-limits each client address at each storefront, and each
	// provider's admin API, and makes their writes idempotent
	// (Idempotency-Key); nil: neither.
	Guard *httpx.Guard
	// Webhooks serves the providers' webhook endpoints; nil: no such
	// routes.
	Webhooks *webhook.Handlers
}

// DefaultPublicWriteLimit is how many coupon checks and subscription
// writes one client address may make per minute at one storefront: far
// more than a person signing up needs.
const DefaultPublicWriteLimit = 60

// NewHandler returns the HTTP side of svc; publicWritesPerMinute bounds
// each client's coupon checks and subscription writes per storefront
// (DefaultPublicWriteLimit when 0).
func NewHandler(svc *Service, publicWritesPerMinute int) *Handler {
	if publicWritesPerMinute <= 0 {
		publicWritesPerMinute = DefaultPublicWriteLimit
	}
	return &Handler{svc: svc, docs: newDocumentCache(),
		writes: httpx.NewRateLimiter(publicWritesPerMinute, time.Minute, svc.now)}
}

// limited applies the public write limit to next.
func (h *Handler) limited(next http.HandlerFunc) http.HandlerFunc {
	return httpx.Limited(h.writes, func(r *http.Request) string {
		return httpx.ClientAddr(r) + " " + r.Header.Get("Origin")
	}, Render, next)
}

// Header values every storefront answer shares (len == cap: an Add
// copies), so a catalog read allocates none of them.
var (
	varyOrigin     = []string{"Origin"}
	exposedHeaders = []string{"ETag, X-Request-Id, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed"}
	noCache        = []string{"no-cache"}
)

// storefront resolves the provider's catalog from the Origin header and
// answers CORS for it. An Origin that no provider registered gets a 404
// and no CORS headers, so browsers refuse the answer.
func (h *Handler) storefront(next func(http.ResponseWriter, *http.Request, *Catalog)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		if len(hdr["Vary"]) == 0 {
			hdr["Vary"] = varyOrigin
		} else {
			hdr.Add("Vary", "Origin")
		}
		c, registered, err := h.svc.CatalogByOrigin(r.Context(), r.Header.Get("Origin"))
		if err != nil {
			Render(w, r, err)
			return
		}
		// The registered origin, never the raw header: a browser compares
		// it byte for byte, and a header is the client's to shape.
		hdr["Access-Control-Allow-Origin"] = []string{registered}
		hdr["Access-Control-Expose-Headers"] = exposedHeaders
		client := "storefront:" + registered + " " + httpx.ClientAddr(r)
		httpx.Serve(h.Guard, w, r, httpx.Credential{RateKey: client, KeyOwner: client}, Render, c, next)
	}
}

// preflight answers a CORS preflight for a route that takes method.
func preflight(method string) func(http.ResponseWriter, *http.Request, *Catalog) {
	methods := method + ", OPTIONS"
	return func(w http.ResponseWriter, r *http.Request, _ *Catalog) {
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Methods", methods)
		hdr.Set("Access-Control-Allow-Headers", "Content-Type, X-Request-Id, If-None-Match, Idempotency-Key")
		hdr.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	}
}

// serveDocument serves one of the catalog's documents, encoded once per
// loaded catalog, or 304 when the client already has it.
func (h *Handler) serveDocument(pick func(*catalogDocuments) *document) func(http.ResponseWriter, *http.Request, *Catalog) {
	return func(w http.ResponseWriter, r *http.Request, c *Catalog) {
		docs, err := h.docs.of(c)
		if err != nil {
			Render(w, r, err)
			return
		}
		doc := pick(docs)
		hdr := w.Header()
		hdr["Etag"], hdr["Cache-Control"] = doc.etagValue, noCache
		if httpx.ETagMatches(r.Header.Get("If-None-Match"), doc.etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		httpx.WriteRawJSON(w, http.StatusOK, doc.body)
	}
}

func providerDocument(d *catalogDocuments) *document   { return &d.provider }
func categoriesDocument(d *catalogDocuments) *document { return &d.categories }
func plansDocument(d *catalogDocuments) *document      { return &d.plans }

type couponAttrs struct {
	Description string `json:"description"`
	ID          int64  `json:"id"`
	Name        string `json:"name"`
}

// checkCoupon: GET /api/v2/providers/check_coupon_availability?name=&plan_id=.
// Every coupon that cannot be used, and a plan_id that names no plan of
// the provider, answer the seed's 422, its message a string, not a list.
func (h *Handler) checkCoupon(w http.ResponseWriter, r *http.Request, cat *Catalog) {
	q := r.URL.Query()
	var planID int64
	if s := q.Get("plan_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			renderFlat(w, r, couponNotFound())
			return
		}
		planID = id
	}
	c, err := h.svc.CheckCoupon(r.Context(), cat.Provider.ID, q.Get("name"), planID)
	if err != nil {
		renderFlat(w, r, err)
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
func (h *Handler) createSubscription(w http.ResponseWriter, r *http.Request, c *Catalog) {
	h.writeSubscription(w, r, func(in SubscriptionInput) (SubscribeResult, error) {
		return h.svc.Subscribe(r.Context(), c.Provider.ID, in)
	})
}

// updateSubscription: PUT /api/v2/subscriptions/{uuid}.
func (h *Handler) updateSubscription(w http.ResponseWriter, r *http.Request, c *Catalog) {
	h.writeSubscription(w, r, func(in SubscriptionInput) (SubscribeResult, error) {
		return h.svc.UpdateSubscription(r.Context(), c.Provider.ID, r.PathValue("uuid"), in)
	})
}

// writeSubscription decodes a subscription request and answers what write
// made of it.
func (h *Handler) writeSubscription(w http.ResponseWriter, r *http.Request, write func(SubscriptionInput) (SubscribeResult, error)) {
	in, err := decodeSubscription(w, r)
	if err == nil {
		var res SubscribeResult
		if res, err = write(in); err == nil {
			writeSubscribeResult(w, res)
			return
		}
	}
	Render(w, r, err)
}

// uploadFiles: POST /api/v2/subscriptions/{uuid}/files.
func (h *Handler) uploadFiles(w http.ResponseWriter, r *http.Request, c *Catalog) {
	res, err := h.svc.AttachFiles(r.Context(), c.Provider.ID, r.PathValue("uuid"), upload.FromRequest(r))
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
