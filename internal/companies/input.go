package companies

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/textnorm"
)

// opt is a field of a request: set when the body named it (null included,
// which clears it).
type opt[T any] struct {
	set bool
	v   T
}

// CompanyInput is a create or update body, parsed and checked field by
// field. Only the fields present are applied.
type CompanyInput struct {
	AccountID opt[int64]
	ParentID  opt[int64] // 0: no parent

	Name, ExternalID, UnitCode, CNPJ, CorporateName opt[string]
	Address, Number, Complement, District, ZipCode  opt[string]
	CNAE, ContactName, ContactTelephone             opt[string]
	ContactCellphone, ContactEmail                  opt[string]

	CityID, StateID opt[int64]
	CodeIBGE        opt[int64]

	EnergyDemandsPeak, EnergyDemandsOffPeak opt[[]EnergyDemand]
}

// Limits of a company body.
const (
	maxText     = 255
	maxDemands  = 240 // 20 years of monthly changes
	maxQueryLen = 255
	// maxFilterValues bounds a repeatable list filter, which becomes one
	// bound parameter (and, for parent_id, one lookup) per value.
	maxFilterValues = 100
)

// Laravel's pt-BR wording, which the seed's messages come from: the field is
// named with spaces for underscores ("account id"). The list parameters
// (_sort, _q, …) keep their name, which would otherwise lose its only word
// separator.
func attr(field string) string {
	if strings.HasPrefix(field, "_") {
		return field
	}
	return strings.ReplaceAll(field, "_", " ")
}

func msgRequired(field string) string { return "O campo " + attr(field) + " é obrigatório." }
func msgString(field string) string   { return "O campo " + attr(field) + " deve ser uma string." }
func msgInteger(field string) string {
	return "O campo " + attr(field) + " deve ser um número inteiro."
}
func msgForbiddenChars(field string) string {
	return "O campo " + attr(field) + " " + textnorm.Message + "."
}
func msgInvalid(field string) string { return "O campo " + attr(field) + " selecionado é inválido." }
func msgMax(field string, n int) string {
	return fmt.Sprintf("O campo %s não pode ser superior a %d caracteres.", attr(field), n)
}

// Messages the seed and notes fix.
const (
	msgNoPermission  = "Permissões insuficientes para essa conta"
	msgAccountChange = "Não é permitido trocar a conta."
	msgParentCycle   = "A empresa pai não pode ser a própria empresa nem uma de suas filhas."
)

// companyFields parses each known field; unknown fields are ignored, as
// the Laravel API this contract comes from does.
var companyFields = map[string]func(raw json.RawMessage, in *CompanyInput, errs *apperr.Fields){
	"account_id":              intField("account_id", func(in *CompanyInput) *opt[int64] { return &in.AccountID }),
	"parent_id":               intField("parent_id", func(in *CompanyInput) *opt[int64] { return &in.ParentID }),
	"city_id":                 intField("city_id", func(in *CompanyInput) *opt[int64] { return &in.CityID }),
	"state_id":                intField("state_id", func(in *CompanyInput) *opt[int64] { return &in.StateID }),
	"name":                    textField("name", nil, func(in *CompanyInput) *opt[string] { return &in.Name }),
	"external_id":             textField("external_id", nil, func(in *CompanyInput) *opt[string] { return &in.ExternalID }),
	"unit_code":               textField("unit_code", nil, func(in *CompanyInput) *opt[string] { return &in.UnitCode }),
	"corporate_name":          textField("corporate_name", nil, func(in *CompanyInput) *opt[string] { return &in.CorporateName }),
	"address":                 textField("address", nil, func(in *CompanyInput) *opt[string] { return &in.Address }),
	"number":                  textField("number", nil, func(in *CompanyInput) *opt[string] { return &in.Number }),
	"complement":              textField("complement", nil, func(in *CompanyInput) *opt[string] { return &in.Complement }),
	"district":                textField("district", nil, func(in *CompanyInput) *opt[string] { return &in.District }),
	"contact_name":            textField("contact_name", nil, func(in *CompanyInput) *opt[string] { return &in.ContactName }),
	"contact_telephone":       textField("contact_telephone", nil, func(in *CompanyInput) *opt[string] { return &in.ContactTelephone }),
	"contact_cellphone":       textField("contact_cellphone", nil, func(in *CompanyInput) *opt[string] { return &in.ContactCellphone }),
	"zip_code":                textField("zip_code", normalizeZip, func(in *CompanyInput) *opt[string] { return &in.ZipCode }),
	"cnae":                    textField("cnae", normalizeCNAE, func(in *CompanyInput) *opt[string] { return &in.CNAE }),
	"contact_email":           textField("contact_email", normalizeEmail, func(in *CompanyInput) *opt[string] { return &in.ContactEmail }),
	"cnpj":                    parseCNPJField,
	"code_ibge":               parseCodeIBGE,
	"energy_demands_peak":     demandsField("energy_demands_peak", func(in *CompanyInput) *opt[[]EnergyDemand] { return &in.EnergyDemandsPeak }),
	"energy_demands_off_peak": demandsField("energy_demands_off_peak", func(in *CompanyInput) *opt[[]EnergyDemand] { return &in.EnergyDemandsOffPeak }),
}

