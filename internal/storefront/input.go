package storefront

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/textnorm"
)

// rawValue keeps a JSON value undecoded, so each field can be read leniently
// (the seed sends numbers as strings: "lat": "-25.35") and a wrong type
// becomes a message on that field instead of a failure of the whole body.
// Absent: nil; null: "null".
type rawValue []byte

func (v *rawValue) UnmarshalJSON(b []byte) error {
	*v = append((*v)[:0], b...)
	return nil
}

func (v rawValue) set() bool  { return v != nil }
func (v rawValue) null() bool { return bytes.Equal(v, []byte("null")) }

type subscriptionRequest struct {
	PlanID          rawValue `json:"plan_id"`
	PreSubscription rawValue `json:"pre_subscription"`
	ColdLead        rawValue `json:"cold_lead"`
	// The seed's parameter table puts the two flags at the top level and its
	// body example inside "subscription": both are accepted.
	Subscription *subscriptionFields `json:"subscription"`
}

type subscriptionFields struct {
	PreSubscription    rawValue `json:"pre_subscription"`
	ColdLead           rawValue `json:"cold_lead"`
	Rua                rawValue `json:"rua"`
	Numero             rawValue `json:"numero"`
	Complemento        rawValue `json:"complemento"`
	Bairro             rawValue `json:"bairro"`
	Cidade             rawValue `json:"cidade"`
	CEP                rawValue `json:"cep"`
	Provedor           rawValue `json:"provedor"`
	Coordinates        rawValue `json:"coordinates"`
	NomeRazaoSocial    rawValue `json:"nome_razao_social"`
	Email              rawValue `json:"email"`
	TelefoneCelular    rawValue `json:"telefone_celular"`
	FormaPagamentosID  rawValue `json:"forma_pagamentos_id"`
	Vencimento         rawValue `json:"vencimento"`
	IsInstalacaoAVista rawValue `json:"is_instalacao_a_vista"`
	TaxaInstalacao     rawValue `json:"taxa_instalacao"`
	RGIE               rawValue `json:"rg_ie"`
	CPFCNPJ            rawValue `json:"cpf_cnpj"`
	CouponID           rawValue `json:"coupon_id"`
	DataNascimento     rawValue `json:"data_nascimento"`
}

// decodeSubscription reads a create or update body into a typed input. Type
// errors are 422s on their fields.
func decodeSubscription(w http.ResponseWriter, r *http.Request) (SubscriptionInput, error) {
	var req subscriptionRequest
	if err := decodeJSON(w, r, &req, maxSubscriptionBody); err != nil {
		return SubscriptionInput{}, err
	}
	f := req.Subscription
	if f == nil {
		f = &subscriptionFields{}
	}
	var errs apperr.Fields
	in := SubscriptionInput{
		PlanID:              readID(req.PlanID, "plan_id", &errs),
		CouponID:            readID(f.CouponID, "coupon_id", &errs),
		PaymentMethodID:     readID(f.FormaPagamentosID, "forma_pagamentos_id", &errs),
		DueDay:              readText(f.Vencimento, "vencimento", &errs),
		UpfrontInstallation: readOptionalBool(f.IsInstalacaoAVista, "is_instalacao_a_vista", &errs),
		Location:            readPoint(f.Coordinates, &errs),
		Name:                readText(f.NomeRazaoSocial, "nome_razao_social", &errs),
		Email:               readText(f.Email, "email", &errs),
		MobilePhone:         readText(f.TelefoneCelular, "telefone_celular", &errs),
		Document:            readText(f.CPFCNPJ, "cpf_cnpj", &errs),
		IDDocument:          readText(f.RGIE, "rg_ie", &errs),
		BirthDate:           readText(f.DataNascimento, "data_nascimento", &errs),
		InstallationFee:     readText(f.TaxaInstalacao, "taxa_instalacao", &errs),
		Street:              readText(f.Rua, "rua", &errs),
		Number:              readText(f.Numero, "numero", &errs),
		Complement:          readText(f.Complemento, "complemento", &errs),
		District:            readText(f.Bairro, "bairro", &errs),
		City:                readText(f.Cidade, "cidade", &errs),
		CEP:                 readText(f.CEP, "cep", &errs),
		CurrentProvider:     readText(f.Provedor, "provedor", &errs),
	}
	pre := readFlag(req.PreSubscription, f.PreSubscription, "pre_subscription", &errs)
	in.PreSubscription = pre.Value
	in.ColdLead = readFlag(req.ColdLead, f.ColdLead, "cold_lead", &errs)
	return in, errs.Err(apperr.Unprocessable)
}

