package console

import (
	"net/http"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/web"
	"partnership-service/internal/webhook"
)

// --- API keys: issued (shown once) and revoked ---

type keysView struct {
	Keys   []energy.APIKey
	Form   *web.Form
	Issued string // the key just issued, shown this once
}

func (h *Handler) keysPage(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderKeys(w, r, http.StatusOK, s, web.NewForm(nil, labels), "")
}

func (h *Handler) renderKeys(w http.ResponseWriter, r *http.Request, status int, s *session, f *web.Form, issued string) {
	keys, err := h.Partners.Keys(r.Context(), s.Partner.ID)
	if err != nil {
		web.Render(w, r, err)
		return
	}
	h.render(w, r, status, "keys", "Chaves de API", s, keysView{Keys: keys, Form: f, Issued: issued})
}

// issueKey issues a seller's key (never a catalog admin's: that is the
// operator's) and shows it in the answer, not in a URL: it is not stored.
func (h *Handler) issueKey(w http.ResponseWriter, r *http.Request, s *session) {
	key, _, err := h.Partners.CreateKey(r.Context(), s.Partner.Name, r.PostForm.Get("seller"), false)
	if err != nil {
		f := web.NewForm(r.PostForm, labels)
		if !f.Fail(err) {
			web.Render(w, r, err)
			return
		}
		h.renderKeys(w, r, apperr.HTTPStatus(apperr.As(err).Code), s, f, "")
		return
	}
	h.renderKeys(w, r, http.StatusCreated, s, web.NewForm(nil, labels), key)
}

func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request, s *session) {
	if err := h.Partners.RevokePartnerKey(r.Context(), s.Partner.ID, r.PathValue("prefix")); err != nil {
		web.Render(w, r, err)
		return
	}
	web.SeeOther(w, r, Base+"chaves")
}

// --- webhook endpoints: the webhook service the API's routes call ---

func owner(s *session) webhook.Owner { return webhook.Owner{Surface: webhook.Energy, ID: s.Partner.ID} }

// mine lets a request manage its partner's endpoints only.
func mine(s *session) webhook.Access {
	o := owner(s)
	return func(x webhook.Owner) bool { return x == o }
}

type webhooksView struct {
	Endpoints []webhook.Endpoint
	Events    []string
	Form      *web.Form
	Created   *webhook.Endpoint
	Secret    string // the new endpoint's signing secret, shown this once
}

func (h *Handler) webhooksPage(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderWebhooks(w, r, http.StatusOK, s, web.NewForm(nil, labels), nil, "")
}

func (h *Handler) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, s *session, f *web.Form, created *webhook.Endpoint, secret string) {
	eps, err := h.Webhooks.List(r.Context(), owner(s))
	if err != nil {
		web.Render(w, r, err)
		return
	}
	h.render(w, r, status, "webhooks", "Webhooks", s, webhooksView{Endpoints: eps, Events: webhook.EventTypes[webhook.Energy],
		Form: f, Created: created, Secret: secret})
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, s *session) {
	url, desc := strings.TrimSpace(r.PostForm.Get("url")), r.PostForm.Get("description")
	in := webhook.Input{URL: &url, Description: &desc}
	if events := r.PostForm["events"]; len(events) > 0 {
		in.Events = &events
	}
	ep, secret, err := h.Webhooks.Create(r.Context(), owner(s), in)
	if err != nil {
		f := web.NewForm(r.PostForm, labels)
		if !f.Fail(err) {
			web.Render(w, r, err)
			return
		}
		h.renderWebhooks(w, r, apperr.HTTPStatus(apperr.As(err).Code), s, f, nil, "")
		return
	}
	h.renderWebhooks(w, r, http.StatusCreated, s, web.NewForm(nil, labels), &ep, secret)
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, s *session) {
	if err := h.Webhooks.Delete(r.Context(), mine(s), r.PathValue("id")); err != nil {
		web.Render(w, r, err)
		return
	}
	web.SeeOther(w, r, Base+"webhooks")
}

// deliveryLog is how many of an endpoint's latest deliveries its page lists.
const deliveryLog = 50

type webhookView struct {
	Endpoint   webhook.Endpoint
	Deliveries []webhook.Delivery
}

func (h *Handler) webhookPage(w http.ResponseWriter, r *http.Request, s *session) {
	ep, err := h.Webhooks.Get(r.Context(), mine(s), r.PathValue("id"))
	if err != nil {
		web.Render(w, r, err)
		return
	}
	ds, err := h.Webhooks.Deliveries(r.Context(), mine(s), ep.ID, deliveryLog)
	if err != nil {
		web.Render(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "webhook", "Webhook "+ep.URL, s, webhookView{Endpoint: ep, Deliveries: ds})
}

func (h *Handler) retryDelivery(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	if _, err := h.Webhooks.Retry(r.Context(), mine(s), id, r.PathValue("delivery")); err != nil {
		web.Render(w, r, err)
		return
	}
	web.SeeOther(w, r, Base+"webhooks/"+id)
}

var deliveryStates = map[webhook.DeliveryState]string{
	webhook.Pending: "Pendente", webhook.Succeeded: "Entregue", webhook.Failed: "Falhou",
}

func deliveryState(d webhook.Delivery) string {
	s := deliveryStates[d.State]
	if d.LastStatus != 0 {
		s += " (HTTP " + strconv.Itoa(d.LastStatus) + ")"
	}
	return s
}
