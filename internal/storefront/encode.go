package storefront

import (
	"slices"
	"strconv"
	"strings"
)

// The wire shapes of the seed: {"data": …} with string ids, a type and
// Portuguese attribute names. Unset free text is null.

type resource[A any] struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes A      `json:"attributes"`
}

type one[T any] struct {
	Data T `json:"data"`
}

type itemJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type categoryAttrs struct {
	Nome      string `json:"nome"`
	ID        int64  `json:"id"`
	Ordenacao *int   `json:"ordenacao"`
}

type providerCategory struct {
	Nome      string         `json:"nome"`
	ID        int64          `json:"id"`
	Ordenacao *int           `json:"ordenacao"`
	Plans     []providerPlan `json:"plans"`
}

// planDetails are the plan attributes both price shapes share.
type planDetails struct {
	TaxaInstalacaoAVista    *string    `json:"taxa_instalacao_a_vista"`
	TaxaInstalacaoParcelada *string    `json:"taxa_instalacao_parcelada"`
	VelocidadeUpload        int        `json:"velocidade_upload"`
	VelocidadeDownload      int        `json:"velocidade_download"`
	MensalidadeObservacao   *string    `json:"mensalidade_observacao"`
	DetalhesLinha1          *string    `json:"detalhes_linha1"`
	DetalhesLinha2          *string    `json:"detalhes_linha2"`
	DetalhesLinha3          *string    `json:"detalhes_linha3"`
	CorPrimaria             *string    `json:"cor_primaria"`
	CorSecundaria           *string    `json:"cor_secundaria"`
	Titulo                  *string    `json:"titulo"`
	HTML                    *string    `json:"html"`
	Services                []itemJSON `json:"services"`
	PaymentMethods          []itemJSON `json:"payment_methods"`
}

// providerPlan is a plan inside GET /providers: price in whole reais and a
// two-digit cents string.
type providerPlan struct {
	Nome                string `json:"nome"`
	Ordenacao           *int   `json:"ordenacao"`
	MensalidadeReais    int64  `json:"mensalidade_reais"`
	ID                  int64  `json:"id"`
	MensalidadeCentavos string `json:"mensalidade_centavos"`
	planDetails
}

// listedPlan is a plan in GET /providers/plans: price as a decimal string.
type listedPlan struct {
	Nome        string `json:"nome"`
	Ordenacao   *int   `json:"ordenacao"`
	Mensalidade string `json:"mensalidade"`
	planDetails
}

type providerAttrs struct {
	Nome string `json:"nome"`
	providerColors
	Wallpaper      *string            `json:"wallpaper"`
	CorNavbar      *string            `json:"cor_navbar"`
	Logo           *string            `json:"logo"`
	DiasVencimento []int              `json:"dias_vencimento"`
	Categories     []providerCategory `json:"categories"`
}

// providerColors are the four colours both provider documents (the
// public catalog's and the admin API's) carry, in the order both list them.
type providerColors struct {
	CorBackgroundPlanos *string `json:"cor_background_planos"`
	CorFonteIntro       *string `json:"cor_fonte_intro"`
	CorFooter           *string `json:"cor_footer"`
	CorFonteFooter      *string `json:"cor_fonte_footer"`
}

