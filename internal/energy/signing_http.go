package energy

import (
	"errors"
	"net"
	"net/http"
	"strconv"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/httpx"
	"partnership-service/internal/mail"
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

// maxSignForm caps the form body: a signer's number, a code and a checkbox.
const maxSignForm = 8 << 10

// signForm parses the posted form and the signer it names.
func signForm(w http.ResponseWriter, r *http.Request) (int, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignForm)
	if err := r.ParseForm(); err != nil {
		renderSignError(w, r, apperr.New(apperr.Invalid, "Formulário inválido."))
		return 0, false
	}
	n, err := strconv.Atoi(r.PostForm.Get("signer"))
	if err != nil {
		n = 0 // no such signer: Sign and RequestSignCode say so
	}
	return n, true
}

// requestCode mails the chosen signer a one-time code and asks for it.
func (a *API) requestCode(w http.ResponseWriter, r *http.Request) {
	n, ok := signForm(w, r)
	if !ok {
		return
	}
	ss, sent, err := a.Leads.RequestSignCode(r.Context(), r.PathValue("token"), n)
	form := signpage.Form{Signer: sent.Signer, AskCode: true, SentTo: sent.To}
	if err != nil {
		form.SentTo = ""
		if !apperr.Is(err, apperr.TooManyRequests) { // the code already sent still works
			form = signpage.Form{}
		}
	}
	renderSignOutcome(w, r, ss, form, err)
}

func (a *API) sign(w http.ResponseWriter, r *http.Request) {
	n, ok := signForm(w, r)
	if !ok {
		return
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	ss, err := a.Leads.Sign(r.Context(), r.PathValue("token"), SignInput{
		Signer: n, Code: r.PostForm.Get("code"), Accepted: r.PostForm.Get("accept") == "on",
		IP: ip, ForwardedFor: r.Header.Get("X-Forwarded-For"), Agent: r.UserAgent(),
	})
	form := signpage.Form{Signed: err == nil}
	if apperr.Is(err, apperr.Invalid) && n > 0 { // a wrong or missing code: ask again
		form = signpage.Form{Signer: n, AskCode: true}
	}
	renderSignOutcome(w, r, ss, form, err)
}

// renderSignOutcome shows the page after a form: the session with form, or
// the refusal err in the form's status.
func renderSignOutcome(w http.ResponseWriter, r *http.Request, ss SigningSession, form signpage.Form, err error) {
	switch {
	case errors.Is(err, ErrSigningClosed):
		renderSigning(w, r, http.StatusConflict, ss, signpage.Form{})
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Conflict), apperr.Is(err, apperr.Forbidden),
		apperr.Is(err, apperr.TooManyRequests), apperr.Is(err, apperr.Unavailable):
		form.Errors = apperr.As(err).Messages()
		renderSigning(w, r, apperr.HTTPStatus(apperr.As(err).Code), ss, form)
	case err != nil:
		renderSignError(w, r, err)
	default:
		renderSigning(w, r, http.StatusOK, ss, form)
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
	ServePDF(w, f, "contrato.pdf")
}

// renderSigning shows the session: the contract, its signers and the form
// while signing is open, or the outcome.
func renderSigning(w http.ResponseWriter, r *http.Request, status int, ss SigningSession, form signpage.Form) {
	l := ss.Lead
	page := SignPathPrefix + r.PathValue("token")
	d := signpage.Page{Customer: l.FullName, Document: signpage.MaskCPF(l.IdentificationNumber), Utility: l.UtilityName, Form: form,
		ShowPDF: true, PDFURL: page + "/contrato.pdf", SignURL: page, CodeURL: page + "/code"}
	if l.PersonType == Juridical {
		d.Customer, d.Document = l.CompanyName, brdoc.FormatCNPJ(l.IdentificationNumber)
	}
	if p := l.Plan; p != nil {
		d.Plan = p.Name + " — " + discountPercent(p.Discount) + "% de desconto, fidelidade de " + strconv.Itoa(p.FidelityMonths) + " meses"
		if p.Benefit != "" {
			d.Plan += ", " + p.Benefit
		}
	}
	emails := l.signerEmails()
	for i, s := range l.signers() {
		d.Signers = append(d.Signers, signpage.Signer{Number: i + 1, Name: s.Name, MaskedCPF: signpage.MaskCPF(s.CPF),
			Email: mail.MaskAddress(emails[i]), Signed: l.signedBy(s.CPF), Locked: l.SignerLocked(s.CPF)})
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
