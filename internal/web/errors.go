package web

import (
	"html/template"
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
	"partnership-service/internal/server"
)

// errorPage is the page of a request that went wrong before (or instead
// of) a page of its own: an unknown address, a body too large. It uses only
// base.css, so it needs nothing from the page's owner.
var errorPage = template.Must(template.New("error").Funcs(Funcs()).Parse(`<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><link rel="stylesheet" href="{{asset "base.css"}}"></head>
<body><main id="conteudo" class="narrow"><h1>{{.Title}}</h1><p>{{.Message}}</p></main></body></html>`))

// statusWords are the titles and explanations of error pages, in pt-BR.
var statusWords = map[int][2]string{
	http.StatusBadRequest:            {"Pedido inválido", "Não entendemos o que foi enviado. Volte e tente de novo."},
	http.StatusForbidden:             {"Formulário expirado", "Por segurança, recarregue a página e envie o formulário de novo."},
	http.StatusNotFound:              {"Página não encontrada", "O endereço não existe ou foi removido."},
	http.StatusMethodNotAllowed:      {"Ação não permitida", "Esta página não aceita esse tipo de envio."},
	http.StatusRequestEntityTooLarge: {"Arquivo grande demais", "O envio passou do tamanho máximo. Envie arquivos menores."},
	http.StatusTooManyRequests:       {"Muitas tentativas", "Aguarde um minuto e tente de novo."},
	http.StatusServiceUnavailable:    {"Serviço ocupado", "Tente de novo em instantes."},
}

// RenderError writes the error page of status.
func RenderError(w http.ResponseWriter, r *http.Request, status int) {
	words, ok := statusWords[status]
	if !ok {
		if status < 500 {
			words = statusWords[http.StatusBadRequest]
		} else {
			words = [2]string{"Erro", "Algo deu errado do nosso lado. Tente de novo em instantes."}
		}
	}
	SetPageHeaders(w.Header())
	w.WriteHeader(status)
	_ = errorPage.Execute(w, struct{ Title, Message string }{words[0], words[1]})
}

// Render is an httpx.Renderer for a surface of pages: an error (an
// unknown route, a refused body) is answered with the error page of its
// status; internal errors are logged and worded generically.
func Render(w http.ResponseWriter, r *http.Request, err error) {
	e := httpx.LogIfInternal(r, err)
	RenderError(w, r, apperr.HTTPStatus(e.Code))
}

// Surface is a surface of pages at prefixes: routes register them (a
// console's login, then its pages, say), and what goes wrong there is
// answered with an error page (Render).
func Surface(name string, prefixes []string, routes ...func(mux *http.ServeMux)) server.Surface {
	return server.Surface{Name: name, Prefixes: prefixes, Render: Render, Routes: func(mux *http.ServeMux) {
		for _, add := range routes {
			add(mux)
		}
	}}
}

// AssetsSurface serves the pages' shared CSS and JavaScript (Base).
func AssetsSurface() server.Surface {
	return Surface("assets", []string{AssetPrefix}, Base.Routes)
}
