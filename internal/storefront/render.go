package storefront

import (
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// baseMessages word, per code, the errors that name no field: they come from
// the shared plumbing (unknown route, panic, conflicts reported by a store),
// whose own messages are in English.
var baseMessages = map[apperr.Code]string{
	apperr.Invalid:          "requisição inválida",
	apperr.Unauthorized:     "token inválido",
	apperr.Forbidden:        "acesso negado",
	apperr.NotFound:         "não encontrado",
	apperr.MethodNotAllowed: "método não permitido",
	apperr.Conflict:         "já existe",
	apperr.TooLarge:         "corpo da requisição muito grande",
	apperr.UnsupportedMedia: "tipo de conteúdo não suportado",
	apperr.Unprocessable:    "não é válido",
	apperr.TooManyRequests:  "muitas requisições",
	apperr.Unavailable:      "serviço indisponível",
	apperr.Internal:         "erro interno",
}

// Render writes err in the storefront's envelope:
// {"errors":{"campo":["mensagem"]}}; errors about no field in particular go
// under "base".
func Render(w http.ResponseWriter, r *http.Request, err error) { render(w, r, err, false) }

// renderFlat is Render with each field's first message as a string
// ({"errors":{"coupon":"não encontrado"}}), as the seed shows for the
// coupon check.
func renderFlat(w http.ResponseWriter, r *http.Request, err error) { render(w, r, err, true) }

func render(w http.ResponseWriter, r *http.Request, err error, flatFields bool) {
	e := httpx.LogIfInternal(r, err)
	status := apperr.HTTPStatus(e.Code)
	if len(e.Fields) == 0 {
		httpx.WriteJSON(w, status, errorsBody[[]string]{Errors: map[string][]string{"base": {baseMessages[e.Code]}}})
		return
	}
	if flatFields {
		flat := make(map[string]string, len(e.Fields))
		for k, msgs := range e.Fields {
			flat[k] = msgs[0]
		}
		httpx.WriteJSON(w, status, errorsBody[string]{Errors: flat})
		return
	}
	httpx.WriteJSON(w, status, errorsBody[[]string]{Errors: e.Fields})
}

type errorsBody[T any] struct {
	Errors map[string]T `json:"errors"`
}
