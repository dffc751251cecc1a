package energy

import (
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// The partner API-key middleware: every energy route but the signing page
// runs behind it.

// authenticated runs h only for a valid partner API key, with the caller
// in the request context.
func (a *API) authenticated(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Partners.Authenticate(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			Render(w, r, err)
			return
		}
		r = r.WithContext(WithPrincipal(r.Context(), p))
		// Keys are counted and scoped per API key, not per partner: a
		// partner's sellers each have theirs.
		a.Guard.Serve(w, r, httpx.Credential{RateKey: "energy:" + p.KeyID, KeyOwner: "energy:" + p.KeyID}, Render, h)
	}
}

// adminOnly runs h only for an admin key.
func (a *API) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return a.authenticated(func(w http.ResponseWriter, r *http.Request) {
		if p, _ := PrincipalFrom(r.Context()); !p.Admin {
			Render(w, r, apperr.New(apperr.Forbidden, "esta chave de API não pode administrar o catálogo"))
			return
		}
		h(w, r)
	})
}

// partnerHandler is a handler that knows its authenticated caller.
type partnerHandler func(w http.ResponseWriter, r *http.Request, p Principal)

// partner runs h behind the API-key check, with the caller it found.
func (a *API) partner(h partnerHandler) http.HandlerFunc {
	return a.authenticated(func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		h(w, r, p)
	})
}
