package storefront

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
)

// Opt is a field of a request: Set when the request carried it (a JSON
// null is Set with the zero value, which clears the field).
type Opt[T any] struct {
	Set   bool
	Value T
}

// SubscriptionInput is a subscription request, typed but not yet
// validated. On update, fields not Set keep their stored values.
type SubscriptionInput struct {
	PreSubscription     bool
	ColdLead            Opt[bool]
	PlanID              Opt[int64]
	CouponID            Opt[int64]
	PaymentMethodID     Opt[int64]
	DueDay              Opt[string] // "dia 5" or "5"
	UpfrontInstallation Opt[*bool]
	Location            Opt[*Point]
	Name                Opt[string]
	Email               Opt[string]
	MobilePhone         Opt[string]
	Document            Opt[string]
	IDDocument          Opt[string]
	BirthDate           Opt[string] // dd/mm/aaaa
	InstallationFee     Opt[string]
	Street              Opt[string]
	Number              Opt[string]
	Complement          Opt[string]
	District            Opt[string]
	City                Opt[string]
	CEP                 Opt[string]
	CurrentProvider     Opt[string]
}

// Validation messages, in the seed's words where it has them.
const (
	msgBlank       = "não pode ficar em branco"
	msgTooShort    = "texto muito curto"
	msgTooLong     = "texto muito longo"
	msgInvalid     = "não é válido"
	msgNotFound    = "não encontrado"
	msgPhoneFormat = "formato deve ser '(XX) XXXX-XXXX'"
	msgCEPFormat   = "formato deve ser '99999-999'"
	msgDateFormat  = "formato deve ser 'dd/mm/aaaa'"
	msgDueDay      = "formato deve ser 'dia N'"
)

const (
	minNameLen  = 3
	maxTextLen  = 200
	maxShortLen = 50
	minimumAge  = 18
	maximumAge  = 130
)

// phonePattern accepts the two masks of the notes: (XX) XXXX-XXXX for
// landlines and (XX) XXXXX-XXXX for mobiles.
var phonePattern = regexp.MustCompile(`^\(\d{2}\) \d{4,5}-\d{4}$`)

var datePattern = regexp.MustCompile(`^\d{2}/\d{2}/\d{4}$`)

// saoPaulo is Brasília time; Brazil has had no daylight saving since 2019,
// and a fixed zone needs no tz database.
var saoPaulo = time.FixedZone("BRT", -3*60*60)

// applyInput copies the fields in carries into sub, normalizing them and
// recording format errors.
func applyInput(sub *Subscription, in SubscriptionInput, errs *apperr.Fields) {
	if in.ColdLead.Set {
		sub.ColdLead = in.ColdLead.Value
	}
	setID(&sub.PlanID, in.PlanID)
	setID(&sub.CouponID, in.CouponID)
	setID(&sub.PaymentMethodID, in.PaymentMethodID)
	if in.UpfrontInstallation.Set {
		sub.UpfrontInstallation = in.UpfrontInstallation.Value
	}
	if in.Location.Set {
		sub.Location = in.Location.Value
	}
	text := func(dst *string, o Opt[string], field string, maxLen int) bool {
		if !o.Set {
			return false
		}
		*dst = strings.TrimSpace(o.Value)
		if utf8.RuneCountInString(*dst) > maxLen {
			errs.Add(field, msgTooLong)
			return false
		}
		return *dst != ""
	}
	if text(&sub.Name, in.Name, "nome_razao_social", maxTextLen) && utf8.RuneCountInString(sub.Name) < minNameLen {
		errs.Add("nome_razao_social", msgTooShort)
	}
	if text(&sub.Email, in.Email, "email", 254) && !brdoc.IsEmail(sub.Email) {
		errs.Add("email", msgInvalid)
	}
	if text(&sub.MobilePhone, in.MobilePhone, "telefone_celular", maxShortLen) {
		switch {
		case !phonePattern.MatchString(sub.MobilePhone):
			errs.Add("telefone_celular", msgPhoneFormat)
		case !brdoc.IsValidDDD(sub.MobilePhone[1:3]):
			errs.Add("telefone_celular", "DDD inválido")
		}
	}
	if text(&sub.Document, in.Document, "cpf_cnpj", maxShortLen) {
		if cpf, ok := brdoc.NormalizeCPF(sub.Document); ok {
			sub.Document = cpf
		} else if cnpj, ok := brdoc.NormalizeCNPJ(sub.Document); ok {
			sub.Document = cnpj
		} else {
			errs.Add("cpf_cnpj", msgInvalid)
		}
	}
	text(&sub.IDDocument, in.IDDocument, "rg_ie", 20)
	var birth string
	if text(&birth, in.BirthDate, "data_nascimento", maxShortLen) {
		d, problem := parseBirthDate(birth)
		if problem != "" {
			errs.Add("data_nascimento", problem)
		}
		sub.BirthDate = d
	} else if in.BirthDate.Set {
		sub.BirthDate = time.Time{}
	}
	var due string
	if text(&due, in.DueDay, "vencimento", maxShortLen) {
		day, ok := parseDueDay(due)
		if !ok {
			errs.Add("vencimento", msgDueDay)
		}
		sub.DueDay = day
	} else if in.DueDay.Set {
		sub.DueDay = 0
	}
	text(&sub.InstallationFee, in.InstallationFee, "taxa_instalacao", maxShortLen)
	text(&sub.Street, in.Street, "rua", maxTextLen)
	text(&sub.Number, in.Number, "numero", maxShortLen)
	text(&sub.Complement, in.Complement, "complemento", maxTextLen)
	text(&sub.District, in.District, "bairro", maxTextLen)
	text(&sub.City, in.City, "cidade", maxTextLen)
	text(&sub.CurrentProvider, in.CurrentProvider, "provedor", maxTextLen)
	if text(&sub.CEP, in.CEP, "cep", maxShortLen) {
		if cep, ok := brdoc.NormalizeCEP(sub.CEP); ok {
			sub.CEP = cep
		} else {
			errs.Add("cep", msgCEPFormat)
		}
	}
}

