package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/httpx"
	"partnership-service/internal/web"
)

// leadFields are the lead form's inputs, named as CreateLeadDTO's fields.
var leadFields = []string{"personType", "fullName", "companyName", "emailAddress", "mobilePhone", "utilityBillHolder",
	"utilityBillingValue", "identificationNumber", "nationality", "maritalStatus", "profession", "installationNumber",
	"birthDate", "zipCode", "state", "city", "street", "number", "neighborhood", "complement"}

// draftOf reads a lead form into the service's draft, as the API's decoder
// reads JSON; a field left empty is a field not sent.
func draftOf(v url.Values) energy.LeadDraft {
	opt := func(k string) *string {
		s := strings.TrimSpace(v.Get(k))
		if s == "" {
			return nil
		}
		return &s
	}
	bill := opt("utilityBillingValue")
	if bill != nil {
		// The form takes reais as people write them (850,15); the
		// service takes the API's JSON number (850.15).
		if cents, ok := energy.ParseBRL(*bill); ok {
			s := strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(100+cents%100, 10)[1:]
			bill = &s
		}
	}
	return energy.LeadDraft{
		PersonType: opt("personType"), FullName: opt("fullName"), CompanyName: opt("companyName"),
		EmailAddress: opt("emailAddress"), MobilePhone: opt("mobilePhone"), UtilityBillHolder: opt("utilityBillHolder"),
		UtilityBillingValue: bill, IdentificationNumber: opt("identificationNumber"),
		Nationality: opt("nationality"), MaritalStatus: opt("maritalStatus"), Profession: opt("profession"),
		InstallationNumber: opt("installationNumber"), BirthDate: opt("birthDate"), ZipCode: opt("zipCode"),
		State: opt("state"), City: opt("city"), Street: opt("street"), Number: opt("number"),
		Neighborhood: opt("neighborhood"), Complement: opt("complement"),
	}
}

// valuesOf fills the lead form with a stored lead.
func valuesOf(l *energy.Lead) url.Values {
	return url.Values{
		"personType": {string(l.PersonType)}, "fullName": {l.FullName}, "companyName": {l.CompanyName},
		"emailAddress": {l.Email}, "mobilePhone": {l.MobilePhone}, "utilityBillHolder": {string(l.UtilityBillHolder)},
		"utilityBillingValue": {amount(l.UtilityBillCents)}, "identificationNumber": {l.IdentificationNumber},
		"nationality": {l.Nationality}, "maritalStatus": {l.MaritalStatus}, "profession": {l.Profession},
		"installationNumber": {l.InstallationNumber}, "birthDate": {l.BirthDate}, "zipCode": {l.Address.ZipCode},
		"state": {l.Address.State}, "city": {l.Address.City}, "street": {l.Address.Street}, "number": {l.Address.Number},
		"neighborhood": {l.Address.Neighborhood}, "complement": {l.Address.Complement},
	}
}

// amount writes cents as the form takes them: 850,15.
func amount(cents int64) string {
	return strconv.FormatInt(cents/100, 10) + "," + strconv.FormatInt(100+cents%100, 10)[1:]
}

// --- qualification, as the user types the bill value ---

type qualificationView struct {
	Text      string
	Qualified bool
}

// qualify asks the catalog what GET /sales-conversion/leads/qualification
// answers for the form's person type, city and bill value; while those are
// incomplete or wrong there is nothing to say yet (the form's own
// messages come with its post).
func (h *Handler) qualify(v url.Values) qualificationView {
	if strings.TrimSpace(v.Get("utilityBillingValue")) == "" {
		return qualificationView{}
	}
	q, err := h.Catalog.Qualify(energy.QualificationQuery{Place: energy.Place{UF: v.Get("state"), City: v.Get("city")},
		PersonType: v.Get("personType"), BillValue: v.Get("utilityBillingValue")})
	switch {
	case err != nil:
		return qualificationView{}
	case q.Qualified:
		return qualificationView{Text: "Qualificado para " + q.Product + ".", Qualified: true}
	default:
		return qualificationView{Text: "Não qualificado para " + q.Product + " com este valor nesta cidade."}
	}
}

