package energy

import (
	"bytes"
	"errors"
	"html/template"
	"net"
	"net/http"
	"strconv"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/httpx"
)

func (a *API) signingPage(w http.ResponseWriter, r *http.Request) {
	ss, err := a.Leads.Signing(r.Context(), r.PathValue("token"))
	if err != nil {
		renderSignError(w, r, err)
		return
	}
	renderSigning(w, r, http.StatusOK, ss, signForm{})
}

// maxSignForm caps the form body: a name, a CPF and a checkbox.
const maxSignForm = 8 << 10

func (a *API) sign(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignForm)
	if err := r.ParseForm(); err != nil {
		renderSignError(w, r, apperr.New(apperr.Invalid, "Formulário inválido."))
		return
	}
	form := signForm{Name: r.PostForm.Get("name"), CPF: r.PostForm.Get("cpf")}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	ss, err := a.Leads.Sign(r.Context(), r.PathValue("token"), SignInput{
		Name: form.Name, CPF: form.CPF, Accepted: r.PostForm.Get("accept") == "on",
		IP: ip, ForwardedFor: r.Header.Get("X-Forwarded-For"), Agent: r.UserAgent(),
	})
	switch {
	case errors.Is(err, ErrSigningClosed):
		renderSigning(w, r, http.StatusConflict, ss, signForm{})
	case apperr.Is(err, apperr.Invalid):
		form.Errors = apperr.As(err).Messages()
		renderSigning(w, r, http.StatusBadRequest, ss, form)
	case apperr.Is(err, apperr.Conflict):
		form.Errors = apperr.As(err).Messages()
		renderSigning(w, r, http.StatusConflict, ss, form)
	case err != nil:
		renderSignError(w, r, err)
	default:
		renderSigning(w, r, http.StatusOK, ss, signForm{Signed: true})
	}
}

