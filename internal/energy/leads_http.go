package energy

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/httpx"
	"partnership-service/internal/upload"
)

// leadBodyMax caps JSON bodies of the lead routes.
const leadBodyMax = 64 << 10

func (a *API) createLead(w http.ResponseWriter, r *http.Request, p Principal) {
	var body createLeadBody
	if !decode(w, r, &body, leadBodyMax) {
		return
	}
	l, err := a.Leads.Create(r.Context(), p, body.draft())
	a.answerLead(w, r, http.StatusCreated, l, err)
}

func (a *API) getLead(w http.ResponseWriter, r *http.Request, p Principal) {
	b, err := a.Leads.Answer(r.Context(), p, r.PathValue("id"))
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteRawJSON(w, http.StatusOK, b)
}

func (a *API) updateLead(w http.ResponseWriter, r *http.Request, p Principal) {
	var body updateLeadBody
	if !decode(w, r, &body, leadBodyMax) {
		return
	}
	l, err := a.Leads.Update(r.Context(), p, r.PathValue("id"), body.draft())
	a.answerLead(w, r, http.StatusOK, l, err)
}

func (a *API) setCredentials(w http.ResponseWriter, r *http.Request, p Principal) {
	var body struct {
		UtilityBillLogin string `json:"utilityBillLogin"`
		Password         string `json:"password"`
	}
	if !decode(w, r, &body, 4<<10) {
		return
	}
	l, err := a.Leads.SetCredentials(r.Context(), p, r.PathValue("id"), UtilityCredentials{Login: body.UtilityBillLogin, Password: body.Password})
	a.answerLead(w, r, http.StatusOK, l, err)
}

func (a *API) upload(form UploadForm) partnerHandler {
	return func(w http.ResponseWriter, r *http.Request, p Principal) {
		l, err := a.Leads.Upload(r.Context(), p, r.PathValue("id"), form, upload.FromRequest(r))
		a.answerLead(w, r, http.StatusCreated, l, err)
	}
}

func (a *API) createContract(w http.ResponseWriter, r *http.Request, p Principal) {
	var body struct {
		Plan                 *planBody            `json:"plan"`
		LegalRepresentatives []representativeBody `json:"legalRepresentatives"`
	}
	if !decode(w, r, &body, leadBodyMax) {
		return
	}
	d := ContractDraft{Plan: body.Plan.choice()}
	if body.LegalRepresentatives != nil {
		d.LegalRepresentatives = make([]RepresentativeDraft, len(body.LegalRepresentatives))
		for i, rb := range body.LegalRepresentatives {
			d.LegalRepresentatives[i] = rb.draft()
		}
	}
	l, err := a.Leads.CreateContract(r.Context(), p, r.PathValue("id"), d)
	a.answerLead(w, r, http.StatusCreated, l, err)
}

func (a *API) downloadContract(w http.ResponseWriter, r *http.Request, p Principal) {
	l, file, err := a.Leads.ContractFile(r.Context(), p, r.PathValue("id"))
	if err != nil {
		Render(w, r, err)
		return
	}
	ServePDF(w, file, "contrato-"+l.ID+".pdf")
}

// ServePDF streams a stored PDF (the contract) as name.
func ServePDF(w http.ResponseWriter, f BlobReader, name string) {
	defer f.Body.Close()
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Length", strconv.FormatInt(f.Object.Size, 10))
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, f.Body)
}

func (a *API) listLeads(w http.ResponseWriter, r *http.Request, p Principal) {
	qs := r.URL.Query()
	q, err := ParseLeadQuery(qs.Get("page"), qs.Get("limit"), qs.Get("filters"))
	if err == nil {
		q.UpdatedSince, err = httpx.ParseUpdatedSince(r)
	}
	if err != nil {
		Render(w, r, err)
		return
	}
	leads, total, err := a.Leads.List(r.Context(), p, q)
	if err != nil {
		Render(w, r, err)
		return
	}
	out := listLeadsBody{Leads: make([]leadBody, len(leads)), Total: total.Count}
	for i, l := range leads {
		out.Leads[i] = a.Leads.leadBody(a.PublicURL, l)
	}
	w.Header().Set("X-Total-Exact", strconv.FormatBool(!total.Capped))
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *API) answerLead(w http.ResponseWriter, r *http.Request, status int, l Lead, err error) {
	if err != nil {
		Render(w, r, err)
		return
	}
	if l.Snapshot != nil {
		// Encoded once, by the write: the stored GET answer.
		httpx.WriteRawJSON(w, status, l.Snapshot)
		return
	}
	httpx.WriteJSON(w, status, a.Leads.leadBody(a.PublicURL, l))
}

