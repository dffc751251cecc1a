package main

import (
	"context"
	"fmt"
	"io"

	"partnership-service/internal/apperr"
	"partnership-service/internal/loja"
	"partnership-service/internal/server"
	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
	"partnership-service/internal/webauth"
)

// storefrontService wires the storefront to the configured database and
// the file store. It is made once per app: the API and the pages share its
// catalog cache, so an admin change shows on both at once.
func (a *app) storefrontService() *storefront.Service {
	if a.storefront == nil {
		a.storefront = storefront.NewService(a.stores.Storefront(), a.blobs, a.now, a.cfg.MaxUploadSize)
		a.storefront.ShareChanges(a.stores.Changes(), a.log)
	}
	return a.storefront
}

// storefrontSurface is the ISP storefront and its admin API.
func (a *app) storefrontSurface(ctx context.Context) (server.Surface, error) {
	svc := a.storefrontService()
	h := storefront.NewHandler(svc, a.publicWriteLimit)
	h.Guard = a.guard
	h.Webhooks = a.webhookHandlers(storefront.Render, apperr.Unprocessable)
	return server.Surface{Name: "storefront", Prefixes: storefront.Prefixes, Render: storefront.Render, Routes: h.Routes}, nil
}

// lojaSurface is the providers' sign-up sites: /loja/{slug}, and / on a
// provider's own domain.
func (a *app) lojaSurface(ctx context.Context) (server.Surface, error) {
	csrf, err := a.webCSRF()
	if err != nil {
		return server.Surface{}, err
	}
	h, err := loja.New(a.storefrontService(), csrf, a.now)
	if err != nil {
		return server.Surface{}, err
	}
	return web.Surface("loja", loja.Prefixes, h.Routes), nil
}

// assetsSurface serves the pages' shared CSS and JavaScript.
func (a *app) assetsSurface(context.Context) (server.Surface, error) {
	return web.AssetsSurface(), nil
}

// demoOrigin is where the demo storefront lives; the issue asks for it.
const demoOrigin = "http://localhost:8080"

// demoSlug puts the demo provider's storefront pages at /loja/conecte-fibra.
const demoSlug = "conecte-fibra"

// The demo provider's back-office user.
const (
	demoProviderUser     = "provedor@demo.com.br"
	demoProviderPassword = "demo-senha-123"
)

// batel is a polygon around Batel, a neighbourhood of Curitiba (PR),
// [longitude, latitude] as GeoJSON orders them.
const batel = `{"type":"Polygon","coordinates":[[[-49.2985,-25.4390],[-49.2890,-25.4345],[-49.2790,-25.4370],
[-49.2780,-25.4440],[-49.2860,-25.4500],[-49.2960,-25.4480],[-49.2985,-25.4390]]]}`

// loadStorefrontDemo creates (once) a provider at demoOrigin with two
// categories, three plans, a coupon and coverage around Batel, and prints
// how to call it.
func (a *app) loadStorefrontDemo(ctx context.Context, w io.Writer, baseURL string) error {
	svc := a.storefrontService()
	if err := seedStorefrontDemo(ctx, svc); err != nil {
		return err
	}
	c, _, err := svc.CatalogByOrigin(ctx, demoOrigin)
	if err != nil {
		return err
	}
	if len(c.Plans) == 0 {
		return fmt.Errorf("the provider at %s has no plans: it was not created by the demo", demoOrigin)
	}
	token, err := svc.IssueToken(ctx, demoOrigin, storefront.DefaultTokenTTL)
	if err != nil {
		return err
	}
	_, err = a.webauthService().CreateUser(ctx, webauth.NewUser{Realm: webauth.RealmProvider, OwnerID: c.Provider.ID,
		Email: demoProviderUser, Name: "Equipe Conecte Fibra", Password: demoProviderPassword})
	if err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	o := "-H 'Origin: " + demoOrigin + "'"
	fmt.Fprintf(w, `
ISP storefront (provider at Origin %[2]s):
  curl %[3]s %[1]s/api/v2/providers
  curl %[3]s %[1]s/api/v2/providers/plans
  curl %[3]s '%[1]s/api/v2/providers/check_coupon_availability?name=BEMVINDO&plan_id=%[5]d'
  curl %[3]s -H 'Content-Type: application/json' %[1]s/api/v2/subscriptions \
    -d '{"plan_id":%[5]d,"subscription":{"pre_subscription":true,"nome_razao_social":"Maria Souza","telefone_celular":"(41) 99891-6002","rua":"Av. do Batel","cep":"80420-090","cidade":"Curitiba","coordinates":{"lat":"-25.4425","lng":"-49.2880"}}}'
  admin (token just issued): curl -H 'Authorization: Bearer %[4]s' %[1]s/api/v2/admin/subscriptions
  sign-up site: %[1]s/loja/%[6]s (its coverage check goes by CEP: add a CEP range, POST /api/v2/admin/coverage_areas)
  back-office:  %[1]s/provedor/ (e-mail %[7]s, senha %[8]s)
`, baseURL, demoOrigin, o, token, c.Plans[0].ID, demoSlug, demoProviderUser, demoProviderPassword)
	return nil
}

