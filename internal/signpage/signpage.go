// Package signpage renders the contract signing page: server-side HTML
// from an embedded template, with the headers a page reached by a secret
// link needs. What the page says is the caller's.
package signpage

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
)

// Page is what one answer of the signing page shows.
type Page struct {
	Title    string
	Message  string // shown as a success when Form.Signed, else as an error
	Customer string // "" hides the contract's summary
	Document string // the customer's CNPJ, formatted, or CPF, masked (MaskCPF)
	Utility  string
	Plan     string
	Signers  []Signer
	PDFURL   string
	ShowPDF  bool
	ShowForm bool
	Form     Form
}

// Signer is one who must sign. CPF is the 11 digits; the page shows only
// the middle ones.
type Signer struct {
	Name   string
	CPF    string
	Signed bool
}

// MaskedCPF shows only the middle digits: ***.456.789-**.
func (s Signer) MaskedCPF() string { return MaskCPF(s.CPF) }

// MaskCPF shows only the middle digits of an 11-digit CPF, ***.456.789-**;
// anything else becomes "***". The page never shows a CPF in full.
func MaskCPF(cpf string) string {
	if len(cpf) != 11 {
		return "***"
	}
	return "***." + cpf[3:6] + "." + cpf[6:9] + "-**"
}

// Form is the signing form as sent back to its page.
type Form struct {
	Name, CPF string
	Errors    []string
	Signed    bool // this request signed
}

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("sign").Parse(pageHTML))

// Write answers with p rendered, under status.
func Write(w http.ResponseWriter, status int, p Page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString("<!doctype html><title>Erro</title><p>Erro interno.</p>")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The token is in the URL: never send it to another site.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
