package storesql

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/geo"
)

// TimeArg encodes a time as one engine binds it: SQLite as its text form
// (Time), PostgreSQL as a timestamptz. A zero time binds NULL.
type TimeArg func(time.Time) any

// The energy tables' columns, in the order of the scan and value functions
// below.
const (
	// LeadColumns are selected, in ScanLead's order.
	LeadColumns = `id, partner_id, seller_name, person_type, full_name, company_name, person_cpf,
	email, mobile_phone, utility_bill_holder, utility_bill_cents, identification_number,
	nationality, marital_status, profession, installation_number, birth_date,
	zip_code, state, city, ibge_code, street, number, neighborhood, complement,
	utility_id, utility_name, plan_id, plan_name, plan_discount, plan_fidelity_months, plan_benefit,
	status, status_details, credentials, legal_representatives,
	contract_key, contract_sha256, contract_size, contract_created_at,
	sign_provider, sign_reference, sign_link, sign_expires_at, sign_codes, created_at, updated_at`
	// DocumentColumns are energy_lead_documents' columns besides lead_id.
	DocumentColumns = `kind, blob_key, file_name, content_type, size, sha256, uploaded_at`
	// HistoryColumns are energy_lead_status_history's columns besides
	// lead_id and its serial id.
	HistoryColumns = `status, details, changed_at`
	// SignatureColumns are energy_lead_signatures' columns besides lead_id.
	SignatureColumns = `signer_name, signer_cpf, signed_at, ip, forwarded_for, user_agent, contract_sha256, sign_reference`

	// UtilityColumns are energy_utilities' columns, in ScanUtility's and
	// UtilityValues' order.
	UtilityColumns = `public_id, name, uf, qualified, gd_min_natural_cents, gd_min_juridical_cents`
	// PlanColumns are energy_plans' columns, in ScanPlan's order.
	PlanColumns = `id, utility_id, name, fidelity_months, discount, benefits`
	// APIKeyColumns select a key with its partner (k, p), in ScanAPIKey's
	// order.
	APIKeyColumns = `k.id, k.partner_id, k.prefix, k.key_hash, k.seller_name, k.admin,
		k.created_at, k.revoked_at, p.name, p.created_at`
)

// LeadMutable are the columns a lead's save writes, in LeadValues' order;
// an insert writes id, partner_id and created_at besides.
var LeadMutable = []string{
	"seller_name", "seller_name_folded", "person_type", "full_name", "full_name_folded",
	"company_name", "company_name_folded", "person_cpf", "email", "mobile_phone",
	"utility_bill_holder", "utility_bill_cents", "identification_number",
	"nationality", "marital_status", "profession", "installation_number", "birth_date",
	"zip_code", "state", "city", "ibge_code", "street", "number", "neighborhood", "complement",
	"utility_id", "utility_name", "plan_id", "plan_name", "plan_discount", "plan_fidelity_months", "plan_benefit",
	"status", "status_details", "credentials", "legal_representatives",
	"contract_key", "contract_sha256", "contract_size", "contract_created_at",
	"sign_provider", "sign_reference", "sign_link", "sign_expires_at", "sign_codes", "updated_at", "snapshot",
}