// qualification answers console.js: the text the form shows, from the
// same rule the page renders it with.
func (h *Handler) qualification(w http.ResponseWriter, r *http.Request, _ *session) {
	v := h.qualify(r.URL.Query())
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, struct {
		Text      string `json:"text"`
		Qualified bool   `json:"qualified"`
	}{v.Text, v.Qualified})
}

// --- create and edit ---

type leadFormView struct {
	Form          *web.Form
	Action        string
	Lead          *energy.Lead // nil: a new lead
	Qualification qualificationView
}

func (h *Handler) renderLeadForm(w http.ResponseWriter, r *http.Request, status int, s *session, f *web.Form, l *energy.Lead) {
	v := leadFormView{Form: f, Action: Base + "leads", Lead: l, Qualification: h.qualify(f.Values)}
	title := "Novo lead"
	if l != nil {
		v.Action, title = Base+"leads/"+l.ID, "Editar lead"
	}
	h.render(w, r, status, "leadform", title, s, v)
}

func (h *Handler) newLeadPage(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderLeadForm(w, r, http.StatusOK, s, web.NewForm(url.Values{"personType": {"natural"}}, labels), nil)
}

func (h *Handler) createLead(w http.ResponseWriter, r *http.Request, s *session) {
	l, err := h.Leads.Create(r.Context(), s.Principal, draftOf(r.PostForm))
	h.answerLeadForm(w, r, s, nil, l, err)
}

func (h *Handler) editLeadPage(w http.ResponseWriter, r *http.Request, s *session, l *energy.Lead) {
	h.renderLeadForm(w, r, http.StatusOK, s, web.NewForm(valuesOf(l), labels), l)
}

func (h *Handler) updateLead(w http.ResponseWriter, r *http.Request, s *session, l *energy.Lead) {
	updated, err := h.Leads.Update(r.Context(), s.Principal, l.ID, draftOf(r.PostForm))
	h.answerLeadForm(w, r, s, l, updated, err)
}

// answerLeadForm goes on to the lead's page, or shows the form again with
// the service's messages (its status: 400 or 422 as the API's, 409 for a
// duplicate).
func (h *Handler) answerLeadForm(w http.ResponseWriter, r *http.Request, s *session, old *energy.Lead, l energy.Lead, err error) {
	if err == nil {
		web.SeeOther(w, r, Base+"leads/"+l.ID)
		return
	}
	f := web.NewForm(r.PostForm, labels)
	if !f.Fail(err) {
		e := apperr.As(err)
		if e.Code != apperr.Conflict {
			web.Render(w, r, err)
			return
		}
		f.Errors["identificationNumber"] = append(f.Errors["identificationNumber"], e.Message)
	}
	h.renderLeadForm(w, r, apperr.HTTPStatus(apperr.As(err).Code), s, f, old)
}

// --- a lead's page ---

type leadView struct {
	Lead        *energy.Lead
	Customer    string
	Document    string
	Status      string
	Documents   []documentView
	SignerLink  string
	CanContract bool // the lead may get a (new) contract
	Contract    *web.Form
	Plans       []planOption // when the lead has no plan yet
	Juridical   bool         // the contract needs a legal representative
	Notice      string
}

type documentView struct {
	Label, FileName, Size, UploadedAt string
}

type planOption struct {
	Value, Label string
}

var documentLabels = map[energy.DocumentKind]string{
	energy.DocUtilityBill:    "Conta de luz",
	energy.DocConstitutional: "Contrato social",
	energy.DocIDFront:        "Documento de identidade (frente)",
	energy.DocIDBack:         "Documento de identidade (verso)",
}

var notices = map[string]string{
	"contrato":  "Contrato gerado e enviado para assinatura.",
	"reenviado": "E-mail de assinatura reenviado.",
}

func (h *Handler) leadPage(w http.ResponseWriter, r *http.Request, s *session, l *energy.Lead) {
	h.renderLead(w, r, http.StatusOK, s, l, web.NewForm(nil, labels))
}