func seedStorefrontDemo(ctx context.Context, svc *storefront.Service) error {
	p, err := svc.CreateProvider(ctx, "Conecte Fibra Curitiba", demoOrigin, demoSlug)
	if apperr.Is(err, apperr.Conflict) {
		return nil // loaded before
	}
	if err != nil {
		return err
	}
	id := p.ID
	p.Branding = storefront.Branding{PlansBackgroundColor: "#3f89ff", IntroFontColor: "#ffffff", FooterColor: "#1d2b4f",
		FooterFontColor: "#ffffff", NavbarColor: "#3f89ff"}
	p.DueDays = []int{5, 10, 15, 20}
	if _, err := svc.UpdateProvider(ctx, p); err != nil {
		return err
	}
	item := func(kind storefront.ItemKind, name string) int64 {
		if err != nil {
			return 0
		}
		var it storefront.Item
		it, err = svc.SaveItem(ctx, kind, id, storefront.Item{Name: name})
		return it.ID
	}
	personal, business := item(storefront.Categories, "Plano Pessoal"), item(storefront.Categories, "Plano Business")
	pix, card := item(storefront.PaymentMethods, "Pix"), item(storefront.PaymentMethods, "Cartão de crédito")
	wifi := item(storefront.Services, "Wi-Fi 6 incluso")
	if err != nil {
		return err
	}
	plans := []storefront.Plan{
		{Name: "Fibra 300", MonthlyPriceCents: 9990, DownloadSpeed: 300, UploadSpeed: 150, InstallationFeeUpfront: "100",
			InstallationFeeInstallments: "2x R$ 60,00", DetailLine1: "Wi-Fi grátis", DetailLine2: "Instalação rápida",
			PrimaryColor: "#d18080", SecondaryColor: "#c4bec4", CategoryIDs: []int64{personal}, PaymentMethodIDs: []int64{pix, card}},
		{Name: "Fibra 600", MonthlyPriceCents: 12990, DownloadSpeed: 600, UploadSpeed: 300, DetailLine1: "Wi-Fi 6",
			CategoryIDs: []int64{personal, business}, PaymentMethodIDs: []int64{pix, card}, ServiceIDs: []int64{wifi}},
		{Name: "Empresa 1 Giga", MonthlyPriceCents: 29990, DownloadSpeed: 1000, UploadSpeed: 500, DetailLine1: "IP fixo",
			CategoryIDs: []int64{business}, PaymentMethodIDs: []int64{pix}, ServiceIDs: []int64{wifi}},
	}
	for _, pl := range plans {
		if _, err := svc.SavePlan(ctx, id, pl); err != nil {
			return err
		}
	}
	limit := 100
	if _, err := svc.SaveCoupon(ctx, id, storefront.Coupon{Name: "BEMVINDO", Description: "Primeiro mês pela metade",
		MaxRedemptions: &limit}); err != nil {
		return err
	}
	geometry, err := storefront.ParseGeometry([]byte(batel))
	if err != nil {
		return err
	}
	_, err = svc.SaveCoverageArea(ctx, id, storefront.CoverageArea{Name: "Batel", Geometry: geometry})
	return err
}