// Wire shapes. Names follow the seed's DTOs.

type planBody struct {
	Benefit            string `json:"benefit"`
	Discount           string `json:"discount"`
	LoyaltyRequirement string `json:"loyaltyRequirement"`
	PlanName           string `json:"planName"`
}

func (b *planBody) choice() *PlanChoice {
	if b == nil {
		return nil
	}
	return &PlanChoice{PlanName: b.PlanName, Discount: b.Discount, LoyaltyRequirement: b.LoyaltyRequirement, Benefit: b.Benefit}
}

// createLeadBody is CreateLeadDTO.
type createLeadBody struct {
	FullName            *string    `json:"fullName"`
	PersonType          *string    `json:"personType"`
	CompanyName         *string    `json:"companyName"`
	EmailAddress        *string    `json:"emailAddress"`
	MobilePhone         *string    `json:"mobilePhone"`
	UtilityBillHolder   *string    `json:"utilityBillHolder"`
	UtilityBillingValue *billValue `json:"utilityBillingValue"`
	InstallationNumber  *string    `json:"installationNumber"`
	BirthDate           *string    `json:"birthDate"`
	Plan                *planBody  `json:"plan"`
	// The billing and address fields stand at the top level here, where
	// UpdateLeadDTO nests them.
	billingDataBody
	addressBody
}

func (b createLeadBody) draft() LeadDraft {
	d := LeadDraft{
		PersonType: b.PersonType, FullName: b.FullName, CompanyName: b.CompanyName, EmailAddress: b.EmailAddress,
		MobilePhone: b.MobilePhone, UtilityBillHolder: b.UtilityBillHolder, UtilityBillingValue: numberText(b.UtilityBillingValue),
		InstallationNumber: b.InstallationNumber, BirthDate: b.BirthDate, Plan: b.Plan.choice(),
	}
	b.billingDataBody.into(&d)
	b.addressBody.into(&d)
	return d
}

// billValue is a bill amount as sent: a JSON number's text (read exactly by
// the amount rules, never through a float) or a string holding one.
type billValue string

func (v *billValue) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return apperr.Field(apperr.Invalid, "utilityBillingValue", "utilityBillingValue deve ser um número, por exemplo 850.15")
	}
	*v = billValue(n)
	return nil
}

func numberText(v *billValue) *string {
	if v == nil {
		return nil
	}
	s := string(*v)
	return &s
}

// updateLeadBody is UpdateLeadDTO, plus three fields of CreateLeadDTO it
// lacks (emailAddress, utilityBillHolder, and utilityBillingValue as an
// alias of utilityBillValue). Address and billing fields are read only from
// the nested objects, as the seed has them.
type updateLeadBody struct {
	FullName            *string          `json:"fullName"`
	CNPJ                *string          `json:"cnpj"`
	CPF                 *string          `json:"cpf"`
	CompanyName         *string          `json:"companyName"`
	MobilePhone         *string          `json:"mobilePhone"`
	PersonType          *string          `json:"personType"`
	UtilityBillValue    *billValue       `json:"utilityBillValue"`
	UtilityBillingValue *billValue       `json:"utilityBillingValue"`
	InstallationNumber  *string          `json:"installationNumber"`
	BirthDate           *string          `json:"birthDate"`
	EmailAddress        *string          `json:"emailAddress"`
	UtilityBillHolder   *string          `json:"utilityBillHolder"`
	Plan                *planBody        `json:"plan"`
	BillingData         *billingDataBody `json:"billingData"`
	Address             *addressBody     `json:"address"`
}

type billingDataBody struct {
	IdentificationNumber *string `json:"identificationNumber"`
	Nationality          *string `json:"nationality"`
	MaritalStatus        *string `json:"maritalStatus"`
	Profession           *string `json:"profession"`
}

func (b billingDataBody) into(d *LeadDraft) {
	d.IdentificationNumber, d.Nationality, d.MaritalStatus, d.Profession = b.IdentificationNumber, b.Nationality, b.MaritalStatus, b.Profession
}

type addressBody struct {
	Street       *string `json:"street"`
	Number       *string `json:"number"`
	Complement   *string `json:"complement"`
	Neighborhood *string `json:"neighborhood"`
	ZipCode      *string `json:"zipCode"`
	City         *string `json:"city"`
	State        *string `json:"state"`
}

func (a addressBody) into(d *LeadDraft) {
	d.Street, d.Number, d.Complement, d.Neighborhood = a.Street, a.Number, a.Complement, a.Neighborhood
	d.ZipCode, d.City, d.State = a.ZipCode, a.City, a.State
}

