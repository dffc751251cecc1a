package energy

import (
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// The partner API-key middleware: every energy route but the signing page
// runs behind it.

// authenticated runs h, which does not need to know who calls, only for a
// valid partner API key (the catalog reads).
func (a *API) authenticated(h http.HandlerFunc) http.HandlerFunc {
	return a.partner(func(w http.ResponseWriter, r *http.Request, _ Principal) { h(w, r) })
}

// principal is r's caller; when the key is refused it answers r and
// reports false.
func (a *API) principal(w http.ResponseWriter, r *http.Request) (Principal, bool) {
	p, err := a.Partners.Authenticate(r.Context(), r.Header.Get("Authorization"))
	if err != nil {
		Render(w, r, err)
		return Principal{}, false
	}
	return p, true
}

// adminOnly runs h only for an admin key.
func (a *API) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return a.partner(func(w http.ResponseWriter, r *http.Request, p Principal) {
		if !p.Admin {
			Render(w, r, apperr.New(apperr.Forbidden, "esta chave de API não pode administrar o catálogo"))
			return
		}
		h(w, r)
	})
}

// partnerHandler is a handler that knows its authenticated caller.
type partnerHandler func(w http.ResponseWriter, r *http.Request, p Principal)

// partner runs h behind the API-key check and the guard (rate limit,
// idempotency keys), with the caller it found,
// handed over as an argument: no copy of the request to carry it in a
// context (two allocations of every lead request).
func (a *API) partner(h partnerHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.principal(w, r)
		if !ok {
			return
		}
		// Rate limits and idempotency keys are per API key, not per
		// partner: a partner's sellers each have theirs.
		owner := "energy:" + p.KeyID
		httpx.Serve(a.Guard, w, r, httpx.Credential{RateKey: owner, KeyOwner: owner}, Render, p, h)
	}
}
