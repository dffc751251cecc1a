package companies

import (
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// metaShow marks an error whose Message is the Portuguese text to show;
// other field-less errors come from the shared plumbing (unknown route,
// body too large, panic), whose messages are in English, and are worded
// per code instead.
const metaShow = "show"

var baseMessages = map[apperr.Code]string{
	apperr.Invalid:          "Requisição inválida.",
	apperr.Unauthorized:     "Não autenticado.",
	apperr.Forbidden:        msgNoPermission,
	apperr.NotFound:         "Recurso não encontrado.",
	apperr.MethodNotAllowed: "Método não permitido.",
	apperr.Conflict:         "O registro já existe.",
	apperr.TooLarge:         "O corpo da requisição é grande demais.",
	apperr.UnsupportedMedia: "O Content-Type deve ser application/json.",
	apperr.Unprocessable:    "Os dados informados são inválidos.",
	apperr.TooManyRequests:  "Muitas requisições.",
	apperr.Unavailable:      "Serviço indisponível.",
	apperr.ClientGone:       "Requisição cancelada.",
	apperr.Internal:         "Erro interno.",
}

// Render writes err in the Companies envelope, as the seed shows it:
// validation errors as {"campo":["mensagem"]}, every other error as a list
// of messages (["Não é permitido trocar a conta."]).
func Render(w http.ResponseWriter, r *http.Request, err error) {
	e := httpx.LogIfInternal(r, err)
	status := apperr.HTTPStatus(e.Code)
	if s := e.Meta[MetaRetryAfter]; s != "" {
		w.Header().Set("Retry-After", s)
	}
	if e.Code == apperr.Unauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="companies"`)
	}
	if len(e.Fields) > 0 && e.Code != apperr.Internal {
		httpx.WriteJSON(w, status, e.Fields)
		return
	}
	msg := baseMessages[e.Code]
	if e.Meta[metaShow] == "true" {
		msg = e.Message
	}
	httpx.WriteJSON(w, status, []string{msg})
}
