// Package web holds what every server-rendered page of the service shares:
// the layout, the embedded CSS and JavaScript served under fingerprinted,
// long-cached URLs, the security headers (a strict Content-Security-Policy
// without 'unsafe-inline'), CSRF tokens for forms, and pt-BR formatting.
//
// Pages are html/template files of the package that owns them, each parsed
// with the layout here: a page file defines "content" (and optionally
// "header" and "footer"), and is rendered inside "layout" with a Page.
// Nothing is fetched from a CDN and nothing needs Node.js to build: the
// assets are plain files embedded in the binary.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed layout.html partials.html
var layoutFS embed.FS

//go:embed static
var staticFS embed.FS

// Base are the shared assets: base.css (layout, forms, focus styles,
// consoles) and forms.js (input masks for CPF/CNPJ, CEP, phone and dates;
// upload progress).
var Base = mustAssets(staticFS, "static")

// CSP is the Content-Security-Policy of every page: scripts and styles only
// from the service's own files (no inline code or style attributes), images
// also from https (providers' logos live on their own sites), requests from
// scripts (an upload with its progress) and forms only back to the service,
// and no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Page is what the layout renders: the page's own data is Data.
type Page struct {
	Title string
	// Stylesheets are extra stylesheet URLs after base.css (a provider's
	// theme, say), each the service's own.
	Stylesheets []string
	// Scripts are extra base assets (their file names) loaded after
	// forms.js, deferred.
	Scripts []string
	// CSRF is the token forms carry in their "csrf" field.
	CSRF string
	Data any
}

// Templates are a package's pages, each parsed with the layout on first
// use: an idle service holds no parsed page (the consoles' pages alone
// took megabytes), and one that is never visited is never parsed. The
// files are embedded, so a page that does not parse fails every test that
// renders it.
type Templates struct {
	fsys  fs.FS // the pages directory
	base  func() (*template.Template, error)
	pages map[string]*page
}

// page is one page's template, parsed once.
type page struct {
	file string
	once sync.Once
	tmpl *template.Template
	err  error
}

// Funcs are the template functions every page has: asset (a base asset's
// fingerprinted URL), money, date, dateTime, dateOnly (see format.go), join,
// fieldID and field (Form.Field).
func Funcs() template.FuncMap {
	return template.FuncMap{
		"asset":    Base.URL,
		"money":    Money,
		"date":     Date,
		"dateTime": DateTime,
		"dateOnly": DateOnly,
		"join":     strings.Join,
		"fieldID":  FieldID,
		"field":    (*Form).Field,
	}
}

// ParseTemplates finds every "*.html" file in the pages directory of fsys
// (a page package's embedded files): files whose names start with "_" are
// partials shared by all pages (after the ones every page has,
// partials.html, which they may redefine); each other file is a page,
// named by its file name without ".html". extra adds functions.
func ParseTemplates(fsys fs.FS, extra template.FuncMap) (*Templates, error) {
	fsys, err := fs.Sub(fsys, "pages")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, err
	}
	funcs := Funcs()
	for k, v := range extra {
		funcs[k] = v
	}
	var partials []string
	t := &Templates{fsys: fsys, pages: map[string]*page{}}
	for _, n := range names {
		if strings.HasPrefix(n, "_") {
			partials = append(partials, n)
		} else {
			t.pages[strings.TrimSuffix(n, ".html")] = &page{file: n}
		}
	}
	// The layout and the partials, parsed once, on the first page's use;
	// each page parses into a clone of them.
	t.base = sync.OnceValues(func() (*template.Template, error) {
		base, err := template.New("layout.html").Funcs(funcs).ParseFS(layoutFS, "layout.html", "partials.html")
		if err == nil && len(partials) > 0 {
			base, err = base.ParseFS(fsys, partials...)
		}
		return base, err
	})
	return t, nil
}

// template is page name parsed with the layout and the partials.
func (t *Templates) template(name string) (*template.Template, error) {
	p := t.pages[name]
	if p == nil {
		return nil, fmt.Errorf("web: no page %q", name)
	}
	p.once.Do(func() {
		base, err := t.base()
		if err == nil {
			base, err = base.Clone()
		}
		if err == nil {
			p.tmpl, err = base.ParseFS(t.fsys, p.file)
		}
		p.err = err
	})
	return p.tmpl, p.err
}

// Render writes page name with status and the page headers. The page is
// executed into a buffer first, so a template error is a clean 500, never
// half a page.
func (t *Templates) Render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) {
	body, err := t.Execute(name, p)
	if err != nil {
		slog.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		status, body = http.StatusInternalServerError, []byte(internalErrorPage)
	}
	WritePage(w, status, body)
}

// Execute renders page name, for a caller that keeps the bytes (a page
// that is the same for every visitor).
func (t *Templates) Execute(name string, p Page) ([]byte, error) {
	tmpl, err := t.template(name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WritePage answers with a rendered page and the page headers.
func WritePage(w http.ResponseWriter, status int, body []byte) {
	SetPageHeaders(w.Header())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

const internalErrorPage = `<!doctype html><html lang="pt-BR"><meta charset="utf-8"><title>Erro</title>` +
	`<p>Algo deu errado do nosso lado. Tente de novo em instantes.</p></html>`

// SetPageHeaders sets what every HTML page answers with: its type, the CSP
// and no caching (pages carry CSRF tokens and visitors' data).
func SetPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", CSP)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

// SeeOther answers with a 303 See Other to to: after a form post, the
// browser GETs to, so a reload never posts twice.
func SeeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// FieldID is the id of a form field's input, for its label and error:
// "f-" and the field name with brackets made safe.
func FieldID(name string) string {
	return "f-" + strings.NewReplacer("[", "-", "]", "", "_", "-").Replace(name)
}

// contentTypes are the types of the asset files the service ships.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

func contentType(name string) string {
	if ct, ok := contentTypes[path.Ext(name)]; ok {
		return ct
	}
	return "application/octet-stream"
}