// ParseCompanyInput reads a JSON object body. A body that is not an
// object is a 400; fields of the wrong type or format are a 422 naming
// each field.
func ParseCompanyInput(body map[string]json.RawMessage) (CompanyInput, error) {
	var in CompanyInput
	var errs apperr.Fields
	for name, raw := range body {
		if parse, ok := companyFields[name]; ok {
			parse(raw, &in, &errs)
		}
	}
	return in, errs.Err(apperr.Unprocessable)
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// textField parses a string (null clears it), trimmed, at most maxText
// characters; normalize, when given, checks and canonicalizes it.
func textField(field string, normalize func(field, s string) (string, string), dst func(*CompanyInput) *opt[string]) func(json.RawMessage, *CompanyInput, *apperr.Fields) {
	return func(raw json.RawMessage, in *CompanyInput, errs *apperr.Fields) {
		if isNull(raw) {
			*dst(in) = opt[string]{set: true}
			return
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			errs.Add(field, msgString(field))
			return
		}
		s, ok := textnorm.Line(s)
		if !ok {
			errs.Add(field, msgForbiddenChars(field))
			return
		}
		if utf8.RuneCountInString(s) > maxText {
			errs.Add(field, msgMax(field, maxText))
			return
		}
		if normalize != nil && s != "" {
			var problem string
			if s, problem = normalize(field, s); problem != "" {
				errs.Add(field, problem)
				return
			}
		}
		*dst(in) = opt[string]{set: true, v: s}
	}
}

func normalizeZip(field, s string) (string, string) {
	if cep, ok := brdoc.NormalizeCEP(s); ok {
		return brdoc.FormatCEP(cep), ""
	}
	return "", "O campo " + attr(field) + " não é um CEP válido."
}

// normalizeCNAE accepts the 7-digit CNAE subclass with or without its mask
// (4711-3/02) and keeps the digits.
func normalizeCNAE(field, s string) (string, string) {
	d := brdoc.OnlyDigits(s)
	for _, r := range s {
		if !strings.ContainsRune("0123456789-/. ", r) {
			d = ""
		}
	}
	if len(d) != 7 {
		return "", "O campo " + attr(field) + " deve ter 7 dígitos."
	}
	return d, ""
}

func normalizeEmail(field, s string) (string, string) {
	if !brdoc.IsEmail(s) {
		return "", "O campo " + attr(field) + " deve ser um endereço de e-mail válido."
	}
	return s, ""
}

// parseInt reads an integer given as a JSON number or a string of digits
// (Laravel's integer rule accepts both).
func parseInt(raw json.RawMessage) (int64, bool) {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		v, err := strconv.ParseInt(n.String(), 10, 64)
		return v, err == nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return v, err == nil
	}
	return 0, false
}