func encodeColors(b Branding) providerColors {
	return providerColors{
		CorBackgroundPlanos: nullable(b.PlansBackgroundColor), CorFonteIntro: nullable(b.IntroFontColor),
		CorFooter: nullable(b.FooterColor), CorFonteFooter: nullable(b.FooterFontColor),
	}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// FormatPrice renders cents as the seed's "mensalidade": a decimal with at
// least one fractional digit and no trailing zeros beyond it ("29.9",
// "100.0", "29.99"), the way the original service printed its decimals.
func FormatPrice(cents int64) string {
	s := strconv.FormatInt(cents/100, 10) + "." + twoDigits(cents%100)
	return strings.TrimSuffix(s, "0")
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func itemsJSON(items []Item, ids []int64) []itemJSON {
	out := make([]itemJSON, 0, len(ids))
	for _, it := range items { // items are in display order
		if slices.Contains(ids, it.ID) {
			out = append(out, itemJSON{ID: it.ID, Name: it.Name})
		}
	}
	return out
}

func encodePlanDetails(c *Catalog, p *Plan) planDetails {
	return planDetails{
		TaxaInstalacaoAVista:    nullable(p.InstallationFeeUpfront),
		TaxaInstalacaoParcelada: nullable(p.InstallationFeeInstallments),
		VelocidadeUpload:        p.UploadSpeed,
		VelocidadeDownload:      p.DownloadSpeed,
		MensalidadeObservacao:   nullable(p.PriceNote),
		DetalhesLinha1:          nullable(p.DetailLine1),
		DetalhesLinha2:          nullable(p.DetailLine2),
		DetalhesLinha3:          nullable(p.DetailLine3),
		CorPrimaria:             nullable(p.PrimaryColor),
		CorSecundaria:           nullable(p.SecondaryColor),
		Titulo:                  nullable(p.Title),
		HTML:                    nullable(p.HTML),
		Services:                itemsJSON(c.Services, p.ServiceIDs),
		PaymentMethods:          itemsJSON(c.PaymentMethods, p.PaymentMethodIDs),
	}
}

func encodeListedPlan(c *Catalog, p *Plan) listedPlan {
	return listedPlan{Nome: p.Name, Ordenacao: p.SortOrder, Mensalidade: FormatPrice(p.MonthlyPriceCents), planDetails: encodePlanDetails(c, p)}
}

func encodeProvider(c *Catalog) one[resource[providerAttrs]] {
	p := c.Provider
	attrs := providerAttrs{
		Nome:           p.Name,
		providerColors: encodeColors(p.Branding),
		Wallpaper:      nullable(p.Branding.Wallpaper),
		CorNavbar:      nullable(p.Branding.NavbarColor),
		Logo:           nullable(p.Branding.Logo),
		DiasVencimento: append([]int{}, p.DueDays...),
		Categories:     make([]providerCategory, 0, len(c.Categories)),
	}
	for _, cat := range c.Categories {
		pc := providerCategory{Nome: cat.Name, ID: cat.ID, Ordenacao: cat.SortOrder, Plans: []providerPlan{}}
		for i := range c.Plans {
			plan := &c.Plans[i]
			if slices.Contains(plan.CategoryIDs, cat.ID) {
				pc.Plans = append(pc.Plans, providerPlan{
					Nome:                plan.Name,
					Ordenacao:           plan.SortOrder,
					MensalidadeReais:    plan.MonthlyPriceCents / 100,
					ID:                  plan.ID,
					MensalidadeCentavos: twoDigits(plan.MonthlyPriceCents % 100),
					planDetails:         encodePlanDetails(c, plan),
				})
			}
		}
		attrs.Categories = append(attrs.Categories, pc)
	}
	return one[resource[providerAttrs]]{Data: resource[providerAttrs]{ID: idString(p.ID), Type: "provedors", Attributes: attrs}}
}

func encodeCategory(cat Item) resource[categoryAttrs] {
	return resource[categoryAttrs]{ID: idString(cat.ID), Type: "categories", Attributes: categoryAttrs{Nome: cat.Name, ID: cat.ID, Ordenacao: cat.SortOrder}}
}

func encodeCategories(cats []Item) one[[]resource[categoryAttrs]] {
	out := make([]resource[categoryAttrs], 0, len(cats))
	for _, cat := range cats {
		out = append(out, encodeCategory(cat))
	}
	return one[[]resource[categoryAttrs]]{Data: out}
}

func encodePlans(c *Catalog) one[[]resource[listedPlan]] {
	out := make([]resource[listedPlan], 0, len(c.Plans))
	for i := range c.Plans {
		p := &c.Plans[i]
		out = append(out, resource[listedPlan]{ID: idString(p.ID), Type: "planos", Attributes: encodeListedPlan(c, p)})
	}
	return one[[]resource[listedPlan]]{Data: out}
}
