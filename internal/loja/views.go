package loja

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
)

var funcs = template.FuncMap{
	"field":    field,
	"safeLogo": safeImageURL,
	"steps":    func() []string { return stepNames },
}

// stepNames are the sign-up's steps, as the pages show where one is.
var stepNames = []string{"Plano e cobertura", "Seus dados", "Documentos", "Confirmação"}

// labels name the API's fields the way a visitor reads them; the forms'
// inputs carry the API's field names, so a message the service returns
// for a field lands next to that field.
var labels = map[string]string{
	"nome_razao_social":      "Nome completo ou razão social",
	"email":                  "E-mail",
	"telefone_celular":       "Celular com DDD",
	"cpf_cnpj":               "CPF ou CNPJ",
	"rg_ie":                  "RG ou inscrição estadual",
	"data_nascimento":        "Data de nascimento",
	"vencimento":             "Dia de vencimento da fatura",
	"forma_pagamentos_id":    "Forma de pagamento",
	"is_instalacao_a_vista":  "Taxa de instalação",
	"taxa_instalacao":        "Taxa de instalação",
	"cep":                    "CEP",
	"rua":                    "Rua",
	"numero":                 "Número",
	"complemento":            "Complemento",
	"bairro":                 "Bairro",
	"cidade":                 "Cidade",
	"provedor":               "Provedor atual",
	"plan_id":                "Plano",
	"coupon_id":              "Cupom",
	"coupon":                 "Cupom",
	"cupom":                  "Código do cupom",
	"files[comprovante_res]": "Comprovante de residência",
	"files[comprovante_rg]":  "RG (foto do documento)",
	"files[selfie]":          "Selfie",
	"files":                  "Documentos",
	"content_type":           "Documentos",
	"base":                   "Cadastro",
}

// form is a form's values and the service's messages for them.
type form struct {
	Values url.Values
	Errors map[string][]string
	// focused is set once the first field with an error has been
	// rendered, which gets autofocus.
	focused bool
}

func newForm(values url.Values) *form {
	if values == nil {
		values = url.Values{}
	}
	return &form{Values: values, Errors: map[string][]string{}}
}

// fail records err's field messages; it reports false for errors that are
// no validation (which the caller renders as an error page).
func (f *form) fail(err error) bool {
	e := apperr.As(err)
	if e.Code != apperr.Unprocessable || len(e.Fields) == 0 {
		return false
	}
	for k, msgs := range e.Fields {
		f.Errors[k] = append(f.Errors[k], msgs...)
	}
	return true
}

// problem is one line of a form's error summary.
type problem struct {
	ID, Label, Message string
}

// Summary lists the messages in a stable order, each linking to its field.
func (f *form) Summary() []problem {
	keys := make([]string, 0, len(f.Errors))
	for k := range f.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []problem
	for _, k := range keys {
		label := labels[k]
		if label == "" {
			label = k
		}
		for _, m := range f.Errors[k] {
			out = append(out, problem{ID: web.FieldID(k), Label: label, Message: m})
		}
	}
	return out
}

// fieldView is one input as the "input" partial renders it.
type fieldView struct {
	Name, ID, Label, Value, Type, Mask, Autocomplete, Inputmode, Hint string
	Errors                                                            []string
	Autofocus                                                         bool
}

// field builds an input of f named name; opts are "key=value" pairs: type,
// mask (see forms.js), auto (autocomplete), mode (inputmode), hint.
func field(f *form, name string, opts ...string) fieldView {
	v := fieldView{Name: name, ID: web.FieldID(name), Label: labels[name], Value: f.Values.Get(name), Type: "text",
		Errors: f.Errors[name]}
	for _, o := range opts {
		k, val, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			v.Type = val
		case "mask":
			v.Mask = val
		case "auto":
			v.Autocomplete = val
		case "mode":
			v.Inputmode = val
		case "hint":
			v.Hint = val
		}
	}
	if len(v.Errors) > 0 && !f.focused {
		v.Autofocus, f.focused = true, true
	}
	return v
}

// planView is a plan as a visitor reads it.
type planView struct {
	ID                   int64
	Name, Title          string
	MonthlyPriceCents    int64
	Download, Upload     int
	FeeUpfront, FeeSplit string
	PriceNote            string
	Details              []string
	Services             []string
	PaymentMethods       []storefront.Item
}

func viewPlan(c *storefront.Catalog, p *storefront.Plan) planView {
	v := planView{ID: p.ID, Name: p.Name, Title: p.Title, MonthlyPriceCents: p.MonthlyPriceCents,
		Download: p.DownloadSpeed, Upload: p.UploadSpeed, FeeUpfront: feeText(p.InstallationFeeUpfront),
		FeeSplit: p.InstallationFeeInstallments, PriceNote: p.PriceNote}
	if v.Title == v.Name {
		v.Title = ""
	}
	for _, d := range []string{p.DetailLine1, p.DetailLine2, p.DetailLine3} {
		if d != "" {
			v.Details = append(v.Details, d)
		}
	}
	for _, it := range c.Services {
		if slices.Contains(p.ServiceIDs, it.ID) {
			v.Services = append(v.Services, it.Name)
		}
	}
	for _, it := range c.PaymentMethods {
		if slices.Contains(p.PaymentMethodIDs, it.ID) {
			v.PaymentMethods = append(v.PaymentMethods, it)
		}
	}
	return v
}

// feeText shows an upfront fee: the record keeps free text, which is
// money when it reads as a number ("100", "99,90") and shown as it is
// otherwise.
func feeText(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	n := strings.Replace(s, ",", ".", 1)
	if f, err := strconv.ParseFloat(n, 64); err == nil && f >= 0 && f < 1e9 {
		return web.Money(int64(f*100 + 0.5))
	}
	return s
}

// category is a category with its plans, as the home page lists them.
type category struct {
	Name  string
	Plans []planView
}

// categories groups the plans by category, in the catalog's order; plans
// in no category come last, under "Outros planos".
func categories(c *storefront.Catalog) []category {
	var out []category
	for _, cat := range c.Categories {
		g := category{Name: cat.Name}
		for i := range c.Plans {
			if slices.Contains(c.Plans[i].CategoryIDs, cat.ID) {
				g.Plans = append(g.Plans, viewPlan(c, &c.Plans[i]))
			}
		}
		if len(g.Plans) > 0 {
			out = append(out, g)
		}
	}
	other := category{Name: "Outros planos"}
	for i := range c.Plans {
		if len(c.Plans[i].CategoryIDs) == 0 {
			other.Plans = append(other.Plans, viewPlan(c, &c.Plans[i]))
		}
	}
	if len(other.Plans) > 0 {
		out = append(out, other)
	}
	return out
}