func (a *API) signingContract(w http.ResponseWriter, r *http.Request) {
	f, err := a.Leads.SigningContract(r.Context(), r.PathValue("token"))
	if err != nil {
		renderSignError(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "frame-ancestors 'self'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	servePDF(w, f, "contrato.pdf")
}

type signForm struct {
	Name, CPF string
	Errors    []string
	Signed    bool // this request signed
}

type signPageData struct {
	Title    string
	Message  string
	Customer string
	Document string
	Utility  string
	Plan     string
	Signers  []signerLine
	PDFURL   string
	ShowPDF  bool
	ShowForm bool
	Form     signForm
}

type signerLine struct {
	Name   string
	CPF    string // masked
	Signed bool
}

func renderSigning(w http.ResponseWriter, r *http.Request, status int, ss SigningSession, form signForm) {
	l := ss.Lead
	d := signPageData{Customer: l.FullName, Document: brdoc.FormatCPF(l.IdentificationNumber), Utility: l.UtilityName, Form: form,
		ShowPDF: true, PDFURL: SignPathPrefix + r.PathValue("token") + "/contrato.pdf"}
	if l.PersonType == Juridical {
		d.Customer, d.Document = l.CompanyName, brdoc.FormatCNPJ(l.IdentificationNumber)
	}
	if p := l.Plan; p != nil {
		d.Plan = p.Name + " — " + discountPercent(p.Discount) + "% de desconto, fidelidade de " + strconv.Itoa(p.FidelityMonths) + " meses"
		if p.Benefit != "" {
			d.Plan += ", " + p.Benefit
		}
	}
	for _, s := range l.signers() {
		d.Signers = append(d.Signers, signerLine{Name: s.Name, CPF: maskCPF(s.CPF), Signed: l.signedBy(s.CPF)})
	}
	switch {
	case form.Signed && ss.State == SigningDone:
		d.Title, d.Message = "Contrato assinado", "Assinatura registrada. O contrato está assinado por todos; você já pode fechar esta página."
	case form.Signed:
		d.Title, d.Message = "Assinatura registrada", "Sua assinatura foi registrada. O contrato aguarda a assinatura dos demais representantes."
	case ss.State == SigningDone:
		d.Title, d.Message = "Contrato já assinado", "Este contrato já foi assinado; nada foi alterado."
	case ss.State == SigningExpired:
		d.Title, d.Message, d.ShowPDF = "Link expirado", "O prazo deste link de assinatura terminou; nada foi alterado. Peça um novo link ao seu consultor.", false
		status = max(status, http.StatusGone)
	default:
		d.Title, d.ShowForm = "Assinatura do contrato", true
	}
	writePage(w, status, d)
}

func renderSignError(w http.ResponseWriter, r *http.Request, err error) {
	e := httpx.LogIfInternal(r, err)
	d := signPageData{Title: "Não foi possível continuar", Message: e.Message}
	switch e.Code {
	case apperr.NotFound:
		d.Title = "Link inválido"
		d.Message = "Este link de assinatura não existe ou foi cancelado (por exemplo, porque um novo contrato foi enviado). Peça um novo link ao seu consultor."
	case apperr.Internal:
		d.Message = "Ocorreu um erro interno; nada foi alterado. Tente novamente em instantes."
	}
	writePage(w, apperr.HTTPStatus(e.Code), d)
}

func writePage(w http.ResponseWriter, status int, d signPageData) {
	var buf bytes.Buffer
	if err := signTemplate.Execute(&buf, d); err != nil {
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

// maskCPF shows only the middle digits: ***.456.789-**.
func maskCPF(cpf string) string {
	if len(cpf) != 11 {
		return "***"
	}
	return "***." + cpf[3:6] + "." + cpf[6:9] + "-**"
}

var signTemplate = template.Must(template.New("sign").Parse(`<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d2733;line-height:1.45}
h1{font-size:1.5rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}
iframe{width:100%;height:32rem;border:1px solid #c7ced6}
form{margin-top:1.5rem;display:grid;gap:.75rem;max-width:28rem}label{display:grid;gap:.25rem}
input[type=text]{padding:.5rem;font-size:1rem}button{padding:.6rem 1rem;font-size:1rem;cursor:pointer}
.erro{background:#fdecea;border:1px solid #e0a39b;padding:.75rem}.ok{background:#e8f5e9;border:1px solid #9ccc9f;padding:.75rem}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .Message}}<p class="{{if .Form.Signed}}ok{{else}}erro{{end}}">{{.Message}}</p>{{end}}
{{if .Customer}}
<dl>
<dt>Cliente</dt><dd>{{.Customer}} ({{.Document}})</dd>
{{if .Utility}}<dt>Distribuidora</dt><dd>{{.Utility}}</dd>{{end}}
{{if .Plan}}<dt>Plano</dt><dd>{{.Plan}}</dd>{{end}}
<dt>Assinantes</dt><dd>{{range .Signers}}{{.Name}} (CPF {{.CPF}}){{if .Signed}} — assinado{{else}} — pendente{{end}}<br>{{end}}</dd>
</dl>
{{end}}
{{if .ShowPDF}}{{if .Customer}}
<p><a href="{{.PDFURL}}" target="_blank" rel="noopener">Abrir o contrato (PDF)</a></p>
<iframe src="{{.PDFURL}}" title="Contrato"></iframe>
{{end}}{{end}}
{{if .ShowForm}}
{{if .Form.Errors}}<div class="erro" role="alert">{{range .Form.Errors}}<p>{{.}}</p>{{end}}</div>{{end}}
<form method="post">
<label>Nome completo <input type="text" name="name" value="{{.Form.Name}}" required autocomplete="name"></label>
<label>CPF <input type="text" name="cpf" value="{{.Form.CPF}}" required inputmode="numeric" placeholder="000.000.000-00"></label>
<label><span><input type="checkbox" name="accept" required> Li o contrato e concordo com os seus termos.</span></label>
<button type="submit">Assinar contrato</button>
</form>
<p><small>Ao assinar registramos data e hora, endereço IP, navegador e o resumo SHA-256 do documento.</small></p>
{{end}}
</body>
</html>
`))
