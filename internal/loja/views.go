package loja

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
)

var funcs = template.FuncMap{
	"safeLogo": safeImageURL,
	"steps":    func() []string { return stepNames },
}

// stepNames are the sign-up's steps, as the pages show where one is.
var stepNames = []string{"Plano e cobertura", "Seus dados", "Documentos", "Confirmação"}

// labels name the API's fields the way a visitor reads them (the forms'
// inputs carry the API's field names).
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

func newForm(values url.Values) *web.Form { return web.NewForm(values, labels) }

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