// intField parses a positive id; null clears it.
func intField(field string, dst func(*CompanyInput) *opt[int64]) func(json.RawMessage, *CompanyInput, *apperr.Fields) {
	return func(raw json.RawMessage, in *CompanyInput, errs *apperr.Fields) {
		if isNull(raw) {
			*dst(in) = opt[int64]{set: true}
			return
		}
		v, ok := parseInt(raw)
		if !ok || v <= 0 {
			errs.Add(field, msgInteger(field))
			return
		}
		*dst(in) = opt[int64]{set: true, v: v}
	}
}

// parseCNPJField takes a string (masked or not, numeric or alphanumeric)
// or a number (whose lost leading zeros are put back), and keeps the 14
// characters without mask.
func parseCNPJField(raw json.RawMessage, in *CompanyInput, errs *apperr.Fields) {
	if isNull(raw) {
		in.CNPJ = opt[string]{set: true}
		return
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			errs.Add("cnpj", "O campo cnpj deve ser uma string ou um número.")
			return
		}
		s = n.String()
		if len(s) < 14 && brdoc.OnlyDigits(s) == s {
			s = strings.Repeat("0", 14-len(s)) + s
		}
	}
	if strings.TrimSpace(s) == "" {
		in.CNPJ = opt[string]{set: true}
		return
	}
	cnpj, ok := brdoc.NormalizeCNPJ(s)
	if !ok {
		errs.Add("cnpj", "O campo cnpj não é um CNPJ válido.")
		return
	}
	in.CNPJ = opt[string]{set: true, v: cnpj}
}

// parseCodeIBGE takes the 7-digit IBGE municipality code, as a number or a
// string; whether the municipality exists is the service's check.
func parseCodeIBGE(raw json.RawMessage, in *CompanyInput, errs *apperr.Fields) {
	if isNull(raw) {
		in.CodeIBGE = opt[int64]{set: true}
		return
	}
	v, ok := parseInt(raw)
	if !ok || !brdoc.IsIBGECode(strconv.FormatInt(v, 10)) {
		errs.Add("code_ibge", "O campo code ibge não é um código IBGE válido.")
		return
	}
	in.CodeIBGE = opt[int64]{set: true, v: v}
}

type demandWire struct {
	ValueKW   json.RawMessage `json:"value_kw"`
	StartDate json.RawMessage `json:"start_date"`
}

// demandsField parses a list of {value_kw, start_date}; null clears it.
// Problems are reported per item, Laravel style (energy_demands_peak.0.value_kw).
func demandsField(field string, dst func(*CompanyInput) *opt[[]EnergyDemand]) func(json.RawMessage, *CompanyInput, *apperr.Fields) {
	return func(raw json.RawMessage, in *CompanyInput, errs *apperr.Fields) {
		out := []EnergyDemand{}
		if isNull(raw) {
			*dst(in) = opt[[]EnergyDemand]{set: true, v: out}
			return
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			errs.Add(field, "O campo "+attr(field)+" deve ser uma lista.")
			return
		}
		if len(items) > maxDemands {
			errs.Add(field, fmt.Sprintf("O campo %s não pode ter mais de %d itens.", attr(field), maxDemands))
			return
		}
		ok := true
		for i, item := range items {
			prefix := fmt.Sprintf("%s.%d.", field, i)
			var w demandWire
			if json.Unmarshal(item, &w) != nil || w.ValueKW == nil && w.StartDate == nil {
				errs.Add(fmt.Sprintf("%s.%d", field, i), "O item deve ser um objeto com value_kw e start_date.")
				ok = false
				continue
			}
			var d EnergyDemand
			var n json.Number
			if w.ValueKW == nil || json.Unmarshal(w.ValueKW, &n) != nil {
				errs.Add(prefix+"value_kw", "O campo value kw deve ser um número.")
				ok = false
			} else if v, err := n.Float64(); err != nil || v <= 0 || math.IsInf(v, 0) {
				errs.Add(prefix+"value_kw", "O campo value kw deve ser maior que 0.")
				ok = false
			} else {
				d.ValueKW = v
			}
			var date string
			if w.StartDate == nil || json.Unmarshal(w.StartDate, &date) != nil {
				errs.Add(prefix+"start_date", "O campo start date não é uma data válida (AAAA-MM-DD).")
				ok = false
			} else if _, err := time.Parse(time.DateOnly, date); err != nil {
				errs.Add(prefix+"start_date", "O campo start date não é uma data válida (AAAA-MM-DD).")
				ok = false
			} else {
				d.StartDate = date
			}
			out = append(out, d)
		}
		if ok {
			*dst(in) = opt[[]EnergyDemand]{set: true, v: out}
		}
	}
}