func (b updateLeadBody) draft() LeadDraft {
	d := LeadDraft{
		FullName: b.FullName, CNPJ: b.CNPJ, CPF: b.CPF, CompanyName: b.CompanyName, MobilePhone: b.MobilePhone,
		PersonType: b.PersonType, InstallationNumber: b.InstallationNumber, BirthDate: b.BirthDate,
		EmailAddress: b.EmailAddress, UtilityBillHolder: b.UtilityBillHolder, Plan: b.Plan.choice(),
		UtilityBillingValue: numberText(b.UtilityBillValue),
	}
	if d.UtilityBillingValue == nil {
		d.UtilityBillingValue = numberText(b.UtilityBillingValue)
	}
	if b.BillingData != nil {
		b.BillingData.into(&d)
	}
	if b.Address != nil {
		b.Address.into(&d)
	}
	return d
}

// representativeBody is LegalRepresentativesDTO.
type representativeBody struct {
	Name                 string `json:"name"`
	IdentificationNumber string `json:"identificationNumber"`
	Email                string `json:"email"`
	Cellphone            string `json:"cellphone"`
	Nationality          string `json:"nationality"`
	Profession           string `json:"profession"`
	MaritalStatus        string `json:"maritalStatus"`
	Address              struct {
		Street       string `json:"street"`
		Number       string `json:"number"`
		Complement   string `json:"complement"`
		Neighborhood string `json:"neighborhood"`
		ZipCode      string `json:"zipCode"`
		City         string `json:"city"`
		State        string `json:"state"`
	} `json:"address"`
}

func (b representativeBody) draft() RepresentativeDraft {
	a := b.Address
	return RepresentativeDraft{
		Name: b.Name, IdentificationNumber: b.IdentificationNumber, Email: b.Email, Cellphone: b.Cellphone,
		Nationality: b.Nationality, Profession: b.Profession, MaritalStatus: b.MaritalStatus,
		Street: a.Street, Number: a.Number, Complement: a.Complement, Neighborhood: a.Neighborhood,
		ZipCode: a.ZipCode, City: a.City, State: a.State,
	}
}

type listLeadsBody struct {
	Leads []leadBody `json:"leads"`
	Total int        `json:"total"`
}

// leadBody is a lead as partners read it (GetLeadDTO and more).
type leadBody struct {
	ID                          string               `json:"id"`
	FullName                    string               `json:"fullName"`
	PersonType                  PersonType           `json:"personType"`
	CompanyName                 string               `json:"companyName"`
	CPF                         string               `json:"cpf"`
	EmailAddress                string               `json:"emailAddress"`
	MobilePhone                 string               `json:"mobilePhone"`
	UtilityBillHolder           PersonType           `json:"utilityBillHolder"`
	UtilityBillingValue         json.Number          `json:"utilityBillingValue"`
	IdentificationNumber        string               `json:"identificationNumber"`
	Nationality                 string               `json:"nationality"`
	MaritalStatus               string               `json:"maritalStatus"`
	Profession                  string               `json:"profession"`
	InstallationNumber          string               `json:"installationNumber"`
	BirthDate                   string               `json:"birthDate"`
	ZipCode                     string               `json:"zipCode"`
	State                       string               `json:"state"`
	City                        string               `json:"city"`
	IBGECode                    string               `json:"ibgeCode"`
	Street                      string               `json:"street"`
	Number                      string               `json:"number"`
	Neighborhood                string               `json:"neighborhood"`
	Complement                  string               `json:"complement"`
	EnergyUtilityPublicID       *string              `json:"energyUtilityPublicId"`
	EnergyUtilityName           *string              `json:"energyUtilityName"`
	Plan                        *planBody            `json:"plan"`
	SellerName                  string               `json:"sellerName"`
	Status                      LeadStatus           `json:"status"`
	StatusDetails               string               `json:"statusDetails"`
	StatusHistory               []statusChangeBody   `json:"statusHistory,omitempty"`
	HasEnergyUtilityCredentials bool                 `json:"hasEnergyUtilityCredentials"`
	Documents                   []documentBody       `json:"documents"`
	LegalRepresentatives        []representativeBody `json:"legalRepresentatives"`
	ContractLink                *string              `json:"contractLink"`
	ContractSignerLink          *string              `json:"contractSignerLink"`
	ContractExpiresAt           *time.Time           `json:"contractSignerLinkExpiresAt"`
	Signatures                  []signatureBody      `json:"signatures"`
	CreatedAt                   time.Time            `json:"createdAt"`
	UpdatedAt                   time.Time            `json:"updatedAt"`
}

