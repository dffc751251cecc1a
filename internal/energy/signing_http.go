package energy

import (
	"errors"
	"net"
	"net/http"
	"strconv"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/httpx"
	"partnership-service/internal/signpage"
)

func (a *API) signingPage(w http.ResponseWriter, r *http.Request) {
	ss, err := a.Leads.Signing(r.Context(), r.PathValue("token"))
	if err != nil {
		renderSignError(w, r, err)
		return
	}
	renderSigning(w, r, http.StatusOK, ss, signpage.Form{})
}

// maxSignForm caps the form body: a name, a CPF and a checkbox.
const maxSignForm = 8 << 10

func (a *API) sign(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignForm)
	if err := r.ParseForm(); err != nil {
		renderSignError(w, r, apperr.New(apperr.Invalid, "Formulário inválido."))
		return
	}
	form := signpage.Form{Name: r.PostForm.Get("name"), CPF: r.PostForm.Get("cpf")}
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
		renderSigning(w, r, http.StatusConflict, ss, signpage.Form{})
	case apperr.Is(err, apperr.Invalid):
		form.Errors = apperr.As(err).Messages()
		renderSigning(w, r, http.StatusBadRequest, ss, form)
	case apperr.Is(err, apperr.Conflict):
		form.Errors = apperr.As(err).Messages()
		renderSigning(w, r, http.StatusConflict, ss, form)
	case err != nil:
		renderSignError(w, r, err)
	default:
		renderSigning(w, r, http.StatusOK, ss, signpage.Form{Signed: true})
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

// renderSigning shows the session: the contract, its signers and the form
// while signing is open, or the outcome.
func renderSigning(w http.ResponseWriter, r *http.Request, status int, ss SigningSession, form signpage.Form) {
	l := ss.Lead
	d := signpage.Page{Customer: l.FullName, Document: signpage.MaskCPF(l.IdentificationNumber), Utility: l.UtilityName, Form: form,
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
		d.Signers = append(d.Signers, signpage.Signer{Name: s.Name, CPF: s.CPF, Signed: l.signedBy(s.CPF)})
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
	signpage.Write(w, status, d)
}

func renderSignError(w http.ResponseWriter, r *http.Request, err error) {
	e := httpx.LogIfInternal(r, err)
	d := signpage.Page{Title: "Não foi possível continuar", Message: e.Message}
	switch e.Code {
	case apperr.NotFound:
		d.Title = "Link inválido"
		d.Message = "Este link de assinatura não existe ou foi cancelado (por exemplo, porque um novo contrato foi enviado). Peça um novo link ao seu consultor."
	case apperr.Internal:
		d.Message = "Ocorreu um erro interno; nada foi alterado. Tente novamente em instantes."
	}
	signpage.Write(w, apperr.HTTPStatus(e.Code), d)
}