func setID(dst *int64, o Opt[int64]) {
	if o.Set {
		*dst = o.Value
	}
}

// parseBirthDate reads dd/mm/aaaa and says what is wrong with it, if
// anything.
func parseBirthDate(s string) (time.Time, string) {
	if !datePattern.MatchString(s) {
		return time.Time{}, msgDateFormat
	}
	d, err := time.Parse("02/01/2006", s)
	if err != nil {
		return time.Time{}, "não é uma data válida"
	}
	return d, ""
}

// parseDueDay reads "dia 5", "Dia 05" or "5".
func parseDueDay(s string) (int, bool) {
	s = strings.ToLower(s)
	if rest, ok := strings.CutPrefix(s, "dia"); ok {
		s = strings.TrimSpace(rest)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 31 {
		return 0, false
	}
	return n, true
}

// FormatDueDay is how a due day is shown: "dia 5".
func FormatDueDay(day int) string {
	if day == 0 {
		return ""
	}
	return "dia " + strconv.Itoa(day)
}

// checkRequired records the fields a subscription lacks. A cold lead needs
// only a name and a phone. Otherwise a plan is always needed, and an
// address to check coverage against; a subscription to be stored also needs
// the name, phone, street and city. The seed answers a missing name with
// "texto muito curto" and a missing phone with the mask, so those two keep
// their seed messages even when blank.
func checkRequired(sub *Subscription, stored bool, errs *apperr.Fields) {
	need := func(field string, missing bool, msg string) {
		if missing && !errs.Has(field) {
			errs.Add(field, msg)
		}
	}
	nameAndPhone := sub.ColdLead || stored
	need("nome_razao_social", nameAndPhone && sub.Name == "", msgTooShort)
	need("telefone_celular", nameAndPhone && sub.MobilePhone == "", msgPhoneFormat)
	if sub.ColdLead {
		return
	}
	need("plan_id", sub.PlanID == 0, msgBlank)
	need("cep", sub.CEP == "" && (stored || sub.Location == nil), msgBlank)
	need("rua", stored && sub.Street == "", msgBlank)
	need("cidade", stored && sub.City == "", msgBlank)
}

// checkAge applies to people: a CNPJ holder has no age.
func checkAge(sub *Subscription, now time.Time, errs *apperr.Fields) {
	if sub.BirthDate.IsZero() || errs.Has("data_nascimento") || len(sub.Document) == 14 {
		return
	}
	now = now.In(saoPaulo)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	age := today.Year() - sub.BirthDate.Year()
	if m, d := sub.BirthDate.Month(), sub.BirthDate.Day(); today.Month() < m || (today.Month() == m && today.Day() < d) {
		age--
	}
	switch {
	case sub.BirthDate.After(today) || age > maximumAge:
		errs.Add("data_nascimento", "não é uma data válida")
	case age < minimumAge:
		errs.Add("data_nascimento", "idade mínima é 18 anos")
	}
}

// checkReferences checks the ids and choices against the provider's
// catalog: the plan is this provider's, the payment method is one the plan
// takes, the due day is one the provider offers.
func (t *tenant) checkReferences(sub *Subscription, errs *apperr.Fields) {
	plan := t.plans[sub.PlanID]
	if sub.PlanID != 0 && plan == nil {
		errs.Add("plan_id", msgNotFound)
	}
	if sub.PaymentMethodID != 0 {
		switch {
		case !t.paymentMethods[sub.PaymentMethodID]:
			errs.Add("forma_pagamentos_id", msgNotFound)
		case plan != nil && !slices.Contains(plan.PaymentMethodIDs, sub.PaymentMethodID):
			errs.Add("forma_pagamentos_id", "não está disponível para o plano")
		}
	}
	if sub.DueDay != 0 && !errs.Has("vencimento") && len(t.dueDays) > 0 && !t.dueDays[sub.DueDay] {
		errs.Add("vencimento", "não está entre os dias de vencimento do provedor")
	}
}
