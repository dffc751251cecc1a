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

// Page is what one answer of the signing page shows. Nothing on it carries
// a CPF in full: signers come with their CPF masked already.
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
	SignURL  string // where the code and the acceptance are posted
	CodeURL  string // where a signer asks for a code
	Form     Form
}

// Signer is one who must sign, as the page shows them.
type Signer struct {
	Number    int // 1-based position, the form's "signer" value
	Name      string
	MaskedCPF string // MaskCPF of the signer's CPF
	Email     string // masked
	Signed    bool
	Locked    bool // too many wrong codes on this link
}

// Pending reports whether the signer may still sign on this link.
func (s Signer) Pending() bool { return !s.Signed && !s.Locked }

// MaskCPF shows only the middle digits of an 11-digit CPF, ***.456.789-**;
// anything else becomes "***". The page never shows a CPF in full.
func MaskCPF(cpf string) string {
	if len(cpf) != 11 {
		return "***"
	}
	return "***." + cpf[3:6] + "." + cpf[6:9] + "-**"
}

// Form is the signing form's state as sent back to its page.
type Form struct {
	Signer  int    // the signer a code went to (1-based), with AskCode
	AskCode bool   // show the code step for Signer; else ask who signs
	SentTo  string // the masked address the code went to, when one was just sent
	Errors  []string
	Signed  bool // this request signed
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
