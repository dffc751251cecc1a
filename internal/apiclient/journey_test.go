package apiclient_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"partnership-service/internal/apiclient"
	"partnership-service/internal/apitest"
	"partnership-service/internal/blob/blobtest"
	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/energy/energytest"
	"partnership-service/internal/geo"
	"partnership-service/internal/secretbox"
	"partnership-service/internal/server"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
)

// The journeys below walk each surface's main path through the generated
// client only: if the contract says something a generated client cannot
// use (a shape it cannot decode, a parameter it cannot send), they fail.
// Every answer is also validated against the contract by apitest.

// doer sends the client's requests to an in-process handler through
// apitest, which validates every answer against the contract.
type doer struct{ api *apitest.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	if req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.1:1234"
	}
	res := d.api.Do(req)
	return &http.Response{
		StatusCode: res.Status, Status: http.StatusText(res.Status), Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(res.Body)), Request: req,
	}, nil
}

// newClient returns a generated client of h that sends headerPairs on every
// request.
func newClient(t *testing.T, h http.Handler, headerPairs ...string) *apiclient.ClientWithResponses {
	t.Helper()
	c, err := apiclient.NewClientWithResponses("http://partnership.test",
		apiclient.WithHTTPClient(doer{apitest.New(t, h)}),
		apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			for i := 0; i+1 < len(headerPairs); i += 2 {
				req.Header.Set(headerPairs[i], headerPairs[i+1])
			}
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// expect fails the test unless err is nil and the status is want.
func expect(t *testing.T, what string, status int, body []byte, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if status != want {
		t.Fatalf("%s: status %d, want %d; body: %s", what, status, want, body)
	}
}

func ptr[T any](v T) *T { return &v }

func quietLog() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

func TestEnergyJourney(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := energytest.New(t, testdb.SQLite(t), energytest.Options{
		Leads: func(tb testing.TB, e storage.Stores, catalog *energy.CatalogService) *energy.LeadService {
			blobs, _ := blobtest.NewDir(tb)
			box, err := secretbox.New(bytes.Repeat([]byte{7}, 32))
			if err != nil {
				tb.Fatal(err)
			}
			leads, err := energy.NewLeadService(energy.LeadConfig{
				Store: e.EnergyLeads(), Catalog: catalog, Geo: geo.MustLoad(), Blobs: blobs, Box: box,
				MaxUploadBytes: 1 << 20, Log: quietLog(), Now: time.Now,
			})
			if err != nil {
				tb.Fatal(err)
			}
			return leads
		},
	})
	c := newClient(t, env.Handler, "Authorization", "Bearer "+env.KeyA)

	q, err := c.QualifyLeadWithResponse(ctx, &apiclient.QualifyLeadParams{
		City: "Campinas", State: "SP", PersonType: apiclient.QualifyLeadParamsPersonTypeNatural, UtilityBillingValue: "815,50"})
	expect(t, "qualifyLead", q.StatusCode(), q.Body, err, http.StatusOK)
	if !q.JSON200.Qualification || q.JSON200.Product != apiclient.GeracaoDistribuida {
		t.Fatalf("qualification = %+v", *q.JSON200)
	}

	areas, err := c.ListOperationAreasWithResponse(ctx, &apiclient.ListOperationAreasParams{IbgeCode: ptr("3509502")})
	expect(t, "listOperationAreas", areas.StatusCode(), areas.Body, err, http.StatusOK)
	if len(*areas.JSON200) != 1 || (*areas.JSON200)[0].EnergyUtilityName != "CPFL PAULISTA" {
		t.Fatalf("operation areas = %+v", *areas.JSON200)
	}

	plans, err := c.ListPlansWithResponse(ctx, &apiclient.ListPlansParams{
		EnergyUtilityPublicId: ptr((*areas.JSON200)[0].EnergyUtilityPublicId.String())})
	expect(t, "listPlans", plans.StatusCode(), plans.Body, err, http.StatusOK)
	plan := (*plans.JSON200)[0].Plans[0]
	if plan.Name != "Plano Premium" || plan.Discount != "0.14" {
		t.Fatalf("plan = %+v", plan)
	}

	var bill apiclient.EnergyBillValue
	if err := bill.FromEnergyBillValue0(850.15); err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateLeadWithResponse(ctx, nil, apiclient.CreateLeadJSONRequestBody{
		FullName: "John Cena", PersonType: apiclient.EnergyPersonTypeNatural, EmailAddress: "john.cena@example.com",
		MobilePhone: "(11) 99988-5544", UtilityBillingValue: bill, IdentificationNumber: "111.444.777-35",
		Nationality: ptr("brasileiro"), MaritalStatus: ptr("casado"), Profession: ptr("engenheiro"),
		ZipCode: "13010-000", State: "SP", City: "Campinas", Street: "Rua Barão de Jaguara", Number: "1000",
		Neighborhood: "Centro",
		Plan: &apiclient.EnergyLeadPlan{PlanName: "Premium", Discount: "14", LoyaltyRequirement: "60",
			Benefit: ptr("Ganhou_1_Fatura_Gratis")},
	})
	expect(t, "createLead", created.StatusCode(), created.Body, err, http.StatusCreated)
	lead := created.JSON201
	if lead.Status != apiclient.EnergyLeadStatusIndicado || lead.Plan == nil || lead.Plan.PlanName != "Plano Premium" {
		t.Fatalf("created lead = %+v", *lead)
	}
	id := lead.Id.String()

	creds, err := c.SetUtilityCredentialsWithResponse(ctx, id, nil, apiclient.SetUtilityCredentialsJSONRequestBody{
		UtilityBillLogin: "login.distribuidora@teste.com", Password: "senha-da-distribuidora"})
	expect(t, "setUtilityCredentials", creds.StatusCode(), creds.Body, err, http.StatusOK)
	if !creds.JSON200.HasEnergyUtilityCredentials || bytes.Contains(creds.Body, []byte("senha-da-distribuidora")) {
		t.Fatalf("credentials answer: %s", creds.Body)
	}

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("utilityBill", "fatura.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"))
	_ = mw.Close()
	up, err := c.UploadUtilityBillWithBodyWithResponse(ctx, id, nil, mw.FormDataContentType(), &form)
	expect(t, "uploadUtilityBill", up.StatusCode(), up.Body, err, http.StatusCreated)
	if len(up.JSON201.Documents) != 1 || up.JSON201.Documents[0].Type != apiclient.UtilityBill {
		t.Fatalf("documents = %+v", up.JSON201.Documents)
	}

	contract, err := c.CreateContractWithResponse(ctx, id, nil, apiclient.CreateContractJSONRequestBody{})
	expect(t, "createContract", contract.StatusCode(), contract.Body, err, http.StatusCreated)
	if contract.JSON201.Status != apiclient.EnergyLeadStatusNegociacao || contract.JSON201.ContractSignerLink == nil {
		t.Fatalf("after contract: %s", contract.Body)
	}

	got, err := c.GetLeadWithResponse(ctx, id)
	expect(t, "getLead", got.StatusCode(), got.Body, err, http.StatusOK)
	if got.JSON200.StatusHistory == nil || len(*got.JSON200.StatusHistory) != 2 {
		t.Fatalf("status history: %s", got.Body)
	}

	list, err := c.ListLeadsWithResponse(ctx, &apiclient.ListLeadsParams{Filters: ptr("status:negociação")})
	expect(t, "listLeads", list.StatusCode(), list.Body, err, http.StatusOK)
	if list.JSON200.Total != 1 || list.JSON200.Leads[0].Id.String() != id {
		t.Fatalf("list: %s", list.Body)
	}
}

func TestStorefrontJourney(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const origin = "https://loja.fibra.com.br"
	blobs, _ := blobtest.NewDir(t)
	svc := storefront.NewService(testdb.SQLite(t).Storefront(), blobs, time.Now, 1<<20)
	h, err := server.New(server.Config{Log: quietLog(), Surfaces: []server.Surface{{
		Name: "storefront", Prefixes: storefront.Prefixes, Render: storefront.Render,
		Routes: storefront.NewHandler(svc, 0).Routes,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateProvider(ctx, "Fibra", origin, ""); err != nil {
		t.Fatal(err)
	}
	token, err := svc.IssueToken(ctx, origin, storefront.DefaultTokenTTL)
	if err != nil {
		t.Fatal(err)
	}

	// The provider sets up its catalog through the admin API.
	admin := newClient(t, h, "Authorization", "Bearer "+token)
	cat, err := admin.CreateAdminCategoryWithResponse(ctx, nil, apiclient.StorefrontAdminItemBody{Nome: "Residencial", Ordenacao: ptr(1)})
	expect(t, "createAdminCategory", cat.StatusCode(), cat.Body, err, http.StatusCreated)
	pay, err := admin.CreateAdminPaymentMethodWithResponse(ctx, nil, apiclient.StorefrontAdminItemBody{Nome: "Pix"})
	expect(t, "createAdminPaymentMethod", pay.StatusCode(), pay.Body, err, http.StatusCreated)
	var price apiclient.StorefrontAdminPlanBody_Mensalidade
	if err := price.FromStorefrontAdminPlanBodyMensalidade1("99,90"); err != nil {
		t.Fatal(err)
	}
	plan, err := admin.CreateAdminPlanWithResponse(ctx, nil, apiclient.StorefrontAdminPlanBody{
		Nome: "Fibra 300", Mensalidade: price, VelocidadeDownload: ptr(300),
		CategoryIds:      &[]int{cat.JSON201.Data.Attributes.Id},
		PaymentMethodIds: &[]int{pay.JSON201.Data.Attributes.Id},
	})
	expect(t, "createAdminPlan", plan.StatusCode(), plan.Body, err, http.StatusCreated)
	planID := plan.JSON201.Data.Attributes.Id
	area, err := admin.CreateAdminCoverageAreaWithResponse(ctx, nil, apiclient.StorefrontAdminCoverageAreaBody{
		Nome: ptr("Bigorrilho"), CepInicio: ptr("80420-000"), CepFim: ptr("80420-999")})
	expect(t, "createAdminCoverageArea", area.StatusCode(), area.Body, err, http.StatusCreated)
	coupon, err := admin.CreateAdminCouponWithResponse(ctx, nil, apiclient.StorefrontAdminCouponBody{
		Name: "BEMVINDO", Description: ptr("Primeiro mês grátis"), MaxRedemptions: ptr(10)})
	expect(t, "createAdminCoupon", coupon.StatusCode(), coupon.Body, err, http.StatusCreated)
	plans, err := admin.ListAdminPlansWithResponse(ctx)
	expect(t, "listAdminPlans", plans.StatusCode(), plans.Body, err, http.StatusOK)
	if got := plans.JSON200.Data[0].Attributes; got.Mensalidade != "99.9" || got.Nome != "Fibra 300" {
		t.Fatalf("admin plan = %s", plans.Body)
	}

	// A visitor of the storefront.
	visitor := newClient(t, h)
	o := ptr(origin)
	prov, err := visitor.GetProviderWithResponse(ctx, &apiclient.GetProviderParams{Origin: o})
	expect(t, "getProvider", prov.StatusCode(), prov.Body, err, http.StatusOK)
	if prov.JSON200.Data.Attributes.Nome != "Fibra" || len(prov.JSON200.Data.Attributes.Categories) != 1 {
		t.Fatalf("provider = %s", prov.Body)
	}
	pl, err := visitor.ListProviderPlansWithResponse(ctx, &apiclient.ListProviderPlansParams{Origin: o})
	expect(t, "listProviderPlans", pl.StatusCode(), pl.Body, err, http.StatusOK)
	check, err := visitor.CheckCouponAvailabilityWithResponse(ctx, &apiclient.CheckCouponAvailabilityParams{
		Name: "bemvindo", PlanId: ptr("1"), Origin: o})
	expect(t, "checkCouponAvailability", check.StatusCode(), check.Body, err, http.StatusOK)

	var planRef, payRef, couponRef apiclient.StorefrontIDInput
	if err := planRef.FromStorefrontIDInput0(planID); err != nil {
		t.Fatal(err)
	}
	if err := payRef.FromStorefrontIDInput1("1"); err != nil { // the seed sends ids as strings too
		t.Fatal(err)
	}
	if err := couponRef.FromStorefrontIDInput0(check.JSON200.Data.Attributes.Id); err != nil {
		t.Fatal(err)
	}
	var yes apiclient.StorefrontFlag
	if err := yes.FromStorefrontFlag0(true); err != nil {
		t.Fatal(err)
	}
	sub, err := visitor.CreateSubscriptionWithResponse(ctx, &apiclient.CreateSubscriptionParams{Origin: o},
		apiclient.StorefrontSubscriptionRequest{
			PlanId: &planRef, PreSubscription: &yes,
			Subscription: apiclient.StorefrontSubscriptionFields{
				NomeRazaoSocial: ptr("Maria Souza"), TelefoneCelular: ptr("(41) 99891-6002"),
				CpfCnpj: ptr("529.982.247-25"), Email: ptr("maria.souza@example.com"), DataNascimento: ptr("29/08/1998"),
				FormaPagamentosId: &payRef, CouponId: &couponRef, Vencimento: nil,
				Rua: ptr("Rua Padre Anchieta"), Numero: ptr("100"), Bairro: ptr("Bigorrilho"), Cidade: ptr("Curitiba"),
				Cep: ptr("80420-120"),
			},
		})
	expect(t, "createSubscription", sub.StatusCode(), sub.Body, err, http.StatusOK)
	if sub.JSON200.Data.Id == nil || !sub.JSON200.Data.Attributes.Coverage {
		t.Fatalf("subscription = %s", sub.Body)
	}
	uuid := *sub.JSON200.Data.Id

	upd, err := visitor.UpdateSubscriptionWithResponse(ctx, uuid, &apiclient.UpdateSubscriptionParams{Origin: o},
		apiclient.StorefrontSubscriptionUpdate{Subscription: &apiclient.StorefrontSubscriptionFields{
			Numero: ptr("120"), Complemento: ptr("apto 31")}})
	expect(t, "updateSubscription", upd.StatusCode(), upd.Body, err, http.StatusOK)

	stored, err := admin.GetAdminSubscriptionWithResponse(ctx, uuid)
	expect(t, "getAdminSubscription", stored.StatusCode(), stored.Body, err, http.StatusOK)
	a := stored.JSON200.Data.Attributes
	if a.Numero == nil || *a.Numero != "120" || a.CouponId == nil || a.CpfCnpj == nil || *a.CpfCnpj != "529.982.247-25" {
		t.Fatalf("stored subscription = %s", stored.Body)
	}
	subs, err := admin.ListAdminSubscriptionsWithResponse(ctx, &apiclient.ListAdminSubscriptionsParams{})
	expect(t, "listAdminSubscriptions", subs.StatusCode(), subs.Body, err, http.StatusOK)
	if subs.JSON200.Meta.Total != 1 {
		t.Fatalf("subscriptions = %s", subs.Body)
	}
}

func TestCompaniesJourney(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := companies.NewService(testdb.SQLite(t).Companies(), geo.MustLoad(), time.Now)
	h, err := server.New(server.Config{Log: quietLog(), Surfaces: []server.Surface{{
		Name: "companies", Prefixes: companies.Prefixes, Render: companies.Render,
		Routes: companies.NewHandler(svc).Routes,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	account, err := svc.CreateAccount(ctx, "Conta Exemplo", companies.Client, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, "admin@example.com", "senha-forte-123", "", true); err != nil {
		t.Fatal(err)
	}

	anon := newClient(t, h)
	login, err := anon.LoginWithResponse(ctx, apiclient.LoginJSONRequestBody{Email: "admin@example.com", Password: "senha-forte-123"})
	expect(t, "login", login.StatusCode(), login.Body, err, http.StatusOK)
	c := newClient(t, h, "Authorization", "Bearer "+login.JSON200.Token)

	cities, err := anon.ListCitiesWithResponse(ctx, &apiclient.ListCitiesParams{StateId: ptr(35), UnderscoreQ: ptr("campinas")})
	expect(t, "listCities", cities.StatusCode(), cities.Body, err, http.StatusOK)
	city := cities.JSON200.Items[0]

	var cnpj apiclient.CompaniesCompanyCreate_Cnpj
	if err := cnpj.FromCompaniesCompanyCreateCnpj0("18.928.199/0001-88"); err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateCompanyWithResponse(ctx, nil, apiclient.CreateCompanyJSONRequestBody{
		Name: "Padaria Central", AccountId: ptr(int(account.ID)), Cnpj: &cnpj, CityId: city.Id, StateId: city.StateId,
		ZipCode:           ptr("13010000"),
		EnergyDemandsPeak: &[]apiclient.CompaniesEnergyDemand{{ValueKw: 120.5, StartDate: mustDate(t, "2026-01-01")}},
	})
	expect(t, "createCompany", created.StatusCode(), created.Body, err, http.StatusCreated)
	co := created.JSON201
	if co.Cnpj == nil || *co.Cnpj != "18928199000188" || co.ZipCode == nil || *co.ZipCode != "13010-000" {
		t.Fatalf("company = %s", created.Body)
	}
	id := itoa(co.Id)

	got, err := c.GetCompanyWithResponse(ctx, id)
	expect(t, "getCompany", got.StatusCode(), got.Body, err, http.StatusOK)
	upd, err := c.UpdateCompanyWithResponse(ctx, id, nil, apiclient.UpdateCompanyJSONRequestBody{Name: ptr("Padaria Central Campinas")})
	expect(t, "updateCompany", upd.StatusCode(), upd.Body, err, http.StatusOK)
	list, err := c.ListCompaniesWithResponse(ctx, &apiclient.ListCompaniesParams{UnderscoreQ: ptr("padaria")})
	expect(t, "listCompanies", list.StatusCode(), list.Body, err, http.StatusOK)
	if list.JSON200.Total != 1 || list.JSON200.Items[0].Name != "Padaria Central Campinas" {
		t.Fatalf("list = %s", list.Body)
	}
	audit, err := c.ListAuditLogWithResponse(ctx, &apiclient.ListAuditLogParams{CompanyId: ptr(co.Id)})
	expect(t, "listAuditLog", audit.StatusCode(), audit.Body, err, http.StatusOK)
	if len(audit.JSON200.Items) != 2 {
		t.Fatalf("audit log = %s", audit.Body)
	}
	del, err := c.DeleteCompanyV3WithResponse(ctx, id)
	expect(t, "deleteCompanyV3", del.StatusCode(), del.Body, err, http.StatusNoContent)
	gone, err := c.GetCompanyWithResponse(ctx, id)
	expect(t, "getCompany after delete", gone.StatusCode(), gone.Body, err, http.StatusNotFound)
}

func mustDate(t *testing.T, s string) openapi_types.Date {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return openapi_types.Date{Time: d}
}

func itoa(n int) string { return strconv.Itoa(n) }
