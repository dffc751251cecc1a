package energy

import (
	"net/http"

	"partnership-service/internal/webhook"
)

// webhooks serves the shared endpoint management to a partner, for its own
// endpoints.
func (a *API) webhooks(serve func(http.ResponseWriter, *http.Request, webhook.Caller)) http.HandlerFunc {
	return a.partner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		serve(w, r, webhook.Owned(webhook.Owner{Surface: webhook.Energy, ID: p.PartnerID}))
	})
}
