package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/swaggest/swgui/v5emb"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// requireBearer lets through only requests with "Authorization: Bearer
// token"; others get a 401 in the plain envelope. The comparison is of
// hashes, so it takes the same time whatever the guess.
func requireBearer(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			httpx.RenderPlain(w, r, apperr.New(apperr.Unauthorized, "metrics need a bearer token"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// inlineBlock finds the inline <script> and <style> elements of a page.
var inlineBlock = regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`)

// docsHandler is the embedded Swagger UI under a Content-Security-Policy
// made for it. Its index page is the same bytes on every request, so its
// inline scripts are allowed by their SHA-256 and script-src needs no
// 'unsafe-inline'. Styles do need it: Swagger UI's bundle writes style
// attributes into its markup, which no hash or nonce can allow; a style
// cannot run code, and the exception is scoped to /docs/. Everything else
// comes from the binary ('self'); the CSS carries data: images; the page
// fetches /openapi.json and the "try it out" calls from the same origin.
func docsHandler() (http.Handler, error) {
	ui := v5emb.New("partnership-service API", "/openapi.json", "/docs/")
	page := &bufferWriter{header: http.Header{}}
	req, err := http.NewRequest(http.MethodGet, "/docs/", nil)
	if err != nil {
		return nil, err
	}
	ui.ServeHTTP(page, req)
	if page.status != 0 && page.status != http.StatusOK {
		return nil, fmt.Errorf("server: docs page renders with status %d", page.status)
	}
	var scripts []string
	for _, m := range inlineBlock.FindAllSubmatch(page.body.Bytes(), -1) {
		if string(m[1]) == "script" {
			sum := sha256.Sum256(m[2])
			scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
	}
	csp := []string{"default-src 'none'; script-src 'self' " + strings.Join(scripts, " ") +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'" +
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Security-Policy"] = csp
		ui.ServeHTTP(w, r)
	}), nil
}

// bufferWriter is a ResponseWriter into memory, to render a page once.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
