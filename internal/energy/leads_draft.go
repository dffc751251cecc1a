package energy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/textnorm"
)

// LeadDraft is what a partner sends about a customer, as sent. Every field
// is optional so that one type carries a creation (where the rules demand
// the required ones) and a partial update (where fields present are changed
// and absent ones kept). Messages name the fields as CreateLeadDTO does.
type LeadDraft struct {
	PersonType           *string // natural | juridical, or PF | PJ
	FullName             *string
	CompanyName          *string
	EmailAddress         *string
	MobilePhone          *string
	UtilityBillHolder    *string // natural | juridical; defaults to PersonType
	UtilityBillingValue  *string // decimal as sent: "850.15"
	IdentificationNumber *string // CPF for natural, CNPJ for juridical
	CPF                  *string // UpdateLeadDTO: natural → identificationNumber; juridical → the contact's CPF
	CNPJ                 *string // UpdateLeadDTO: juridical → identificationNumber
	Nationality          *string
	MaritalStatus        *string
	Profession           *string
	InstallationNumber   *string
	BirthDate            *string // YYYY-MM-DD
	ZipCode              *string
	State                *string
	City                 *string
	Street               *string
	Number               *string
	Neighborhood         *string
	Complement           *string
	Plan                 *PlanChoice
}

// Text limits, in characters.
const (
	maxName   = 150
	maxShort  = 60
	maxStreet = 200
	maxNumber = 20
	maxPlace  = 100
)

// apply validates d and writes it onto l. creating demands every required
// field; an update validates the merged result with the same rules, so a
// change of personType, for example, needs a matching identificationNumber.
func (s *LeadService) apply(l *Lead, d LeadDraft, creating bool) error {
	var f apperr.Fields
	parsed(&f, "personType", d.PersonType, ParsePersonType, "personType deve ser natural (PF) ou juridical (PJ)", &l.PersonType)
	parsed(&f, "utilityBillHolder", d.UtilityBillHolder, ParsePersonType, "utilityBillHolder deve ser natural (PF) ou juridical (PJ)", &l.UtilityBillHolder)
	if d.UtilityBillHolder == nil && creating {
		l.UtilityBillHolder = l.PersonType
	}

	text(&f, "fullName", d.FullName, maxName, &l.FullName)
	text(&f, "companyName", d.CompanyName, maxName, &l.CompanyName)
	text(&f, "nationality", d.Nationality, maxShort, &l.Nationality)
	text(&f, "maritalStatus", d.MaritalStatus, maxShort, &l.MaritalStatus)
	text(&f, "profession", d.Profession, maxShort, &l.Profession)
	text(&f, "street", d.Street, maxStreet, &l.Address.Street)
	text(&f, "number", d.Number, maxNumber, &l.Address.Number)
	text(&f, "neighborhood", d.Neighborhood, maxPlace, &l.Address.Neighborhood)
	text(&f, "complement", d.Complement, maxPlace, &l.Address.Complement)

	if d.EmailAddress != nil {
		v, ok := textnorm.Line(*d.EmailAddress)
		if !ok {
			f.Add("emailAddress", "emailAddress "+textnorm.Message)
		} else if v != "" && !brdoc.IsEmail(v) {
			f.Add("emailAddress", "emailAddress deve ser um e-mail válido")
		}
		l.Email = v
	}
	normalized(&f, "mobilePhone", d.MobilePhone, brdoc.NormalizeMobile, "mobilePhone deve ser um celular brasileiro com DDD (11 dígitos)", &l.MobilePhone)
	parsed(&f, "utilityBillingValue", d.UtilityBillingValue, parseAmount, "utilityBillingValue deve ser um valor maior que zero, com até duas casas decimais", &l.UtilityBillCents)
	if d.InstallationNumber != nil {
		v := strings.TrimSpace(*d.InstallationNumber)
		if v != "" && (len(v) > 30 || brdoc.OnlyDigits(v) != v) {
			f.Add("installationNumber", "installationNumber deve ter apenas dígitos (até 30)")
		}
		l.InstallationNumber = v
	}
	if d.BirthDate != nil {
		v := strings.TrimSpace(*d.BirthDate)
		if v != "" {
			b, err := time.Parse(time.DateOnly, v)
			if err != nil || b.Year() < 1900 || b.After(s.now()) {
				f.Add("birthDate", "birthDate deve ser uma data passada no formato AAAA-MM-DD")
			}
		}
		l.BirthDate = v
	}
	s.applyIdentification(&f, l, d)
	s.checkAddress(&f, "", &l.Address, d.ZipCode, d.State, d.City)

	required := []struct {
		field string
		empty bool
	}{
		{"fullName", l.FullName == ""},
		{"personType", l.PersonType == ""},
		{"companyName", l.PersonType == Juridical && l.CompanyName == ""},
		{"emailAddress", l.Email == ""},
		{"mobilePhone", l.MobilePhone == ""},
		{"utilityBillHolder", l.UtilityBillHolder == ""},
		{"utilityBillingValue", l.UtilityBillCents == 0},
		{"identificationNumber", l.IdentificationNumber == ""},
		{"nationality", l.UtilityBillHolder == Natural && l.Nationality == ""},
		{"maritalStatus", l.UtilityBillHolder == Natural && l.MaritalStatus == ""},
		{"profession", l.UtilityBillHolder == Natural && l.Profession == ""},
		{"zipCode", l.Address.ZipCode == ""},
		{"state", l.Address.State == ""},
		{"city", l.Address.City == ""},
		{"street", l.Address.Street == ""},
		{"number", l.Address.Number == ""},
		{"neighborhood", l.Address.Neighborhood == ""},
	}
	for _, r := range required {
		if r.empty && !f.Has(r.field) {
			f.Add(r.field, r.field+" é obrigatório")
		}
	}
	if err := f.Err(apperr.Invalid); err != nil {
		return err
	}

	// The utility follows the city; a plan is only valid for its utility.
	utilityChanged := false
	if u, ok := s.catalog.UtilityFor(l.Address.IBGECode); ok {
		utilityChanged = u.PublicID != l.UtilityID
		l.UtilityID, l.UtilityName = u.PublicID, u.Name
	} else {
		utilityChanged = l.UtilityID != ""
		l.UtilityID, l.UtilityName = "", ""
	}
	switch {
	case d.Plan != nil:
		p, err := s.choosePlan(l.UtilityID, *d.Plan)
		if err != nil {
			return err
		}
		l.Plan = p
	case utilityChanged && l.Plan != nil:
		return apperr.Field(apperr.Invalid, "plan", "o plano do lead não é oferecido pela distribuidora da nova cidade; envie um plano dela")
	}
	return nil
}

