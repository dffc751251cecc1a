package energy

import (
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// Render writes err in the surface's NestJS-style envelope:
// {"statusCode":400,"message":["…"],"error":"Bad Request"}. message is a
// list of the field messages (or the one message); a conflict about an
// existing record also carries its id in "id".
func Render(w http.ResponseWriter, r *http.Request, err error) {
	e := httpx.LogIfInternal(r, err)
	status := apperr.HTTPStatus(e.Code)
	if e.Code == apperr.Unauthorized {
		// RFC 9110 asks every 401 to name the scheme it wants.
		w.Header().Set("WWW-Authenticate", `Bearer realm="energy"`)
	}
	body := errorBody{
		StatusCode: status,
		Message:    e.Messages(),
		Error:      http.StatusText(status),
	}
	if id, ok := e.Meta["id"]; ok {
		body.ID = id
	}
	httpx.WriteJSON(w, status, body)
}

// decode reads r's JSON body, at most maxBytes, into dst; when it cannot,
// it answers the error in the surface's envelope and returns false.
func decode(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) bool {
	if err := httpx.DecodeJSON(w, r, dst, maxBytes); err != nil {
		Render(w, r, err)
		return false
	}
	return true
}

type errorBody struct {
	StatusCode int      `json:"statusCode"`
	Message    []string `json:"message"`
	Error      string   `json:"error"`
	ID         string   `json:"id,omitempty"`
}