// LeadValues are l's values for LeadMutable.
func LeadValues(l energy.Lead, at TimeArg) []any {
	var planID sql.NullInt64
	var planName, planDiscount, planBenefit string
	var planMonths int
	if p := l.Plan; p != nil {
		planID = sql.NullInt64{Int64: p.ID, Valid: true}
		planName, planDiscount, planMonths, planBenefit = p.Name, p.Discount, p.FidelityMonths, p.Benefit
	}
	var cKey, cSHA, sProvider, sRef sql.NullString
	var cSize sql.NullInt64
	var cCreated, sExpires any
	var sLink []byte
	sCodes := "[]"
	if c := l.Contract; c != nil {
		sCodes = energy.EncodeSignCodes(c.Codes)
		cKey, cSHA = nullString(c.Key), nullString(c.SHA256)
		cSize = sql.NullInt64{Int64: c.Size, Valid: true}
		cCreated, sExpires = at(c.CreatedAt), at(c.SignExpiresAt)
		sProvider, sRef, sLink = nullString(c.SignProvider), nullString(c.SignReference), c.SignLink
	} else {
		cCreated, sExpires = at(time.Time{}), at(time.Time{})
	}
	var creds []byte
	if l.HasCredentials() {
		creds = l.Credentials
	}
	a := l.Address
	return []any{
		l.SellerName, geo.Fold(l.SellerName), string(l.PersonType), l.FullName, geo.Fold(l.FullName),
		l.CompanyName, geo.Fold(l.CompanyName), l.PersonCPF, l.Email, l.MobilePhone,
		string(l.UtilityBillHolder), l.UtilityBillCents, l.IdentificationNumber,
		l.Nationality, l.MaritalStatus, l.Profession, l.InstallationNumber, l.BirthDate,
		a.ZipCode, a.State, a.City, a.IBGECode, a.Street, a.Number, a.Neighborhood, a.Complement,
		l.UtilityID, l.UtilityName, planID, planName, planDiscount, planMonths, planBenefit,
		string(l.Status), l.StatusDetails, creds, energy.EncodeRepresentatives(l.LegalRepresentatives),
		cKey, cSHA, cSize, cCreated, sProvider, sRef, sLink, sExpires, sCodes, at(l.UpdatedAt),
		sql.NullString{String: string(l.Snapshot), Valid: l.Snapshot != nil},
	}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// ScanLead reads LeadColumns.
func ScanLead(r Row) (energy.Lead, error) {
	var (
		l                                   energy.Lead
		a                                   = &l.Address
		personType, holder, status          string
		planID, cSize                       sql.NullInt64
		planName, planDiscount, planBenefit string
		planMonths                          int
		reps, sCodes                        string
		cKey, cSHA, sProvider, sRef         sql.NullString
		cCreated, sExpires, created, upd    Time
		sLink                               []byte
	)
	err := r.Scan(&l.ID, &l.PartnerID, &l.SellerName, &personType, &l.FullName, &l.CompanyName, &l.PersonCPF,
		&l.Email, &l.MobilePhone, &holder, &l.UtilityBillCents, &l.IdentificationNumber,
		&l.Nationality, &l.MaritalStatus, &l.Profession, &l.InstallationNumber, &l.BirthDate,
		&a.ZipCode, &a.State, &a.City, &a.IBGECode, &a.Street, &a.Number, &a.Neighborhood, &a.Complement,
		&l.UtilityID, &l.UtilityName, &planID, &planName, &planDiscount, &planMonths, &planBenefit,
		&status, &l.StatusDetails, &l.Credentials, &reps,
		&cKey, &cSHA, &cSize, &cCreated, &sProvider, &sRef, &sLink, &sExpires, &sCodes, &created, &upd)
	if err != nil {
		return l, err
	}
	l.PersonType, l.UtilityBillHolder, l.Status = energy.PersonType(personType), energy.PersonType(holder), energy.LeadStatus(status)
	l.CreatedAt, l.UpdatedAt = created.T, upd.T
	if planID.Valid {
		l.Plan = &energy.LeadPlan{ID: planID.Int64, Name: planName, Discount: planDiscount, FidelityMonths: planMonths, Benefit: planBenefit}
	}
	if l.LegalRepresentatives, err = energy.DecodeRepresentatives(reps); err != nil {
		return l, err
	}
	if cKey.Valid {
		l.Contract = &energy.Contract{Key: cKey.String, SHA256: cSHA.String, Size: cSize.Int64, CreatedAt: cCreated.T,
			SignProvider: sProvider.String, SignReference: sRef.String, SignLink: sLink, SignExpiresAt: sExpires.T}
		if l.Contract.Codes, err = energy.DecodeSignCodes(sCodes); err != nil {
			return l, err
		}
	}
	return l, nil
}

// DocumentValues are d's values for lead_id and DocumentColumns.
func DocumentValues(leadID string, d energy.Document, at TimeArg) []any {
	return []any{leadID, string(d.Kind), d.Key, d.FileName, d.ContentType, d.Size, d.SHA256, at(d.UploadedAt)}
}

// ScanDocument reads DocumentColumns, preceded by lead_id when leadID is
// given.
func ScanDocument(r Row, leadID ...*string) (energy.Document, error) {
	var d energy.Document
	var kind string
	var at Time
	dest := []any{&kind, &d.Key, &d.FileName, &d.ContentType, &d.Size, &d.SHA256, &at}
	if len(leadID) > 0 {
		dest = append([]any{leadID[0]}, dest...)
	}
	err := r.Scan(dest...)
	d.Kind, d.UploadedAt = energy.DocumentKind(kind), at.T
	return d, err
}

// HistoryValues are h's values for lead_id and HistoryColumns.
func HistoryValues(leadID string, h energy.StatusChange, at TimeArg) []any {
	return []any{leadID, string(h.Status), h.Details, at(h.At)}
}

// SignatureValues are sg's values for lead_id and SignatureColumns.
func SignatureValues(leadID string, sg energy.Signature, at TimeArg) []any {
	return []any{leadID, sg.SignerName, sg.SignerCPF, at(sg.SignedAt), sg.IP, sg.ForwardedFor, sg.UserAgent, sg.ContractSHA256, sg.Reference}
}

// UtilityValues are u's values for UtilityColumns.
func UtilityValues(u energy.Utility) []any {
	return []any{u.PublicID, u.Name, u.UF, u.Qualified, u.GDMinNaturalCents, u.GDMinJuridicalCents}
}

// ScanUtility reads UtilityColumns.
func ScanUtility(r Row) (energy.Utility, error) {
	var u energy.Utility
	err := r.Scan(&u.PublicID, &u.Name, &u.UF, &u.Qualified, &u.GDMinNaturalCents, &u.GDMinJuridicalCents)
	return u, err
}

// ScanArea reads utility_id, ibge_code.
func ScanArea(r Row) (energy.OperationArea, error) {
	var a energy.OperationArea
	err := r.Scan(&a.UtilityID, &a.IBGECode)
	return a, err
}

// PlanBenefits is how a plan's benefits are stored: a JSON array.
func PlanBenefits(p energy.Plan) (string, error) {
	b, err := json.Marshal(p.Benefits)
	return string(b), err
}

// ScanPlan reads PlanColumns.
func ScanPlan(r Row) (energy.Plan, error) {
	var p energy.Plan
	var benefits string
	if err := r.Scan(&p.ID, &p.UtilityID, &p.Name, &p.FidelityMonths, &p.Discount, &benefits); err != nil {
		return p, err
	}
	return p, json.Unmarshal([]byte(benefits), &p.Benefits)
}

// ScanPartner reads id, name, created_at.
func ScanPartner(r Row) (energy.Partner, error) {
	var p energy.Partner
	var created Time
	err := r.Scan(&p.ID, &p.Name, &created)
	p.CreatedAt = created.T
	return p, err
}

// ScanAPIKey reads APIKeyColumns.
func ScanAPIKey(r Row) (energy.APIKey, energy.Partner, error) {
	var k energy.APIKey
	var p energy.Partner
	var keyCreated, revoked, partnerCreated Time
	err := r.Scan(&k.ID, &k.PartnerID, &k.Prefix, &k.Hash, &k.SellerName, &k.Admin, &keyCreated, &revoked, &p.Name, &partnerCreated)
	p.ID, p.CreatedAt, k.CreatedAt = k.PartnerID, partnerCreated.T, keyCreated.T
	if !revoked.T.IsZero() {
		k.RevokedAt = &revoked.T
	}
	return k, p, err
}

// LeadPage is one page of a lead list, indexed by id so that the documents
// of the whole page are read with one query.
type LeadPage struct {
	Leads []energy.Lead
	byID  map[string]int
}

// NewLeadPage indexes leads; no leads is an empty, non-nil page.
func NewLeadPage(leads []energy.Lead) LeadPage {
	p := LeadPage{Leads: leads, byID: make(map[string]int, len(leads))}
	if p.Leads == nil {
		p.Leads = []energy.Lead{}
	}
	for i, l := range p.Leads {
		p.byID[l.ID] = i
	}
	return p
}

// IDs are the page's lead ids, for the documents query.
func (p LeadPage) IDs() []string {
	ids := make([]string, len(p.Leads))
	for i, l := range p.Leads {
		ids[i] = l.ID
	}
	return ids
}

// ScanDocument reads a row of lead_id and DocumentColumns onto its lead.
func (p LeadPage) ScanDocument(r Row) error {
	var leadID string
	d, err := ScanDocument(r, &leadID)
	if err != nil {
		return err
	}
	i, ok := p.byID[leadID]
	if !ok {
		return fmt.Errorf("storesql: document of lead %s, not on the page", leadID)
	}
	p.Leads[i].Documents = append(p.Leads[i].Documents, d)
	return nil
}