func (h *Handler) renderLead(w http.ResponseWriter, r *http.Request, status int, s *session, l *energy.Lead, contract *web.Form) {
	v := leadView{Lead: l, Customer: l.FullName, Document: formatDocument(l.IdentificationNumber), Status: statusLabels[l.Status],
		CanContract: l.Status.Open(), Contract: contract, Juridical: l.PersonType == energy.Juridical,
		Notice: notices[r.URL.Query().Get("feito")]}
	if l.CompanyName != "" {
		v.Customer = l.CompanyName
	}
	for _, d := range l.Documents {
		v.Documents = append(v.Documents, documentView{Label: documentLabels[d.Kind], FileName: d.FileName,
			Size: strconv.FormatInt((d.Size+1023)/1024, 10) + " KB", UploadedAt: web.Date(d.UploadedAt)})
	}
	if link := h.Leads.SignerLink(*l); link != "" {
		if strings.HasPrefix(link, "/") {
			link = h.PublicURL + link
		}
		v.SignerLink = link
	}
	if l.Plan == nil && l.UtilityID != "" {
		if _, plans, ok := h.Catalog.PlansOf(l.UtilityID); ok {
			for i, p := range plans {
				label := p.Name + " · " + strconv.Itoa(p.FidelityMonths) + " meses"
				v.Plans = append(v.Plans, planOption{Value: strconv.Itoa(i), Label: label})
			}
		}
	}
	h.render(w, r, status, "lead", v.Customer, s, v)
}

// rep is the name of the contract form's input for field of the juridical
// lead's legal representative: the API's name of it, so that its message
// lands there.
func rep(field string) string { return "legalRepresentatives[0]." + field }

// createContract is POST …/contracts: the plan chosen among the catalog's
// (when the lead has none) and, for a juridical lead, its representative.
func (h *Handler) createContract(w http.ResponseWriter, r *http.Request, s *session, l *energy.Lead) {
	var d energy.ContractDraft
	v := r.PostForm
	if l.Plan == nil {
		if _, plans, ok := h.Catalog.PlansOf(l.UtilityID); ok {
			if i, err := strconv.Atoi(v.Get("plan")); err == nil && i >= 0 && i < len(plans) {
				benefit := ""
				if len(plans[i].Benefits) > 0 {
					benefit = plans[i].Benefits[0]
				}
				c := energy.ChoiceOf(plans[i], benefit)
				d.Plan = &c
			}
		}
	}
	if l.PersonType == energy.Juridical {
		get := func(k string) string { return strings.TrimSpace(v.Get(rep(k))) }
		d.LegalRepresentatives = []energy.RepresentativeDraft{{Name: get("name"), IdentificationNumber: get("identificationNumber"),
			Email: get("email"), Cellphone: get("cellphone"), Nationality: get("nationality"), Profession: get("profession"),
			MaritalStatus: get("maritalStatus"), Street: get("address.street"), Number: get("address.number"),
			Complement: get("address.complement"), Neighborhood: get("address.neighborhood"), ZipCode: get("address.zipCode"),
			City: get("address.city"), State: get("address.state")}}
	}
	updated, err := h.Leads.CreateContract(r.Context(), s.Principal, l.ID, d)
	if err != nil {
		f := web.NewForm(v, labels)
		if !f.Fail(err) && apperr.As(err).Code != apperr.Conflict {
			web.Render(w, r, err)
			return
		}
		if e := apperr.As(err); len(e.Fields) == 0 {
			f.Errors["plan"] = append(f.Errors["plan"], e.Message)
		}
		h.renderLead(w, r, apperr.HTTPStatus(apperr.As(err).Code), s, l, f)
		return
	}
	web.SeeOther(w, r, Base+"leads/"+updated.ID+"?feito=contrato")
}

func (h *Handler) resendMail(w http.ResponseWriter, r *http.Request, s *session, l *energy.Lead) {
	if err := h.Leads.ResendSigningMail(r.Context(), s.Principal, l.ID); err != nil {
		web.Render(w, r, err)
		return
	}
	web.SeeOther(w, r, Base+"leads/"+l.ID+"?feito=reenviado")
}

// contractPDF streams the lead's contract, as GET …/contract does.
func (h *Handler) contractPDF(w http.ResponseWriter, r *http.Request, s *session) {
	l, f, err := h.Leads.ContractFile(r.Context(), s.Principal, r.PathValue("id"))
	if err != nil {
		web.Render(w, r, leadNotFound(err))
		return
	}
	energy.ServePDF(w, f, "contrato-"+l.ID+".pdf")
}