type statusChangeBody struct {
	Status        LeadStatus `json:"status"`
	StatusDetails string     `json:"statusDetails"`
	ChangedAt     time.Time  `json:"changedAt"`
}

type documentBody struct {
	Type        DocumentKind `json:"type"`
	FileName    string       `json:"fileName"`
	ContentType string       `json:"contentType"`
	Size        int64        `json:"size"`
	SHA256      string       `json:"sha256"`
	UploadedAt  time.Time    `json:"uploadedAt"`
}

type signatureBody struct {
	Name     string    `json:"name"`
	CPF      string    `json:"cpf"`
	SignedAt time.Time `json:"signedAt"`
}

// leadBody is the lead as its GET answers it, with links under base; the
// lead events carry it too.
func (s *LeadService) leadBody(base string, l Lead) leadBody {
	b := leadBody{
		ID: l.ID, FullName: l.FullName, PersonType: l.PersonType, CompanyName: l.CompanyName, CPF: l.PersonCPF,
		EmailAddress: l.Email, MobilePhone: l.MobilePhone, UtilityBillHolder: l.UtilityBillHolder,
		UtilityBillingValue: json.Number(formatAmount(l.UtilityBillCents)), IdentificationNumber: l.IdentificationNumber,
		Nationality: l.Nationality, MaritalStatus: l.MaritalStatus, Profession: l.Profession,
		InstallationNumber: l.InstallationNumber, BirthDate: l.BirthDate,
		ZipCode: brdoc.FormatCEP(l.Address.ZipCode), State: l.Address.State, City: l.Address.City,
		IBGECode: strconv.Itoa(l.Address.IBGECode), Street: l.Address.Street, Number: l.Address.Number,
		Neighborhood: l.Address.Neighborhood, Complement: l.Address.Complement,
		SellerName: l.SellerName, Status: l.Status, StatusDetails: l.StatusDetails,
		HasEnergyUtilityCredentials: l.HasCredentials(),
		Documents:                   make([]documentBody, len(l.Documents)),
		LegalRepresentatives:        make([]representativeBody, len(l.LegalRepresentatives)),
		Signatures:                  make([]signatureBody, len(l.CurrentSignatures())),
		CreatedAt:                   l.CreatedAt, UpdatedAt: l.UpdatedAt,
	}
	if l.UtilityID != "" {
		b.EnergyUtilityPublicID, b.EnergyUtilityName = &l.UtilityID, &l.UtilityName
	}
	if p := l.Plan; p != nil {
		b.Plan = &planBody{PlanName: p.Name, Discount: discountPercent(p.Discount),
			LoyaltyRequirement: strconv.Itoa(p.FidelityMonths), Benefit: p.Benefit}
	}
	for _, h := range l.History {
		b.StatusHistory = append(b.StatusHistory, statusChangeBody{h.Status, h.Details, h.At})
	}
	for i, d := range l.Documents {
		b.Documents[i] = documentBody{d.Kind, d.FileName, d.ContentType, d.Size, d.SHA256, d.UploadedAt}
	}
	for i, r := range l.LegalRepresentatives {
		rb := representativeBody{Name: r.Name, IdentificationNumber: r.CPF, Email: r.Email, Cellphone: r.Cellphone,
			Nationality: r.Nationality, Profession: r.Profession, MaritalStatus: r.MaritalStatus}
		rb.Address.Street, rb.Address.Number, rb.Address.Complement, rb.Address.Neighborhood = r.Address.Street, r.Address.Number, r.Address.Complement, r.Address.Neighborhood
		rb.Address.ZipCode, rb.Address.City, rb.Address.State = brdoc.FormatCEP(r.Address.ZipCode), r.Address.City, r.Address.State
		b.LegalRepresentatives[i] = rb
	}
	// Only the current contract's: a signature on a replaced or cancelled
	// contract signs nothing the lead holds now.
	for i, s := range l.CurrentSignatures() {
		b.Signatures[i] = signatureBody{s.SignerName, s.SignerCPF, s.SignedAt}
	}
	if l.Contract != nil {
		contract := base + "/sales-conversion/leads/" + l.ID + "/contract"
		b.ContractLink = &contract
		if link := s.SignerLink(l); link != "" {
			if strings.HasPrefix(link, "/") {
				link = base + link
			}
			b.ContractSignerLink = &link
		}
		if !l.Contract.SignExpiresAt.IsZero() {
			b.ContractExpiresAt = &l.Contract.SignExpiresAt
		}
	}
	return b
}
