package companies

import (
	"net/http"
	"strconv"

	"partnership-service/internal/apperr"
	"partnership-service/internal/webhook"
)

// webhooks serves the shared endpoint management to super admins (any
// account, named by account_id) and management users (their own account,
// the default, and the accounts they manage). Client users may not: the
// issue gives endpoints to the two personas that integrate.
func (h *Handler) webhooks(serve func(http.ResponseWriter, *http.Request, webhook.Caller)) http.HandlerFunc {
	return h.authed(func(w http.ResponseWriter, r *http.Request, sess *Session) {
		if !sess.User.SuperAdmin && sess.Account.Type != Management {
			Render(w, r, fail(apperr.Forbidden, msgNoPermission))
			return
		}
		c := webhook.Caller{
			May: func(o webhook.Owner) bool {
				id, err := strconv.ParseInt(o.ID, 10, 64)
				return o.Surface == webhook.Companies && err == nil && sess.ActsFor(id)
			},
			Choose: func(r *http.Request, accountID string) (webhook.Owner, error) {
				id, err := strconv.ParseInt(accountID, 10, 64)
				if err == nil && id > 0 {
					err = h.svc.checkAccount(r.Context(), sess, id)
				}
				if err != nil {
					return webhook.Owner{}, apperr.Field(apperr.Unprocessable, "account_id", msgInvalid("account_id"))
				}
				return accountOwner(id), nil
			},
		}
		if !sess.User.SuperAdmin {
			c.Owner = accountOwner(sess.Account.ID)
		}
		serve(w, r, c)
	})
}

func accountOwner(id int64) webhook.Owner {
	return webhook.Owner{Surface: webhook.Companies, ID: strconv.FormatInt(id, 10)}
}
