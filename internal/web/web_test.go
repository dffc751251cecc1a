package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestPagesRenderInTheLayoutWithStrictHeaders(t *testing.T) {
	pages := fstest.MapFS{
		"pages/_parts.html": {Data: []byte(`{{define "price"}}{{money .}}{{end}}`)},
		"pages/home.html":   {Data: []byte(`{{define "content"}}<p>{{template "price" .Data}}</p><p>{{.Data | shout}}</p>{{end}}`)},
	}
	tmpl, err := ParseTemplates(pages, map[string]any{"shout": func(cents int64) string { return "!" }})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	tmpl.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, "home", Page{Title: "Início", Data: int64(123456)})
	body := w.Body.String()
	css, _ := Base.URL("base.css")
	for _, want := range []string{`<html lang="pt-BR">`, "<title>Início</title>", "<p>R$ 1.234,56</p>", `href="` + css + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	h := w.Header()
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("headers = %v", h)
	}

	// A page that fails while rendering is a clean 500, not half a page.
	w = httptest.NewRecorder()
	tmpl.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, "home", Page{Data: "not cents"})
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "<main") {
		t.Errorf("broken page: %d %s", w.Code, w.Body)
	}
}

func TestAssetsAreFingerprintedAndCachedForever(t *testing.T) {
	mux := http.NewServeMux()
	Base.Routes(mux)
	for _, name := range []string{"base.css", "forms.js"} {
		u, err := Base.URL(name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u, AssetPrefix) || u == AssetPrefix+name {
			t.Errorf("URL(%s) = %q: not fingerprinted", name, u)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, u, nil))
		body, _ := io.ReadAll(w.Body)
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != ImmutableCache || len(body) != Base.Size(name) {
			t.Errorf("GET %s: %d %v (%d bytes)", u, w.Code, w.Header(), len(body))
		}
	}
	// The bare name, or a stale fingerprint, is not served.
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, AssetPrefix+"base.css", nil))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Página não encontrada") {
		t.Errorf("unfingerprinted: %d %s", w.Code, w.Body)
	}
	if _, err := Base.URL("missing.css"); err == nil {
		t.Error("unknown asset has a URL")
	}
}
