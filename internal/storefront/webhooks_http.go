package storefront

import (
	"net/http"
	"strconv"

	"partnership-service/internal/webhook"
)

// webhooks serves the shared endpoint management to a provider's admin
// token, for the provider's own endpoints.
func (h *Handler) webhooks(serve func(http.ResponseWriter, *http.Request, webhook.Caller)) http.HandlerFunc {
	return h.admin(func(w http.ResponseWriter, r *http.Request, providerID int64) {
		serve(w, r, webhook.Owned(webhook.Owner{Surface: webhook.Storefront, ID: strconv.FormatInt(providerID, 10)}))
	})
}