// kind classifies a raw JSON value by its first byte.
func (v rawValue) kind() byte {
	if len(v) == 0 {
		return 0
	}
	switch c := v[0]; c {
	case '"', '{', '[', 't', 'f', 'n':
		return c
	}
	return '0' // a number
}

// readText reads a string; a number is taken as its literal text ("rg_ie":
// 500793839), since the seed is loose about which fields are strings.
func readText(v rawValue, field string, errs *apperr.Fields) Opt[string] {
	switch v.kind() {
	case 0:
		return Opt[string]{}
	case 'n':
		return Opt[string]{Set: true}
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			t, ok := textnorm.Line(s)
			if !ok {
				errs.Add(field, textnorm.Message)
				return Opt[string]{}
			}
			return Opt[string]{Set: true, Value: t}
		}
	case '0':
		return Opt[string]{Set: true, Value: string(v)}
	}
	errs.Add(field, "deve ser um texto")
	return Opt[string]{}
}

// readID reads a positive integer id, given as a number or a numeric string.
func readID(v rawValue, field string, errs *apperr.Fields) Opt[int64] {
	if !v.set() {
		return Opt[int64]{}
	}
	if v.null() {
		return Opt[int64]{Set: true}
	}
	text := readText(v, field, errs)
	if !text.Set {
		return Opt[int64]{}
	}
	s := strings.TrimSpace(text.Value)
	if s == "" {
		return Opt[int64]{Set: true}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		errs.Add(field, "não é um número")
		return Opt[int64]{}
	}
	return Opt[int64]{Set: true, Value: id}
}

// readOptionalBool reads true, false or null (unknown).
func readOptionalBool(v rawValue, field string, errs *apperr.Fields) Opt[*bool] {
	switch {
	case !v.set():
		return Opt[*bool]{}
	case v.null():
		return Opt[*bool]{Set: true}
	}
	b, ok := parseBool(v)
	if !ok {
		errs.Add(field, "deve ser verdadeiro ou falso")
		return Opt[*bool]{}
	}
	return Opt[*bool]{Set: true, Value: &b}
}

// readFlag reads a flag that may come at the top level or inside
// "subscription"; absent and null are false.
func readFlag(top, inner rawValue, field string, errs *apperr.Fields) Opt[bool] {
	v := top
	if !v.set() {
		v = inner
	}
	if !v.set() {
		return Opt[bool]{}
	}
	if v.null() {
		return Opt[bool]{Set: true}
	}
	b, ok := parseBool(v)
	if !ok {
		errs.Add(field, "deve ser verdadeiro ou falso")
		return Opt[bool]{}
	}
	return Opt[bool]{Set: true, Value: b}
}

// parseBool accepts JSON booleans and the strings "true" and "false", which
// form-minded clients send.
func parseBool(v rawValue) (bool, bool) {
	switch string(v) {
	case "true", `"true"`:
		return true, true
	case "false", `"false"`:
		return false, true
	}
	return false, false
}

// readPoint reads {"lat": …, "lng": …}, each a number or a numeric string.
func readPoint(v rawValue, errs *apperr.Fields) Opt[*Point] {
	switch v.kind() {
	case 0:
		return Opt[*Point]{}
	case 'n':
		return Opt[*Point]{Set: true}
	case '{':
	default:
		errs.Add("coordinates", "deve ser um objeto com lat e lng")
		return Opt[*Point]{}
	}
	var c struct {
		Lat rawValue `json:"lat"`
		Lng rawValue `json:"lng"`
	}
	if json.Unmarshal(v, &c) != nil {
		errs.Add("coordinates", "deve ser um objeto com lat e lng")
		return Opt[*Point]{}
	}
	lat, okLat := readCoordinate(c.Lat, 90)
	lng, okLng := readCoordinate(c.Lng, 180)
	if !okLat {
		errs.Add("coordinates", "lat deve ser um número entre -90 e 90")
	}
	if !okLng {
		errs.Add("coordinates", "lng deve ser um número entre -180 e 180")
	}
	if !okLat || !okLng {
		return Opt[*Point]{}
	}
	return Opt[*Point]{Set: true, Value: &Point{Lat: lat, Lng: lng}}
}

func readCoordinate(v rawValue, limit float64) (float64, bool) {
	var s string
	switch v.kind() {
	case '0':
		s = string(v)
	case '"':
		if json.Unmarshal(v, &s) != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > limit {
		return 0, false
	}
	return f, true
}
