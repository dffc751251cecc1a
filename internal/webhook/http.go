package webhook

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// Handlers serve endpoint management for one surface, written once: each
// surface authenticates the request its own way, says who the caller is
// (a Caller) and renders errors in its own envelope.
type Handlers struct {
	Service *Service
	// Render answers an error in the surface's envelope.
	Render func(http.ResponseWriter, *http.Request, error)
	// Invalid is the code of a validation error on the surface: energy
	// answers them 400 (apperr.Invalid), the others 422 (the default).
	Invalid apperr.Code
}

// Caller is who calls, as the surface authenticated it.
type Caller struct {
	// Owner is whom creates and lists act for when the request names no
	// account_id; the zero Owner when the caller has none (a companies
	// super admin), and then one must be named.
	Owner Owner
	// Choose resolves the owner an account_id names (companies); nil: the
	// surface has no such choice and account_id is refused.
	Choose func(r *http.Request, accountID string) (Owner, error)
	// May says whose endpoints the caller may read and change.
	May Access
}

// Owned is a Caller that acts for owner alone: an energy partner, a
// storefront provider.
func Owned(owner Owner) Caller {
	return Caller{Owner: owner, May: func(o Owner) bool { return o == owner }}
}

// endpointJSON is an endpoint on the wire; secret only in the answers to a
// create or a rotation.
type endpointJSON struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	Description    string     `json:"description"`
	Events         []string   `json:"events"`
	Enabled        bool       `json:"enabled"`
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason *string    `json:"disabled_reason"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Secret         string     `json:"secret,omitempty"`
}

func toJSON(ep Endpoint, secret string) endpointJSON {
	out := endpointJSON{ID: ep.ID, URL: ep.URL, Description: ep.Description, Events: ep.Events,
		Enabled: ep.DisabledAt.IsZero(), CreatedAt: ep.CreatedAt, UpdatedAt: ep.UpdatedAt, Secret: secret}
	if out.Events == nil {
		out.Events = []string{}
	}
	if !ep.DisabledAt.IsZero() {
		out.DisabledAt, out.DisabledReason = &ep.DisabledAt, &ep.DisabledReason
	}
	return out
}

type deliveryJSON struct {
	ID             string     `json:"id"`
	EventID        string     `json:"event_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode *int       `json:"last_status_code"`
	LastAttemptAt  *time.Time `json:"last_attempt_at"`
	LastError      *string    `json:"last_error"`
	LastResponse   *string    `json:"last_response"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

func deliveryToJSON(d Delivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Status: string(d.State),
		Attempts: d.Attempts, CreatedAt: d.CreatedAt}
	if d.LastStatus != 0 {
		out.LastStatusCode = &d.LastStatus
	}
	if !d.LastAttemptAt.IsZero() {
		out.LastAttemptAt, out.LastError, out.LastResponse = &d.LastAttemptAt, &d.LastError, &d.LastResponse
	}
	if d.State == Pending && !d.NextAttemptAt.IsZero() {
		out.NextAttemptAt = &d.NextAttemptAt
	}
	return out
}

type listJSON[T any] struct {
	Items []T `json:"items"`
}

// body is a create or update request.
type body struct {
	URL         *string     `json:"url"`
	Description *string     `json:"description"`
	Events      *[]string   `json:"events"`
	Enabled     *bool       `json:"enabled"`
	AccountID   json.Number `json:"account_id"`
}

func (b body) input() Input {
	return Input{URL: b.URL, Description: b.Description, Events: b.Events, Enabled: b.Enabled}
}

// fail renders err, as a validation error of the surface's code when it is
// one.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	if e := apperr.As(err); e != nil && e.Code == apperr.Unprocessable && h.Invalid != "" {
		c := *e
		c.Code = h.Invalid
		err = &c
	}
	h.Render(w, r, err)
}

// owner is whom a create or list acts for: the account_id named, when the
// surface lets one be, else the caller's own.
func (h *Handlers) owner(r *http.Request, c Caller, accountID string) (Owner, error) {
	switch {
	case accountID != "" && c.Choose == nil:
		return Owner{}, apperr.Field(apperr.Unprocessable, "account_id", "account_id não é aceito nesta API")
	case accountID != "":
		return c.Choose(r, accountID)
	case c.Owner == (Owner{}):
		return Owner{}, apperr.Field(apperr.Unprocessable, "account_id", "O campo account_id é obrigatório.")
	}
	return c.Owner, nil
}

// Create: POST …/webhook-endpoints → 201 with the secret.
func (h *Handlers) Create(w http.ResponseWriter, r *http.Request, c Caller) {
	var b body
	if err := httpx.DecodeJSON(w, r, &b, 16<<10); err != nil {
		h.fail(w, r, err)
		return
	}
	owner, err := h.owner(r, c, b.AccountID.String())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ep, secret, err := h.Service.Create(r.Context(), owner, b.input())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", r.URL.Path+"/"+ep.ID)
	// The secret is shown once: no cache (nor an Idempotency-Key
	// record) keeps this answer.
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusCreated, toJSON(ep, secret))
}

// List: GET …/webhook-endpoints[?account_id=].
func (h *Handlers) List(w http.ResponseWriter, r *http.Request, c Caller) {
	owner, err := h.owner(r, c, r.URL.Query().Get("account_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	eps, err := h.Service.List(r.Context(), owner)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := listJSON[endpointJSON]{Items: make([]endpointJSON, len(eps))}
	for i, ep := range eps {
		out.Items[i] = toJSON(ep, "")
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// Get: GET …/webhook-endpoints/{id}.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request, c Caller) {
	ep, err := h.Service.Get(r.Context(), c.May, r.PathValue("id"))
	h.answer(w, r, ep, "", err)
}

// Update: PATCH …/webhook-endpoints/{id}.
func (h *Handlers) Update(w http.ResponseWriter, r *http.Request, c Caller) {
	var b body
	if err := httpx.DecodeJSON(w, r, &b, 16<<10); err != nil {
		h.fail(w, r, err)
		return
	}
	if b.AccountID != "" {
		h.fail(w, r, apperr.New(apperr.Forbidden, "Não é permitido trocar a conta."))
		return
	}
	ep, err := h.Service.Update(r.Context(), c.May, r.PathValue("id"), b.input())
	h.answer(w, r, ep, "", err)
}

// Delete: DELETE …/webhook-endpoints/{id} → 204.
func (h *Handlers) Delete(w http.ResponseWriter, r *http.Request, c Caller) {
	if err := h.Service.Delete(r.Context(), c.May, r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// RotateSecret: POST …/webhook-endpoints/{id}/rotate-secret → the new secret.
func (h *Handlers) RotateSecret(w http.ResponseWriter, r *http.Request, c Caller) {
	ep, secret, err := h.Service.RotateSecret(r.Context(), c.May, r.PathValue("id"))
	h.answer(w, r, ep, secret, err)
}

func (h *Handlers) answer(w http.ResponseWriter, r *http.Request, ep Endpoint, secret string, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if secret != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	httpx.WriteJSON(w, http.StatusOK, toJSON(ep, secret))
}

// Deliveries: GET …/webhook-endpoints/{id}/deliveries[?limit=], newest first.
func (h *Handlers) Deliveries(w http.ResponseWriter, r *http.Request, c Caller) {
	limit := 50
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			h.fail(w, r, apperr.Field(apperr.Unprocessable, "limit", "limit deve ser um número entre 1 e 100"))
			return
		}
		limit = n
	}
	ds, err := h.Service.Deliveries(r.Context(), c.May, r.PathValue("id"), limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := listJSON[deliveryJSON]{Items: make([]deliveryJSON, len(ds))}
	for i, d := range ds {
		out.Items[i] = deliveryToJSON(d)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// Retry: POST …/webhook-endpoints/{id}/deliveries/{delivery_id}/retry →
// 202: the delivery, due now.
func (h *Handlers) Retry(w http.ResponseWriter, r *http.Request, c Caller) {
	d, err := h.Service.Retry(r.Context(), c.May, r.PathValue("id"), r.PathValue("delivery_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusAccepted, deliveryToJSON(d))
}