// ListQuery is a parsed list request.
type ListQuery struct {
	Q           string
	Sort        SortKey
	Desc        bool
	Limit, Page int
	ExternalIDs []string
	ParentIDs   []int64
	AccountIDs  []int64
	// UpdatedSince: see Filter.
	UpdatedSince time.Time
}

// Pagination limits.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// ParseListQuery checks the list parameters; every bad value is a 422
// naming the parameter.
func ParseListQuery(q map[string][]string) (ListQuery, error) {
	lq := ListQuery{Sort: SortByID, Desc: true, Limit: DefaultLimit, Page: 1}
	var errs apperr.Fields
	lq.Q = strings.TrimSpace(first(q, "_q"))
	if utf8.RuneCountInString(lq.Q) > maxQueryLen {
		errs.Add("_q", msgMax("_q", maxQueryLen))
	}
	switch strings.ToLower(first(q, "_sort")) {
	case "", "id":
	case "nome", "name":
		lq.Sort = SortByName
	default:
		errs.Add("_sort", msgInvalid("_sort"))
	}
	switch strings.ToLower(first(q, "_order")) {
	case "", "desc":
	case "asc":
		lq.Desc = false
	default:
		errs.Add("_order", msgInvalid("_order"))
	}
	lq.Limit, lq.Page = pageParams(q, DefaultLimit, &errs)
	if len(q["external_id"]) > maxFilterValues {
		errs.Add("external_id", msgTooMany("external_id"))
	} else {
		for _, s := range q["external_id"] {
			if s = strings.TrimSpace(s); s != "" {
				lq.ExternalIDs = append(lq.ExternalIDs, s)
			}
		}
	}
	lq.ParentIDs = ids(q, "parent_id", &errs)
	lq.AccountIDs = ids(q, "account_id", &errs)
	return lq, errs.Err(apperr.Unprocessable)
}

// pageParams reads _limit (1..MaxLimit) and _page (1..).
func pageParams(q map[string][]string, defaultLimit int, errs *apperr.Fields) (limit, page int) {
	limit, page = defaultLimit, 1
	if s := first(q, "_limit"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 1:
			errs.Add("_limit", "O campo _limit deve ser um número inteiro maior ou igual a 1.")
		case n > MaxLimit:
			errs.Add("_limit", fmt.Sprintf("O campo _limit não pode ser superior a %d.", MaxLimit))
		default:
			limit = n
		}
	}
	if s := first(q, "_page"); s != "" {
		n, err := strconv.Atoi(s)
		// The cap keeps limit*page far from overflowing an offset.
		if err != nil || n < 1 || n > 1_000_000 {
			errs.Add("_page", "O campo _page deve ser um número inteiro entre 1 e 1000000.")
		} else {
			page = n
		}
	}
	return limit, page
}

func first(q map[string][]string, key string) string {
	if v := q[key]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

func msgTooMany(field string) string {
	return fmt.Sprintf("O campo %s não pode ter mais de %d itens.", attr(field), maxFilterValues)
}

// ids reads a repeatable id parameter (?parent_id=1&parent_id=2).
func ids(q map[string][]string, key string, errs *apperr.Fields) []int64 {
	if len(q[key]) > maxFilterValues {
		errs.Add(key, msgTooMany(key))
		return nil
	}
	var out []int64
	for _, s := range q[key] {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs.Add(key, msgInteger(key))
			return nil
		}
		out = append(out, n)
	}
	return out
}
