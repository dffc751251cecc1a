package httpx

import (
	"net/http"
	"strings"

	"partnership-service/internal/apperr"
)

var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// NewMux returns a ServeMux whose unmatched requests get a JSON 404, or a
// JSON 405 with an Allow header, in the envelope of the surface the path
// belongs to. The catch-all costs nothing on matched routes: it is only
// reached when no other pattern matches.
func NewMux(renderers *Renderers) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			renderers.Render(w, r, apperr.New(apperr.MethodNotAllowed, "method not allowed"))
			return
		}
		renderers.Render(w, r, apperr.New(apperr.NotFound, "route not found"))
	})
	return mux
}

func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allowed []string
	for _, m := range probeMethods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			allowed = append(allowed, m)
		}
	}
	return allowed
}
