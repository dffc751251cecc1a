package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"partnership-service/internal/apperr"
	"partnership-service/internal/companies"
	"partnership-service/internal/server"
)

// companiesService wires the Companies API to the configured database; its
// logins go through the service's one login guard.
func (a *app) companiesService() *companies.Service {
	return companies.NewServiceWith(a.stores.Companies(), a.geo, a.now, a.loginGuard())
}

// companiesSurface is the Companies API.
func (a *app) companiesSurface(ctx context.Context) (server.Surface, error) {
	svc := a.companiesService()
	h := companies.NewHandler(svc)
	h.Guard = a.guard
	h.Webhooks = a.webhookHandlers(companies.Render, apperr.Unprocessable)
	return server.Surface{Name: "companies", Prefixes: companies.Prefixes, Render: companies.Render, Routes: h.Routes}, nil
}

// Demo data: a super admin, a management account managing a client
// account, a user each, and companies with a parent.
const (
	demoCompaniesPassword = "demo-senha-123"
	demoSuperAdmin        = "admin@demo.com.br"
	demoManagerUser       = "gestora@demo.com.br"
	demoClientUser        = "cliente@demo.com.br"
	demoManagerAccount    = "Gestora Demo"
	demoClientAccount     = "Conta Cliente Demo"
)

// loadCompaniesDemo creates the demo data and prints a token per user and
// how to call the API. Every step keeps what an earlier run created, even
// one that stopped half-way.
func (a *app) loadCompaniesDemo(ctx context.Context, w io.Writer, baseURL string) error {
	svc := a.companiesService()
	for _, acc := range []struct {
		name    string
		typ     companies.AccountType
		manager string
	}{{demoManagerAccount, companies.Management, ""}, {demoClientAccount, companies.Client, demoManagerAccount}} {
		if _, err := svc.CreateAccount(ctx, acc.name, acc.typ, acc.manager); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	for _, u := range []struct{ email, account string }{
		{demoSuperAdmin, ""}, {demoManagerUser, demoManagerAccount}, {demoClientUser, demoClientAccount},
	} {
		_, err := svc.CreateUser(ctx, u.email, demoCompaniesPassword, u.account, u.account == "")
		if err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	tokens := map[string]string{}
	for _, email := range []string{demoSuperAdmin, demoManagerUser, demoClientUser} {
		var err error
		if tokens[email], _, err = svc.IssueToken(ctx, email, companies.LoginTTL); err != nil {
			return err
		}
	}
	if err := seedCompaniesDemo(ctx, svc, tokens[demoClientUser]); err != nil {
		return err
	}
	fmt.Fprintf(w, `
Companies API: users %[2]s (super admin), %[3]s (gestão), %[4]s (cliente), password %[5]q
  tokens (24 h): super admin %[6]s
                 gestão      %[7]s
                 cliente     %[8]s
  curl -s -H 'Authorization: Bearer %[7]s' '%[1]s/api/v4/companies?_sort=name&_order=asc'
  # as the client user: log in, create, list, update, delete; then the super admin reads the audit log
  TOKEN=$(curl -s %[1]s/api/v4/auth/login -H 'Content-Type: application/json' \
    -d '{"email":"%[4]s","password":"%[5]s"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
  ID=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' %[1]s/api/v4/companies \
    -d '{"name":"Filial Santos","city_id":3548500,"state_id":35,"cnpj":"11.444.777/0001-61"}' | sed -E 's/^\{"id":([0-9]+).*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" '%[1]s/api/v4/companies?_q=santos'
  curl -s -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' %[1]s/api/v4/companies/$ID \
    -d '{"complement":"Sala 2"}'
  curl -s -o /dev/null -w '%%{http_code}\n' -X DELETE -H "Authorization: Bearer $TOKEN" %[1]s/api/v4/companies/$ID
  curl -s -H 'Authorization: Bearer %[6]s' "%[1]s/api/v4/audit-log?company_id=$ID"
`, baseURL, demoSuperAdmin, demoManagerUser, demoClientUser, demoCompaniesPassword,
		tokens[demoSuperAdmin], tokens[demoManagerUser], tokens[demoClientUser])
	return nil
}

// seedCompaniesDemo creates, as the client user, a parent company and two
// children, unless the client account already has companies.
func seedCompaniesDemo(ctx context.Context, svc *companies.Service, clientToken string) error {
	sess, err := svc.Authenticate(ctx, clientToken)
	if err != nil {
		return err
	}
	q, err := companies.ParseListQuery(nil)
	if err != nil {
		return err
	}
	if page, err := svc.ListCompanies(ctx, sess, q); err != nil || page.Total > 0 {
		return err
	}
	create := func(body string) (companies.Company, error) {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			return companies.Company{}, err
		}
		in, err := companies.ParseCompanyInput(raw)
		if err != nil {
			return companies.Company{}, err
		}
		return svc.CreateCompany(ctx, sess, in)
	}
	parent, err := create(`{"name":"Indústria Modelo Matriz","cnpj":"11.222.333/0001-81","corporate_name":"Indústria Modelo S.A.",
		"address":"Av. Paulista","number":"1000","district":"Bela Vista","zip_code":"01310-100","cnae":"2599-3/99",
		"city_id":3550308,"state_id":35,"code_ibge":3550308,"unit_code":"123456",
		"energy_demands_peak":[{"value_kw":500,"start_date":"2026-01-01"}],
		"energy_demands_off_peak":[{"value_kw":750,"start_date":"2026-01-01"}]}`)
	if err != nil {
		return err
	}
	for _, body := range []string{
		fmt.Sprintf(`{"name":"Filial São Bernardo","parent_id":%d,"city_id":3548708,"state_id":35,"external_id":"SBC-01"}`, parent.ID),
		fmt.Sprintf(`{"name":"Filial Campinas","parent_id":%d,"city_id":3509502,"state_id":35,"external_id":"CPS-01"}`, parent.ID),
	} {
		if _, err := create(body); err != nil {
			return err
		}
	}
	return nil
}