// applyIdentification resolves identificationNumber, cpf and cnpj against
// the (possibly changed) person type: a natural lead is identified by a CPF,
// a juridical one by a CNPJ, and "cpf" on a juridical lead is its contact's.
func (s *LeadService) applyIdentification(f *apperr.Fields, l *Lead, d LeadDraft) {
	idField, idValue := "identificationNumber", d.IdentificationNumber
	other := func(field string, v *string) {
		if v == nil {
			return
		}
		if idValue != nil && docKey(*idValue) != docKey(*v) {
			f.Add(field, field+" diverge de identificationNumber")
			return
		}
		idField, idValue = field, v
	}
	switch l.PersonType {
	case Natural:
		if d.CNPJ != nil && strings.TrimSpace(*d.CNPJ) != "" {
			f.Add("cnpj", "cnpj só pode ser informado para pessoa jurídica")
		}
		other("cpf", d.CPF)
		l.PersonCPF = ""
	case Juridical:
		other("cnpj", d.CNPJ)
		normalized(f, "cpf", d.CPF, brdoc.NormalizeCPF, "cpf deve ser um CPF válido", &l.PersonCPF)
	}
	if idValue != nil {
		l.IdentificationNumber = strings.TrimSpace(*idValue)
	}
	if l.IdentificationNumber == "" || f.Has(idField) {
		return
	}
	switch l.PersonType {
	case Natural:
		if cpf, ok := brdoc.NormalizeCPF(l.IdentificationNumber); ok {
			l.IdentificationNumber = cpf
		} else {
			f.Add(idField, idField+" deve ser um CPF válido (pessoa física)")
		}
	case Juridical:
		if cnpj, ok := brdoc.NormalizeCNPJ(l.IdentificationNumber); ok {
			l.IdentificationNumber = cnpj
		} else {
			f.Add(idField, idField+" deve ser um CNPJ válido (pessoa jurídica)")
		}
	}
}

// checkAddress validates zipCode, state and city together onto a whenever
// one of them is sent: the CEP must belong to the state, and to the city
// when the CEP table knows the CEP's city. prefix qualifies the field names
// in messages ("legalRepresentatives[0].address.").
func (s *LeadService) checkAddress(f *apperr.Fields, prefix string, a *Address, zipCode, state, city *string) {
	if zipCode == nil && state == nil && city == nil {
		return
	}
	zipField, stateField, cityField := prefix+"zipCode", prefix+"state", prefix+"city"
	normalized(f, zipField, zipCode, brdoc.NormalizeCEP, zipField+" deve ser um CEP no formato 99999-999", &a.ZipCode)
	normalized(f, stateField, state, brdoc.NormalizeUF, stateField+" deve ser a sigla de um estado brasileiro", &a.State)
	if city != nil {
		c, ok := textnorm.Line(*city)
		if !ok {
			f.Add(cityField, cityField+" "+textnorm.Message)
			return
		}
		a.City, a.IBGECode = c, 0
	}
	if a.State == "" || a.City == "" || f.Has(stateField) {
		return
	}
	m, ok := s.geo.MunicipalityByName(a.State, a.City)
	if !ok {
		f.Add(cityField, fmt.Sprintf("%s: %q não é um município de %s", cityField, clip(a.City), a.State))
		return
	}
	a.City, a.IBGECode = m.Name, m.IBGECode
	if a.ZipCode == "" || f.Has(zipField) {
		return
	}
	st, ok := s.geo.StateByCEP(a.ZipCode)
	switch {
	case !ok:
		f.Add(zipField, zipField+" não é um CEP existente")
	case st.UF != a.State:
		f.Add(zipField, fmt.Sprintf("%s pertence a %s, não a %s", zipField, st.UF, a.State))
	default:
		if cm, ok := s.geo.MunicipalityByCEP(a.ZipCode); ok && cm.IBGECode != m.IBGECode {
			f.Add(zipField, fmt.Sprintf("%s pertence a %s/%s, não a %s", zipField, cm.Name, cm.UF, m.Name))
		}
	}
}

// text trims a free-text field and checks it is printable and short enough.
func text(f *apperr.Fields, field string, v *string, max int, dst *string) {
	if v == nil {
		return
	}
	t, ok := textnorm.Line(*v)
	switch {
	case !ok:
		f.Add(field, field+" "+textnorm.Message)
	case utf8.RuneCountInString(t) > max:
		f.Add(field, fmt.Sprintf("%s deve ter no máximo %d caracteres", field, max))
	}
	*dst = t
}

// normalized writes a sent value onto dst in its normal form (norm's), or
// "" when sent blank; a value norm refuses is reported as msg on field.
func normalized(f *apperr.Fields, field string, v *string, norm func(string) (string, bool), msg string, dst *string) {
	if v == nil {
		return
	}
	*dst = ""
	if t := strings.TrimSpace(*v); t != "" {
		if n, ok := norm(t); ok {
			*dst = n
		} else {
			f.Add(field, msg)
		}
	}
}

// parsed writes parse(*v) to dst when v is present, or msg under field
// when parse refuses it (dst is then left as it was).
func parsed[T any](f *apperr.Fields, field string, v *string, parse func(string) (T, bool), msg string, dst *T) {
	if v == nil {
		return
	}
	if t, ok := parse(*v); ok {
		*dst = t
	} else {
		f.Add(field, msg)
	}
}

// ParsePersonType accepts natural/juridical and the PF/PJ abbreviations.
func ParsePersonType(s string) (PersonType, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "natural", "pf":
		return Natural, true
	case "juridical", "pj":
		return Juridical, true
	}
	return "", false
}

// parseAmount reads a positive amount of reais with at most two decimals
// ("850", "850.1", "850.15") as cents. Exponents and more decimals are
// refused rather than rounded: a bill value is never written that way.
func parseAmount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 9 || len(frac) > 2 || brdoc.OnlyDigits(whole) != whole || brdoc.OnlyDigits(frac) != frac {
		return 0, false
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	cents := w * 100
	if frac != "" {
		c, _ := strconv.ParseInt((frac + "0")[:2], 10, 64)
		cents += c
	}
	return cents, cents > 0
}

// formatAmount renders cents as a decimal with two places: 85015 → "850.15".
func formatAmount(cents int64) string {
	// Appended rather than formatted: every lead answer renders one.
	b := strconv.AppendInt(make([]byte, 0, 24), cents/100, 10)
	c := cents % 100
	return string(append(b, '.', byte('0'+c/10), byte('0'+c%10)))
}

// docKey is a CPF or CNPJ without punctuation, upper-cased: two spellings
// of one document have the same key.
func docKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', '/', '-', ' ':
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}
